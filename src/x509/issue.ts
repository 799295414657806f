/**
 * Issuing certificates: self-signed root CAs, intermediate CAs, and leaves
 * with the `tls-server`, `tls-client` and `smime` profiles; or, for a
 * profile of the caller's own, from a template (`issueFromTemplate`, Go's
 * CreateCertificate), with the same issuer, key and constraint checks.
 *
 * Creation = template + explicit issuer + signer -> bytes (DESIGN.md §3).
 * The profile, not the request, decides keyUsage, extKeyUsage and
 * basicConstraints; SANs come from the request (or the caller), filtered by
 * the profile's SAN types and an optional allow-list.
 *
 * Decisions (with reasons):
 * - A leaf (or intermediate) that would outlive its issuer is **clamped** to
 *   the issuer's notAfter, with a warning. Refusing would make every renewal
 *   near the end of a CA's life fail, while a cert past its issuer is
 *   useless anyway (no chain validates after the issuer expires, RFC 5280
 *   6.1.3 (a)(2)); clamping states the real lifetime in the cert itself.
 * - Warnings (validity over 200 days for tls-server, clamping, dropped SANs)
 *   are returned in `warnings` on the result: a library must not print.
 * - notBefore is backdated 5 minutes (clock skew between CA and clients);
 *   notAfter = notBefore + days, so the span is exactly `days` (Apple counts
 *   the span: 825 days + 5 minutes would be refused).
 * - Serial: 16 CSPRNG bytes (serial.ts). Times: time.ts. SKI/AKI: RFC 7093
 *   method 1 (extensions.ts).
 * Out of scope: CRL/OCSP signing, precertificates.
 */
import { MailPkiError, errorWithOption } from '../errors.js';
import { OID } from '../oid.js';
import { decodeDer, derBitString, derExplicit, derInt, derSeq, derSeqBytes, encodeDer } from '../encoding/der.js';
import { type SignatureAlgorithm, defaultSignatureAlgorithm, sign } from '../crypto/sign.js';
import { checkAlgorithmMatchesKey, encodeSignatureAlgorithmId, signatureAlgorithmInfo } from './algorithm-id.js';
import type { RandomSource } from '../crypto/random.js';
import { encodeSpki } from '../keys/spki.js';
import { encodePem } from '../encoding/pem.js';
import { equalBytes, toHex } from '../encoding/bytes.js';
import { getPublicKey, publicKeysEqual } from '../keys/public-key.js';
import { assertKeyStrength } from '../keys/check.js';
import type { PrivateKey, PublicKey } from '../crypto/key-types.js';
import type { Certificate, CertificateRequest, DistinguishedName, Extension, GeneralName, KeyUsageName, NameInput, SanInput } from './types.js';
import type { CertificateProfile, LeafProfileName } from './profiles/types.js';
import { ROOT_CA_PROFILE } from './profiles/root-ca.js';
import { INTERMEDIATE_CA_PROFILE } from './profiles/intermediate-ca.js';
import { TLS_SERVER_PROFILE } from './profiles/tls-server.js';
import { TLS_CLIENT_PROFILE } from './profiles/tls-client.js';
import { SMIME_PROFILE } from './profiles/smime.js';
import { encodeName, nameAttribute, parseName, readName } from './name.js';
import { parseConstraintName, parseSan, toGeneralName } from './general-name.js';
import { formatIp, parseIp } from './ip.js';
import {
  authorityInfoAccessExtension,
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  certificatePoliciesExtension,
  computeKeyIdentifier,
  crlDistributionPointsExtension,
  decodeExtensions,
  encodeExtensions,
  extKeyUsageExtension,
  keyUsageExtension,
  nameConstraintsExtension,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
} from './extensions.js';
import { encodeTime, wholeSeconds } from './time.js';
import { checkSerialNumber, generateSerialNumber } from './serial.js';
import { parseCertificateRequest, verifyCertificateRequest } from './csr.js';
import { checkNameConstraints, MAX_NAME_CONSTRAINT_COMPARISONS } from './name-constraints.js';
import { describeCert } from './chain.js';

/** Backdate of notBefore: 5 minutes, for clock skew between the CA and clients. @public */
export const NOT_BEFORE_BACKDATE_MS = 5 * 60 * 1000;

const DAY_MS = 86_400_000;

/**
 * Why an issuance warned (stable strings: front ends filter and word by code):
 * - `public-ca-validity`: longer than the CA/Browser Forum allows a public CA
 *   (only with `publicCaRules: true`; a private CA's own defaults never raise it)
 * - `validity-clamped`: notAfter cut to the issuer's notAfter
 * - `issuer-without-key-usage`: the issuer has no keyUsage extension (the
 *   classic OpenSSL recipe); strict verifiers refuse chains through it
 * - `san-dropped`: a SAN the profile does not carry, or not in `sanAllowList`
 * - `cn-added-as-san`: the CN was added as a SAN (none given, or a server
 *   certificate's CN missing from its SANs)
 * @public
 */
export type IssueWarningCode = 'public-ca-validity' | 'validity-clamped' | 'issuer-without-key-usage' | 'san-dropped' | 'cn-added-as-san';

/** One warning of an issuance: a stable code and a sentence for people. @public */
export interface IssueWarning {
  readonly code: IssueWarningCode;
  readonly message: string;
}

/** A certificate just issued, with the warnings raised while issuing it. @public */
export type IssuedCertificate = Certificate & {
  /** Warnings raised while issuing (e.g. validity clamped to the issuer's); empty when none. */
  readonly warnings: readonly IssueWarning[];
};

function warn(warnings: IssueWarning[], code: IssueWarningCode, message: string): void {
  warnings.push({ code, message });
}

/** Options shared by every issuing function. @public */
export interface CommonIssueOptions {
  /** Validity in days (default: the profile's). */
  readonly days?: number;
  /** The current time (default `new Date()`); notBefore = now - 5 minutes. */
  readonly now?: Date;
  /** Serial number (default: 16 random bytes, see `generateSerialNumber`). Must be positive, ≤ 20 octets. */
  readonly serialNumber?: bigint;
  /** Signature algorithm (default: SHA-256; SHA-384 for P-384 issuer keys, SHA-512 for P-521). */
  readonly signatureAlgorithm?: SignatureAlgorithm;
  /** cRLDistributionPoints URIs (RFC 5280 4.2.1.13). Default none. */
  readonly crlDistributionPoints?: readonly string[];
  /** OCSP responder URIs for authorityInfoAccess (RFC 5280 4.2.2.1). Default none. */
  readonly ocsp?: readonly string[];
  /** caIssuers URIs for authorityInfoAccess. Default none. */
  readonly caIssuers?: readonly string[];
  /** certificatePolicies (RFC 5280 4.2.1.4). Default none. */
  readonly policies?: ReadonlyArray<{ readonly oid: string; readonly cps?: readonly string[]; readonly userNotice?: readonly string[] }>;
  /** Random source for the serial and the signature (tests only; default the CSPRNG). */
  readonly rng?: RandomSource;
}

/** Name constraints as callers give them (RFC 5280 4.2.1.10). @public */
export interface NameConstraintsInput {
  /** e.g. `['example.com', 'email:example.com', '192.168.0.0/16']`. */
  readonly permitted?: readonly SanInput[];
  /** e.g. `['bad.example.com', '10.0.0.0/8']`. */
  readonly excluded?: readonly SanInput[];
}

/** Options of {@link createRootCa}. @public */
export interface CreateRootCaOptions extends CommonIssueOptions {
  /** Subject (and issuer) name of the root; must not be empty (RFC 5280 4.1.2.6). */
  readonly subject: NameInput;
  /** The root's own key (it signs itself). */
  readonly privateKey: PrivateKey;
  /** pathLenConstraint (default none). */
  readonly pathLen?: number;
  /** Optional name constraints (critical): strongly advised for a private root. */
  readonly nameConstraints?: NameConstraintsInput;
}

/** Options of {@link createIntermediateCa}. @public */
export interface CreateIntermediateCaOptions extends CommonIssueOptions {
  /** Subject name of the intermediate; must not be empty (RFC 5280 4.1.2.6). */
  readonly subject: NameInput;
  /** The intermediate's public key (or its private key; only the public half is used). */
  readonly publicKey: PublicKey | PrivateKey;
  /** The signing CA's certificate: needs cA TRUE, keyCertSign when it has keyUsage, a pathLen that allows another CA, and must not be expired. */
  readonly issuer: Certificate;
  /** The issuer's private key (checked against `issuer`'s public key: `ERR_KEY_MISMATCH`). */
  readonly issuerKey: PrivateKey;
  /** pathLenConstraint (default 0: signs leaves only). */
  readonly pathLen?: number;
  /** Name constraints written into the intermediate (critical); default none. */
  readonly nameConstraints?: NameConstraintsInput;
  /** The issuer's own chain up to the root (any order; see {@link IssueCertificateOptions.issuerChain}). */
  readonly issuerChain?: readonly Certificate[];
}

/** Options of {@link issueCertificate}. @public */
export interface IssueCertificateOptions extends CommonIssueOptions {
  /** The leaf profile: it decides keyUsage, extKeyUsage, basicConstraints, SAN types and validity limits. */
  readonly profile: LeafProfileName;
  /** The request (parsed, PEM or DER); its signature is checked. Give `csr` or `publicKey`. */
  readonly csr?: CertificateRequest | string | Uint8Array;
  /** The subject's public key when there is no CSR. */
  readonly publicKey?: PublicKey;
  /** Subject (default: the CSR's subject; required without a CSR unless `sans` are given). */
  readonly subject?: NameInput;
  /** SANs (default: the CSR's). */
  readonly sans?: readonly SanInput[];
  /**
   * Keep only SANs the CA allows: strings (`mail.example.com` exact;
   * `.example.com` any name under example.com; for email, a domain or an
   * address; IPs exact) or a predicate. Dropped names give a warning.
   */
  readonly sanAllowList?: readonly string[] | ((name: GeneralName) => boolean);
  /** The signing CA's certificate: needs cA TRUE and keyCertSign when it has keyUsage, and must not be expired (validity is clamped to its notAfter). */
  readonly issuer: Certificate;
  /** The issuer's private key (checked against `issuer`'s public key: `ERR_KEY_MISMATCH`). */
  readonly issuerKey: PrivateKey;
  /**
   * The issuer's own chain up to the root (intermediates and root, any
   * order; default none). The name constraints of the issuer and of every
   * certificate given here are checked before signing: a name they do not
   * permit is refused with `ERR_NAME_CONSTRAINTS` instead of producing a
   * certificate that no verifier accepts.
   */
  readonly issuerChain?: readonly Certificate[];
  /** Allow validity over the profile maximum (825 days). Explicit override; Apple clients will reject such a TLS server cert. */
  readonly allowLongValidity?: boolean;
  /**
   * Warn where the CA/Browser Forum rules for publicly trusted CAs are
   * stricter than mailpki's private-CA defaults (today: TLS server validity
   * over 200 days, CA/B SC-081). Default false: a private CA's own 397-day
   * default is not a public CA's problem.
   */
  readonly publicCaRules?: boolean;
}

const LEAF_PROFILES: Readonly<Record<LeafProfileName, CertificateProfile>> = {
  'tls-server': TLS_SERVER_PROFILE,
  'tls-client': TLS_CLIENT_PROFILE,
  smime: SMIME_PROFILE,
};

interface Template {
  readonly subject: DistinguishedName;
  readonly issuerName: DistinguishedName;
  readonly publicKey: PublicKey;
  /** encodeSpki(publicKey) when the caller already has it. */
  readonly spki?: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly serial: bigint;
  readonly extensions: readonly Extension[];
  readonly signer: PrivateKey;
  readonly alg: SignatureAlgorithm;
  readonly rng?: RandomSource;
}

/**
 * The warning for an issuer without keyUsage (OpenSSL's default CA): what
 * strict verifiers do with it, checked with OpenSSL 3.0 (error 92 under
 * -x509_strict, as root and as intermediate; accepted without it).
 * @internal
 */
export const ISSUER_WITHOUT_KEY_USAGE =
  'the issuer certificate has no keyUsage extension (the classic `openssl req -x509` recipe leaves it out): RFC 5280 6.1.4 (n) and ' +
  '`openssl verify` accept it, but strict verifiers (`openssl verify -x509_strict`: "CA cert does not include key usage extension"; ' +
  'CA/B-conformant validators) reject every chain through such a CA, whether it is the root or an intermediate; a new root from `mailpki ca new` avoids this';

/**
 * RFC 5280 6.1.3 (b), (c) at issuance: the new certificate's names (SANs,
 * subject DN, emailAddress, a host-like CN without DNS SAN: the names
 * verify.ts checks) against the name constraints of the issuer and its chain.
 */
function checkIssuerConstraints(issuer: Certificate, chain: readonly Certificate[] | undefined, subject: DistinguishedName, sans: readonly GeneralName[]): void {
  if (chain !== undefined && !Array.isArray(chain)) throw new TypeError('issuerChain: an array of parsed Certificates is expected');
  const names = { subject, decoded: sans.length ? { subjectAltName: sans } : {} } as unknown as Certificate;
  let comparisons = 0;
  for (const ca of [issuer, ...(chain ?? [])]) {
    const nc = ca?.decoded?.nameConstraints;
    if (!nc) continue;
    // The same bound as path validation: a certificate past it would be `too-complex` to any bounded verifier.
    comparisons += (sans.length + 1) * (nc.permitted.length + nc.excluded.length);
    if (comparisons > MAX_NAME_CONSTRAINT_COMPARISONS) {
      throw new MailPkiError(
        'ERR_NAME_CONSTRAINTS',
        `${sans.length} names against the name constraints of ${describeCert(ca)} need more than ${MAX_NAME_CONSTRAINT_COMPARISONS} comparisons: verifiers (mailpki, Go, rustls) would refuse the certificate as too complex`,
      );
    }
    const v = checkNameConstraints(nc, names);
    if (v) {
      const list = v.subtrees.length > 8 ? `${v.subtrees.slice(0, 8).join(', ')} and ${v.subtrees.length - 8} more` : v.subtrees.join(', ');
      const how = v.kind === 'excluded' ? `is in the excluded subtree ${list}` : v.kind === 'malformed' ? `is not a well-formed name of its type (constrained: ${list})` : `is not permitted (permitted subtrees: ${list})`;
      throw new MailPkiError('ERR_NAME_CONSTRAINTS', `${v.name} ${how} by the name constraints of ${describeCert(ca)}; the certificate would not verify`);
    }
  }
}

/**
 * CA/Browser Forum BR 7.1.4.3 (which mailpki's `webpki` verification applies,
 * `cn-not-in-san`): a server certificate's subject CN must be one of its DNS
 * or IP SANs. A host-name CN missing from the SANs is added to them (with a
 * warning); a CN that is no host name (`Mail Server`) is refused, since the
 * certificate would fail strict verifiers.
 */
function cnAmongSans(subject: DistinguishedName, sans: GeneralName[], allowList: IssueCertificateOptions['sanAllowList'], warnings: IssueWarning[]): void {
  for (const rdn of subject.rdns) {
    for (const a of rdn) {
      if (a.oid !== OID.commonName) continue;
      const g = hostNameSan(a.value);
      if (g && sans.some((s) => sanKey(s) === sanKey(g!))) continue;
      // no host name at all: the "needs a DNS or IP SAN" refusal below says more
      if (!sans.some((s) => s.type === 'dns' || s.type === 'ip')) return;
      if (!g || (allowList && !allowed(g, allowList))) {
        policy(
          `the subject CN ${JSON.stringify(a.value)} is not one of the certificate's host names${g ? ' (not in the allow-list)' : ''}: ` +
            'the CA/Browser Forum rules (BR 7.1.4.3), which strict verifiers and mailpki check apply, require it; use a host name as the CN, or no CN',
        );
      }
      sans.push(g);
      warn(warnings, 'cn-added-as-san', `the CN ${a.value} was added as a SAN: a server certificate's CN must be one of its SANs (CA/B BR 7.1.4.3)`);
    }
  }
}

/** A CN value as a host-name SAN: an IP address SAN when it parses as one, else a DNS name; undefined when it is neither (e.g. "Jane Doe"). */
function hostNameSan(value: string): Extract<GeneralName, { type: 'dns' | 'ip' }> | undefined {
  try {
    return (parseIp(value) ? parseSan(`IP:${value}`) : parseSan(`DNS:${value}`)) as Extract<GeneralName, { type: 'dns' | 'ip' }>;
  } catch {
    return undefined;
  }
}

/**
 * The SAN mailpki adds when a TLS certificate (or a request for one) has
 * none (DESIGN.md §4: clients match only the SANs, RFC 9525 6.3): the
 * subject's first CN, as an IP address SAN when it is an address
 * (`192.0.2.1`, `2001:db8::1`), else as a DNS name. `undefined` when the
 * subject has no CN or the CN is no host name (`Jane Doe`).
 * {@link issueCertificate} applies it for the `tls-server` and `tls-client`
 * profiles; `mailpki csr new` applies it to the request, so the CSR and the
 * certificate carry the same names.
 *
 * @example
 * ```ts
 * cnAsSan('CN=192.0.2.1');        // { type: 'ip', value: '192.0.2.1', ... }
 * cnAsSan({ CN: 'mail.example.com' }); // { type: 'dns', value: 'mail.example.com' }
 * cnAsSan({ CN: 'Mail Server' });  // undefined
 * ```
 * @public
 */
export function cnAsSan(subject: NameInput): Extract<GeneralName, { type: 'dns' | 'ip' }> | undefined {
  const cn = nameAttribute(parseName(subject), OID.commonName);
  return cn === undefined ? undefined : hostNameSan(cn);
}

function policy(msg: string): never {
  throw new MailPkiError('ERR_POLICY', msg);
}

/**
 * Build and sign a v3 certificate (RFC 5280 4.1). The TBS and the outer
 * SEQUENCE are assembled from each field's DER bytes (derSeqBytes), so
 * already-encoded parts (the SPKI, the TBS itself) are spliced without being
 * decoded again; DER is the concatenation of the children's encodings, so the
 * bytes are the same as encoding one tree.
 *
 * The returned object is built from the values just encoded rather than by
 * parsing the new DER (a parse was about a fifth of an issuance);
 * test/unit/x509-issue-construct.test.ts checks that it deep-equals
 * `parseCertificate(der)` for every key type and profile.
 */
function build(t: Template, warnings: IssueWarning[]): IssuedCertificate {
  const algId = encodeDer(encodeSignatureAlgorithmId(t.alg));
  const serial = encodeDer(derInt(t.serial));
  const spki = t.spki ?? encodeSpki(t.publicKey);
  const issuer = nameDer(t.issuerName);
  const subject = nameDer(t.subject);
  const tbs = derSeqBytes(
    V3_VERSION, // [0] EXPLICIT INTEGER 2: v3
    serial,
    algId,
    issuer,
    encodeDer(derSeq(encodeTime(t.notBefore), encodeTime(t.notAfter))),
    subject,
    spki,
    encodeDer(derExplicit(3, encodeExtensions(t.extensions))),
  );
  const signature = sign(t.signer, tbs, t.alg, t.rng ? { rng: t.rng } : {});
  const der = derSeqBytes(tbs, algId, encodeDer(derBitString(signature)));
  const extensions = t.extensions.map((e) => ({ ...e, der: Uint8Array.from(e.der) }));
  return {
    version: 3,
    serialNumber: t.serial,
    serialHex: toHex(serial.subarray(2)), // the INTEGER's content octets (serials are at most 21 octets: short length form)
    signatureAlgorithm: signatureAlgorithmInfo(t.alg),
    issuer: nameAsWritten(t.issuerName, issuer, 'issuer'),
    subject: nameAsWritten(t.subject, subject, 'subject'),
    notBefore: new Date(t.notBefore.getTime()),
    notAfter: new Date(t.notAfter.getTime()),
    publicKey: copyPublicKey(t.publicKey),
    spki,
    extensions,
    decoded: decodeExtensions(extensions),
    tbs,
    signature,
    der,
    pem: encodePem('CERTIFICATE', der),
    warnings,
  };
}

/**
 * The public key as parseSpki(encodeSpki(key)) returns it (the test in
 * x509-issue-construct.test.ts checks this): only the key's own fields, with
 * fresh byte arrays, so the certificate shares nothing with the caller's key.
 */
function copyPublicKey(k: PublicKey): PublicKey {
  switch (k.type) {
    case 'rsa':
      return { kind: 'public', type: 'rsa', n: k.n, e: k.e, ...(k.pss ? { pss: { ...k.pss } } : {}) };
    case 'ec':
      return { kind: 'public', type: 'ec', curve: k.curve, point: Uint8Array.from(k.point) };
    case 'ed25519':
      return { kind: 'public', type: 'ed25519', publicKey: Uint8Array.from(k.publicKey) };
    case 'opaque': // refused before (assertKeyStrength); kept total for the type checker
      return { ...k, spki: Uint8Array.from(k.spki), ...(k.parameters ? { parameters: Uint8Array.from(k.parameters) } : {}) };
  }
}

/**
 * encodeDer(encodeName(dn)), remembered per Name object (the issuer's subject
 * is the same object for every certificate a CA issues). The result depends
 * only on dn.der, so a hit requires the same bytes as the first time.
 */
function nameDer(dn: DistinguishedName): Uint8Array {
  const hit = NAME_DER.get(dn);
  if (hit && equalBytes(hit.src, dn.der)) return hit.out;
  const out = encodeDer(encodeName(dn));
  NAME_DER.set(dn, { src: Uint8Array.from(dn.der), out });
  return out;
}

const NAME_DER = new WeakMap<DistinguishedName, { src: Uint8Array; out: Uint8Array }>();

/**
 * The Name as a parse of the written bytes would return it: the given object
 * when its DER is exactly what was written (the usual case), else the written
 * bytes read back (e.g. an issuer whose name was BER-encoded).
 */
function nameAsWritten(dn: DistinguishedName, written: Uint8Array, what: string): DistinguishedName {
  return equalBytes(dn.der, written) ? dn : readName(decodeDer(written, what, { strict: false }), what);
}

const V3_VERSION = encodeDer(derExplicit(0, derInt(2)));

function checkAlg(alg: SignatureAlgorithm, key: PrivateKey): SignatureAlgorithm {
  const hash = (alg as { hash?: string }).hash;
  if (hash !== undefined && hash !== 'SHA-256' && hash !== 'SHA-384' && hash !== 'SHA-512') {
    throw new MailPkiError('ERR_WEAK_ALGORITHM', `signature hash ${String(hash)} is refused: clients reject SHA-1 signatures (use SHA-256 or stronger)`);
  }
  checkAlgorithmMatchesKey(alg, key);
  return alg;
}

function checkDayCount(days: number): void {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) throw new RangeError('days must be a positive integer');
  if (days > 36500) throw new RangeError('days must be at most 36500');
}

function checkDays(days: number, profile: CertificateProfile, allowLong: boolean, warnings: IssueWarning[], publicCaRules = false): void {
  checkDayCount(days);
  if (profile.maxDays !== undefined && days > profile.maxDays && !allowLong) {
    throw errorWithOption(
      'ERR_POLICY',
      `${profile.name} certificate of ${days} days refused: the maximum is ${profile.maxDays} days (${profile.reasons.maxDays})`,
      'allowLongValidity',
      'pass allowLongValidity: true to override',
      { field: 'days', rule: profile.reasons.maxDays },
    );
  }
  if (publicCaRules && profile.warnDays !== undefined && days > profile.warnDays) {
    warn(warnings, 'public-ca-validity', `validity of ${days} days exceeds ${profile.warnDays} days: ${profile.reasons.warnDays}`);
  }
}

function validity(opts: CommonIssueOptions, days: number): { notBefore: Date; notAfter: Date } {
  const now = opts.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('now must be a valid Date');
  const notBefore = wholeSeconds(new Date(now.getTime() - NOT_BEFORE_BACKDATE_MS));
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

function serialFor(opts: CommonIssueOptions): bigint {
  if (opts.serialNumber !== undefined) {
    checkSerialNumber(opts.serialNumber);
    return opts.serialNumber;
  }
  return generateSerialNumber(opts.rng);
}

function extraExtensions(opts: CommonIssueOptions): Extension[] {
  const out: Extension[] = [];
  if (opts.crlDistributionPoints?.length) out.push(crlDistributionPointsExtension(opts.crlDistributionPoints.map((u) => toGeneralName({ type: 'uri', value: u }))));
  const aia = [
    ...(opts.ocsp ?? []).map((u) => ({ method: OID.ocsp, location: toGeneralName({ type: 'uri', value: u }) })),
    ...(opts.caIssuers ?? []).map((u) => ({ method: OID.caIssuers, location: toGeneralName({ type: 'uri', value: u }) })),
  ];
  if (aia.length) out.push(authorityInfoAccessExtension(aia));
  if (opts.policies?.length) out.push(certificatePoliciesExtension(opts.policies));
  return out;
}

function constraintsExtension(nc: NameConstraintsInput | undefined): Extension[] {
  if (!nc) return [];
  const permitted = (nc.permitted ?? []).map(parseConstraintName);
  const excluded = (nc.excluded ?? []).map(parseConstraintName);
  if (!permitted.length && !excluded.length) return [];
  return [nameConstraintsExtension({ permitted, excluded })];
}

/**
 * Check that `issuer` can sign and `issuerKey` is its key; clamp the window.
 * RFC 5280 4.2.1.9 / 4.2.1.3: the issuer needs cA TRUE and keyCertSign.
 */
function checkIssuer(
  issuer: Certificate,
  issuerKey: PrivateKey,
  win: { notBefore: Date; notAfter: Date },
  now: Date,
  warnings: IssueWarning[],
  issuingCa: boolean,
  pathLen?: number,
): { notBefore: Date; notAfter: Date } {
  if (!issuer || !(issuer.der instanceof Uint8Array)) throw new TypeError('issuer: a parsed Certificate is required');
  if (!issuerKey || issuerKey.kind !== 'private') throw new TypeError('issuerKey: a private key object is required');
  const bc = issuer.decoded.basicConstraints;
  if (!bc) {
    throw new MailPkiError('ERR_ISSUER_NOT_CA', `the issuer certificate is not a CA: it has no basicConstraints extension (RFC 5280 4.2.1.9${issuer.version < 3 ? `; a v${issuer.version} certificate cannot be an issuer` : ''})`);
  }
  if (!bc.ca) throw new MailPkiError('ERR_ISSUER_NOT_CA', 'the issuer certificate is not a CA (basicConstraints cA is FALSE, RFC 5280 4.2.1.9)');
  const ku = issuer.decoded.keyUsage;
  // RFC 5280 6.1.4 (n): keyCertSign is required only when keyUsage is present. The classic
  // `openssl req -x509` recipe (Debian's and RHEL's openssl.cnf) makes roots without keyUsage.
  if (ku && !ku.includes('keyCertSign')) throw new MailPkiError('ERR_ISSUER_NOT_CA', `the issuer certificate's keyUsage (${ku.join(', ')}) lacks keyCertSign (RFC 5280 4.2.1.3)`);
  if (!ku) warn(warnings, 'issuer-without-key-usage', ISSUER_WITHOUT_KEY_USAGE);
  if (!publicKeysEqual(issuerKey, issuer.publicKey)) throw new MailPkiError('ERR_KEY_MISMATCH', 'issuerKey does not belong to the issuer certificate (its public key differs)');
  assertKeyStrength(issuerKey);
  if (issuingCa && bc.pathLen !== undefined) {
    if (bc.pathLen === 0) policy('the issuer has pathLen 0: it may sign leaf certificates only, not another CA');
    if (pathLen !== undefined && pathLen >= bc.pathLen) policy(`pathLen ${pathLen} must be below the issuer's pathLen ${bc.pathLen}`);
  }
  if (now.getTime() > issuer.notAfter.getTime()) throw new MailPkiError('ERR_VALIDITY', `the issuer certificate expired on ${issuer.notAfter.toISOString()}`);
  let { notBefore, notAfter } = win;
  if (notBefore < issuer.notBefore) notBefore = issuer.notBefore;
  if (notAfter > issuer.notAfter) {
    warn(warnings, 'validity-clamped', `validity clamped to the issuer's notAfter ${issuer.notAfter.toISOString()}: a certificate cannot be used past its issuer`);
    notAfter = issuer.notAfter;
  }
  if (notAfter <= notBefore) throw new MailPkiError('ERR_VALIDITY', 'the validity window is empty (the issuer is not yet valid or expires first)');
  return { notBefore, notAfter };
}

/** Sign a certificate for `subject` / `publicKey` with the CA in `options` (intermediates and leaves). */
function buildIssuedBy(
  options: CommonIssueOptions & { issuer: Certificate; issuerKey: PrivateKey },
  subject: DistinguishedName,
  publicKey: PublicKey,
  spki: Uint8Array,
  win: { notBefore: Date; notAfter: Date },
  extensions: Extension[],
  warnings: IssueWarning[],
): IssuedCertificate {
  return build(
    {
      subject,
      issuerName: options.issuer.subject,
      publicKey,
      spki,
      ...win,
      serial: serialFor(options),
      extensions,
      signer: options.issuerKey,
      alg: checkAlg(options.signatureAlgorithm ?? defaultSignatureAlgorithm(options.issuerKey), options.issuerKey),
      ...(options.rng ? { rng: options.rng } : {}),
    },
    warnings,
  );
}

function keyIdOf(cert: Certificate): Uint8Array {
  return cert.decoded.subjectKeyIdentifier ?? computeKeyIdentifier(cert.spki);
}

/**
 * Create a self-signed root CA certificate: basicConstraints CA:true
 * (critical, optional pathLen), keyUsage keyCertSign + cRLSign (critical),
 * SKI, optional name constraints (critical); 1,825 days by default.
 *
 * @throws MailPkiError `ERR_NAME_INVALID`, `ERR_KEY_TOO_SMALL`,
 *   `ERR_EXTENSION_INVALID` (bad constraint), `ERR_WEAK_ALGORITHM`.
 * @example
 * ```ts
 * const { privateKey } = await generateKeyPair({ type: 'ec', curve: 'P-384' });
 * const root = createRootCa({
 *   subject: { O: 'Example', CN: 'Example Mail Root CA' },
 *   privateKey,
 *   nameConstraints: { permitted: ['example.com', 'email:example.com'] },
 * });
 * ```
 * @public
 */
export function createRootCa(options: CreateRootCaOptions): IssuedCertificate {
  if (!options || typeof options !== 'object') throw new TypeError('createRootCa: options object required');
  const { privateKey } = options;
  if (!privateKey || privateKey.kind !== 'private') throw new TypeError('privateKey: a private key object is required');
  assertKeyStrength(privateKey);
  const subject = parseName(options.subject);
  if (subject.rdns.length === 0) policy('a CA certificate needs a non-empty subject (RFC 5280 4.1.2.6)');
  const warnings: IssueWarning[] = [];
  const days = options.days ?? ROOT_CA_PROFILE.defaultDays;
  checkDays(days, ROOT_CA_PROFILE, false, warnings);
  const publicKey = getPublicKey(privateKey);
  const spki = encodeSpki(publicKey);
  const exts: Extension[] = [
    basicConstraintsExtension(options.pathLen === undefined ? { ca: true } : { ca: true, pathLen: options.pathLen }),
    keyUsageExtension(ROOT_CA_PROFILE.keyUsage(publicKey.type)),
    subjectKeyIdentifierExtension(computeKeyIdentifier(spki)),
    ...constraintsExtension(options.nameConstraints),
    ...extraExtensions(options),
  ];
  return build(
    {
      subject,
      issuerName: subject,
      publicKey,
      spki,
      ...validity(options, days),
      serial: serialFor(options),
      extensions: exts,
      signer: privateKey,
      alg: checkAlg(options.signatureAlgorithm ?? defaultSignatureAlgorithm(privateKey), privateKey),
      ...(options.rng ? { rng: options.rng } : {}),
    },
    warnings,
  );
}

/**
 * Create an intermediate CA certificate signed by `issuer`: CA:true with
 * pathLen 0 by default (critical), keyCertSign + cRLSign (critical), SKI,
 * AKI; 1,095 days by default, clamped to the issuer.
 *
 * @throws MailPkiError `ERR_ISSUER_NOT_CA`, `ERR_KEY_MISMATCH`, `ERR_POLICY`
 *   (issuer pathLen forbids another CA), `ERR_KEY_TOO_SMALL`, `ERR_VALIDITY`.
 * @example
 * ```ts
 * const inter = createIntermediateCa({ subject: { CN: 'Example Mail Issuing CA' }, publicKey: interKeys.publicKey, issuer: root, issuerKey: rootKey });
 * ```
 * @public
 */
export function createIntermediateCa(options: CreateIntermediateCaOptions): IssuedCertificate {
  if (!options || typeof options !== 'object') throw new TypeError('createIntermediateCa: options object required');
  if (!options.publicKey) throw new TypeError('publicKey is required');
  const publicKey = getPublicKey(options.publicKey);
  assertKeyStrength(publicKey);
  const subject = parseName(options.subject);
  if (subject.rdns.length === 0) policy('a CA certificate needs a non-empty subject (RFC 5280 4.1.2.6)');
  const warnings: IssueWarning[] = [];
  const days = options.days ?? INTERMEDIATE_CA_PROFILE.defaultDays;
  checkDays(days, INTERMEDIATE_CA_PROFILE, false, warnings);
  const pathLen = options.pathLen ?? INTERMEDIATE_CA_PROFILE.pathLen;
  const now = options.now ?? new Date();
  const win = checkIssuer(options.issuer, options.issuerKey, validity(options, days), now, warnings, true, pathLen);
  checkIssuerConstraints(options.issuer, options.issuerChain, subject, []);
  const spki = encodeSpki(publicKey);
  const exts: Extension[] = [
    basicConstraintsExtension(pathLen === undefined ? { ca: true } : { ca: true, pathLen }),
    keyUsageExtension(INTERMEDIATE_CA_PROFILE.keyUsage(publicKey.type)),
    subjectKeyIdentifierExtension(computeKeyIdentifier(spki)),
    authorityKeyIdentifierExtension(keyIdOf(options.issuer)),
    ...constraintsExtension(options.nameConstraints),
    ...extraExtensions(options),
  ];
  return buildIssuedBy(options, subject, publicKey, spki, win, exts, warnings);
}

function sanKey(g: GeneralName): string {
  return g.type === 'dn' ? `dn:${Array.from(g.value.der).join(',')}` : g.type === 'other' ? `other:${g.oid}` : `${g.type}:${g.value}`;
}

function allowed(g: GeneralName, list: readonly string[] | ((name: GeneralName) => boolean)): boolean {
  if (typeof list === 'function') return list(g);
  if (g.type !== 'dns' && g.type !== 'email' && g.type !== 'ip' && g.type !== 'uri') return false;
  const v = g.value.toLowerCase();
  for (const raw of list) {
    const e = raw.trim().toLowerCase();
    if (g.type === 'ip') {
      const a = parseIp(e);
      if (a && formatIp(a) === g.value) return true;
      continue;
    }
    if (v === e) return true;
    const host = g.type === 'email' ? v.slice(v.lastIndexOf('@') + 1) : v;
    if (g.type === 'email' && !e.includes('@') && host === e.replace(/^\./, '') && !e.startsWith('.')) return true;
    if (e.startsWith('.') && host.endsWith(e)) return true;
    if (g.type === 'dns' && e.startsWith('*.') && v.startsWith('*.') && v === e) return true;
  }
  return false;
}

/**
 * Issue a leaf certificate from a CSR or a public key with the
 * `tls-server`, `tls-client` or `smime` profile.
 *
 * - SANs: from `sans`, else the CSR's extensionRequest; only the profile's
 *   types are kept (tls-server: DNS/IP; smime: email), then the allow-list;
 *   when none is left, the CN (tls-*) or emailAddress (smime) is added as
 *   a SAN.
 * - keyUsage digitalSignature (+ keyEncipherment for RSA) critical; EKU
 *   serverAuth / clientAuth / emailProtection; basicConstraints CA:false
 *   critical; SKI; AKI = issuer's SKI. Nothing else from the CSR is copied.
 * - Validity: 397 days; over 825 refused unless `allowLongValidity`; over
 *   200 (tls-server) a warning; clamped to the issuer's notAfter.
 *
 * @throws MailPkiError `ERR_CSR_SIGNATURE` (bad proof of possession),
 *   `ERR_POLICY` (tls-server without SAN, smime without email SAN, too long),
 *   `ERR_KEY_TOO_SMALL` (RSA < 2048, subject or issuer), `ERR_KEY_MISMATCH`,
 *   `ERR_ISSUER_NOT_CA`, `ERR_WEAK_ALGORITHM` (SHA-1), `ERR_VALIDITY`,
 *   `ERR_NAME_CONSTRAINTS` (a name the issuer or its chain may not vouch for).
 *   An issuer without keyUsage (OpenSSL's default CA) is accepted with a warning.
 * @example
 * ```ts
 * const cert = issueCertificate({ profile: 'tls-server', csr: csrPem, issuer: inter, issuerKey: interKey });
 * for (const w of cert.warnings) console.warn(w);
 * ```
 * @public
 */
export function issueCertificate(options: IssueCertificateOptions): IssuedCertificate {
  if (!options || typeof options !== 'object') throw new TypeError('issueCertificate: options object required');
  const profile = LEAF_PROFILES[options.profile];
  if (!profile) throw new TypeError(`profile must be one of ${Object.keys(LEAF_PROFILES).join(', ')}`);
  if ((options.csr === undefined) === (options.publicKey === undefined)) throw new TypeError('give exactly one of csr or publicKey');
  const warnings: IssueWarning[] = [];
  let csr: CertificateRequest | undefined;
  if (options.csr !== undefined) {
    csr = typeof options.csr === 'string' || options.csr instanceof Uint8Array ? parseCertificateRequest(options.csr) : options.csr;
    verifyCertificateRequest(csr); // RFC 2986 3: proof of possession
  }
  const publicKey = csr ? csr.publicKey : getPublicKey(options.publicKey!);
  assertKeyStrength(publicKey);
  const subject = options.subject !== undefined ? parseName(options.subject) : csr ? csr.subject : parseName('');

  // SANs: explicit, else from the CSR; the profile's types only; then the allow-list.
  let sans: GeneralName[] = options.sans ? options.sans.map(toGeneralName) : [...(csr?.decoded.subjectAltName ?? [])];
  const seen = new Set<string>();
  sans = sans.filter((g) => {
    const k = sanKey(g);
    if (seen.has(k)) return false;
    seen.add(k);
    if (!(profile.sanTypes as readonly string[]).includes(g.type)) {
      warn(warnings, 'san-dropped', `SAN ${k} dropped: the ${profile.name} profile carries only ${profile.sanTypes.join('/')} names`);
      return false;
    }
    if (options.sanAllowList && !allowed(g, options.sanAllowList)) {
      warn(warnings, 'san-dropped', `SAN ${k} dropped: not in the CA's allow-list`);
      return false;
    }
    return true;
  });
  if (sans.length === 0) {
    if (profile.name === 'smime') {
      const email = nameAttribute(subject, OID.emailAddress);
      if (email) {
        const g = toGeneralName({ type: 'email', value: email });
        if (!options.sanAllowList || allowed(g, options.sanAllowList)) sans.push(g);
      }
    } else {
      // DESIGN.md §4: the CN becomes a SAN when there is none (clients ignore the CN).
      const g = cnAsSan(subject);
      if (g && (!options.sanAllowList || allowed(g, options.sanAllowList))) {
        sans.push(g);
        warn(warnings, 'cn-added-as-san', `no SAN in the request: the CN ${nameAttribute(subject, OID.commonName)} was added as a SAN`);
      }
    }
  }
  if (profile.name === 'tls-server') cnAmongSans(subject, sans, options.sanAllowList, warnings);
  if (profile.requireSan === 'dns-or-ip' && !sans.some((g) => g.type === 'dns' || g.type === 'ip')) {
    policy('a TLS server certificate needs at least one DNS or IP subjectAltName: clients match the SAN only, never the CN (RFC 9525 6.3)');
  }
  if (profile.requireSan === 'email' && !sans.some((g) => g.type === 'email')) {
    policy('an S/MIME certificate needs an rfc822Name (email) subjectAltName (CA/B S/MIME BR 7.1.2.3)');
  }
  if (subject.rdns.length === 0 && sans.length === 0) policy('the certificate would have neither subject nor SAN');

  const days = options.days ?? profile.defaultDays;
  checkDays(days, profile, options.allowLongValidity === true, warnings, options.publicCaRules === true);
  const now = options.now ?? new Date();
  const win = checkIssuer(options.issuer, options.issuerKey, validity(options, days), now, warnings, false);
  checkIssuerConstraints(options.issuer, options.issuerChain, subject, sans);
  const spki = encodeSpki(publicKey);

  const exts: Extension[] = [
    basicConstraintsExtension({ ca: false }),
    // RFC 4055 1.2: an RSASSA-PSS key only signs, so no keyEncipherment (the signature-only usages, as for EC).
    keyUsageExtension(profile.keyUsage(publicKey.type === 'rsa' && publicKey.pss ? 'ec' : publicKey.type)),
    extKeyUsageExtension(profile.extKeyUsage),
    subjectKeyIdentifierExtension(computeKeyIdentifier(spki)),
    authorityKeyIdentifierExtension(keyIdOf(options.issuer)),
    ...(sans.length ? [subjectAltNameExtension(sans, subject.rdns.length === 0)] : []), // RFC 5280 4.2.1.6: critical when the subject is empty
    ...extraExtensions(options),
  ];
  return buildIssuedBy(options, subject, publicKey, spki, win, exts, warnings);
}


/**
 * A certificate template for {@link issueFromTemplate}: your own profile,
 * when none of the built-in ones (`tls-server`, `tls-client`, `smime`,
 * intermediate CA) fits. The template, not a request, decides every
 * extension, as a built-in profile does. @public
 */
export interface CertificateTemplate {
  /** Subject name; may be empty when `sans` are given (the SAN extension is then critical, RFC 5280 4.2.1.6). */
  readonly subject: NameInput;
  /** subjectAltNames (auto-typed strings or GeneralNames); written as given, none by default. The CN is **not** added (see {@link cnAsSan}). */
  readonly sans?: readonly SanInput[];
  /** keyUsage bits, at least one (written critical, RFC 5280 4.2.1.3). */
  readonly keyUsage: readonly KeyUsageName[];
  /** extKeyUsage purposes as dotted OIDs (e.g. `OID.serverAuth`); omitted when empty (the default). */
  readonly extKeyUsage?: readonly string[];
  /** basicConstraints cA (always written, critical); default false. A CA template should carry keyCertSign in `keyUsage`. */
  readonly ca?: boolean;
  /** pathLenConstraint; only with `ca: true`. Default none. */
  readonly pathLen?: number;
  /** Name constraints (critical); only with `ca: true`. Default none. */
  readonly nameConstraints?: NameConstraintsInput;
  /** Validity in days when the call gives no `days`. */
  readonly defaultDays: number;
  /** Refuse (`ERR_POLICY`) a `days` above this; default no limit below the general 36,500. */
  readonly maxDays?: number;
}

/** Options of {@link issueFromTemplate}. @public */
export interface IssueFromTemplateOptions extends CommonIssueOptions {
  /** What to issue: subject, SANs and every extension value. */
  readonly template: CertificateTemplate;
  /** The subject's public key (or its private key; only the public half is used). */
  readonly publicKey: PublicKey | PrivateKey;
  /** The signing CA's certificate: cA TRUE, keyCertSign when it has keyUsage, not expired; validity is clamped to its notAfter. */
  readonly issuer: Certificate;
  /** The issuer's private key (checked against `issuer`'s public key: `ERR_KEY_MISMATCH`). */
  readonly issuerKey: PrivateKey;
  /** The issuer's own chain up to the root, for the name-constraints check (see {@link IssueCertificateOptions.issuerChain}). */
  readonly issuerChain?: readonly Certificate[];
}

/**
 * Issue a certificate from a template: Go's `CreateCertificate(template,
 * parent, pub, priv)` for a profile of your own (your keyUsage, extKeyUsage,
 * CA flag and validity limits) without forking a built-in profile. What
 * every issuance checks still applies: key strength (RSA ≥ 2048), the
 * issuer (cA, keyCertSign, its key, pathLen, expiry), the name constraints
 * of the issuer and `issuerChain`, validity clamped to the issuer's notAfter
 * (a warning), SHA-1 refused. Written: basicConstraints (critical),
 * keyUsage (critical), extKeyUsage when given, SKI, AKI = the issuer's SKI,
 * the SANs, name constraints, then the common options (CRL DP, AIA,
 * policies). Nothing is added that the template does not ask for (no CN as
 * SAN, no SAN type filter). For a root, use {@link createRootCa}.
 *
 * @throws MailPkiError `ERR_POLICY` (days over `maxDays`, no subject and
 *   no SAN, empty keyUsage, an issuer pathLen that forbids a CA),
 *   `ERR_KEY_TOO_SMALL`, `ERR_KEY_MISMATCH`, `ERR_ISSUER_NOT_CA`,
 *   `ERR_VALIDITY`, `ERR_NAME_CONSTRAINTS`, `ERR_WEAK_ALGORITHM`;
 *   TypeError/RangeError for malformed options.
 * @example
 * ```ts
 * // an internal document-signing profile: digitalSignature + nonRepudiation, a private EKU, at most 90 days
 * const DOC_SIGNING: CertificateTemplate = {
 *   subject: { O: 'Example', CN: 'Archive signer' },
 *   keyUsage: ['digitalSignature', 'nonRepudiation'],
 *   extKeyUsage: ['1.3.6.1.4.1.55555.1.1'],
 *   defaultDays: 30,
 *   maxDays: 90,
 * };
 * const cert = issueFromTemplate({ template: DOC_SIGNING, publicKey: keys.publicKey, issuer: ca, issuerKey: caKey });
 * ```
 * @public
 */
export function issueFromTemplate(options: IssueFromTemplateOptions): IssuedCertificate {
  if (!options || typeof options !== 'object') throw new TypeError('issueFromTemplate: options object required');
  const t = options.template;
  if (!t || typeof t !== 'object') throw new TypeError('template: a CertificateTemplate object is required');
  if (!options.publicKey) throw new TypeError('publicKey is required');
  const publicKey = getPublicKey(options.publicKey);
  assertKeyStrength(publicKey);
  const subject = parseName(t.subject);
  const sans = (t.sans ?? []).map(toGeneralName);
  const ca = t.ca === true;
  if (!ca && (t.pathLen !== undefined || t.nameConstraints !== undefined)) throw new TypeError('template: pathLen and nameConstraints need ca: true');
  if (ca && subject.rdns.length === 0) policy('a CA certificate needs a non-empty subject (RFC 5280 4.1.2.6)');
  if (subject.rdns.length === 0 && sans.length === 0) policy('the certificate would have neither subject nor SAN');
  if (!Array.isArray(t.keyUsage) || t.keyUsage.length === 0) policy('template.keyUsage must name at least one usage (RFC 5280 4.2.1.3)');
  // RFC 5280 4.2.1.3/4.2.1.9: a CA that signs certificates asserts keyCertSign; without it no verifier accepts what it issues.
  if (ca && !t.keyUsage.includes('keyCertSign')) policy('a CA template (ca: true) needs keyUsage keyCertSign (RFC 5280 4.2.1.3): verifiers refuse certificates issued by a CA without it');
  const warnings: IssueWarning[] = [];
  const days = options.days ?? t.defaultDays;
  checkDayCount(days);
  if (t.maxDays !== undefined && days > t.maxDays) policy(`a certificate of ${days} days refused: the template allows at most ${t.maxDays} days (maxDays)`);
  const now = options.now ?? new Date();
  const win = checkIssuer(options.issuer, options.issuerKey, validity(options, days), now, warnings, ca, t.pathLen);
  checkIssuerConstraints(options.issuer, options.issuerChain, subject, sans);
  const spki = encodeSpki(publicKey);
  const exts: Extension[] = [
    basicConstraintsExtension(t.pathLen === undefined ? { ca } : { ca, pathLen: t.pathLen }),
    keyUsageExtension(t.keyUsage),
    ...(t.extKeyUsage?.length ? [extKeyUsageExtension(t.extKeyUsage)] : []),
    subjectKeyIdentifierExtension(computeKeyIdentifier(spki)),
    authorityKeyIdentifierExtension(keyIdOf(options.issuer)),
    ...(sans.length ? [subjectAltNameExtension(sans, subject.rdns.length === 0)] : []),
    ...constraintsExtension(t.nameConstraints),
    ...extraExtensions(options),
  ];
  return buildIssuedBy(options, subject, publicKey, spki, win, exts, warnings);
}
