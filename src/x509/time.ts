/**
 * X.509 Time (RFC 5280 4.1.2.5): UTCTime for dates through 2049,
 * GeneralizedTime from 2050 on, always whole seconds and `Z`.
 *
 * We write the DER bytes ourselves (asn1js would put milliseconds into a
 * GeneralizedTime). Reading is strict-ish: `Z` is required; UTCTime without
 * seconds (allowed by X.680, seen in old certs) is accepted; fractional
 * seconds in GeneralizedTime are read and dropped (RFC 5280 forbids them,
 * some old tools wrote them). Out of scope: time zones other than `Z`.
 */
import { MailPkiError } from '../errors.js';
import { type Asn1Node, type DerNode, contentBytes, derRaw, isUniversal } from '../encoding/der.js';

/** Largest date an X.509 Time can hold (GeneralizedTime 9999-12-31T23:59:59Z). */
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59);

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * DER bytes of an X.509 `Time` for `date` (milliseconds are truncated).
 * RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
 * @throws RangeError for an invalid date or one before 1950 / after 9999.
 * @internal
 */
export function encodeTimeDer(date: Date): Uint8Array {
  const t = date.getTime();
  if (!Number.isFinite(t)) throw new RangeError('encodeTime: invalid date');
  const y = date.getUTCFullYear();
  if (y < 1950 || t > MAX_TIME) throw new RangeError(`encodeTime: year ${y} outside 1950..9999`);
  const rest = `${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
  const utc = y < 2050;
  const text = utc ? `${pad(y % 100)}${rest}` : `${pad(y, 4)}${rest}`;
  const out = new Uint8Array(2 + text.length);
  out[0] = utc ? 0x17 : 0x18; // [UNIVERSAL 23] UTCTime / [UNIVERSAL 24] GeneralizedTime
  out[1] = text.length;
  for (let i = 0; i < text.length; i++) out[2 + i] = text.charCodeAt(i);
  return out;
}

/** {@link encodeTimeDer} as an ASN.1 node. @internal */
export function encodeTime(date: Date): Asn1Node {
  return derRaw(encodeTimeDer(date));
}

/** Truncate to whole seconds (what a certificate can hold). @internal */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

const UTC_RE = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/;
const GEN_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d{1,9})?Z$/;

/**
 * Read an X.509 `Time` node (UTCTime or GeneralizedTime).
 * @throws MailPkiError `ERR_CERT_MALFORMED` for anything else or an impossible date.
 * @internal
 */
export function readTime(node: DerNode | undefined, what: string): Date {
  let text: string;
  let m: RegExpExecArray | null;
  let year: number;
  const generalized = isUniversal(node, 24);
  if ((generalized || isUniversal(node, 23)) && !node!.constructed) {
    text = String.fromCharCode(...contentBytes(node!).subarray(0, 40));
  } else {
    throw new MailPkiError('ERR_CERT_MALFORMED', `${what}: expected UTCTime or GeneralizedTime`);
  }
  if (generalized) {
    m = GEN_RE.exec(text);
    if (!m) throw new MailPkiError('ERR_CERT_MALFORMED', `${what}: GeneralizedTime must be YYYYMMDDHHMMSSZ`);
    year = Number(m[1]);
  } else {
    m = UTC_RE.exec(text);
    if (!m) throw new MailPkiError('ERR_CERT_MALFORMED', `${what}: UTCTime must be YYMMDDHHMMSSZ`);
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy; // RFC 5280 4.1.2.5.1
  }
  const [mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6] ?? '00'].map(Number) as [number, number, number, number, number];
  const back = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  back.setUTCFullYear(year, mo - 1, d); // Date.UTC maps years 0..99 to 19xx

  if (
    mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59 ||
    back.getUTCFullYear() !== year || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d
  ) {
    throw new MailPkiError('ERR_CERT_MALFORMED', `${what}: impossible date ${text}`);
  }
  return back;
}
