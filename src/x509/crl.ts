/**
 * Certificate revocation lists (RFC 5280 5): make them (`createCrl`, v2,
 * signed with the CA key), read them (`parseCrl`, PEM or DER, strict DER),
 * look a serial up (`findCrlEntry`) and check a CRL's signature
 * (`checkCrlSignature`). Checking a certification path against CRLs (RFC
 * 5280 6.3) is revocation.ts.
 *
 * Large CRLs: a CRL of 100,000 entries is ~5 MB of DER and ~300,000 ASN.1
 * elements, beyond the tree decoder's element limit and slow to turn into
 * objects. So the TBSCertList's fixed fields go through {@link decodeDer},
 * and the revokedCertificates list is walked once by a small strict TLV
 * scanner that validates every entry (minimal lengths, INTEGER and time
 * forms, entry extensions) and keeps only offsets (three typed arrays).
 * Entries become objects on demand: `findCrlEntry` decodes the one entry
 * that matches, `crl.entries` decodes all of them on first access.
 *
 * Decisions:
 * - Strict DER only (BER is refused): CRLs are produced by CA software that
 *   writes DER; a CRL is signed data and read at scale.
 * - An empty revokedCertificates SEQUENCE is read (RFC 5280 5.1.2.6 wants it
 *   absent; the content is the same).
 * - Extensions in a v1 CRL, a version other than v2, a duplicated
 *   extension, a reason code outside RFC 5280 5.3.1, a malformed known
 *   extension: `ERR_CRL_MALFORMED`. Unknown *critical* CRL or entry
 *   extensions are read (the CRL stays inspectable) and flagged in
 *   `unknownCriticalExtensions`; revocation.ts refuses to use such a CRL.
 * - createCrl: thisUpdate = now (whole seconds), nextUpdate = thisUpdate +
 *   `days` (default 7, the CA/Browser Forum maximum interval for
 *   subscriber CRLs is 7 days, 10 days of validity); AKI from the CA's SKI
 *   (RFC 5280 5.2.1 MUST); cRLNumber given by the caller (5.2.3 MUST,
 *   monotonically increasing: `previousCrlNumber` is checked when given);
 *   reasonCode omitted for `unspecified` (5.3.1 SHOULD); invalidityDate as
 *   GeneralizedTime (5.3.2). A CA certificate with a keyUsage extension
 *   must have cRLSign (4.2.1.3); one without keyUsage may sign CRLs.
 *
 * Out of scope: creating delta CRLs and indirect CRLs (both are read and
 * checked), OCSP.
 */
import { MailPkiError, wrapDecode } from '../errors.js';
import { OID } from '../oid.js';
import {
  type DerNode,
  DerNode as DerNodeClass,
  contextTag,
  decodeDer,
  derBitString,
  derExplicit,
  derInt,
  derOctets,
  derSeq,
  derSeqBytes,
  derImplicitBytes,
  derOid,
  derRaw,
  encodeDer,
  isUniversal,
  readBitString,
  readBigInt,
  readBoolean,
  readExplicit,
  readImplicitChildren,
  readSequence,
  readSmallInt,
  rawDer,
} from '../encoding/der.js';
import { bytesToBigInt, concatBytes, equalBytes, toHex } from '../encoding/bytes.js';
import { encodePem, latin1, looksLikePem, parsePemBlocks } from '../encoding/pem.js';
import { checkAlgorithmMatchesKey, encodeSignatureAlgorithmId, parseSignatureAlgorithmId } from './algorithm-id.js';
import { type SignatureAlgorithm, defaultSignatureAlgorithm, sign, verify } from '../crypto/sign.js';
import type { RandomSource } from '../crypto/random.js';
import { publicKeysEqual } from '../keys/public-key.js';
import type { PrivateKey, PublicKey } from '../crypto/key-types.js';
import type { Certificate, DistinguishedName, Extension, GeneralName, NameAttribute, SignatureAlgorithmInfo } from './types.js';
import { readName } from './name.js';
import { encodeTime, encodeTimeDer, readTime, wholeSeconds } from './time.js';
import { computeKeyIdentifier, decodeExtensions, makeExtension, readExtensions } from './extensions.js';
import { readGeneralNames } from './general-name.js';

/**
 * CRLReason (RFC 5280 5.3.1). `removeFromCRL` appears only in delta CRLs.
 * @public
 */
export type CrlReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

/** CRLReason code -> name (7 is unassigned). @internal */
export const CRL_REASONS: ReadonlyArray<CrlReason | undefined> = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  undefined,
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

/**
 * ReasonFlags bit names (RFC 5280 4.2.1.13), bit 1..8; bit 0 is `unused`.
 * @internal
 */
export const REASON_FLAGS: readonly CrlReason[] = [
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
  'aACompromise',
];

/** One revoked certificate of a CRL. @public */
export interface CrlEntry {
  /** Serial number of the revoked certificate. */
  readonly serialNumber: bigint;
  /** Lower-case hex of the serial INTEGER's content octets (as `Certificate.serialHex`). */
  readonly serialHex: string;
  /** When the certificate was revoked (revocationDate). */
  readonly revocationDate: Date;
  /** reasonCode entry extension; absent = unspecified. */
  readonly reason?: CrlReason;
  /** invalidityDate entry extension: when the key is known or suspected to have been compromised. */
  readonly invalidityDate?: Date;
  /**
   * certificateIssuer (indirect CRLs, RFC 5280 5.3.3): the issuer of the
   * revoked certificate, carried over from earlier entries as the RFC says.
   * Absent for entries that belong to the CRL issuer.
   */
  readonly certificateIssuer?: readonly GeneralName[];
  /** Every entry extension, raw. */
  readonly extensions: readonly Extension[];
}

/** DistributionPointName (RFC 5280 4.2.1.13): full names, or an RDN relative to the CRL issuer. @public */
export interface DistributionPointName {
  /** fullName: where the CRL is (URIs, directory names). */
  readonly fullName?: readonly GeneralName[];
  /** nameRelativeToCRLIssuer: an RDN appended to the CRL issuer's name. */
  readonly nameRelativeToCrlIssuer?: readonly NameAttribute[];
  /** DER of the RelativeDistinguishedName (SET), when `nameRelativeToCrlIssuer` is set. */
  readonly relativeDer?: Uint8Array;
}

/** One DistributionPoint of a certificate's cRLDistributionPoints or freshestCRL extension. @public */
export interface DistributionPoint {
  /** Where the CRL is. */
  readonly distributionPoint?: DistributionPointName;
  /** Reasons the CRLs of this point cover (absent: all). */
  readonly reasons?: readonly CrlReason[];
  /** Who issues those CRLs when it is not the certificate's issuer (indirect CRLs). */
  readonly crlIssuer?: readonly GeneralName[];
}

/** issuingDistributionPoint CRL extension (RFC 5280 5.2.5). @public */
export interface IssuingDistributionPoint {
  /** The distribution point this CRL is for (a partitioned CRL). */
  readonly distributionPoint?: DistributionPointName;
  /** Lists end-entity certificates only. */
  readonly onlyContainsUserCerts: boolean;
  /** Lists CA certificates only. */
  readonly onlyContainsCACerts: boolean;
  /** Covers only these reasons (absent: all). */
  readonly onlySomeReasons?: readonly CrlReason[];
  /** May list certificates of other issuers (entries' certificateIssuer). */
  readonly indirectCrl: boolean;
  /** Lists attribute certificates only (never usable for public-key certificates). */
  readonly onlyContainsAttributeCerts: boolean;
}

/** A parsed CRL (RFC 5280 5.1). @public */
export interface Crl {
  /** 1 or 2. */
  readonly version: number;
  /** Signature algorithm of the CRL. */
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  /** The CA (or CRL issuer) that signed it. */
  readonly issuer: DistinguishedName;
  /** When it was issued. */
  readonly thisUpdate: Date;
  /** When the next one is due; past it the CRL is stale (`crl-expired`). */
  readonly nextUpdate?: Date;
  /** cRLNumber (RFC 5280 5.2.3). */
  readonly crlNumber?: bigint;
  /** deltaCRLIndicator: the cRLNumber of the base CRL; present only in a delta CRL (5.2.4). */
  readonly baseCrlNumber?: bigint;
  /** authorityKeyIdentifier: which key of the issuer signed it. */
  readonly authorityKeyIdentifier?: { readonly keyIdentifier?: Uint8Array; readonly issuer?: readonly GeneralName[]; readonly serial?: bigint };
  /** issuingDistributionPoint: the CRL's scope (RFC 5280 5.2.5). */
  readonly issuingDistributionPoint?: IssuingDistributionPoint;
  /** CRL extensions, raw. */
  readonly extensions: readonly Extension[];
  /** Names (OIDs when unknown) of critical CRL or entry extensions mailpki does not process; such a CRL is not used for checking. */
  readonly unknownCriticalExtensions: readonly string[];
  /** Number of revoked certificates listed. */
  readonly revokedCount: number;
  /** Every entry, decoded on first access (a lookup with {@link findCrlEntry} decodes only the entry it finds). */
  readonly entries: readonly CrlEntry[];
  /** DER of the TBSCertList (what the signature covers). */
  readonly tbs: Uint8Array;
  /** signatureValue. */
  readonly signature: Uint8Array;
  /** The whole CRL, as read. */
  readonly der: Uint8Array;
  /** PEM (`X509 CRL`) of `der`, encoded on first access. */
  readonly pem: string;
}

/** Internal per-CRL state: where the entries are, and the signature algorithm node. */
interface CrlIndex {
  readonly b: Uint8Array;
  /** Offset of each entry's SEQUENCE. */
  readonly entryOff: Uint32Array;
  /** Offset of each entry's serial INTEGER content, and its length. */
  readonly serialOff: Uint32Array;
  readonly serialLen: Uint16Array;
  readonly outerAlg: Uint8Array;
  readonly innerAlg: Uint8Array;
  readonly indirect: boolean;
}

const INDEX = new WeakMap<Crl, CrlIndex>();
const CRL_LABELS = ['X509 CRL', 'CRL'];

function bad(msg: string): never {
  throw new MailPkiError('ERR_CRL_MALFORMED', msg);
}

// ------------------------------------------------------------------ strict TLV scanning

let hTag = 0;
let hEnd = 0;
/** The identifier octet of the last header read (a function: TypeScript would narrow the variable across calls). */
const tagRead = (): number => hTag;

/**
 * Read the DER header at `p` (low tag numbers only, definite minimal
 * length, X.690 10.1) within `end`; returns the content start and sets
 * hTag (identifier octet) and hEnd (content end).
 */
function head(b: Uint8Array, p: number, end: number, what: string): number {
  if (p + 2 > end) throw new MailPkiError('ERR_DER_MALFORMED', `${what}: not valid DER (truncated)`);
  const t = b[p]!;
  if ((t & 0x1f) === 0x1f) bad(`${what}: unexpected high tag number`);
  let len = b[p + 1]!;
  let q = p + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new MailPkiError('ERR_DER_NOT_CANONICAL', `${what}: indefinite length (BER) where DER is required`);
    if (n > 4 || q + n > end) throw new MailPkiError('ERR_DER_MALFORMED', `${what}: not valid DER (bad length)`);
    if (b[q] === 0) throw new MailPkiError('ERR_DER_NOT_CANONICAL', `${what}: length with leading zero octets`);
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + b[q++]!;
    if (len < 0x80) throw new MailPkiError('ERR_DER_NOT_CANONICAL', `${what}: long-form length below 128`);
  }
  if (q + len > end) throw new MailPkiError('ERR_DER_MALFORMED', `${what}: not valid DER (length beyond its container)`);
  hTag = t;
  hEnd = q + len;
  return q;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Digits at b[p..p+n) as a number, or -1. */
function digits(b: Uint8Array, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = b[p + i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Validate a Time at [cs, ce) with identifier `tag` (0x17 UTCTime, 0x18 GeneralizedTime); the common forms without objects. */
function checkTime(b: Uint8Array, tag: number, start: number, cs: number, ce: number, what: string): void {
  const n = ce - cs;
  let y: number;
  let p: number;
  if (tag === 0x17 && n === 13) {
    const yy = digits(b, cs, 2);
    y = yy < 0 ? -1 : yy >= 50 ? 1900 + yy : 2000 + yy;
    p = cs + 2;
  } else if (tag === 0x18 && n === 15) {
    y = digits(b, cs, 4);
    p = cs + 4;
  } else {
    // Rarer forms (fractions, no seconds): the general reader decides.
    if (tag !== 0x17 && tag !== 0x18) bad(`${what}: expected UTCTime or GeneralizedTime`);
    readTime(new DerNodeClass(b, 0, false, tag & 0x1f, start, cs, ce, ce, true), what);
    return;
  }
  const mo = digits(b, p, 2);
  const d = digits(b, p + 2, 2);
  const h = digits(b, p + 4, 2);
  const mi = digits(b, p + 6, 2);
  const s = digits(b, p + 8, 2);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > DAYS[mo - 1]! + (mo === 2 && leap ? 1 : 0) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || b[ce - 1] !== 0x5a) {
    bad(`${what}: invalid time`);
  }
}

// The one entry extension nearly every CA writes, byte for byte:
// SEQUENCE { SEQUENCE { OID 2.5.29.21, OCTET STRING { ENUMERATED r } } }.
const REASON_EXT_PREFIX = Uint8Array.of(0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01);

const KNOWN_ENTRY_EXTENSIONS: ReadonlySet<string> = new Set([OID.crlReason, OID.invalidityDate, OID.certificateIssuer, OID.holdInstructionCode]);
const KNOWN_CRL_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.authorityKeyIdentifier,
  OID.issuerAltName,
  OID.crlNumber,
  OID.deltaCrlIndicator,
  OID.issuingDistributionPoint,
  OID.freshestCrl,
  OID.authorityInfoAccess,
]);

interface DecodedEntryExtensions {
  reason?: CrlReason;
  invalidityDate?: Date;
  certificateIssuer?: GeneralName[];
}

/** Decode and check entry extensions (the Extensions SEQUENCE bytes). */
function entryExtensions(exts: Extension[], what: string, unknownCritical: Set<string>): DecodedEntryExtensions {
  const out: DecodedEntryExtensions = {};
  for (const e of exts) {
    if (!KNOWN_ENTRY_EXTENSIONS.has(e.oid)) {
      if (e.critical) unknownCritical.add(e.name);
      continue;
    }
    const w = `${what} ${e.name}`;
    const node = decodeDer(e.der, w);
    if (e.oid === OID.crlReason) {
      if (!isUniversal(node, 10) || node.constructed) bad(`${w}: expected ENUMERATED`);
      const code = readSmallInt(new DerNodeClass(node.input, 0, false, 2, node.start, node.contentStart, node.contentEnd, node.end, true), w, 255);
      const r = CRL_REASONS[code];
      if (r === undefined) bad(`${w}: reason code ${code} is not defined (RFC 5280 5.3.1)`);
      out.reason = r;
    } else if (e.oid === OID.invalidityDate) {
      if (!isUniversal(node, 24)) bad(`${w}: expected GeneralizedTime (RFC 5280 5.3.2)`);
      out.invalidityDate = readTime(node, w);
    } else if (e.oid === OID.certificateIssuer) {
      out.certificateIssuer = readGeneralNames(readSequence(node, w, 1), w);
    }
  }
  return out;
}

/** Read the Extensions SEQUENCE at [start, end) of `b`. */
function readExtensionsAt(b: Uint8Array, start: number, end: number, what: string): Extension[] {
  return readExtensions(decodeDer(b.subarray(start, end), what), what);
}

/**
 * Walk revokedCertificates (content [cs, ce)), validating every entry;
 * returns the offsets. Entries are SEQUENCE { userCertificate INTEGER,
 * revocationDate Time, crlEntryExtensions Extensions OPTIONAL }.
 */
function scanEntries(b: Uint8Array, cs: number, ce: number, version: number, unknownCritical: Set<string>) {
  let cap = Math.min(1024, Math.max(16, (ce - cs) >> 5));
  let entryOff = new Uint32Array(cap);
  let serialOff = new Uint32Array(cap);
  let serialLen = new Uint16Array(cap);
  let n = 0;
  let p = cs;
  // Constant labels: no string is built per entry on the hot path.
  const what = 'revokedCertificates entry';
  const wSerial = `${what} userCertificate`;
  const wDate = `${what} revocationDate`;
  const wExts = `${what} crlEntryExtensions`;
  while (p < ce) {
    let ss: number;
    let len: number;
    let ee: number;
    try {
      const es = head(b, p, ce, what);
      if (tagRead() !== 0x30) bad(`${what}: expected SEQUENCE`);
      ee = hEnd;
      // userCertificate CertificateSerialNumber
      ss = head(b, es, ee, wSerial);
      if (tagRead() !== 0x02) bad(`${what} userCertificate: expected INTEGER`);
      const se = hEnd;
      len = se - ss;
      if (len === 0 || (len > 1 && ((b[ss] === 0 && b[ss + 1]! < 0x80) || (b[ss] === 0xff && b[ss + 1]! >= 0x80)))) bad(`${what} userCertificate: expected a minimally encoded INTEGER`);
      if (len > 0xffff) bad(`${what} userCertificate: serial too long`);
      // revocationDate Time
      const ts = head(b, se, ee, wDate);
      checkTime(b, tagRead(), se, ts, hEnd, wDate);
      const te = hEnd;
      if (te < ee) {
        if (version < 2) bad(`${what}: entry extensions in a v1 CRL (RFC 5280 5.1.2.1)`);
        const xs = head(b, te, ee, wExts);
        if (tagRead() !== 0x30 || hEnd !== ee) bad(`${what}: unexpected element after revocationDate`);
        let isReason = ee - te === 14 && xs === te + 2;
        for (let k = 0; isReason && k < 13; k++) if (b[te + k] !== REASON_EXT_PREFIX[k]) isReason = false;
        if (isReason) {
          const code = b[te + 13]!;
          if (code > 10 || code === 7) bad(`${what} crlReason: reason code ${code} is not defined (RFC 5280 5.3.1)`);
        } else {
          entryExtensions(readExtensionsAt(b, te, ee, wExts), what, unknownCritical);
        }
      }
    } catch (e) {
      // Name the entry (the index is put in only on failure: no string per entry on the hot path).
      if (e instanceof MailPkiError) throw new MailPkiError(e.code, e.message.replace(what, `revokedCertificates[${n}]`), { cause: e });
      throw e;
    }
    if (n === cap) {
      cap *= 2;
      const a = new Uint32Array(cap);
      a.set(entryOff);
      entryOff = a;
      const c = new Uint32Array(cap);
      c.set(serialOff);
      serialOff = c;
      const d = new Uint16Array(cap);
      d.set(serialLen);
      serialLen = d;
    }
    entryOff[n] = p;
    serialOff[n] = ss;
    serialLen[n] = len;
    n++;
    p = ee;
  }
  return { entryOff: entryOff.slice(0, n), serialOff: serialOff.slice(0, n), serialLen: serialLen.slice(0, n) };
}

/** The Time at [cs, ce) (validated by the scan): the common forms computed directly, others through readTime. */
function timeAt(b: Uint8Array, tag: number, start: number, cs: number, ce: number): Date {
  const n = ce - cs;
  if ((tag === 0x17 && n === 13) || (tag === 0x18 && n === 15)) {
    let y: number;
    let p: number;
    if (tag === 0x17) {
      const yy = digits(b, cs, 2);
      y = yy >= 50 ? 1900 + yy : 2000 + yy;
      p = cs + 2;
    } else {
      y = digits(b, cs, 4);
      p = cs + 4;
    }
    const d = new Date(Date.UTC(2000, digits(b, p, 2) - 1, digits(b, p + 2, 2), digits(b, p + 4, 2), digits(b, p + 6, 2), digits(b, p + 8, 2)));
    d.setUTCFullYear(y);
    return d;
  }
  return readTime(new DerNodeClass(b, 0, false, tag & 0x1f, start, cs, ce, ce, true), 'revocationDate');
}

const REASON_EXT_NAME = 'crlReason';

/**
 * Decode entry `i` (no carry-over of certificateIssuer: see entriesOf). The
 * scan validated it; this reads it again without the tree decoder for the
 * usual shape (serial, time, at most a lone reasonCode).
 */
function decodeEntry(ix: CrlIndex, i: number): Omit<CrlEntry, 'certificateIssuer'> & { certificateIssuer?: GeneralName[] } {
  const b = ix.b;
  const start = ix.entryOff[i]!;
  head(b, start, b.length, 'entry');
  const ee = hEnd;
  const ss = ix.serialOff[i]!;
  const serialBytes = b.subarray(ss, ss + ix.serialLen[i]!);
  const unsigned = bytesToBigInt(serialBytes);
  const serialNumber = serialBytes[0]! & 0x80 ? unsigned - (1n << BigInt(8 * serialBytes.length)) : unsigned;
  const se = ss + serialBytes.length;
  const ts = head(b, se, ee, 'revocationDate');
  const revocationDate = timeAt(b, tagRead(), se, ts, hEnd);
  const te = hEnd;
  let extensions: Extension[] = [];
  let d: DecodedEntryExtensions = {};
  if (te < ee) {
    if (ee - te === 14 && b[te + 1] === 0x0c && REASON_EXT_PREFIX.every((x, k) => b[te + k] === x)) {
      extensions = [{ oid: OID.crlReason, name: REASON_EXT_NAME, critical: false, der: b.slice(te + 11, te + 14) }];
      d = { reason: CRL_REASONS[b[te + 13]!]! };
    } else {
      extensions = readExtensionsAt(b, te, ee, 'crlEntryExtensions');
      d = entryExtensions(extensions, `revokedCertificates[${i}]`, new Set());
    }
  }
  return {
    serialNumber,
    serialHex: toHex(serialBytes),
    revocationDate,
    ...(d.reason ? { reason: d.reason } : {}),
    ...(d.invalidityDate ? { invalidityDate: d.invalidityDate } : {}),
    ...(d.certificateIssuer ? { certificateIssuer: d.certificateIssuer } : {}),
    extensions,
  };
}

/** The first `limit` entries (all by default); in an indirect CRL, certificateIssuer carries over to the following entries (RFC 5280 5.3.3). */
function entriesOf(ix: CrlIndex, limit = Infinity): CrlEntry[] {
  const out: CrlEntry[] = [];
  let issuer: GeneralName[] | undefined;
  for (let i = 0; i < ix.entryOff.length && i < limit; i++) {
    const e = decodeEntry(ix, i);
    if (ix.indirect) {
      if (e.certificateIssuer) issuer = e.certificateIssuer;
      out.push(issuer ? { ...e, certificateIssuer: issuer } : e);
    } else out.push(e);
  }
  return out;
}

// ------------------------------------------------------------------ distribution points

function readReasonFlags(node: DerNode, what: string): CrlReason[] {
  // [n] IMPLICIT BIT STRING: reread the content as a BIT STRING.
  if (node.constructed) bad(`${what}: expected a primitive BIT STRING`);
  const { bytes, unusedBits } = readBitString(new DerNodeClass(node.input, 0, false, 3, node.start, node.contentStart, node.contentEnd, node.end, true), what);
  const total = bytes.length * 8 - unusedBits;
  const out: CrlReason[] = [];
  for (let bit = 1; bit <= 8 && bit < total; bit++) if (bytes[bit >> 3]! & (0x80 >> (bit & 7))) out.push(REASON_FLAGS[bit - 1]!);
  return out;
}

function readImplicitBoolean(node: DerNode, what: string): boolean {
  if (node.constructed) bad(`${what}: expected a primitive BOOLEAN`);
  const v = readBoolean(new DerNodeClass(node.input, 0, false, 1, node.start, node.contentStart, node.contentEnd, node.end, true), what);
  // DER: a DEFAULT FALSE field is absent when false (X.690 11.5).
  if (!v) bad(`${what}: FALSE must be omitted (DEFAULT FALSE, X.690 11.5)`);
  return v;
}

/** DistributionPointName, the CHOICE inside `[0]` (explicitly tagged since it is a CHOICE). @internal */
export function readDistributionPointName(node: DerNode, what: string): DistributionPointName {
  const inner = readExplicit(node, 0, what);
  const tag = contextTag(inner);
  if (tag === 0) return { fullName: readGeneralNames(readImplicitChildren(inner, 0, `${what} fullName`), `${what} fullName`) };
  if (tag === 1) {
    // RelativeDistinguishedName ::= SET OF AttributeTypeAndValue: reuse the Name reader on a one-RDN name.
    const set = rawDer(inner);
    set[0] = 0x31;
    const name = readName(decodeDer(derSeqBytes(set), what), `${what} nameRelativeToCRLIssuer`);
    return { nameRelativeToCrlIssuer: name.rdns[0]!, relativeDer: set };
  }
  bad(`${what}: expected fullName [0] or nameRelativeToCRLIssuer [1]`);
}

/**
 * The cRLDistributionPoints (or freshestCRL) of a certificate, with reasons
 * and cRLIssuer (the flattened form in `decoded` keeps only the names).
 * Undefined when the certificate has none.
 * @throws MailPkiError `ERR_EXTENSION_INVALID` when malformed
 * @internal
 */
export function distributionPoints(cert: Certificate, oid: string = OID.crlDistributionPoints): DistributionPoint[] | undefined {
  const ext = cert.extensions.find((e) => e.oid === oid);
  if (!ext) return undefined;
  const what = ext.name;
  return wrapDecode('ERR_EXTENSION_INVALID', what, () =>
    readSequence(decodeDer(ext.der, what, { strict: false }), what, 1).map((dp, i) => {
      const w = `${what}[${i}]`;
      let distributionPoint: DistributionPointName | undefined;
      let reasons: CrlReason[] | undefined;
      let crlIssuer: GeneralName[] | undefined;
      let last = -1;
      for (const f of readSequence(dp, w, 0, 3)) {
        const t = contextTag(f);
        if (t <= last || t > 2) throw new MailPkiError('ERR_EXTENSION_INVALID', `${w}: unexpected field`);
        last = t;
        if (t === 0) distributionPoint = readDistributionPointName(f, `${w} distributionPoint`);
        else if (t === 1) reasons = readReasonFlags(f, `${w} reasons`);
        else crlIssuer = readGeneralNames(readImplicitChildren(f, 2, `${w} cRLIssuer`), `${w} cRLIssuer`);
      }
      if (!distributionPoint && !crlIssuer) throw new MailPkiError('ERR_EXTENSION_INVALID', `${w}: needs a distributionPoint or a cRLIssuer (RFC 5280 4.2.1.13)`);
      return { ...(distributionPoint ? { distributionPoint } : {}), ...(reasons ? { reasons } : {}), ...(crlIssuer ? { crlIssuer } : {}) };
    }),
  );
}

function readIdp(der: Uint8Array): IssuingDistributionPoint {
  const what = 'issuingDistributionPoint';
  const fields = readSequence(decodeDer(der, what), what);
  let last = -1;
  let distributionPoint: DistributionPointName | undefined;
  let onlySomeReasons: CrlReason[] | undefined;
  const flags = { user: false, ca: false, indirect: false, attr: false };
  for (const f of fields) {
    const t = contextTag(f);
    if (t <= last || t > 5) bad(`${what}: unexpected field`);
    last = t;
    if (t === 0) distributionPoint = readDistributionPointName(f, `${what} distributionPoint`);
    else if (t === 1) flags.user = readImplicitBoolean(f, `${what} onlyContainsUserCerts`);
    else if (t === 2) flags.ca = readImplicitBoolean(f, `${what} onlyContainsCACerts`);
    else if (t === 3) onlySomeReasons = readReasonFlags(f, `${what} onlySomeReasons`);
    else if (t === 4) flags.indirect = readImplicitBoolean(f, `${what} indirectCRL`);
    else flags.attr = readImplicitBoolean(f, `${what} onlyContainsAttributeCerts`);
  }
  if (fields.length === 0) bad(`${what}: empty (RFC 5280 5.2.5)`);
  if (Number(flags.user) + Number(flags.ca) + Number(flags.attr) > 1) bad(`${what}: at most one of onlyContainsUserCerts, onlyContainsCACerts, onlyContainsAttributeCerts (RFC 5280 5.2.5)`);
  return {
    ...(distributionPoint ? { distributionPoint } : {}),
    onlyContainsUserCerts: flags.user,
    onlyContainsCACerts: flags.ca,
    ...(onlySomeReasons ? { onlySomeReasons } : {}),
    indirectCrl: flags.indirect,
    onlyContainsAttributeCerts: flags.attr,
  };
}

function readCrlNumber(der: Uint8Array, what: string): bigint {
  const n = readBigInt(decodeDer(der, what), what);
  if (n < 0n || der.length > 2 + 20) bad(`${what}: must be a non-negative INTEGER of at most 20 octets (RFC 5280 5.2.3)`);
  return n;
}

// ------------------------------------------------------------------ parse

function parseCrlDer(input: Uint8Array): Crl {
  try {
    return parseCrlDerInner(input);
  } catch (e) {
    // The shared readers (time, structure) speak of certificates; say CRL.
    if (e instanceof MailPkiError && (e.code === 'ERR_CERT_MALFORMED' || e.code === 'ERR_ASN1_STRUCTURE')) throw new MailPkiError('ERR_CRL_MALFORMED', `CRL: ${e.message}`, { cause: e });
    throw e;
  }
}

function parseCrlDerInner(input: Uint8Array): Crl {
  return wrapDecode('ERR_CRL_MALFORMED', 'CRL', () => {
    const b = new Uint8Array(input); // a copy (memcpy), also of a Buffer
    // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
    const top = head(b, 0, b.length, 'CertificateList');
    if (tagRead() !== 0x30) bad('CertificateList: expected SEQUENCE');
    if (hEnd !== b.length) throw new MailPkiError('ERR_DER_TRAILING_DATA', `CRL: ${b.length - hEnd} bytes after the CertificateList`);
    const tbsStart = top;
    const ts = head(b, tbsStart, b.length, 'TBSCertList');
    if (tagRead() !== 0x30) bad('TBSCertList: expected SEQUENCE');
    const tbsEnd = hEnd;
    const algStart = tbsEnd;
    head(b, algStart, b.length, 'signatureAlgorithm');
    const algEnd = hEnd;
    const sigNode = decodeDer(b.subarray(algEnd), 'signatureValue');
    const { bytes: signature, unusedBits } = readBitString(sigNode, 'signatureValue');
    if (unusedBits !== 0) bad('signatureValue: expected whole octets');
    const outerAlg = b.slice(algStart, algEnd);
    const { info } = parseSignatureAlgorithmId(decodeDer(outerAlg, 'signatureAlgorithm'));

    // TBSCertList fields, one element at a time.
    let p = ts;
    const next = (what: string): [number, number, number] => {
      if (p >= tbsEnd) bad(`TBSCertList: ${what} missing`);
      const s = p;
      const cs = head(b, p, tbsEnd, `TBSCertList ${what}`);
      p = hEnd;
      return [s, cs, hEnd];
    };
    const peek = (): number => (p < tbsEnd ? b[p]! : -1);
    let version = 1;
    if (peek() === 0x02) {
      const [s, , e] = next('version');
      const v = readSmallInt(decodeDer(b.subarray(s, e), 'version'), 'TBSCertList version', 1);
      if (v !== 1) bad('TBSCertList version: only v2 (1) may be written explicitly (RFC 5280 5.1.2.1)');
      version = 2;
    }
    const [as, , ae] = next('signature');
    const innerAlg = b.slice(as, ae);
    if (!equalBytes(innerAlg, outerAlg)) bad('signatureAlgorithm differs from TBSCertList.signature (RFC 5280 5.1.1.2)');
    const [is, , ie] = next('issuer');
    const issuer = readName(decodeDer(b.subarray(is, ie), 'issuer'), 'issuer');
    const [tus, , tue] = next('thisUpdate');
    const thisUpdate = readTime(decodeDer(b.subarray(tus, tue), 'thisUpdate'), 'thisUpdate');
    let nextUpdate: Date | undefined;
    if (peek() === 0x17 || peek() === 0x18) {
      const [s, , e] = next('nextUpdate');
      nextUpdate = readTime(decodeDer(b.subarray(s, e), 'nextUpdate'), 'nextUpdate');
    }
    const unknownCritical = new Set<string>();
    let offsets = { entryOff: new Uint32Array(0), serialOff: new Uint32Array(0), serialLen: new Uint16Array(0) };
    let revStart = -1;
    let revCs = 0;
    let revCe = 0;
    if (peek() === 0x30) {
      [revStart, revCs, revCe] = next('revokedCertificates');
    }
    let extensions: Extension[] = [];
    if (peek() === 0xa0) {
      const [s, , e] = next('crlExtensions');
      if (version < 2) bad('crlExtensions in a v1 CRL (RFC 5280 5.1.2.1)');
      extensions = readExtensions(readExplicit(decodeDer(b.subarray(s, e), 'crlExtensions'), 0, 'crlExtensions'), 'crlExtensions');
    }
    if (p !== tbsEnd) bad('TBSCertList: unexpected element');
    if (revStart >= 0) offsets = scanEntries(b, revCs, revCe, version, unknownCritical);

    let crlNumber: bigint | undefined;
    let baseCrlNumber: bigint | undefined;
    let idp: IssuingDistributionPoint | undefined;
    for (const e of extensions) {
      if (!KNOWN_CRL_EXTENSIONS.has(e.oid)) {
        if (e.critical) unknownCritical.add(e.name);
        continue;
      }
      if (e.oid === OID.crlNumber) crlNumber = readCrlNumber(e.der, 'cRLNumber');
      else if (e.oid === OID.deltaCrlIndicator) {
        if (!e.critical) bad('deltaCRLIndicator must be critical (RFC 5280 5.2.4)');
        baseCrlNumber = readCrlNumber(e.der, 'deltaCRLIndicator');
      } else if (e.oid === OID.issuingDistributionPoint) {
        if (!e.critical) bad('issuingDistributionPoint must be critical (RFC 5280 5.2.5)');
        idp = readIdp(e.der);
      }
    }
    const decoded = decodeExtensions(extensions.filter((e) => e.oid === OID.authorityKeyIdentifier));
    const ix: CrlIndex = { b, ...offsets, outerAlg, innerAlg, indirect: idp?.indirectCrl ?? false };
    let entries: CrlEntry[] | undefined;
    let pem: string | undefined;
    const crl: Crl = {
      version,
      signatureAlgorithm: info,
      issuer,
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      ...(crlNumber !== undefined ? { crlNumber } : {}),
      ...(baseCrlNumber !== undefined ? { baseCrlNumber } : {}),
      ...(decoded.authorityKeyIdentifier ? { authorityKeyIdentifier: decoded.authorityKeyIdentifier } : {}),
      ...(idp ? { issuingDistributionPoint: idp } : {}),
      extensions,
      unknownCriticalExtensions: [...unknownCritical],
      revokedCount: offsets.entryOff.length,
      get entries(): readonly CrlEntry[] {
        return (entries ??= entriesOf(ix));
      },
      tbs: b.subarray(tbsStart, tbsEnd),
      signature,
      der: b,
      get pem(): string {
        return (pem ??= encodePem('X509 CRL', b));
      },
    };
    INDEX.set(crl, ix);
    return crl;
  });
}

/**
 * Parse every CRL in `input`: PEM text (any number of `X509 CRL` blocks;
 * other blocks are skipped) or the DER bytes of one CRL.
 * @throws MailPkiError `ERR_PEM_NOT_FOUND` when there is no CRL;
 *   `ERR_CRL_MALFORMED` (and `ERR_DER_*`) for a malformed one.
 * @example
 * ```ts
 * const crls = parseCrls(readFileSync('crls.pem', 'utf8'));
 * ```
 * @public
 */
export function parseCrls(input: string | Uint8Array): Crl[] {
  let text: string | undefined;
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array) {
    // A SEQUENCE with a long-form length is DER, never text: skip sniffing a large CRL as PEM (a 1 MiB string).
    if (input[0] === 0x30 && input[1]! >= 0x81 && input[1]! <= 0x84) return [parseCrlDer(input)];
    if (looksLikePem(input)) text = latin1(input);
    else return [parseCrlDer(input)];
  } else throw new TypeError('parseCrl: input must be a PEM string or DER bytes');
  const blocks = parsePemBlocks(text);
  const crls = blocks.filter((b) => CRL_LABELS.includes(b.label)).map((b) => parseCrlDer(b.der));
  if (!crls.length) throw new MailPkiError('ERR_PEM_NOT_FOUND', `no CRL found in the input (PEM blocks: ${blocks.map((b) => b.label).join(', ') || 'none'}; expected "X509 CRL")`);
  return crls;
}

/**
 * Parse one CRL (the first of a PEM text, or DER bytes). Strict DER; the
 * entries are validated at once and decoded on demand (see the module
 * header for large CRLs).
 * @throws MailPkiError `ERR_CRL_MALFORMED` (structure, times, CRL
 *   extensions), `ERR_DER_MALFORMED`,
 *   `ERR_DER_NOT_CANONICAL`, `ERR_DER_TRAILING_DATA`, `ERR_PEM_NOT_FOUND`,
 *   `ERR_NAME_INVALID`, `ERR_EXTENSION_INVALID`.
 * @example
 * ```ts
 * const crl = parseCrl(readFileSync('ca.crl'));
 * crl.nextUpdate; // Date
 * findCrlEntry(crl, cert)?.reason; // 'keyCompromise'
 * ```
 * @public
 */
export function parseCrl(input: string | Uint8Array): Crl {
  return parseCrls(input)[0]!;
}

function indexOf(crl: Crl): CrlIndex {
  const ix = INDEX.get(crl);
  if (!ix) throw new TypeError('expected a Crl returned by parseCrl or createCrl');
  return ix;
}

/** The first `n` entries, decoded (inspect shows a few of a large CRL without decoding all). @internal */
export function firstCrlEntries(crl: Crl, n: number): CrlEntry[] {
  return entriesOf(indexOf(crl), n);
}

/** True for a parsed or created CRL. @internal */
export function isCrl(x: unknown): x is Crl {
  return !!x && typeof x === 'object' && INDEX.has(x as Crl);
}

/** DER content octets of INTEGER `n`. */
function serialContent(n: bigint): Uint8Array {
  const der = encodeDer(derInt(n));
  const cs = head(der, 0, der.length, 'serial');
  return der.subarray(cs);
}

/**
 * The entry of a CRL for a serial number (or a certificate's serial), or
 * undefined. Compares the serial's encoding with each entry (no objects
 * are made until a match): one lookup in a 100,000-entry CRL takes about a
 * millisecond. In an indirect CRL an entry may belong to another issuer:
 * check `certificateIssuer` (revocation.ts does).
 * @example
 * ```ts
 * const e = findCrlEntry(crl, cert);
 * if (e) console.log(`revoked ${e.revocationDate.toISOString()} (${e.reason ?? 'unspecified'})`);
 * ```
 * @public
 */
export function findCrlEntry(crl: Crl, serial: bigint | Certificate): CrlEntry | undefined {
  return findCrlEntries(crl, serial)[0];
}

/** Every entry with this serial (several only in an indirect CRL, one per issuer). @internal */
export function findCrlEntries(crl: Crl, serial: bigint | Certificate): CrlEntry[] {
  const ix = indexOf(crl);
  const n = typeof serial === 'bigint' ? serial : serial && typeof serial === 'object' && typeof serial.serialNumber === 'bigint' ? serial.serialNumber : undefined;
  if (n === undefined) throw new TypeError('findCrlEntry: expected a bigint serial or a Certificate');
  if (ix.indirect) return crl.entries.filter((e) => e.serialNumber === n);
  const want = serialContent(n);
  const len = want.length;
  const first = want[0]!;
  const b = ix.b;
  const out: CrlEntry[] = [];
  for (let i = 0; i < ix.serialOff.length; i++) {
    if (ix.serialLen[i] !== len) continue;
    const off = ix.serialOff[i]!;
    if (b[off] !== first) continue;
    let k = 1;
    while (k < len && b[off + k] === want[k]) k++;
    if (k === len) out.push(decodeEntry(ix, i));
  }
  return out;
}

/** Outcome of {@link checkCrlSignature}. @public */
export type CrlSignatureCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'bad-signature' | 'weak-algorithm' | 'unsupported-algorithm'; readonly message: string };

const SIG_CACHE = new WeakMap<Crl, WeakMap<object, CrlSignatureCheck>>();

/**
 * Does `issuer` (a certificate, or a public key) verify the CRL's
 * signature? SHA-1/MD5 and unknown algorithms are failures with their own
 * reason. Results are cached per (CRL, issuer object).
 * @example
 * ```ts
 * if (!checkCrlSignature(crl, caCert).ok) throw new Error('CRL not signed by the CA');
 * ```
 * @public
 */
export function checkCrlSignature(crl: Crl, issuer: Certificate | PublicKey): CrlSignatureCheck {
  const ix = indexOf(crl);
  let m = SIG_CACHE.get(crl);
  if (!m) SIG_CACHE.set(crl, (m = new WeakMap()));
  const hit = m.get(issuer);
  if (hit) return hit;
  const key: PublicKey = (issuer as Certificate).publicKey ?? (issuer as PublicKey);
  const r = computeCrlSignature(crl, ix, key);
  m.set(issuer, r);
  return r;
}

function computeCrlSignature(crl: Crl, ix: CrlIndex, key: PublicKey): CrlSignatureCheck {
  let parsed: ReturnType<typeof parseSignatureAlgorithmId>;
  try {
    parsed = parseSignatureAlgorithmId(ix.outerAlg);
  } catch (e) {
    return { ok: false, reason: 'unsupported-algorithm', message: `CRL signature algorithm: ${e instanceof Error ? e.message : 'unreadable'}` };
  }
  const { info, algorithm } = parsed;
  if (!algorithm) {
    const weak = info.hash === 'SHA-1' || info.hash === 'MD5' || /sha1|md5|md2/i.test(info.name);
    return weak
      ? { ok: false, reason: 'weak-algorithm', message: `the CRL is signed with ${info.name}, which is refused` }
      : { ok: false, reason: 'unsupported-algorithm', message: `the CRL is signed with ${info.name}, which mailpki cannot verify` };
  }
  const want = algorithm.name === 'ECDSA' ? 'ec' : algorithm.name === 'Ed25519' ? 'ed25519' : 'rsa';
  if (!key || key.type !== want) return { ok: false, reason: 'bad-signature', message: `the CRL is signed with ${info.name}, but the key is ${String(key?.type).toUpperCase()}` };
  let good = false;
  try {
    good = verify(key, crl.tbs, crl.signature, algorithm);
  } catch {
    good = false;
  }
  return good ? { ok: true } : { ok: false, reason: 'bad-signature', message: 'the CRL signature does not verify with the key' };
}

// ------------------------------------------------------------------ create

/** One revoked certificate for {@link createCrl}. @public */
export interface CrlEntryInput {
  /** The serial number, or the certificate itself. */
  readonly serial: bigint | Certificate;
  /** When the certificate was revoked (required; truncated to whole seconds). */
  readonly revocationDate: Date;
  /** Default: none (= unspecified, which RFC 5280 5.3.1 says to leave out). `removeFromCRL` is refused (delta CRLs only). */
  readonly reason?: CrlReason;
  /** When the key is known or suspected to have been compromised (RFC 5280 5.3.2). */
  readonly invalidityDate?: Date;
}

/** Options of {@link createCrl}. @public */
export interface CreateCrlOptions {
  /** The CA certificate: its subject becomes the CRL issuer, its SKI the AKI. */
  readonly issuerCertificate: Certificate;
  /** The CA's private key (must match `issuerCertificate`). */
  readonly issuerKey: PrivateKey;
  /** Revoked certificates (default none); serials must be unique. */
  readonly entries?: readonly CrlEntryInput[];
  /** cRLNumber: non-negative, at most 20 octets, increasing from one CRL to the next (RFC 5280 5.2.3). */
  readonly crlNumber: bigint | number;
  /** The cRLNumber of the CA's previous CRL: `crlNumber` must be greater. */
  readonly previousCrlNumber?: bigint | number;
  /** thisUpdate (default now; truncated to whole seconds). */
  readonly thisUpdate?: Date;
  /** nextUpdate (default thisUpdate + `days`). */
  readonly nextUpdate?: Date;
  /** Days until nextUpdate when `nextUpdate` is not given (default 7). */
  readonly days?: number;
  /** Signature algorithm (default: as for certificates, from the key). */
  readonly signatureAlgorithm?: SignatureAlgorithm;
  /** Random source for the signature (tests only). */
  readonly rng?: RandomSource;
}

const DAY_MS = 86_400_000;
/** Default CRL lifetime in days (see the module header). @public */
export const DEFAULT_CRL_DAYS = 7;

function checkDate(d: unknown, what: string): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError(`${what}: expected a valid Date`);
  return d;
}

function toBig(v: unknown, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw new TypeError(`${what}: expected a bigint or a safe integer`);
}

/**
 * Make and sign a v2 CRL (RFC 5280 5): issuer = the CA certificate's
 * subject, AKI (keyIdentifier = the CA's SKI), cRLNumber, thisUpdate,
 * nextUpdate; per entry a revocation date, a reasonCode (unless
 * unspecified) and an optional invalidityDate.
 *
 * @throws MailPkiError `ERR_ISSUER_NOT_CA` when the CA certificate has a
 *   keyUsage without cRLSign; `ERR_KEY_MISMATCH` when the key is not the
 *   CA's; `ERR_POLICY` for a duplicate serial, `removeFromCRL`, a cRLNumber
 *   not above `previousCrlNumber`; `ERR_VALIDITY` when nextUpdate is not
 *   after thisUpdate; `ERR_WEAK_ALGORITHM` for SHA-1.
 * @throws TypeError / RangeError for wrong arguments.
 * @example
 * ```ts
 * const crl = createCrl({
 *   issuerCertificate: ca, issuerKey: caKey, crlNumber: 2n,
 *   entries: [{ serial: leaf, revocationDate: new Date(), reason: 'keyCompromise' }],
 * });
 * writeFileSync('ca.crl.pem', crl.pem);
 * ```
 * @public
 */
export function createCrl(options: CreateCrlOptions): Crl {
  if (!options || typeof options !== 'object') throw new TypeError('createCrl: options object required');
  const ca = options.issuerCertificate;
  const key = options.issuerKey;
  if (!ca || !(ca.der instanceof Uint8Array) || !ca.subject) throw new TypeError('issuerCertificate: a parsed Certificate is required');
  if (!key || key.kind !== 'private') throw new TypeError('issuerKey: a private key object is required');
  const ku = ca.decoded.keyUsage;
  if (ku && !ku.includes('cRLSign')) throw new MailPkiError('ERR_ISSUER_NOT_CA', `the CA certificate's keyUsage (${ku.join(', ') || 'none'}) lacks cRLSign: it may not sign CRLs (RFC 5280 4.2.1.3)`);
  if (!publicKeysEqual(key, ca.publicKey)) throw new MailPkiError('ERR_KEY_MISMATCH', 'issuerKey does not belong to the CA certificate (its public key differs)');
  const crlNumber = toBig(options.crlNumber, 'crlNumber');
  if (crlNumber < 0n || encodeDer(derInt(crlNumber)).length > 22) throw new RangeError('crlNumber must be a non-negative integer of at most 20 octets (RFC 5280 5.2.3)');
  if (options.previousCrlNumber !== undefined && crlNumber <= toBig(options.previousCrlNumber, 'previousCrlNumber')) {
    throw new MailPkiError('ERR_POLICY', `crlNumber ${crlNumber} must be greater than the previous CRL's ${options.previousCrlNumber} (RFC 5280 5.2.3)`);
  }
  const thisUpdate = wholeSeconds(options.thisUpdate === undefined ? new Date() : checkDate(options.thisUpdate, 'thisUpdate'));
  let nextUpdate: Date;
  if (options.nextUpdate !== undefined) nextUpdate = wholeSeconds(checkDate(options.nextUpdate, 'nextUpdate'));
  else {
    const days = options.days ?? DEFAULT_CRL_DAYS;
    if (typeof days !== 'number' || !(days > 0) || days > 36500) throw new RangeError('days must be a number in (0, 36500]');
    nextUpdate = new Date(thisUpdate.getTime() + Math.round(days * DAY_MS));
  }
  if (nextUpdate <= thisUpdate) throw new MailPkiError('ERR_VALIDITY', 'nextUpdate must be after thisUpdate');
  const alg = options.signatureAlgorithm ?? defaultSignatureAlgorithm(key);
  const hash = (alg as { hash?: string }).hash;
  if (hash !== undefined && hash !== 'SHA-256' && hash !== 'SHA-384' && hash !== 'SHA-512') throw new MailPkiError('ERR_WEAK_ALGORITHM', `signature hash ${String(hash)} is refused (use SHA-256 or stronger)`);
  checkAlgorithmMatchesKey(alg, key);

  const list = options.entries ?? [];
  if (!Array.isArray(list)) throw new TypeError('entries: expected an array');
  const seen = new Set<bigint>();
  const timeCache = new Map<number, Uint8Array>();
  const time = (d: Date): Uint8Array => {
    const t = d.getTime();
    let hit = timeCache.get(t);
    if (!hit) timeCache.set(t, (hit = encodeTimeDer(d)));
    return hit;
  };
  const parts: Uint8Array[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (!e || typeof e !== 'object') throw new TypeError(`entries[${i}]: expected { serial, revocationDate }`);
    const serial = typeof e.serial === 'bigint' ? e.serial : e.serial && typeof e.serial === 'object' && typeof e.serial.serialNumber === 'bigint' ? e.serial.serialNumber : undefined;
    if (serial === undefined) throw new TypeError(`entries[${i}].serial: expected a bigint or a Certificate`);
    if (seen.has(serial)) throw new MailPkiError('ERR_POLICY', `entries[${i}]: serial ${serial.toString(16)} is listed twice`);
    seen.add(serial);
    const rd = wholeSeconds(checkDate(e.revocationDate, `entries[${i}].revocationDate`));
    const exts: Uint8Array[] = [];
    if (e.reason !== undefined && e.reason !== 'unspecified') {
      const code = CRL_REASONS.indexOf(e.reason);
      if (code < 0) throw new TypeError(`entries[${i}].reason: unknown reason ${JSON.stringify(e.reason)}`);
      if (e.reason === 'removeFromCRL') throw new MailPkiError('ERR_POLICY', `entries[${i}]: removeFromCRL is only for delta CRLs (RFC 5280 5.3.1)`);
      exts.push(REASON_EXT[code]!);
    }
    if (e.invalidityDate !== undefined) {
      const inv = wholeSeconds(checkDate(e.invalidityDate, `entries[${i}].invalidityDate`));
      exts.push(encodeDer(derSeq(derOid(OID.invalidityDate), derOctets(generalizedTime(inv)))));
    }
    const body = [encodeDer(derInt(serial)), time(rd)];
    if (exts.length) body.push(derSeqBytes(concatBytes(...exts)));
    parts[i] = derSeqBytes(...body);
  }

  const akiId = ca.decoded.subjectKeyIdentifier ?? computeKeyIdentifier(ca.spki);
  const extensions: Extension[] = [
    makeExtension(OID.authorityKeyIdentifier, false, derSeq(derImplicitBytes(0, akiId))),
    makeExtension(OID.crlNumber, false, derInt(crlNumber)),
  ];
  const algId = encodeDer(encodeSignatureAlgorithmId(alg));
  const tbsParts: Uint8Array[] = [encodeDer(derInt(1)), algId, ca.subject.der, encodeDer(encodeTime(thisUpdate)), encodeDer(encodeTime(nextUpdate))];
  if (parts.length) tbsParts.push(derSeqBytes(concatBytes(...chunked(parts))));
  tbsParts.push(encodeDer(derExplicit(0, derSeq(...extensions.map((e) => derSeq(derOid(e.oid), derOctets(e.der)))))));
  const tbs = derSeqBytes(...tbsParts);
  const signature = sign(key, tbs, alg, options.rng ? { rng: options.rng } : {});
  const der = derSeqBytes(tbs, algId, encodeDer(derBitString(signature)));
  return parseCrlDer(der);
}

/** concatBytes over many parts without a huge argument list. */
function chunked(parts: Uint8Array[]): Uint8Array[] {
  if (parts.length < 10_000) return parts;
  const out: Uint8Array[] = [];
  for (let i = 0; i < parts.length; i += 10_000) out.push(concatBytes(...parts.slice(i, i + 10_000)));
  return out;
}

/** GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280 5.3.2 uses it for every year). */
function generalizedTime(d: Date): Uint8Array {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const s = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
  return encodeDer(derRaw(Uint8Array.of(0x18, 15, ...Array.from(s, (c) => c.charCodeAt(0)))));
}

/** The reasonCode entry extension for each code, pre-encoded. */
const REASON_EXT: Uint8Array[] = CRL_REASONS.map((_, code) => encodeDer(derSeq(derOid(OID.crlReason), derOctets(Uint8Array.of(0x0a, 0x01, code)))));
