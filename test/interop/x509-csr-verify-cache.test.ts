/**
 * verifyCertificateRequest reuses the signature algorithm read by
 * parseCertificateRequest only while the object's `der` still holds the parsed
 * bytes. Oracle: openssl req makes the SHA-256 and SHA-1 requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, runOk, tempDir } from '../helpers/env.js';
import { parseCertificateRequest, verifyCertificateRequest, isMailPkiError } from '../../src/index.js';

test('verifyCertificateRequest: a parsed object whose der was overwritten is judged on the new bytes', (t) => {
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  const keyFile = join(dir, 'k.pem');
  writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const good = parseCertificateRequest(runOk('openssl', ['req', '-new', '-sha256', '-key', keyFile, '-subj', '/CN=a.example.com']));
  const weak = parseCertificateRequest(runOk('openssl', ['req', '-new', '-sha1', '-key', keyFile, '-subj', '/CN=a.example.com']));
  verifyCertificateRequest(good); // the cached algorithm: SHA-256, verifies
  verifyCertificateRequest({ ...good }); // a copy (not the parsed object): decoded again, verifies
  assert.throws(() => verifyCertificateRequest(weak), (e: unknown) => isMailPkiError(e) && e.code === 'ERR_CSR_SIGNATURE' && /sha1WithRSAEncryption/.test(e.message));
  // same length (sha1WithRSA and sha256WithRSA OIDs are both 9 bytes): overwrite in place
  assert.equal(good.der.length, weak.der.length);
  good.der.set(weak.der);
  assert.throws(() => verifyCertificateRequest(good), (e: unknown) => isMailPkiError(e) && e.code === 'ERR_CSR_SIGNATURE' && /sha1WithRSAEncryption/.test(e.message));
});
