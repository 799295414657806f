/**
 * Consistency checks run on every key we import (parse or JWK import), so a
 * corrupted or tampered key is `ERR_KEY_INVALID` instead of a key that signs
 * garbage (or, for RSA-CRT, leaks its factors):
 * - RSA: n = p·q, e odd ≥ 3, e·d ≡ 1 (mod λ(n)) (which also holds for keys
 *   whose d was computed mod φ(n)), dp = d mod (p−1), dq = d mod (q−1),
 *   qi·q ≡ 1 (mod p) (RFC 8017 3.2).
 * - EC: the point is on the curve (SEC1 3.2.2.1) and d·G equals it.
 * - Ed25519: the public key is the one derived from the seed (RFC 8032 5.1.5).
 * Plus the key-size policy {@link assertKeyStrength} for callers that create
 * new certificates or CSRs.
 * Out of scope: primality proofs of p and q (they would cost seconds on
 * hostile 16k-bit input; the equations above catch corruption).
 */
import { MailPkiError } from '../errors.js';
import { bitLength, equalBytes } from '../encoding/bytes.js';
import { gcd } from '../crypto/bigint.js';
import { ecIsValidPoint, ecPointFromPrivate, ed25519IsValidPublic, ed25519PublicFromSeed } from '../crypto/ec.js';
import { CURVE_BYTES, type EcCurve, type PrivateKey, type PublicKey, type RsaPrivateKey, type RsaPublicKey, type UsablePublicKey } from '../crypto/key-types.js';

/**
 * RSA moduli we read: 512..16384 bits. Smaller is not a real key (and is
 * factorable in minutes); larger is beyond any tool's practice and makes
 * hostile input expensive.
 * @example
 * ```ts
 * RSA_READ_LIMITS.maxBits; // 16384
 * ```
 * @public
 */
export const RSA_READ_LIMITS = { minBits: 512, maxBits: 16384 } as const;

const invalid = (msg: string): never => {
  throw new MailPkiError('ERR_KEY_INVALID', msg);
};

/**
 * Check an RSA public key: modulus odd, 512..16384 bits; 3 ≤ e < n, e odd
 * (RFC 8017 3.1); e at most 64 bits when n is above 3072 bits (as OpenSSL).
 * @throws MailPkiError `ERR_KEY_INVALID`, `ERR_KEY_UNSUPPORTED` (size)
 * @example
 * ```ts
 * checkRsaPublicKey({ kind: 'public', type: 'rsa', n, e: 65537n });
 * ```
 * @public
 */
export function checkRsaPublicKey(key: RsaPublicKey | RsaPrivateKey): void {
  const bits = bitLength(key.n);
  if (bits > RSA_READ_LIMITS.maxBits) throw new MailPkiError('ERR_KEY_UNSUPPORTED', `RSA modulus of ${bits} bits is larger than the supported ${RSA_READ_LIMITS.maxBits}`);
  if (bits < RSA_READ_LIMITS.minBits) throw new MailPkiError('ERR_KEY_UNSUPPORTED', `RSA modulus of ${bits} bits is smaller than the ${RSA_READ_LIMITS.minBits} bits we read`);
  if ((key.n & 1n) === 0n) invalid('RSA modulus is even');
  if (key.e < 3n || (key.e & 1n) === 0n) invalid('RSA public exponent must be odd and at least 3');
  if (key.e >= key.n) invalid('RSA public exponent must be smaller than the modulus');
  // OpenSSL's rule (RSA_SMALL_MODULUS_BITS / RSA_MAX_PUBEXP_BITS): above 3072 bits, e ≤ 64 bits,
  // so a crafted key cannot make every verification a full-size exponentiation.
  if (bits > 3072 && bitLength(key.e) > 64) throw new MailPkiError('ERR_KEY_UNSUPPORTED', 'RSA public exponent longer than 64 bits with a modulus above 3072 bits');
}

/**
 * Check an RSA private key's numbers fit together (see module doc).
 * @throws MailPkiError `ERR_KEY_INVALID`, `ERR_KEY_UNSUPPORTED`
 * @example
 * ```ts
 * checkRsaPrivateKey(keyBuiltByHand); // throws ERR_KEY_INVALID if n != p*q, ...
 * ```
 * @public
 */
export function checkRsaPrivateKey(key: RsaPrivateKey): void {
  checkRsaPublicKey(key);
  const { n, e, d, p, q, dp, dq, qi } = key;
  const nBits = bitLength(n);
  // Bound every number by n first: no huge bigint products on hostile input.
  for (const [name, v] of [['d', d], ['p', p], ['q', q], ['dp', dp], ['dq', dq], ['qi', qi]] as const) {
    if (v <= 0n || bitLength(v) > nBits) invalid(`RSA private key: ${name} is out of range`);
  }
  if (p < 3n || q < 3n || p === q) invalid('RSA private key: primes p and q must be distinct and greater than 2');
  if (p * q !== n) invalid('RSA private key: n is not p·q');
  if (d >= n) invalid('RSA private key: d is not smaller than n');
  const p1 = p - 1n;
  const q1 = q - 1n;
  const lambda = (p1 / gcd(p1, q1)) * q1;
  if ((e * d) % lambda !== 1n) invalid('RSA private key: e·d is not 1 modulo λ(n)');
  if (dp !== d % p1) invalid('RSA private key: dp is not d mod (p−1)');
  if (dq !== d % q1) invalid('RSA private key: dq is not d mod (q−1)');
  if (qi >= p || (qi * q) % p !== 1n) invalid('RSA private key: qi is not q⁻¹ mod p');
}

/**
 * Check an EC point: right length, uncompressed, on the curve.
 * @throws MailPkiError `ERR_KEY_INVALID`
 * @example
 * ```ts
 * checkEcPublicKey('P-256', point);
 * ```
 * @public
 */
export function checkEcPublicKey(curve: EcCurve, point: Uint8Array): void {
  if (!(point instanceof Uint8Array) || point.length !== 1 + 2 * CURVE_BYTES[curve] || point[0] !== 4) invalid(`${curve} public key must be an uncompressed point`);
  if (!ecIsValidPoint(curve, point)) invalid(`${curve} public point is not on the curve`);
}

/**
 * Check any key: RSA numbers, EC point and d·G, Ed25519 seed vs public key.
 * Called on every parse and import; callers building keys by hand may call it.
 * @throws MailPkiError `ERR_KEY_INVALID`, `ERR_KEY_UNSUPPORTED`
 * @example
 * ```ts
 * checkKey(parsePrivateKey(pem)); // already done by parsePrivateKey
 * ```
 * @public
 */
export function checkKey(key: PrivateKey | PublicKey): void {
  if (!key || typeof key !== 'object') throw new TypeError('checkKey: key must be a key object');
  switch (key.type) {
    case 'rsa':
      if (key.kind === 'private') checkRsaPrivateKey(key);
      else checkRsaPublicKey(key);
      return;
    case 'ec': {
      if (!(key.curve in CURVE_BYTES)) throw new MailPkiError('ERR_KEY_UNSUPPORTED', `unsupported curve: ${String(key.curve)}`);
      checkEcPublicKey(key.curve, key.point);
      if (key.kind === 'private') {
        if (!equalBytes(ecPointFromPrivate(key.curve, key.d), key.point)) invalid(`${key.curve} private key does not match its public point`);
      }
      return;
    }
    case 'ed25519':
      if (!(key.publicKey instanceof Uint8Array) || !ed25519IsValidPublic(key.publicKey)) invalid('Ed25519 public key is not a valid 32-byte point');
      if (key.kind === 'private') {
        if (!equalBytes(ed25519PublicFromSeed(key.seed), key.publicKey)) invalid('Ed25519 private key does not match its public key');
      }
      return;
    case 'opaque':
      throw new MailPkiError('ERR_KEY_UNSUPPORTED', `${key.algorithm} keys are not supported: ${key.reason}`);
    default:
      throw new MailPkiError('ERR_KEY_UNSUPPORTED', `unsupported key type: ${String((key as { type?: unknown }).type)}`);
  }
}

/** Options of {@link assertKeyStrength}. @public */
export interface KeyStrengthOptions {
  /**
   * Smallest RSA modulus accepted; default 2048 (NIST SP 800-131A rev. 2:
   * RSA below 2048 bits is disallowed for signatures; CA/B BR 6.1.5).
   */
  minRsaBits?: number;
}

/**
 * Policy check for keys that new certificates/CSRs will be made with: RSA
 * keys under `minRsaBits` (2048) are refused. Weak keys can still be *read*
 * (to inspect or migrate); functions that create things call this. An
 * opaque key (an algorithm mailpki does not use) is refused too.
 * @throws MailPkiError `ERR_KEY_TOO_SMALL`, `ERR_KEY_UNSUPPORTED` (opaque key)
 * @example
 * ```ts
 * assertKeyStrength(issuerKey); // throws for RSA-1024
 * ```
 * @public
 */
export function assertKeyStrength(key: PrivateKey | PublicKey, options: KeyStrengthOptions = {}): asserts key is PrivateKey | UsablePublicKey {
  const min = options.minRsaBits ?? 2048;
  if (!Number.isInteger(min) || min < 0) throw new RangeError('minRsaBits: must be a non-negative integer');
  if (key.type === 'opaque') throw new MailPkiError('ERR_KEY_UNSUPPORTED', `${key.algorithm} keys are not supported: ${key.reason}`);
  if (key.type === 'rsa') {
    const bits = bitLength(key.n);
    if (bits < min) throw new MailPkiError('ERR_KEY_TOO_SMALL', `RSA key of ${bits} bits is below the minimum of ${min} bits`);
  }
}
