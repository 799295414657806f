// Shared by the keygen tests: every FIPS 186-5 A.1.3 / RFC 8017 property of
// an RSA private key, checked with code independent of src/ (node:crypto is
// the primality and key-consistency oracle).
import assert from 'node:assert/strict';
import { checkPrimeSync, createPrivateKey } from 'node:crypto';
import type { RsaPrivateKey } from '../../src/index.js';

export const b64u = (n: bigint): string => {
  let h = n.toString(16);
  if (h.length % 2) h = '0' + h;
  return Buffer.from(h, 'hex').toString('base64url');
};
export const bitLength = (n: bigint): number => n.toString(2).length;

/** Every FIPS 186-5 A.1.3 / RFC 8017 property of an RSA private key, checked with independent code. */
export function assertRsaKey(k: RsaPrivateKey, bits: number): void {
  assert.equal(k.e, 65537n);
  assert.equal(bitLength(k.n), bits, 'n has exactly `bits` bits');
  assert.equal(k.n, k.p * k.q);
  assert.ok(k.p > k.q, 'p > q (OpenSSL convention)');
  assert.ok(checkPrimeSync(k.p, { checks: 32 }), 'p prime (node:crypto)');
  assert.ok(checkPrimeSync(k.q, { checks: 32 }), 'q prime (node:crypto)');
  assert.equal(bitLength(k.p), bits / 2);
  assert.equal(bitLength(k.q), bits / 2);
  assert.ok(k.p - k.q > 1n << BigInt(bits / 2 - 100), '|p - q| > 2^(nlen/2 - 100)');
  const lam = ((k.p - 1n) * (k.q - 1n)) / gcdRef(k.p - 1n, k.q - 1n);
  assert.equal((k.e * k.d) % lam, 1n, 'e·d ≡ 1 mod λ(n)');
  assert.ok(k.d > 1n << BigInt(bits / 2) && k.d < lam, '2^(nlen/2) < d < λ(n)');
  assert.equal(k.dp, k.d % (k.p - 1n));
  assert.equal(k.dq, k.d % (k.q - 1n));
  assert.equal((k.qi * k.q) % k.p, 1n, 'qi = q^-1 mod p');
  // node:crypto (OpenSSL) accepts it and it round-trips a signature-sized modexp
  const key = createPrivateKey({
    key: { kty: 'RSA', n: b64u(k.n), e: b64u(k.e), d: b64u(k.d), p: b64u(k.p), q: b64u(k.q), dp: b64u(k.dp), dq: b64u(k.dq), qi: b64u(k.qi) },
    format: 'jwk',
  });
  assert.equal(key.asymmetricKeyDetails?.modulusLength, bits);
}
export function gcdRef(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

