/**
 * The fixed-base table path of our ECDSA verification (keys verified four
 * times or more, once verifications have earned the credits, src/crypto/ecdsa-verify.ts): the same verdicts as noble on
 * valid and altered signatures under one key used many times, on each
 * curve, and still right when more keys are hot than tables are kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { p256 } from '@noble/curves/nist.js';
import { CURVES, nobleVerdict } from '../helpers/noble-ecdsa.js';
import { ecdsaVerifyDigest, tableStats } from '../../src/crypto/ecdsa-verify.js';


for (const [name, c, hashLen] of CURVES) {
  test(`ecdsaVerifyDigest ${name}, one key verified many times: same verdicts as noble`, () => {
    const n = c.Point.Fn.ORDER;
    const sk = c.utils.randomSecretKey();
    const pk = c.getPublicKey(sk, false);
    const noble = (h: Uint8Array, r: bigint, s: bigint): boolean => nobleVerdict(c, pk, h, r, s);
    let valid = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: hashLen, maxLength: hashLen }), fc.integer({ min: 0, max: 3 }), (h, how) => {
        const sig = c.Signature.fromBytes(c.sign(h, sk, { prehash: false, format: 'compact' }), 'compact');
        let { r, s } = sig;
        const hh = Uint8Array.from(h);
        if (how === 1) r = (r + 1n) % n;
        else if (how === 2) s = n - s; // the other valid s (high-S): still valid, lowS off
        else if (how === 3) hh[0]! ^= 1;
        const ours = ecdsaVerifyDigest(name, pk, hh, r, s);
        assert.equal(ours, noble(hh, r, s), `how=${how}`);
        if (ours) valid++;
      }),
      { numRuns: 120 },
    );
    assert.ok(valid > 10, `only ${valid} valid signatures exercised`);
    // 120 verifications earn the credits for G's table and then this key's: the table path ran
    assert.ok(tableStats().g.includes(name), `no G table for ${name}`);
    assert.ok(tableStats().points.includes(name), `no point table for ${name}`);
  });
}

test('ecdsaVerifyDigest P-256: more hot keys than tables kept, verdicts stay right', () => {
  const keys = Array.from({ length: 20 }, () => p256.utils.randomSecretKey());
  const h = new Uint8Array(32).fill(9);
  for (let round = 0; round < 4; round++) {
    for (const sk of keys) {
      const pk = p256.getPublicKey(sk, false);
      const sig = p256.Signature.fromBytes(p256.sign(h, sk, { prehash: false, format: 'compact' }), 'compact');
      assert.equal(ecdsaVerifyDigest('P-256', pk, h, sig.r, sig.s), true);
      assert.equal(ecdsaVerifyDigest('P-256', pk, h, sig.r, (sig.s + 1n) % p256.Point.Fn.ORDER), false);
    }
  }
});
