/**
 * Elliptic-curve key math via @noble/curves: public points from private
 * scalars, point validation. ECDSA/Ed25519 signing lives in sign.ts.
 * Out of scope: encodings (keys/sec1.ts, keys/spki.ts), key generation
 * (keys/generate.ts).
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { MailPkiError } from '../errors.js';
import { bytesToBigInt } from '../encoding/bytes.js';
import { CURVE_BYTES, type EcCurve } from './key-types.js';

/** The noble ECDSA implementation for a curve. @internal */
export function nobleCurve(curve: EcCurve): typeof p256 {
  switch (curve) {
    case 'P-256':
      return p256;
    case 'P-384':
      return p384;
    case 'P-521':
      return p521;
    default:
      throw new MailPkiError('ERR_KEY_UNSUPPORTED', `unsupported curve: ${String(curve)}`);
  }
}

/**
 * Uncompressed public point (0x04||X||Y) for private scalar `d`.
 * @throws MailPkiError `ERR_KEY_INVALID` when d is 0 or not below the group order.
 * @internal
 */
export function ecPointFromPrivate(curve: EcCurve, d: Uint8Array): Uint8Array {
  if (d.length !== CURVE_BYTES[curve]) throw new MailPkiError('ERR_KEY_INVALID', `${curve} private scalar must be ${CURVE_BYTES[curve]} bytes`);
  try {
    return nobleCurve(curve).getPublicKey(d, false);
  } catch {
    throw new MailPkiError('ERR_KEY_INVALID', `${curve} private scalar is out of range`);
  }
}

/**
 * True when `point` is a valid SEC1 point (compressed or uncompressed) on
 * the curve and not the point at infinity (SEC1 3.2.2.1).
 * @internal
 */
export function ecIsValidPoint(curve: EcCurve, point: Uint8Array): boolean {
  try {
    nobleCurve(curve).Point.fromBytes(point).assertValidity();
    return true;
  } catch {
    return false;
  }
}

const CURVE_PB = new Map<EcCurve, { p: bigint; b: bigint; bytes: number }>();

/**
 * Uncompressed form of a valid point (accepts compressed input). An
 * uncompressed point is checked directly (coordinates below p, y² = x³ - 3x
 * + b; the NIST curves have cofactor 1, so that is the whole validity check
 * of SEC1 3.2.2.1), without building a noble point: parsing a certificate's
 * key was ~3% of verifying a P-256 chain.
 * @internal
 */
export function ecUncompressPoint(curve: EcCurve, point: Uint8Array): Uint8Array {
  let c = CURVE_PB.get(curve);
  if (!c) {
    const { p, b } = nobleCurve(curve).Point.CURVE();
    CURVE_PB.set(curve, (c = { p, b, bytes: CURVE_BYTES[curve] }));
  }
  if (point.length === 1 + 2 * c.bytes && point[0] === 0x04) {
    const x = bytesToBigInt(point.subarray(1, 1 + c.bytes));
    const y = bytesToBigInt(point.subarray(1 + c.bytes));
    const { p, b } = c;
    if (x < p && y < p) {
      let rhs = (((x * x) % p) * x - 3n * x + b) % p;
      if (rhs < 0n) rhs += p;
      if ((y * y) % p === rhs) return Uint8Array.from(point);
    }
    throw new MailPkiError('ERR_KEY_INVALID', `${curve} public point is not on the curve`);
  }
  try {
    const P = nobleCurve(curve).Point.fromBytes(point);
    P.assertValidity();
    return P.toBytes(false);
  } catch {
    throw new MailPkiError('ERR_KEY_INVALID', `${curve} public point is not on the curve`);
  }
}

/** Ed25519 public key (32 bytes) from the 32-byte seed (RFC 8032 5.1.5). @internal */
export function ed25519PublicFromSeed(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new MailPkiError('ERR_KEY_INVALID', 'Ed25519 private key must be 32 bytes');
  return ed25519.getPublicKey(seed);
}

/** True when the 32 bytes decode to a point on edwards25519. @internal */
export function ed25519IsValidPublic(pub: Uint8Array): boolean {
  if (pub.length !== 32) return false;
  try {
    ed25519.Point.fromBytes(pub);
    return true;
  } catch {
    return false;
  }
}
