/**
 * Parallel RSA key generation on Node worker_threads: the runtime-agnostic
 * worker pool of keys/keygen-pool.ts (`createWorkerKeygenPool`) over
 * worker_threads, with the best-index cells and the stop flag in a
 * SharedArrayBuffer (Atomics), so the workers run straight through.
 *
 * The workers cooperate on one prime at a time (see keygen-pool.ts and
 * sharedPrimeSearch in crypto/prime.ts): on two free cores a key takes a
 * little over half the one-thread time, and with an explicit `rng` (e.g.
 * `createSeededRandom`) the key depends only on the seed, not on thread
 * timing or worker count (a different key from the one-thread path's for
 * that seed: the candidate sequence is drawn differently). Without one,
 * the first prime reported is taken at once.
 *
 * Idle workers are unref'd (an idle pool never keeps the process alive);
 * while a job runs they are ref'd. Out of scope: browser Web Workers (the
 * core pool itself, `createWorkerKeygenPool` in `mailpki`).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { GenerateKeyPairOptions } from '../keys/generate.js';
import type { KeyPair } from '../crypto/key-types.js';
import { createWorkerKeygenPool, serveKeygenWorker, type KeygenWorkerEvent, type KeygenWorkerPort } from '../keys/keygen-pool.js';

const WORKER_TAG = 'mailpki-keygen-worker-v3';

if (!isMainThread && (workerData as { tag?: unknown } | null)?.tag === WORKER_TAG) {
  const port = parentPort!;
  serveKeygenWorker({ postMessage: (m) => port.postMessage(m), addEventListener: (_type, listener) => void port.on('message', (data: unknown) => listener({ data })) });
}

/**
 * A worker running this very module. From the built package that is a .js
 * file; when running from source under tsx (tests, `npm run bench`), the
 * worker does not inherit tsx's loader hooks, so it registers them first.
 */
/** Default thread count of both entry points: available cores, at most 4. */
const defaultWorkers = (): number => Math.max(1, Math.min(4, availableParallelism()));

function spawnWorker(): Worker {
  const data = { tag: WORKER_TAG };
  const self = import.meta.url;
  if (!/\.[cm]?ts$/.test(new URL(self).pathname)) return new Worker(new URL(self), { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(self)}));`;
  return new Worker(code, { eval: true, workerData: data });
}

/**
 * A worker_threads Worker as the pool's port: 'message' carries the data,
 * 'error' fires for an uncaught error and for an exit the pool did not ask
 * for. A no-op 'error' listener stays so a late error never crashes the
 * process (Node throws an 'error' event nobody listens to).
 */
function nodePort(w: Worker): KeygenWorkerPort {
  let terminating = false;
  w.on('error', () => undefined);
  const wrapped = new Map<(ev: KeygenWorkerEvent) => void, { type: 'message' | 'error'; fns: [string, (arg: unknown) => void][] }>();
  return {
    postMessage: (m) => w.postMessage(m),
    addEventListener(type, listener) {
      const fns: [string, (arg: unknown) => void][] =
        type === 'message'
          ? [['message', (data: unknown) => listener({ data })]]
          : [
              ['error', (err) => listener({ message: err instanceof Error ? err.message : String(err) })],
              ['exit', (code) => void (terminating || listener({ message: `worker exited with code ${String(code)}` }))],
            ];
      for (const [ev, fn] of fns) w.on(ev, fn);
      wrapped.set(listener, { type, fns });
    },
    removeEventListener(type, listener) {
      const entry = wrapped.get(listener);
      if (!entry || entry.type !== type) return;
      for (const [ev, fn] of entry.fns) w.off(ev, fn);
      wrapped.delete(listener);
    },
    terminate: () => {
      terminating = true;
      return w.terminate();
    },
  };
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
  const size = options.workers ?? defaultWorkers();
  if (!Number.isInteger(size) || size < 1 || size > 64) throw new RangeError('createKeygenPool: workers must be an integer from 1 to 64');
  const live = new Set<Worker>();
  let active = 0;
  const core = createWorkerKeygenPool({
    workers: size,
    sharedMemory: true,
    createWorker: () => {
      const w = spawnWorker();
      if (active === 0) w.unref();
      live.add(w);
      w.on('exit', () => live.delete(w));
      return nodePort(w);
    },
  });
  return {
    size,
    async generateKeyPair(opts: GenerateKeyPairOptions): Promise<KeyPair> {
      if (opts?.type !== 'rsa') return core.generateKeyPair(opts);
      // a running (or queued) job keeps the process alive until it settles
      if (active++ === 0) for (const w of live) w.ref();
      try {
        return await core.generateKeyPair(opts);
      } finally {
        if (--active === 0) for (const w of live) w.unref();
      }
    },
    close: () => core.close(),
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
  const size = options.workers ?? defaultWorkers();
  let pool = sharedPools.get(size);
  if (!pool) {
    pool = createKeygenPool({ workers: size });
    sharedPools.set(size, pool);
  }
  return pool.generateKeyPair(options);
}
