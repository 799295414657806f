/**
 * Signatures over messages with mailpki key objects: RSASSA-PKCS1-v1_5,
 * RSASSA-PSS (RFC 8017, our own RSA in rsa.ts), ECDSA on P-256/384/521 and
 * Ed25519 (RFC 8032) via @noble/curves; ECDSA verification (public inputs,
 * the hot path of issuing from a CSR) runs on our own faster code in
 * ecdsa-verify.ts.
 *
 * ECDSA signatures are DER `ECDSA-Sig-Value` (RFC 5480 / RFC 3279 2.2.3), as
 * X.509, CSRs and `openssl dgst` use them. We make low-S signatures and accept
 * high-S ones, as OpenSSL, Go and browsers do for X.509 (ECDSA malleability
 * matters to blockchains, not to certificates).
 *
 * Out of scope: AlgorithmIdentifier encoding (x509/algorithm-id.ts), key formats
 * (keys/), SHA-1 signatures (refused: DESIGN.md §4).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { MailPkiError } from '../errors.js';
import { CURVE_BYTES, type EcCurve, type PrivateKey, type PublicKey, type RsaPrivateKey, type RsaPublicKey, type UsablePublicKey } from './key-types.js';
import { nobleCurve } from './ec.js';
import { ecdsaVerifyDigest } from './ecdsa-verify.js';
import { DIGEST_LENGTH, digest, isHashName, type HashName } from './hash.js';
import { systemRandom, type RandomSource } from './random.js';
import { rsaPkcs1v15SignDigest, rsaPkcs1v15VerifyDigest, rsaPssSignDigest, rsaPssVerifyDigest } from './rsa.js';

export type { HashName } from './hash.js';

/**
 * A signature algorithm with its parameters.
 *
 * - `RSASSA-PKCS1-v1_5`: RFC 8017 8.2 (the common X.509 choice).
 * - `RSA-PSS`: RFC 8017 8.1 with MGF1 over the same hash; X.509 uses
 *   `saltLength` = hash length (RFC 4055 3.1), which is what
 *   x509/algorithm-id.ts writes.
 * - `ECDSA`: FIPS 186-5 / SEC 1, DER signatures.
 * - `Ed25519`: RFC 8032 pure EdDSA (no pre-hash).
 * @public
 */
export type SignatureAlgorithm =
  | { readonly name: 'RSASSA-PKCS1-v1_5'; readonly hash: HashName }
  | { readonly name: 'RSA-PSS'; readonly hash: HashName; readonly saltLength: number }
  | { readonly name: 'ECDSA'; readonly hash: HashName }
  | { readonly name: 'Ed25519' };

/** Options for {@link sign}. @public */
export interface SignOptions {
  /**
   * Random bytes for RSA blinding, PSS salts and ECDSA hedging. Default:
   * {@link systemRandom} (`crypto.getRandomValues`). Pass a seeded source only
   * in tests.
   */
  readonly rng?: RandomSource;
}

const CURVE_HASH: Readonly<Record<EcCurve, HashName>> = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' };

/**
 * The signature algorithm mailpki uses for a key when none is given:
 * RSA -> PKCS#1 v1.5 with SHA-256 (what every client verifies; PSS in
 * certificates is still patchy in older stacks); P-256/P-384/P-521 -> ECDSA
 * with SHA-256/384/512 (the hash matching the curve's strength, RFC 5480
 * 4 / CNSA); Ed25519 -> Ed25519. An RSASSA-PSS key (id-RSASSA-PSS) ->
 * RSA-PSS with the key's hash (SHA-256 when it has none) and a salt of the
 * hash length, or the key's minimum when larger (RFC 4055 3.1).
 *
 * @param key - a public or private key object.
 * @throws TypeError when `key` is not a key object; MailPkiError
 *   `ERR_KEY_UNSUPPORTED` for an opaque key.
 * @example
 * ```ts
 * defaultSignatureAlgorithm(ecP384Key); // { name: 'ECDSA', hash: 'SHA-384' }
 * ```
 * @public
 */
export function defaultSignatureAlgorithm(key: PublicKey | PrivateKey): SignatureAlgorithm {
  checkKeyObject(key, 'key');
  switch (key.type) {
    case 'rsa': {
      if (!key.pss) return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
      const hash = isHashName(key.pss.hash) ? key.pss.hash : 'SHA-256';
      return { name: 'RSA-PSS', hash, saltLength: Math.max(DIGEST_LENGTH[hash], key.pss.saltLength ?? 0) };
    }
    case 'ec':
      if (!Object.prototype.hasOwnProperty.call(CURVE_HASH, key.curve)) throw new MailPkiError('ERR_KEY_UNSUPPORTED', `unsupported curve: ${String(key.curve)}`);
      return { name: 'ECDSA', hash: CURVE_HASH[key.curve] };
    case 'ed25519':
      return { name: 'Ed25519' };
  }
}

/**
 * Sign `data` with a private key.
 *
 * RSA signing uses the CRT with blinding and verifies the result before
 * returning it. ECDSA uses RFC 6979 deterministic nonces hedged with fresh
 * random bytes (RFC 6979 3.6), and returns a low-S DER signature.
 *
 * @param key - the private key.
 * @param data - the message (hashed here with the algorithm's hash; not a digest).
 * @param alg - the algorithm; default {@link defaultSignatureAlgorithm}(key).
 * @param options - `rng` (default `crypto.getRandomValues`).
 * @returns the signature: k bytes for RSA (k = modulus length), DER for
 *   ECDSA, 64 bytes for Ed25519.
 * @throws TypeError when `key` is not a private key, `data` not bytes, or
 *   `alg` does not fit the key type; RangeError for a bad PSS `saltLength`.
 * @throws MailPkiError `ERR_ALGORITHM_UNSUPPORTED` (unknown algorithm or hash,
 *   or one an RSASSA-PSS key's RFC 4055 restrictions forbid: not PSS, another
 *   hash, a shorter salt), `ERR_WEAK_ALGORITHM` (SHA-1/MD5), `ERR_KEY_TOO_SMALL`,
 *   `ERR_KEY_INVALID`, `ERR_SIGNATURE_FAULT` (an RSA-CRT result failed its own check).
 * @example
 * ```ts
 * const { privateKey, publicKey } = await generateKeyPair({ type: 'ec', curve: 'P-256' });
 * const sig = sign(privateKey, new TextEncoder().encode('hello'));
 * verify(publicKey, new TextEncoder().encode('hello'), sig); // true
 * ```
 * @public
 */
export function sign(key: PrivateKey, data: Uint8Array, alg?: SignatureAlgorithm, options: SignOptions = {}): Uint8Array {
  checkKeyObject(key, 'key');
  if (key.kind !== 'private') throw new TypeError('key: signing needs a private key');
  if (!(data instanceof Uint8Array)) throw new TypeError('data: expected a Uint8Array');
  const a = checkAlgorithm(alg ?? defaultSignatureAlgorithm(key), key);
  const rng = options.rng ?? systemRandom;
  if (typeof rng !== 'function') throw new TypeError('options.rng: expected a function');
  switch (a.name) {
    case 'RSASSA-PKCS1-v1_5':
      if (key.type !== 'rsa') break;
      return rsaPkcs1v15SignDigest(key, a.hash, digest(a.hash, data), rng);
    case 'RSA-PSS':
      if (key.type !== 'rsa') break;
      return rsaPssSignDigest(key, a.hash, digest(a.hash, data), a.saltLength, rng);
    case 'ECDSA': {
      if (key.type !== 'ec') break;
      const curve = nobleCurve(key.curve);
      if (!(key.d instanceof Uint8Array) || key.d.length !== CURVE_BYTES[key.curve]) throw new MailPkiError('ERR_KEY_INVALID', `${key.curve} private scalar must be ${CURVE_BYTES[key.curve]} bytes`);
      // Hash explicitly with the algorithm's hash (noble's prehash would use
      // the curve's default hash), then sign the digest.
      const h = digest(a.hash, data);
      const entropy = rng(CURVE_BYTES[key.curve]);
      try {
        return curve.sign(h, key.d, { prehash: false, lowS: true, format: 'der', extraEntropy: entropy });
      } catch (e) {
        throw new MailPkiError('ERR_KEY_INVALID', `${key.curve} private scalar is out of range`, { cause: e });
      }
    }
    case 'Ed25519':
      if (key.type !== 'ed25519') break;
      if (!(key.seed instanceof Uint8Array) || key.seed.length !== 32) throw new MailPkiError('ERR_KEY_INVALID', 'Ed25519 private key must be 32 bytes');
      return ed25519.sign(data, key.seed);
  }
  /* c8 ignore next */
  throw new TypeError('alg: does not fit the key type');
}

/**
 * Verify a signature over `data`.
 *
 * - PKCS#1 v1.5: strict; the expected encoded message is rebuilt and compared
 *   whole (RFC 8017 8.2.2), DigestInfo with NULL parameters only.
 * - PSS: MGF1 with the same hash and exactly `saltLength` salt bytes.
 * - ECDSA: strict DER `SEQUENCE { r INTEGER, s INTEGER }` (BER forms,
 *   trailing bytes, negative or zero values rejected); high-S accepted.
 * - Ed25519: RFC 8032 5.1.7 strict (canonical S and points; not ZIP-215).
 *
 * @param key - the public key (a private key works too: its public half is used).
 * @param data - the signed message.
 * @param signature - the signature bytes (as {@link sign} makes them).
 * @param alg - the algorithm; default {@link defaultSignatureAlgorithm}(key).
 * @returns true when valid; false for any wrong, malformed or out-of-range
 *   signature (never throws because of the signature bytes).
 * @throws TypeError for non-byte arguments or an `alg` that does not fit the key;
 *   MailPkiError `ERR_ALGORITHM_UNSUPPORTED` / `ERR_WEAK_ALGORITHM` for the algorithm
 *   (including one an RSASSA-PSS key's RFC 4055 restrictions forbid);
 *   `ERR_KEY_UNSUPPORTED` for an opaque key (DSA, X25519, ...);
 *   `ERR_KEY_INVALID` / `ERR_KEY_UNSUPPORTED` for an unusable RSA public key
 *   (exponent not odd in [3, n-1], RFC 8017 3.1; modulus above 16384 bits).
 *   An EC or Ed25519 public key that is not a valid point gives false.
 * @example
 * ```ts
 * if (!verify(issuerKey, cert.tbs, cert.signature, alg)) throw new Error('bad signature');
 * ```
 * @public
 */
export function verify(key: PublicKey | PrivateKey, data: Uint8Array, signature: Uint8Array, alg?: SignatureAlgorithm): boolean {
  checkKeyObject(key, 'key');
  if (!(data instanceof Uint8Array)) throw new TypeError('data: expected a Uint8Array');
  if (!(signature instanceof Uint8Array)) throw new TypeError('signature: expected a Uint8Array');
  const a = checkAlgorithm(alg ?? defaultSignatureAlgorithm(key), key);
  switch (a.name) {
    case 'RSASSA-PKCS1-v1_5':
      if (key.type !== 'rsa') break;
      return rsaPkcs1v15VerifyDigest(key, a.hash, digest(a.hash, data), signature);
    case 'RSA-PSS':
      if (key.type !== 'rsa') break;
      return rsaPssVerifyDigest(key, a.hash, digest(a.hash, data), signature, a.saltLength);
    case 'ECDSA': {
      if (key.type !== 'ec') break;
      const curve = nobleCurve(key.curve);
      const rs = parseEcdsaDer(signature, curve.Point.Fn.ORDER);
      if (!rs || !(key.point instanceof Uint8Array)) return false;
      return ecdsaVerifyDigest(key.curve, key.point, digest(a.hash, data), rs.r, rs.s);
    }
    case 'Ed25519':
      if (key.type !== 'ed25519') break;
      if (signature.length !== 64 || !(key.publicKey instanceof Uint8Array) || key.publicKey.length !== 32) return false;
      try {
        return ed25519.verify(signature, data, key.publicKey, { zip215: false });
      } catch {
        return false;
      }
  }
  /* c8 ignore next */
  throw new TypeError('alg: does not fit the key type');
}

/**
 * Strict DER ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279
 * 2.2.3) with 1 <= r, s < n. Returns null for anything else: BER lengths,
 * non-minimal or negative integers, extra bytes, other tags.
 * @internal
 */
export function parseEcdsaDer(sig: Uint8Array, n: bigint): { r: bigint; s: bigint } | null {
  let pos = 0;
  const readLen = (): number => {
    if (pos >= sig.length) return -1;
    const first = sig[pos++]!;
    if (first < 0x80) return first;
    // X.690 10.1: long form only for lengths >= 128, minimal, definite.
    if (first !== 0x81 && first !== 0x82) return -1;
    const nBytes = first & 0x7f;
    if (pos + nBytes > sig.length) return -1;
    let len = 0;
    for (let i = 0; i < nBytes; i++) len = len * 256 + sig[pos++]!;
    if (len < 0x80 || (nBytes === 2 && len < 0x100)) return -1;
    return len;
  };
  const readInt = (): bigint | null => {
    if (sig[pos++] !== 0x02) return null;
    const len = readLen();
    if (len <= 0 || pos + len > sig.length) return null;
    const b = sig.subarray(pos, pos + len);
    pos += len;
    if (b[0]! & 0x80) return null; // negative
    if (len > 1 && b[0] === 0 && !(b[1]! & 0x80)) return null; // non-minimal
    let v = 0n;
    for (const x of b) v = (v << 8n) | BigInt(x);
    return v;
  };
  if (sig.length < 8 || sig[pos++] !== 0x30) return null;
  const seqLen = readLen();
  if (seqLen < 0 || pos + seqLen !== sig.length) return null;
  const r = readInt();
  if (r === null) return null;
  const s = readInt();
  if (s === null || pos !== sig.length) return null;
  if (r < 1n || r >= n || s < 1n || s >= n) return null;
  return { r, s };
}

function checkKeyObject(key: unknown, what: string): asserts key is UsablePublicKey | PrivateKey {
  const k = key as { kind?: unknown; type?: unknown } | null;
  if (typeof k === 'object' && k !== null && k.kind === 'public' && k.type === 'opaque') {
    const o = k as Extract<PublicKey, { type: 'opaque' }>;
    throw new MailPkiError('ERR_KEY_UNSUPPORTED', `${String(o.algorithm)} keys are not supported for signatures: ${String(o.reason)}`);
  }
  if (typeof k !== 'object' || k === null || (k.kind !== 'public' && k.kind !== 'private') || (k.type !== 'rsa' && k.type !== 'ec' && k.type !== 'ed25519')) {
    throw new TypeError(`${what}: expected a mailpki key object`);
  }
}

const WEAK_HASHES = new Set(['SHA-1', 'SHA1', 'MD5', 'MD2']);

/**
 * Validate `alg` (shape, names, salt) and that it fits the key type. SHA-1
 * and MD5 are refused as weak; other hashes (SHA-224, SHA-3, ...) are not
 * supported.
 */
function checkAlgorithm(alg: SignatureAlgorithm, key: PublicKey | PrivateKey): SignatureAlgorithm {
  if (typeof alg !== 'object' || alg === null) throw new TypeError('alg: expected a SignatureAlgorithm object');
  const name = (alg as { name?: unknown }).name;
  const wantType = name === 'RSASSA-PKCS1-v1_5' || name === 'RSA-PSS' ? 'rsa' : name === 'ECDSA' ? 'ec' : name === 'Ed25519' ? 'ed25519' : null;
  if (wantType === null) throw new MailPkiError('ERR_ALGORITHM_UNSUPPORTED', `unsupported signature algorithm: ${String(name)}`);
  if (alg.name !== 'Ed25519') {
    const hash = (alg as { hash?: unknown }).hash;
    if (typeof hash === 'string' && WEAK_HASHES.has(hash.toUpperCase())) throw new MailPkiError('ERR_WEAK_ALGORITHM', `refusing ${hash} in a signature`);
    if (!isHashName(hash)) throw new MailPkiError('ERR_ALGORITHM_UNSUPPORTED', `unsupported hash: ${String(hash)}`);
  }
  if (alg.name === 'RSA-PSS') {
    const sl = (alg as { saltLength?: unknown }).saltLength;
    if (typeof sl !== 'number' || !Number.isSafeInteger(sl) || sl < 0) throw new RangeError('alg.saltLength: expected a non-negative integer');
  }
  if (key.type !== wantType) throw new TypeError(`alg: ${alg.name} needs ${wantType === 'ec' ? 'an EC' : wantType === 'rsa' ? 'an RSA' : 'an Ed25519'} key, got ${key.type}`);
  if (key.type === 'rsa' && key.pss) checkPssRestrictions(alg, key);
  return alg;
}

/**
 * RFC 4055 3.1: an id-RSASSA-PSS key signs with RSASSA-PSS only; when it has
 * parameters, with its hash, MGF1 over its mask hash (mailpki's RSA-PSS uses
 * MGF1 over the signature hash), and a salt at least as long as its own.
 */
function checkPssRestrictions(alg: SignatureAlgorithm, key: RsaPublicKey | RsaPrivateKey): void {
  const p = key.pss!;
  const refuse = (why: string): never => {
    throw new MailPkiError('ERR_ALGORITHM_UNSUPPORTED', `RSASSA-PSS key restriction (RFC 4055 3.1): ${why}`);
  };
  if (alg.name !== 'RSA-PSS') return refuse(`the key signs with RSA-PSS only, not ${alg.name}`);
  if (p.hash !== undefined && p.hash !== alg.hash) refuse(`the key is for ${p.hash}, not ${alg.hash}`);
  if (p.mgf1Hash !== undefined && p.mgf1Hash !== alg.hash) refuse(`the key's MGF1 hash is ${p.mgf1Hash}, the signature's would be ${alg.hash}`);
  if (p.saltLength !== undefined && alg.saltLength < p.saltLength) refuse(`a salt of ${alg.saltLength} bytes is shorter than the key's minimum of ${p.saltLength}`);
}

