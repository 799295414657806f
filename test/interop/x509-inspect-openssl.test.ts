// Fingerprints (inspect.ts) against openssl x509 -fingerprint, openssl pkey |
// dgst and node's X509Certificate. The text and JSON dumps need no external
// tool: test/unit/x509-inspect.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePkcs8, getPublicKey, createRootCa, issueCertificate, sha256Fingerprint, sha1Fingerprint, spkiSha256 } from '../../src/index.js';
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
