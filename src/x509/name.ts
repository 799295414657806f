/**
 * Distinguished names (RFC 5280 4.1.2.4, 4.1.2.6; RFC 4514 strings).
 *
 * Three input forms become one {@link DistinguishedName}: an object
 * (`{ C: 'US', O: 'Example', CN: 'mail.example.com' }`), OpenSSL's slash form
 * (`/C=US/O=Example/CN=mail.example.com`, `+` joins a multi-valued RDN, `\`
 * escapes the next character), and RFC 4514 (`CN=mail.example.com,O=Example`,
 * most significant RDN *last*, `\,` / `\2C` escapes, `#hex` BER values).
 *
 * String types follow RFC 5280 4.1.2.4 and appendix A: countryName,
 * serialNumber and dnQualifier PrintableString (countryName exactly two
 * letters), emailAddress and domainComponent IA5String, everything else
 * UTF8String. Upper bounds from RFC 5280 appendix A (`ub-common-name` 64, ...)
 * are enforced, because OpenSSL and others refuse longer values.
 *
 * Out of scope: LDAP string-prep matching (chain.ts compares DER), the
 * x400 / teletex legacy types on output (read, never written).
 */
import { MailPkiError, wrapDecode } from '../errors.js';
import { OID } from '../oid.js';
import {
  type Asn1Node,
  type DerNode,
  decodeDer,
  decodePrimitiveDer,
  derBmp,
  derIa5,
  derNumeric,
  derOid,
  derPrintable,
  derRaw,
  derSeq,
  derTeletex,
  derUniversal,
  derUtf8,
  derVisible,
  encodeDer,
  rawDer,
  readOid,
  readSequence,
  readSet,
  readString,
} from '../encoding/der.js';
import { fromHex, toHex, utf8, fromUtf8, concatBytes } from '../encoding/bytes.js';
import type { DistinguishedName, NameAttribute, NameInput } from './types.js';

interface AttrSpec {
  readonly oid: string;
  /** Printed short name. */
  readonly short: string;
  /** Accepted spellings (lower-cased). */
  readonly aliases: readonly string[];
  readonly stringType: 'UTF8String' | 'PrintableString' | 'IA5String';
  /** Upper bound in characters (RFC 5280 appendix A). */
  readonly max: number;
  /** Sort rank in the object form (most significant first). */
  readonly rank: number;
}

// RFC 5280 appendix A upper bounds; ranks give the usual most-significant-first order.
const SPECS: readonly AttrSpec[] = [
  { oid: OID.domainComponent, short: 'DC', aliases: ['dc', 'domaincomponent'], stringType: 'IA5String', max: 63, rank: 0 },
  { oid: OID.countryName, short: 'C', aliases: ['c', 'countryname'], stringType: 'PrintableString', max: 2, rank: 1 },
  { oid: OID.stateOrProvinceName, short: 'ST', aliases: ['st', 's', 'stateorprovincename'], stringType: 'UTF8String', max: 128, rank: 2 },
  { oid: OID.localityName, short: 'L', aliases: ['l', 'localityname'], stringType: 'UTF8String', max: 128, rank: 3 },
  { oid: OID.streetAddress, short: 'street', aliases: ['street', 'streetaddress'], stringType: 'UTF8String', max: 128, rank: 4 },
  { oid: OID.postalCode, short: 'postalCode', aliases: ['postalcode'], stringType: 'UTF8String', max: 40, rank: 5 },
  { oid: OID.organizationName, short: 'O', aliases: ['o', 'organizationname'], stringType: 'UTF8String', max: 64, rank: 6 },
  { oid: OID.organizationIdentifier, short: 'organizationIdentifier', aliases: ['organizationidentifier'], stringType: 'UTF8String', max: 64, rank: 7 },
  { oid: OID.organizationalUnitName, short: 'OU', aliases: ['ou', 'organizationalunitname'], stringType: 'UTF8String', max: 64, rank: 8 },
  { oid: OID.title, short: 'title', aliases: ['title'], stringType: 'UTF8String', max: 64, rank: 9 },
  { oid: OID.surname, short: 'SN', aliases: ['sn', 'surname'], stringType: 'UTF8String', max: 64, rank: 10 },
  { oid: OID.givenName, short: 'GN', aliases: ['gn', 'givenname', 'g'], stringType: 'UTF8String', max: 64, rank: 11 },
  { oid: OID.initials, short: 'initials', aliases: ['initials'], stringType: 'UTF8String', max: 64, rank: 12 },
  { oid: OID.generationQualifier, short: 'generationQualifier', aliases: ['generationqualifier'], stringType: 'UTF8String', max: 64, rank: 13 },
  { oid: OID.pseudonym, short: 'pseudonym', aliases: ['pseudonym'], stringType: 'UTF8String', max: 128, rank: 14 },
  { oid: OID.commonName, short: 'CN', aliases: ['cn', 'commonname'], stringType: 'UTF8String', max: 64, rank: 15 },
  { oid: OID.userId, short: 'UID', aliases: ['uid', 'userid'], stringType: 'UTF8String', max: 256, rank: 16 },
  { oid: OID.serialNumber, short: 'serialNumber', aliases: ['serialnumber'], stringType: 'PrintableString', max: 64, rank: 17 },
  { oid: OID.dnQualifier, short: 'dnQualifier', aliases: ['dnqualifier'], stringType: 'PrintableString', max: 64, rank: 18 },
  { oid: OID.emailAddress, short: 'emailAddress', aliases: ['emailaddress', 'email', 'e'], stringType: 'IA5String', max: 255, rank: 19 },
];

const BY_ALIAS = new Map<string, AttrSpec>(SPECS.flatMap((s) => s.aliases.map((a) => [a, s] as const)));
const BY_OID = new Map<string, AttrSpec>(SPECS.map((s) => [s.oid, s]));
const OID_RE = /^(?:oid\.)?([0-2](?:\.(?:0|[1-9]\d{0,15}))+)$/i;

/** Largest string form accepted (a Name this long is surely hostile). */
const MAX_NAME_TEXT = 64 * 1024;

/** Quote user input for a one-line message (JSON escapes newlines), shortened. */
const q = (s: string): string => JSON.stringify(s.length > 40 ? s.slice(0, 40) + '…' : s);

function bad(msg: string): never {
  throw new MailPkiError('ERR_NAME_INVALID', msg);
}

/** Resolve a type spelling (`CN`, `commonName`, `2.5.4.3`, `OID.2.5.4.3`). */
function resolveType(type: string): { oid: string; spec?: AttrSpec } {
  const t = type.trim();
  const spec = BY_ALIAS.get(t.toLowerCase());
  if (spec) return { oid: spec.oid, spec };
  const m = OID_RE.exec(t);
  if (m) {
    const oid = m[1]!;
    const first = Number(oid.split('.')[0]);
    const second = Number(oid.split('.')[1]);
    if (first < 2 && second > 39) bad(`attribute type ${q(t)} is not a valid OID`);
    const byOid = BY_OID.get(oid);
    return byOid ? { oid, spec: byOid } : { oid };
  }
  bad(`unknown attribute type ${q(t)} (use a short name like CN, O, OU, C, ST, L, emailAddress, or a dotted OID)`);
}

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PRINTABLE_RE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
// eslint-disable-next-line no-control-regex
const IA5_RE = /^[\x00-\x7f]*$/;

/** Build a NameAttribute from a type spelling and a value, validating it. */
function makeAttribute(type: string, value: string, stringType?: string): NameAttribute {
  if (typeof value !== 'string') throw new TypeError(`name attribute ${type}: value must be a string`);
  const { oid, spec } = resolveType(type);
  const short = spec?.short ?? oid;
  if (value.length === 0) bad(`${short} must not be empty`);
  if (LONE_SURROGATE_RE.test(value)) bad(`${short} contains unpaired surrogates`);
  const st = stringType ?? spec?.stringType ?? 'UTF8String';
  const chars = [...value].length;
  if (spec && chars > spec.max) bad(`${short} is ${chars} characters; the limit is ${spec.max} (RFC 5280 appendix A)`);
  if (oid === OID.countryName && !/^[A-Za-z]{2}$/.test(value)) bad(`countryName must be exactly two letters (ISO 3166), got ${q(value)}`);
  if (st === 'PrintableString' && !PRINTABLE_RE.test(value)) bad(`${short} must be a PrintableString (letters, digits, space and '()+,-./:=?)`);
  if (st === 'IA5String' && !IA5_RE.test(value)) bad(`${short} must be ASCII (IA5String); for an internationalized address use an SAN`);
  if (value.includes('\u0000')) bad(`${short} contains a NUL character`);
  return { oid, type: short, value, stringType: st };
}

function encodeValue(a: NameAttribute): Asn1Node {
  switch (a.stringType) {
    case 'PrintableString':
      return derPrintable(a.value);
    case 'IA5String':
      return derIa5(a.value);
    case 'BMPString':
      return derBmp(a.value);
    case 'TeletexString':
      return derTeletex(a.value);
    case 'VisibleString':
      return derVisible(a.value);
    case 'NumericString':
      return derNumeric(a.value);
    case 'UniversalString':
      return derUniversal(a.value);
    default:
      return derUtf8(a.value);
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** DER of a Name from RDNs (SET OF sorted per X.690 11.6). */
function encodeRdns(rdns: ReadonlyArray<ReadonlyArray<NameAttribute>>): Uint8Array {
  const rdnDers = rdns.map((rdn) => {
    if (rdn.length === 0) bad('an RDN must have at least one attribute');
    const atvs = rdn.map((a) => encodeDer(derSeq(derOid(a.oid), encodeValue(a)))).sort(compareBytes);
    return tlv(0x31, concatBytes(...atvs));
  });
  return tlv(0x30, concatBytes(...rdnDers));
}

/** A DER TLV with a definite minimal length. */
function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = content.length;
  let head: number[];
  if (len < 0x80) head = [tag, len];
  else {
    const lb: number[] = [];
    for (let l = len; l > 0; l = Math.floor(l / 256)) lb.unshift(l & 0xff);
    head = [tag, 0x80 | lb.length, ...lb];
  }
  return concatBytes(Uint8Array.from(head), content);
}

/**
 * Build a name from RDNs of `{ type, value, stringType? }` (validated, encoded).
 * @internal
 */
export function nameFromRdns(rdns: ReadonlyArray<ReadonlyArray<{ type: string; value: string; stringType?: string }>>): DistinguishedName {
  const parsed = rdns.map((rdn) => rdn.map((a) => makeAttribute(a.type, a.value, a.stringType)));
  return { rdns: parsed, der: encodeRdns(parsed) };
}

function fromObject(obj: Readonly<Record<string, string | readonly string[]>>): DistinguishedName {
  const entries: Array<{ rank: number; idx: number; type: string; value: string }> = [];
  let idx = 0;
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const values = typeof v === 'string' ? [v] : Array.isArray(v) ? v : null;
    if (!values) throw new TypeError(`name attribute ${k}: value must be a string or an array of strings`);
    const { spec } = resolveType(k);
    for (const value of values) entries.push({ rank: spec ? spec.rank : 15.5, idx: idx++, type: k, value });
  }
  entries.sort((a, b) => a.rank - b.rank || a.idx - b.idx);
  return nameFromRdns(entries.map((e) => [{ type: e.type, value: e.value }]));
}

/** OpenSSL `/C=US/O=Ex/CN=x` (`+` multi-valued, `\x` escapes x). */
function fromOpenssl(text: string): DistinguishedName {
  const rdns: Array<Array<{ type: string; value: string }>> = [];
  let rdn: Array<{ type: string; value: string }> = [];
  let cur = '';
  let i = 1;
  const flushAttr = (): void => {
    const eq = cur.indexOf('=');
    if (eq <= 0) bad(`OpenSSL-style name: ${q(cur)} is not TYPE=value`);
    rdn.push({ type: cur.slice(0, eq).replace(/\\(.)/g, '$1'), value: unescapeSlash(cur.slice(eq + 1)) });
    cur = '';
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      if (i + 1 >= text.length) bad('OpenSSL-style name: trailing backslash');
      cur += c + text[++i];
    } else if (c === '/') {
      flushAttr();
      rdns.push(rdn);
      rdn = [];
    } else if (c === '+') {
      flushAttr();
    } else cur += c;
  }
  flushAttr();
  rdns.push(rdn);
  return nameFromRdns(rdns);
}

function unescapeSlash(s: string): string {
  return s.replace(/\\(.)/gs, '$1');
}

/** RFC 4514 string (RDNs reversed: the first printed is the last encoded). */
function fromRfc4514(text: string): DistinguishedName {
  const rdns: Array<Array<{ type: string; value: string; stringType?: string }>> = [];
  let rdn: Array<{ type: string; value: string; stringType?: string }> = [];
  let i = 0;
  const n = text.length;
  const skipSpaces = (): void => {
    while (i < n && text[i] === ' ') i++;
  };
  for (;;) {
    skipSpaces();
    const eq = text.indexOf('=', i);
    if (eq < 0) bad(`RFC 4514 name: ${q(text.slice(i))} is not TYPE=value`);
    const type = text.slice(i, eq).trim();
    if (!type || /[,+\\"]/.test(type)) bad(`RFC 4514 name: bad attribute type ${q(type)}`);
    i = eq + 1;
    skipSpaces();
    let value: string;
    if (text[i] === '#') {
      // RFC 4514 2.4 / 3: '#' + hex of the BER encoding of the value.
      let j = i + 1;
      while (j < n && /[0-9a-fA-F]/.test(text[j]!)) j++;
      const hex = text.slice(i + 1, j);
      if (hex.length === 0 || hex.length % 2) bad('RFC 4514 name: bad #hex value');
      // One primitive string element: the small reader keeps the tree decoder out of the CSR bundle.
      let node: DerNode;
      try {
        node = decodePrimitiveDer(fromHex(hex), 'RFC 4514 #hex value');
      } catch (e) {
        throw e instanceof MailPkiError && e.code === 'ERR_ASN1_STRUCTURE' ? new MailPkiError('ERR_NAME_INVALID', e.message, { cause: e }) : e;
      }
      // The value is kept; its string type is not: a name we build gets the
      // attribute's standard type (RFC 5280 appendix A: emailAddress
      // IA5String, countryName PrintableString, ...), as every other input
      // form does, so formatting and re-parsing give the same DER.
      value = readNameString(node, 'RFC 4514 #hex value').value;
      i = j;
      skipSpaces();
    } else {
      const bytes: number[] = [];
      let lastSignificant = 0; // length of `bytes` up to the last escaped or non-space char
      while (i < n && text[i] !== ',' && text[i] !== '+' && text[i] !== ';') {
        const c = text[i]!;
        if (c === '\\') {
          const h = text.slice(i + 1, i + 3);
          if (/^[0-9a-fA-F]{2}$/.test(h)) {
            bytes.push(parseInt(h, 16));
            i += 3;
          } else if (i + 1 < n && ',+"\\<>;=# '.includes(text[i + 1]!)) {
            bytes.push(text.charCodeAt(i + 1));
            i += 2;
          } else bad(`RFC 4514 name: bad escape ${q(text.slice(i, i + 3))}`);
          lastSignificant = bytes.length;
          continue;
        }
        if (c === '"' || c === '<' || c === '>') bad(`RFC 4514 name: "${c}" must be escaped`);
        const enc = utf8(text.slice(i, i + (text.codePointAt(i)! > 0xffff ? 2 : 1)));
        i += text.codePointAt(i)! > 0xffff ? 2 : 1;
        for (const b of enc) bytes.push(b);
        if (c !== ' ') lastSignificant = bytes.length;
      }
      value = wrapDecode('ERR_NAME_INVALID', 'RFC 4514 name: escaped bytes are not UTF-8', () => fromUtf8(Uint8Array.from(bytes.slice(0, lastSignificant))));
    }
    rdn.push({ type, value });
    if (i >= n) break;
    const sep = text[i]!;
    i++;
    if (sep === ',' || sep === ';') {
      rdns.push(rdn);
      rdn = [];
    } else if (sep !== '+') bad(`RFC 4514 name: unexpected "${sep}"`);
  }
  rdns.push(rdn);
  return nameFromRdns(rdns.reverse());
}

/**
 * Parse or build a distinguished name from any {@link NameInput}.
 *
 * - object: `{ C: 'US', ST: 'NY', O: 'Example', CN: 'mail.example.com' }`;
 *   an array value repeats the attribute (`{ OU: ['a', 'b'] }`); attributes
 *   are put in the usual order (DC, C, ST, L, O, OU, CN, ..., emailAddress),
 *   one per RDN. For multi-valued RDNs use a string form with `+`.
 * - a string starting with `/`: OpenSSL form, `/C=US/O=Example/CN=x+UID=7`.
 * - any other string: RFC 4514, `CN=x+UID=7,O=Example,C=US`.
 * - a {@link DistinguishedName}: returned as is (its `der` is kept verbatim,
 *   so an issuer name stays byte-identical).
 *
 * The empty string and `/` give the empty name.
 *
 * @throws MailPkiError `ERR_NAME_INVALID` for syntax errors, unknown types,
 *   a country that is not two letters, a non-ASCII emailAddress, values over
 *   the RFC 5280 length bounds.
 * @example
 * ```ts
 * parseName('/C=US/O=Example/CN=mail.example.com');
 * parseName('CN=mail.example.com,O=Example,C=US'); // same name
 * ```
 * @public
 */
export function parseName(input: NameInput): DistinguishedName {
  if (typeof input === 'string') {
    if (input.length > MAX_NAME_TEXT) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `name text is longer than ${MAX_NAME_TEXT} characters`);
    // Only leading space is dropped: a trailing space may be part of the last value (`\ ` in RFC 4514).
    const t = input.trimStart();
    if (t.trim() === '' || t === '/') return { rdns: [], der: Uint8Array.of(0x30, 0x00) };
    return t.startsWith('/') ? fromOpenssl(t) : fromRfc4514(t);
  }
  if (input === null || typeof input !== 'object') throw new TypeError('parseName: input must be a string or an object');
  if ('rdns' in input && Array.isArray((input as DistinguishedName).rdns)) {
    const dn = input as DistinguishedName;
    if (dn.der instanceof Uint8Array) return dn;
    return nameFromRdns(dn.rdns as ReadonlyArray<ReadonlyArray<NameAttribute>>);
  }
  return fromObject(input as Readonly<Record<string, string | readonly string[]>>);
}

/** Universal tags of the ASN.1 string types (UTF8, Numeric, Printable, Teletex, IA5, Visible, Universal, BMP). */
const NAME_STRING_TAGS = new Set([12, 18, 19, 20, 22, 26, 28, 30]);

/** Read a string-typed attribute value, with its ASN.1 type name (ERR_NAME_INVALID if it is not one). */
function readNameString(node: DerNode, what: string): { value: string; stringType: string } {
  try {
    const { value, type } = readString(node, what);
    return { value, stringType: type };
  } catch (e) {
    throw e instanceof MailPkiError && e.code === 'ERR_ASN1_STRUCTURE' ? new MailPkiError('ERR_NAME_INVALID', e.message, { cause: e }) : e;
  }
}

/**
 * Decode a Name node (as found in a certificate or CSR). Values of a known
 * attribute (CN, O, C, ...) must be a valid string (invalid UTF-8 or another
 * tag: ERR_NAME_INVALID); values of an unknown attribute type that are not
 * strings are kept as `#hex` of their DER.
 * @throws MailPkiError `ERR_NAME_INVALID` / `ERR_ASN1_STRUCTURE`
 * @internal
 */
export function readName(node: DerNode | undefined, what: string): DistinguishedName {
  const rdnNodes = readSequence(node, what);
  const rdns = rdnNodes.map((rdnNode, i) =>
    readSet(rdnNode, `${what} RDN ${i + 1}`, 1).map((atvNode) => {
      const [typeNode, valueNode] = readSequence(atvNode, `${what} attribute`, 2, 2) as [DerNode, DerNode];
      const oid = readOid(typeNode, `${what} attribute type`);
      const spec = BY_OID.get(oid);
      let value: string;
      let stringType: string;
      // RFC 5280 4.1.2.4 / appendix A: the attributes we know are DirectoryString (or Printable-
      // / IA5String): another tag there, or a string that does not decode (invalid UTF-8, an odd
      // BMPString), is refused rather than shown as something it is not. An attribute type we do
      // not know may carry any ASN.1 value (X.501 AttributeValue): that one is kept as #hex.
      const isStringTag = valueNode.cls === 0 && !valueNode.constructed && NAME_STRING_TAGS.has(valueNode.tag);
      if (isStringTag || spec) {
        ({ value, stringType } = readNameString(valueNode, `${what} ${spec?.short ?? oid}`));
      } else {
        value = '#' + toHex(rawDer(valueNode));
        stringType = 'DER';
      }
      return { oid, type: spec?.short ?? oid, value, stringType } satisfies NameAttribute;
    }),
  );
  return { rdns, der: rawDer(node!) };
}

/**
 * Decode a Name from DER bytes.
 * @throws MailPkiError `ERR_NAME_INVALID`
 * @internal
 */
export function decodeName(der: Uint8Array): DistinguishedName {
  return wrapDecode('ERR_NAME_INVALID', 'distinguished name', () => readName(decodeDer(der, 'distinguished name'), 'distinguished name'));
}

/** The ASN.1 node of a name (its DER, spliced). @internal */
export function encodeName(dn: DistinguishedName): Asn1Node {
  return derRaw(dn.der);
}

function escapeOpenssl(s: string): string {
  return s.replace(/[\\/+]/g, (c) => '\\' + c);
}

/**
 * Format as OpenSSL's slash form, most significant RDN first:
 * `/C=US/O=Example/CN=mail.example.com`. `/`, `+` and `\` in values are
 * escaped with `\` so that {@link parseName} reads it back.
 * @example
 * ```ts
 * formatNameOpenssl(parseName('CN=x,O=Example')); // '/O=Example/CN=x'
 * ```
 * @public
 */
export function formatNameOpenssl(dn: DistinguishedName): string {
  if (dn.rdns.length === 0) return '/';
  return dn.rdns.map((rdn) => '/' + rdn.map((a) => `${a.type}=${a.stringType === 'DER' ? a.value : escapeOpenssl(a.value)}`).join('+')).join('');
}

function escapeRfc4514(s: string): string {
  let out = '';
  const chars = [...s];
  chars.forEach((c, i) => {
    const code = c.codePointAt(0)!;
    if ('"+,;<>\\'.includes(c)) out += '\\' + c;
    else if (i === 0 && (c === '#' || c === ' ')) out += '\\' + c;
    else if (i === chars.length - 1 && c === ' ') out += '\\ ';
    else if (code < 0x20 || code === 0x7f) out += '\\' + code.toString(16).toUpperCase().padStart(2, '0');
    else out += c;
  });
  return out;
}

/**
 * Format per RFC 4514 (2.1: the *last* RDN of the encoding comes first):
 * `CN=mail.example.com,O=Example,C=US`. Special characters are escaped
 * (RFC 4514 2.4); attributes with a non-string value print as `OID=#hex`.
 * @example
 * ```ts
 * formatNameRfc4514(parseName('/C=US/O=Example/CN=x')); // 'CN=x,O=Example,C=US'
 * ```
 * @public
 */
export function formatNameRfc4514(dn: DistinguishedName): string {
  return [...dn.rdns]
    .reverse()
    .map((rdn) => rdn.map((a) => (a.stringType === 'DER' ? `${a.oid}=${a.value}` : `${a.type}=${escapeRfc4514(a.value)}`)).join('+'))
    .join(',');
}

/**
 * How mailpki prints a name to a person, everywhere (inspect, verify, check,
 * chain and verification messages): RFC 4514 ({@link formatNameRfc4514}),
 * `(empty)` for an empty name. Not escaped for a terminal: callers printing
 * it pass it through `escapeTerminal`.
 * @internal
 */
export function displayName(dn: DistinguishedName): string {
  return dn.rdns.length ? formatNameRfc4514(dn) : '(empty)';
}

/** First value of an attribute (e.g. the CN), or undefined. @internal */
export function nameAttribute(dn: DistinguishedName, oid: string): string | undefined {
  for (const rdn of dn.rdns) for (const a of rdn) if (a.oid === oid) return a.value;
  return undefined;
}

/** True when two names have byte-identical DER. @internal */
export function namesEqual(a: DistinguishedName, b: DistinguishedName): boolean {
  return compareBytes(a.der, b.der) === 0;
}
