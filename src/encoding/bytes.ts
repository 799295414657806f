/**
 * Byte helpers that work the same in Node.js and browsers (no `Buffer`).
 * Out of scope: anything ASN.1 (see der.ts) or PEM (see pem.ts).
 */

/** Concatenate byte arrays. @internal */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Constant-time (for equal lengths) byte comparison. @internal */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex. @public */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

/** Value of a hex digit by char code (-1 for anything else); a table, as parseInt per byte was visible in issuance profiles. */
const HEX_VALUE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 16; i++) {
    t['0123456789abcdef'.charCodeAt(i)] = i;
    t['0123456789ABCDEF'.charCodeAt(i)] = i;
  }
  return t;
})();

/** Parse hex (even length, case-insensitive, no separators). @internal */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new TypeError('hex: expected an even-length hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = HEX_VALUE[hex.charCodeAt(2 * i)] ?? -1;
    const lo = HEX_VALUE[hex.charCodeAt(2 * i + 1)] ?? -1;
    if ((hi | lo) < 0) throw new TypeError('hex: expected an even-length hex string');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_REV = (() => {
  const t = new Int16Array(256).fill(-1);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Standard base64 with padding. @internal */
export function toBase64(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rem = bytes.length - i;
  if (rem === 1) {
    const n = bytes[i]! << 16;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + '==';
  } else if (rem === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + '=';
  }
  return s;
}

/**
 * Strict base64 decode (standard alphabet; whitespace must be stripped by the
 * caller; padding required to a multiple of 4). Returns `null` on bad input so
 * each caller can raise its own error code.
 * @internal
 */
export function fromBase64(s: string): Uint8Array | null {
  if (s.length % 4 !== 0) return null;
  let pad = 0;
  if (s.endsWith('==')) pad = 2;
  else if (s.endsWith('=')) pad = 1;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const last = i + 4 === s.length;
    const c0 = B64_REV[s.charCodeAt(i)]!;
    const c1 = B64_REV[s.charCodeAt(i + 1)]!;
    const ch2 = s.charCodeAt(i + 2);
    const ch3 = s.charCodeAt(i + 3);
    const c2 = last && pad === 2 && ch2 === 61 ? 0 : B64_REV[ch2]!;
    const c3 = last && pad >= 1 && ch3 === 61 ? 0 : B64_REV[ch3]!;
    if ((c0 | c1 | c2 | c3) < 0 || c0 > 63 || c1 > 63 || c2 > 63 || c3 > 63) return null;
    if (ch2 === 61 && !(last && pad === 2)) return null;
    if (ch3 === 61 && !(last && pad >= 1)) return null;
    const n = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

/** base64url without padding (JWK). @internal */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url decode (padding optional). Returns `null` on bad input. @internal */
export function fromBase64Url(s: string): Uint8Array | null {
  if (/[+/=]/.test(s.replace(/=+$/, ''))) return null;
  let b = s.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (b.length % 4 === 1) return null;
  while (b.length % 4 !== 0) b += '=';
  return fromBase64(b);
}

const textEncoder = /* @__PURE__ */ new TextEncoder();

/** UTF-8 encode. @internal */
export function utf8(s: string): Uint8Array {
  return textEncoder.encode(s);
}

/** UTF-8 decode; `fatal` rejects invalid sequences. @internal */
export function fromUtf8(b: Uint8Array, fatal = true): string {
  return new TextDecoder('utf-8', { fatal }).decode(b);
}

/** Unsigned big-endian bytes -> bigint. @internal */
export function bytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  return BigInt('0x' + toHex(b));
}

/**
 * Non-negative bigint -> unsigned big-endian bytes, left-padded with zeros to
 * `length` when given (RangeError if it does not fit).
 * @internal
 */
export function bigIntToBytes(n: bigint, length?: number): Uint8Array {
  if (n < 0n) throw new RangeError('bigIntToBytes: negative value');
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (n === 0n) hex = length === undefined ? '00' : '';
  const raw = fromHex(hex);
  if (length === undefined) return raw;
  if (raw.length > length) throw new RangeError(`bigIntToBytes: value does not fit in ${length} bytes`);
  const out = new Uint8Array(length);
  out.set(raw, length - raw.length);
  return out;
}

/** Bit length of a non-negative bigint. @internal */
export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}
