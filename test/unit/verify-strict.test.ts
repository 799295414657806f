// The strict rules of verifyCertificate (issue 10 part 3): one test per
// reason code, on certificates forged in the test with exactly one defect
// (test/helpers/forge.ts), under both profiles: `rfc5280` rules refuse in both,
// `webpki` rules only in the web PKI profile (the default for TLS purposes).
// Also: certificates issued by mailpki's own profiles pass `webpki`, and
// times are compared at the one-second resolution of X.509 times.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { derImplicitBytes, derImplicitChildren, derSeq } from '../../src/encoding/der.js';
import { authorityInfoAccessExtension, basicConstraintsExtension, extKeyUsageExtension, keyUsageExtension, makeExtension, nameConstraintsExtension, subjectAltNameExtension } from '../../src/x509/extensions.js';
import { forge, caExtensions, leafExtensions, withCritical, without } from '../helpers/forge.js';
import { generateKeyPair, parsePrivateKey, getPublicKey, type PrivateKey, createIntermediateCa, createRootCa, issueCertificate, verifyCertificate, VERIFY_FAILURE_CODES, type VerifyOptions, type VerifyResult, type VerifyFailureCode, type Certificate, type Extension, type GeneralName, OID } from '../../src/index.js';

let rootKey: PrivateKey, icaKey: PrivateKey, leafKey: PrivateKey;
let root: Certificate, ica: Certificate;

before(async () => {
  [rootKey, icaKey, leafKey] = await Promise.all([0, 1, 2].map(async () => (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey)) as [PrivateKey, PrivateKey, PrivateKey];
  root = forge({ subject: { CN: 'Strict Root' }, key: rootKey, extensions: caExtensions(rootKey) });
  ica = forge({ subject: { CN: 'Strict CA' }, key: icaKey, issuer: { cert: root, key: rootKey }, extensions: caExtensions(icaKey, rootKey) });
});

const HOST = 'ok.example.com';
function leafWith(exts: (base: Extension[]) => Extension[], subject: Record<string, string> | string = { CN: HOST }, serial?: bigint | Uint8Array, key = leafKey): Certificate {
  return forge({ subject, key, issuer: { cert: ica, key: icaKey }, extensions: exts(leafExtensions(key, icaKey, [HOST])), ...(serial !== undefined ? { serial } : {}) });
}
function verify(leaf: Certificate, extra: Partial<VerifyOptions> = {}, anchors = [root], mids = [ica]): VerifyResult {
  return verifyCertificate(leaf, { trustAnchors: anchors, intermediates: mids, host: HOST, ...extra });
}
function reason(r: VerifyResult): VerifyFailureCode | 'ok' {
  if (r.ok) return 'ok';
  assert.ok(VERIFY_FAILURE_CODES.includes(r.reason), `unknown reason ${r.reason}`);
  assert.ok(r.message.length > 20);
  return r.reason;
}
/** The rule refuses under both profiles. */
function bothRefuse(leaf: Certificate, code: VerifyFailureCode, opts: Partial<VerifyOptions> = {}, anchors = [root], mids = [ica]): void {
  assert.equal(reason(verify(leaf, opts, anchors, mids)), code, 'webpki');
  assert.equal(reason(verify(leaf, { ...opts, profile: 'rfc5280' }, anchors, mids)), code, 'rfc5280');
}
/** The rule refuses under webpki only. */
function webOnly(leaf: Certificate, code: VerifyFailureCode, anchors = [root], mids = [ica]): void {
  assert.equal(reason(verify(leaf, {}, anchors, mids)), code, 'webpki');
  assert.equal(reason(verify(leaf, { profile: 'rfc5280' }, anchors, mids)), 'ok', 'rfc5280');
}

test('the well-formed chain passes both profiles; the webpki profile is the default for TLS only', () => {
  const leaf = leafWith((e) => e);
  assert.equal(reason(verify(leaf)), 'ok');
  assert.equal(reason(verify(leaf, { profile: 'rfc5280' })), 'ok');
  const noEku = leafWith((e) => without(e, OID.extKeyUsage));
  assert.equal(reason(verifyCertificate(noEku, { trustAnchors: [root], intermediates: [ica] })), 'ok', 'no purpose: rfc5280');
  assert.equal(reason(verifyCertificate(noEku, { trustAnchors: [root], intermediates: [ica], purpose: 'tls-client' })), 'missing-eku', 'tls-client: webpki');
  assert.equal(reason(verifyCertificate(noEku, { trustAnchors: [root], intermediates: [ica], profile: 'webpki' })), 'missing-eku', 'explicit webpki');
  assert.throws(() => verify(leaf, { profile: 'strict' as never }), TypeError);
});

// ------------------------------------------------------------------ name constraints

function ncCa(value: Extension, key = icaKey, caExt = true): Certificate {
  const exts = caExt ? [...caExtensions(key, rootKey), value] : [value];
  return forge({ subject: { CN: 'Strict CA' }, key, issuer: { cert: root, key: rootKey }, extensions: exts });
}

test('invalid-name-constraints: iPAddress base without a mask, empty subtree sequence, minimum present, in a non-CA certificate', () => {
  const leaf = leafWith((e) => e);
  const noMask = makeExtension(OID.nameConstraints, true, derSeq(derImplicitChildren(0, [derSeq(derImplicitBytes(7, Uint8Array.of(192, 0, 2, 0)))])));
  const emptyPermitted = makeExtension(OID.nameConstraints, true, derSeq(derImplicitChildren(0, []), derImplicitChildren(1, [derSeq(derImplicitBytes(2, new TextEncoder().encode('bad.example')))])));
  const withMinimum = makeExtension(OID.nameConstraints, true, derSeq(derImplicitChildren(0, [derSeq(derImplicitBytes(2, new TextEncoder().encode('example.com')), derImplicitBytes(0, Uint8Array.of(1)))])));
  for (const [label, ext] of [['no mask', noMask], ['empty permitted', emptyPermitted], ['minimum', withMinimum]] as const) {
    const ca = ncCa(ext);
    const r = verify(leaf, {}, [root], [ca]);
    assert.equal(reason(r), 'invalid-name-constraints', label);
    assert.equal(!r.ok && r.certificate, ca);
    assert.equal(reason(verify(leaf, { profile: 'rfc5280' }, [root], [ca])), 'invalid-name-constraints', label);
  }
  // a well-formed one passes (the leaf is inside)
  const good = ncCa(nameConstraintsExtension({ permitted: [{ type: 'dns', value: 'example.com' }], excluded: [] }));
  assert.equal(reason(verify(leaf, {}, [root], [good])), 'ok');
  // nameConstraints in a leaf
  const ncLeaf = leafWith((e) => [...e, nameConstraintsExtension({ permitted: [{ type: 'dns', value: 'example.com' }], excluded: [] })]);
  bothRefuse(ncLeaf, 'invalid-name-constraints');
});

test('malformed-name: a SAN that is not a valid name of its form never satisfies a constraint', () => {
  const dnsCa = ncCa(nameConstraintsExtension({ permitted: [{ type: 'dns', value: 'example.com' }], excluded: [] }));
  const exclCa = ncCa(nameConstraintsExtension({ permitted: [], excluded: [{ type: 'dns', value: 'evil.example.com' }] }));
  const emailCa = ncCa(nameConstraintsExtension({ permitted: [{ type: 'email', value: 'example.com' }], excluded: [] }));
  const san = (...names: GeneralName[]) => (e: Extension[]) => [...without(e, OID.subjectAltName), subjectAltNameExtension([{ type: 'dns', value: HOST }, ...names])];
  for (const bad of ['.x.example.com', 'a..example.com', 'x.example.com.']) {
    const leaf = leafWith(san({ type: 'dns', value: bad }));
    assert.equal(reason(verify(leaf, { profile: 'rfc5280' }, [root], [dnsCa])), 'malformed-name', `${bad} under a permitted subtree`);
    assert.equal(reason(verify(leaf, { profile: 'rfc5280' }, [root], [exclCa])), 'malformed-name', `${bad} under an excluded subtree`);
    // without constraints of that form, RFC 5280 does not judge it (webpki does: invalid-dns-name)
    assert.equal(reason(verify(leaf, { profile: 'rfc5280' })), 'ok', bad);
    assert.equal(reason(verify(leaf)), 'invalid-dns-name', bad);
  }
  const twoAt = leafWith(san({ type: 'email', value: 'a@b@example.com' }));
  assert.equal(reason(verify(twoAt, { profile: 'rfc5280' }, [root], [emailCa])), 'malformed-name');
  assert.equal(reason(verify(twoAt, { profile: 'rfc5280' }, [root], [dnsCa])), 'ok', 'an email name is not constrained by DNS subtrees');
  const goodEmail = leafWith(san({ type: 'email', value: 'a@example.com' }));
  assert.equal(reason(verify(goodEmail, { profile: 'rfc5280' }, [root], [emailCa])), 'ok');
});

// ------------------------------------------------------------------ extensions

test('forbidden-critical-extension: AKI, SKI or AIA marked critical', () => {
  bothRefuse(leafWith((e) => withCritical(e, OID.authorityKeyIdentifier, true)), 'forbidden-critical-extension');
  bothRefuse(leafWith((e) => withCritical(e, OID.subjectKeyIdentifier, true)), 'forbidden-critical-extension');
  const aia = authorityInfoAccessExtension([{ method: OID.caIssuers, location: { type: 'uri', value: 'http://ca.example.com/ca.crt' } }]);
  assert.equal(reason(verify(leafWith((e) => [...e, aia]))), 'ok');
  bothRefuse(leafWith((e) => [...e, { ...aia, critical: true }]), 'forbidden-critical-extension');
  // on an intermediate too
  const critSkiCa = forge({ subject: { CN: 'Strict CA' }, key: icaKey, issuer: { cert: root, key: rootKey }, extensions: withCritical(caExtensions(icaKey, rootKey), OID.subjectKeyIdentifier, true) });
  const r = verify(leafWith((e) => e), {}, [root], [critSkiCa]);
  assert.equal(reason(r), 'forbidden-critical-extension');
  assert.equal(!r.ok && r.certificate, critSkiCa);
});

test('missing-authority-key-identifier / missing-subject-key-identifier / empty-ca-subject on an intermediate', () => {
  const leaf = leafWith((e) => e);
  const noAki = forge({ subject: { CN: 'Strict CA' }, key: icaKey, issuer: { cert: root, key: rootKey }, extensions: without(caExtensions(icaKey, rootKey), OID.authorityKeyIdentifier) });
  bothRefuse(leaf, 'missing-authority-key-identifier', {}, [root], [noAki]);
  const noSki = forge({ subject: { CN: 'Strict CA' }, key: icaKey, issuer: { cert: root, key: rootKey }, extensions: without(caExtensions(icaKey, rootKey), OID.subjectKeyIdentifier) });
  bothRefuse(leaf, 'missing-subject-key-identifier', {}, [root], [noSki]);
  // a root (the trust anchor) needs neither AKI nor SKI
  const bareRoot = forge({ subject: { CN: 'Bare Root' }, key: rootKey, extensions: without(caExtensions(rootKey), OID.subjectKeyIdentifier) });
  const ica2 = forge({ subject: { CN: 'Strict CA' }, key: icaKey, issuer: { cert: bareRoot, key: rootKey }, extensions: caExtensions(icaKey, rootKey) });
  assert.equal(reason(verify(leaf, {}, [bareRoot], [ica2])), 'ok');
  // an intermediate with an empty subject (the leaf names it by its empty name)
  const emptyCa = forge({ subject: '', key: icaKey, issuer: { cert: root, key: rootKey }, extensions: caExtensions(icaKey, rootKey) });
  const leafE = forge({ subject: { CN: HOST }, key: leafKey, issuer: { cert: emptyCa, key: icaKey }, extensions: leafExtensions(leafKey, icaKey, [HOST]) });
  bothRefuse(leafE, 'empty-ca-subject', {}, [root], [emptyCa]);
});

test('root-basic-constraints-not-critical: a self-signed anchor with a non-critical basicConstraints', () => {
  const softRoot = forge({ subject: { CN: 'Soft Root' }, key: rootKey, extensions: withCritical(caExtensions(rootKey), OID.basicConstraints, false) });
  const ica2 = forge({ subject: { CN: 'Strict CA' }, key: icaKey, issuer: { cert: softRoot, key: rootKey }, extensions: caExtensions(icaKey, rootKey) });
  bothRefuse(leafWith((e) => e), 'root-basic-constraints-not-critical', {}, [softRoot], [ica2]);
});

test('san-criticality: critical with a subject, non-critical with an empty subject', () => {
  bothRefuse(leafWith((e) => withCritical(e, OID.subjectAltName, true)), 'san-criticality');
  bothRefuse(leafWith((e) => e, ''), 'san-criticality');
  assert.equal(reason(verify(leafWith((e) => withCritical(e, OID.subjectAltName, true), ''))), 'ok', 'empty subject + critical SAN is right');
});

test('ca-used-as-leaf: CA:TRUE or keyCertSign in a TLS leaf (any profile), fine without a TLS purpose', () => {
  const caLeaf = leafWith((e) => [basicConstraintsExtension({ ca: true }), ...without(e, OID.basicConstraints)]);
  bothRefuse(caLeaf, 'ca-used-as-leaf');
  assert.equal(reason(verifyCertificate(caLeaf, { trustAnchors: [root], intermediates: [ica] })), 'ok');
  const kcsLeaf = leafWith((e) => [keyUsageExtension(['digitalSignature', 'keyCertSign']), extKeyUsageExtension([OID.serverAuth, OID.clientAuth]), ...without(e, OID.keyUsage, OID.extKeyUsage)]);
  bothRefuse(kcsLeaf, 'ca-used-as-leaf');
  assert.equal(reason(verifyCertificate(kcsLeaf, { trustAnchors: [root], intermediates: [ica], purpose: 'tls-client' })), 'ca-used-as-leaf');
  // a pinned self-signed server certificate (the leaf is the trust anchor) is the caller's decision
  const selfSigned = forge({ subject: { CN: HOST }, key: leafKey, extensions: [basicConstraintsExtension({ ca: true }), ...leafExtensions(leafKey, leafKey, [HOST]).slice(1)] });
  assert.equal(reason(verifyCertificate(selfSigned, { trustAnchors: [selfSigned], host: HOST })), 'ok');
});

// ------------------------------------------------------------------ web PKI

test('invalid-serial (webpki): zero, negative, 21 octets; 20 octets is fine', () => {
  webOnly(leafWith((e) => e, { CN: HOST }, Uint8Array.of(0)), 'invalid-serial');
  webOnly(leafWith((e) => e, { CN: HOST }, Uint8Array.of(0xff, 0x01)), 'invalid-serial');
  webOnly(leafWith((e) => e, { CN: HOST }, Uint8Array.of(0x01, ...new Uint8Array(20).fill(7))), 'invalid-serial');
  assert.equal(reason(verify(leafWith((e) => e, { CN: HOST }, Uint8Array.of(0x7f, ...new Uint8Array(19).fill(7))))), 'ok');
});

test('missing-eku, any-eku, root-has-eku (webpki)', () => {
  webOnly(leafWith((e) => without(e, OID.extKeyUsage)), 'missing-eku');
  webOnly(leafWith((e) => [...without(e, OID.extKeyUsage), extKeyUsageExtension([OID.serverAuth, OID.anyExtendedKeyUsage])]), 'any-eku');
  const anyCa = forge({ subject: { CN: 'Strict CA' }, key: icaKey, issuer: { cert: root, key: rootKey }, extensions: [...caExtensions(icaKey, rootKey), extKeyUsageExtension([OID.anyExtendedKeyUsage])] });
  webOnly(leafWith((e) => e), 'any-eku', [root], [anyCa]);
  const ekuRoot = forge({ subject: { CN: 'EKU Root' }, key: rootKey, extensions: [...caExtensions(rootKey), extKeyUsageExtension([OID.serverAuth])] });
  const ica2 = forge({ subject: { CN: 'Strict CA' }, key: icaKey, issuer: { cert: ekuRoot, key: rootKey }, extensions: caExtensions(icaKey, rootKey) });
  webOnly(leafWith((e) => e), 'root-has-eku', [ekuRoot], [ica2]);
});

test('cn-not-in-san (webpki, tls-server): compared in canonical form', () => {
  const sans = (...names: GeneralName[]) => (e: Extension[]) => [...without(e, OID.subjectAltName), subjectAltNameExtension([{ type: 'dns', value: HOST }, ...names])];
  webOnly(leafWith((e) => e, { CN: 'other.example.com' }), 'cn-not-in-san');
  assert.equal(reason(verify(leafWith((e) => e, { CN: 'OK.Example.COM' }))), 'ok', 'case');
  assert.equal(reason(verify(leafWith(sans({ type: 'ip', value: '192.0.2.1' }), { CN: '192.0.2.1' }))), 'ok', 'IPv4');
  assert.equal(reason(verify(leafWith(sans({ type: 'ip', value: '2001:db8::1' }), { CN: '2001:DB8:0:0::1' }))), 'ok', 'IPv6 text forms');
  assert.equal(reason(verify(leafWith(sans({ type: 'dns', value: 'xn--bcher-kva.example' }), { CN: 'bücher.example' }))), 'ok', 'IDN U-label CN, A-label SAN');
  assert.equal(reason(verify(leafWith((e) => e, { O: 'No CN Inc' }))), 'ok', 'no CN at all');
  // tls-client is not under the server rule
  const client = leafWith((e) => [...without(e, OID.extKeyUsage), extKeyUsageExtension([OID.clientAuth])], { CN: 'Relay One' });
  assert.equal(reason(verifyCertificate(client, { trustAnchors: [root], intermediates: [ica], purpose: 'tls-client' })), 'ok');
});

test('rsa-modulus-not-byte-aligned (webpki): a 2,052-bit RSA leaf key', () => {
  const pem = generateKeyPairSync('rsa', { modulusLength: 2052 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const rsaKey = parsePrivateKey(pem);
  webOnly(leafWith((e) => e, { CN: HOST }, undefined, rsaKey), 'rsa-modulus-not-byte-aligned');
});

test('invalid-dns-name (webpki): underscore, space-free non-LDH, misplaced wildcard', () => {
  for (const bad of ['under_score.example.com', 'x!.example.com', 'a.*.example.com', 'f*.example.com']) {
    const leaf = leafWith((e) => [...without(e, OID.subjectAltName), subjectAltNameExtension([{ type: 'dns', value: HOST }, { type: 'dns', value: bad }])]);
    webOnly(leaf, 'invalid-dns-name');
  }
  const wild = leafWith((e) => [...without(e, OID.subjectAltName), subjectAltNameExtension([{ type: 'dns', value: HOST }, { type: 'dns', value: '*.example.com' }])]);
  assert.equal(reason(verify(wild)), 'ok');
});

test('times are compared at one-second resolution', () => {
  const nb = new Date('2030-01-01T00:00:00Z');
  const na = new Date('2031-01-01T00:00:00Z');
  const r2 = forge({ subject: { CN: 'Time Root' }, key: rootKey, notBefore: new Date('2029-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z'), extensions: caExtensions(rootKey) });
  const leaf = forge({ subject: { CN: HOST }, key: leafKey, issuer: { cert: r2, key: rootKey }, notBefore: nb, notAfter: na, extensions: leafExtensions(leafKey, rootKey, [HOST]) });
  const at = (ms: number) => reason(verifyCertificate(leaf, { trustAnchors: [r2], host: HOST, at: new Date(ms) }));
  assert.equal(at(na.getTime() + 999), 'ok', 'within the notAfter second');
  assert.equal(at(na.getTime() + 1000), 'expired');
  assert.equal(at(nb.getTime()), 'ok');
  assert.equal(at(nb.getTime() - 1), 'not-yet-valid', 'the second before notBefore');
});

// ------------------------------------------------------------------ our own certificates

test("certificates issued by mailpki's profiles pass the webpki profile", async () => {
  const rk = (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
  const ik = (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
  const rsa = (await generateKeyPair({ type: 'rsa', bits: 2048 } as never)).privateKey;
  const r = createRootCa({ subject: { O: 'Example', CN: 'Example Root' }, privateKey: rk, nameConstraints: { permitted: ['example.com', 'email:example.com'] } });
  const i = createIntermediateCa({ subject: { CN: 'Example Issuing CA' }, publicKey: getPublicKey(ik), issuer: r, issuerKey: rk });
  const server = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(rsa), subject: { CN: 'mail.example.com' }, sans: ['mail.example.com', 'smtp.example.com'], issuer: i, issuerKey: ik });
  const noSan = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(rsa), subject: { CN: 'imap.example.com' }, issuer: i, issuerKey: ik });
  const client = issueCertificate({ profile: 'tls-client', publicKey: getPublicKey(rsa), subject: { CN: 'relay.example.com' }, sans: ['relay.example.com'], issuer: i, issuerKey: ik });
  const smime = issueCertificate({ profile: 'smime', publicKey: getPublicKey(rsa), subject: { CN: 'Alice', emailAddress: 'alice@example.com' }, issuer: i, issuerKey: ik });
  const opts = { trustAnchors: [r], intermediates: [i] };
  assert.equal(reason(verifyCertificate(server, { ...opts, host: 'smtp.example.com' })), 'ok');
  assert.equal(reason(verifyCertificate(noSan, { ...opts, host: 'imap.example.com' })), 'ok');
  assert.equal(reason(verifyCertificate(client, { ...opts, purpose: 'tls-client' })), 'ok');
  assert.equal(reason(verifyCertificate(smime, { ...opts, email: 'alice@example.com' })), 'ok');
  assert.equal(reason(verifyCertificate(smime, { ...opts, email: 'alice@example.com', profile: 'webpki' })), 'ok');
});
