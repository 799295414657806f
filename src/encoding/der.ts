/**
 * DER on top of asn1js: strict one-element decoding with resource limits,
 * typed readers that raise `ERR_ASN1_STRUCTURE` with a path-like `what`, and
 * small builders for canonical output.
 *
 * Every decoder in mailpki goes through {@link decodeDer}; every structure
 * we write goes through {@link encodeDer}. Out of scope: what a structure
 * means (keys/, x509/).
 */
import * as asn1js from 'asn1js';
import { MailPkiError, wrapDecode } from '../errors.js';

/** A decoded or to-be-encoded ASN.1 node (asn1js object). @internal */
export type Asn1 = asn1js.AsnType;

/** Options for {@link decodeDer}. @internal */
export interface DecodeDerOptions {
  /**
   * Require canonical DER (definite minimal lengths, re-encodes to the same
   * bytes). Default true. Pass false only for input known to come from tools
   * that emit BER (the original bytes are still what signatures cover).
   */
  strict?: boolean;
}

/** Hard limits for hostile input (nesting, node count). @internal */
const LIMITS = { maxDepth: 64, maxNodes: 200_000 } as const;

/**
 * Decode exactly one DER element.
 * @throws MailPkiError `ERR_DER_MALFORMED`, `ERR_DER_TRAILING_DATA`, `ERR_DER_NOT_CANONICAL`
 * @internal
 */
export function decodeDer(der: Uint8Array, what: string, options: DecodeDerOptions = {}): Asn1 {
  if (!(der instanceof Uint8Array)) throw new TypeError(`${what}: expected a Uint8Array`);
  if (der.length === 0) throw new MailPkiError('ERR_DER_MALFORMED', `${what}: empty input`);
  const res = wrapDecode('ERR_DER_MALFORMED', `${what}: not valid DER`, () =>
    asn1js.fromBER(der, { ...LIMITS, copyInput: false }),
  );
  if (res.offset === -1 || res.result.error) {
    throw new MailPkiError('ERR_DER_MALFORMED', `${what}: not valid DER (${res.result.error || 'decoding failed'})`);
  }
  if (res.offset !== der.length) {
    throw new MailPkiError('ERR_DER_TRAILING_DATA', `${what}: ${der.length - res.offset} unexpected bytes after the DER element`);
  }
  if (options.strict !== false) checkDerLengths(der, what);
  return res.result;
}

/**
 * Walk the TLV headers (iteratively: hostile nesting cannot blow the stack)
 * and insist on DER lengths: definite, minimal (X.690 10.1).
 */
function checkDerLengths(der: Uint8Array, what: string): void {
  const stack: number[] = [der.length];
  let i = 0;
  while (stack.length) {
    const end = stack[stack.length - 1]!;
    if (i >= end) {
      stack.pop();
      continue;
    }
    const tag = der[i++]!;
    if ((tag & 0x1f) === 0x1f) while (i < end && der[i++]! & 0x80);
    if (i >= end) throw new MailPkiError('ERR_DER_MALFORMED', `${what}: truncated DER header`);
    const first = der[i++]!;
    let len = first;
    if (first === 0x80) throw new MailPkiError('ERR_DER_NOT_CANONICAL', `${what}: indefinite length (BER) where DER is required`);
    if (first > 0x80) {
      const n = first & 0x7f;
      if (n > 4 || i + n > end || der[i] === 0) throw new MailPkiError('ERR_DER_NOT_CANONICAL', `${what}: non-minimal DER length`);
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + der[i++]!;
      if (len < 0x80) throw new MailPkiError('ERR_DER_NOT_CANONICAL', `${what}: non-minimal DER length`);
    }
    if (i + len > end) throw new MailPkiError('ERR_DER_MALFORMED', `${what}: DER length beyond the end of input`);
    if (tag & 0x20) stack.push(i + len);
    else i += len;
  }
}

/** Encode a node to DER bytes. @internal */
export function encodeDer(node: Asn1): Uint8Array {
  return new Uint8Array(node.toBER(false));
}

/** The exact bytes a decoded node was read from (for signatures over TBS). @internal */
export function rawDer(node: Asn1): Uint8Array {
  const v = node.valueBeforeDecodeView;
  if (v && v.byteLength) return new Uint8Array(v);
  return encodeDer(node);
}

function fail(what: string, expected: string): never {
  throw new MailPkiError('ERR_ASN1_STRUCTURE', `${what}: expected ${expected}`);
}

/** Children of a SEQUENCE, with an optional count range. @internal */
export function readSequence(node: Asn1 | undefined, what: string, min = 0, max = Infinity): Asn1[] {
  if (!(node instanceof asn1js.Sequence)) fail(what, 'SEQUENCE');
  const items = node.valueBlock.value as Asn1[];
  if (items.length < min || items.length > max) fail(what, `SEQUENCE of ${min}${max === Infinity ? '+' : max === min ? '' : `..${max}`} elements`);
  return items;
}

/** Children of a SET. @internal */
export function readSet(node: Asn1 | undefined, what: string, min = 0): Asn1[] {
  if (!(node instanceof asn1js.Set)) fail(what, 'SET');
  const items = node.valueBlock.value as Asn1[];
  if (items.length < min) fail(what, `SET of at least ${min} elements`);
  return items;
}

/** INTEGER as bigint (two's complement, so negatives are visible). @internal */
export function readBigInt(node: Asn1 | undefined, what: string): bigint {
  if (!(node instanceof asn1js.Integer)) fail(what, 'INTEGER');
  const v = node.valueBlock.valueHexView;
  if (v.length === 0) fail(what, 'non-empty INTEGER');
  // X.690 8.3.2: the first 9 bits must not be all zeros or all ones.
  if (v.length > 1 && ((v[0] === 0 && v[1]! < 0x80) || (v[0] === 0xff && v[1]! >= 0x80))) fail(what, 'minimally encoded INTEGER');
  return node.toBigInt();
}

/** INTEGER that must be a non-negative bigint. @internal */
export function readUnsignedBigInt(node: Asn1 | undefined, what: string): bigint {
  const v = readBigInt(node, what);
  if (v < 0n) fail(what, 'non-negative INTEGER');
  return v;
}

/** INTEGER that must fit a small non-negative JS number (versions, counts). @internal */
export function readSmallInt(node: Asn1 | undefined, what: string, max = 2 ** 31): number {
  const v = readBigInt(node, what);
  if (v < 0n || v > BigInt(max)) fail(what, `INTEGER in 0..${max}`);
  return Number(v);
}

/** OBJECT IDENTIFIER in dotted form. @internal */
export function readOid(node: Asn1 | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) fail(what, 'OBJECT IDENTIFIER');
  const s = node.valueBlock.toString();
  if (!/^\d+(\.\d+)+$/.test(s)) fail(what, 'valid OBJECT IDENTIFIER');
  return s;
}

/** OCTET STRING contents (primitive form only). @internal */
export function readOctetString(node: Asn1 | undefined, what: string): Uint8Array {
  if (!(node instanceof asn1js.OctetString) || node.idBlock.isConstructed) fail(what, 'OCTET STRING');
  return new Uint8Array(node.valueBlock.valueHexView);
}

/** BIT STRING contents; `unusedBits` is the count of padding bits in the last byte. @internal */
export function readBitString(node: Asn1 | undefined, what: string): { bytes: Uint8Array; unusedBits: number } {
  if (!(node instanceof asn1js.BitString) || node.idBlock.isConstructed) fail(what, 'BIT STRING');
  return { bytes: new Uint8Array(node.valueBlock.valueHexView), unusedBits: node.valueBlock.unusedBits };
}

/** BIT STRING that must hold whole bytes (keys, signatures). @internal */
export function readBitStringBytes(node: Asn1 | undefined, what: string): Uint8Array {
  const { bytes, unusedBits } = readBitString(node, what);
  if (unusedBits !== 0) fail(what, 'BIT STRING with no unused bits');
  return bytes;
}

/** BOOLEAN. @internal */
export function readBoolean(node: Asn1 | undefined, what: string): boolean {
  if (!(node instanceof asn1js.Boolean)) fail(what, 'BOOLEAN');
  return node.valueBlock.value;
}

/** True for an ASN.1 NULL. @internal */
export function isNull(node: Asn1 | undefined): boolean {
  return node instanceof asn1js.Null;
}

/** Context-specific tag number of a node, or -1. @internal */
export function contextTag(node: Asn1 | undefined): number {
  return node && node.idBlock.tagClass === 3 ? node.idBlock.tagNumber : -1;
}

/**
 * The single child inside an EXPLICIT context tag `[n]`.
 * @internal
 */
export function readExplicit(node: Asn1 | undefined, tag: number, what: string): Asn1 {
  if (contextTag(node) !== tag || !node!.idBlock.isConstructed) fail(what, `[${tag}] EXPLICIT`);
  const inner = (node as asn1js.Constructed).valueBlock.value as Asn1[];
  if (inner.length !== 1) fail(what, `[${tag}] EXPLICIT with one element`);
  return inner[0]!;
}

/** The raw content octets of an IMPLICIT primitive `[n]`. @internal */
export function readImplicitBytes(node: Asn1 | undefined, tag: number, what: string): Uint8Array {
  if (contextTag(node) !== tag || node!.idBlock.isConstructed) fail(what, `[${tag}] IMPLICIT primitive`);
  return new Uint8Array((node as asn1js.Primitive).valueBlock.valueHexView);
}

/** Children of an IMPLICIT constructed `[n]`. @internal */
export function readImplicitChildren(node: Asn1 | undefined, tag: number, what: string): Asn1[] {
  if (contextTag(node) !== tag || !node!.idBlock.isConstructed) fail(what, `[${tag}] IMPLICIT constructed`);
  return (node as asn1js.Constructed).valueBlock.value as Asn1[];
}

/** Any ASN.1 string type as a JS string, with its type name. @internal */
export function readString(node: Asn1 | undefined, what: string): { value: string; type: string } {
  if (
    node instanceof asn1js.Utf8String ||
    node instanceof asn1js.PrintableString ||
    node instanceof asn1js.IA5String ||
    node instanceof asn1js.TeletexString ||
    node instanceof asn1js.BmpString ||
    node instanceof asn1js.UniversalString ||
    node instanceof asn1js.VisibleString ||
    node instanceof asn1js.NumericString
  ) {
    return { value: node.valueBlock.value, type: node.constructor.name };
  }
  fail(what, 'a string type');
}

// ---------------------------------------------------------------- builders

/** SEQUENCE. @internal */
export const derSeq = (...value: Asn1[]): Asn1 => new asn1js.Sequence({ value });
/** SET (caller sorts for SET OF when needed). @internal */
export const derSet = (...value: Asn1[]): Asn1 => new asn1js.Set({ value });
/** INTEGER from a bigint or small number (minimal two's complement). @internal */
export const derInt = (v: bigint | number): Asn1 => asn1js.Integer.fromBigInt(BigInt(v));
/** OBJECT IDENTIFIER. @internal */
export const derOid = (oid: string): Asn1 => new asn1js.ObjectIdentifier({ value: oid });
/** OCTET STRING. @internal */
export const derOctets = (b: Uint8Array): Asn1 => new asn1js.OctetString({ valueHex: b });
/** BIT STRING of whole bytes, or with `unusedBits` padding bits. @internal */
export const derBitString = (b: Uint8Array, unusedBits = 0): Asn1 => new asn1js.BitString({ valueHex: b, unusedBits });
/** NULL. @internal */
export const derNull = (): Asn1 => new asn1js.Null();
/** BOOLEAN. @internal */
export const derBool = (v: boolean): Asn1 => new asn1js.Boolean({ value: v });
/** UTF8String. @internal */
export const derUtf8 = (s: string): Asn1 => new asn1js.Utf8String({ value: s });
/** PrintableString. @internal */
export const derPrintable = (s: string): Asn1 => new asn1js.PrintableString({ value: s });
/** IA5String. @internal */
export const derIa5 = (s: string): Asn1 => new asn1js.IA5String({ value: s });

/** `[tag] EXPLICIT inner`. @internal */
export function derExplicit(tag: number, inner: Asn1): Asn1 {
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: tag }, value: [inner] });
}

/** `[tag] IMPLICIT` primitive with raw content bytes. @internal */
export function derImplicitBytes(tag: number, content: Uint8Array): Asn1 {
  return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: tag }, valueHex: content });
}

/** `[tag] IMPLICIT` constructed with children. @internal */
export function derImplicitChildren(tag: number, children: Asn1[]): Asn1 {
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: tag }, value: children });
}

/**
 * A SEQUENCE (X.690 8.9) around children that are already DER-encoded, without
 * decoding them: tag 0x30, the minimal definite length (X.690 10.1), then the
 * children's bytes concatenated. The children must each be one valid DER
 * element (the caller produced them with encodeDer or took them from a parse).
 * @internal
 */
export function derSeqBytes(...children: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const c of children) len += c.length;
  let lenBytes = 0;
  if (len >= 0x80) for (let l = len; l > 0; l = Math.floor(l / 256)) lenBytes++;
  const head = 2 + lenBytes;
  const out = new Uint8Array(head + len);
  out[0] = 0x30;
  if (lenBytes === 0) out[1] = len;
  else {
    out[1] = 0x80 | lenBytes;
    for (let i = lenBytes, l = len; i >= 1; i--, l = Math.floor(l / 256)) out[1 + i] = l & 0xff;
  }
  let off = head;
  for (const c of children) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Pre-encoded DER bytes spliced in as-is (decoded once, so it must be valid). @internal */
export function derRaw(bytes: Uint8Array): Asn1 {
  return decodeDer(bytes, 'embedded DER', { strict: false });
}
