/**
 * GeneralName (RFC 5280 4.2.1.6): the values of subjectAltName, name
 * constraints, CRL distribution points and AIA.
 *
 * `parseSan` types a string automatically:
 * - `192.0.2.1`, `2001:db8::1` -> iPAddress (4 or 16 octets; printed in
 *   canonical text, RFC 5952 for IPv6);
 * - `user@example.com` -> rfc822Name (IA5String: ASCII only);
 * - anything else -> dNSName: LDH labels (RFC 1034 3.5 / RFC 5890 A-labels),
 *   lower-cased, at most 253 octets, `*` only as the whole leftmost label.
 * OpenSSL-style prefixes (`DNS:`, `IP:`, `email:`, `URI:`) force a type. A
 * URI SAN must be asked for that way (`uri:https://...`, or a typed
 * `{ type: 'uri' }`): where people type host names, `mail.example.com:587`
 * or `https://mail.example.com/` is a host name typed wrong, not a URI, and
 * is refused with the host name it probably meant (`did you mean ...?`).
 *
 * IDN decision: a U-label (`bücher.example`) is refused with a message asking
 * for the A-label (`xn--bcher-kva.example`). Converting would need a full
 * UTS #46 mapping table to be correct (a bare Punycode encoder gets case
 * folding and confusables wrong), and a wrong silent conversion puts a name
 * in the cert that no client will ever match. Refusal is loud and safe.
 *
 * Out of scope: SmtpUTF8Mailbox (RFC 8398) output; x400Address and
 * ediPartyName are read as `{ type: 'other', oid: '' }` with their raw DER.
 */
import { MailPkiError, type MailPkiErrorCode } from '../errors.js';
import { formatIp, ipName, parseIp, prefixMask } from './ip.js';
import {
  type Asn1Node,
  type DerNode,
  contextTag,
  decodeDer,
  derExplicit,
  derImplicitBytes,
  derImplicitChildren,
  derOid,
  derRaw,
  encodeDer,
  rawDer,
  readExplicit,
  readImplicitBytes,
  readImplicitChildren,
  readOid,
} from '../encoding/der.js';
import { fromUtf8 } from '../encoding/bytes.js';
import type { GeneralName, SanInput } from './types.js';
import { displayName, parseName, readName } from './name.js';

const MAX_SAN_TEXT = 4096;

function bad(msg: string, code: MailPkiErrorCode = 'ERR_SAN_INVALID'): never {
  throw new MailPkiError(code, msg);
}

const show = (s: string): string => JSON.stringify(s.length > 80 ? s.slice(0, 80) + '…' : s);

/** `addr/prefix` -> address + mask bytes (8 or 32), for name constraints. */
function parseCidr(s: string): Uint8Array | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const addr = parseIp(s.slice(0, slash));
  const mask = addr && prefixMask(s.slice(slash + 1), addr.length);
  if (!addr || !mask) return null;
  const out = new Uint8Array(addr.length * 2);
  for (let i = 0; i < addr.length; i++) out[i] = addr[i]! & mask[i]!; // RFC 5280 4.2.1.10: network address
  out.set(mask, addr.length);
  return out;
}

function formatCidr(b: Uint8Array): string {
  const half = b.length / 2;
  const addr = b.subarray(0, half);
  const mask = b.subarray(half);
  let bits = 0;
  let contiguous = true;
  let seenZero = false;
  for (const byte of mask) {
    for (let k = 7; k >= 0; k--) {
      const one = (byte >> k) & 1;
      if (one && seenZero) contiguous = false;
      if (one) bits++;
      else seenZero = true;
    }
  }
  return `${formatIp(addr)}/${contiguous ? bits : formatIp(mask)}`;
}

// ------------------------------------------------------------------ DNS, email, URI

const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A DNS name as it may go into a certificate (the strict policy: SANs and
 * name-constraint bases we write): validated and lower-cased (RFC 1034 3.5
 * LDH; RFC 5280 4.2.1.6; wildcard only as the whole leftmost label, CA/B BR
 * 7.1.4.2); a U-label is refused, never converted (see the module notes).
 * Throws. Its counterpart for names people type to match against
 * certificates is hostname.ts's `dnsNameForMatching` (converts U-labels).
 * @internal
 */
export function dnsNameForCertificate(input: string, opts: { wildcard?: boolean; leadingDot?: boolean; code?: MailPkiErrorCode } = {}): string {
  const code = opts.code ?? 'ERR_SAN_INVALID';
  let s = input.trim();
  if (s === '') bad('DNS name is empty', code);
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(s)) {
    bad(`DNS name ${show(s)} has non-ASCII characters: give the IDNA A-label form (xn--...), e.g. from \`idn2 --lookup\` or new URL('http://name').hostname`, code);
  }
  s = s.toLowerCase();
  let prefix = '';
  if (opts.leadingDot && s.startsWith('.')) {
    prefix = '.';
    s = s.slice(1);
  }
  if (s.length + prefix.length > 253) bad(`DNS name ${show(s)} is longer than 253 characters`, code);
  const labels = s.split('.');
  labels.forEach((label, i) => {
    if (label === '*' && i === 0 && opts.wildcard !== false && !prefix) {
      if (labels.length < 3) bad(`wildcard ${show(s)} must have at least two labels after "*." (a wildcard for a whole TLD is refused)`, code);
      return;
    }
    if (label.includes('*')) bad(`DNS name ${show(s)}: "*" is allowed only as the whole leftmost label (e.g. *.example.com)`, code);
    if (label === '') bad(`DNS name ${show(s)} has an empty label (leading, trailing or double dot)`, code);
    if (label.length > 63) bad(`DNS name ${show(s)} has a label longer than 63 characters`, code);
    if (!LABEL_RE.test(label)) bad(`DNS name ${show(s)}: label ${show(label)} must be letters, digits and inner hyphens (RFC 1034 3.5)`, code);
  });
  if (labels.length > 1 && /^\d+$/.test(labels[labels.length - 1]!)) bad(`DNS name ${show(s)} looks like an IP address but is not a valid one`, code);
  return prefix + s;
}

// RFC 5321 4.1.2 dot-atom local part (quoted local parts are refused: rare and error-prone).
const LOCAL_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

function normalizeEmail(s: string, code: MailPkiErrorCode = 'ERR_SAN_INVALID'): string {
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) bad(`email ${show(s)} must be local@domain`, code);
  const local = s.slice(0, at);
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(local)) bad(`email ${show(s)} has a non-ASCII local part: rfc822Name is IA5String (SmtpUTF8Mailbox is not supported)`, code);
  if (local.length > 64 || !LOCAL_RE.test(local)) bad(`email ${show(s)}: local part is not a valid dot-atom (RFC 5321 4.1.2)`, code);
  return `${local}@${dnsNameForCertificate(s.slice(at + 1), { wildcard: false, code })}`;
}

function normalizeUri(s: string, code: MailPkiErrorCode = 'ERR_SAN_INVALID'): string {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(s)) bad(`URI ${show(s)} must have a scheme (e.g. https://...) and no spaces (RFC 3986 3)`, code);
  // eslint-disable-next-line no-control-regex
  if (/[^\x21-\x7e]/.test(s)) bad(`URI ${show(s)} must be ASCII (percent-encode other characters; RFC 5280 4.2.1.6)`, code);
  return s;
}

const PREFIX_RE = /^(dns|ip|email|uri|rfc822):(.*)$/is;

function autoType(s: string): GeneralName['type'] {
  if (parseIp(s)) return 'ip';
  refuseMistypedHost(s);
  if (s.includes('@')) return 'email';
  return 'dns';
}

/**
 * A value with no type prefix that is a host with a port, a URL or another
 * `scheme:` string: refused with what was probably meant. URI SANs are
 * rare in mail and web TLS (clients match DNS and IP names), so one that
 * arrives by accident would give a certificate no client accepts for the host.
 */
function refuseMistypedHost(s: string): void {
  const hint = (host: string, what: string, uriNote = '') => bad(`${show(s)} is not a host name (it is ${what}): did you mean ${host}?${uriNote}`);
  const uriNote = ` (a URI subjectAltName must be asked for explicitly: uri:${s})`;
  const bracketed = /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(s);
  if (bracketed && parseIp(bracketed[1]!)) hint(bracketed[1]!, 'an address with a port');
  const hostPort = /^([A-Za-z0-9*_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(s);
  if (hostPort) hint(hostPort[1]!.toLowerCase(), 'a name with a port');
  const url = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[0-9A-Fa-f:.]+\]|[^/:?#]*)/.exec(s);
  if (url) {
    const host = url[2]!.replace(/^\[|\]$/g, '').toLowerCase();
    if (host) hint(host, `a URL`, uriNote);
    bad(`${show(s)} is not a host name (it is a URL without a host; a URI subjectAltName must be asked for explicitly: uri:${s})`);
  }
  const mailto = /^mailto:(.+@.+)$/i.exec(s);
  if (mailto) bad(`${show(s)} is not a mailbox name (it is a mailto: URI): did you mean ${mailto[1]}? (a URI subjectAltName must be asked for explicitly: uri:${s})`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s);
  if (scheme && !s.includes('@')) bad(`${show(s)} is not a host name (it looks like a URI with the scheme ${scheme[1]}:; a URI subjectAltName must be asked for explicitly: uri:${s})`);
}

/**
 * Parse one subjectAltName value, typing it automatically (see the module
 * notes) or by an OpenSSL-style prefix (`DNS:`, `IP:`, `email:`, `URI:`).
 *
 * @throws MailPkiError `ERR_SAN_INVALID` with the reason (bad label, U-label
 *   instead of A-label, misplaced wildcard, bad IP, URI without scheme, ...).
 * @example
 * ```ts
 * parseSan('Mail.Example.com'); // { type: 'dns', value: 'mail.example.com' }
 * parseSan('2001:DB8:0::1');    // { type: 'ip', value: '2001:db8::1' }
 * parseSan('postmaster@example.com'); // { type: 'email', ... }
 * ```
 * @public
 */
export function parseSan(value: string): GeneralName {
  if (typeof value !== 'string') throw new TypeError('parseSan: value must be a string');
  if (value.length > MAX_SAN_TEXT) bad(`SAN value is longer than ${MAX_SAN_TEXT} characters`);
  const s = value.trim();
  if (s === '') bad('SAN value is empty');
  const m = PREFIX_RE.exec(s);
  if (m) {
    const t = m[1]!.toLowerCase();
    return normalizeGeneralName({ type: t === 'dns' ? 'dns' : t === 'ip' ? 'ip' : t === 'uri' ? 'uri' : 'email', value: m[2]!.trim() });
  }
  return normalizeGeneralName({ type: autoType(s), value: s } as GeneralName);
}

/**
 * Validate and canonicalize an explicit GeneralName (SAN context).
 * @throws MailPkiError `ERR_SAN_INVALID`
 * @internal
 */
export function normalizeGeneralName(g: GeneralName, code: MailPkiErrorCode = 'ERR_SAN_INVALID'): GeneralName {
  if (!g || typeof g !== 'object') throw new TypeError('GeneralName must be an object');
  switch (g.type) {
    case 'dns':
      return { type: 'dns', value: dnsNameForCertificate(String(g.value), { code }) };
    case 'ip': {
      const b = parseIp(String(g.value).trim());
      if (!b) bad(`IP address ${show(String(g.value))} is not a valid IPv4 (dotted quad) or IPv6 address`, code);
      return ipName(formatIp(b), b);
    }
    case 'email':
      return { type: 'email', value: normalizeEmail(String(g.value).trim(), code) };
    case 'uri':
      return { type: 'uri', value: normalizeUri(String(g.value).trim(), code) };
    case 'dn':
      return { type: 'dn', value: parseName(g.value) };
    case 'registeredId':
      if (!/^[0-2](\.\d+)+$/.test(g.value)) bad(`registeredID ${show(g.value)} is not a dotted OID`, code);
      return g;
    case 'other':
      if (!/^[0-2](\.\d+)+$/.test(g.oid) || !(g.der instanceof Uint8Array)) bad('otherName needs a dotted OID and DER bytes', code);
      // the value is embedded verbatim: it must be one complete, canonical DER element
      try {
        decodeDer(g.der, 'otherName value');
      } catch (err) {
        bad(`otherName value is not one DER element: ${err instanceof Error ? err.message : String(err)}`, code);
      }
      return g;
    default:
      throw new TypeError(`unknown GeneralName type ${JSON.stringify((g as { type: unknown }).type)}`);
  }
}

/** SanInput -> validated GeneralName. @internal */
export function toGeneralName(input: SanInput): GeneralName {
  return typeof input === 'string' ? parseSan(input) : normalizeGeneralName(input);
}

/**
 * Parse a name-constraint base (RFC 5280 4.2.1.10): `example.com` or
 * `.example.com` (DNS), `email:example.com` / `user@example.com` (rfc822),
 * `10.0.0.0/8` / `2001:db8::/32` (IP with mask), `URI:.example.com`, or an
 * explicit GeneralName (`{ type: 'ip', value: '10.0.0.0/8' }`).
 * @throws MailPkiError `ERR_EXTENSION_INVALID`
 * @internal
 */
export function parseConstraintName(input: SanInput): GeneralName {
  const code: MailPkiErrorCode = 'ERR_EXTENSION_INVALID';
  let type: GeneralName['type'];
  let value: string;
  if (typeof input === 'string') {
    const s = input.trim();
    const m = PREFIX_RE.exec(s);
    if (m) {
      const t = m[1]!.toLowerCase();
      type = t === 'dns' ? 'dns' : t === 'ip' ? 'ip' : t === 'uri' ? 'uri' : 'email';
      value = m[2]!.trim();
    } else {
      value = s;
      type = s.includes('/') && parseCidr(s) ? 'ip' : s.includes('@') ? 'email' : 'dns';
    }
  } else {
    if (input.type === 'dn' || input.type === 'other' || input.type === 'registeredId') return normalizeGeneralName(input, code);
    type = input.type;
    value = String(input.value).trim();
  }
  switch (type) {
    case 'dns':
      return { type, value: dnsNameForCertificate(value, { wildcard: false, leadingDot: true, code }) };
    case 'email':
      if (value.includes('@')) return { type, value: normalizeEmail(value, code) };
      return { type, value: dnsNameForCertificate(value, { wildcard: false, leadingDot: true, code }) };
    case 'uri':
      return { type, value: dnsNameForCertificate(value, { wildcard: false, leadingDot: true, code }) };
    case 'ip': {
      const b = parseCidr(value);
      if (!b) bad(`name constraint ${show(value)}: an IP constraint is address/prefix, e.g. 10.0.0.0/8 or 2001:db8::/32`, code);
      return ipName(formatCidr(b), b.slice(0, b.length / 2), b.slice(b.length / 2));
    }
    default:
      bad(`name constraint of type ${type} is not supported`, code);
  }
}

// ------------------------------------------------------------------ DER

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) throw new MailPkiError('ERR_SAN_INVALID', `${show(s)} is not ASCII (IA5String)`);
    out[i] = c;
  }
  return out;
}

/** Content octets of an OBJECT IDENTIFIER (for IMPLICIT [8]). */
function oidContent(oid: string): Uint8Array {
  const der = encodeDer(derOid(oid));
  const first = der[1]!;
  return der.subarray(first < 0x80 ? 2 : 2 + (first & 0x7f));
}

/**
 * Encode a GeneralName (IMPLICIT tags, RFC 5280 appendix A.2). `inConstraint`
 * makes `ip` values address+mask (8 or 32 octets).
 * @internal
 */
export function encodeGeneralName(g: GeneralName, inConstraint = false): Asn1Node {
  switch (g.type) {
    case 'other':
      return derImplicitChildren(0, [derOid(g.oid), derExplicit(0, derRaw(g.der))]);
    case 'email':
      return derImplicitBytes(1, ascii(g.value));
    case 'dns':
      return derImplicitBytes(2, ascii(g.value));
    case 'dn':
      return derExplicit(4, derRaw(g.value.der));
    case 'uri':
      return derImplicitBytes(6, ascii(g.value));
    case 'ip': {
      const b = inConstraint ? parseCidr(g.value) : parseIp(g.value);
      if (!b) throw new MailPkiError('ERR_SAN_INVALID', `IP ${show(g.value)} cannot be encoded`);
      return derImplicitBytes(7, b);
    }
    case 'registeredId':
      return derImplicitBytes(8, oidContent(g.value));
  }
}

function readIa5(node: DerNode, tag: number, what: string): string {
  const b = readImplicitBytes(node, tag, what);
  for (const c of b) if (c > 0x7f) bad(`${what}: IA5String with non-ASCII bytes`, 'ERR_EXTENSION_INVALID');
  return fromUtf8(b);
}

/**
 * Decode one GeneralName node. IP values of 8/32 octets (name constraints)
 * become `addr/prefix`.
 * @throws MailPkiError `ERR_EXTENSION_INVALID` / `ERR_ASN1_STRUCTURE`
 * @internal
 */
export function readGeneralName(node: DerNode | undefined, what: string): GeneralName {
  const tag = contextTag(node);
  switch (tag) {
    case 0: {
      const kids = readImplicitChildren(node, 0, `${what} otherName`);
      if (kids.length !== 2) bad(`${what}: otherName must have a type and a value`, 'ERR_EXTENSION_INVALID');
      const oid = readOid(kids[0], `${what} otherName type`);
      return { type: 'other', oid, der: rawDer(readExplicit(kids[1], 0, `${what} otherName value`)) };
    }
    case 1:
      return { type: 'email', value: readIa5(node!, 1, what) };
    case 2:
      return { type: 'dns', value: readIa5(node!, 2, what) };
    case 4:
      return { type: 'dn', value: readName(readExplicit(node, 4, `${what} directoryName`), `${what} directoryName`) };
    case 6:
      return { type: 'uri', value: readIa5(node!, 6, what) };
    case 7: {
      const b = readImplicitBytes(node, 7, what);
      if (b.length === 4 || b.length === 16) return ipName(formatIp(b), b.slice());
      if (b.length === 8 || b.length === 32) return ipName(formatCidr(b), b.slice(0, b.length / 2), b.slice(b.length / 2));
      bad(`${what}: iPAddress of ${b.length} octets (expected 4 or 16, or 8 or 32 with a mask)`, 'ERR_EXTENSION_INVALID');
    }
    // falls through (unreachable)
    case 8: {
      const content = readImplicitBytes(node, 8, what);
      if (content.length === 0 || content.length > 127) bad(`${what}: bad registeredID`, 'ERR_EXTENSION_INVALID');
      const oidNode = decodeDer(Uint8Array.of(0x06, content.length, ...content), `${what} registeredID`);
      return { type: 'registeredId', value: readOid(oidNode, `${what} registeredID`) };
    }
    case 3:
    case 5:
      return { type: 'other', oid: '', der: rawDer(node!) };
    default:
      bad(`${what}: not a GeneralName (tag ${node ? node.tag : 'none'})`, 'ERR_EXTENSION_INVALID');
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName, from its children. @internal */
export function readGeneralNames(children: DerNode[], what: string): GeneralName[] {
  return children.map((c, i) => readGeneralName(c, `${what}[${i}]`));
}

/**
 * Human text of a GeneralName, the one printer (inspect, name-constraint
 * messages, the issuance database), in OpenSSL's `-text` style: `DNS:x`,
 * `IP Address:1.2.3.4`, `email:`, `URI:`, `DirName:` (RFC 4514 by default),
 * `Registered ID:`, `othername:`.
 * @internal
 */
export function formatGeneralName(g: GeneralName, formatDn: (dn: import('./types.js').DistinguishedName) => string = displayName): string {
  switch (g.type) {
    case 'dns':
      return `DNS:${g.value}`;
    case 'ip':
      return `IP Address:${g.value}`;
    case 'email':
      return `email:${g.value}`;
    case 'uri':
      return `URI:${g.value}`;
    case 'dn':
      return `DirName:${formatDn(g.value)}`;
    case 'registeredId':
      return `Registered ID:${g.value}`;
    case 'other':
      return `othername:${g.oid || 'unsupported'}`;
  }
}

