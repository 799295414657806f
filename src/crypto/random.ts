/**
 * Randomness. The default source is `crypto.getRandomValues` (present in
 * Node >= 19 as a global, in every browser, on plain-http pages too). An
 * injectable source exists for deterministic tests and fixed-work benchmarks;
 * it is never the default and never used unless passed explicitly.
 * Out of scope: entropy gathering, reseeding.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { MailPkiError } from '../errors.js';
import { concatBytes, utf8 } from '../encoding/bytes.js';

/** A function that returns `length` random bytes. @public */
export type RandomSource = (length: number) => Uint8Array;

/** Bytes from the platform CSPRNG (`crypto.getRandomValues`). @public */
export const systemRandom: RandomSource = (length: number): Uint8Array => {
  const c = (globalThis as { crypto?: { getRandomValues?: <T extends ArrayBufferView>(a: T) => T } }).crypto;
  if (!c || typeof c.getRandomValues !== 'function') {
    throw new MailPkiError('ERR_ALGORITHM_UNSUPPORTED', 'no crypto.getRandomValues in this runtime: cannot make keys safely');
  }
  const out = new Uint8Array(length);
  // getRandomValues refuses more than 65,536 bytes per call.
  for (let i = 0; i < length; i += 65536) c.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  return out;
};

/**
 * A deterministic source for tests and fixed-seed benchmarks: SHA-256 in
 * counter mode over the seed. NOT for real keys.
 * @public
 */
export function createSeededRandom(seed: string | Uint8Array): RandomSource {
  const key = typeof seed === 'string' ? utf8(seed) : seed.slice();
  let counter = 0;
  let pool = new Uint8Array(0);
  return (length: number): Uint8Array => {
    const out = new Uint8Array(length);
    let off = 0;
    while (off < length) {
      if (pool.length === 0) {
        const ctr = new Uint8Array(8);
        new DataView(ctr.buffer).setFloat64(0, counter++);
        pool = sha256(concatBytes(key, ctr));
      }
      const take = Math.min(pool.length, length - off);
      out.set(pool.subarray(0, take), off);
      pool = pool.subarray(take);
      off += take;
    }
    return out;
  };
}
