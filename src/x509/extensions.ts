/**
 * Certificate extensions (RFC 5280 4.2): encode the ones mailpki writes,
 * decode every RFC 5280 extension a certificate or CSR may carry, keep
 * unknown ones raw with their criticality.
 *
 * Subject key identifier method (RFC 5280 4.2.1.2 leaves it open): RFC 7093
 * section 2 method 1, the leftmost 160 bits of the SHA-256 hash of the
 * subjectPublicKey BIT STRING value (tag, length and unused-bits octet
 * excluded). Same length as the classic SHA-1 method (RFC 5280 4.2.1.2 (1)),
 * so every tool displays it the same way, but no SHA-1 anywhere in issuance.
 * The authority key identifier copies the issuer's SKI extension when it has
 * one (RFC 5280 4.2.1.1), else the same method over the issuer's key.
 *
 * Out of scope: policy mappings/constraints and inhibitAnyPolicy are kept
 * raw (read, not decoded); CRL-only extensions.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { MailPkiError, wrapDecode } from '../errors.js';
import { OID, oidName } from '../oid.js';
import {
  type Asn1Node,
  type DerNode,
  isUniversal,
  contextTag,
  decodeDer,
  derBitString,
  derBool,
  derExplicit,
  derIa5,
  derImplicitBytes,
  derImplicitChildren,
  derInt,
  derOctets,
  derOid,
  derSeq,
  derUtf8,
  encodeDer,
  readBitString,
  readBitStringBytes,
  readBoolean,
  readExplicit,
  readImplicitBytes,
  readImplicitChildren,
  readOctetString,
  readOid,
  readSequence,
  readSmallInt,
  readString,
} from '../encoding/der.js';
import { bytesToBigInt } from '../encoding/bytes.js';
import type { DecodedExtensions, Extension, GeneralName, KeyUsageName, NameConstraints } from './types.js';
import { encodeGeneralName, readGeneralName, readGeneralNames } from './general-name.js';

/** Key usage bit positions (RFC 5280 4.2.1.3). @internal */
export const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

function bad(msg: string): never {
  throw new MailPkiError('ERR_EXTENSION_INVALID', msg);
}

/** Wrap an encoded value as an {@link Extension}. @internal */
export function makeExtension(oid: string, critical: boolean, value: Asn1Node | Uint8Array): Extension {
  return { oid, name: oidName(oid), critical, der: value instanceof Uint8Array ? value : encodeDer(value) };
}

// ------------------------------------------------------------------ builders

/** subjectAltName (RFC 5280 4.2.1.6); critical only when the subject is empty. @internal */
export function subjectAltNameExtension(names: readonly GeneralName[], critical = false): Extension {
  if (names.length === 0) bad('subjectAltName must contain at least one name');
  return makeExtension(OID.subjectAltName, critical, derSeq(...names.map((n) => encodeGeneralName(n))));
}

/** keyUsage (RFC 5280 4.2.1.3): a DER named BIT STRING without trailing zero bits. @internal */
export function keyUsageExtension(usages: readonly KeyUsageName[], critical = true): Extension {
  let highest = -1;
  const bits = new Uint8Array(2);
  for (const u of usages) {
    const i = KEY_USAGE_BITS.indexOf(u);
    if (i < 0) throw new RangeError(`unknown key usage ${JSON.stringify(u)}`);
    bits[i >> 3]! |= 0x80 >> (i & 7);
    highest = Math.max(highest, i);
  }
  if (highest < 0) bad('keyUsage must assert at least one bit (RFC 5280 4.2.1.3)');
  const len = (highest >> 3) + 1;
  // X.690 11.2.2: named bit lists drop trailing zero bits.
  return makeExtension(OID.keyUsage, critical, derBitString(bits.slice(0, len), 7 - (highest & 7)));
}

/** extKeyUsage (RFC 5280 4.2.1.12). @internal */
export function extKeyUsageExtension(oids: readonly string[], critical = false): Extension {
  if (oids.length === 0) bad('extKeyUsage must list at least one purpose');
  return makeExtension(OID.extKeyUsage, critical, derSeq(...oids.map(derOid)));
}

/** basicConstraints (RFC 5280 4.2.1.9); cA FALSE is the DEFAULT, so omitted. @internal */
export function basicConstraintsExtension(bc: { ca: boolean; pathLen?: number }, critical = true): Extension {
  const items: Asn1Node[] = [];
  if (bc.ca) items.push(derBool(true));
  if (bc.pathLen !== undefined) {
    if (!bc.ca) bad('pathLenConstraint requires cA TRUE (RFC 5280 4.2.1.9)');
    if (!Number.isInteger(bc.pathLen) || bc.pathLen < 0) throw new RangeError('pathLen must be a non-negative integer');
    items.push(derInt(bc.pathLen));
  }
  return makeExtension(OID.basicConstraints, critical, derSeq(...items));
}

/** subjectKeyIdentifier (RFC 5280 4.2.1.2), never critical. @internal */
export function subjectKeyIdentifierExtension(keyId: Uint8Array): Extension {
  return makeExtension(OID.subjectKeyIdentifier, false, derOctets(keyId));
}

/** authorityKeyIdentifier with keyIdentifier only (RFC 5280 4.2.1.1), never critical. @internal */
export function authorityKeyIdentifierExtension(keyId: Uint8Array): Extension {
  return makeExtension(OID.authorityKeyIdentifier, false, derSeq(derImplicitBytes(0, keyId)));
}

/**
 * nameConstraints (RFC 5280 4.2.1.10: MUST be critical). `ip` bases are
 * `addr/prefix` text.
 * @internal
 */
export function nameConstraintsExtension(nc: NameConstraints, critical = true): Extension {
  if (nc.permitted.length === 0 && nc.excluded.length === 0) bad('nameConstraints must permit or exclude at least one name');
  const subtrees = (list: readonly GeneralName[], tag: number): Asn1Node[] =>
    list.length ? [derImplicitChildren(tag, list.map((g) => derSeq(encodeGeneralName(g, true))))] : [];
  return makeExtension(OID.nameConstraints, critical, derSeq(...subtrees(nc.permitted, 0), ...subtrees(nc.excluded, 1)));
}

/** cRLDistributionPoints with one fullName point per URI (RFC 5280 4.2.1.13). @internal */
export function crlDistributionPointsExtension(names: readonly GeneralName[]): Extension {
  if (names.length === 0) bad('cRLDistributionPoints needs at least one location');
  // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }
  return makeExtension(
    OID.crlDistributionPoints,
    false,
    derSeq(...names.map((n) => derSeq(derExplicit(0, derImplicitChildren(0, [encodeGeneralName(n)]))))),
  );
}

/** authorityInfoAccess (RFC 5280 4.2.2.1). @internal */
export function authorityInfoAccessExtension(entries: ReadonlyArray<{ method: string; location: GeneralName }>): Extension {
  if (entries.length === 0) bad('authorityInfoAccess needs at least one entry');
  return makeExtension(OID.authorityInfoAccess, false, derSeq(...entries.map((e) => derSeq(derOid(e.method), encodeGeneralName(e.location)))));
}

/** certificatePolicies (RFC 5280 4.2.1.4). @internal */
export function certificatePoliciesExtension(
  policies: ReadonlyArray<{ oid: string; cps?: readonly string[]; userNotice?: readonly string[] }>,
): Extension {
  if (policies.length === 0) bad('certificatePolicies needs at least one policy');
  return makeExtension(
    OID.certificatePolicies,
    false,
    derSeq(
      ...policies.map((p) => {
        const quals = [
          ...(p.cps ?? []).map((u) => derSeq(derOid(OID.cps), derIa5(u))),
          ...(p.userNotice ?? []).map((t) => derSeq(derOid(OID.userNotice), derSeq(derUtf8(t)))),
        ];
        return quals.length ? derSeq(derOid(p.oid), derSeq(...quals)) : derSeq(derOid(p.oid));
      }),
    ),
  );
}

/** `Extensions ::= SEQUENCE OF Extension` node (RFC 5280 4.1). @internal */
export function encodeExtensions(exts: readonly Extension[]): Asn1Node {
  const seen = new Set<string>();
  for (const e of exts) {
    if (seen.has(e.oid)) bad(`extension ${e.name} appears twice (RFC 5280 4.2)`);
    seen.add(e.oid);
  }
  // critical BOOLEAN DEFAULT FALSE: omitted when false (X.690 11.5).
  return derSeq(...exts.map((e) => derSeq(derOid(e.oid), ...(e.critical ? [derBool(true)] : []), derOctets(e.der))));
}

// ------------------------------------------------------------------ SKI

/**
 * Key identifier per RFC 7093 section 2 method 1: leftmost 160 bits of
 * SHA-256 over the subjectPublicKey BIT STRING value of `spkiDer`.
 * @throws MailPkiError `ERR_ASN1_STRUCTURE` when `spkiDer` is not an SPKI.
 * @example
 * ```ts
 * computeKeyIdentifier(cert.spki); // equals cert.decoded.subjectKeyIdentifier for mailpki certs
 * ```
 * @public
 */
export function computeKeyIdentifier(spkiDer: Uint8Array): Uint8Array {
  const [, bits] = readSequence(decodeDer(spkiDer, 'SubjectPublicKeyInfo'), 'SubjectPublicKeyInfo', 2, 2);
  return sha256(readBitStringBytes(bits, 'subjectPublicKey')).slice(0, 20);
}

// ------------------------------------------------------------------ reading

/**
 * Read `Extensions` (the SEQUENCE node inside `[3]` or an extensionRequest).
 * `onDuplicate` is told of an OID seen before (RFC 5280 4.2); by default it
 * throws. The tolerant reader (problems.ts) records a problem instead.
 * @throws MailPkiError `ERR_EXTENSION_INVALID` on duplicates or a malformed entry.
 * @internal
 */
export function readExtensions(
  node: DerNode | undefined,
  what: string,
  onDuplicate: (oid: string) => void = (oid) => bad(`extension ${oidName(oid)} appears twice (RFC 5280 4.2)`),
): Extension[] {
  const out: Extension[] = [];
  const seen = new Set<string>();
  for (const [i, extNode] of readSequence(node, what, 1).entries()) {
    const parts = readSequence(extNode, `${what}[${i}]`, 2, 3);
    const oid = readOid(parts[0], `${what}[${i}] extnID`);
    let critical = false;
    if (parts.length === 3) critical = readBoolean(parts[1], `${what}[${i}] critical`);
    const der = readOctetString(parts[parts.length - 1], `${what}[${i}] extnValue`);
    if (seen.has(oid)) onDuplicate(oid);
    seen.add(oid);
    out.push({ oid, name: oidName(oid), critical, der });
  }
  return out;
}

const DECODED = new Set<string>([
  OID.subjectAltName,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.basicConstraints,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.nameConstraints,
  OID.crlDistributionPoints,
  OID.authorityInfoAccess,
  OID.certificatePolicies,
]);

function decodeOne(e: Extension): Partial<Record<keyof DecodedExtensions, unknown>> {
  const what = e.name;
  if (!DECODED.has(e.oid)) return {}; // unknown: kept raw only
  const node = decodeDer(e.der, what, { strict: false });
  switch (e.oid) {
    case OID.subjectAltName:
      return { subjectAltName: readGeneralNames(readSequence(node, what, 1), what) };
    case OID.keyUsage: {
      const { bytes, unusedBits } = readBitString(node, what);
      const usages: KeyUsageName[] = [];
      const total = bytes.length * 8 - unusedBits;
      KEY_USAGE_BITS.forEach((name, i) => {
        if (i < total && bytes[i >> 3]! & (0x80 >> (i & 7))) usages.push(name);
      });
      return { keyUsage: usages };
    }
    case OID.extKeyUsage:
      return { extKeyUsage: readSequence(node, what, 1).map((n, i) => readOid(n, `${what}[${i}]`)) };
    case OID.basicConstraints: {
      const items = readSequence(node, what, 0, 2);
      let idx = 0;
      let ca = false;
      if (isUniversal(items[0], 1)) {
        ca = readBoolean(items[0], `${what} cA`);
        idx = 1;
      }
      let pathLen: number | undefined;
      if (items[idx]) pathLen = readSmallInt(items[idx], `${what} pathLenConstraint`, 2 ** 31);
      if (idx + (pathLen === undefined ? 0 : 1) !== items.length) bad(`${what}: unexpected fields`);
      return { basicConstraints: pathLen === undefined ? { ca } : { ca, pathLen } };
    }
    case OID.subjectKeyIdentifier:
      return { subjectKeyIdentifier: readOctetString(node, what) };
    case OID.authorityKeyIdentifier: {
      const aki: { keyIdentifier?: Uint8Array; issuer?: GeneralName[]; serial?: bigint } = {};
      for (const item of readSequence(node, what, 0, 3)) {
        const tag = contextTag(item);
        if (tag === 0) aki.keyIdentifier = readImplicitBytes(item, 0, `${what} keyIdentifier`);
        else if (tag === 1) aki.issuer = readGeneralNames(readImplicitChildren(item, 1, `${what} authorityCertIssuer`), `${what} authorityCertIssuer`);
        else if (tag === 2) {
          const b = readImplicitBytes(item, 2, `${what} serial`);
          if (b.length === 0) bad(`${what}: empty serial`);
          aki.serial = bytesToBigInt(b) - ((b[0]! & 0x80) ? 1n << BigInt(b.length * 8) : 0n);
        } else bad(`${what}: unexpected field [${tag}]`);
      }
      return { authorityKeyIdentifier: aki };
    }
    case OID.nameConstraints: {
      const nc: { permitted: GeneralName[]; excluded: GeneralName[] } = { permitted: [], excluded: [] };
      for (const item of readSequence(node, what, 0, 2)) {
        const tag = contextTag(item);
        if (tag !== 0 && tag !== 1) bad(`${what}: unexpected field [${tag}]`);
        const list = tag === 0 ? nc.permitted : nc.excluded;
        for (const st of readImplicitChildren(item, tag, what)) {
          const parts = readSequence(st, `${what} subtree`, 1, 3);
          list.push(readGeneralName(parts[0], `${what} subtree base`));
        }
      }
      return { nameConstraints: nc };
    }
    case OID.crlDistributionPoints: {
      const names: GeneralName[] = [];
      for (const dp of readSequence(node, what, 1)) {
        for (const f of readSequence(dp, `${what} point`, 0, 3)) {
          if (contextTag(f) !== 0) continue; // reasons [1], cRLIssuer [2]
          const dpn = readExplicit(f, 0, `${what} distributionPoint`);
          if (contextTag(dpn) === 0) names.push(...readGeneralNames(readImplicitChildren(dpn, 0, `${what} fullName`), `${what} fullName`));
        }
      }
      return { crlDistributionPoints: names };
    }
    case OID.authorityInfoAccess:
      return {
        authorityInfoAccess: readSequence(node, what, 1).map((ad, i) => {
          const [m, loc] = readSequence(ad, `${what}[${i}]`, 2, 2);
          return { method: readOid(m, `${what}[${i}] method`), location: readGeneralName(loc, `${what}[${i}] location`) };
        }),
      };
    case OID.certificatePolicies:
      return {
        certificatePolicies: readSequence(node, what, 1).map((pi, i) => {
          const parts = readSequence(pi, `${what}[${i}]`, 1, 2);
          const oid = readOid(parts[0], `${what}[${i}] policyIdentifier`);
          const cps: string[] = [];
          const userNotice: string[] = [];
          for (const q of parts[1] ? readSequence(parts[1], `${what}[${i}] qualifiers`, 1) : []) {
            const [qid, qv] = readSequence(q, `${what} qualifier`, 2, 2);
            const qoid = readOid(qid, `${what} qualifier id`);
            if (qoid === OID.cps) cps.push(displayText(qv, `${what} cPSuri`));
            else if (qoid === OID.userNotice) {
              for (const f of readSequence(qv, `${what} userNotice`, 0, 2)) if (!isUniversal(f, 16)) userNotice.push(displayText(f, `${what} explicitText`));
            }
          }
          return {
            oid,
            ...(cps.length ? { cps } : {}),
            ...(userNotice.length ? { userNotice } : {}),
          };
        }),
      };
    default:
      return {};
  }
}

/** DisplayText (RFC 5280 4.2.1.4): IA5String, VisibleString, BMPString or UTF8String. */
function displayText(node: DerNode | undefined, what: string): string {
  const isText = isUniversal(node, 22) || isUniversal(node, 26) || isUniversal(node, 30) || isUniversal(node, 12);
  if (!isText || node!.constructed) bad(`${what}: expected a DisplayText string`);
  return readString(node, what).value;
}

/**
 * Decode the known extensions of a list into {@link DecodedExtensions}.
 * @throws MailPkiError `ERR_EXTENSION_INVALID` naming the extension that is malformed.
 * @internal
 */
export function decodeExtensions(exts: readonly Extension[]): DecodedExtensions {
  const out: Record<string, unknown> = {};
  for (const e of exts) {
    Object.assign(out, wrapDecode('ERR_EXTENSION_INVALID', `extension ${e.name}`, () => {
      try {
        return decodeOne(e);
      } catch (err) {
        if (err instanceof MailPkiError && err.code !== 'ERR_EXTENSION_INVALID') {
          throw new MailPkiError('ERR_EXTENSION_INVALID', `extension ${e.name}: ${err.message}`, { cause: err });
        }
        throw err;
      }
    }));
  }
  return out as DecodedExtensions;
}

