/**
 * RSA signature primitives on bigint (RFC 8017): RSASSA-PKCS1-v1_5 and
 * RSASSA-PSS with MGF1, over a message digest the caller computed.
 *
 * - Signing uses the CRT form of the private key (dp, dq, qi), with base
 *   blinding, and checks its own result with the public exponent before
 *   returning it: a faulty CRT half-signature reveals a factor of n
 *   (Boneh-DeMillo-Lipton; the "RSA-CRT fault" attack), so a mismatch throws
 *   `ERR_SIGNATURE_FAULT` and no signature leaves this module.
 * - PKCS#1 v1.5 verification is the strict RFC 8017 8.2.2 form: the expected
 *   encoded message is rebuilt from the digest and compared byte for byte. The
 *   padding is never parsed, which rules out the Bleichenbacher'06 /
 *   node-forge CVE-2022-24771/24772 family of lenient-parser forgeries.
 *
 * Out of scope: key generation (keys/generate.ts), key formats (keys/),
 * encryption (RSAES), hashing the message (sign.ts does it).
 */
import { MailPkiError } from '../errors.js';
import { OID } from '../oid.js';
import { bigIntToBytes, bitLength, bytesToBigInt, concatBytes, equalBytes } from '../encoding/bytes.js';
import { derNull, derOctets, derOid, derSeq, encodeDer } from '../encoding/der.js';
import type { RsaPrivateKey, RsaPublicKey } from './key-types.js';
import { modInverse, modPow, mod } from './bigint.js';
import { digest, DIGEST_LENGTH, type DigestName } from './hash.js';
import { systemRandom, type RandomSource } from './random.js';

const HASH_OID: Readonly<Record<DigestName, string>> = {
  'SHA-1': OID.sha1,
  'SHA-224': OID.sha224,
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};

/** Length of the modulus in bytes (k in RFC 8017). @internal */
export function rsaModulusBytes(key: RsaPublicKey | RsaPrivateKey): number {
  return Math.ceil(bitLength(key.n) / 8);
}

function checkDigest(hash: DigestName, mHash: Uint8Array): void {
  if (!(mHash instanceof Uint8Array)) throw new TypeError('digest: expected a Uint8Array');
  if (!Object.prototype.hasOwnProperty.call(HASH_OID, hash)) throw new MailPkiError('ERR_ALGORITHM_UNSUPPORTED', `unsupported hash: ${String(hash)}`);
  if (mHash.length !== DIGEST_LENGTH[hash]) throw new RangeError(`digest: a ${hash} digest is ${DIGEST_LENGTH[hash]} bytes, got ${mHash.length}`);
}

/** Signing with SHA-1 is refused (SHAttered; CA/B BR 7.1.3.2). */
function refuseWeakForSigning(hash: DigestName): void {
  if (hash === 'SHA-1') throw new MailPkiError('ERR_WEAK_ALGORITHM', 'refusing to sign with SHA-1 (collisions are practical)');
}

/** OpenSSL's limits (rsa.h): the largest modulus, and above 3072 bits a public exponent of at most 64 bits. */
const MAX_MODULUS_BITS = 16384;
const SMALL_MODULUS_BITS = 3072;
const MAX_PUBEXP_BITS = 64;

/**
 * RFC 8017 3.1: n > 0, 3 <= e <= n - 1, e odd (gcd(e, lambda(n)) = 1 with
 * lambda(n) even). Size limits bound the work a hostile key can cause.
 */
function checkPublicKey(key: RsaPublicKey | RsaPrivateKey): void {
  const { n, e } = key;
  if (typeof n !== 'bigint' || typeof e !== 'bigint' || n < 3n || e < 3n || e >= n || (e & 1n) === 0n) {
    throw new MailPkiError('ERR_KEY_INVALID', 'RSA key: the public exponent must be odd and in [3, n - 1] (RFC 8017 3.1)');
  }
  const bits = bitLength(n);
  if (bits > MAX_MODULUS_BITS) throw new MailPkiError('ERR_KEY_UNSUPPORTED', `RSA key: modulus of ${bits} bits is above ${MAX_MODULUS_BITS}`);
  if (bits > SMALL_MODULUS_BITS && bitLength(e) > MAX_PUBEXP_BITS) {
    throw new MailPkiError('ERR_KEY_UNSUPPORTED', `RSA key: public exponent above ${MAX_PUBEXP_BITS} bits with a modulus above ${SMALL_MODULUS_BITS} bits`);
  }
}

/**
 * DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier, digest OCTET STRING }
 * with NULL parameters (RFC 8017 9.2 note 1 lists exactly these encodings).
 * @internal
 */
export function encodeDigestInfo(hash: DigestName, mHash: Uint8Array): Uint8Array {
  if (mHash.length !== DIGEST_LENGTH[hash]) return encodeDer(derSeq(derSeq(derOid(HASH_OID[hash]), derNull()), derOctets(mHash)));
  // The bytes before the digest depend only on the hash (its length is fixed): encode them once.
  let prefix = DIGEST_INFO_PREFIX.get(hash);
  if (!prefix) {
    const full = encodeDer(derSeq(derSeq(derOid(HASH_OID[hash]), derNull()), derOctets(new Uint8Array(mHash.length))));
    prefix = full.slice(0, full.length - mHash.length);
    DIGEST_INFO_PREFIX.set(hash, prefix);
  }
  return concatBytes(prefix, mHash);
}

const DIGEST_INFO_PREFIX = new Map<DigestName, Uint8Array>();

/**
 * EMSA-PKCS1-v1_5-ENCODE (RFC 8017 9.2) from a digest:
 * `0x00 0x01 FF..FF 0x00 DigestInfo`, emLen bytes, at least 8 bytes of FF.
 * Returns null when emLen < tLen + 11 ("intended encoded message length too short").
 */
function emsaPkcs1v15(hash: DigestName, mHash: Uint8Array, emLen: number): Uint8Array | null {
  const t = encodeDigestInfo(hash, mHash);
  if (emLen < t.length + 11) return null;
  const em = new Uint8Array(emLen);
  em[1] = 0x01;
  em.fill(0xff, 2, emLen - t.length - 1);
  em.set(t, emLen - t.length);
  return em;
}

/** MGF1 (RFC 8017 B.2.1) with the given hash. @internal */
export function mgf1(hash: DigestName, seed: Uint8Array, maskLen: number): Uint8Array {
  const hLen = DIGEST_LENGTH[hash];
  const out = new Uint8Array(Math.ceil(maskLen / hLen) * hLen);
  const buf = new Uint8Array(seed.length + 4);
  buf.set(seed);
  const view = new DataView(buf.buffer);
  for (let c = 0, off = 0; off < maskLen; c++, off += hLen) {
    view.setUint32(seed.length, c);
    out.set(digest(hash, buf), off);
  }
  return out.subarray(0, maskLen);
}

/** Uses of one blinding pair before a fresh r is drawn (OpenSSL's BN_BLINDING_COUNTER). */
const BLINDING_REUSE = 32;

interface Blinding {
  readonly n: bigint;
  readonly e: bigint;
  rE: bigint;
  rInv: bigint;
  uses: number;
}

/** Per key object; checked against n and e on each use, so a mutated key object gets a fresh pair. */
const BLINDINGS = new WeakMap<RsaPrivateKey, Blinding>();

/**
 * A blinding pair (r^e mod n, r^-1 mod n). A fresh r costs a modular inverse
 * (about 0.4 ms for RSA-2048 here); as OpenSSL does (BN_BLINDING_update), the
 * pair of the previous signature is squared instead, (r^2)^e and (r^2)^-1,
 * which is again a valid pair for an unpredictable value, and a fresh random r
 * is drawn every {@link BLINDING_REUSE} signatures.
 */
function blindingPair(key: RsaPrivateKey, rng: RandomSource): { rE: bigint; rInv: bigint } {
  const { n, e } = key;
  const cached = BLINDINGS.get(key);
  if (cached && cached.n === n && cached.e === e && cached.uses < BLINDING_REUSE) {
    cached.rE = (cached.rE * cached.rE) % n;
    cached.rInv = (cached.rInv * cached.rInv) % n;
    cached.uses++;
    return { rE: cached.rE, rInv: cached.rInv };
  }
  const k = rsaModulusBytes(key);
  let r = 0n;
  let rInv = 0n;
  for (let tries = 0; ; tries++) {
    if (tries > 8) throw new MailPkiError('ERR_KEY_INVALID', 'RSA key: cannot find a blinding value (is n prime-free?)');
    r = mod(bytesToBigInt(rng(k + 8)), n);
    if (r < 2n) continue;
    try {
      rInv = modInverse(r, n);
      break;
    } catch {
      // gcd(r, n) > 1: astronomically unlikely for a real key; draw again.
    }
  }
  const rE = modPow(r, e, n);
  BLINDINGS.set(key, { n, e, rE, rInv, uses: 1 });
  return { rE, rInv };
}

/**
 * RSASP1 with CRT (RFC 8017 5.2.1 step 2b), base blinding, and a check of the
 * result with the public exponent.
 */
function rsaPrivate(key: RsaPrivateKey, m: bigint, rng: RandomSource): bigint {
  const { n, e, p, q, dp, dq, qi } = key;
  checkPublicKey(key);
  for (const [name, v] of [['p', p], ['q', q], ['dp', dp], ['dq', dq], ['qi', qi]] as const) {
    if (typeof v !== 'bigint' || v < 1n) throw new MailPkiError('ERR_KEY_INVALID', `RSA key: ${name} must be a positive integer`);
  }
  if (p < 2n || q < 2n) throw new MailPkiError('ERR_KEY_INVALID', 'RSA key: p and q must be greater than 1');
  if (m < 0n || m >= n) throw new RangeError('RSA: message representative out of range');
  // Blinding: sign c = m * r^e instead of m, then multiply by r^-1. The
  // exponentiations then work on a value unrelated to the message, which
  // frustrates timing/power attacks on the private exponent.
  const { rE, rInv } = blindingPair(key, rng);
  const c = (m * rE) % n;
  const m1 = modPow(c % p, dp, p);
  const m2 = modPow(c % q, dq, q);
  const h = mod(qi * (m1 - m2), p);
  const s = ((m2 + h * q) * rInv) % n;
  // RFC 8017 leaves this to implementations; every serious one does it
  // (OpenSSL rsa_ossl_mod_exp, BoringSSL rsa_default_private_transform).
  if (modPow(s, e, n) !== m) {
    throw new MailPkiError('ERR_SIGNATURE_FAULT', 'RSA-CRT signature failed its own verification (faulty computation or inconsistent key); no signature was produced');
  }
  return s;
}

/** RSAVP1 (RFC 8017 5.2.2) from signature bytes; null when invalid. */
function rsaPublicFromSignature(key: RsaPublicKey | RsaPrivateKey, sig: Uint8Array): bigint | null {
  checkPublicKey(key);
  // RFC 8017 8.2.2 step 1 / 8.1.2 step 1: the signature is exactly k octets.
  if (!(sig instanceof Uint8Array)) throw new TypeError('signature: expected a Uint8Array');
  if (sig.length !== rsaModulusBytes(key)) return null;
  const s = bytesToBigInt(sig);
  // RFC 8017 5.2.2 step 1: the representative must be below n.
  if (s >= key.n) return null;
  return modPow(s, key.e, key.n);
}

/**
 * RSASSA-PKCS1-v1_5-SIGN (RFC 8017 8.2.1) over a precomputed digest.
 * @throws MailPkiError `ERR_WEAK_ALGORITHM` for SHA-1, `ERR_KEY_TOO_SMALL`
 *   when the modulus cannot hold the DigestInfo, `ERR_SIGNATURE_FAULT` when
 *   the CRT result does not verify, `ERR_KEY_INVALID` for a broken key object.
 * @internal
 */
export function rsaPkcs1v15SignDigest(key: RsaPrivateKey, hash: DigestName, mHash: Uint8Array, rng: RandomSource = systemRandom): Uint8Array {
  checkDigest(hash, mHash);
  refuseWeakForSigning(hash);
  checkPublicKey(key);
  const k = rsaModulusBytes(key);
  const em = emsaPkcs1v15(hash, mHash, k);
  if (!em) throw new MailPkiError('ERR_KEY_TOO_SMALL', `RSA key too small for a ${hash} PKCS#1 v1.5 signature`);
  return bigIntToBytes(rsaPrivate(key, bytesToBigInt(em), rng), k);
}

/**
 * RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 8.2.2) over a precomputed digest:
 * rebuild EMSA-PKCS1-v1_5(digest) and compare the whole encoded message.
 * Only the DigestInfo with NULL parameters is accepted (the encodings of RFC
 * 8017 9.2 note 1); a DigestInfo without the NULL is rejected.
 * @returns false for any bad signature (never throws on signature bytes).
 * @internal
 */
export function rsaPkcs1v15VerifyDigest(key: RsaPublicKey | RsaPrivateKey, hash: DigestName, mHash: Uint8Array, sig: Uint8Array): boolean {
  checkDigest(hash, mHash);
  const m = rsaPublicFromSignature(key, sig);
  if (m === null) return false;
  const k = rsaModulusBytes(key);
  const expected = emsaPkcs1v15(hash, mHash, k);
  if (!expected) return false; // 8.2.2 step 3: "too short" -> invalid signature
  return equalBytes(bigIntToBytes(m, k), expected);
}

/**
 * RSASSA-PSS-SIGN (RFC 8017 8.1.1, EMSA-PSS-ENCODE 9.1.1) over a digest,
 * MGF1 with the same hash, trailer 0xBC.
 * @param saltLength - salt bytes (the X.509 convention is the hash length).
 * @throws RangeError for a bad salt length; MailPkiError as for PKCS#1 v1.5.
 * @internal
 */
export function rsaPssSignDigest(key: RsaPrivateKey, hash: DigestName, mHash: Uint8Array, saltLength: number, rng: RandomSource = systemRandom): Uint8Array {
  checkDigest(hash, mHash);
  refuseWeakForSigning(hash);
  if (!Number.isSafeInteger(saltLength) || saltLength < 0) throw new RangeError('saltLength: expected a non-negative integer');
  checkPublicKey(key);
  const hLen = DIGEST_LENGTH[hash];
  const modBits = bitLength(key.n);
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + saltLength + 2) throw new MailPkiError('ERR_KEY_TOO_SMALL', `RSA key too small for PSS with ${hash} and a ${saltLength}-byte salt`);
  const salt = saltLength ? rng(saltLength) : new Uint8Array(0);
  if (!(salt instanceof Uint8Array) || salt.length !== saltLength) throw new TypeError('rng: must return the requested number of bytes');
  const H = digest(hash, concatBytes(new Uint8Array(8), mHash, salt));
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - saltLength - hLen - 2] = 0x01;
  db.set(salt, db.length - saltLength);
  const mask = mgf1(hash, H, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >>> (8 * emLen - emBits);
  const em = concatBytes(db, H, Uint8Array.of(0xbc));
  return bigIntToBytes(rsaPrivate(key, bytesToBigInt(em), rng), rsaModulusBytes(key));
}

/**
 * RSASSA-PSS-VERIFY (RFC 8017 8.1.2, EMSA-PSS-VERIFY 9.1.2) over a digest,
 * MGF1 with the same hash, for a known salt length.
 * @returns false for any bad signature (never throws on signature bytes).
 * @internal
 */
export function rsaPssVerifyDigest(key: RsaPublicKey | RsaPrivateKey, hash: DigestName, mHash: Uint8Array, sig: Uint8Array, saltLength: number): boolean {
  checkDigest(hash, mHash);
  if (!Number.isSafeInteger(saltLength) || saltLength < 0) throw new RangeError('saltLength: expected a non-negative integer');
  const m = rsaPublicFromSignature(key, sig);
  if (m === null) return false;
  const hLen = DIGEST_LENGTH[hash];
  const emBits = bitLength(key.n) - 1;
  const emLen = Math.ceil(emBits / 8);
  // 8.1.2 step 2c: I2OSP(m, emLen) fails when m does not fit.
  if (bitLength(m) > emLen * 8) return false;
  const em = bigIntToBytes(m, emLen);
  if (emLen < hLen + saltLength + 2) return false; // 9.1.2 step 3
  if (em[emLen - 1] !== 0xbc) return false; // step 4
  const dbLen = emLen - hLen - 1;
  const maskedDb = em.subarray(0, dbLen);
  const H = em.subarray(dbLen, dbLen + hLen);
  const topMask = 0xff >>> (8 * emLen - emBits);
  if ((maskedDb[0]! & ~topMask & 0xff) !== 0) return false; // step 6
  const db = mgf1(hash, H, dbLen).slice();
  for (let i = 0; i < dbLen; i++) db[i]! ^= maskedDb[i]!;
  db[0]! &= topMask; // step 9
  const psLen = emLen - hLen - saltLength - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false; // step 10
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(dbLen - saltLength);
  const H2 = digest(hash, concatBytes(new Uint8Array(8), mHash, salt));
  return equalBytes(H, H2); // step 14
}
