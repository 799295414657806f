/**
 * bigint number theory for RSA: modular exponentiation, inverse, gcd, lcm.
 * Out of scope: primality (prime.ts), key generation (rsa-keygen.ts).
 * Signatures of these functions are a contract shared by RSA signing and key
 * generation; speed-ups must keep them.
 */

/** (a mod m), always in [0, m). @internal */
export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/**
 * base^exp mod m for exp >= 0, m > 0: left-to-right fixed-window (5 bits)
 * exponentiation.
 * @internal
 */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m <= 0n) throw new RangeError('modPow: modulus must be positive');
  if (exp < 0n) throw new RangeError('modPow: negative exponent');
  if (m === 1n) return 0n;
  let b = mod(base, m);
  if (exp < 64n) {
    // small exponents (e = 65537 verification): square-and-multiply
    let r = 1n;
    while (exp > 0n) {
      if (exp & 1n) r = (r * b) % m;
      b = (b * b) % m;
      exp >>= 1n;
    }
    return r;
  }
  const W = 5;
  const table: bigint[] = new Array(1 << W);
  table[0] = 1n;
  table[1] = b;
  for (let i = 2; i < 1 << W; i++) table[i] = (table[i - 1]! * b) % m;
  const bits = exp.toString(2);
  let i = 0;
  const lead = bits.length % W || W;
  let r = table[parseInt(bits.slice(0, lead), 2)]!;
  i = lead;
  for (; i < bits.length; i += W) {
    for (let k = 0; k < W; k++) r = (r * r) % m;
    const w = parseInt(bits.slice(i, i + W), 2);
    if (w) r = (r * table[w]!) % m;
  }
  return r;
}

/** Greatest common divisor of non-negative values. @internal */
export function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Least common multiple. @internal */
export function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

/** a^-1 mod m; RangeError when not invertible. @internal */
export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('modInverse: not invertible');
  return mod(oldS, m);
}
