/**
 * RSA signing reuses a blinding pair by squaring it (as OpenSSL's
 * BN_BLINDING_update) and draws a fresh r every 32 signatures. Oracle:
 * node:crypto (OpenSSL) signs the same messages; PKCS#1 v1.5 is
 * deterministic, so every signature must be byte-identical whatever the
 * blinding state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { utf8 } from '../../src/encoding/bytes.js';
import { sign, parsePrivateKey, type RsaPrivateKey } from '../../src/index.js';

test('RSA PKCS#1 v1.5: 70 signatures with one key object (past two blinding refreshes) all equal OpenSSL', () => {
  const node = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const key = parsePrivateKey(node.export({ type: 'pkcs8', format: 'pem' }) as string) as RsaPrivateKey;
  for (let i = 0; i < 70; i++) {
    const msg = utf8(`message ${i}`);
    assert.deepEqual(Buffer.from(sign(key, msg)), nodeSign('sha256', msg, node), `signature ${i}`);
  }
});

test('RSA: a key object whose modulus changed gets a fresh blinding pair (no stale pair, no fault)', () => {
  const a = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const b = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ka = parsePrivateKey(a.export({ type: 'pkcs8', format: 'pem' }) as string) as RsaPrivateKey;
  const kb = parsePrivateKey(b.export({ type: 'pkcs8', format: 'pem' }) as string) as RsaPrivateKey;
  const msg = utf8('hello');
  const obj = { ...ka } as { -readonly [K in keyof RsaPrivateKey]: RsaPrivateKey[K] };
  sign(obj, msg);
  Object.assign(obj, kb); // the very object that holds a cached pair now carries another key
  assert.deepEqual(Buffer.from(sign(obj, msg)), nodeSign('sha256', msg, b));
});
