// Shared scaffolding of the fuzz tests (test/fuzz/): a runner that lets a
// parser call either return or throw a MailPkiError with a known code (never
// another error), each call under a time bound, tallying the outcomes; and
// the byte mutations applied to valid DER seeds (two families: the X.509 one
// with length/tag overwrites and growth to 64 KiB, and the smaller one of the
// key and PKCS#12 readers).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ERROR_CODES, isMailPkiError } from '../../src/errors.js';

/** The time bound of one parser call, in milliseconds. */
export const FUZZ_MAX_MS = 1000;

/** What {@link fuzzRunner} checks besides "result or a known MailPkiError, under the bound". */
export interface FuzzChecks {
  /** An error message is one line. Default false. */
  readonly oneLine?: boolean;
  /** An error message carries no run of 64 hex digits (key material). Default false. */
  readonly noKeyMaterial?: boolean;
  /** The bound of one call, ms. Default {@link FUZZ_MAX_MS}. */
  readonly maxMs?: number;
}

/** A runner of parser calls and the tally of what they did. */
export interface FuzzRunner {
  /** Outcome ('ok' or a MailPkiError code) -> count. */
  readonly codes: Map<string, number>;
  /** The slowest call so far, ms. */
  readonly slowest: number;
  /** Run `fn`: its value, or undefined when it threw an allowed MailPkiError; anything else fails the test. */
  safely<T>(name: string, fn: () => T): T | undefined;
}

/** A fresh runner with its own tally. */
export function fuzzRunner(checks: FuzzChecks = {}): FuzzRunner {
  const maxMs = checks.maxMs ?? FUZZ_MAX_MS;
  const codes = new Map<string, number>();
  const count = (k: string): void => {
    codes.set(k, (codes.get(k) ?? 0) + 1);
  };
  let slowest = 0;
  return {
    codes,
    get slowest() {
      return slowest;
    },
    safely<T>(name: string, fn: () => T): T | undefined {
      const t0 = performance.now();
      try {
        const r = fn();
        count('ok');
        return r;
      } catch (e) {
        if (!isMailPkiError(e) || !(ERROR_CODES as readonly string[]).includes(e.code)) {
          assert.fail(`${name} threw a non-MailPkiError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        }
        count(e.code);
        if (checks.oneLine) assert.ok(!/\n/.test(e.message), `${name}: one-line message`);
        if (checks.noKeyMaterial) assert.ok(!/[0-9a-f]{64}/i.test(e.message), `${name}: message looks like it carries key material: ${e.message}`);
        return undefined;
      } finally {
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        assert.ok(ms < maxMs, `${name} took ${ms.toFixed(0)} ms`);
      }
    },
  };
}

/** Random input for a parser that takes bytes or text: up to 4 KiB of bytes or 2000 characters. */
export const randomBytesOrText: fc.Arbitrary<Uint8Array | string> = fc.oneof(fc.uint8Array({ maxLength: 4096 }), fc.string({ maxLength: 2000 }));

/** A nesting bomb: 20000 nested indefinite-length SEQUENCE headers (the recursion bound must stop it). */
export const NESTING_BOMB: Uint8Array = Uint8Array.from([...Array(20000)].flatMap(() => [0x30, 0x80]));

// ------------------------------------------------ X.509 family of mutations

/** Options of {@link mutatedDer}. */
export interface MutatedDerOptions {
  /** The byte values an overwrite writes (length and tag bytes that matter to the reader). */
  readonly setBytes: readonly number[];
  /** Also append 1..32 random bytes after the end. Default false. */
  readonly tail?: boolean;
}

/** Largest input a mutation grows to: 64 KiB. */
const GROW_LIMIT = 64 * 1024;

/**
 * Mutations of a seed, 1 to 4 of: bit flip, truncation, insertion of 1..8
 * bytes, deletion of 1..16, overwrite with one of `setBytes`, growth (0x30
 * bytes) up to 64 KiB, and with `tail` an appended run.
 */
export function mutatedDer(seeds: readonly Uint8Array[], options: MutatedDerOptions): fc.Arbitrary<Uint8Array> {
  const ops = [
    fc.record({ k: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
    fc.record({ k: fc.constant('trunc' as const), at: fc.nat() }),
    fc.record({ k: fc.constant('ins' as const), at: fc.nat(), b: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ k: fc.constant('del' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ k: fc.constant('set' as const), at: fc.nat(), v: fc.constantFrom(...options.setBytes) }),
    fc.record({ k: fc.constant('grow' as const), at: fc.nat(), n: fc.integer({ min: 1, max: GROW_LIMIT }) }),
  ];
  const tail = fc.record({ k: fc.constant('tail' as const), b: fc.uint8Array({ minLength: 1, maxLength: 32 }) });
  type Op = { k: 'flip'; at: number; bit: number } | { k: 'trunc'; at: number } | { k: 'ins'; at: number; b: Uint8Array } | { k: 'del' | 'grow'; at: number; n: number } | { k: 'set'; at: number; v: number } | { k: 'tail'; b: Uint8Array };
  const arbs: fc.Arbitrary<Op>[] = options.tail ? [...ops, tail] : ops;
  const op = fc.oneof(...arbs);
  return fc.tuple(fc.constantFrom(...seeds), fc.array(op, { minLength: 1, maxLength: 4 })).map(([seed, list]) => {
    let b = Uint8Array.from(seed);
    for (const o of list) {
      if (o.k === 'tail') {
        b = Uint8Array.from([...b, ...o.b]);
        continue;
      }
      const at = b.length ? o.at % b.length : 0;
      if (o.k === 'flip') b[at]! ^= 1 << o.bit;
      else if (o.k === 'trunc') b = b.slice(0, at);
      else if (o.k === 'ins') b = Uint8Array.from([...b.subarray(0, at), ...o.b, ...b.subarray(at)]);
      else if (o.k === 'del') b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + o.n)]);
      else if (o.k === 'set') b[at] = o.v;
      else {
        const n = Math.min(o.n, GROW_LIMIT - b.length);
        if (n <= 0) continue;
        const grown = new Uint8Array(b.length + n);
        grown.set(b.subarray(0, at));
        grown.fill(0x30, at, at + n);
        grown.set(b.subarray(at), at + n);
        b = grown;
      }
    }
    return b;
  });
}

// ----------------------------------------- key and PKCS#12 family of mutations

/** One mutation of the key and PKCS#12 fuzzers. */
export type ByteMutation =
  | { kind: 'flip'; pos: number; bit: number }
  | { kind: 'truncate'; pos: number }
  | { kind: 'insert'; pos: number; bytes: Uint8Array }
  | { kind: 'delete'; pos: number; len: number }
  | { kind: 'overwrite'; pos: number; byte: number };

/** A bit flip, truncation, insertion of 1..8 bytes, deletion of 1..8, or overwrite with any byte. */
export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), pos: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
);

/** Apply mutations in order to a copy of `b`. */
export function mutateBytes(b: Uint8Array, ms: readonly ByteMutation[]): Uint8Array {
  let out = b.slice();
  for (const m of ms) {
    const p = out.length ? m.pos % (out.length + 1) : 0;
    if (m.kind === 'flip' && out.length) out[p % out.length]! ^= 1 << m.bit;
    else if (m.kind === 'truncate') out = out.slice(0, p);
    else if (m.kind === 'insert') out = new Uint8Array([...out.subarray(0, p), ...m.bytes, ...out.subarray(p)]);
    else if (m.kind === 'delete') out = new Uint8Array([...out.subarray(0, p), ...out.subarray(p + m.len)]);
    else if (m.kind === 'overwrite' && out.length) out[p % out.length] = m.byte;
  }
  return out;
}
