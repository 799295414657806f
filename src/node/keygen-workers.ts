/**
 * Parallel RSA key generation on Node worker_threads.
 *
 * The workers cooperate on one prime at a time: each runs the same sieve
 * (same random start, from a per-job seed) and tests its share of the
 * survivors (ordinal mod W); the first prime in candidate order wins (see
 * sharedPrimeSearch in crypto/prime.ts), then all move on to the next prime.
 * On two free cores a key takes a little over half the one-thread time, and
 * with an explicit `rng` (e.g. `createSeededRandom`) the main thread waits
 * for every worker's share, so the key depends only on the seed, not on
 * thread timing or worker count (a different key from the one-thread path's
 * for that seed: the candidate sequence is drawn differently). Without one,
 * the first prime reported is taken at once.
 *
 * The FIPS 186-5 A.1.3 pair checks run on the calling thread
 * (rsaKeyFromPrimes). EC and Ed25519 keys are cheap and made on the calling
 * thread. Out of scope: browser Web Workers (not built yet).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { generateKeyPair, keyPairOf, validateKeygenOptions, type GenerateKeyPairOptions } from '../keys/generate.js';
import type { KeyPair } from '../keys/types.js';
import { sharedPrimeSearch, millerRabinRoundsForRsa, defaultSieveLimit } from '../crypto/prime.js';
import { abortedError, rsaKeyFromPrimes, RSA_E } from '../crypto/rsa-keygen.js';
import { createSeededRandom, systemRandom } from '../crypto/random.js';
import { MailPkiError } from '../errors.js';
import { concatBytes, utf8 } from '../encoding/bytes.js';

const WORKER_TAG = 'mailpki-keygen-worker-v2';
/** Prime slots per job (slot 0 = p, 1 = q, more only if a pair fails a FIPS check). */
const SLOTS = 16;
const NONE = 0x7fffffff;

interface JobMessage {
  type: 'job';
  id: number;
  bits: number;
  e: string;
  rounds: number;
  sieveLimit: number;
  seed: Uint8Array;
  share: number;
  of: number;
  /** Per-job cells: smallest prime index found per slot (a fresh buffer per job, so a stale worker cannot touch it). */
  best: SharedArrayBuffer;
}
type FromWorker =
  | { type: 'slot'; id: number; slot: number; prime: string | null; index: number }
  | { type: 'failed'; id: number; message: string };

const seedFor = (seed: Uint8Array, label: string): Uint8Array => concatBytes(seed, utf8(label));

/** The worker side: work through prime slots until the job flag moves on. */
function workerMain(): void {
  const port = parentPort!;
  const shared = new Int32Array((workerData as { flag: SharedArrayBuffer }).flag);
  port.on('message', (msg: JobMessage) => {
    if (msg.type !== 'job') return;
    try {
      const stopped = (): boolean => Atomics.load(shared, 0) !== msg.id;
      const cells = new Int32Array(msg.best);
      for (let slot = 0; slot < SLOTS && !stopped(); slot++) {
        const cell = slot;
        const gen = sharedPrimeSearch({
          bits: msg.bits,
          e: BigInt(msg.e),
          rounds: msg.rounds,
          rng: createSeededRandom(seedFor(msg.seed, `:start:${slot}`)),
          sieveLimit: msg.sieveLimit,
          share: msg.share,
          of: msg.of,
          best: () => Atomics.load(cells, cell),
          found: (index) => {
            for (;;) {
              const cur = Atomics.load(cells, cell);
              if (index >= cur || Atomics.compareExchange(cells, cell, cur, index) === cur) return;
            }
          },
          unfound: (index) => void Atomics.compareExchange(cells, cell, index, NONE),
          basesFor: (index) => createSeededRandom(seedFor(msg.seed, `:bases:${slot}:${index}`)),
          stopped,
        });
        let r = gen.next();
        while (!r.done) r = gen.next();
        if (stopped()) break;
        port.postMessage({ type: 'slot', id: msg.id, slot, prime: r.value ? r.value.x.toString(16) : null, index: r.value ? r.value.index : NONE } satisfies FromWorker);
      }
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
    // a worker died: start a fresh set (terminate the survivors, they may hold a stale job)
    for (const w of workers) void w.terminate();
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

  function rsaJob(bits: number, seed: Uint8Array, exact: boolean, signal: AbortSignal | undefined, onProgress?: (p: { phase: string; fraction?: number }) => void): Promise<KeyPair> {
    return new Promise<KeyPair>((resolve, reject) => {
      if (signal?.aborted) return reject(abortedError());
      const ws = start();
      const id = nextId++;
      const best = new SharedArrayBuffer(4 * SLOTS);
      new Int32Array(best).fill(NONE);
      Atomics.store(flag, 0, id);
      const reports: { count: number; prime: bigint | null; index: number }[] = Array.from({ length: SLOTS }, () => ({ count: 0, prime: null, index: NONE }));
      const primes: bigint[] = [];
      let done = false;
      const handlers = new Map<Worker, (m: FromWorker) => void>();
      const finish = (err: Error | null, kp?: KeyPair): void => {
        if (done) return;
        done = true;
        Atomics.store(flag, 0, 0);
        current = null;
        signal?.removeEventListener('abort', onAbort);
        for (const w of ws) {
          const h = handlers.get(w);
          if (h) w.off('message', h);
          w.unref();
        }
        if (err) reject(err);
        else resolve(kp!);
      };
      const onAbort = (): void => finish(abortedError());
      current = (err) => finish(err);
      signal?.addEventListener('abort', onAbort, { once: true });
      onProgress?.({ phase: 'prime-p', fraction: 0 });
      const onSlot = (m: Extract<FromWorker, { type: 'slot' }>): void => {
        const rep = reports[m.slot]!;
        rep.count++;
        if (m.prime !== null && m.index < rep.index) {
          rep.prime = BigInt('0x' + m.prime);
          rep.index = m.index;
        }
        // slots resolve in order. `exact` (an rng was given): wait for every
        // worker, so the prime is the first in candidate order whatever the
        // timing. Otherwise the first prime reported is taken at once: on a
        // busy machine a descheduled worker does not hold the key back.
        const ready = (r: { count: number; prime: bigint | null }): boolean => r.count === ws.length || (!exact && r.prime !== null);
        while (primes.length < SLOTS && ready(reports[primes.length]!)) {
          const r = reports[primes.length]!;
          if (r.prime === null) return finish(new MailPkiError('ERR_IO', 'key generation workers returned no prime'));
          primes.push(r.prime);
          if (primes.length === 1) {
            onProgress?.({ phase: 'prime-q', fraction: 0.5 });
            continue;
          }
          const key = rsaKeyFromPrimes(primes[0]!, r.prime, RSA_E, bits);
          if (key) {
            onProgress?.({ phase: 'done', fraction: 1 });
            return finish(null, keyPairOf(key));
          }
          // |p - q| or d bound failed (practically never): the next slot gives another q
        }
        if (primes.length === SLOTS) finish(new MailPkiError('ERR_IO', 'key generation: no valid prime pair'));
      };
      ws.forEach((w, i) => {
        const h = (m: FromWorker): void => {
          if (m.id !== id || done) return;
          if (m.type === 'failed') return finish(new MailPkiError('ERR_IO', `key generation worker failed: ${m.message}`));
          onSlot(m);
        };
        handlers.set(w, h);
        w.on('message', h);
        w.ref();
        const msg: JobMessage = {
          type: 'job',
          id,
          bits: bits / 2,
          e: RSA_E.toString(),
          rounds: millerRabinRoundsForRsa(bits),
          sieveLimit: defaultSieveLimit(bits / 2),
          seed,
          share: i,
          of: ws.length,
          best,
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
      const seed = (opts.rng ?? systemRandom)(32);
      const job = queue.then(() => rsaJob(opts.bits, seed, opts.rng !== undefined, opts.signal, opts.onProgress));
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
