/**
 * Our ECDSA verification (src/crypto/ecdsa-verify.ts) against noble's on
 * the same inputs: valid signatures, and signatures, digests and points
 * altered one bit or value at a time. The verdicts must agree exactly.
 * (Wycheproof's crafted edge cases run in test/vectors/wycheproof-sig-ecdsa.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { p256 } from '@noble/curves/nist.js';
import { CURVES, nobleVerdict } from '../helpers/noble-ecdsa.js';
import { ecdsaVerifyDigest } from '../../src/crypto/ecdsa-verify.js';


for (const [name, c, hashLen] of CURVES) {
  test(`ecdsaVerifyDigest ${name}: same verdict as noble on valid and altered signatures`, () => {
    const n = c.Point.Fn.ORDER;
    const noble = (pk: Uint8Array, h: Uint8Array, r: bigint, s: bigint): boolean => nobleVerdict(c, pk, h, r, s);
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: hashLen, maxLength: hashLen }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 10_000 }),
        (h, how, where) => {
          const sk = c.utils.randomSecretKey();
          const pk = c.getPublicKey(sk, false);
          const sig = c.Signature.fromBytes(c.sign(h, sk, { prehash: false, format: 'compact' }), 'compact');
          let { r, s } = sig;
          let hh = h;
          let point = pk;
          switch (how) {
            case 0: // as signed
              break;
            case 1:
              r ^= 1n << BigInt(where % 64);
              break;
            case 2:
              s ^= 1n << BigInt(where % 64);
              break;
            case 3:
              hh = Uint8Array.from(h);
              hh[where % hashLen]! ^= 1 << where % 8;
              break;
            case 4: // another valid point (other key)
              point = c.getPublicKey(c.utils.randomSecretKey(), false);
              break;
            case 5: // off the curve
              point = Uint8Array.from(pk);
              point[point.length - 1]! ^= 1;
              break;
            case 6: // the high-S twin verifies too (X.509 practice: no low-S rule)
              s = n - s;
              break;
            case 7: // r and s swapped
              [r, s] = [s, r];
              break;
          }
          const ours = ecdsaVerifyDigest(name, point, hh, r, s);
          assert.equal(ours, noble(point, hh, r, s), `case ${how}`);
          if (how === 0 || how === 6) assert.equal(ours, true);
          if (ours) valid++;
          else invalid++;
        },
      ),
      { numRuns: name === 'P-256' ? 300 : 80 },
    );
    assert.ok(valid > 10 && invalid > 10, `both verdicts exercised (${valid} valid, ${invalid} invalid)`);
  });
}

test('ecdsaVerifyDigest: out-of-range r/s, wrong point encodings', () => {
  const sk = p256.utils.randomSecretKey();
  const pk = p256.getPublicKey(sk, false);
  const h = new Uint8Array(32).fill(1);
  const { r, s } = p256.Signature.fromBytes(p256.sign(h, sk, { prehash: false, format: 'compact' }), 'compact');
  const n = p256.Point.Fn.ORDER;
  assert.equal(ecdsaVerifyDigest('P-256', pk, h, r, s), true);
  assert.equal(ecdsaVerifyDigest('P-256', pk, h, 0n, s), false);
  assert.equal(ecdsaVerifyDigest('P-256', pk, h, r, 0n), false);
  assert.equal(ecdsaVerifyDigest('P-256', pk, h, r + n, s), false);
  assert.equal(ecdsaVerifyDigest('P-256', pk, h, r, s + n), false);
  assert.equal(ecdsaVerifyDigest('P-256', p256.getPublicKey(sk, true), h, r, s), false, 'compressed form is not accepted here (keys hold the uncompressed point)');
  assert.equal(ecdsaVerifyDigest('P-256', pk.subarray(0, 64), h, r, s), false);
  assert.equal(ecdsaVerifyDigest('P-256', new Uint8Array(65), h, r, s), false);
  // a digest longer than the order: leftmost bits are used (SHA-512 with P-256)
  const h512 = new Uint8Array(64).fill(9);
  const sig512 = p256.Signature.fromBytes(p256.sign(h512, sk, { prehash: false, format: 'compact' }), 'compact');
  assert.equal(ecdsaVerifyDigest('P-256', pk, h512, sig512.r, sig512.s), true);
});
