/**
 * Small questions about any key: its public half, equality of public keys,
 * size in bits, a one-line description.
 * Out of scope: encodings (spki.ts and friends), policy (check.ts).
 */
import { bitLength, equalBytes } from '../encoding/bytes.js';
import type { PrivateKey, PublicKey, RsaPssKeyParams, UsablePublicKey } from '../crypto/key-types.js';

const CURVE_BITS = { 'P-256': 256, 'P-384': 384, 'P-521': 521 } as const;

function assertKey(key: unknown, fn: string): asserts key is PrivateKey | PublicKey {
  const k = key as { kind?: unknown; type?: unknown } | null;
  if (!k || typeof k !== 'object' || (k.kind !== 'private' && k.kind !== 'public') || (k.type !== 'rsa' && k.type !== 'ec' && k.type !== 'ed25519' && !(k.type === 'opaque' && k.kind === 'public'))) {
    throw new TypeError(`${fn}: key must be a mailpki key object`);
  }
}

/**
 * The public key of a private key (a public key is returned as is).
 * @example
 * ```ts
 * const pub = getPublicKey(parsePrivateKey(pem));
 * ```
 * @public
 */
export function getPublicKey(key: PrivateKey | UsablePublicKey): UsablePublicKey;
/**
 * The public key of a private key, or any public key (an `opaque` one
 * included) returned as is.
 * @public
 */
export function getPublicKey(key: PrivateKey | PublicKey): PublicKey;
export function getPublicKey(key: PrivateKey | PublicKey): PublicKey {
  assertKey(key, 'getPublicKey');
  if (key.kind === 'public') return key;
  switch (key.type) {
    case 'rsa':
      return { kind: 'public', type: 'rsa', n: key.n, e: key.e, ...(key.pss ? { pss: { ...key.pss } } : {}) };
    case 'ec':
      return { kind: 'public', type: 'ec', curve: key.curve, point: key.point.slice() };
    case 'ed25519':
      return { kind: 'public', type: 'ed25519', publicKey: key.publicKey.slice() };
  }
}

/**
 * True when two keys have the same public key (private keys are compared by
 * their public half), e.g. to match a key file to a certificate.
 * @example
 * ```ts
 * if (!publicKeysEqual(parsePrivateKey(keyPem), cert.publicKey)) throw new Error('key does not match the certificate');
 * ```
 * @public
 */
export function publicKeysEqual(a: PublicKey | PrivateKey, b: PublicKey | PrivateKey): boolean {
  assertKey(a, 'publicKeysEqual');
  assertKey(b, 'publicKeysEqual');
  const x = getPublicKey(a);
  const y = getPublicKey(b);
  if (x.type === 'rsa' && y.type === 'rsa') return x.n === y.n && x.e === y.e && samePss(x.pss, y.pss);
  if (x.type === 'ec' && y.type === 'ec') return x.curve === y.curve && equalBytes(x.point, y.point);
  if (x.type === 'ed25519' && y.type === 'ed25519') return equalBytes(x.publicKey, y.publicKey);
  if (x.type === 'opaque' && y.type === 'opaque') return equalBytes(x.spki, y.spki);
  return false;
}

/** Same RSASSA-PSS restrictions (both absent: two rsaEncryption keys). */
function samePss(a: RsaPssKeyParams | undefined, b: RsaPssKeyParams | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.hash === b.hash && a.mgf1Hash === b.mgf1Hash && a.saltLength === b.saltLength;
}

/**
 * Key size in bits: the RSA modulus length, the EC field size (256, 384,
 * 521), 256 for Ed25519; for an opaque key its `bits` when derivable, else 0.
 * @example
 * ```ts
 * keyBits(parsePublicKey(pem)); // 2048
 * ```
 * @public
 */
export function keyBits(key: PublicKey | PrivateKey): number {
  assertKey(key, 'keyBits');
  switch (key.type) {
    case 'rsa':
      return bitLength(key.n);
    case 'ec':
      return CURVE_BITS[key.curve];
    case 'ed25519':
      return 256;
    case 'opaque':
      return key.bits ?? 0;
  }
}

/**
 * One-line description: `"RSA 2048"`, `"RSA-PSS 2048 (SHA-256, MGF1-SHA-256,
 * salt >= 32)"`, `"EC P-256"`, `"Ed25519"`, and for opaque keys the
 * algorithm with what is known (`"DSA 2048 (L=2048, N=256)"`).
 * @example
 * ```ts
 * describeKey(key); // "EC P-384"
 * ```
 * @public
 */
export function describeKey(key: PublicKey | PrivateKey): string {
  assertKey(key, 'describeKey');
  switch (key.type) {
    case 'rsa':
      return key.pss ? `RSA-PSS ${bitLength(key.n)}${describePss(key.pss)}` : `RSA ${bitLength(key.n)}`;
    case 'ec':
      return `EC ${key.curve}`;
    case 'ed25519':
      return 'Ed25519';
    case 'opaque':
      return `${key.algorithm}${key.bits !== undefined && key.algorithm !== 'X25519' && key.algorithm !== 'X448' && key.algorithm !== 'Ed448' ? ` ${key.bits}` : ''}${key.details ? ` (${key.details})` : ''}`;
  }
}

function describePss(p: RsaPssKeyParams): string {
  const parts = [p.hash, p.mgf1Hash !== undefined ? `MGF1-${p.mgf1Hash}` : undefined, p.saltLength !== undefined ? `salt >= ${p.saltLength}` : undefined].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : ' (no parameter restrictions)';
}
