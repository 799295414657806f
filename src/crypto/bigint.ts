/**
 * bigint number theory for RSA: modular exponentiation, inverse, gcd, lcm.
 * Out of scope: primality (prime.ts), key generation (rsa-keygen.ts).
 * Signatures of these functions are a contract shared by RSA signing and key
 * generation; speed-ups must keep them.
 *
 * Speed notes (measured on the 2-core bench machine, Node 20; see
 * bench/results/latest.md): V8 multiplies 2048-bit bigints schoolbook and
 * divides schoolbook, and every operation allocates. For moduli of 768 bits
 * and more, a "folding" reduction (x = xh·2^H + xl with H = 1.5k, x ≡
 * xh·(2^H mod m) + xl) before the `%` turns the 2k-by-k division into a
 * cheaper 1.5k-by-k one: about 10-15% faster for 2048-bit moduli than a bare
 * `%`. Barrett (two more full multiplications) and Montgomery (three) were
 * both slower than `%` here.
 */

/** (a mod m), always in [0, m). @internal */
export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Number of bits of a positive bigint (0 for 0). @internal */
export function bitLen(n: bigint): number {
  if (n <= 0n) return 0;
  // toString(16) is the cheapest exact bit-length in V8 for big values
  const h = n.toString(16);
  return (h.length - 1) * 4 + (32 - Math.clz32(parseInt(h[0]!, 16)));
}

/** Below this many modulus bits the fold costs more than it saves (measured). */
const FOLD_MIN_BITS = 768;

/**
 * A reducer for products of two residues mod `m` (inputs in [0, 2·m²)).
 * Returns (x mod m). Uses the fold described in the file header for big
 * moduli, a bare `%` otherwise.
 * @internal
 */
export function createReducer(m: bigint): (x: bigint) => bigint {
  const k = bitLen(m);
  if (k < FOLD_MIN_BITS) return (x) => x % m;
  const H = BigInt(Math.ceil((3 * k) / 2));
  const R = (1n << H) % m;
  const mask = (1n << H) - 1n;
  return (x) => ((x >> H) * R + (x & mask)) % m;
}

/**
 * base^exp mod m for exp >= 0, m > 0: left-to-right fixed-window
 * exponentiation (window 5 bits for exponents up to ~1536 bits, 6 above:
 * fewest multiplications counted for each size), with the fold reducer.
 * @internal
 */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m <= 0n) throw new RangeError('modPow: modulus must be positive');
  if (exp < 0n) throw new RangeError('modPow: negative exponent');
  if (m === 1n) return 0n;
  let b = mod(base, m);
  if (exp < 1n << 64n) {
    // small exponents (e = 65537 verification): square-and-multiply
    let r = 1n;
    while (exp > 0n) {
      if (exp & 1n) r = (r * b) % m;
      exp >>= 1n;
      if (exp > 0n) b = (b * b) % m;
    }
    return r;
  }
  const red = createReducer(m);
  const bits = exp.toString(2);
  const W = bits.length > 1536 ? 6 : bits.length > 160 ? 5 : 4;
  const table: bigint[] = new Array(1 << W);
  table[0] = 1n;
  table[1] = b;
  for (let i = 2; i < 1 << W; i++) table[i] = red(table[i - 1]! * b);
  const lead = bits.length % W || W;
  let r = table[parseInt(bits.slice(0, lead), 2)]!;
  for (let i = lead; i < bits.length; i += W) {
    for (let k = 0; k < W; k++) r = red(r * r);
    const w = parseInt(bits.slice(i, i + W), 2);
    if (w) r = red(r * table[w]!);
  }
  return r;
}

/**
 * 2^exp mod m for odd m > 2: binary left-to-right where the "multiply by the
 * base" step is a shift and one conditional subtraction, so the cost is one
 * squaring per exponent bit and nothing else (about 1/6 less than a general
 * 5-bit-window modPow). The base-2 Miller-Rabin pre-test in prime.ts uses it.
 * @internal
 */
export function modPow2(exp: bigint, m: bigint, red: (x: bigint) => bigint = createReducer(m)): bigint {
  if (exp === 0n) return 1n % m;
  const bits = exp.toString(2);
  // start with the leading bits as a plain power of two while it stays below m
  let i = 0;
  let e0 = 0;
  const limit = bitLen(m) - 1;
  while (i < bits.length && e0 * 2 + 1 < limit) {
    e0 = e0 * 2 + (bits.charCodeAt(i) - 48);
    i++;
  }
  let r = 1n << BigInt(e0);
  for (; i < bits.length; i++) {
    // doubling folded into the reduction: red accepts x < 2·m² (the fold's high part grows by one bit)
    r = bits.charCodeAt(i) === 49 ? red((r * r) << 1n) : red(r * r);
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
