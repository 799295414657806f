/**
 * Key pair generation: RSA (FIPS 186-5 A.1.3, pure bigint, see
 * crypto/rsa-keygen.ts), ECDSA P-256/384/521 and Ed25519 (noble).
 * Always async; RSA runs in slices of about 20 ms so a browser tab or a
 * CLI spinner stays responsive. Parallel RSA: `createWorkerKeygenPool`
 * (keygen-pool.ts; browser Web Workers or any message-passing workers) and
 * `createKeygenPool` / `generateKeyPairParallel` in `mailpki/node`.
 * Out of scope: encodings (key-io.ts), key checks on import (check.ts).
 */
import { DIGEST_LENGTH, isHashName, type HashName } from '../crypto/hash.js';
import type { EcCurve, KeyPair, PrivateKey, PublicKey } from '../crypto/key-types.js';
import { systemRandom, type RandomSource } from '../crypto/random.js';
import { nobleCurve, ed25519PublicFromSeed, ecPointFromPrivate } from '../crypto/ec.js';
import { abortedError, rsaKeygenSteps, runSliced, RSA_KEYGEN_SIZES, type KeygenProgress } from '../crypto/rsa-keygen.js';
import type { RsaPrivateKey } from '../crypto/key-types.js';
import { guardPrivateKey } from './private-key.js';

/**
 * Options of {@link generateKeyPair}.
 * - `rng`: random source; default `crypto.getRandomValues`. Pass
 *   `createSeededRandom(seed)` only for tests and fixed-work benchmarks: the
 *   same seed gives the same key.
 * - `signal`: cancels; the promise rejects with `MailPkiError('ERR_ABORTED')`.
 * - `onProgress` (RSA): phase and an estimated fraction, called often.
 * @public
 */
export type GenerateKeyPairOptions =
  | { type: 'rsa'; bits: 2048 | 3072 | 4096; rng?: RandomSource; signal?: AbortSignal; onProgress?: (p: KeygenProgress) => void }
  | { type: 'ec'; curve: 'P-256' | 'P-384' | 'P-521'; rng?: RandomSource; signal?: AbortSignal }
  | { type: 'ed25519'; rng?: RandomSource; signal?: AbortSignal };

export type { KeygenProgress };

/**
 * Options of {@link generateKeyPair} for an RSASSA-PSS key (id-RSASSA-PSS,
 * RFC 4055 3.1): an RSA key (same `bits`, `rng`, `signal`, `onProgress`)
 * restricted to RSA-PSS with `hash` (default SHA-256), MGF1 over the same
 * hash, and a salt of at least `saltLength` bytes (default the hash length,
 * as RFC 4055 3.1 recommends). Written to PKCS#8 / SPKI with its parameters,
 * as `openssl genpkey -algorithm rsa-pss -pkeyopt rsa_pss_keygen_md:sha256`
 * does. Only for {@link generateKeyPair} (the keygen pools make rsaEncryption keys).
 * @public
 */
export interface GenerateRsaPssKeyPairOptions {
  /** Selects an RSASSA-PSS key. */
  type: 'rsa-pss';
  /** Modulus size in bits. */
  bits: 2048 | 3072 | 4096;
  /** The one hash the key may sign with, also used for MGF1 (default `SHA-256`). */
  hash?: HashName;
  /** Minimum salt length in bytes written into the key (default the hash length: 32, 48 or 64); at most bits/8 - hash length - 2. */
  saltLength?: number;
  /** Random source (default `crypto.getRandomValues`; a seeded one only for tests). */
  rng?: RandomSource;
  /** Cancels generation: the promise rejects with `ERR_ABORTED`. */
  signal?: AbortSignal;
  /** Called often with the phase and an estimated fraction done. */
  onProgress?: (p: KeygenProgress) => void;
}

const CURVES: readonly EcCurve[] = ['P-256', 'P-384', 'P-521'];

/** Argument checks shared with the worker path. @internal */
export function validateKeygenOptions(options: GenerateKeyPairOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('generateKeyPair: options must be an object');
  const o = options as { type?: unknown; bits?: unknown; curve?: unknown; rng?: unknown; signal?: unknown; onProgress?: unknown };
  if (o.rng !== undefined && typeof o.rng !== 'function') throw new TypeError('generateKeyPair: rng must be a function (length) => Uint8Array');
  if (o.signal !== undefined && (typeof o.signal !== 'object' || o.signal === null || typeof (o.signal as AbortSignal).aborted !== 'boolean'))
    throw new TypeError('generateKeyPair: signal must be an AbortSignal');
  switch (o.type) {
    case 'rsa':
      if (typeof o.bits !== 'number' || !RSA_KEYGEN_SIZES.includes(o.bits))
        throw new RangeError(`generateKeyPair: RSA bits must be 2048, 3072 or 4096 (got ${String(o.bits)}); new RSA keys are at least 2048 bits`);
      if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new TypeError('generateKeyPair: onProgress must be a function');
      return;
    case 'ec':
      if (!CURVES.includes(o.curve as EcCurve)) throw new RangeError(`generateKeyPair: curve must be P-256, P-384 or P-521 (got ${String(o.curve)})`);
      return;
    case 'ed25519':
      return;
    default:
      throw new RangeError(`generateKeyPair: type must be 'rsa', 'ec' or 'ed25519' (got ${String(o.type)})`);
  }
}

/** The public half of a freshly made private key. @internal */
export function keyPairOf(privateKey: PrivateKey): KeyPair {
  let publicKey: PublicKey;
  switch (privateKey.type) {
    case 'rsa':
      publicKey = { kind: 'public', type: 'rsa', n: privateKey.n, e: privateKey.e, ...(privateKey.pss ? { pss: { ...privateKey.pss } } : {}) };
      break;
    case 'ec':
      publicKey = { kind: 'public', type: 'ec', curve: privateKey.curve, point: privateKey.point };
      break;
    default:
      publicKey = { kind: 'public', type: 'ed25519', publicKey: privateKey.publicKey };
  }
  return { publicKey, privateKey: guardPrivateKey(privateKey) };
}

/**
 * EC private key: noble's `randomSecretKey` fed `lengths.seed` bytes from
 * `rng` (FIPS 186-5 A.4.1 "extra random bits": 64 more bits than the order,
 * reduced mod n-1, plus 1: no bias, never 0).
 * @internal
 */
export function generateEcPrivate(curve: EcCurve, rng: RandomSource): PrivateKey {
  const c = nobleCurve(curve);
  const d = c.utils.randomSecretKey(rng(c.lengths.seed!));
  return guardPrivateKey({ kind: 'private', type: 'ec', curve, d, point: ecPointFromPrivate(curve, d) });
}

/** Ed25519 private key: a 32-byte random seed (RFC 8032 5.1.5). @internal */
export function generateEd25519Private(rng: RandomSource): PrivateKey {
  const seed = rng(32);
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError('generateKeyPair: rng returned the wrong number of bytes');
  return guardPrivateKey({ kind: 'private', type: 'ed25519', seed, publicKey: ed25519PublicFromSeed(seed) });
}

/**
 * Generate a key pair.
 *
 * RSA (e = 65537) follows FIPS 186-5 A.1.3 (random probable primes, p and q
 * with the top two bits set so n has exactly `bits` bits, |p - q| >
 * 2^(bits/2 - 100), d > 2^(bits/2), Miller-Rabin rounds per Table B.1) and
 * keeps p > q, dp, dq and qi = q^-1 mod p. It runs on the calling thread in
 * slices of about 20 ms, yielding to the event loop in between. For several
 * threads see `createWorkerKeygenPool` (browsers) and
 * `generateKeyPairParallel` in `mailpki/node`.
 *
 * @param options - `{ type: 'rsa', bits }`, `{ type: 'ec', curve }`,
 *   `{ type: 'ed25519' }` or `{ type: 'rsa-pss', bits, hash?, saltLength? }`
 *   ({@link GenerateRsaPssKeyPairOptions}), plus optional `rng`, `signal`,
 *   `onProgress` (RSA).
 * @returns the private key and its public key.
 * @throws RangeError for an unknown type or curve, or RSA bits other than
 *   2048/3072/4096; TypeError for malformed options;
 *   MailPkiError `ERR_ABORTED` when `signal` fires.
 * @example
 * ```ts
 * const { privateKey, publicKey } = await generateKeyPair({ type: 'ec', curve: 'P-256' });
 * const rsa = await generateKeyPair({ type: 'rsa', bits: 3072, onProgress: (p) => console.log(p.phase) });
 * ```
 * @public
 */
export async function generateKeyPair(options: GenerateKeyPairOptions | GenerateRsaPssKeyPairOptions): Promise<KeyPair> {
  if (typeof options === 'object' && options !== null && options.type === 'rsa-pss') return generateRsaPss(options);
  validateKeygenOptions(options);
  const rng = options.rng ?? systemRandom;
  const signal = options.signal;
  if (signal?.aborted) throw abortedError();
  switch (options.type) {
    case 'rsa': {
      const key: RsaPrivateKey = await runSliced(rsaKeygenSteps({ bits: options.bits, rng, onProgress: options.onProgress }), signal);
      return keyPairOf(key);
    }
    case 'ec':
      return keyPairOf(generateEcPrivate(options.curve, rng));
    default:
      return keyPairOf(generateEd25519Private(rng));
  }
}

async function generateRsaPss(options: GenerateRsaPssKeyPairOptions): Promise<KeyPair> {
  const hash = options.hash ?? 'SHA-256';
  if (!isHashName(hash)) throw new RangeError(`generateKeyPair: RSA-PSS hash must be SHA-256, SHA-384 or SHA-512 (got ${String(hash)})`);
  const saltLength = options.saltLength ?? DIGEST_LENGTH[hash];
  // RFC 8017 9.1.1: emLen >= hLen + sLen + 2, emLen = bits / 8 bytes for the sizes we make.
  const max = Math.floor(Number(options.bits) / 8) - DIGEST_LENGTH[hash] - 2;
  if (!Number.isSafeInteger(saltLength) || saltLength < 0 || saltLength > max) throw new RangeError(`generateKeyPair: saltLength must be an integer in 0..${max}`);
  const { type: _t, hash: _h, saltLength: _s, ...rsa } = options;
  const { privateKey } = await generateKeyPair({ ...rsa, type: 'rsa' });
  return keyPairOf({ ...(privateKey as RsaPrivateKey), pss: { hash, mgf1Hash: hash, saltLength } });
}
