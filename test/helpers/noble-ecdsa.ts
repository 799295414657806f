// noble's ECDSA as the reference verdict for our own verification
// (src/crypto/ecdsa-verify.ts): the curves and the one oracle call the
// differential tests share.
import { p256, p384, p521 } from '@noble/curves/nist.js';

/** [name, noble curve, digest length in bytes]. */
export const CURVES = [
  ['P-256', p256, 32],
  ['P-384', p384, 48],
  ['P-521', p521, 64],
] as const;

export type NobleCurve = (typeof CURVES)[number][1];

/**
 * noble's verdict on (r, s) over the prehashed digest `h` with the
 * uncompressed or compressed point `pk`: false for r or s outside 1..n-1
 * and for anything noble refuses to parse; high-S accepted (as ours does).
 */
export function nobleVerdict(c: NobleCurve, pk: Uint8Array, h: Uint8Array, r: bigint, s: bigint): boolean {
  const n = c.Point.Fn.ORDER;
  if (r < 1n || r >= n || s < 1n || s >= n) return false;
  try {
    return c.verify(new c.Signature(r, s).toBytes('compact'), h, pk, { prehash: false, lowS: false, format: 'compact' });
  } catch {
    return false;
  }
}
