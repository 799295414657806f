/**
 * Probable primes for RSA key generation (FIPS 186-5 A.1.3 with the
 * Miller-Rabin test of B.3 / C.3.1 of FIPS 186-4), tuned for bigint.
 *
 * The search (`probablePrimeSearch`) is a generator so that one driver can
 * run it in slices on a main thread (yielding to the event loop between
 * slices) and another can run it straight through in a worker:
 *
 * 1. draw a random odd start x0 of `bits` bits with the top two bits set
 *    (so x0 >= 0.75·2^bits > sqrt(2)·2^(bits-1), the FIPS 186-5 A.1.3 lower
 *    bound, and n = p·q has exactly 2·bits bits);
 * 2. compute x0 mod p for every odd prime p below the sieve bound once
 *    (primes grouped so each product fits in 2^53: one bigint `%` per group,
 *    then JS-number `%`), turn each residue into "index of the next multiple"
 *    and sieve an interval of odd candidates x0 + 2i (incremental: the next
 *    interval only steps the stored offsets);
 * 3. each survivor x with gcd(x-1, e) = 1 gets a base-2 strong probable-prime
 *    test (squarings only, see modPow2), and only a survivor of that gets the
 *    FIPS 186-5 Table B.1 number of Miller-Rabin rounds with random bases.
 *
 * Deviation, documented: FIPS 186-5 A.1.3 step 4.2 draws a fresh random
 * candidate each time; we scan forward from one random start (as OpenSSL's
 * BN_generate_prime and most libraries do, HAC 4.51). Primes that follow a
 * long gap are slightly more likely; the min-entropy loss is a few bits at
 * most and the search is ~50x cheaper per candidate.
 *
 * Out of scope: assembling the key (rsa-keygen.ts), workers (keys/keygen-pool.ts
 * coordinates sharedPrimeSearch across them).
 */
import type { RandomSource } from './random.js';
import { bytesToBigInt } from '../encoding/bytes.js';
import { bitLen, createReducer, gcd, modPow, modPow2 } from './bigint.js';

/** The largest sieve bound we ever use (primes below it are tabled lazily). */
const MAX_SIEVE_LIMIT = 1 << 23;

/** Odd primes below `tableLimit`, ascending (grown on demand, never shrunk). */
let smallPrimeTable: Int32Array = new Int32Array(0);
let tableLimit = 0;
/** Groups of consecutive table primes whose product is below 2^53: products and first indexes (+ a final end index). */
let groupProducts: bigint[] = [];
let groupStarts: Int32Array = new Int32Array(1);
/**
 * Remainder tree over the groups (two levels): `outerProducts[b]` is the
 * product of groups [b·GROUPS_PER_OUTER, (b+1)·GROUPS_PER_OUTER) and
 * `innerProducts[c]` of groups [c·GROUPS_PER_INNER, ...). Reducing the big
 * start point by an outer product, then by an inner one, makes every
 * per-group `%` a short division: about 3x cheaper residues than one
 * 2048-bit `%` per group (measured), which is what lets the sieve go to 2^22.
 */
const GROUPS_PER_INNER = 8;
const INNER_PER_OUTER = 4;
const GROUPS_PER_OUTER = GROUPS_PER_INNER * INNER_PER_OUTER;
let innerProducts: bigint[] = [];
let outerProducts: bigint[] = [];

/**
 * Make sure the table holds every odd prime below `limit` (Eratosthenes on
 * odd numbers, then the 2^53-bounded group products used for residues).
 * Sized on demand: RSA-2048 needs 2^18 (a few ms), RSA-4096 2^22.
 */
function ensureTable(limit: number): Int32Array {
  if (limit <= tableLimit) return smallPrimeTable;
  const n = Math.max(limit, 1 << 16);
  const half = n >> 1;
  const composite = new Uint8Array(half); // index i <-> 2i+1
  const out = new Int32Array(Math.ceil((1.3 * n) / Math.log(n)) + 16);
  let count = 0;
  for (let i = 1; i < half; i++) {
    if (composite[i]) continue;
    const p = 2 * i + 1;
    out[count++] = p;
    // p·p can pass 2^31: plain arithmetic, not `>> 1` (int32 wrap-around would strike real primes)
    if (p * p < n) for (let j = (p * p - 1) / 2; j < half; j += p) composite[j] = 1;
  }
  const table = out.slice(0, count);
  const prods: bigint[] = [];
  const starts: number[] = [];
  let k = 0;
  while (k < count) {
    starts.push(k);
    let prod = 1;
    while (k < count && prod * table[k]! < 2 ** 53) prod *= table[k++]!;
    prods.push(BigInt(prod));
  }
  starts.push(count);
  groupProducts = prods;
  groupStarts = Int32Array.from(starts);
  innerProducts = [];
  for (let g = 0; g < prods.length; g += GROUPS_PER_INNER) {
    let prod = 1n;
    for (let h = g; h < Math.min(prods.length, g + GROUPS_PER_INNER); h++) prod *= prods[h]!;
    innerProducts.push(prod);
  }
  outerProducts = [];
  for (let c = 0; c < innerProducts.length; c += INNER_PER_OUTER) {
    let prod = 1n;
    for (let h = c; h < Math.min(innerProducts.length, c + INNER_PER_OUTER); h++) prod *= innerProducts[h]!;
    outerProducts.push(prod);
  }
  smallPrimeTable = table;
  tableLimit = n;
  return table;
}

/**
 * The odd primes below `limit` (at most 2^23), ascending.
 * @internal
 */
export function smallPrimes(limit: number): Int32Array {
  const t = ensureTable(Math.min(limit, MAX_SIEVE_LIMIT));
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! < limit) lo = mid + 1;
    else hi = mid;
  }
  return t.subarray(0, lo);
}

/**
 * Miller-Rabin rounds for the primes p, q of an RSA modulus of `nlen` bits:
 * FIPS 186-5 Table B.1, "probable primes" rows, with the error probability
 * matched to the security strength (2^-112 for nlen 2048, 2^-128 for 3072,
 * 2^-144 for 4096): 5, 4 and 4 rounds. These are the values OpenSSL 3 uses
 * too. (The table's 2^-100 column would allow 4, 3 and 2.) The base-2 strong
 * test we run first is a filter and is not counted as one of these rounds:
 * the FIPS rounds use random bases.
 * @internal
 */
export function millerRabinRoundsForRsa(nlen: number): number {
  if (nlen >= 3072) return 4;
  if (nlen >= 2048) return 5;
  // below our minimum key size: FIPS 186-4 C.3 2^-100 values for 512-bit primes
  return 7;
}

/**
 * Strong probable-prime test of odd w > 3 to base b (FIPS 186-4 C.3.1
 * steps 4.3-4.7 for one base). True when w passes (is a strong probable
 * prime to base b).
 * @internal
 */
export function millerRabinBase(w: bigint, b: bigint, red: (x: bigint) => bigint = createReducer(w)): boolean {
  const w1 = w - 1n;
  let m = w1;
  let a = 0;
  while ((m & 1n) === 0n) {
    m >>= 1n;
    a++;
  }
  let z = b === 2n ? modPow2(m, w, red) : modPow(b, m, w);
  if (z === 1n || z === w1) return true;
  for (let j = 1; j < a; j++) {
    z = red(z * z);
    if (z === w1) return true;
    if (z === 1n) return false;
  }
  return false;
}

/**
 * A random base b with 1 < b < w - 1 (FIPS 186-4 C.3.1 steps 4.1-4.2:
 * draw wlen bits, retry when out of range).
 */
function randomBase(w: bigint, wlen: number, rng: RandomSource): bigint {
  const bytes = Math.ceil(wlen / 8);
  const excess = bytes * 8 - wlen;
  for (;;) {
    const buf = rng(bytes);
    buf[0] = buf[0]! & (0xff >> excess);
    const b = bytesToBigInt(buf);
    if (b > 1n && b < w - 1n) return b;
  }
}

/**
 * Probable-prime test: trial division by small primes, a base-2 strong test,
 * then `rounds` Miller-Rabin rounds with random bases from `rng` (FIPS 186-4
 * C.3.1). Error probability for a random input is far below 4^-rounds.
 * @param w - the number to test.
 * @param rounds - random-base Miller-Rabin rounds after the base-2 test.
 * @param rng - source of the random bases.
 * @internal
 */
export function isProbablePrime(w: bigint, rounds: number, rng: RandomSource): boolean {
  if (w < 2n) return false;
  const table = ensureTable(1 << 16);
  if (w < 1n << 16n) {
    const x = Number(w);
    if (x === 2) return true;
    if (x % 2 === 0) return false;
    let lo = 0;
    let hi = table.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (table[mid] === x) return true;
      if (table[mid]! < x) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
  if ((w & 1n) === 0n) return false;
  // trial division by the primes below 2^12 (group products, JS-number %)
  for (let g = 0; g < groupProducts.length; g++) {
    const s = groupStarts[g]!;
    if (table[s]! > 4096) break;
    const r = Number(w % groupProducts[g]!);
    for (let j = s; j < groupStarts[g + 1]!; j++) if (r % table[j]! === 0) return false;
  }
  const red = createReducer(w);
  if (!millerRabinBase(w, 2n, red)) return false;
  const wlen = bitLen(w);
  for (let i = 0; i < rounds; i++) if (!millerRabinBase(w, randomBase(w, wlen, rng), red)) return false;
  return true;
}

/** Options of {@link probablePrimeSearch}. @internal */
export interface PrimeSearchOptions {
  /** Exact bit length of the prime (>= 256). */
  bits: number;
  /** Public exponent: the prime satisfies gcd(p - 1, e) = 1. */
  e: bigint;
  /** Miller-Rabin rounds with random bases (after the base-2 filter). */
  rounds: number;
  rng: RandomSource;
  /** Sieve bound (default: tuned per size, see defaultSieveLimit). */
  sieveLimit?: number;
  /** Odd candidates per sieve interval (default: tuned per size). */
  interval?: number;
}

/** What a search step did (the driver uses it for slicing and progress). */
export type PrimeSearchEvent = 'sieve' | 'candidate' | 'round';

/**
 * Sieve bound per prime size, measured (bench/, `--quick` sweeps): a prime
 * in the table costs one JS-number `%` per interval plus a share of a
 * bigint `%`; it saves the base-2 tests of the candidates it removes. The
 * sweet spot moves up with the cost of a modexp.
 * @internal
 */
export function defaultSieveLimit(bits: number): number {
  if (bits <= 1024) return 1 << 19;
  if (bits <= 1536) return 1 << 20;
  return 1 << 21;
}

/**
 * Expected number of base-2 tests per prime found for this size and sieve
 * bound (for progress estimates): (bits·ln 2 / 2) · prod over odd primes
 * p < B of (1 - 1/p).
 * @internal
 */
export function expectedCandidates(bits: number, sieveLimit: number): number {
  const primes = smallPrimes(sieveLimit);
  let s = 1;
  for (let i = 0; i < primes.length; i++) s *= 1 - 1 / primes[i]!;
  return (bits * Math.LN2 * s) / 2;
}

/**
 * x mod (product of group g) for every group g in [g0, g1) (g0 a multiple of
 * GROUPS_PER_OUTER), through the two-level remainder tree, into out[g].
 * @internal
 */
export function groupResidues(x: bigint, g0: number, g1: number, out: Float64Array): void {
  for (let b = g0 / GROUPS_PER_OUTER; b * GROUPS_PER_OUTER < g1; b++) {
    const y1 = x % outerProducts[b]!;
    for (let c = b * INNER_PER_OUTER; c < (b + 1) * INNER_PER_OUTER && c * GROUPS_PER_INNER < g1; c++) {
      const y2 = y1 % innerProducts[c]!;
      for (let g = c * GROUPS_PER_INNER; g < (c + 1) * GROUPS_PER_INNER && g < g1; g++) out[g] = Number(y2 % groupProducts[g]!);
    }
  }
}

/** Groups per residue chunk between two yields (a multiple of GROUPS_PER_OUTER). */
const RESIDUE_CHUNK = GROUPS_PER_OUTER * 256;

/** A sieve survivor: the candidate and its position in the candidate sequence. @internal */
export interface SieveCandidate {
  x: bigint;
  /** Index of x among all odd numbers scanned from the start (stable across workers). */
  index: number;
}

/**
 * The sieve: yields 'sieve' after each chunk of work and every survivor
 * (a candidate with no factor below the sieve bound) in increasing order.
 * Draws only the start point from `rng` (again only if the scan would run
 * past 2^bits, which practically never happens).
 * @internal
 */
export function* sieveCandidates(bits: number, rng: RandomSource, sieveLimit?: number, interval?: number): Generator<'sieve' | SieveCandidate, never, void> {
  if (!Number.isInteger(bits) || bits < 256) throw new RangeError('probablePrimeSearch: bits must be an integer >= 256');
  const limit = Math.min(sieveLimit ?? defaultSieveLimit(bits), MAX_SIEVE_LIMIT);
  const L = interval ?? (bits <= 1024 ? 2048 : 4096);
  const primes = smallPrimes(limit);
  const np = primes.length;
  const offsets = new Int32Array(np);
  // groups covering the first np primes
  let ng = 0;
  while (groupStarts[ng]! < np) ng++;
  const residues = new Float64Array(ng);
  const marks = new Uint8Array(L);
  const top = 1n << BigInt(bits);
  const bytes = Math.ceil(bits / 8);
  const excess = bytes * 8 - bits;
  const rangeBits = 2n * BigInt(L);

  for (;;) {
    // 1. random odd start with the top two bits set
    const buf = rng(bytes);
    buf[0] = (buf[0]! & (0xff >> excess)) | (0xc0 >> excess);
    buf[bytes - 1] = buf[bytes - 1]! | 1;
    let x0 = bytesToBigInt(buf);
    let base = 0;

    // 2. residues (remainder tree, in chunks) -> offset of the first multiple of each prime
    const table = smallPrimeTable;
    const starts = groupStarts;
    for (let g = 0; starts[g]! < np; g++) {
      if (g % RESIDUE_CHUNK === 0) {
        if (g > 0) yield 'sieve';
        groupResidues(x0, g, Math.min(g + RESIDUE_CHUNK, ng), residues);
      }
      const s = starts[g]!;
      const end = Math.min(starts[g + 1]!, np);
      const r = residues[g]!;
      for (let j = s; j < end; j++) {
        const p = table[j]!;
        // r < 2^53: floor division is exact enough here and far cheaper than float `%`
        let rp = r - Math.floor(r / p) * p;
        if (rp < 0) rp += p;
        else if (rp >= p) rp -= p;
        // x0 + 2i ≡ 0 (mod p)  <=>  2i ≡ t = (p - rp) mod p  <=>  i = t/2 (t even) or (t + p)/2 (t odd)
        const t = rp === 0 ? 0 : p - rp;
        offsets[j] = (t & 1) === 0 ? t >> 1 : (t + p) >> 1;
      }
    }
    yield 'sieve';

    // 3. intervals: mark multiples, step the offsets (incremental sieve)
    while (x0 + rangeBits < top) {
      marks.fill(0);
      for (let j = 0; j < np; j++) {
        const p = primes[j]!;
        let i = offsets[j]!;
        for (; i < L; i += p) marks[i] = 1;
        offsets[j] = i - L;
      }
      yield 'sieve';
      for (let i = 0; i < L; i++) if (!marks[i]) yield { x: x0 + BigInt(2 * i), index: base + i };
      x0 += rangeBits;
      base += L;
    }
    // ran past 2^bits (practically never): start over from a fresh random point
  }
}

/**
 * Full test of a sieve survivor: gcd(x-1, e) = 1 (FIPS 186-5 A.1.3 step
 * 4.5), base-2 strong test, then `rounds` random-base M-R rounds. A
 * generator yielding after each modexp; returns whether x is accepted.
 * @internal
 */
export function* testCandidate(x: bigint, bits: number, e: bigint, rounds: number, rng: RandomSource): Generator<PrimeSearchEvent, boolean, void> {
  if (gcd(x - 1n, e) !== 1n) return false;
  const red = createReducer(x);
  const ok = millerRabinBase(x, 2n, red);
  yield 'candidate';
  if (!ok) return false;
  for (let k = 0; k < rounds; k++) {
    const pass = millerRabinBase(x, randomBase(x, bits, rng), red);
    yield 'round';
    if (!pass) return false;
  }
  return true;
}

/**
 * Search for one probable prime; a generator that yields after every unit
 * of work (a chunk of the residue computation, a sieve interval, a base-2
 * test, a Miller-Rabin round) and returns the prime.
 * @internal
 */
export function* probablePrimeSearch(opts: PrimeSearchOptions): Generator<PrimeSearchEvent, bigint, void> {
  const { bits, e, rounds, rng } = opts;
  for (const c of sieveCandidates(bits, rng, opts.sieveLimit, opts.interval)) {
    if (c === 'sieve') {
      yield 'sieve';
      continue;
    }
    if (yield* testCandidate(c.x, bits, e, rounds, rng)) return c.x;
  }
  throw new Error('unreachable');
}

/**
 * One share of a prime search split over `of` cooperating workers: every
 * worker runs the same sieve (same start from the same seed), worker `share`
 * tests the survivors whose ordinal ≡ share (mod of), and `best` (shared)
 * holds the smallest candidate index found prime so far; a worker stops as
 * soon as its next candidate lies beyond it. The prime taken is the one at
 * the smallest index, the same one a single thread would find: the result is
 * deterministic for a given seed, whatever the timing. Random M-R bases come
 * from `basesFor(index)` so they do not depend on which worker tests.
 * Returns the prime and its index, or null when another worker has the
 * earlier prime (or `stopped()`).
 * @internal
 */
export function* sharedPrimeSearch(opts: {
  bits: number;
  e: bigint;
  rounds: number;
  rng: RandomSource;
  sieveLimit?: number;
  share: number;
  of: number;
  best: () => number;
  /** Publish index as found (keep the smaller of it and the current best). */
  found: (index: number) => void;
  /** Withdraw a published index (only if it is still the best). */
  unfound?: (index: number) => void;
  basesFor: (index: number) => RandomSource;
  stopped: () => boolean;
}): Generator<PrimeSearchEvent, SieveCandidate | null, void> {
  let ordinal = 0;
  // after a withdrawn base-2 survivor, this worker alone covers the rest of the slot
  let solo = false;
  for (const c of sieveCandidates(opts.bits, opts.rng, opts.sieveLimit)) {
    if (opts.stopped()) return null;
    if (c === 'sieve') {
      yield 'sieve';
      continue;
    }
    if (c.index >= opts.best()) return null;
    if (ordinal++ % opts.of !== opts.share && !solo) continue;
    if (gcd(c.x - 1n, opts.e) !== 1n) continue;
    const red = createReducer(c.x);
    const base2 = millerRabinBase(c.x, 2n, red);
    yield 'candidate';
    if (!base2) continue;
    if (c.index >= opts.best()) return null;
    // A base-2 strong probable prime is almost surely prime: publish it now so
    // the other workers move on to the next prime while this one runs the
    // FIPS rounds; withdraw it in the (practically impossible) failing case.
    opts.found(c.index);
    const rng = opts.basesFor(c.index);
    let pass = true;
    for (let k = 0; k < opts.rounds && pass; k++) {
      pass = millerRabinBase(c.x, randomBase(c.x, opts.bits, rng), red);
      yield 'round';
      if (opts.stopped()) return null;
    }
    if (pass) return c;
    opts.unfound?.(c.index);
    solo = true;
  }
  throw new Error('unreachable');
}
