// inspect.ts: text and JSON dumps. Fingerprints checked against openssl and
// node's X509Certificate: test/interop/x509-inspect-openssl.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  parsePkcs8,
  getPublicKey,
  createRootCa,
  issueCertificate,
  createCertificateRequest,
  parseCertificateRequest,
  inspectCertificate,
  inspectCertificateRequest,
  certificateToJson,
  certificateRequestToJson,
  sha256Fingerprint,
  spkiSha256,
} from '../../src/index.js';

const k = (t: 'ec' | 'rsa') => parsePkcs8(new Uint8Array((t === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 })).privateKey.export({ type: 'pkcs8', format: 'der' })));
const rootKey = k('ec');
const leafKey = k('rsa');
const now = new Date();
const root = createRootCa({ subject: { C: 'US', O: 'Example', CN: 'Example Root' }, privateKey: rootKey, nameConstraints: { permitted: ['example.com'] } });
const leaf = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(leafKey), subject: { CN: 'mail.example.com' }, sans: ['mail.example.com', '192.0.2.1'], issuer: root, issuerKey: rootKey, days: 90, now });

test('text dump names subject, issuer, validity with days left, key, SANs, usages, ids, fingerprints', () => {
  const text = inspectCertificate(leaf, { now });
  for (const needle of ['CN=mail.example.com', 'CN=Example Root,O=Example,C=US', 'RSA 2048', 'DNS:mail.example.com', 'IP Address:192.0.2.1', 'digitalSignature, keyEncipherment', 'serverAuth', 'CA:FALSE', 'Subject key id', 'Authority key id', sha256Fingerprint(leaf), spkiSha256(leaf), '(critical)']) {
    assert.ok(text.includes(needle), `missing ${needle}\n${text}`);
  }
  assert.match(text, /90 days; 89 days left/ /* notBefore is backdated 5 minutes */);
  assert.match(inspectCertificate(leaf, { now: new Date(now.getTime() + 100 * 86400000) }), /EXPIRED 10 days ago/);
  assert.match(inspectCertificate(root), /Name constraints \(critical\):\s+permitted DNS:example\.com/);
  assert.match(inspectCertificate(root), /self-issued/);
});

test('JSON is serializable, with hex bytes and both name styles', () => {
  const j = certificateToJson(leaf) as Record<string, any>;
  const round = JSON.parse(JSON.stringify(j));
  assert.equal(round.subject.rfc4514, 'CN=mail.example.com');
  assert.equal(round.issuer.openssl, '/C=US/O=Example/CN=Example Root');
  assert.equal(round.serialNumber, leaf.serialHex);
  assert.match(round.decoded.subjectKeyIdentifier, /^[0-9a-f]{40}$/);
  assert.deepEqual(round.decoded.subjectAltName, [{ type: 'dns', value: 'mail.example.com' }, { type: 'ip', value: '192.0.2.1' }]);
  assert.equal(round.publicKey.bits, 2048);
  assert.equal(round.fingerprints.sha256, sha256Fingerprint(leaf));
});

test('a CSR challengePassword is never printed (text or JSON)', () => {
  const csr = parseCertificateRequest(createCertificateRequest({ subject: { CN: 'x.example.com' }, sans: ['x.example.com'], privateKey: rootKey, challengePassword: 'TopSecret-42' }).pem);
  assert.equal(csr.challengePassword, 'TopSecret-42');
  const text = inspectCertificateRequest(csr);
  const json = JSON.stringify(certificateRequestToJson(csr));
  assert.ok(!text.includes('TopSecret'));
  assert.ok(!json.includes('TopSecret'));
  assert.match(text, /Challenge password:\s+\(present, not shown\)/);
  assert.match(text, /DNS:x\.example\.com/);
  assert.equal(JSON.parse(json).challengePassword, true);
});
