// DES / DES-EDE3-CBC (src/crypto/des.ts), written from FIPS 46-3: checked
// against published single-DES answers and against `openssl enc
// -des-ede3-cbc` on random keys, IVs and messages, both directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { oracle } from '../helpers/env.js';
import { des3CbcDecrypt, des3CbcEncrypt, desEncryptBlock } from '../../src/crypto/des.js';
import { cbcDecrypt, cbcEncrypt } from '../../src/crypto/pbe.js';
import { concatBytes, fromHex, toHex } from '../../src/encoding/bytes.js';

test('single DES known answers (FIPS 81 appendix B; Stallings/Grabbe worked example)', () => {
  // FIPS 81 B.1 ECB: key 0123456789abcdef, "Now is t" -> 3fa40e8a984d4815
  assert.equal(toHex(desEncryptBlock(fromHex('0123456789abcdef'), fromHex('4e6f772069732074'))), '3fa40e8a984d4815');
  assert.equal(toHex(desEncryptBlock(fromHex('0123456789abcdef'), fromHex('68652074696d6520'))), '6a271787ab8883f9');
  // J. Orlin Grabbe, "The DES Algorithm Illustrated"
  assert.equal(toHex(desEncryptBlock(fromHex('133457799bbcdff1'), fromHex('0123456789abcdef'))), '85e813540f0ab405');
  // 3DES with K1 = K2 = K3 degenerates to single DES (SP 800-67 keying option 3)
  const k = fromHex('0123456789abcdef');
  const ct = des3CbcEncrypt(concatBytes(k, k, k), new Uint8Array(8), fromHex('4e6f772069732074'));
  assert.equal(toHex(ct), '3fa40e8a984d4815');
});

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

test('argument checks', () => {
  assert.throws(() => des3CbcDecrypt(new Uint8Array(16), new Uint8Array(8), new Uint8Array(8)), RangeError);
  assert.throws(() => des3CbcDecrypt(new Uint8Array(24), new Uint8Array(16), new Uint8Array(8)), RangeError);
  assert.throws(() => des3CbcDecrypt(new Uint8Array(24), new Uint8Array(8), new Uint8Array(7)), RangeError);
});
