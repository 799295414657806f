/**
 * Key objects: plain, immutable-by-convention data. Every key format module
 * (keys/pkcs8.ts, pkcs1.ts, sec1.ts, spki.ts, jwk.ts, ...) parses into and
 * encodes from these types; signing (sign.ts) takes them. The key model is
 * crypto's vocabulary, so it lives here, below keys/ (formats only).
 *
 * `kind` tells private from public; `type` tells the algorithm.
 */

/** Key algorithm. @public */
export type KeyType = 'rsa' | 'ec' | 'ed25519';

/** Supported NIST curves (RFC 5480 names in the OID table). @public */
export type EcCurve = 'P-256' | 'P-384' | 'P-521';

/**
 * The restrictions of an RSASSA-PSS key (id-RSASSA-PSS, RFC 4055 3.1): the
 * key signs with RSASSA-PSS only (never PKCS#1 v1.5), and, when the key
 * carries parameters, only with that hash, MGF1 over that mask hash, and a
 * salt of at least `saltLength` bytes. An empty object (the key was written
 * without parameters) restricts the scheme only. Hash names are as read
 * (`SHA-256`, ..., also `SHA-1` / `SHA-224`, which mailpki does not sign or
 * verify with).
 * @public
 */
export interface RsaPssKeyParams {
  /** hashAlgorithm of the key's parameters; absent: any. */
  readonly hash?: string;
  /** Hash of the MGF1 mask generation; absent: any. */
  readonly mgf1Hash?: string;
  /** Minimum salt length in bytes (RFC 4055 3.1); absent: any. */
  readonly saltLength?: number;
}

/** RSA public key. @public */
export interface RsaPublicKey {
  /** Always `public`. */
  readonly kind: 'public';
  /** Always `rsa` (also for an RSASSA-PSS key: see `pss`). */
  readonly type: 'rsa';
  /** Modulus. */
  readonly n: bigint;
  /** Public exponent (65537 for keys we make). */
  readonly e: bigint;
  /** Present for an RSASSA-PSS key (id-RSASSA-PSS): PSS only, with these restrictions. */
  readonly pss?: RsaPssKeyParams;
}

/** RSA private key with CRT values (RFC 8017 3.2, second representation). @public */
export interface RsaPrivateKey {
  /** Always `private`. */
  readonly kind: 'private';
  /** Always `rsa` (also for an RSASSA-PSS key: see `pss`). */
  readonly type: 'rsa';
  /** Modulus (p * q). */
  readonly n: bigint;
  /** Public exponent (65537 for keys we make). */
  readonly e: bigint;
  /** Private exponent. */
  readonly d: bigint;
  /** First prime factor of `n`. */
  readonly p: bigint;
  /** Second prime factor of `n`. */
  readonly q: bigint;
  /** d mod (p-1) */
  readonly dp: bigint;
  /** d mod (q-1) */
  readonly dq: bigint;
  /** q^-1 mod p */
  readonly qi: bigint;
  /** Present for an RSASSA-PSS key (id-RSASSA-PSS): PSS only, with these restrictions. */
  readonly pss?: RsaPssKeyParams;
}

/** EC public key. @public */
export interface EcPublicKey {
  /** Always `public`. */
  readonly kind: 'public';
  /** Always `ec`. */
  readonly type: 'ec';
  /** The named curve. */
  readonly curve: EcCurve;
  /** Uncompressed SEC1 point: 0x04 || X || Y. */
  readonly point: Uint8Array;
}

/** EC private key. @public */
export interface EcPrivateKey {
  /** Always `private`. */
  readonly kind: 'private';
  /** Always `ec`. */
  readonly type: 'ec';
  /** The named curve. */
  readonly curve: EcCurve;
  /** Private scalar, big-endian, left-padded to the curve's byte length. */
  readonly d: Uint8Array;
  /** Uncompressed SEC1 public point: 0x04 || X || Y. */
  readonly point: Uint8Array;
}

/** Ed25519 public key (RFC 8032). @public */
export interface Ed25519PublicKey {
  /** Always `public`. */
  readonly kind: 'public';
  /** Always `ed25519`. */
  readonly type: 'ed25519';
  /** 32-byte encoded point. */
  readonly publicKey: Uint8Array;
}

/** Ed25519 private key (RFC 8032 seed form, as in RFC 8410). @public */
export interface Ed25519PrivateKey {
  /** Always `private`. */
  readonly kind: 'private';
  /** Always `ed25519`. */
  readonly type: 'ed25519';
  /** 32-byte seed. */
  readonly seed: Uint8Array;
  /** 32-byte encoded public point. */
  readonly publicKey: Uint8Array;
}

/**
 * A public key of an algorithm mailpki reads but cannot use (DSA, X25519,
 * GOST, EC on other curves or explicit parameters, unknown OIDs): found in a
 * certificate, a CSR or a `PUBLIC KEY` file, it is described, never used.
 * Signing, verifying and issuing with it fail with `ERR_KEY_UNSUPPORTED`.
 * @public
 */
export interface OpaquePublicKey {
  /** Always `public` (there are no opaque private keys). */
  readonly kind: 'public';
  /** Always `opaque`: the algorithm is in `algorithm` / `oid`. */
  readonly type: 'opaque';
  /** Dotted OID of the SubjectPublicKeyInfo algorithm. */
  readonly oid: string;
  /** Algorithm name when known (`DSA`, `X25519`, `EC`, ...), else the OID. */
  readonly algorithm: string;
  /** Size in bits when it can be derived (DSA: L, the size of p; EC: the field size). */
  readonly bits?: number;
  /** More about the key when known, e.g. `L=2048, N=256` (DSA) or the curve. */
  readonly details?: string;
  /** DER of the AlgorithmIdentifier parameters; absent when there are none. */
  readonly parameters?: Uint8Array;
  /** Why mailpki cannot use it (one line). */
  readonly reason: string;
  /** DER of the whole SubjectPublicKeyInfo, as read. */
  readonly spki: Uint8Array;
}

/**
 * Any public key. `opaque` keys are read and described only (see
 * {@link OpaquePublicKey}).
 * @public
 */
export type PublicKey = RsaPublicKey | EcPublicKey | Ed25519PublicKey | OpaquePublicKey;
/** A public key mailpki can sign, verify and issue with. @public */
export type UsablePublicKey = RsaPublicKey | EcPublicKey | Ed25519PublicKey;
/** Any private key. @public */
export type PrivateKey = RsaPrivateKey | EcPrivateKey | Ed25519PrivateKey;

/** A private key with its public half. @public */
export interface KeyPair {
  /** The public half of `privateKey`. */
  readonly publicKey: PublicKey;
  /** The private key. */
  readonly privateKey: PrivateKey;
}

/** Byte length of a coordinate / scalar on each curve. @internal */
export const CURVE_BYTES: Readonly<Record<EcCurve, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
