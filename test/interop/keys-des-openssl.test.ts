// DES-EDE3-CBC (src/crypto/des.ts) against `openssl enc -des-ede3-cbc` on
// random keys, IVs and messages, both directions. Known answers and argument
// checks need no external tool: test/unit/keys-des.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { oracle } from '../helpers/env.js';
import { des3CbcDecrypt, des3CbcEncrypt } from '../../src/crypto/des.js';
import { cbcDecrypt, cbcEncrypt } from '../../src/crypto/pbe.js';
import { toHex } from '../../src/index.js';

function opensslEnc(decrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const r = spawnSync('openssl', ['enc', decrypt ? '-d' : '-e', '-des-ede3-cbc', '-K', toHex(key), '-iv', toHex(iv)], { input: data });
  if (r.status !== 0) throw new Error(`openssl enc failed: ${String(r.stderr)}`);
  return new Uint8Array(r.stdout);
}

test('DES-EDE3-CBC matches openssl enc -des-ede3-cbc (random keys, IVs, lengths; both directions)', (t) => {
  if (!oracle(t, 'openssl')) return;
  let runs = 0;
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ maxLength: 200 }), (key, iv, msg) => {
      runs++;
      const ours = cbcEncrypt('des-ede3-cbc', key, iv, msg); // PKCS#7 padding, as openssl enc
      const theirs = opensslEnc(false, key, iv, msg);
      assert.equal(toHex(ours), toHex(theirs));
      assert.equal(toHex(cbcDecrypt('des-ede3-cbc', key, iv, theirs)), toHex(msg));
      assert.equal(toHex(opensslEnc(true, key, iv, ours)), toHex(msg));
    }),
    { numRuns: 40 },
  );
  assert.equal(runs, 40);
  // a longer message, raw (unpadded) block function both ways
  const key = new Uint8Array(randomBytes(24));
  const iv = new Uint8Array(randomBytes(8));
  const big = new Uint8Array(randomBytes(4096));
  const theirs = opensslEnc(false, key, iv, big);
  assert.equal(toHex(des3CbcDecrypt(key, iv, theirs).subarray(0, 4096)), toHex(big));
  assert.equal(toHex(des3CbcEncrypt(key, iv, big)), toHex(theirs.subarray(0, 4096)));
});
