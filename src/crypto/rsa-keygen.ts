/**
 * RSA key generation, FIPS 186-5 Appendix A.1.3 (random probable primes),
 * on bigint. Prime search lives in prime.ts; this file checks the pair and
 * assembles the private key, and drives the search in event-loop-friendly
 * slices.
 *
 * Conventions (as OpenSSL): p > q, dp = d mod (p-1), dq = d mod (q-1),
 * qi = q^-1 mod p (RFC 8017 3.2 "coefficient"). d = e^-1 mod λ(n), λ(n) =
 * lcm(p-1, q-1) (FIPS 186-5 A.1.1 / 5.1, so d < λ(n) and d > 2^(nlen/2)).
 *
 * Out of scope: workers (keys/keygen-pool.ts, src/node/keygen-workers.ts),
 * encodings.
 */
import type { RsaPrivateKey } from './key-types.js';
import type { RandomSource } from './random.js';
import { MailPkiError } from '../errors.js';
import { bitLen, lcm, modInverse } from './bigint.js';
import {
  defaultSieveLimit,
  expectedCandidates,
  millerRabinRoundsForRsa,
  probablePrimeSearch,
  type PrimeSearchEvent,
} from './prime.js';

/** Our public exponent (FIPS 186-5 5.4 (e): 2^16 < e < 2^256, odd). @internal */
export const RSA_E = 65537n;

/** Key sizes we generate (FIPS 186-5 A.1.1 sizes; new keys are >= 2048). @internal */
export const RSA_KEYGEN_SIZES: readonly number[] = [2048, 3072, 4096];

/** Progress report of a key generation. @public */
export interface KeygenProgress {
  /** 'prime-p', 'prime-q', 'key' (assembling) or 'done'. */
  phase: string;
  /** Estimated completion, 0..1 (an estimate: prime search time is random). */
  fraction?: number;
}

/**
 * The FIPS 186-5 A.1.3 checks on a pair of primes and the key they make, or
 * `null` when a check fails (the caller draws new primes):
 * - |p - q| > 2^(nlen/2 - 100) (step 5.4);
 * - n has exactly nlen bits;
 * - d = e^-1 mod lcm(p-1, q-1) and d > 2^(nlen/2) (A.1.1 / 5.1 step 3.b).
 * gcd(p-1, e) = gcd(q-1, e) = 1 was checked during the search.
 * @internal
 */
export function rsaKeyFromPrimes(a: bigint, b: bigint, e: bigint, nlen: number): RsaPrivateKey | null {
  const p = a > b ? a : b;
  const q = a > b ? b : a;
  const half = BigInt(nlen / 2);
  if (p - q <= 1n << (half - 100n)) return null;
  const n = p * q;
  if (bitLen(n) !== nlen) return null;
  const p1 = p - 1n;
  const q1 = q - 1n;
  let d: bigint;
  try {
    d = modInverse(e, lcm(p1, q1));
  } catch {
    return null;
  }
  if (d <= 1n << half) return null;
  return { kind: 'private', type: 'rsa', n, e, d, p, q, dp: d % p1, dq: d % q1, qi: modInverse(q, p) };
}

/** Options of {@link rsaKeygenSteps}. @internal */
export interface RsaKeygenStepsOptions {
  bits: number;
  rng: RandomSource;
  onProgress?: ((p: KeygenProgress) => void) | undefined;
  /** Override the sieve bound (benchmarks, tests). */
  sieveLimit?: number | undefined;
}

/**
 * One RSA key, as a generator that yields after each unit of work (see
 * probablePrimeSearch); `runSliced` drives it on a main thread, a plain
 * loop drives it anywhere else.
 * @internal
 */
export function* rsaKeygenSteps(opts: RsaKeygenStepsOptions): Generator<PrimeSearchEvent, RsaPrivateKey, void> {
  const { bits, rng, onProgress } = opts;
  if (!RSA_KEYGEN_SIZES.includes(bits)) throw new RangeError(`RSA key size must be one of ${RSA_KEYGEN_SIZES.join(', ')} (got ${String(bits)})`);
  const half = bits / 2;
  const sieveLimit = opts.sieveLimit ?? defaultSieveLimit(half);
  const search = { bits: half, e: RSA_E, rounds: millerRabinRoundsForRsa(bits), rng, sieveLimit };
  const expected = onProgress ? expectedCandidates(half, sieveLimit) : 1;
  for (;;) {
    const primes: bigint[] = [];
    for (const phase of ['prime-p', 'prime-q'] as const) {
      const base = phase === 'prime-p' ? 0 : 0.5;
      onProgress?.({ phase, fraction: base });
      const gen = probablePrimeSearch(search);
      let tested = 0;
      for (;;) {
        const r = gen.next();
        if (r.done) {
          primes.push(r.value);
          break;
        }
        if (r.value === 'candidate' && onProgress) {
          tested++;
          onProgress({ phase, fraction: base + 0.5 * Math.min(0.95, tested / expected) });
        }
        yield r.value;
      }
    }
    onProgress?.({ phase: 'key', fraction: 0.99 });
    const key = rsaKeyFromPrimes(primes[0]!, primes[1]!, RSA_E, bits);
    if (key) {
      onProgress?.({ phase: 'done', fraction: 1 });
      return key;
    }
  }
}

/** An `ERR_ABORTED` error for a fired signal. @internal */
export function abortedError(): MailPkiError {
  return new MailPkiError('ERR_ABORTED', 'key generation aborted');
}

const now: () => number =
  typeof performance !== 'undefined' && typeof performance.now === 'function' ? () => performance.now() : () => Date.now();

/**
 * Let the event loop run: setImmediate where it exists (Node: runs after
 * pending I/O and timers, microseconds of overhead), else a MessageChannel
 * message (browsers: a task, not clamped like nested setTimeout), else
 * setTimeout(0).
 * @internal
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof g.MessageChannel === 'function') {
    return new Promise((resolve) => {
      const ch = new g.MessageChannel!();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Default slice length: well under the ~50 ms "long task" bound of
 * browsers, since one unit of work (a 2048-bit modexp) can add ~15 ms.
 * @internal
 */
export const DEFAULT_SLICE_MS = 20;

/**
 * Run a step generator to completion, yielding to the event loop whenever a
 * slice has run `sliceMs` or longer, and rejecting with `ERR_ABORTED` as
 * soon as `signal` fires (checked between units of work).
 * @internal
 */
export async function runSliced<T>(gen: Generator<unknown, T, void>, signal?: AbortSignal, sliceMs = DEFAULT_SLICE_MS): Promise<T> {
  if (signal?.aborted) throw abortedError();
  let start = now();
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
    if (now() - start >= sliceMs) {
      await yieldToEventLoop();
      if (signal?.aborted) {
        gen.return(undefined as never);
        throw abortedError();
      }
      start = now();
    }
  }
}

/** Run a step generator straight through (workers, benchmarks). @internal */
export function runToEnd<T>(gen: Generator<unknown, T, void>): T {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}
