/**
 * The message protocol between a worker key generation pool (keygen-pool.ts,
 * the coordinator) and its workers (keygen-worker.ts): the job and cell
 * messages, and the per-job cells (one best candidate index per prime slot
 * plus a stop flag) that both sides read and lower with Atomics, over a
 * SharedArrayBuffer or a worker-local copy kept in step by messages. See
 * keygen-pool.ts for how the search is shared.
 *
 * Out of scope: the search itself (crypto/prime.ts sharedPrimeSearch), the
 * worker's loop (keygen-worker.ts), the coordinator (keygen-pool.ts).
 * @internal
 */
import { concatBytes, utf8 } from '../encoding/bytes.js';

/** Tag on every message of this protocol (the worker may serve other messages too). */
export const PROTOCOL = 'mailpki-keygen-v3';
/** Prime slots per job (slot 0 = p, 1 = q, more only if a pair fails a FIPS check). */
export const SLOTS = 16;
/** Cell value "no prime found yet" (larger than any candidate index). */
export const NONE = 0x7fffffff;
/** Index of the stop flag, after the SLOTS best-index cells. */
export const STOP = SLOTS;

export interface JobMessage {
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
export interface CellMessage {
  p: typeof PROTOCOL;
  type: 'found' | 'unfound';
  id: number;
  slot: number;
  index: number;
}
export type ToWorker = JobMessage | CellMessage | { p: typeof PROTOCOL; type: 'stop'; id: number };
export type FromWorker =
  | CellMessage
  | { p: typeof PROTOCOL; type: 'slot'; id: number; slot: number; prime: string | null; index: number }
  | { p: typeof PROTOCOL; type: 'failed'; id: number; message: string }
  /** Progress: `count` more candidates of `slot` got their base-2 test. */
  | { p: typeof PROTOCOL; type: 'tested'; id: number; slot: number; count: number };

/** Candidates per 'tested' message (one base-2 test is ~1.5-3 ms: a message every ~10 ms or less). */
export const TESTED_BATCH = 4;

export const isOurs = (m: unknown): m is { p: typeof PROTOCOL; type: string; id: number } =>
  typeof m === 'object' && m !== null && (m as { p?: unknown }).p === PROTOCOL;

export const seedFor = (seed: Uint8Array, label: string): Uint8Array => concatBytes(seed, utf8(label));

/** Keep the smaller of the cell and `index` (Atomics work on shared and plain Int32Arrays alike). */
export function lowerCell(cells: Int32Array, slot: number, index: number): void {
  for (;;) {
    const cur = Atomics.load(cells, slot);
    if (index >= cur || Atomics.compareExchange(cells, slot, cur, index) === cur) return;
  }
}
/** Withdraw `index` if it is still the cell's value. */
export function clearCell(cells: Int32Array, slot: number, index: number): void {
  Atomics.compareExchange(cells, slot, index, NONE);
}

/** A job's cells over `buffer`: every slot at NONE, the stop flag clear. */
export function freshCells(buffer: ArrayBufferLike): Int32Array {
  const cells = new Int32Array(buffer).fill(NONE);
  cells[STOP] = 0;
  return cells;
}

