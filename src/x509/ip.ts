/**
 * IP addresses, the one home for their text forms: parse (IPv4 dotted quad
 * without leading zeros, IPv6 in any RFC 4291 2.2 form), format (RFC 5952
 * canonical text), prefix masks and `addr/prefix` ranges. Used by SAN
 * parsing (general-name.ts), host matching (hostname.ts), name constraints
 * (name-constraints.ts) and issuance. An `ip` GeneralName carries its
 * octets (and a constraint's mask) beside the text ({@link ipName}), so
 * comparisons never parse the text back.
 */
import type { GeneralName } from './types.js';

type IpName = Extract<GeneralName, { type: 'ip' }>;

/**
 * An `ip` GeneralName with its text and, not enumerable, its octets (and mask).
 * @internal
 */
export function ipName(value: string, bytes: Uint8Array, mask?: Uint8Array): IpName {
  const g = { type: 'ip' as const, value };
  Object.defineProperty(g, 'bytes', { value: bytes, enumerable: false });
  if (mask) Object.defineProperty(g, 'mask', { value: mask, enumerable: false });
  return g;
}

/**
 * Address octets and mask of an `ip` GeneralName: the carried ones, else
 * parsed from the text once (a hand-built name). A plain address has an
 * all-ones mask. Undefined when the text is not an address or range.
 * @internal
 */
export function ipOctets(g: IpName): { addr: Uint8Array; mask: Uint8Array } | undefined {
  if (g.bytes) return { addr: g.bytes, mask: g.mask ?? new Uint8Array(g.bytes.length).fill(0xff) };
  return parseIpRange(g.value);
}

/** Parse dotted IPv4 (four decimal octets, no leading zeros) to 4 bytes, or null. @internal */
export function parseIpv4(s: string): Uint8Array | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = m[i + 1]!;
    if (part.length > 1 && part[0] === '0') return null; // 010 is octal to some parsers: ambiguous
    const v = Number(part);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

/** Parse IPv6 text (with `::` and an optional dotted IPv4 tail) to 16 bytes, or null. @internal */
export function parseIpv6(s: string): Uint8Array | null {
  if (s.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(s)) return null;
  let head = s;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4) return null;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    head = s.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return null;
  const parseGroups = (t: string): number[] | null => {
    if (t === '') return [];
    const out: number[] = [];
    for (const g of t.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const a = parseGroups(head.slice(0, dbl));
    const b = parseGroups(head.slice(dbl + 2));
    if (!a || !b) return null;
    const missing = 8 - a.length - b.length - tail.length;
    if (missing < 1) return null;
    groups = [...a, ...new Array<number>(missing).fill(0), ...b, ...tail];
  } else {
    const a = parseGroups(head);
    if (!a) return null;
    groups = [...a, ...tail];
  }
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Canonical text of a 4- or 16-byte address (IPv6 per RFC 5952 4). @internal */
export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length !== 16) throw new RangeError('formatIp: 4 or 16 bytes expected');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  // RFC 5952 5: IPv4-mapped addresses keep the dotted tail.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  // RFC 5952 4.2: compress the longest run (≥ 2) of zero groups, the first on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Address text -> bytes, or null: {@link parseIpAddress}'s grammar, plus the
 * bracketed `[2001:db8::1]` form people copy from URLs (for SAN input only;
 * a reference host in brackets is not an address).
 * @internal
 */
export function parseIp(s: string): Uint8Array | null {
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  return parseIpAddress(s) ?? null;
}

/**
 * The mask of a prefix length: `bits` leading one bits in `bytes` octets
 * (4 or 16); null when `prefix` is not 0..8·bytes in plain decimal.
 * @internal
 */
export function prefixMask(prefix: string, bytes: number): Uint8Array | null {
  if (!/^\d{1,3}$/.test(prefix)) return null;
  const bits = Number(prefix);
  if (bits > bytes * 8) return null;
  const mask = new Uint8Array(bytes);
  for (let i = 0; i < bits; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
  return mask;
}

/**
 * Parse an IP address: dotted-quad IPv4 (exactly four decimal parts 0..255,
 * no leading zeros: `010.0.0.1` is ambiguous, octal to some resolvers) or
 * IPv6 in any RFC 4291 2.2 form (`::`, embedded IPv4, any case; brackets and
 * zone ids are not addresses and are refused). Returns 4 or 16 bytes, or
 * undefined when `text` is not an address.
 * @internal
 */
export function parseIpAddress(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 45) return undefined;
  return (text.includes(':') ? parseIpv6(text) : parseIpv4(text)) ?? undefined;
}

/**
 * iPAddress constraint (RFC 5280 4.2.1.10): address and mask. Accepted forms
 * of the constraint value: `addr/prefixLength` and `addr/mask`.
 * @internal
 */
export function parseIpRange(value: string): { addr: Uint8Array; mask: Uint8Array } | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) {
    const a = parseIpAddress(value);
    return a && { addr: a, mask: new Uint8Array(a.length).fill(0xff) };
  }
  const addr = parseIpAddress(value.slice(0, slash));
  if (!addr) return undefined;
  const rest = value.slice(slash + 1);
  // a prefix length (`/24`) or, as OpenSSL's config syntax allows, a dotted mask (`/255.255.255.0`)
  const mask = /^\d{1,3}$/.test(rest) ? prefixMask(rest, addr.length) : parseIpAddress(rest);
  if (!mask || mask.length !== addr.length) return undefined;
  return { addr, mask };
}

