// inspect.ts: text and JSON dumps, fingerprints checked against openssl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePkcs8 } from '../../src/keys/pkcs8.js';
import { getPublicKey } from '../../src/keys/public-key.js';
import { createRootCa, issueCertificate } from '../../src/x509/issue.js';
import { createCertificateRequest, parseCertificateRequest } from '../../src/x509/csr.js';
import { inspectCertificate, inspectCertificateRequest, certificateToJson, certificateRequestToJson, sha256Fingerprint, sha1Fingerprint, spkiSha256 } from '../../src/x509/inspect.js';
import { oracle, runOk, tempDir } from '../helpers/env.js';

const k = (t: 'ec' | 'rsa') => parsePkcs8(new Uint8Array((t === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 })).privateKey.export({ type: 'pkcs8', format: 'der' })));
const rootKey = k('ec');
const leafKey = k('rsa');
const now = new Date();
const root = createRootCa({ subject: { C: 'US', O: 'Example', CN: 'Example Root' }, privateKey: rootKey, nameConstraints: { permitted: ['example.com'] } });
const leaf = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(leafKey), subject: { CN: 'mail.example.com' }, sans: ['mail.example.com', '192.0.2.1'], issuer: root, issuerKey: rootKey, days: 90, now });

test('fingerprints equal openssl x509 -fingerprint and node X509Certificate; spkiSha256 equals openssl pkey | sha256', (t) => {
  const x = new X509Certificate(leaf.pem);
  assert.equal(sha256Fingerprint(leaf), x.fingerprint256);
  assert.equal(sha1Fingerprint(leaf), x.fingerprint);
  assert.equal(spkiSha256(leaf), spkiSha256(getPublicKey(leafKey)));
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  writeFileSync(join(dir, 'l.pem'), leaf.pem);
  assert.equal(runOk('openssl', ['x509', '-in', join(dir, 'l.pem'), '-noout', '-fingerprint', '-sha256']).trim().split('=')[1], sha256Fingerprint(leaf));
  runOk('openssl', ['x509', '-in', join(dir, 'l.pem'), '-noout', '-pubkey', '-out', join(dir, 'p.pem')]);
  runOk('openssl', ['pkey', '-pubin', '-in', join(dir, 'p.pem'), '-outform', 'DER', '-out', join(dir, 'p.der')]);
  const dgst = runOk('openssl', ['dgst', '-sha256', '-r', join(dir, 'p.der')]).trim().split(' ')[0];
  assert.equal(spkiSha256(leaf), dgst);
});

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
