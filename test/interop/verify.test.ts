// verifyCertificate: one test per failure reason, on certificates made by
// the openssl CLI (see test/helpers/openssl-pki.ts), plus path building with
// several candidate issuers. Agreement with `openssl verify` on the same
// cases is in test/interop/x509-verify-bad.test.ts.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { hasCommand, oracle } from '../helpers/env.js';
import { OpensslPki, EXT, type FixtureCert } from '../helpers/openssl-pki.js';
import { verifyCertificate, VERIFY_FAILURE_CODES, type VerifyResult, parseCertificate, isMailPkiError, type Certificate } from '../../src/index.js';

const DAY = 86_400_000;
let pki: OpensslPki;
let root: FixtureCert, ica: FixtureCert, leaf: FixtureCert, directLeaf: FixtureCert;

// openssl makes the fixtures: oracle() skips locally without it and fails in CI.
const need = (t: import('node:test').TestContext): boolean => oracle(t, 'openssl');

before(() => {
  if (!hasCommand('openssl')) return;
  pki = new OpensslPki();
  root = pki.cert({ name: 'Test Root', ext: EXT.root, days: 3650 });
  ica = pki.cert({ name: 'Test Intermediate', issuer: root, ext: EXT.ca(0), days: 1825 });
  leaf = pki.cert({ name: 'mail.example.com', issuer: ica, ext: EXT.server('DNS:mail.example.com', 'IP:192.0.2.25') });
  directLeaf = pki.cert({ name: 'direct.example.com', issuer: root, ext: EXT.server('DNS:direct.example.com') });
});

function failed(r: VerifyResult): Extract<VerifyResult, { ok: false }> {
  assert.equal(r.ok, false, 'expected a failure');
  if (r.ok) throw new Error('unreachable');
  assert.ok(VERIFY_FAILURE_CODES.includes(r.reason), `unknown reason ${r.reason}`);
  assert.equal(typeof r.message, 'string');
  assert.ok(r.message.length > 10);
  return r;
}
const same = (a: Certificate | undefined, b: FixtureCert) => assert.ok(a && Buffer.from(a.der).equals(Buffer.from(b.cert.der)), `expected ${b.name}`);

test('valid paths: root -> leaf and root -> intermediate -> leaf, chain in order', (t) => {
  if (!need(t)) return;
  const r1 = verifyCertificate(directLeaf.cert, { trustAnchors: [root.cert], host: 'direct.example.com' });
  assert.equal(r1.ok, true, JSON.stringify(!r1.ok && r1.message));
  const r2 = verifyCertificate(leaf.cert, { trustAnchors: [root.cert], intermediates: [ica.cert], host: 'mail.example.com' });
  assert.ok(r2.ok, !r2.ok ? r2.message : '');
  assert.deepEqual(r2.chain.map((c) => c.serialHex), [leaf, ica, root].map((f) => f.cert.serialHex));
  assert.equal(verifyCertificate(leaf.cert, { trustAnchors: [root.cert], intermediates: [ica.cert], host: '192.0.2.25' }).ok, true);
  assert.equal(verifyCertificate(leaf.cert, { trustAnchors: [root.cert], intermediates: [ica.cert], purpose: 'tls-server' }).ok, true);
});

test('a trust anchor that is itself the leaf verifies', (t) => {
  if (!need(t)) return;
  const r = verifyCertificate(root.cert, { trustAnchors: [root.cert] });
  assert.ok(r.ok && r.chain.length === 1);
});

test('expired and not-yet-valid, checked at the given time', (t) => {
  if (!need(t)) return;
  const opts = { trustAnchors: [root.cert], intermediates: [ica.cert] };
  const e = failed(verifyCertificate(leaf.cert, { ...opts, at: new Date(leaf.cert.notAfter.getTime() + DAY) }));
  assert.equal(e.reason, 'expired');
  same(e.certificate, leaf);
  const e2 = failed(verifyCertificate(leaf.cert, { ...opts, at: new Date(ica.cert.notAfter.getTime() + DAY) }));
  assert.equal(e2.reason, 'expired');
  same(e2.certificate, ica);
  const n = failed(verifyCertificate(leaf.cert, { ...opts, at: new Date(leaf.cert.notBefore.getTime() - 30 * DAY) }));
  assert.equal(n.reason, 'not-yet-valid');
  assert.equal(verifyCertificate(leaf.cert, { ...opts, at: new Date(leaf.cert.notAfter.getTime() - DAY) }).ok, true);
});

test('bad-signature: one flipped bit in the leaf signature', (t) => {
  if (!need(t)) return;
  const der = new Uint8Array(leaf.cert.der);
  der[der.length - 5]! ^= 0x01;
  const tampered = parseCertificate(der);
  const r = failed(verifyCertificate(tampered, { trustAnchors: [root.cert], intermediates: [ica.cert] }));
  assert.ok(r.reason === 'bad-signature', r.message);
  assert.equal(r.certificate?.serialHex, leaf.cert.serialHex);
});

test('weak-algorithm: SHA-1 signature; weak-key: RSA 1024', (t) => {
  if (!need(t)) return;
  const rsaRoot = pki.cert({ name: 'RSA Root', keyType: 'rsa', ext: EXT.root });
  const sha1 = pki.cert({ name: 'sha1.example.com', issuer: rsaRoot, md: 'sha1', ext: EXT.server('DNS:sha1.example.com') });
  const r = failed(verifyCertificate(sha1.cert, { trustAnchors: [rsaRoot.cert] }));
  assert.equal(r.reason, 'weak-algorithm');
  assert.match(r.message, /sha1/i);
  const small = pki.cert({ name: 'small.example.com', issuer: rsaRoot, keyType: 'rsa1024', ext: EXT.server('DNS:small.example.com') });
  const w = failed(verifyCertificate(small.cert, { trustAnchors: [rsaRoot.cert] }));
  assert.equal(w.reason, 'weak-key');
  assert.match(w.message, /1024/);
});

test('unsupported-algorithm: SHA-224; bad-signature: outer signatureAlgorithm differs from the signed one', (t) => {
  if (!need(t)) return;
  const rsaRoot = pki.cert({ name: 'RSA Root 2', keyType: 'rsa', ext: EXT.root });
  const sha224 = pki.cert({ name: 'sha224.example.com', issuer: rsaRoot, md: 'sha224', ext: EXT.server('DNS:sha224.example.com') });
  const r = failed(verifyCertificate(sha224.cert, { trustAnchors: [rsaRoot.cert] }));
  assert.equal(r.reason, 'unsupported-algorithm', r.message);
  // sha256WithRSAEncryption (…01 01 0b) -> sha384WithRSAEncryption (…01 01 0c) in the outer AlgorithmIdentifier only
  const good = pki.cert({ name: 'alg.example.com', issuer: rsaRoot, ext: EXT.server('DNS:alg.example.com') });
  const der = new Uint8Array(good.cert.der);
  const oid = Buffer.from('06092a864886f70d01010b', 'hex');
  const at = Buffer.from(der).lastIndexOf(oid);
  assert.ok(at > good.cert.tbs.length, 'outer AlgorithmIdentifier found after the TBS');
  der[at + oid.length - 1] = 0x0c;
  // the parser already refuses it; verify checks again for hand-built Certificate objects
  assert.throws(() => parseCertificate(der), (e) => isMailPkiError(e, 'ERR_CERT_MALFORMED'));
  const r2 = failed(verifyCertificate({ ...good.cert, der }, { trustAnchors: [rsaRoot.cert] }));
  assert.equal(r2.reason, 'bad-signature');
  assert.match(r2.message, /4\.1\.1\.2/);
});

test('unknown-issuer names the missing issuer; self-signed-untrusted', (t) => {
  if (!need(t)) return;
  const r = failed(verifyCertificate(leaf.cert, { trustAnchors: [root.cert] }));
  assert.equal(r.reason, 'unknown-issuer');
  assert.match(r.message, /CN=Test Intermediate/);
  same(r.certificate, leaf);
  const other = pki.cert({ name: 'Other Root', ext: EXT.root });
  const s = failed(verifyCertificate(root.cert, { trustAnchors: [other.cert] }));
  assert.equal(s.reason, 'self-signed-untrusted');
  const u = failed(verifyCertificate(directLeaf.cert, { trustAnchors: [other.cert] }));
  assert.equal(u.reason, 'unknown-issuer');
});

test('not-a-ca: a leaf used as an issuer', (t) => {
  if (!need(t)) return;
  const sub = pki.cert({ name: 'sub.example.com', issuer: directLeaf, ext: EXT.server('DNS:sub.example.com') });
  const r = failed(verifyCertificate(sub.cert, { trustAnchors: [root.cert], intermediates: [directLeaf.cert] }));
  assert.equal(r.reason, 'not-a-ca');
  same(r.certificate, directLeaf);
});

test('missing-key-cert-sign: a CA whose keyUsage lacks keyCertSign', (t) => {
  if (!need(t)) return;
  const noSign = pki.cert({
    name: 'No Sign CA', issuer: root,
    ext: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature,cRLSign', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'],
  });
  const l = pki.cert({ name: 'ns.example.com', issuer: noSign, ext: EXT.server('DNS:ns.example.com') });
  const r = failed(verifyCertificate(l.cert, { trustAnchors: [root.cert], intermediates: [noSign.cert] }));
  assert.equal(r.reason, 'missing-key-cert-sign');
  same(r.certificate, noSign);
});

test('path-length-exceeded: two intermediates below a pathlen:0 CA', (t) => {
  if (!need(t)) return;
  const sub = pki.cert({ name: 'Sub CA', issuer: ica, ext: EXT.ca() });
  const l = pki.cert({ name: 'deep.example.com', issuer: sub, ext: EXT.server('DNS:deep.example.com') });
  const r = failed(verifyCertificate(l.cert, { trustAnchors: [root.cert], intermediates: [ica.cert, sub.cert] }));
  assert.equal(r.reason, 'path-length-exceeded');
  same(r.certificate, ica);
  // the same depth under a pathlen:1 CA is fine
  const ica1 = pki.cert({ name: 'Int One', issuer: root, ext: EXT.ca(1) });
  const sub1 = pki.cert({ name: 'Sub CA 1', issuer: ica1, ext: EXT.ca(0) });
  const l1 = pki.cert({ name: 'deep1.example.com', issuer: sub1, ext: EXT.server('DNS:deep1.example.com') });
  const ok = verifyCertificate(l1.cert, { trustAnchors: [root.cert], intermediates: [sub1.cert, ica1.cert] });
  assert.ok(ok.ok, !ok.ok ? ok.message : '');
});

test('wrong-purpose: EKU of the leaf, EKU chaining on intermediates, key usage', (t) => {
  if (!need(t)) return;
  const client = pki.cert({
    name: 'client.example.com', issuer: root,
    ext: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth', 'subjectAltName=DNS:client.example.com'],
  });
  assert.equal(failed(verifyCertificate(client.cert, { trustAnchors: [root.cert], purpose: 'tls-server' })).reason, 'wrong-purpose');
  assert.equal(verifyCertificate(client.cert, { trustAnchors: [root.cert], purpose: 'tls-client' }).ok, true);
  // host given -> purpose defaults to tls-server
  assert.equal(failed(verifyCertificate(client.cert, { trustAnchors: [root.cert], host: 'client.example.com' })).reason, 'wrong-purpose');
  const smimeCa = pki.cert({ name: 'SMIME CA', issuer: root, ext: [...EXT.ca(0), 'extendedKeyUsage=emailProtection'] });
  const l = pki.cert({ name: 'x.example.com', issuer: smimeCa, ext: EXT.server('DNS:x.example.com') });
  const r = failed(verifyCertificate(l.cert, { trustAnchors: [root.cert], intermediates: [smimeCa.cert], purpose: 'tls-server' }));
  assert.equal(r.reason, 'wrong-purpose');
  same(r.certificate, smimeCa);
  const kuOnly = pki.cert({ name: 'ku.example.com', issuer: root, ext: ['keyUsage=critical,cRLSign', 'subjectAltName=DNS:ku.example.com'] });
  assert.equal(failed(verifyCertificate(kuOnly.cert, { trustAnchors: [root.cert], purpose: 'tls-server', profile: 'rfc5280' })).reason, 'wrong-purpose');
  const noEku = pki.cert({ name: 'any.example.com', issuer: root, ext: ['basicConstraints=CA:FALSE', 'subjectAltName=DNS:any.example.com'] });
  assert.equal(verifyCertificate(noEku.cert, { trustAnchors: [root.cert], purpose: 'tls-server', profile: 'rfc5280' }).ok, true, 'RFC 5280: absent EKU = any purpose');
  assert.equal(failed(verifyCertificate(noEku.cert, { trustAnchors: [root.cert], purpose: 'tls-server' })).reason, 'missing-eku', 'web PKI: a leaf names its EKU');
});

test('name-constraint-violation: DNS, email (SAN and subject), IP, from the root or an intermediate', (t) => {
  if (!need(t)) return;
  const ncRoot = pki.cert({
    name: 'NC Root',
    ext: [...EXT.root, 'nameConstraints=critical,permitted;DNS:example.com,permitted;email:example.com,permitted;IP:192.0.2.0/255.255.255.0,excluded;DNS:secret.example.com'],
  });
  const mk = (name: string, ext: string[], subject?: string) => pki.cert({ name, issuer: ncRoot, ext, ...(subject ? { subject } : {}) });
  const good = mk('good.example.com', EXT.server('DNS:good.example.com', 'IP:192.0.2.7', 'email:ops@example.com'));
  assert.ok(verifyCertificate(good.cert, { trustAnchors: [ncRoot.cert] }).ok);
  const cases: Array<[string, FixtureCert]> = [
    ['dns outside', mk('evil.test', EXT.server('DNS:evil.test'))],
    ['dns excluded', mk('secret.example.com', EXT.server('DNS:a.secret.example.com'))],
    ['ip outside', mk('ip.example.com', EXT.server('DNS:ip.example.com', 'IP:198.51.100.1'))],
    ['email san', mk('em.example.com', EXT.server('DNS:em.example.com', 'email:x@evil.test'))],
    ['subject emailAddress', mk('subj.example.com', EXT.server('DNS:subj.example.com'), '/CN=subj.example.com/emailAddress=x@evil.test')],
  ];
  for (const [label, c] of cases) {
    const r = failed(verifyCertificate(c.cert, { trustAnchors: [ncRoot.cert] }));
    assert.equal(r.reason, 'name-constraint-violation', label);
    same(r.certificate, c);
  }
  // constraints on an intermediate apply below it
  const ncIca = pki.cert({ name: 'NC Int', issuer: root, ext: [...EXT.ca(0), 'nameConstraints=critical,permitted;DNS:.corp.example'] });
  const inside = pki.cert({ name: 'a.corp.example', issuer: ncIca, ext: EXT.server('DNS:a.corp.example') });
  const outside = pki.cert({ name: 'corp.example', issuer: ncIca, ext: EXT.server('DNS:corp.example') });
  assert.ok(verifyCertificate(inside.cert, { trustAnchors: [root.cert], intermediates: [ncIca.cert] }).ok);
  assert.equal(failed(verifyCertificate(outside.cert, { trustAnchors: [root.cert], intermediates: [ncIca.cert] })).reason, 'name-constraint-violation');
});

test('unhandled-critical-extension', (t) => {
  if (!need(t)) return;
  const c = pki.cert({ name: 'crit.example.com', issuer: root, ext: [...EXT.server('DNS:crit.example.com'), '1.3.6.1.4.1.99999.1=critical,ASN1:NULL'] });
  const r = failed(verifyCertificate(c.cert, { trustAnchors: [root.cert] }));
  assert.equal(r.reason, 'unhandled-critical-extension');
});

test('host-mismatch (no CN fallback) and email-mismatch', (t) => {
  if (!need(t)) return;
  const opts = { trustAnchors: [root.cert], intermediates: [ica.cert] };
  const r = failed(verifyCertificate(leaf.cert, { ...opts, host: 'other.example.com' }));
  assert.equal(r.reason, 'host-mismatch');
  assert.match(r.message, /mail\.example\.com/);
  const cnOnly = pki.cert({ name: 'cn.example.com', issuer: root, ext: ['basicConstraints=CA:FALSE', 'extendedKeyUsage=serverAuth'] });
  assert.equal(failed(verifyCertificate(cnOnly.cert, { trustAnchors: [root.cert], host: 'cn.example.com', profile: 'rfc5280' })).reason, 'host-mismatch');
  assert.equal(failed(verifyCertificate(cnOnly.cert, { trustAnchors: [root.cert], host: 'cn.example.com' })).reason, 'host-mismatch', 'the name checks come before the web PKI rules');
  const smime = pki.cert({
    name: 'Alice', issuer: root,
    ext: ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=emailProtection', 'subjectAltName=email:alice@example.com'],
  });
  assert.ok(verifyCertificate(smime.cert, { trustAnchors: [root.cert], email: 'alice@example.com' }).ok);
  assert.equal(failed(verifyCertificate(smime.cert, { trustAnchors: [root.cert], email: 'bob@example.com' })).reason, 'email-mismatch');
  assert.equal(failed(verifyCertificate(leaf.cert, { ...opts, email: 'alice@example.com' })).reason, 'wrong-purpose', 'a serverAuth leaf is not an S/MIME cert');
});

test('several candidate issuers: a re-keyed intermediate with the same name, an expired twin', (t) => {
  if (!need(t)) return;
  const oldIca = pki.cert({ name: 'Test Intermediate', issuer: root, ext: EXT.ca(0) }); // same name, other key
  const r = verifyCertificate(leaf.cert, { trustAnchors: [root.cert], intermediates: [oldIca.cert, ica.cert] });
  assert.ok(r.ok, !r.ok ? r.message : '');
  same(r.chain[1], ica);
  // only the wrong twin: unknown issuer (its key identifier differs)
  assert.equal(failed(verifyCertificate(leaf.cert, { trustAnchors: [root.cert], intermediates: [oldIca.cert] })).reason, 'unknown-issuer');
  // the same key re-issued with a short life: at a time when only the long one is valid, the long one is used
  const shortIca = pki.cert({ name: 'Test Intermediate', issuer: root, keyPath: ica.keyPath, ext: EXT.ca(0), days: 1 });
  const at = new Date(Date.now() + 30 * DAY);
  const r2 = verifyCertificate(leaf.cert, { trustAnchors: [root.cert], intermediates: [shortIca.cert, ica.cert], at });
  assert.ok(r2.ok, !r2.ok ? r2.message : '');
  same(r2.chain[1], ica);
  assert.equal(failed(verifyCertificate(leaf.cert, { trustAnchors: [root.cert], intermediates: [shortIca.cert], at })).reason, 'expired');
});

test('path-too-long: a loop-free chain of 11 CAs', (t) => {
  if (!need(t)) return;
  let top = pki.cert({ name: 'Long Root', ext: EXT.root });
  const anchor = top;
  const mids: Certificate[] = [];
  for (let i = 0; i < 10; i++) {
    top = pki.cert({ name: `Long CA ${i}`, issuer: top, ext: EXT.ca() });
    mids.push(top.cert);
  }
  const l = pki.cert({ name: 'long.example.com', issuer: top, ext: EXT.server('DNS:long.example.com') });
  assert.equal(failed(verifyCertificate(l.cert, { trustAnchors: [anchor.cert], intermediates: mids })).reason, 'path-too-long');
});

test('bad arguments throw TypeError; verification failures never throw', (t) => {
  if (!need(t)) return;
  assert.throws(() => verifyCertificate(null as unknown as Certificate, { trustAnchors: [] }), TypeError);
  assert.throws(() => verifyCertificate(leaf.cert, {} as never), TypeError);
  assert.throws(() => verifyCertificate(leaf.cert, { trustAnchors: [root.cert], at: new Date('x') }), TypeError);
  assert.throws(() => verifyCertificate(leaf.cert, { trustAnchors: [root.cert], purpose: 'web' as never }), TypeError);
  assert.throws(() => verifyCertificate(leaf.cert, { trustAnchors: [root.cert], host: '' }), TypeError);
  assert.equal(verifyCertificate(leaf.cert, { trustAnchors: [] }).ok, false);
});
