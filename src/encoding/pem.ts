/**
 * PEM (RFC 7468) blocks: find, decode and encode, including RFC 1421 style
 * headers (`Proc-Type`, `DEK-Info`) used by OpenSSL's legacy key encryption.
 *
 * Tolerant in: text before, between and after blocks is ignored (as in
 * `openssl x509 -text` output), CRLF or LF, whitespace inside the base64.
 * Strict where it matters: BEGIN/END labels must match, base64 must be valid,
 * an unterminated block is an error, never a silently shorter result.
 * Out of scope: what the DER means (see keys/ and x509/).
 */
import { MailPkiError } from '../errors.js';
import { fromBase64, toBase64 } from './bytes.js';

/** One PEM block. @public */
export interface PemBlock {
  /** The label, e.g. `CERTIFICATE`, `PRIVATE KEY`, `RSA PRIVATE KEY`. */
  label: string;
  /** RFC 1421 headers in order (e.g. `Proc-Type`, `DEK-Info`); usually empty. */
  headers: Array<[name: string, value: string]>;
  /** The decoded body. */
  der: Uint8Array;
}

/** Inputs larger than this are refused before any parsing (16 MiB). @public */
export const MAX_PEM_INPUT = 16 * 1024 * 1024;

const BEGIN_RE = /-----BEGIN ([A-Z0-9 ]{1,64})-----/g;

/** True when the text contains at least one PEM BEGIN line. @public */
export function looksLikePem(input: string | Uint8Array): boolean {
  const text = typeof input === 'string' ? input : latin1(input.subarray(0, 1 << 20));
  return /-----BEGIN [A-Z0-9 ]{1,64}-----/.test(text);
}

/**
 * Decode every PEM block in `text`, in order.
 * @throws MailPkiError `ERR_PEM_NOT_FOUND` when there is none, `ERR_PEM_MALFORMED`
 *   for an unterminated block, mismatched labels or bad base64.
 * @public
 */
export function parsePemBlocks(text: string): PemBlock[] {
  if (typeof text !== 'string') throw new TypeError('parsePemBlocks: text must be a string');
  if (text.length > MAX_PEM_INPUT) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `PEM input is larger than ${MAX_PEM_INPUT} bytes`);
  const blocks: PemBlock[] = [];
  BEGIN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BEGIN_RE.exec(text)) !== null) {
    const label = m[1]!;
    const bodyStart = m.index + m[0].length;
    const endMarker = `-----END ${label}-----`;
    const endIdx = text.indexOf(endMarker, bodyStart);
    const nextBegin = text.indexOf('-----BEGIN ', bodyStart);
    if (endIdx < 0 || (nextBegin >= 0 && nextBegin < endIdx)) {
      const anyEnd = /-----END ([A-Z0-9 ]{1,64})-----/.exec(text.slice(bodyStart));
      if (anyEnd && (nextBegin < 0 || bodyStart + anyEnd.index < nextBegin)) {
        throw new MailPkiError('ERR_PEM_MALFORMED', `PEM block "BEGIN ${label}" ends with "END ${anyEnd[1]}"`);
      }
      throw new MailPkiError('ERR_PEM_MALFORMED', `PEM block "${label}" has no END line (truncated?)`);
    }
    blocks.push(decodeBody(label, text.slice(bodyStart, endIdx)));
    BEGIN_RE.lastIndex = endIdx + endMarker.length;
  }
  if (blocks.length === 0) throw new MailPkiError('ERR_PEM_NOT_FOUND', 'no PEM block found');
  return blocks;
}

function decodeBody(label: string, body: string): PemBlock {
  const lines = body.split(/\r?\n|\r/);
  const headers: Array<[string, string]> = [];
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  // RFC 1421 headers: "Name: value" lines, then one blank line.
  if (i < lines.length && /^[A-Za-z0-9-]+:/.test(lines[i]!)) {
    while (i < lines.length && lines[i]!.trim() !== '') {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon < 0) throw new MailPkiError('ERR_PEM_MALFORMED', `PEM block "${label}" has a malformed header line`);
      headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
      i++;
    }
  }
  const b64 = lines.slice(i).join('').replace(/[ \t]/g, '');
  const der = fromBase64(b64);
  if (der === null) throw new MailPkiError('ERR_PEM_MALFORMED', `PEM block "${label}" has invalid base64`);
  if (der.length === 0) throw new MailPkiError('ERR_PEM_MALFORMED', `PEM block "${label}" is empty`);
  return { label, headers, der };
}

/**
 * The single block with one of `labels`; other blocks (e.g. a cert next to
 * a key) are ignored.
 * @throws MailPkiError `ERR_PEM_NOT_FOUND` / `ERR_PEM_LABEL`
 * @public
 */
export function parsePemBlock(text: string, labels: readonly string[]): PemBlock {
  const blocks = parsePemBlocks(text);
  const hit = blocks.find((b) => labels.includes(b.label));
  if (hit) return hit;
  throw new MailPkiError(
    'ERR_PEM_LABEL',
    `expected PEM ${labels.map((l) => `"${l}"`).join(' or ')}, found ${blocks.map((b) => `"${b.label}"`).join(', ')}`,
  );
}

/**
 * Encode one PEM block: 64-character lines, LF line ends, trailing newline.
 * @public
 */
export function encodePem(label: string, der: Uint8Array, headers: ReadonlyArray<readonly [string, string]> = []): string {
  if (!/^[A-Z0-9 ]{1,64}$/.test(label)) throw new RangeError(`encodePem: invalid label "${label}"`);
  const b64 = toBase64(der);
  let out = `-----BEGIN ${label}-----\n`;
  if (headers.length) {
    for (const [k, v] of headers) out += `${k}: ${v}\n`;
    out += '\n';
  }
  for (let i = 0; i < b64.length; i += 64) out += b64.slice(i, i + 64) + '\n';
  return out + `-----END ${label}-----\n`;
}

/** Bytes as a latin1 string (every byte one char), for sniffing binary input. @internal */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}
