/**
 * RSA key generation on several workers, in any runtime: browser Web
 * Workers, Node worker_threads (`createKeygenPool` in `mailpki/node` is this
 * pool over worker_threads), or anything that passes structured-clone
 * messages. The calling thread only coordinates (and runs the FIPS 186-5
 * A.1.3 pair checks in rsaKeyFromPrimes); EC and Ed25519 keys are made on
 * the calling thread.
 *
 * The workers cooperate on one prime at a time: each runs the same sieve
 * (same random start, from a per-job seed) and tests its share of the
 * survivors (ordinal mod W); the first prime in candidate order wins (see
 * sharedPrimeSearch in crypto/prime.ts), then all move on to the next prime
 * "slot" (0 = p, 1 = q, more only if a pair fails a check). What they share
 * per slot is one number, the smallest candidate index found prime so far,
 * plus a stop flag. Two ways to share it:
 * - shared memory (a SharedArrayBuffer in the job, read and written with
 *   Atomics): Node, and cross-origin-isolated pages. Workers run straight
 *   through and see a new best index at once.
 * - messages (no SharedArrayBuffer: a file:// page, any page that is not
 *   cross-origin isolated): a worker posts each index it finds, the pool
 *   relays it to the others, and "stop" is a message too. Each worker runs
 *   its search in slices (~2 ms) so those messages get through.
 * Either way the cut-off only skips candidates beyond a genuine find, so
 * with an explicit `rng` (exact mode: the pool waits for every worker's
 * share of a slot) the key depends only on the seed, not on timing, worker
 * count or sharing mode. Without one, the first prime reported is taken.
 *
 * Out of scope: starting workers (the caller's `createWorker`: a bundle's
 * URL, a blob: URL of the page's own script, a worker_threads file), the
 * one-thread path (generate.ts).
 */
import { generateKeyPair, keyPairOf, validateKeygenOptions, type GenerateKeyPairOptions } from './generate.js';
import type { KeyPair } from './types.js';
import { sharedPrimeSearch, millerRabinRoundsForRsa, defaultSieveLimit, expectedCandidates, type PrimeSearchEvent } from '../crypto/prime.js';
import { abortedError, rsaKeyFromPrimes, runSliced, runToEnd, RSA_E, type KeygenProgress } from '../crypto/rsa-keygen.js';
import { createSeededRandom, systemRandom } from '../crypto/random.js';
import { MailPkiError } from '../errors.js';
import { concatBytes, utf8 } from '../encoding/bytes.js';

/** Tag on every message of this protocol (the worker may serve other messages too). */
const PROTOCOL = 'mailpki-keygen-v3';
/** Prime slots per job (slot 0 = p, 1 = q, more only if a pair fails a FIPS check). */
const SLOTS = 16;
/** Cell value "no prime found yet" (larger than any candidate index). */
const NONE = 0x7fffffff;
/** Index of the stop flag, after the SLOTS best-index cells. */
const STOP = SLOTS;
/**
 * Slice length of a worker in message mode: how long (plus one unit of
 * work, ~1.5-3 ms for a 1024-bit base-2 test) a worker may miss another's
 * find or a stop, testing candidates past it. A yield costs one task
 * (measured 0.036 ms in a Chromium worker): ~1.5% at 2 ms.
 */
const WORKER_SLICE_MS = 2;

/** An event a {@link KeygenWorkerPort} delivers: `data` for 'message', `message` for 'error'. @public */
export interface KeygenWorkerEvent {
  /** The message (structured clone) of a 'message' event. */
  readonly data?: unknown;
  /** What went wrong, for an 'error' event. */
  readonly message?: string;
  /** Called on 'error' events when present (a browser then does not report the error as uncaught). */
  preventDefault?(): void;
}

/**
 * The pool's side of one worker. A browser `Worker` fits as is; Node's
 * `worker_threads.Worker` needs a small adapter (mailpki/node has it).
 * @public
 */
export interface KeygenWorkerPort {
  /** Send a message (structured clone) to the worker. */
  postMessage(message: unknown): void;
  /** Listen for the worker's messages ('message') and for its failure to start or crash ('error'). */
  addEventListener(type: 'message' | 'error', listener: (event: KeygenWorkerEvent) => void): void;
  /** Stop listening (the pool detaches from a worker before terminating it). */
  removeEventListener(type: 'message' | 'error', listener: (event: KeygenWorkerEvent) => void): void;
  /** Stop the worker now (may return a promise). */
  terminate(): unknown;
}

/**
 * The worker's side: its global scope in a browser worker (`self`), or an
 * adapter over Node's `parentPort`.
 * @public
 */
export interface KeygenWorkerScope {
  /** Send a message to the pool. */
  postMessage(message: unknown): void;
  /** Listen for the pool's messages (`event.data`). */
  addEventListener(type: 'message', listener: (event: { readonly data?: unknown }) => void): void;
}

/** Options of {@link createWorkerKeygenPool}. @public */
export interface WorkerKeygenPoolOptions {
  /**
   * Start one worker whose script calls {@link serveKeygenWorker}. Called on
   * the first RSA job, `workers` times (again for a fresh set after a
   * worker failed). May throw (the job then rejects with `ERR_IO`).
   */
  createWorker: () => KeygenWorkerPort;
  /** Worker count, 1 to 64 (default: `navigator.hardwareConcurrency`, at most 4; 2 when unknown). */
  workers?: number;
  /**
   * Share the best indexes through a SharedArrayBuffer (default: when the
   * runtime has one and is cross-origin isolated; Node always). `false`
   * forces the message relay.
   */
  sharedMemory?: boolean;
}

/** A pool of key generation workers (see {@link createWorkerKeygenPool}). @public */
export interface WorkerKeygenPool {
  /** Worker count. */
  readonly size: number;
  /** Whether the workers share memory (SharedArrayBuffer) or relay messages. */
  readonly sharedMemory: boolean;
  /**
   * Same contract as `generateKeyPair` (validation, `signal` →
   * `ERR_ABORTED`, `onProgress` phases prime-p / prime-q / done); RSA
   * primes are searched in the workers, EC/Ed25519 keys are made on the
   * calling thread. Jobs run one at a time, each on every worker.
   */
  generateKeyPair(options: GenerateKeyPairOptions): Promise<KeyPair>;
  /** Terminate the workers (a running or queued job rejects with `ERR_ABORTED`). */
  close(): Promise<void>;
}

interface JobMessage {
  p: typeof PROTOCOL;
  type: 'job';
  id: number;
  bits: number;
  e: string;
  rounds: number;
  sieveLimit: number;
  seed: Uint8Array;
  share: number;
  of: number;
  /** Shared mode: SLOTS best-index cells + the stop flag (a fresh buffer per job, so a stale worker cannot touch it). */
  cells?: SharedArrayBuffer;
  /** Report candidates tested (the caller wants progress). */
  progress: boolean;
}
/** Message mode: a worker publishes (found) or withdraws (unfound) an index; the pool relays it to the others. */
interface CellMessage {
  p: typeof PROTOCOL;
  type: 'found' | 'unfound';
  id: number;
  slot: number;
  index: number;
}
type ToWorker = JobMessage | CellMessage | { p: typeof PROTOCOL; type: 'stop'; id: number };
type FromWorker =
  | CellMessage
  | { p: typeof PROTOCOL; type: 'slot'; id: number; slot: number; prime: string | null; index: number }
  | { p: typeof PROTOCOL; type: 'failed'; id: number; message: string }
  /** Progress: `count` more candidates of `slot` got their base-2 test. */
  | { p: typeof PROTOCOL; type: 'tested'; id: number; slot: number; count: number };

/** Candidates per 'tested' message (one base-2 test is ~1.5-3 ms: a message every ~10 ms or less). */
const TESTED_BATCH = 4;

const isOurs = (m: unknown): m is { p: typeof PROTOCOL; type: string; id: number } =>
  typeof m === 'object' && m !== null && (m as { p?: unknown }).p === PROTOCOL;

const seedFor = (seed: Uint8Array, label: string): Uint8Array => concatBytes(seed, utf8(label));

/** Keep the smaller of the cell and `index` (Atomics work on shared and plain Int32Arrays alike). */
function lowerCell(cells: Int32Array, slot: number, index: number): void {
  for (;;) {
    const cur = Atomics.load(cells, slot);
    if (index >= cur || Atomics.compareExchange(cells, slot, cur, index) === cur) return;
  }
}
/** Withdraw `index` if it is still the cell's value. */
function clearCell(cells: Int32Array, slot: number, index: number): void {
  Atomics.compareExchange(cells, slot, index, NONE);
}

/** A job's cells over `buffer`: every slot at NONE, the stop flag clear. */
function freshCells(buffer: ArrayBufferLike): Int32Array {
  const cells = new Int32Array(buffer).fill(NONE);
  cells[STOP] = 0;
  return cells;
}

/** The same steps, reporting the base-2 tests ('candidate' events) in batches. */
function* counted<T>(gen: Generator<PrimeSearchEvent, T, void>, report: (count: number) => void): Generator<PrimeSearchEvent, T, void> {
  let pending = 0;
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
    if (r.value === 'candidate' && ++pending === TESTED_BATCH) {
      report(pending);
      pending = 0;
    }
    yield r.value;
  }
}

/** A worker's share of one job: prime slots in order until stopped. */
async function runJob(job: JobMessage, cells: Int32Array, post: (m: FromWorker) => void): Promise<void> {
  const shared = job.cells !== undefined;
  const stopped = (): boolean => Atomics.load(cells, STOP) !== 0;
  for (let slot = 0; slot < SLOTS && !stopped(); slot++) {
    const relay = (type: 'found' | 'unfound', index: number): void => {
      if (!shared) post({ p: PROTOCOL, type, id: job.id, slot, index });
    };
    const gen = sharedPrimeSearch({
      bits: job.bits,
      e: BigInt(job.e),
      rounds: job.rounds,
      rng: createSeededRandom(seedFor(job.seed, `:start:${slot}`)),
      sieveLimit: job.sieveLimit,
      share: job.share,
      of: job.of,
      best: () => Atomics.load(cells, slot),
      found: (index) => {
        lowerCell(cells, slot, index);
        relay('found', index);
      },
      unfound: (index) => {
        clearCell(cells, slot, index);
        relay('unfound', index);
      },
      basesFor: (index) => createSeededRandom(seedFor(job.seed, `:bases:${slot}:${index}`)),
      stopped,
    });
    const steps = job.progress ? counted(gen, (count) => post({ p: PROTOCOL, type: 'tested', id: job.id, slot, count })) : gen;
    // shared memory: straight through (Atomics show news at once); messages: slices, so they arrive
    const r = shared ? runToEnd(steps) : await runSliced(steps, undefined, WORKER_SLICE_MS);
    if (stopped()) return;
    post({ p: PROTOCOL, type: 'slot', id: job.id, slot, prime: r ? r.x.toString(16) : null, index: r ? r.index : NONE });
  }
}

/**
 * Answer the jobs of a {@link createWorkerKeygenPool} pool: call once at
 * the top level of the worker's script. Messages that are not the pool's
 * are ignored, so the same worker may serve other work too.
 *
 * @param scope - the worker's global scope (`self` in a browser worker) or
 *   an adapter with `postMessage` and `addEventListener('message', ...)`.
 * @example
 * ```ts
 * // worker.ts, bundled for the browser
 * import { serveKeygenWorker } from 'mailpki';
 * serveKeygenWorker(self);
 * ```
 * @public
 */
export function serveKeygenWorker(scope: KeygenWorkerScope): void {
  const jobs = new Map<number, Int32Array>();
  const post = (m: FromWorker): void => scope.postMessage(m);
  scope.addEventListener('message', (ev) => {
    const m = ev.data as ToWorker;
    if (!isOurs(m)) return;
    if (m.type === 'job') {
      const cells = m.cells ? new Int32Array(m.cells) : freshCells(new ArrayBuffer(4 * (SLOTS + 1)));
      jobs.set(m.id, cells);
      runJob(m, cells, post)
        .catch((err: unknown) => post({ p: PROTOCOL, type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) }))
        .finally(() => jobs.delete(m.id));
      return;
    }
    const cells = jobs.get(m.id);
    if (!cells) return;
    if (m.type === 'stop') Atomics.store(cells, STOP, 1);
    else if (m.type === 'found') lowerCell(cells, m.slot, m.index);
    else if (m.type === 'unfound') clearCell(cells, m.slot, m.index);
  });
}

/** SharedArrayBuffer usable for workers: present, and (in a browser) the page is cross-origin isolated. */
function canShareMemory(): boolean {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
  return typeof g.SharedArrayBuffer === 'function' && g.crossOriginIsolated !== false;
}

function defaultWorkerCount(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? Math.min(4, n) : 2;
}

/**
 * Create a pool of workers for RSA key generation. Workers start on the
 * first RSA job (through `createWorker`) and stay until `close()`; jobs run
 * one at a time, each using every worker. Works without SharedArrayBuffer
 * (file:// pages, pages without cross-origin isolation): the workers then
 * exchange their finds as messages.
 *
 * @param options - `createWorker` (required): starts one worker running
 *   {@link serveKeygenWorker}; `workers`: count (default
 *   min(navigator.hardwareConcurrency, 4)); `sharedMemory`: force or forbid
 *   SharedArrayBuffer (default: when available).
 * @returns the pool; call `close()` when done to free the workers.
 * @throws TypeError when `createWorker` is not a function; RangeError when
 *   `workers` is not an integer from 1 to 64. Its `generateKeyPair` rejects
 *   as `generateKeyPair` does, and with MailPkiError `ERR_IO` when a worker
 *   cannot start or fails.
 * @example
 * ```ts
 * // page.ts: the workers run worker.ts, which calls serveKeygenWorker(self)
 * import { createWorkerKeygenPool } from 'mailpki';
 * const pool = createWorkerKeygenPool({ createWorker: () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }) });
 * const { privateKey } = await pool.generateKeyPair({ type: 'rsa', bits: 2048, signal });
 * await pool.close();
 * ```
 * @public
 */
export function createWorkerKeygenPool(options: WorkerKeygenPoolOptions): WorkerKeygenPool {
  if (typeof options !== 'object' || options === null || typeof options.createWorker !== 'function')
    throw new TypeError('createWorkerKeygenPool: options.createWorker must be a function that starts a worker');
  const size = options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(size) || size < 1 || size > 64) throw new RangeError('keygen pool: workers must be an integer from 1 to 64');
  const shared = options.sharedMemory ?? canShareMemory();
  if (shared && !canShareMemory()) throw new RangeError('keygen pool: sharedMemory requested but SharedArrayBuffer is not available here');
  const listeners = new Map<KeygenWorkerPort, { message: (ev: KeygenWorkerEvent) => void; error: (ev: KeygenWorkerEvent) => void }>();
  let ports: KeygenWorkerPort[] = [];
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  /** The running job: its message handler and how to fail it. */
  let running: { onMessage: (from: KeygenWorkerPort, m: FromWorker) => void; fail: (err: Error) => void } | null = null;

  /** Forget a worker (no more events from it) and terminate it. */
  async function drop(port: KeygenWorkerPort): Promise<void> {
    const l = listeners.get(port);
    if (l) {
      port.removeEventListener('message', l.message);
      port.removeEventListener('error', l.error);
      listeners.delete(port);
    }
    ports = ports.filter((x) => x !== port);
    try {
      await port.terminate();
    } catch {
      // already gone
    }
  }

  function start(): KeygenWorkerPort[] {
    if (ports.length === size) return ports;
    // a worker died: start a fresh set (the survivors may still run a stale job)
    for (const p of [...ports]) void drop(p);
    try {
      for (let i = 0; i < size; i++) {
        const port = options.createWorker();
        const l = {
          message: (ev: KeygenWorkerEvent): void => {
            if (isOurs(ev.data)) running?.onMessage(port, ev.data as FromWorker);
          },
          error: (ev: KeygenWorkerEvent): void => {
            ev.preventDefault?.();
            void drop(port);
            running?.fail(new MailPkiError('ERR_IO', `key generation worker failed: ${ev.message || 'it did not start or crashed'}`));
          },
        };
        port.addEventListener('message', l.message);
        port.addEventListener('error', l.error);
        listeners.set(port, l);
        ports.push(port);
      }
    } catch (err) {
      for (const p of [...ports]) void drop(p);
      throw new MailPkiError('ERR_IO', `cannot start a key generation worker: ${err instanceof Error ? err.message : String(err)}`);
    }
    return ports;
  }

  function rsaJob(bits: number, seed: Uint8Array, exact: boolean, signal: AbortSignal | undefined, onProgress?: (p: KeygenProgress) => void): Promise<KeyPair> {
    return new Promise<KeyPair>((resolve, reject) => {
      if (closed || signal?.aborted) return reject(abortedError());
      let ws: KeygenWorkerPort[];
      try {
        ws = start();
      } catch (err) {
        return reject(err as Error);
      }
      const id = nextId++;
      const cells = shared ? freshCells(new SharedArrayBuffer(4 * (SLOTS + 1))) : undefined;
      const reports = Array.from({ length: SLOTS }, () => ({ count: 0, prime: null as bigint | null, index: NONE, tested: 0 }));
      const primes: bigint[] = [];
      const sieveLimit = defaultSieveLimit(bits / 2);
      // base-2 tests a prime takes on average (all workers together), for the progress estimate
      const expected = onProgress ? expectedCandidates(bits / 2, sieveLimit) : 1;
      const onTested = (m: Extract<FromWorker, { type: 'tested' }>): void => {
        const rep = reports[m.slot];
        if (!rep) return;
        rep.tested += m.count;
        // the slot being resolved: 0 is p, any later one a q (as in the one-thread path)
        if (m.slot !== primes.length) return;
        const base = m.slot === 0 ? 0 : 0.5;
        onProgress?.({ phase: m.slot === 0 ? 'prime-p' : 'prime-q', fraction: base + 0.5 * Math.min(0.95, rep.tested / expected) });
      };
      let done = false;
      const finish = (err: Error | null, kp?: KeyPair): void => {
        if (done) return;
        done = true;
        running = null;
        signal?.removeEventListener('abort', onAbort);
        if (cells) Atomics.store(cells, STOP, 1);
        for (const w of ws) if (listeners.has(w)) w.postMessage({ p: PROTOCOL, type: 'stop', id } satisfies ToWorker);
        if (err) reject(err);
        else resolve(kp!);
      };
      const onAbort = (): void => finish(abortedError());
      signal?.addEventListener('abort', onAbort, { once: true });
      const onSlot = (m: Extract<FromWorker, { type: 'slot' }>): void => {
        const rep = reports[m.slot];
        if (!rep) return;
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
      running = {
        fail: (err) => finish(err),
        onMessage: (from, m) => {
          if (m.id !== id || done) return;
          if (m.type === 'failed') return finish(new MailPkiError('ERR_IO', `key generation worker failed: ${m.message}`));
          if (m.type === 'slot') return onSlot(m);
          if (m.type === 'tested') return onTested(m);
          // message mode: pass a find (or its withdrawal) on to the other workers
          for (const w of ws) if (w !== from && listeners.has(w)) w.postMessage(m);
        },
      };
      onProgress?.({ phase: 'prime-p', fraction: 0 });
      ws.forEach((w, i) => {
        const msg: JobMessage = {
          p: PROTOCOL,
          type: 'job',
          id,
          bits: bits / 2,
          e: RSA_E.toString(),
          rounds: millerRabinRoundsForRsa(bits),
          sieveLimit,
          seed,
          share: i,
          of: ws.length,
          progress: onProgress !== undefined,
          ...(cells ? { cells: cells.buffer as SharedArrayBuffer } : {}),
        };
        w.postMessage(msg);
      });
    });
  }

  return {
    size,
    sharedMemory: shared,
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
      running?.fail(abortedError());
      await Promise.all([...ports].map(drop));
    },
  };
}
