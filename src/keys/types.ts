/**
 * Key objects: plain, immutable-by-convention data. Every key format module
 * (pkcs8.ts, pkcs1.ts, sec1.ts, spki.ts, jwk.ts, ...) parses into and encodes
 * from these types; signing (crypto/sign.ts) takes them.
 *
 * `kind` tells private from public; `type` tells the algorithm.
 */

/** Key algorithm. @public */
export type KeyType = 'rsa' | 'ec' | 'ed25519';

/** Supported NIST curves (RFC 5480 names in the OID table). @public */
export type EcCurve = 'P-256' | 'P-384' | 'P-521';

/** RSA public key. @public */
export interface RsaPublicKey {
  readonly kind: 'public';
  readonly type: 'rsa';
  /** Modulus. */
  readonly n: bigint;
  /** Public exponent (65537 for keys we make). */
  readonly e: bigint;
}

/** RSA private key with CRT values (RFC 8017 3.2, second representation). @public */
export interface RsaPrivateKey {
  readonly kind: 'private';
  readonly type: 'rsa';
  readonly n: bigint;
  readonly e: bigint;
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  /** d mod (p-1) */
  readonly dp: bigint;
  /** d mod (q-1) */
  readonly dq: bigint;
  /** q^-1 mod p */
  readonly qi: bigint;
}

/** EC public key. @public */
export interface EcPublicKey {
  readonly kind: 'public';
  readonly type: 'ec';
  readonly curve: EcCurve;
  /** Uncompressed SEC1 point: 0x04 || X || Y. */
  readonly point: Uint8Array;
}

/** EC private key. @public */
export interface EcPrivateKey {
  readonly kind: 'private';
  readonly type: 'ec';
  readonly curve: EcCurve;
  /** Private scalar, big-endian, left-padded to the curve's byte length. */
  readonly d: Uint8Array;
  /** Uncompressed SEC1 public point: 0x04 || X || Y. */
  readonly point: Uint8Array;
}

/** Ed25519 public key (RFC 8032). @public */
export interface Ed25519PublicKey {
  readonly kind: 'public';
  readonly type: 'ed25519';
  /** 32-byte encoded point. */
  readonly publicKey: Uint8Array;
}

/** Ed25519 private key (RFC 8032 seed form, as in RFC 8410). @public */
export interface Ed25519PrivateKey {
  readonly kind: 'private';
  readonly type: 'ed25519';
  /** 32-byte seed. */
  readonly seed: Uint8Array;
  /** 32-byte encoded public point. */
  readonly publicKey: Uint8Array;
}

/** Any public key. @public */
export type PublicKey = RsaPublicKey | EcPublicKey | Ed25519PublicKey;
/** Any private key. @public */
export type PrivateKey = RsaPrivateKey | EcPrivateKey | Ed25519PrivateKey;

/** A private key with its public half. @public */
export interface KeyPair {
  readonly publicKey: PublicKey;
  readonly privateKey: PrivateKey;
}

/** Byte length of a coordinate / scalar on each curve. @internal */
export const CURVE_BYTES: Readonly<Record<EcCurve, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
