/**
 * JSON Web Keys (RFC 7517) for the key types we support: RSA (RFC 7518
 * 6.3), EC P-256/384/521 (RFC 7518 6.2), Ed25519 as OKP (RFC 8037 2).
 *
 * Export writes only key material (`kty`, `crv`, coordinates, private
 * parameters); import validates every field we use (type, base64url,
 * lengths), ignores metadata (`kid`, `use`, `alg`, `key_ops`, `ext`, ...)
 * and checks the key like every key we read.
 * Out of scope: symmetric (`oct`) keys, X25519/Ed448, multi-prime RSA (`oth`),
 * RSA private keys without CRT parameters, JWE/JWS.
 */
import { MailPkiError } from '../errors.js';
import { bigIntToBytes, bytesToBigInt, fromBase64Url, toBase64Url } from '../encoding/bytes.js';
import { checkKey } from './check.js';
import { CURVE_BYTES, type EcCurve, type PrivateKey, type PublicKey } from '../crypto/key-types.js';
import { guardPrivateKey } from './private-key.js';

/** A JSON Web Key as we read and write it (RFC 7517 4, RFC 7518 6, RFC 8037 2). @public */
export interface Jwk {
  /** Key type: `RSA`, `EC` or `OKP` (Ed25519). */
  kty: string;
  /** Curve (EC, OKP): `P-256`, `P-384`, `P-521` or `Ed25519`. */
  crv?: string;
  /** RSA modulus (base64url, big-endian, minimal). */
  n?: string;
  /** RSA public exponent (base64url). */
  e?: string;
  /** Private part (base64url): RSA private exponent, EC private scalar, or the Ed25519 32-byte seed. */
  d?: string;
  /** RSA first prime factor (base64url). */
  p?: string;
  /** RSA second prime factor (base64url). */
  q?: string;
  /** RSA d mod (p-1) (base64url). */
  dp?: string;
  /** RSA d mod (q-1) (base64url). */
  dq?: string;
  /** RSA q^-1 mod p (base64url). */
  qi?: string;
  /** EC x coordinate or Ed25519 public key (base64url; EC coordinates padded to the curve's byte length). */
  x?: string;
  /** EC y coordinate (base64url, padded to the curve's byte length). */
  y?: string;
  /** Other members (`kid`, `use`, `alg`, ...): ignored on import, never written. */
  [member: string]: unknown;
}

const MAX_JWK_TEXT = 1024 * 1024;
const MAX_FIELD = 8192;

const invalid = (msg: string): never => {
  throw new MailPkiError('ERR_JWK_INVALID', msg);
};

/** RFC 7518 2: Base64urlUInt, minimal octets (zero is "AA"). */
const uint = (v: bigint): string => toBase64Url(bigIntToBytes(v));

/**
 * Export a key as a JWK (public or private, following `key.kind`).
 * @example
 * ```ts
 * JSON.stringify(exportJwk(getPublicKey(key))); // {"kty":"EC","crv":"P-256","x":"...","y":"..."}
 * ```
 * @public
 */
export function exportJwk(key: PublicKey | PrivateKey): Jwk {
  if (!key || typeof key !== 'object') throw new TypeError('exportJwk: key must be a key object');
  switch (key.type) {
    case 'rsa': {
      // RFC 7518 6.3 has no way to say "PSS only": exporting would drop the RFC 4055 restriction.
      if (key.pss) throw new MailPkiError('ERR_KEY_UNSUPPORTED', 'an RSASSA-PSS key (id-RSASSA-PSS) cannot be exported as a JWK without losing its restrictions');
      const jwk: Jwk = { kty: 'RSA', n: uint(key.n), e: uint(key.e) };
      if (key.kind === 'private') {
        Object.assign(jwk, { d: uint(key.d), p: uint(key.p), q: uint(key.q), dp: uint(key.dp), dq: uint(key.dq), qi: uint(key.qi) });
      }
      return jwk;
    }
    case 'ec': {
      const len = CURVE_BYTES[key.curve];
      const jwk: Jwk = { kty: 'EC', crv: key.curve, x: toBase64Url(key.point.subarray(1, 1 + len)), y: toBase64Url(key.point.subarray(1 + len)) };
      if (key.kind === 'private') jwk.d = toBase64Url(key.d);
      return jwk;
    }
    case 'ed25519': {
      const jwk: Jwk = { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(key.publicKey) };
      if (key.kind === 'private') jwk.d = toBase64Url(key.seed);
      return jwk;
    }
    default:
      throw new TypeError('exportJwk: key must be an RSA, EC or Ed25519 key');
  }
}

function field(jwk: Record<string, unknown>, name: string, required: true): Uint8Array;
function field(jwk: Record<string, unknown>, name: string, required: false): Uint8Array | undefined;
function field(jwk: Record<string, unknown>, name: string, required: boolean): Uint8Array | undefined {
  const v = jwk[name];
  if (v === undefined) {
    if (required) invalid(`JWK member "${name}" is missing`);
    return undefined;
  }
  if (typeof v !== 'string') return invalid(`JWK member "${name}" must be a string`);
  if (v.length > MAX_FIELD) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `JWK member "${name}" is longer than ${MAX_FIELD} characters`);
  // RFC 7515 2: base64url without padding.
  const b = /^[A-Za-z0-9_-]*$/.test(v) ? fromBase64Url(v) : null;
  if (b === null) return invalid(`JWK member "${name}" is not valid base64url`);
  if (b.length === 0) return invalid(`JWK member "${name}" is empty`);
  return b;
}

/** Fixed-length member (EC coordinates and d, Ed25519 x and d). */
function fixed(jwk: Record<string, unknown>, name: string, len: number, required: boolean): Uint8Array | undefined {
  const b = required ? field(jwk, name, true) : field(jwk, name, false);
  // RFC 7518 6.2.1.2 / 6.2.2.1, RFC 8037 2: full length, no stripping of zeros.
  if (b !== undefined && b.length !== len) invalid(`JWK member "${name}" must be ${len} bytes`);
  return b;
}

/**
 * Import a JWK (object or JSON text) as a key; private when `d` is present.
 * @throws MailPkiError `ERR_JWK_INVALID` (malformed), `ERR_KEY_UNSUPPORTED`
 *   (kty/crv we do not handle), `ERR_KEY_INVALID` (inconsistent key),
 *   `ERR_INPUT_TOO_LARGE`
 * @example
 * ```ts
 * const key = importJwk({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' });
 * ```
 * @public
 */
export function importJwk(input: Jwk | string): PublicKey | PrivateKey {
  let jwk: unknown = input;
  if (typeof input === 'string') {
    if (input.length > MAX_JWK_TEXT) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `JWK text is longer than ${MAX_JWK_TEXT} characters`);
    try {
      jwk = JSON.parse(input);
    } catch {
      invalid('JWK text is not valid JSON');
    }
  }
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return invalid('JWK must be a JSON object');
  const o = jwk as Record<string, unknown>;
  const kty = o.kty;
  if (typeof kty !== 'string') return invalid('JWK member "kty" is missing or not a string');
  let key: PublicKey | PrivateKey;
  if (kty === 'RSA') {
    if (o.oth !== undefined) throw new MailPkiError('ERR_KEY_UNSUPPORTED', 'multi-prime RSA JWKs ("oth") are not supported');
    const n = bytesToBigInt(field(o, 'n', true));
    const e = bytesToBigInt(field(o, 'e', true));
    if (o.d === undefined) {
      for (const f of ['p', 'q', 'dp', 'dq', 'qi']) if (o[f] !== undefined) invalid(`RSA JWK has "${f}" but no "d"`);
      key = { kind: 'public', type: 'rsa', n, e };
    } else {
      const d = bytesToBigInt(field(o, 'd', true));
      const crt = ['p', 'q', 'dp', 'dq', 'qi'];
      const present = crt.filter((f) => o[f] !== undefined);
      if (present.length === 0) throw new MailPkiError('ERR_KEY_UNSUPPORTED', 'RSA private JWKs without the CRT members (p, q, dp, dq, qi) are not supported');
      // RFC 7518 6.3.2: if any of the others is present, all must be.
      if (present.length !== crt.length) invalid(`RSA private JWK lacks ${crt.filter((f) => o[f] === undefined).join(', ')}`);
      const [p, q, dp, dq, qi] = crt.map((f) => bytesToBigInt(field(o, f, true))) as [bigint, bigint, bigint, bigint, bigint];
      key = { kind: 'private', type: 'rsa', n, e, d, p, q, dp, dq, qi };
    }
  } else if (kty === 'EC') {
    const crv = o.crv;
    if (typeof crv !== 'string') return invalid('EC JWK member "crv" is missing');
    if (!(crv in CURVE_BYTES)) throw new MailPkiError('ERR_KEY_UNSUPPORTED', `EC JWK curve "${crv.slice(0, 20)}" is not supported (P-256, P-384, P-521 are)`);
    const curve = crv as EcCurve;
    const len = CURVE_BYTES[curve];
    const x = fixed(o, 'x', len, true)!;
    const y = fixed(o, 'y', len, true)!;
    const point = new Uint8Array(1 + 2 * len);
    point[0] = 4;
    point.set(x, 1);
    point.set(y, 1 + len);
    const d = fixed(o, 'd', len, false);
    key = d ? { kind: 'private', type: 'ec', curve, d, point } : { kind: 'public', type: 'ec', curve, point };
  } else if (kty === 'OKP') {
    const crv = o.crv;
    if (typeof crv !== 'string') return invalid('OKP JWK member "crv" is missing');
    if (crv !== 'Ed25519') throw new MailPkiError('ERR_KEY_UNSUPPORTED', `OKP JWK curve "${crv.slice(0, 20)}" is not supported (Ed25519 is)`);
    const x = fixed(o, 'x', 32, true)!;
    const d = fixed(o, 'd', 32, false);
    key = d ? { kind: 'private', type: 'ed25519', seed: d, publicKey: x } : { kind: 'public', type: 'ed25519', publicKey: x };
  } else {
    throw new MailPkiError('ERR_KEY_UNSUPPORTED', `JWK key type "${kty.slice(0, 20)}" is not supported (RSA, EC, OKP are)`);
  }
  checkKey(key);
  return key.kind === 'private' ? guardPrivateKey(key) : key;
}
