/**
 * The worker side of the worker key generation pool (keygen-pool.ts):
 * `serveKeygenWorker` answers the pool's jobs in a Web Worker, a Node
 * worker thread or anything that passes structured-clone messages. A job
 * is this worker's share of the prime search (candidates with ordinal mod W
 * equal to its share), slot after slot, until the pool says stop; finds are
 * published in the job's cells (shared memory) or posted for the pool to
 * relay (messages, searching in ~2 ms slices so news gets through).
 *
 * Out of scope: the coordination (keygen-pool.ts), the message format and
 * cells (keygen-protocol.ts), the search (crypto/prime.ts).
 */
import { sharedPrimeSearch, type PrimeSearchEvent } from '../crypto/prime.js';
import { runSliced, runToEnd } from '../crypto/rsa-keygen.js';
import { createSeededRandom } from '../crypto/random.js';
import { clearCell, freshCells, isOurs, lowerCell, NONE, PROTOCOL, seedFor, SLOTS, STOP, TESTED_BATCH, type FromWorker, type JobMessage, type ToWorker } from './keygen-protocol.js';

/**
 * Slice length of a worker in message mode: how long (plus one unit of
 * work, ~1.5-3 ms for a 1024-bit base-2 test) a worker may miss another's
 * find or a stop, testing candidates past it. A yield costs one task
 * (measured 0.036 ms in a Chromium worker): ~1.5% at 2 ms.
 */
const WORKER_SLICE_MS = 2;

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

