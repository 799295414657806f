// issueFromTemplate: a caller's own profile (keyUsage, EKU, CA flag, validity
// limits) through the public API; the checks every issuance makes still apply.
// Node's X509Certificate (an independent parser) reads what is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { OID, getPublicKey, issueFromTemplate, parseCertificate, verifyCertificate, type CertificateTemplate } from '../../src/index.js';
import { code, key, other, pki } from '../helpers/issue-pki.js';

const DOC_SIGNING: CertificateTemplate = {
  subject: { O: 'Example', CN: 'Archive signer' },
  keyUsage: ['digitalSignature', 'nonRepudiation'],
  extKeyUsage: ['1.3.6.1.4.1.55555.1.1'],
  defaultDays: 30,
  maxDays: 90,
};

test('issueFromTemplate writes exactly the template: keyUsage, EKU, CA:false, SKI/AKI, no SAN added, the template\'s default days', () => {
  const { inter, interKey } = pki('p384', 'p256');
  const pub = getPublicKey(other());
  const c = issueFromTemplate({ template: DOC_SIGNING, publicKey: pub, issuer: inter, issuerKey: interKey });
  assert.deepEqual(c.decoded.keyUsage, ['digitalSignature', 'nonRepudiation']);
  assert.deepEqual(c.decoded.extKeyUsage, ['1.3.6.1.4.1.55555.1.1']);
  assert.deepEqual(c.decoded.basicConstraints, { ca: false });
  assert.equal(c.decoded.subjectAltName, undefined, 'the CN is not turned into a SAN');
  assert.deepEqual(c.decoded.authorityKeyIdentifier?.keyIdentifier, inter.decoded.subjectKeyIdentifier);
  assert.equal((c.notAfter.getTime() - c.notBefore.getTime()) / 86_400_000, 30);
  assert.deepEqual(c.warnings, []);
  // the returned object is what the DER says, and an independent parser reads it, signed by the intermediate
  assert.deepEqual(parseCertificate(c.der).decoded, c.decoded);
  const x = new X509Certificate(c.der);
  assert.ok(x.verify(new X509Certificate(inter.der).publicKey));
  assert.match(x.subject, /CN=Archive signer/);
});

test('issueFromTemplate: days per call within maxDays; over maxDays refused; a CA template signs a verifiable chain', () => {
  const { root, rootKey } = pki('p256', 'p256');
  const pub = getPublicKey(other());
  const c = issueFromTemplate({ template: DOC_SIGNING, days: 90, publicKey: pub, issuer: root, issuerKey: rootKey });
  assert.equal((c.notAfter.getTime() - c.notBefore.getTime()) / 86_400_000, 90);
  assert.throws(() => issueFromTemplate({ template: DOC_SIGNING, days: 91, publicKey: pub, issuer: root, issuerKey: rootKey }), code('ERR_POLICY', /at most 90 days/));
  // a custom issuing CA: pathLen 0, name-constrained, 2 years
  const caKey = key('p384');
  const sub = issueFromTemplate({
    template: { subject: { CN: 'Lab CA' }, ca: true, pathLen: 0, keyUsage: ['keyCertSign', 'cRLSign'], nameConstraints: { permitted: ['lab.example.com'] }, defaultDays: 730 },
    publicKey: caKey,
    issuer: root,
    issuerKey: rootKey,
  });
  assert.deepEqual(sub.decoded.basicConstraints, { ca: true, pathLen: 0 });
  assert.deepEqual(sub.decoded.nameConstraints?.permitted, [{ type: 'dns', value: 'lab.example.com' }]);
  const server = issueFromTemplate({
    template: { subject: { CN: 'host.lab.example.com' }, sans: ['host.lab.example.com'], keyUsage: ['digitalSignature'], extKeyUsage: [OID.serverAuth], defaultDays: 7 },
    publicKey: pub,
    issuer: sub,
    issuerKey: caKey,
  });
  const v = verifyCertificate(server, { trustAnchors: [root], intermediates: [sub], host: 'host.lab.example.com' });
  assert.ok(v.ok, !v.ok ? v.message : '');
  // the sub-CA's name constraints are enforced at issuance, as for the built-in profiles
  assert.throws(
    () => issueFromTemplate({ template: { subject: { CN: 'x' }, sans: ['www.other.test'], keyUsage: ['digitalSignature'], defaultDays: 7 }, publicKey: pub, issuer: sub, issuerKey: caKey }),
    code('ERR_NAME_CONSTRAINTS'),
  );
  // pathLen 0 of the sub-CA forbids another CA below it
  assert.throws(
    () => issueFromTemplate({ template: { subject: { CN: 'Deeper CA' }, ca: true, keyUsage: ['keyCertSign'], defaultDays: 7 }, publicKey: pub, issuer: sub, issuerKey: caKey }),
    code('ERR_POLICY', /pathLen 0/),
  );
});

test('issueFromTemplate refuses what no issuance may do', () => {
  const { root, rootKey, inter } = pki('p384', 'p256');
  const pub = getPublicKey(other());
  const t = (over: Partial<CertificateTemplate>): CertificateTemplate => ({ ...DOC_SIGNING, ...over });
  assert.throws(() => issueFromTemplate({ template: t({ keyUsage: [] }), publicKey: pub, issuer: root, issuerKey: rootKey }), code('ERR_POLICY', /at least one usage/));
  assert.throws(() => issueFromTemplate({ template: t({ subject: '' }), publicKey: pub, issuer: root, issuerKey: rootKey }), code('ERR_POLICY', /neither subject nor SAN/));
  assert.throws(() => issueFromTemplate({ template: t({ pathLen: 1 }), publicKey: pub, issuer: root, issuerKey: rootKey }), TypeError);
  assert.throws(() => issueFromTemplate({ template: DOC_SIGNING, publicKey: getPublicKey(key('rsa1024')), issuer: root, issuerKey: rootKey }), code('ERR_KEY_TOO_SMALL'));
  assert.throws(() => issueFromTemplate({ template: DOC_SIGNING, publicKey: pub, issuer: inter, issuerKey: rootKey }), code('ERR_KEY_MISMATCH'));
  assert.throws(() => issueFromTemplate({ template: DOC_SIGNING, days: 0, publicKey: pub, issuer: root, issuerKey: rootKey }), RangeError);
  // an empty subject with SANs: the SAN extension is critical (RFC 5280 4.2.1.6)
  const anon = issueFromTemplate({ template: t({ subject: '', sans: ['a.example.com'] }), publicKey: pub, issuer: root, issuerKey: rootKey });
  assert.equal(anon.extensions.find((e) => e.oid === OID.subjectAltName)?.critical, true);
});

test('a CA template without keyCertSign is refused (it could issue nothing a verifier accepts)', () => {
  const { inter, interKey } = pki('p384', 'p256');
  assert.throws(
    () => issueFromTemplate({ template: { subject: { CN: 'No-sign CA' }, ca: true, keyUsage: ['cRLSign'], defaultDays: 30 }, publicKey: getPublicKey(other()), issuer: inter, issuerKey: interKey }),
    code('ERR_POLICY', /needs keyUsage keyCertSign/),
  );
});
