/**
 * Parallel RSA key generation on Node worker_threads.
 *
 * Every worker searches probable primes (crypto/prime.ts) in a loop and
 * posts each one; the main thread takes the first two that make a valid
 * key (FIPS 186-5 A.1.3 checks in rsaKeyFromPrimes) and stops the others
 * through a shared flag (checked between units of work, so a stop takes at
 * most one modexp). Because a prime search is close to memoryless, two
 * workers finish two primes in about the time one thread needs for one:
 * wall clock ≈ half of the one-thread path on two cores.
 *
 * With an explicit `rng` (e.g. `createSeededRandom`), each worker gets a
 * 32-byte seed drawn from it and the key is taken in a fixed order (first
 * prime of worker 0, then worker 1's), so the same seed gives the same key.
 *
 * EC and Ed25519 keys are cheap and made on the calling thread.
 * Out of scope: browser Web Workers (not built yet).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { generateKeyPair, keyPairOf, validateKeygenOptions, type GenerateKeyPairOptions } from '../keys/generate.js';
import type { KeyPair } from '../keys/types.js';
import { probablePrimeSearch, millerRabinRoundsForRsa, defaultSieveLimit } from '../crypto/prime.js';
import { abortedError, rsaKeyFromPrimes, RSA_E } from '../crypto/rsa-keygen.js';
import { createSeededRandom, systemRandom } from '../crypto/random.js';
import { MailPkiError } from '../errors.js';

const WORKER_TAG = 'mailpki-keygen-worker-v1';

interface JobMessage {
  type: 'job';
  id: number;
  bits: number;
  e: string;
  rounds: number;
  sieveLimit: number;
  seed: Uint8Array | null;
}
type FromWorker = { type: 'prime'; id: number; prime: string } | { type: 'idle'; id: number } | { type: 'failed'; id: number; message: string };

/** The worker side: search primes until the shared flag moves on. */
function workerMain(): void {
  const port = parentPort!;
  const flag = new Int32Array((workerData as { flag: SharedArrayBuffer }).flag);
  port.on('message', (msg: JobMessage) => {
    if (msg.type !== 'job') return;
    try {
      const rng = msg.seed ? createSeededRandom(msg.seed) : systemRandom;
      const stopped = (): boolean => Atomics.load(flag, 0) !== msg.id;
      while (!stopped()) {
        const gen = probablePrimeSearch({ bits: msg.bits, e: BigInt(msg.e), rounds: msg.rounds, rng, sieveLimit: msg.sieveLimit });
        let prime: bigint | null = null;
        for (;;) {
          const r = gen.next();
          if (r.done) {
            prime = r.value;
            break;
          }
          if (stopped()) break;
        }
        if (prime === null) break;
        port.postMessage({ type: 'prime', id: msg.id, prime: prime.toString(16) } satisfies FromWorker);
      }
      port.postMessage({ type: 'idle', id: msg.id } satisfies FromWorker);
    } catch (err) {
      port.postMessage({ type: 'failed', id: msg.id, message: err instanceof Error ? err.message : String(err) } satisfies FromWorker);
    }
  });
}

if (!isMainThread && (workerData as { tag?: unknown } | null)?.tag === WORKER_TAG) workerMain();

/**
 * A worker running this very module. From the built package that is a .js
 * file; when running from source under tsx (tests, `npm run bench`), the
 * worker does not inherit tsx's loader hooks, so it registers them first.
 */
function spawnWorker(data: { tag: string; flag: SharedArrayBuffer }): Worker {
  const self = import.meta.url;
  if (!/\.[cm]?ts$/.test(new URL(self).pathname)) return new Worker(new URL(self), { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(self)}));`;
  return new Worker(code, { eval: true, workerData: data });
}

/** Options of {@link createKeygenPool}. @public */
export interface KeygenPoolOptions {
  /** Number of worker threads (default: available parallelism, at most 4; min 1). */
  workers?: number;
}

/** A pool of key generation workers. @public */
export interface KeygenPool {
  /** Worker count. */
  readonly size: number;
  /**
   * Same contract as `generateKeyPair`; RSA primes are searched in the
   * workers, EC/Ed25519 keys are made on the calling thread.
   */
  generateKeyPair(options: GenerateKeyPairOptions): Promise<KeyPair>;
  /** Terminate the workers (pending jobs reject with ERR_ABORTED). */
  close(): Promise<void>;
}

/**
 * Create a pool of worker threads for RSA key generation. Workers start on
 * the first RSA job and are unref'd while idle (an idle pool never keeps the
 * process alive); jobs run one at a time, each using every worker.
 *
 * @param options - `workers`: thread count (default min(available cores, 4)).
 * @returns the pool; call `close()` when done to free the threads early.
 * @throws RangeError when `workers` is not a positive integer.
 * @example
 * ```ts
 * const pool = createKeygenPool({ workers: 2 });
 * const { privateKey } = await pool.generateKeyPair({ type: 'rsa', bits: 4096 });
 * await pool.close();
 * ```
 * @public
 */
export function createKeygenPool(options: KeygenPoolOptions = {}): KeygenPool {
  const size = options.workers ?? Math.max(1, Math.min(4, availableParallelism()));
  if (!Number.isInteger(size) || size < 1 || size > 64) throw new RangeError('createKeygenPool: workers must be an integer from 1 to 64');
  const flagBuf = new SharedArrayBuffer(4);
  const flag = new Int32Array(flagBuf);
  let workers: Worker[] = [];
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  let current: ((err: Error) => void) | null = null;

  function start(): Worker[] {
    if (workers.length === size) return workers;
    workers = [];
    for (let i = 0; i < size; i++) {
      const w = spawnWorker({ tag: WORKER_TAG, flag: flagBuf });
      w.unref();
      w.on('error', (err) => {
        workers = workers.filter((x) => x !== w);
        current?.(new MailPkiError('ERR_IO', `key generation worker failed: ${err.message}`));
      });
      w.on('exit', () => {
        workers = workers.filter((x) => x !== w);
      });
      workers.push(w);
    }
    return workers;
  }

  function rsaJob(bits: number, seeds: Uint8Array[] | null, signal: AbortSignal | undefined, onProgress?: (p: { phase: string; fraction?: number }) => void): Promise<KeyPair> {
    return new Promise<KeyPair>((resolve, reject) => {
      if (signal?.aborted) return reject(abortedError());
      const ws = start();
      const id = nextId++;
      Atomics.store(flag, 0, id);
      const streams: bigint[][] = ws.map(() => []);
      const arrival: bigint[] = [];
      let done = false;
      const half = bits / 2;
      const finish = (err: Error | null, kp?: KeyPair): void => {
        if (done) return;
        done = true;
        Atomics.store(flag, 0, 0);
        current = null;
        signal?.removeEventListener('abort', onAbort);
        for (const w of ws) {
          w.off('message', handlers.get(w)!);
          w.unref();
        }
        if (err) reject(err);
        else resolve(kp!);
      };
      const onAbort = (): void => finish(abortedError());
      current = (err) => finish(err);
      signal?.addEventListener('abort', onAbort, { once: true });
      onProgress?.({ phase: 'prime-p', fraction: 0 });
      const tryKey = (): void => {
        // seeded: fixed order (stream 0's first prime, then stream 1's in turn); else arrival order
        let p: bigint | undefined;
        let qs: bigint[];
        if (seeds) {
          p = streams[0]![0];
          qs = streams[1 % ws.length]!.slice(ws.length === 1 ? 1 : 0);
        } else {
          p = arrival[0];
          qs = arrival.slice(1);
        }
        if (p === undefined) return;
        if (qs.length === 0) {
          onProgress?.({ phase: 'prime-q', fraction: 0.5 });
          return;
        }
        for (const q of qs) {
          const key = rsaKeyFromPrimes(p, q, RSA_E, bits);
          if (key) {
            onProgress?.({ phase: 'done', fraction: 1 });
            return finish(null, keyPairOf(key));
          }
        }
        // every pair failed a FIPS check (|p - q| or d bound; practically never): drop the last q and keep collecting
        if (seeds) streams[1 % ws.length]!.splice(ws.length === 1 ? 1 : 0, qs.length);
        else arrival.splice(1);
      };
      const handlers = new Map<Worker, (m: FromWorker) => void>();
      ws.forEach((w, i) => {
        const h = (m: FromWorker): void => {
          if (m.id !== id || done) return;
          if (m.type === 'failed') return finish(new MailPkiError('ERR_IO', `key generation worker failed: ${m.message}`));
          if (m.type !== 'prime') return;
          const prime = BigInt('0x' + m.prime);
          streams[i]!.push(prime);
          arrival.push(prime);
          tryKey();
        };
        handlers.set(w, h);
        w.on('message', h);
        w.ref();
        const msg: JobMessage = {
          type: 'job',
          id,
          bits: half,
          e: RSA_E.toString(),
          rounds: millerRabinRoundsForRsa(bits),
          sieveLimit: defaultSieveLimit(half),
          seed: seeds ? seeds[i]! : null,
        };
        w.postMessage(msg);
      });
    });
  }

  return {
    size,
    generateKeyPair(opts: GenerateKeyPairOptions): Promise<KeyPair> {
      try {
        validateKeygenOptions(opts);
      } catch (err) {
        return Promise.reject(err);
      }
      if (closed) return Promise.reject(new MailPkiError('ERR_ABORTED', 'key generation pool is closed'));
      if (opts.type !== 'rsa') return generateKeyPair(opts);
      const seeds = opts.rng ? Array.from({ length: size }, () => opts.rng!(32)) : null;
      const job = queue.then(() => rsaJob(opts.bits, seeds, opts.signal, opts.onProgress));
      queue = job.catch(() => undefined);
      return job;
    },
    async close(): Promise<void> {
      closed = true;
      Atomics.store(flag, 0, 0);
      current?.(abortedError());
      const ws = workers;
      workers = [];
      await Promise.all(ws.map((w) => w.terminate()));
    },
  };
}

const sharedPools = new Map<number, KeygenPool>();

/**
 * `generateKeyPair` with RSA primes searched on worker threads: on two
 * cores an RSA key takes about half the wall-clock time of the one-thread
 * path, and the calling thread stays free. Uses a shared pool per worker
 * count (created on first use, idle workers do not keep the process alive).
 *
 * @param options - as `generateKeyPair`, plus `workers` (default: available
 *   cores, at most 4).
 * @returns the key pair.
 * @throws as `generateKeyPair`; MailPkiError `ERR_IO` if a worker dies.
 * @example
 * ```ts
 * import { generateKeyPairParallel } from 'mailpki/node';
 * const { privateKey } = await generateKeyPairParallel({ type: 'rsa', bits: 4096, workers: 2 });
 * ```
 * @public
 */
export function generateKeyPairParallel(options: GenerateKeyPairOptions & { workers?: number }): Promise<KeyPair> {
  const size = options.workers ?? Math.max(1, Math.min(4, availableParallelism()));
  let pool = sharedPools.get(size);
  if (!pool) {
    pool = createKeygenPool({ workers: size });
    sharedPools.set(size, pool);
  }
  return pool.generateKeyPair(options);
}
