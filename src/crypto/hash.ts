/**
 * Message digests via @noble/hashes: SHA-256/384/512 for signatures, plus
 * SHA-1 and SHA-224 for *reading* legacy things (fingerprints, RFC 5280
 * 4.2.1.2 key identifiers, checking old signatures against test vectors).
 * SHA-1 is never used to make a signature: rsa.ts and sign.ts refuse it.
 * Out of scope: HMAC and KDFs (pbe code), streaming interfaces.
 */
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { MailPkiError } from '../errors.js';

/**
 * A hash usable in the signatures mailpki makes and accepts.
 * SHA-256 is the default (DESIGN.md §4: never SHA-1).
 * @public
 */
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

/**
 * Every digest {@link digest} computes. `SHA-1` and `SHA-224` exist for
 * fingerprints, key identifiers and legacy checks, never for new signatures.
 * @public
 */
export type DigestName = 'SHA-1' | 'SHA-224' | HashName;

const IMPL = {
  'SHA-1': sha1,
  'SHA-224': sha224,
  'SHA-256': sha256,
  'SHA-384': sha384,
  'SHA-512': sha512,
} as const;

/** Output length in bytes of each digest. @internal */
export const DIGEST_LENGTH: Readonly<Record<DigestName, number>> = {
  'SHA-1': 20,
  'SHA-224': 28,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
};

/** True for the names in {@link HashName}. @internal */
export function isHashName(v: unknown): v is HashName {
  return v === 'SHA-256' || v === 'SHA-384' || v === 'SHA-512';
}

/** True for the names in {@link DigestName}. @internal */
export function isDigestName(v: unknown): v is DigestName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(IMPL, v);
}

/**
 * Hash `data` with the named digest.
 *
 * @param name - `'SHA-256'`, `'SHA-384'`, `'SHA-512'`, or (legacy reading
 *   only) `'SHA-1'` / `'SHA-224'`.
 * @param data - the bytes to hash.
 * @returns the digest (32, 48, 64, 20 or 28 bytes).
 * @throws TypeError when `data` is not a Uint8Array.
 * @throws MailPkiError `ERR_ALGORITHM_UNSUPPORTED` for any other name.
 * @example
 * ```ts
 * const d = digest('SHA-256', new TextEncoder().encode('abc'));
 * toHex(d); // 'ba7816bf...'
 * ```
 * @public
 */
export function digest(name: DigestName, data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError('data: expected a Uint8Array');
  if (!isDigestName(name)) throw new MailPkiError('ERR_ALGORITHM_UNSUPPORTED', `unsupported hash: ${String(name)}`);
  return IMPL[name](data);
}
