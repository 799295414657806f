/**
 * Private key objects that do not show their secrets by accident:
 * `console.log(key)` / `util.inspect(key)` print
 * `PrivateKey { type: 'ec', curve: 'P-256' }` (no d, p, q, seed), and
 * `JSON.stringify(key)` throws a TypeError that names the explicit exports
 * (`exportJwk`, `encodePrivateKeyPem`). Both hooks are non-enumerable own
 * properties, so spreading, `structuredClone` and equality checks see the
 * same plain data as before. Node's custom-inspect hook is reached through
 * `Symbol.for('nodejs.util.inspect.custom')`: no `node:*` import here.
 *
 * Out of scope: zeroing memory (JavaScript cannot promise it), keys built as
 * object literals by the caller (they are plain data; pass them through
 * {@link guardPrivateKey} to get the same behaviour).
 */
import type { PrivateKey } from '../crypto/key-types.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** What a private key shows of itself: algorithm and size, never key material. */
function describe(key: PrivateKey): string {
  switch (key.type) {
    case 'rsa':
      return `PrivateKey { type: 'rsa', bits: ${typeof key.n === 'bigint' ? key.n.toString(2).length : '?'} }`;
    case 'ec':
      return `PrivateKey { type: 'ec', curve: '${String(key.curve)}' }`;
    default:
      return `PrivateKey { type: '${String((key as { type: unknown }).type)}' }`;
  }
}

function refuseJson(): never {
  throw new TypeError('a private key is not serialized by JSON.stringify: export it explicitly with exportJwk(key) or encodePrivateKeyPem(key)');
}

/**
 * Give a private key object a safe `util.inspect` / `console.log` form and
 * make `JSON.stringify` of it throw. Returns the same object. Every private
 * key mailpki creates or parses has been through it.
 * @example
 * ```ts
 * const key = guardPrivateKey({ kind: 'private', type: 'ec', curve: 'P-256', d, point });
 * console.log(key); // PrivateKey { type: 'ec', curve: 'P-256' }
 * ```
 * @public
 */
export function guardPrivateKey<T extends PrivateKey>(key: T): T {
  if (key === null || typeof key !== 'object' || key.kind !== 'private') throw new TypeError('guardPrivateKey: key must be a private key object');
  if (Object.prototype.hasOwnProperty.call(key, INSPECT) || !Object.isExtensible(key)) return key;
  Object.defineProperty(key, INSPECT, { value: () => describe(key), enumerable: false });
  Object.defineProperty(key, 'toJSON', { value: refuseJson, enumerable: false });
  return key;
}
