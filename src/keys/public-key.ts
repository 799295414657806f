/**
 * Small questions about any key: its public half, equality of public keys,
 * size in bits, a one-line description.
 * Out of scope: encodings (spki.ts and friends), policy (check.ts).
 */
import { bitLength, equalBytes } from '../encoding/bytes.js';
import type { PrivateKey, PublicKey } from './types.js';

const CURVE_BITS = { 'P-256': 256, 'P-384': 384, 'P-521': 521 } as const;

function assertKey(key: unknown, fn: string): asserts key is PrivateKey | PublicKey {
  const k = key as { kind?: unknown; type?: unknown } | null;
  if (!k || typeof k !== 'object' || (k.kind !== 'private' && k.kind !== 'public') || (k.type !== 'rsa' && k.type !== 'ec' && k.type !== 'ed25519')) {
    throw new TypeError(`${fn}: key must be an RSA, EC or Ed25519 key object`);
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
export function getPublicKey(key: PrivateKey | PublicKey): PublicKey {
  assertKey(key, 'getPublicKey');
  if (key.kind === 'public') return key;
  switch (key.type) {
    case 'rsa':
      return { kind: 'public', type: 'rsa', n: key.n, e: key.e };
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
  if (x.type === 'rsa' && y.type === 'rsa') return x.n === y.n && x.e === y.e;
  if (x.type === 'ec' && y.type === 'ec') return x.curve === y.curve && equalBytes(x.point, y.point);
  if (x.type === 'ed25519' && y.type === 'ed25519') return equalBytes(x.publicKey, y.publicKey);
  return false;
}

/**
 * Key size in bits: the RSA modulus length, the EC field size (256, 384,
 * 521), 256 for Ed25519.
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
  }
}

/**
 * One-line description: `"RSA 2048"`, `"EC P-256"`, `"Ed25519"`.
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
      return `RSA ${bitLength(key.n)}`;
    case 'ec':
      return `EC ${key.curve}`;
    case 'ed25519':
      return 'Ed25519';
  }
}
