/**
 * Inspecting certificates and CSRs: a readable text dump (what
 * `openssl x509 -text` tells, structured and legible), JSON forms, and
 * fingerprints (SHA-256 / SHA-1 of the DER, as `openssl x509 -fingerprint`
 * prints them; SHA-256 of the SubjectPublicKeyInfo for DANE `3 1 1` and
 * pinning, RFC 7671 / RFC 7469).
 *
 * CRLs too (inspectCrl, crlToJson).
 * Keys of algorithms mailpki does not use (opaque keys: DSA, GOST, other
 * curves, ...) are described with what is known (algorithm, size,
 * parameters) and marked unsupported; RSASSA-PSS keys with their
 * restrictions. Problems found by the tolerant reading (problems.ts) are
 * listed with their rule ({@link formatProblems}).
 *
 * A CSR's challengePassword is never printed, in text or JSON: only that
 * one is present. Out of scope: linting (lint.ts), chain checks.
 */
import { digest } from '../crypto/hash.js';
import { toHex } from '../encoding/bytes.js';
import { escapeTerminal } from '../encoding/terminal.js';
import { oidName } from '../oid.js';
import { describeKey, keyBits } from '../keys/public-key.js';
import { encodeSpki } from '../keys/spki.js';
import type { PublicKey } from '../crypto/key-types.js';
import type { ParseProblem } from './problems.js';
import type { Certificate, CertificateRequest, DecodedExtensions, DistinguishedName, Extension, GeneralName, SignatureAlgorithmInfo } from './types.js';
import { displayName, formatNameOpenssl, formatNameRfc4514 } from './name.js';
import { formatGeneralName } from './general-name.js';
import { serialToHex } from './serial.js';
import { firstCrlEntries, type Crl, type DistributionPointName } from './crl.js';
import { isCertificate } from './certificate.js';

const DAY_MS = 86_400_000;

const colonHex = (b: Uint8Array, upper = true): string => {
  const h = toHex(b).replace(/(..)(?!$)/g, '$1:');
  return upper ? h.toUpperCase() : h;
};

/**
 * SHA-256 fingerprint of the certificate's DER, colon-separated upper-case
 * hex, exactly as `openssl x509 -noout -fingerprint -sha256` prints it.
 * @example
 * ```ts
 * sha256Fingerprint(cert); // 'AB:12:...'
 * ```
 * @public
 */
export function sha256Fingerprint(cert: Certificate): string {
  if (!isCertificate(cert)) throw new TypeError('sha256Fingerprint: a parsed Certificate is required');
  return colonHex(digest('SHA-256', cert.der));
}

/**
 * SHA-1 fingerprint (colon hex, as `openssl x509 -fingerprint -sha1`):
 * for display and matching old inventories only, not security.
 * @example
 * ```ts
 * sha1Fingerprint(cert); // 'E2:B0:...'
 * ```
 * @public
 */
export function sha1Fingerprint(cert: Certificate): string {
  if (!isCertificate(cert)) throw new TypeError('sha1Fingerprint: a parsed Certificate is required');
  return colonHex(digest('SHA-1', cert.der));
}

/**
 * SHA-256 of the DER SubjectPublicKeyInfo, lower-case hex without colons:
 * the data of a DANE `TLSA 3 1 1` (or `2 1 1` for a CA) record (RFC 7671,
 * RFC 7672) and an HPKP-style pin. Survives renewals that keep the key.
 * @param subject - a certificate (its SPKI as read) or a public key.
 * @example
 * ```ts
 * `_25._tcp.mx.example.com. IN TLSA 3 1 1 ${spkiSha256(cert)}`
 * ```
 * @public
 */
export function spkiSha256(subject: Certificate | PublicKey): string {
  if (isCertificate(subject)) return toHex(digest('SHA-256', subject.spki));
  if (!subject || (subject as PublicKey).kind !== 'public') throw new TypeError('spkiSha256: a Certificate or a public key is required');
  if (subject.type === 'opaque') return toHex(digest('SHA-256', subject.spki)); // as read: we never re-encode it
  return toHex(digest('SHA-256', encodeSpki(subject)));
}

function utc(d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

function span(ms: number): string {
  const days = Math.floor(Math.abs(ms) / DAY_MS);
  if (days >= 1) return `${days} day${days === 1 ? '' : 's'}`;
  const hours = Math.floor(Math.abs(ms) / 3_600_000);
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

/** Control characters from hostile certs are shown escaped, so a dump stays one line per field. */
const clean = (s: string): string => escapeTerminal(s);

function gn(g: GeneralName): string {
  return clean(formatGeneralName(g, displayName));
}

function crit(exts: readonly Extension[], name: string): string {
  return exts.find((e) => e.name === name)?.critical ? ' (critical)' : '';
}

const KNOWN = new Set([
  'subjectAltName',
  'keyUsage',
  'extKeyUsage',
  'basicConstraints',
  'subjectKeyIdentifier',
  'authorityKeyIdentifier',
  'nameConstraints',
  'crlDistributionPoints',
  'authorityInfoAccess',
  'certificatePolicies',
]);

function extensionLines(exts: readonly Extension[], d: DecodedExtensions): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  if (d.subjectAltName) rows.push(['Subject alt names' + crit(exts, 'subjectAltName'), d.subjectAltName.map(gn).join(', ')]);
  if (d.keyUsage) rows.push(['Key usage' + crit(exts, 'keyUsage'), d.keyUsage.join(', ') || '(none)']);
  if (d.extKeyUsage) rows.push(['Extended key usage' + crit(exts, 'extKeyUsage'), d.extKeyUsage.map(oidName).join(', ')]);
  if (d.basicConstraints) {
    const bc = d.basicConstraints;
    rows.push(['Basic constraints' + crit(exts, 'basicConstraints'), `CA:${bc.ca ? 'TRUE' : 'FALSE'}${bc.pathLen !== undefined ? `, pathLen:${bc.pathLen}` : ''}`]);
  }
  if (d.subjectKeyIdentifier) rows.push(['Subject key id', colonHex(d.subjectKeyIdentifier)]);
  if (d.authorityKeyIdentifier) {
    const a = d.authorityKeyIdentifier;
    const parts = [
      a.keyIdentifier ? colonHex(a.keyIdentifier) : '',
      a.issuer ? `issuer ${a.issuer.map(gn).join(', ')}` : '',
      a.serial !== undefined ? `serial ${serialToHex(a.serial)}` : '',
    ].filter(Boolean);
    rows.push(['Authority key id', parts.join('; ')]);
  }
  if (d.nameConstraints) {
    const nc = d.nameConstraints;
    rows.push([
      'Name constraints' + crit(exts, 'nameConstraints'),
      [nc.permitted.length ? `permitted ${nc.permitted.map(gn).join(', ')}` : '', nc.excluded.length ? `excluded ${nc.excluded.map(gn).join(', ')}` : '']
        .filter(Boolean)
        .join('; '),
    ]);
  }
  if (d.crlDistributionPoints) rows.push(['CRL distribution points', d.crlDistributionPoints.map(gn).join(', ')]);
  if (d.authorityInfoAccess) rows.push(['Authority info access', d.authorityInfoAccess.map((a) => `${oidName(a.method)} ${gn(a.location)}`).join(', ')]);
  if (d.certificatePolicies) {
    rows.push([
      'Certificate policies',
      d.certificatePolicies
        .map((p) => [oidName(p.oid), ...(p.cps ?? []).map((c) => `CPS ${clean(c)}`), ...(p.userNotice ?? []).map((t) => `notice ${escapeTerminal(JSON.stringify(t), 'json')}`)].join(' '))
        .join(', '),
    ]);
  }
  for (const e of exts) if (!KNOWN.has(e.name)) rows.push([`Extension ${e.name}${e.critical ? ' (critical)' : ''}`, `${e.der.length} bytes`]);
  return rows;
}

/** Signature algorithms mailpki verifies (names as algorithm-id.ts gives them). */
const CHECKABLE = new Set(['sha256WithRSAEncryption', 'sha384WithRSAEncryption', 'sha512WithRSAEncryption', 'ecdsa-with-SHA256', 'ecdsa-with-SHA384', 'ecdsa-with-SHA512', 'Ed25519']);

/**
 * Why a signature by this algorithm (and key) cannot be checked by mailpki,
 * or undefined when it can: such a signature is "not checked", which says
 * nothing about the data being invalid.
 * @example
 * ```ts
 * signatureNotCheckedReason(cert.signatureAlgorithm); // 'dsa-with-SHA256 is not supported' or undefined
 * ```
 * @public
 */
export function signatureNotCheckedReason(alg: SignatureAlgorithmInfo, key?: PublicKey): string | undefined {
  if (key?.type === 'opaque') return `${key.algorithm} keys are not supported`;
  if (CHECKABLE.has(alg.name)) return undefined;
  if (alg.name === 'RSASSA-PSS' && (alg.hash === 'SHA-256' || alg.hash === 'SHA-384' || alg.hash === 'SHA-512')) return undefined;
  if (/sha1|md5|md2/i.test(alg.name) || alg.hash === 'SHA-1' || alg.hash === 'MD5') return `${alg.name} is refused as weak`;
  return `${alg.name}${alg.hash && alg.name === 'RSASSA-PSS' ? ` with ${alg.hash}` : ''} is not supported`;
}

/**
 * Problems of a tolerant reading as text lines (`  Problem: RFC 5280 4.2:
 * extension basicConstraints appears twice`), terminal-safe; empty string
 * when there are none.
 * @example
 * ```ts
 * const { certificate, problems } = parseCertificateTolerant(pem);
 * console.log(inspectCertificate(certificate) + formatProblems(problems));
 * ```
 * @public
 */
export function formatProblems(problems: readonly ParseProblem[]): string {
  return problems.map((p) => `  Problem: ${clean(p.rule)}: ${clean(p.message)}\n`).join('');
}

function keyText(k: PublicKey): string {
  return k.type === 'opaque' ? `${clean(describeKey(k))} (not supported: ${clean(k.reason)})` : describeKey(k);
}

function signatureText(alg: SignatureAlgorithmInfo, key?: PublicKey): string {
  const why = signatureNotCheckedReason(alg, key);
  return clean(alg.name) + (alg.name === 'RSASSA-PSS' && alg.hash ? ` (${clean(alg.hash)})` : '') + (why ? ` (not checked: ${clean(why)})` : '');
}

function table(title: string, rows: Array<[string, string]>): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return [title, ...rows.map(([k, v]) => `  ${(k + ':').padEnd(w + 2)}${v}`)].join('\n') + '\n';
}

function nameText(dn: DistinguishedName): string {
  return clean(displayName(dn));
}

/** Options of {@link inspectCertificate}. @public */
export interface InspectOptions {
  /** The time "days left" is counted from (default now). */
  readonly now?: Date;
}

/**
 * A readable multi-line description of a certificate: subject, issuer,
 * validity with days left, key, signature, SANs, key usages, basic
 * constraints, key identifiers, other extensions, fingerprints.
 * @example
 * ```ts
 * console.log(inspectCertificate(parseCertificate(pem)));
 * ```
 * @public
 */
export function inspectCertificate(cert: Certificate, options: InspectOptions = {}): string {
  if (!isCertificate(cert)) throw new TypeError('inspectCertificate: a parsed Certificate is required');
  const now = options.now ?? new Date();
  const left = cert.notAfter.getTime() - now.getTime();
  const status =
    now < cert.notBefore
      ? `not valid yet (starts in ${span(cert.notBefore.getTime() - now.getTime())})`
      : left < 0
        ? `EXPIRED ${span(left)} ago`
        : `${span(left)} left`;
  const total = Math.round((cert.notAfter.getTime() - cert.notBefore.getTime()) / DAY_MS);
  const selfIssued = formatNameRfc4514(cert.subject) === formatNameRfc4514(cert.issuer);
  const rows: Array<[string, string]> = [
    ['Subject', nameText(cert.subject)],
    ['Issuer', nameText(cert.issuer) + (selfIssued ? ' (self-issued)' : '')],
    ['Version', `v${cert.version}`],
    ['Serial', colonHex(Uint8Array.from(cert.serialHex.match(/../g) ?? [], (h) => parseInt(h, 16)), false)],
    ['Not before', utc(cert.notBefore)],
    ['Not after', `${utc(cert.notAfter)} (${total} days; ${status})`],
    ['Public key', keyText(cert.publicKey)],
    ['Signature', signatureText(cert.signatureAlgorithm)],
    ...extensionLines(cert.extensions, cert.decoded),
    ['SHA-256 fingerprint', sha256Fingerprint(cert)],
    ['SHA-1 fingerprint', sha1Fingerprint(cert)],
    ['SPKI SHA-256 (DANE 3 1 1)', spkiSha256(cert)],
  ];
  return table('Certificate', rows);
}

/**
 * A readable description of a CSR (subject, key, requested extensions,
 * signature algorithm). A challengePassword is shown as present, never its
 * value.
 * @example
 * ```ts
 * console.log(inspectCertificateRequest(parseCertificateRequest(csrPem)));
 * ```
 * @public
 */
export function inspectCertificateRequest(csr: CertificateRequest): string {
  if (!csr || !(csr.der instanceof Uint8Array)) throw new TypeError('inspectCertificateRequest: a parsed CertificateRequest is required');
  const rows: Array<[string, string]> = [
    ['Subject', nameText(csr.subject)],
    ['Version', `v${csr.version}`],
    ['Public key', keyText(csr.publicKey)],
    ['Signature', signatureText(csr.signatureAlgorithm, csr.publicKey)],
    ...extensionLines(csr.extensions, csr.decoded),
  ];
  if (csr.challengePassword !== undefined) rows.push(['Challenge password', '(present, not shown)']);
  for (const a of csr.attributes) rows.push([`Attribute ${oidName(a.oid)}`, `${a.der.length} bytes`]);
  rows.push(['SPKI SHA-256', toHex(digest('SHA-256', csr.spki))]);
  return table('Certificate request', rows);
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function nameJson(dn: DistinguishedName): Json {
  return {
    rfc4514: formatNameRfc4514(dn),
    openssl: formatNameOpenssl(dn),
    rdns: dn.rdns.map((rdn) => rdn.map((a) => ({ oid: a.oid, type: a.type, value: a.value, stringType: a.stringType ?? null }))),
  };
}

function toJson(v: unknown): Json {
  if (v === undefined || v === null) return null;
  if (v instanceof Uint8Array) return toHex(v);
  if (typeof v === 'bigint') return serialToHex(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'object') {
    if ('rdns' in v && 'der' in v) return nameJson(v as DistinguishedName);
    const o: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = toJson(x);
    return o;
  }
  return v as Json;
}

/** extendedKeyUsage as `[{ oid, name }]` (name null for an OID mailpki has no name for); null when absent. */
function ekuJson(eku: readonly string[] | undefined): Json {
  return eku ? eku.map((oid) => ({ oid, name: oidName(oid) === oid ? null : oidName(oid) })) : null;
}

function keyJson(k: PublicKey): Json {
  if (k.type === 'opaque') {
    return {
      type: 'opaque',
      supported: false,
      algorithm: k.algorithm,
      oid: k.oid,
      description: describeKey(k),
      bits: k.bits ?? null,
      details: k.details ?? null,
      parameters: k.parameters ? toHex(k.parameters) : null,
      reason: k.reason,
      spkiSha256: spkiSha256(k),
    };
  }
  return {
    type: k.type,
    supported: true,
    description: describeKey(k),
    bits: keyBits(k),
    ...(k.type === 'ec' ? { curve: k.curve } : {}),
    ...(k.type === 'rsa' && k.pss ? { pss: { hash: k.pss.hash ?? null, mgf1Hash: k.pss.mgf1Hash ?? null, saltLength: k.pss.saltLength ?? null } } : {}),
  };
}

/**
 * JSON-safe form of a certificate: names in both string styles plus RDNs,
 * bytes and bigints as lower-case hex, dates as ISO 8601, every extension
 * raw (hex) and decoded, `extKeyUsage` as `[{ oid, name }]` (or null), fingerprints.
 * @example
 * ```ts
 * JSON.stringify(certificateToJson(cert), null, 2);
 * ```
 * @public
 */
export function certificateToJson(cert: Certificate): Record<string, unknown> {
  if (!isCertificate(cert)) throw new TypeError('certificateToJson: a parsed Certificate is required');
  return {
    version: cert.version,
    serialNumber: cert.serialHex,
    signatureAlgorithm: toJson(cert.signatureAlgorithm),
    issuer: nameJson(cert.issuer),
    subject: nameJson(cert.subject),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    publicKey: keyJson(cert.publicKey),
    extensions: cert.extensions.map((e) => ({ oid: e.oid, name: e.name, critical: e.critical, der: toHex(e.der) })),
    decoded: toJson(cert.decoded),
    extKeyUsage: ekuJson(cert.decoded.extKeyUsage),
    fingerprints: { sha256: sha256Fingerprint(cert), sha1: sha1Fingerprint(cert), spkiSha256: spkiSha256(cert) },
    pem: cert.pem,
  };
}

/**
 * JSON-safe form of a CSR (as {@link certificateToJson});
 * `challengePassword` is `true` when present, never the value.
 * @example
 * ```ts
 * certificateRequestToJson(csr).challengePassword; // true or false
 * ```
 * @public
 */
export function certificateRequestToJson(csr: CertificateRequest): Record<string, unknown> {
  if (!csr || !(csr.der instanceof Uint8Array)) throw new TypeError('certificateRequestToJson: a parsed CertificateRequest is required');
  return {
    version: csr.version,
    subject: nameJson(csr.subject),
    publicKey: keyJson(csr.publicKey),
    signatureAlgorithm: toJson(csr.signatureAlgorithm),
    extensions: csr.extensions.map((e) => ({ oid: e.oid, name: e.name, critical: e.critical, der: toHex(e.der) })),
    decoded: toJson(csr.decoded),
    extKeyUsage: ekuJson(csr.decoded.extKeyUsage),
    challengePassword: csr.challengePassword !== undefined,
    attributes: csr.attributes.map((a) => ({ oid: a.oid, name: oidName(a.oid), der: toHex(a.der) })),
    spkiSha256: toHex(digest('SHA-256', csr.spki)),
    pem: csr.pem,
  };
}

// ---------------------------------------------------------------- CRLs

function isCrlObject(x: unknown): x is Crl {
  return !!x && typeof x === 'object' && (x as Crl).der instanceof Uint8Array && typeof (x as Crl).revokedCount === 'number';
}

function dpnText(d: DistributionPointName): string {
  return d.fullName ? d.fullName.map(gn).join(', ') : `relative ${clean((d.nameRelativeToCrlIssuer ?? []).map((a) => `${a.type}=${a.value}`).join('+'))}`;
}

/** Options of {@link inspectCrl}. @public */
export interface InspectCrlOptions {
  /** The time "next update in" is counted from (default now). */
  readonly now?: Date;
  /** Entries listed in the text (default 50; the rest are counted). */
  readonly maxEntries?: number;
}

/**
 * A readable description of a CRL: issuer, number, thisUpdate / nextUpdate
 * (with the time left or how long ago it expired), delta and scope
 * (issuingDistributionPoint), AKI, signature algorithm, and the revoked
 * serials with date and reason (the first `maxEntries`).
 * @example
 * ```ts
 * console.log(inspectCrl(parseCrl(readFileSync('ca.crl'))));
 * ```
 * @public
 */
export function inspectCrl(crl: Crl, options: InspectCrlOptions = {}): string {
  if (!isCrlObject(crl)) throw new TypeError('inspectCrl: a parsed Crl is required');
  const now = options.now ?? new Date();
  const max = options.maxEntries ?? 50;
  const rows: Array<[string, string]> = [
    ['Issuer', nameText(crl.issuer)],
    ['Version', `v${crl.version}`],
  ];
  if (crl.crlNumber !== undefined) rows.push(['CRL number', crl.crlNumber.toString()]);
  if (crl.baseCrlNumber !== undefined) rows.push(['Delta CRL of base', crl.baseCrlNumber.toString()]);
  rows.push(['This update', utc(crl.thisUpdate)]);
  if (crl.nextUpdate) {
    const left = crl.nextUpdate.getTime() - now.getTime();
    rows.push(['Next update', `${utc(crl.nextUpdate)} (${left < 0 ? `EXPIRED ${span(left)} ago` : `in ${span(left)}`})`]);
  } else rows.push(['Next update', '(none)']);
  rows.push(['Signature', crl.signatureAlgorithm.name]);
  const aki = crl.authorityKeyIdentifier?.keyIdentifier;
  if (aki) rows.push(['Authority key id', colonHex(aki)]);
  const idp = crl.issuingDistributionPoint;
  if (idp) {
    const parts = [
      idp.distributionPoint ? `distribution point ${dpnText(idp.distributionPoint)}` : '',
      idp.onlyContainsUserCerts ? 'only end-entity certificates' : '',
      idp.onlyContainsCACerts ? 'only CA certificates' : '',
      idp.onlyContainsAttributeCerts ? 'only attribute certificates' : '',
      idp.onlySomeReasons ? `only reasons ${idp.onlySomeReasons.join(', ')}` : '',
      idp.indirectCrl ? 'indirect CRL' : '',
    ].filter(Boolean);
    rows.push(['Issuing distribution point', parts.join('; ') || '(empty)']);
  }
  const handled = new Set(['authorityKeyIdentifier', 'crlNumber', 'deltaCrlIndicator', 'issuingDistributionPoint']);
  for (const e of crl.extensions) if (!handled.has(e.name)) rows.push([`Extension ${e.name}${e.critical ? ' (critical)' : ''}`, `${e.der.length} bytes`]);
  if (crl.unknownCriticalExtensions.length) rows.push(['Unusable', `unknown critical extension ${crl.unknownCriticalExtensions.join(', ')}`]);
  rows.push(['Revoked certificates', String(crl.revokedCount)]);
  rows.push(['SHA-256 fingerprint', colonHex(digest('SHA-256', crl.der))]);
  const lines = [table('CRL', rows).trimEnd()];
  const list = crl.revokedCount ? firstCrlEntries(crl, Math.max(0, max)) : [];
  for (const e of list) {
    const extra = [
      e.reason ?? '',
      e.invalidityDate ? `invalid since ${utc(e.invalidityDate)}` : '',
      e.certificateIssuer ? `issuer ${e.certificateIssuer.map(gn).join(', ')}` : '',
    ].filter(Boolean);
    lines.push(`    ${colonHex(Uint8Array.from(e.serialHex.match(/../g) ?? [], (h) => parseInt(h, 16)), false)}  ${utc(e.revocationDate)}${extra.length ? `  ${extra.join('; ')}` : ''}`);
  }
  if (crl.revokedCount > list.length) lines.push(`    ... and ${crl.revokedCount - list.length} more`);
  return lines.join('\n') + '\n';
}

/**
 * JSON-safe form of a CRL: issuer, numbers, times (ISO 8601), scope,
 * extensions (raw hex), every entry (serial hex, date, reason, invalidity
 * date, certificate issuer), SHA-256 of the DER.
 * @example
 * ```ts
 * JSON.stringify(crlToJson(crl), null, 2);
 * ```
 * @public
 */
export function crlToJson(crl: Crl): Record<string, unknown> {
  if (!isCrlObject(crl)) throw new TypeError('crlToJson: a parsed Crl is required');
  return {
    version: crl.version,
    issuer: nameJson(crl.issuer),
    crlNumber: crl.crlNumber?.toString() ?? null,
    baseCrlNumber: crl.baseCrlNumber?.toString() ?? null,
    thisUpdate: crl.thisUpdate.toISOString(),
    nextUpdate: crl.nextUpdate?.toISOString() ?? null,
    signatureAlgorithm: toJson(crl.signatureAlgorithm),
    authorityKeyIdentifier: toJson(crl.authorityKeyIdentifier),
    issuingDistributionPoint: toJson(crl.issuingDistributionPoint),
    extensions: crl.extensions.map((e) => ({ oid: e.oid, name: e.name, critical: e.critical, der: toHex(e.der) })),
    unknownCriticalExtensions: [...crl.unknownCriticalExtensions],
    revokedCount: crl.revokedCount,
    entries: crl.entries.map((e) => ({
      serialNumber: e.serialHex,
      revocationDate: e.revocationDate.toISOString(),
      reason: e.reason ?? null,
      invalidityDate: e.invalidityDate?.toISOString() ?? null,
      certificateIssuer: e.certificateIssuer ? toJson(e.certificateIssuer) : null,
    })),
    sha256: colonHex(digest('SHA-256', crl.der)),
  };
}
