/**
 * The PKCS#12 password-based primitives (RFC 7292):
 * - the PKCS#12 key derivation (appendix B.2), used for the MAC key (ID 3)
 *   with SHA-1/224/256/384/512, and for the key and IV (IDs 1, 2) of the
 *   PKCS#12 PBE schemes with SHA-1;
 * - the password as a BMPString with two trailing zero octets (B.1);
 * - the PBE schemes of appendix C that we read: pbeWithSHAAnd3-KeyTripleDES-CBC
 *   (also written, `compatibility: 'legacy'`), pbeWithSHAAnd2-KeyTripleDES-CBC,
 *   pbeWithSHAAnd128BitRC2-CBC and pbeWithSHAAnd40BitRC2-CBC (decrypt only);
 * - the MAC (HMAC over the authSafe content, section 5.1).
 *
 * Work is capped as for PBES2 ({@link PBE_LIMITS}): a hostile iteration
 * count is refused before any hashing starts.
 *
 * Out of scope: RC4 schemes (refused, `ERR_ENCRYPTION_UNSUPPORTED`), PBMAC1
 * (RFC 9579), the PFX structure itself (keys/pkcs12.ts).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { MailPkiError } from '../errors.js';
import { cbcDecrypt, cbcEncrypt, PBE_LIMITS } from './pbe.js';
import { rc2CbcDecrypt } from './rc2.js';

/** Digests the PKCS#12 MAC may use. @public */
export type Pkcs12MacHash = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** The PKCS#12 PBE schemes of RFC 7292 appendix C that we read. @public */
export type Pkcs12PbeScheme = 'pbeWithSHAAnd3-KeyTripleDES-CBC' | 'pbeWithSHAAnd2-KeyTripleDES-CBC' | 'pbeWithSHAAnd128BitRC2-CBC' | 'pbeWithSHAAnd40BitRC2-CBC';

type NobleHash = typeof sha1;
const HASH: Readonly<Record<Pkcs12MacHash, { fn: NobleHash; v: number }>> = {
  'SHA-1': { fn: sha1, v: 64 },
  'SHA-224': { fn: sha224, v: 64 },
  'SHA-256': { fn: sha256, v: 64 },
  'SHA-384': { fn: sha384, v: 128 },
  'SHA-512': { fn: sha512, v: 128 },
};

/**
 * RFC 7292 B.1: the password as a BMPString (UTF-16 big-endian, as OpenSSL's
 * `OPENSSL_utf82uni` makes it: characters beyond U+FFFF as surrogate pairs)
 * followed by two zero octets. An empty password is the two zero octets.
 * @internal
 */
export function pkcs12PasswordBytes(password: string): Uint8Array {
  const out = new Uint8Array(2 * password.length + 2);
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

function checkIterations(iterations: number): void {
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError('iterations: must be a positive integer');
  if (iterations > PBE_LIMITS.maxPbkdf2Iterations) {
    throw new MailPkiError('ERR_ENCRYPTION_UNSUPPORTED', `PKCS#12 iteration count ${iterations} is above the limit of ${PBE_LIMITS.maxPbkdf2Iterations}`);
  }
}

/**
 * RFC 7292 B.2: derive `n` bytes for purpose `id` (1 key, 2 IV, 3 MAC key)
 * from the BMP password bytes (see {@link pkcs12PasswordBytes}) and salt.
 * @throws MailPkiError `ERR_ENCRYPTION_UNSUPPORTED` when `iterations` is above the cap.
 * @internal
 */
export function pkcs12Kdf(hash: Pkcs12MacHash, id: 1 | 2 | 3, password: Uint8Array, salt: Uint8Array, iterations: number, n: number): Uint8Array {
  checkIterations(iterations);
  const { fn, v } = HASH[hash];
  const u = fn.outputLen;
  // Steps 1-4: D = ID repeated v times; I = S || P, each repeated to a multiple of v.
  const fill = (src: Uint8Array): Uint8Array => {
    const out = new Uint8Array(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const S = salt.length ? fill(salt) : new Uint8Array(0);
  const P = password.length ? fill(password) : new Uint8Array(0);
  const I = new Uint8Array(S.length + P.length);
  I.set(S);
  I.set(P, S.length);
  const DI = new Uint8Array(v + I.length);
  DI.fill(id, 0, v);
  const out = new Uint8Array(n);
  const c = Math.ceil(n / u);
  const empty = fn.create();
  let scratch: ReturnType<NobleHash['create']> | undefined;
  for (let i = 0; i < c; i++) {
    // Step 6a: A_i = H^r(D || I)
    DI.set(I, v);
    const A = fn(DI);
    // Iterate on one reusable hash state: a fresh noble call per iteration cost ~15 µs here (allocation
    // and argument checks), about 2.5x the hashing itself.
    for (let r = 1; r < iterations; r++) {
      const h = (scratch = empty._cloneInto(scratch));
      h.update(A);
      h.digestInto(A);
    }
    out.set(A.subarray(0, Math.min(u, n - i * u)), i * u);
    if (i === c - 1) break;
    // Steps 6b-6c: B = A_i repeated to v bytes; each v-byte block I_j = (I_j + B + 1) mod 2^(8v).
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + A[k % u]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >>> 8;
      }
    }
  }
  return out;
}

/**
 * The PKCS#12 MAC (RFC 7292 5.1 / B.4): HMAC-`hash` keyed with
 * `pkcs12Kdf(hash, 3, ...)` of the hash's output size.
 * @internal
 */
export function pkcs12Mac(hash: Pkcs12MacHash, password: Uint8Array, salt: Uint8Array, iterations: number, data: Uint8Array): Uint8Array {
  const { fn } = HASH[hash];
  const key = pkcs12Kdf(hash, 3, password, salt, iterations, fn.outputLen);
  return hmac(fn, key, data);
}

/** Output size of a MAC hash. @internal */
export function pkcs12MacLength(hash: Pkcs12MacHash): number {
  return HASH[hash].fn.outputLen;
}

const SCHEME: Readonly<Record<Pkcs12PbeScheme, { key: number; iv: number; cipher: 'des3' | 'des2' | 'rc2'; effectiveBits?: number }>> = {
  'pbeWithSHAAnd3-KeyTripleDES-CBC': { key: 24, iv: 8, cipher: 'des3' },
  'pbeWithSHAAnd2-KeyTripleDES-CBC': { key: 16, iv: 8, cipher: 'des2' },
  'pbeWithSHAAnd128BitRC2-CBC': { key: 16, iv: 8, cipher: 'rc2', effectiveBits: 128 },
  'pbeWithSHAAnd40BitRC2-CBC': { key: 5, iv: 8, cipher: 'rc2', effectiveBits: 40 },
};

/** SHA-1 blocks the key and IV derivations of a scheme hash, each `iterations` times (for work accounting). @internal */
export function pkcs12PbeBlocks(scheme: Pkcs12PbeScheme): number {
  return Math.ceil(SCHEME[scheme].key / 20) + Math.ceil(SCHEME[scheme].iv / 20);
}

function desKey(scheme: Pkcs12PbeScheme, key: Uint8Array): Uint8Array {
  // Two-key 3DES: K1 K2 K1 (SP 800-67 keying option 2).
  if (SCHEME[scheme].cipher !== 'des2') return key;
  const k = new Uint8Array(24);
  k.set(key);
  k.set(key.subarray(0, 8), 16);
  return k;
}

/**
 * Decrypt with a PKCS#12 PBE scheme (RFC 7292 appendix C; key and IV from
 * {@link pkcs12Kdf} with SHA-1) and strip the PKCS#7 padding.
 * @throws MailPkiError `ERR_BAD_PASSPHRASE` (padding), `ERR_KEY_INVALID`
 *   (not whole blocks), `ERR_ENCRYPTION_UNSUPPORTED` (iterations above the cap).
 * @internal
 */
export function pkcs12PbeDecrypt(scheme: Pkcs12PbeScheme, password: Uint8Array, salt: Uint8Array, iterations: number, data: Uint8Array): Uint8Array {
  const s = SCHEME[scheme];
  const key = pkcs12Kdf('SHA-1', 1, password, salt, iterations, s.key);
  const iv = pkcs12Kdf('SHA-1', 2, password, salt, iterations, s.iv);
  if (s.cipher !== 'rc2') return cbcDecrypt('des-ede3-cbc', desKey(scheme, key), iv, data);
  if (data.length === 0 || data.length % 8 !== 0) {
    throw new MailPkiError('ERR_KEY_INVALID', `encrypted data (${data.length} bytes) is not a whole number of 8-byte RC2 blocks (truncated or corrupted)`);
  }
  const plain = rc2CbcDecrypt(key, s.effectiveBits!, iv, data);
  const n = plain[plain.length - 1]!;
  let ok = n >= 1 && n <= 8;
  for (let i = 1; i <= 8 && ok; i++) if (i <= n && plain[plain.length - i] !== n) ok = false;
  if (!ok) throw new MailPkiError('ERR_BAD_PASSPHRASE', 'wrong passphrase or corrupted data (decryption padding check failed)');
  return plain.subarray(0, plain.length - n);
}

/**
 * Encrypt with pbeWithSHAAnd3-KeyTripleDES-CBC (the only PKCS#12 PBE scheme
 * we write: `compatibility: 'legacy'`).
 * @internal
 */
export function pkcs12PbeEncrypt3Des(password: Uint8Array, salt: Uint8Array, iterations: number, data: Uint8Array): Uint8Array {
  const key = pkcs12Kdf('SHA-1', 1, password, salt, iterations, 24);
  const iv = pkcs12Kdf('SHA-1', 2, password, salt, iterations, 8);
  return cbcEncrypt('des-ede3-cbc', key, iv, data);
}
