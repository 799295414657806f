// Issuance policy through the public API: the CA decides the extensions,
// S/MIME rules, refusals with their reasons, clamping to the issuer. What the
// oracles (openssl, python cryptography) say about what we emit:
// test/interop/x509-issue.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  OID,
  cnAsSan,
  createCertificateRequest,
  createIntermediateCa,
  createRootCa,
  getPublicKey,
  issueCertificate,
  parseCertificateRequest,
  toHex,
  verifyCertificateRequest,
} from '../../src/index.js';
import { code, key, other, pki } from '../helpers/issue-pki.js';
import { isMailPkiError, verifyCertificate } from '../../src/index.js';

test('the CA, not the CSR, decides KU/EKU/BC', () => {
  const { root, rootKey } = pki('p256', 'p256');
  // A CSR asking for CA:true and codeSigning
  const bc = { oid: OID.basicConstraints, name: 'basicConstraints', critical: true, der: Uint8Array.of(0x30, 0x03, 0x01, 0x01, 0xff) };
  const eku = { oid: OID.extKeyUsage, name: 'extKeyUsage', critical: false, der: Uint8Array.of(0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03) };
  const csr = createCertificateRequest({ subject: { CN: 'x.example.com' }, sans: ['x.example.com'], privateKey: key('p256'), extensions: [bc, eku] });
  assert.deepEqual(parseCertificateRequest(csr.der).decoded.basicConstraints, { ca: true });
  const leaf = issueCertificate({ profile: 'tls-client', csr, issuer: root, issuerKey: rootKey });
  assert.deepEqual(leaf.decoded.basicConstraints, { ca: false });
  assert.deepEqual(leaf.decoded.extKeyUsage, [OID.clientAuth]);
});

test('smime: rfc822Name required, emailProtection only, never serverAuth', () => {
  const { root, rootKey } = pki('p256', 'p256');
  const leaf = issueCertificate({ profile: 'smime', publicKey: getPublicKey(key('rsa2048')), subject: { CN: 'Jane Doe', emailAddress: 'jane@example.com' }, issuer: root, issuerKey: rootKey });
  assert.deepEqual(leaf.decoded.subjectAltName, [{ type: 'email', value: 'jane@example.com' }]);
  assert.deepEqual(leaf.decoded.extKeyUsage, [OID.emailProtection]);
  assert.deepEqual(leaf.decoded.keyUsage, ['digitalSignature', 'keyEncipherment']);
  const x = new X509Certificate(leaf.pem);
  assert.equal(x.checkEmail('jane@example.com', { subject: 'never' }), 'jane@example.com');
  assert.throws(() => issueCertificate({ profile: 'smime', publicKey: getPublicKey(key('p256')), subject: { CN: 'Jane' }, sans: ['jane.example.com'], issuer: root, issuerKey: rootKey }), code('ERR_POLICY', /rfc822Name/));
});

test('refusals say why: no SAN, > 825 days, RSA < 2048, key mismatch, issuer not CA, bad CSR signature, SHA-1', () => {
  const { root, rootKey, inter, interKey } = pki('p384', 'p256');
  const pub = getPublicKey(key('p256'));
  assert.throws(() => issueCertificate({ profile: 'tls-server', publicKey: pub, subject: { CN: 'Not a host name' }, issuer: root, issuerKey: rootKey }), code('ERR_POLICY', /SAN/));
  assert.throws(() => issueCertificate({ profile: 'tls-server', publicKey: pub, sans: ['a.example.com'], days: 826, issuer: root, issuerKey: rootKey }), code('ERR_POLICY', /825/));
  const long = issueCertificate({ profile: 'tls-server', publicKey: pub, sans: ['a.example.com'], days: 900, allowLongValidity: true, issuer: root, issuerKey: rootKey });
  assert.equal(Math.round((long.notAfter.getTime() - long.notBefore.getTime()) / 86400000), 900);
  const short = issueCertificate({ profile: 'tls-server', publicKey: pub, sans: ['a.example.com'], days: 90, issuer: root, issuerKey: rootKey });
  assert.deepEqual(short.warnings, []);
  assert.throws(() => issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(key('rsa1024')), sans: ['a.example.com'], issuer: root, issuerKey: rootKey }), code('ERR_KEY_TOO_SMALL'));
  assert.throws(() => createRootCa({ subject: { CN: 'weak' }, privateKey: key('rsa1024') }), code('ERR_KEY_TOO_SMALL'));
  assert.throws(() => issueCertificate({ profile: 'tls-server', publicKey: pub, sans: ['a.example.com'], issuer: inter, issuerKey: rootKey }), code('ERR_KEY_MISMATCH'));
  const leaf = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(other()), sans: ['a.example.com'], issuer: inter, issuerKey: interKey });
  assert.throws(() => issueCertificate({ profile: 'tls-server', publicKey: pub, sans: ['b.example.com'], issuer: leaf, issuerKey: other() }), code('ERR_ISSUER_NOT_CA'));
  assert.throws(() => createIntermediateCa({ subject: { CN: 'sub' }, publicKey: pub, issuer: inter, issuerKey: interKey }), code('ERR_POLICY', /pathLen 0/));
  // CSR whose signature fails: flip a bit in the signature
  const csr = createCertificateRequest({ subject: { CN: 'a.example.com' }, privateKey: key('p256') });
  const bad = Uint8Array.from(csr.der);
  bad[bad.length - 5]! ^= 0x01;
  assert.throws(() => verifyCertificateRequest(parseCertificateRequest(bad)), code('ERR_CSR_SIGNATURE'));
  assert.throws(() => issueCertificate({ profile: 'tls-server', csr: bad, issuer: root, issuerKey: rootKey }), code('ERR_CSR_SIGNATURE'));
  // a CSR whose subject was altered after signing
  const csr2 = createCertificateRequest({ subject: { CN: 'aaaa.example.com' }, privateKey: key('p256') });
  const swapped = Uint8Array.from(csr2.der);
  const at = toHex(swapped).indexOf(toHex(new TextEncoder().encode('aaaa'))) / 2;
  swapped[at] = 'b'.charCodeAt(0);
  assert.throws(() => verifyCertificateRequest(parseCertificateRequest(swapped)), code('ERR_CSR_SIGNATURE'));
  assert.throws(() => createRootCa({ subject: { CN: 'sha1' }, privateKey: key('rsa2048'), signatureAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' as never } }), code('ERR_WEAK_ALGORITHM', /SHA-1/));
});

test('a leaf that would outlive its issuer is clamped to the issuer notAfter, with a warning', () => {
  const rootKey = key('p256');
  const root = createRootCa({ subject: { CN: 'Short root' }, privateKey: rootKey, days: 30 });
  const leaf = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(other()), sans: ['a.example.com'], issuer: root, issuerKey: rootKey });
  assert.equal(leaf.notAfter.getTime(), root.notAfter.getTime());
  assert.ok(leaf.warnings.some((w) => w.code === 'validity-clamped' && /clamped/.test(w.message)));
  assert.throws(() => issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(other()), sans: ['a.example.com'], issuer: root, issuerKey: rootKey, now: new Date(Date.now() + 40 * 86400000) }), code('ERR_VALIDITY'));
});

test('a server certificate\'s CN is one of its SANs (CA/B BR 7.1.4.3): a host-name CN is added, any other CN refused; the result passes webpki verification', async () => {
  const { root, rootKey } = pki('p256', 'p256');
  const pub = getPublicKey(key('p256'));
  const c = issueCertificate({ profile: 'tls-server', publicKey: pub, subject: { CN: 'Mail.Example.com' }, sans: ['smtp.example.com'], issuer: root, issuerKey: rootKey });
  assert.deepEqual(c.decoded.subjectAltName, [{ type: 'dns', value: 'smtp.example.com' }, { type: 'dns', value: 'mail.example.com' }]);
  assert.ok(c.warnings.some((w) => w.code === 'cn-added-as-san' && /the CN Mail\.Example\.com was added as a SAN/.test(w.message)), JSON.stringify(c.warnings));
  const v = verifyCertificate(c, { trustAnchors: [root], host: 'smtp.example.com' });
  assert.ok(v.ok, !v.ok ? v.message : '');
  // Already there (in another spelling): nothing added.
  const same = issueCertificate({ profile: 'tls-server', publicKey: pub, subject: { CN: '2001:DB8::1' }, sans: ['2001:db8::1', 'a.example.com'], issuer: root, issuerKey: rootKey });
  assert.equal(same.decoded.subjectAltName!.length, 2);
  assert.throws(
    () => issueCertificate({ profile: 'tls-server', publicKey: pub, subject: { O: 'Example', CN: 'Mail Server' }, sans: ['mail.example.com'], issuer: root, issuerKey: rootKey }),
    (e: unknown) => isMailPkiError(e, 'ERR_POLICY') && /the subject CN "Mail Server" is not one of the certificate's host names/.test(e.message),
  );
  // Not a server certificate: the rule does not apply.
  assert.doesNotThrow(() => issueCertificate({ profile: 'tls-client', publicKey: pub, subject: { CN: 'Mail Server' }, sans: ['client.example.com'], issuer: root, issuerKey: rootKey }));
});

test('warnings are { code, message }; the CA/B public-CA validity warning only with publicCaRules', () => {
  const { root, rootKey } = pki('p256', 'p256');
  const pub = getPublicKey(key('p256'));
  const plain = issueCertificate({ profile: 'tls-server', publicKey: pub, sans: ['a.example.com'], issuer: root, issuerKey: rootKey });
  assert.deepEqual(plain.warnings, []);
  const strict = issueCertificate({ profile: 'tls-server', publicKey: pub, sans: ['a.example.com'], issuer: root, issuerKey: rootKey, publicCaRules: true });
  assert.deepEqual(strict.warnings.map((w) => w.code), ['public-ca-validity']);
  assert.match(strict.warnings[0]!.message, /397 days exceeds 200 days/);
  const short = issueCertificate({ profile: 'tls-server', publicKey: pub, sans: ['a.example.com'], days: 90, issuer: root, issuerKey: rootKey, publicCaRules: true });
  assert.deepEqual(short.warnings, []);
});

test('cnAsSan: the CN-as-SAN rule issueCertificate applies (IP or DNS), exported so a CSR can carry the same SAN', () => {
  assert.deepEqual(cnAsSan('CN=192.0.2.1'), { type: 'ip', value: '192.0.2.1' });
  assert.deepEqual(cnAsSan({ CN: '2001:DB8::1' }), { type: 'ip', value: '2001:db8::1' });
  assert.deepEqual(cnAsSan('/O=Example/CN=Mail.Example.com'), { type: 'dns', value: 'mail.example.com' });
  assert.equal(cnAsSan({ CN: 'Mail Server' }), undefined);
  assert.equal(cnAsSan({ O: 'Example' }), undefined);
  // the same name issueCertificate adds for a request without SAN
  const { root, rootKey } = pki('p256', 'p256');
  for (const cn of ['192.0.2.1', 'mail.example.com']) {
    const csr = createCertificateRequest({ subject: { CN: cn }, privateKey: key('p256') });
    const c = issueCertificate({ profile: 'tls-server', csr, issuer: root, issuerKey: rootKey });
    assert.deepEqual(c.decoded.subjectAltName, [cnAsSan({ CN: cn })]);
  }
});
