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
 * This file is the coordinator: the worker set (WorkerSet: started on the
 * first job, a fresh set after one fails), the slot reports turned into p
 * and q (PrimeSlots), one job over the workers (rsaJob) and the pool that
 * queues jobs. The worker side is keygen-worker.ts, the messages and cells
 * keygen-protocol.ts.
 *
 * Out of scope: starting workers (the caller's `createWorker`: a bundle's
 * URL, a blob: URL of the page's own script, a worker_threads file), the
 * one-thread path (generate.ts).
 */
import { generateKeyPair, keyPairOf, validateKeygenOptions, type GenerateKeyPairOptions } from './generate.js';
import type { KeyPair } from '../crypto/key-types.js';
import { millerRabinRoundsForRsa, defaultSieveLimit, expectedCandidates } from '../crypto/prime.js';
import { abortedError, rsaKeyFromPrimes, RSA_E, type KeygenProgress } from '../crypto/rsa-keygen.js';
import { systemRandom } from '../crypto/random.js';
import { MailPkiError } from '../errors.js';
import { freshCells, isOurs, NONE, PROTOCOL, SLOTS, STOP, type FromWorker, type JobMessage, type ToWorker } from './keygen-protocol.js';

export { serveKeygenWorker, type KeygenWorkerScope } from './keygen-worker.js';

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

/** SharedArrayBuffer usable for workers: present, and (in a browser) the page is cross-origin isolated. */
function canShareMemory(): boolean {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
  return typeof g.SharedArrayBuffer === 'function' && g.crossOriginIsolated !== false;
}

function defaultWorkerCount(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? Math.min(4, n) : 2;
}

/** What the worker set passes to the running job. */
interface JobHandler {
  /** A message of this protocol from `from`. */
  onMessage(from: KeygenWorkerPort, m: FromWorker): void;
  /** A worker failed (or the pool closed): end the job with `err`. */
  fail(err: Error): void;
}

/**
 * The pool's workers: started on the first job, a fresh set when one has
 * failed; their protocol messages and failures go to the running job.
 */
class WorkerSet {
  private ports: KeygenWorkerPort[] = [];
  private readonly listeners = new Map<KeygenWorkerPort, { message: (ev: KeygenWorkerEvent) => void; error: (ev: KeygenWorkerEvent) => void }>();
  /** The running job, if any. */
  job: JobHandler | null = null;

  constructor(
    private readonly createWorker: () => KeygenWorkerPort,
    readonly size: number,
  ) {}

  /** True while the pool still listens to `port` (it was not dropped). */
  live(port: KeygenWorkerPort): boolean {
    return this.listeners.has(port);
  }

  /** Forget a worker (no more events from it) and terminate it. */
  async drop(port: KeygenWorkerPort): Promise<void> {
    const l = this.listeners.get(port);
    if (l) {
      port.removeEventListener('message', l.message);
      port.removeEventListener('error', l.error);
      this.listeners.delete(port);
    }
    this.ports = this.ports.filter((x) => x !== port);
    try {
      await port.terminate();
    } catch {
      // already gone
    }
  }

  /** Terminate every worker. */
  async dropAll(): Promise<void> {
    await Promise.all([...this.ports].map((p) => this.drop(p)));
  }

  /** The workers, all `size` of them running (started now if needed). @throws MailPkiError ERR_IO when one cannot start. */
  start(): KeygenWorkerPort[] {
    if (this.ports.length === this.size) return this.ports;
    // a worker died: start a fresh set (the survivors may still run a stale job)
    for (const p of [...this.ports]) void this.drop(p);
    try {
      for (let i = 0; i < this.size; i++) this.add(this.createWorker());
    } catch (err) {
      for (const p of [...this.ports]) void this.drop(p);
      throw new MailPkiError('ERR_IO', `cannot start a key generation worker: ${err instanceof Error ? err.message : String(err)}`);
    }
    return this.ports;
  }

  private add(port: KeygenWorkerPort): void {
    const l = {
      message: (ev: KeygenWorkerEvent): void => {
        if (isOurs(ev.data)) this.job?.onMessage(port, ev.data as FromWorker);
      },
      error: (ev: KeygenWorkerEvent): void => {
        ev.preventDefault?.();
        void this.drop(port);
        this.job?.fail(new MailPkiError('ERR_IO', `key generation worker failed: ${ev.message || 'it did not start or crashed'}`));
      },
    };
    port.addEventListener('message', l.message);
    port.addEventListener('error', l.error);
    this.listeners.set(port, l);
    this.ports.push(port);
  }
}

/**
 * The workers' reports of one job turned into p and q: slots resolve in
 * order (0 is p, each later one a candidate q), and the progress estimate.
 * No workers, no timers: the coordinator feeds it messages.
 */
class PrimeSlots {
  private readonly reports = Array.from({ length: SLOTS }, () => ({ count: 0, prime: null as bigint | null, index: NONE, tested: 0 }));
  private readonly primes: bigint[] = [];

  /**
   * @param bits - modulus size
   * @param workers - how many workers report each slot
   * @param exact - wait for every worker's report of a slot (an rng was given: the key depends only on the seed)
   * @param expected - base-2 tests a prime takes on average (all workers together), for the progress estimate
   */
  constructor(
    private readonly bits: number,
    private readonly workers: number,
    private readonly exact: boolean,
    private readonly expected: number,
    private readonly onProgress: ((p: KeygenProgress) => void) | undefined,
  ) {}

  /** `count` more candidates of `slot` tested: progress of the slot being resolved. */
  tested(slot: number, count: number): void {
    const rep = this.reports[slot];
    if (!rep) return;
    rep.tested += count;
    // the slot being resolved: 0 is p, any later one a q (as in the one-thread path)
    if (slot !== this.primes.length) return;
    const base = slot === 0 ? 0 : 0.5;
    this.onProgress?.({ phase: slot === 0 ? 'prime-p' : 'prime-q', fraction: base + 0.5 * Math.min(0.95, rep.tested / this.expected) });
  }

  /**
   * One worker's result for `slot` (its smallest prime index, or none).
   * @returns the key pair once p and q are known, else undefined.
   * @throws MailPkiError ERR_IO when a slot has no prime or no slot is left.
   */
  report(slot: number, prime: string | null, index: number): KeyPair | undefined {
    const rep = this.reports[slot];
    if (!rep) return undefined;
    rep.count++;
    if (prime !== null && index < rep.index) {
      rep.prime = BigInt('0x' + prime);
      rep.index = index;
    }
    // slots resolve in order. `exact` (an rng was given): wait for every
    // worker, so the prime is the first in candidate order whatever the
    // timing. Otherwise the first prime reported is taken at once: on a
    // busy machine a descheduled worker does not hold the key back.
    const ready = (r: { count: number; prime: bigint | null }): boolean => r.count === this.workers || (!this.exact && r.prime !== null);
    const primes = this.primes;
    while (primes.length < SLOTS && ready(this.reports[primes.length]!)) {
      const r = this.reports[primes.length]!;
      if (r.prime === null) throw new MailPkiError('ERR_IO', 'key generation workers returned no prime');
      primes.push(r.prime);
      if (primes.length === 1) {
        this.onProgress?.({ phase: 'prime-q', fraction: 0.5 });
        continue;
      }
      const key = rsaKeyFromPrimes(primes[0]!, r.prime, RSA_E, this.bits);
      if (key) {
        this.onProgress?.({ phase: 'done', fraction: 1 });
        return keyPairOf(key);
      }
      // |p - q| or d bound failed (practically never): the next slot gives another q
    }
    if (primes.length === SLOTS) throw new MailPkiError('ERR_IO', 'key generation: no valid prime pair');
    return undefined;
  }
}

/** One RSA key on every worker of `set`: post the job, relay finds (message mode), collect the slots, stop the workers. */
function rsaJob(
  set: WorkerSet,
  job: { id: number; bits: number; seed: Uint8Array; exact: boolean; shared: boolean; signal: AbortSignal | undefined; onProgress: ((p: KeygenProgress) => void) | undefined },
): Promise<KeyPair> {
  const { id, bits, seed, signal, onProgress } = job;
  return new Promise<KeyPair>((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError());
    let ws: KeygenWorkerPort[];
    try {
      ws = set.start();
    } catch (err) {
      return reject(err as Error);
    }
    const cells = job.shared ? freshCells(new SharedArrayBuffer(4 * (SLOTS + 1))) : undefined;
    const sieveLimit = defaultSieveLimit(bits / 2);
    const slots = new PrimeSlots(bits, ws.length, job.exact, onProgress ? expectedCandidates(bits / 2, sieveLimit) : 1, onProgress);
    let done = false;
    const finish = (err: Error | null, kp?: KeyPair): void => {
      if (done) return;
      done = true;
      set.job = null;
      signal?.removeEventListener('abort', onAbort);
      if (cells) Atomics.store(cells, STOP, 1);
      for (const w of ws) if (set.live(w)) w.postMessage({ p: PROTOCOL, type: 'stop', id } satisfies ToWorker);
      if (err) reject(err);
      else resolve(kp!);
    };
    const onAbort = (): void => finish(abortedError());
    signal?.addEventListener('abort', onAbort, { once: true });
    set.job = {
      fail: (err) => finish(err),
      onMessage: (from, m) => {
        if (m.id !== id || done) return;
        if (m.type === 'failed') return finish(new MailPkiError('ERR_IO', `key generation worker failed: ${m.message}`));
        if (m.type === 'tested') return slots.tested(m.slot, m.count);
        if (m.type === 'slot') {
          let kp: KeyPair | undefined;
          try {
            kp = slots.report(m.slot, m.prime, m.index);
          } catch (err) {
            return finish(err as Error);
          }
          if (kp) finish(null, kp);
          return;
        }
        // message mode: pass a find (or its withdrawal) on to the other workers
        for (const w of ws) if (w !== from && set.live(w)) w.postMessage(m);
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
  const set = new WorkerSet(options.createWorker, size);
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

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
      const exact = opts.rng !== undefined;
      const job = queue.then(() =>
        closed ? Promise.reject(abortedError()) : rsaJob(set, { id: nextId++, bits: opts.bits, seed, exact, shared, signal: opts.signal, onProgress: opts.onProgress }),
      );
      queue = job.catch(() => undefined);
      return job;
    },
    async close(): Promise<void> {
      closed = true;
      set.job?.fail(abortedError());
      await set.dropAll();
    },
  };
}
