/**
 * Certificate path validation (RFC 5280 6.1, the parts that matter for mail
 * and web TLS and S/MIME) of a leaf against trust anchors at a given time.
 *
 * Checked, for every candidate path leaf -> intermediates -> trust anchor:
 * signatures (SHA-1/MD5 refused), RSA key sizes, validity of every
 * certificate at `at`, unknown critical extensions, basicConstraints CA:true
 * and pathLenConstraint, keyCertSign, the extended key usage of the purpose
 * (on the leaf and, when present, on intermediates: "EKU chaining", as
 * OpenSSL, NSS and Chromium do), name constraints of every CA in the path
 * (trust anchor included) on every certificate below it, and the host
 * (RFC 9525) or mailbox of the leaf; then the strict rules of the profile
 * (`rfc5280` or `webpki`, see {@link VerifyFailureCode}).
 *
 * Path building is bounded whatever the input ({@link VERIFY_BUDGET},
 * {@link MAX_PRESENTED_CERTIFICATES}): a hostile set of certificates ends in
 * `too-complex`, never in a hang or an out-of-memory abort.
 *
 * The result is a value, never an exception: `{ ok: true, chain }` or
 * `{ ok: false, reason, message, certificate }` with a stable reason code.
 * Only wrong arguments throw (TypeError).
 *
 * Revocation with CRLs (RFC 5280 6.3, `crls` / `revocation`) is
 * revocation.ts, called once a path passes every other check.
 *
 * Out of scope: OCSP, certificate policies
 * (policyConstraints/inhibitAnyPolicy are treated as known, not processed),
 * fetching missing issuers over AIA.
 */
import { OID } from '../oid.js';
import { equalBytes, toHex } from '../encoding/bytes.js';
import { bitLen } from '../crypto/bigint.js';
import { setTableBuildAllowance } from '../crypto/ecdsa-verify.js';
import { checkSignature, describeCert, describeName, isSelfIssued, keyIdHex, keyIdsMatch, nameKey, type SignatureCheck } from './chain.js';
import { matchesEmail, matchesHost, dnsNameForMatching } from './hostname.js';
import { parseIpAddress } from './ip.js';
import { checkNameConstraints, constrainedNames, nameConstraintsDefect, MAX_NAME_CONSTRAINT_COMPARISONS, type NameConstraintViolation } from './name-constraints.js';
import type { Certificate, NameConstraints } from './types.js';
import type { Crl, CrlReason } from './crl.js';
import { isCrl } from './crl.js';
import { checkRevocation, type RevocationMode } from './revocation.js';
import { isCertificate } from './certificate.js';

/**
 * Why a verification failed. Stable strings, part of the public contract.
 * - `expired` / `not-yet-valid`: a certificate of the path is outside its validity at `at`
 * - `bad-signature`: a signature does not verify with its issuer's key
 * - `weak-algorithm`: signed with SHA-1 or MD5
 * - `unsupported-algorithm`: signed with an algorithm mailpki cannot verify
 * - `weak-key`: an RSA key under 2048 bits in the path
 * - `unknown-issuer`: no trust anchor or intermediate issues a certificate of the path
 * - `self-signed-untrusted`: the path ends at a self-signed certificate that is not a trust anchor
 * - `not-a-ca`: an issuer lacks basicConstraints CA:true
 * - `missing-key-cert-sign`: an issuer's keyUsage lacks keyCertSign
 * - `path-length-exceeded`: more intermediates below a CA than its pathLenConstraint allows
 * - `wrong-purpose`: the (extended) key usage does not allow the purpose
 * - `name-constraint-violation`: a name outside a CA's permitted or inside its excluded subtrees
 * - `unhandled-critical-extension`: a critical extension mailpki does not process
 * - `host-mismatch` / `email-mismatch`: the leaf does not name the host / mailbox
 * - `path-too-long`: no path within `maxDepth` ({@link MAX_PATH_LENGTH}) certificates
 * - `too-complex`: more certificates presented than `maxCertificates`
 *   ({@link MAX_PRESENTED_CERTIFICATES}), or path building or name-constraint
 *   checking ran out of its budget ({@link VERIFY_BUDGET}) before an answer
 * - `revoked`: a certificate of the path is listed on a CRL (reason and date in the message and in `revocationReason` / `revocationDate`)
 * - `crl-expired`: the only CRLs that would cover a certificate are past their nextUpdate
 * - `crl-not-found`: revocation is required and no CRL covers a certificate (or covers every reason)
 * - `crl-invalid`: a CRL that would cover a certificate cannot be used (signature, signer without cRLSign, unknown critical extension, not yet valid)
 *
 * Strict rules, both profiles (RFC 5280; see docs/DESIGN.md §4a for sources):
 * - `invalid-name-constraints`: a nameConstraints extension that is malformed
 *   (no subtrees, an empty subtree sequence, an iPAddress base without its
 *   mask, a minimum or maximum) or in a certificate that is not a CA
 * - `malformed-name`: a name that is not valid for its form (dNSName with a
 *   leading dot or empty label, rfc822Name with two `@`, ...) under a CA
 *   that constrains that form: it can satisfy no constraint
 * - `forbidden-critical-extension`: authorityKeyIdentifier,
 *   subjectKeyIdentifier or authorityInfoAccess marked critical
 * - `missing-authority-key-identifier`: an intermediate CA without AKI
 * - `missing-subject-key-identifier`: an intermediate CA without SKI
 * - `empty-ca-subject`: an intermediate CA with an empty subject
 * - `root-basic-constraints-not-critical`: a self-signed trust anchor whose
 *   basicConstraints is not critical
 * - `san-criticality`: subjectAltName critical with a non-empty subject, or
 *   not critical with an empty subject
 * - `ca-used-as-leaf`: a TLS leaf (purpose tls-server or tls-client) with
 *   basicConstraints CA:TRUE or keyUsage keyCertSign
 *
 * Web PKI rules (profile `webpki`; CA/Browser Forum baseline requirements,
 * as Chrome, Go and rustls-webpki apply them):
 * - `invalid-serial`: a serial number that is zero, negative or longer than 20 octets
 * - `missing-eku`: an end-entity certificate without extendedKeyUsage
 * - `any-eku`: anyExtendedKeyUsage in the leaf or an intermediate
 * - `root-has-eku`: a self-signed trust anchor with extendedKeyUsage
 * - `cn-not-in-san`: (tls-server) a subject CN that is none of the SANs
 * - `rsa-modulus-not-byte-aligned`: an RSA modulus that is not a multiple of 8 bits
 * - `invalid-dns-name`: a leaf dNSName SAN outside letters, digits, hyphens
 *   (LDH, a leftmost `*` label allowed)
 * @public
 */
export type VerifyFailureCode =
  | 'expired'
  | 'not-yet-valid'
  | 'bad-signature'
  | 'weak-algorithm'
  | 'unsupported-algorithm'
  | 'weak-key'
  | 'unknown-issuer'
  | 'self-signed-untrusted'
  | 'not-a-ca'
  | 'missing-key-cert-sign'
  | 'path-length-exceeded'
  | 'wrong-purpose'
  | 'name-constraint-violation'
  | 'unhandled-critical-extension'
  | 'host-mismatch'
  | 'email-mismatch'
  | 'path-too-long'
  | 'revoked'
  | 'crl-expired'
  | 'crl-not-found'
  | 'crl-invalid'
  | 'too-complex'
  | 'invalid-name-constraints'
  | 'malformed-name'
  | 'forbidden-critical-extension'
  | 'missing-authority-key-identifier'
  | 'missing-subject-key-identifier'
  | 'empty-ca-subject'
  | 'root-basic-constraints-not-critical'
  | 'san-criticality'
  | 'ca-used-as-leaf'
  | 'invalid-serial'
  | 'missing-eku'
  | 'any-eku'
  | 'root-has-eku'
  | 'cn-not-in-san'
  | 'rsa-modulus-not-byte-aligned'
  | 'invalid-dns-name';

/** Every {@link VerifyFailureCode}, for exhaustive handling. @public */
export const VERIFY_FAILURE_CODES: readonly VerifyFailureCode[] = [
  'expired',
  'not-yet-valid',
  'bad-signature',
  'weak-algorithm',
  'unsupported-algorithm',
  'weak-key',
  'unknown-issuer',
  'self-signed-untrusted',
  'not-a-ca',
  'missing-key-cert-sign',
  'path-length-exceeded',
  'wrong-purpose',
  'name-constraint-violation',
  'unhandled-critical-extension',
  'host-mismatch',
  'email-mismatch',
  'path-too-long',
  'revoked',
  'crl-expired',
  'crl-not-found',
  'crl-invalid',
  'too-complex',
  'invalid-name-constraints',
  'malformed-name',
  'forbidden-critical-extension',
  'missing-authority-key-identifier',
  'missing-subject-key-identifier',
  'empty-ca-subject',
  'root-basic-constraints-not-critical',
  'san-criticality',
  'ca-used-as-leaf',
  'invalid-serial',
  'missing-eku',
  'any-eku',
  'root-has-eku',
  'cn-not-in-san',
  'rsa-modulus-not-byte-aligned',
  'invalid-dns-name',
];

/** What the leaf is checked for. @public */
export type VerifyPurpose = 'tls-server' | 'tls-client' | 'smime';

/**
 * Which rule set applies beyond RFC 5280 path validation. `rfc5280`: the
 * RFC's rules, and the strict ones every verifier applies (see
 * {@link VerifyFailureCode}); `webpki`: those plus the CA/Browser Forum
 * baseline requirements that Chrome, Go and rustls-webpki enforce on TLS
 * chains. Rules and their sources: docs/DESIGN.md §4a.
 * @public
 */
export type VerifyProfile = 'webpki' | 'rfc5280';

/** Options of {@link verifyCertificate}. @public */
export interface VerifyOptions {
  /** Certificates trusted as path ends (RFC 5280 6.1: name + key; any certificate given here is trusted, self-signed or not). */
  readonly trustAnchors: readonly Certificate[];
  /** Untrusted certificates that may complete the path (what a server sends after its leaf). */
  readonly intermediates?: readonly Certificate[];
  /** The time of validation. Default: now. */
  readonly at?: Date;
  /** DNS name or IP address the leaf must name (RFC 9525). */
  readonly host?: string;
  /** Mailbox the leaf must carry in an rfc822Name SAN (S/MIME). */
  readonly email?: string;
  /**
   * Purpose to check EKU and key usage for. Default: `tls-server` when
   * `host` is given, `smime` when `email` is given, else none (no EKU check).
   */
  readonly purpose?: VerifyPurpose;
  /** CRLs to check the path against (RFC 5280 6.3): complete, delta and indirect CRLs, in any order; the ones that apply are picked by issuer, scope and signature. */
  readonly crls?: readonly Crl[];
  /**
   * Revocation checking. `'if-present'` (the default): every certificate of
   * the path whose issuer has a CRL among `crls` is checked with every RFC
   * 5280 6.3 rule (an expired or unusable CRL is a failure); certificates
   * without any CRL are not checked. `'require'`: every certificate except
   * the trust anchor must be covered by a usable CRL (`crl-not-found`
   * otherwise). `'off'`: `crls` are ignored.
   */
  readonly revocation?: RevocationMode;
  /**
   * Rule set ({@link VerifyProfile}). Default: `webpki` when the purpose is
   * `tls-server` or `tls-client`, `rfc5280` otherwise (S/MIME, no purpose).
   */
  readonly profile?: VerifyProfile;
  /**
   * Longest path accepted, in certificates (leaf and trust anchor included),
   * 1 to 64. Default {@link MAX_PATH_LENGTH} (10). Longer: `path-too-long`.
   */
  readonly maxDepth?: number;
  /**
   * Most certificates accepted as presented: the leaf plus `intermediates`,
   * counted as given (duplicates included), trust anchors not counted.
   * Default {@link MAX_PRESENTED_CERTIFICATES} (20). More: `too-complex`,
   * before any path is built.
   */
  readonly maxCertificates?: number;
}

/** Result of {@link verifyCertificate}. @public */
export type VerifyResult =
  | { readonly ok: true; readonly chain: Certificate[] }
  | {
      readonly ok: false;
      readonly reason: VerifyFailureCode;
      /** One line for people: what failed, on which certificate, and why. */
      readonly message: string;
      /** The certificate that failed the check. */
      readonly certificate?: Certificate;
      /** The path being checked when it failed (leaf first), when one was built. */
      readonly chain?: Certificate[];
      /** For `revoked`: the CRL entry's reason (`unspecified` when the entry has none). */
      readonly revocationReason?: CrlReason;
      /** For `revoked`: the CRL entry's revocation date. */
      readonly revocationDate?: Date;
    };

type Failure = Extract<VerifyResult, { ok: false }>;

/** Longest path considered by default (leaf + intermediates + anchor); real mail/web PKI uses 2-4. @public */
export const MAX_PATH_LENGTH = 10;

/**
 * Largest certificate set (leaf + `intermediates`, as given) that
 * {@link verifyCertificate} builds paths from by default; a larger set is
 * refused with `too-complex` before any path is built. A TLS server sends 2-4;
 * RFC 8446 puts no limit, so the cap is ours (OpenSSL's default verify depth
 * is 100, but its chain building is linear). Raise it with
 * `options.maxCertificates`.
 * @public
 */
export const MAX_PRESENTED_CERTIFICATES = 20;

/**
 * Work done by one {@link verifyCertificate} call at most; past any of these
 * the result is `{ ok: false, reason: 'too-complex' }`.
 * - `signatures` (64): signature verifications (each child and issuer key
 *   pair once), weighted by cost: a P-256 or RSA (≤ 4,096 bits) check is 1,
 *   P-384 2, P-521 4, Ed25519 2. Go's crypto/x509
 *   (`maxChainSignatureChecks`) and rustls-webpki (`Budget::signatures`)
 *   both allow 100 checks, native ones of ~50 µs; ours, in pure JavaScript,
 *   take ~0.9 ms (P-256), so 64 keeps the worst a hostile set can cost near
 *   60 ms (plus at most one ECDSA key table, ~10 checks of work, per call).
 *   A real chain needs 2-6 checks, a cross-signed one a dozen.
 * - `extensions` (10,000): candidate issuers tried on a partial path. With
 *   (certificate, depth) dead ends remembered, a set of 20 certificates and
 *   depth 10 cannot need more than about 20 × 10 × 20 = 4,000; rustls
 *   allows 200,000 build calls (from mozilla::pkix), which costs too much time
 *   in JavaScript for our 100 ms bound.
 * - `paths` (64): complete paths (up to a trust anchor) validated; each is a
 *   full RFC 5280 6.1 pass.
 * - `nameConstraintComparisons` (65,536 = 2^16): names × subtrees compared,
 *   summed over every constrained CA and path. Go and rustls allow 250,000;
 *   2^16 keeps the worst case near 10 ms here and is still 25 times what a
 *   leaf with 256 names under a CA with 10 subtrees on 10 paths needs.
 * @public
 */
export const VERIFY_BUDGET: Readonly<{ signatures: number; extensions: number; paths: number; nameConstraintComparisons: number }> = Object.freeze({
  signatures: 64,
  extensions: 10_000,
  paths: 64,
  nameConstraintComparisons: MAX_NAME_CONSTRAINT_COMPARISONS,
});

/** RSA keys under this are refused (NIST SP 800-131A; OpenSSL's default security level 2 agrees). */
const MIN_RSA_BITS = 2048;

const PURPOSE_EKU: Readonly<Record<VerifyPurpose, string>> = {
  'tls-server': OID.serverAuth,
  'tls-client': OID.clientAuth,
  smime: OID.emailProtection,
};

/** Key usages that make sense for each purpose's leaf (OpenSSL's check_purpose_* agree). */
const PURPOSE_KU: Readonly<Record<VerifyPurpose, readonly string[]>> = {
  'tls-server': ['digitalSignature', 'keyEncipherment', 'keyAgreement'],
  'tls-client': ['digitalSignature', 'keyAgreement'],
  smime: ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'keyAgreement'],
};

/** Extensions we process or that carry no constraint we would have to enforce. */
const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.basicConstraints,
  OID.nameConstraints,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.policyMappings,
  OID.authorityKeyIdentifier,
  OID.policyConstraints,
  OID.extKeyUsage,
  OID.inhibitAnyPolicy,
  OID.authorityInfoAccess,
  OID.subjectInfoAccess,
  OID.tlsFeature,
  OID.ctPrecertificateScts,
]);

function fail(reason: VerifyFailureCode, message: string, certificate?: Certificate, chain?: Certificate[]): Failure {
  return { ok: false, reason, message, ...(certificate ? { certificate } : {}), ...(chain ? { chain } : {}) };
}

function checkCertList(v: unknown, name: string): readonly Certificate[] {
  if (!Array.isArray(v) || !v.every(isCertificate)) throw new TypeError(`${name}: expected an array of parsed Certificates`);
  return v;
}

function checkLimit(v: unknown, name: string, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw new TypeError(`${name}: expected an integer from 1 to ${max}`);
  return v;
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

const spkiHexes = new WeakMap<Certificate, string>();
/** The SubjectPublicKeyInfo as hex, remembered per certificate object. */
function spkiHex(c: Certificate): string {
  let h = spkiHexes.get(c);
  if (h === undefined) spkiHexes.set(c, (h = toHex(c.spki)));
  return h;
}

const identities = new WeakMap<Certificate, string>();
/** Subject + key: two certificates with the same identity are interchangeable as issuers. */
function identity(c: Certificate): string {
  let id = identities.get(c);
  if (id === undefined) identities.set(c, (id = `${nameKey(c.subject)}|${spkiHex(c)}`));
  return id;
}

/** Issuers of one identity (same subject and key) that a child's issuer name and AKI select. */
interface CandidateGroup {
  readonly id: string;
  readonly members: Certificate[];
  readonly rank: number;
}

/** What {@link validatePath} needs besides the path. */
interface PathContext {
  readonly at: Date;
  readonly purpose: VerifyPurpose | undefined;
  readonly profile: VerifyProfile;
  readonly host: string | undefined;
  readonly email: string | undefined;
  /** Name-constraint comparisons left (shared by every path of the call). */
  ncLeft: number;
}

type Explore = 'success' | 'abort' | 'reached' | 'dead';

/**
 * Validate `leaf` against `trustAnchors` at a time: build candidate paths
 * through `intermediates` (several issuers with the same name are all
 * tried), and return the first path that passes every check, or the reason
 * the best candidate failed.
 *
 * Path building is bounded whatever the input (see {@link VERIFY_BUDGET}):
 * at most `maxCertificates` presented certificates; duplicates (the same
 * subject, issuer, key and serial, or the same bytes) are considered once; a
 * path never holds two certificates with the same subject and key (a shorter
 * path without the loop exists and is tried); a (certificate, depth) from
 * which no trust anchor could be reached is not explored again; failures
 * keep only the first path of each kind. When the budget runs out the result
 * is `too-complex`.
 *
 * @param leaf - the end-entity certificate
 * @param options - {@link VerifyOptions}
 * @returns `{ ok: true, chain }` (leaf first, trust anchor last) or
 *   `{ ok: false, reason, message, certificate, chain? }`; never throws for a
 *   failed verification.
 * @throws TypeError for wrong arguments (not certificates, an invalid date,
 *   an unknown purpose, an empty host, a limit out of range)
 * @example
 * ```ts
 * const r = verifyCertificate(leaf, { trustAnchors: [root], intermediates: [ica], host: 'mail.example.com' });
 * if (!r.ok) console.error(`${r.reason}: ${r.message}`);
 * ```
 * @public
 */
export function verifyCertificate(leaf: Certificate, options: VerifyOptions): VerifyResult {
  if (!isCertificate(leaf)) throw new TypeError('leaf: expected a parsed Certificate');
  if (!options || typeof options !== 'object') throw new TypeError('options: expected { trustAnchors, ... }');
  const anchors = checkCertList(options.trustAnchors, 'options.trustAnchors');
  const intermediates = options.intermediates === undefined ? [] : checkCertList(options.intermediates, 'options.intermediates');
  const at0 = options.at ?? new Date();
  if (!(at0 instanceof Date) || Number.isNaN(at0.getTime())) throw new TypeError('options.at: expected a valid Date');
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) throw new TypeError('options.host: expected a non-empty string');
  if (options.email !== undefined && (typeof options.email !== 'string' || !options.email.includes('@'))) throw new TypeError('options.email: expected an address local@domain');
  const purpose = options.purpose ?? (options.host !== undefined ? 'tls-server' : options.email !== undefined ? 'smime' : undefined);
  if (purpose !== undefined && !(purpose in PURPOSE_EKU)) throw new TypeError(`options.purpose: expected 'tls-server', 'tls-client' or 'smime'`);
  const crls = options.crls ?? [];
  if (!Array.isArray(crls) || !crls.every(isCrl)) throw new TypeError('options.crls: expected an array of parsed CRLs (parseCrl)');
  const revocation = options.revocation ?? 'if-present';
  if (revocation !== 'off' && revocation !== 'if-present' && revocation !== 'require') throw new TypeError(`options.revocation: expected 'off', 'if-present' or 'require'`);
  if (options.profile !== undefined && options.profile !== 'webpki' && options.profile !== 'rfc5280') throw new TypeError(`options.profile: expected 'webpki' or 'rfc5280'`);
  const profile: VerifyProfile = options.profile ?? (purpose === 'tls-server' || purpose === 'tls-client' ? 'webpki' : 'rfc5280');
  const maxDepth = checkLimit(options.maxDepth, 'options.maxDepth', 64) ?? MAX_PATH_LENGTH;
  const maxCertificates = checkLimit(options.maxCertificates, 'options.maxCertificates', 1_000_000) ?? MAX_PRESENTED_CERTIFICATES;
  // X.509 times have a resolution of one second (RFC 5280 4.1.2.5): compare at that resolution.
  const at = new Date(Math.floor(at0.getTime() / 1000) * 1000);

  if (1 + intermediates.length > maxCertificates) {
    return fail(
      'too-complex',
      `${1 + intermediates.length} certificates presented (leaf + intermediates); at most ${maxCertificates} are considered (options.maxCertificates)`,
      leaf,
    );
  }

  // The pool: anchors first, then intermediates; duplicates (same subject, issuer, key and serial) once.
  const anchorSet = new Set<Certificate>();
  const pool: Certificate[] = [];
  const seen = new Map<string, Certificate>();
  const dupKey = (c: Certificate) => `${identity(c)}|${nameKey(c.issuer)}|${c.serialHex}`;
  for (const [i, c] of [...anchors, ...intermediates].entries()) {
    const k = dupKey(c);
    if (seen.has(k)) continue;
    seen.set(k, c);
    pool.push(c);
    if (i < anchors.length) anchorSet.add(c);
  }
  const leafAsAnchor = anchorSet.has(leaf) || anchors.some((a) => equalBytes(a.der, leaf.der));
  const isAnchor = (c: Certificate, depth: number) => (depth === 0 ? leafAsAnchor : anchorSet.has(c));
  const bySubject = new Map<string, Certificate[]>();
  for (const c of pool) {
    const k = nameKey(c.subject);
    const list = bySubject.get(k);
    if (list) list.push(c);
    else bySubject.set(k, [c]);
  }
  // Preference: trust anchors, then issuers valid at `at` (a fresh re-issue over an expired one).
  const rank = (c: Certificate) => (anchorSet.has(c) ? 0 : 2) + (c.notBefore <= at && at <= c.notAfter ? 0 : 1);
  // Candidates depend only on the child's issuer name and AKI: computed once per (name, AKI).
  const candidateCache = new Map<string, { groups: CandidateGroup[]; sameName: Certificate[] }>();
  const candidatesOf = (cur: Certificate) => {
    const aki = cur.decoded.authorityKeyIdentifier?.keyIdentifier;
    const key = `${nameKey(cur.issuer)}|${aki ? toHex(aki) : ''}`;
    let hit = candidateCache.get(key);
    if (hit) return hit;
    const sameName = bySubject.get(nameKey(cur.issuer)) ?? [];
    const byId = new Map<string, Certificate[]>();
    for (const c of sameName) {
      if (!keyIdsMatch(cur, c)) continue;
      const id = identity(c);
      const m = byId.get(id);
      if (m) m.push(c);
      else byId.set(id, [c]);
    }
    const groups = [...byId].map(([id, members]) => {
      members.sort((a, b) => rank(a) - rank(b));
      return { id, members, rank: rank(members[0]!) };
    });
    groups.sort((a, b) => a.rank - b.rank);
    hit = { groups, sameName };
    candidateCache.set(key, hit);
    return hit;
  };

  // Budget (VERIFY_BUDGET) and memo of this call.
  let signaturesLeft = VERIFY_BUDGET.signatures;
  let extensionsLeft = VERIFY_BUDGET.extensions;
  let pathsLeft = VERIFY_BUDGET.paths;
  let tooComplex: Failure | undefined;
  const sigMemo = new Map<Certificate, Map<string, SignatureCheck>>();
  /** checkSignature, once per (child, issuer key) in this call; undefined when the budget is spent. */
  const signature = (child: Certificate, issuer: Certificate): SignatureCheck | undefined => {
    let m = sigMemo.get(child);
    if (!m) sigMemo.set(child, (m = new Map()));
    const k = spkiHex(issuer);
    let r = m.get(k);
    if (r) return r;
    signaturesLeft -= signatureCost(issuer);
    if (signaturesLeft < 0) return undefined;
    r = checkSignature(child, issuer);
    m.set(k, r);
    return r;
  };
  const ctx: PathContext = { at, purpose, profile, host: options.host, email: options.email, ncLeft: VERIFY_BUDGET.nameConstraintComparisons };
  const exhausted = (what: string, cert: Certificate): 'abort' => {
    tooComplex = fail('too-complex', `path building for ${describeCert(leaf)} gave up: more than ${what} needed (a set of certificates built to make verification slow?)`, cert);
    return 'abort';
  };

  // Failures: only the first of each kind is kept (with a copy of its path).
  let pathFailure: Failure | undefined;
  let linkFailure: Failure | undefined; // bad signature, weak or unsupported algorithm, path too long
  let deadEnd: Failure | undefined; // unknown issuer, self-signed untrusted
  let success: Certificate[] | undefined;
  const deadAt = new Map<Certificate, number>(); // certificate -> smallest depth it was shown to reach no anchor from
  const path: Certificate[] = [leaf];
  const onPath = new Set<string>([identity(leaf)]);

  const explore = (depth: number): Explore => {
    const cur = path[depth]!;
    if (isAnchor(cur, depth)) {
      if (pathsLeft-- <= 0) return exhausted(`${VERIFY_BUDGET.paths} complete paths`, cur);
      // One copy of the path being built, shared by the checks and the result.
      const complete = path.slice();
      let f = validatePath(complete, ctx);
      // Revocation last (RFC 5280 6.3 for every certificate of a path that passed every other check).
      if (!f && (revocation === 'require' || (revocation === 'if-present' && crls.length > 0))) {
        const rv = checkRevocation(complete, { crls, mode: revocation, at, pool });
        if (rv) f = { ok: false, ...rv, chain: complete };
      }
      if (!f) {
        success = complete;
        return 'success';
      }
      if (f.reason === 'too-complex') {
        tooComplex = f;
        return 'abort';
      }
      pathFailure ??= f;
      return 'reached';
    }
    if (depth + 1 >= maxDepth) {
      linkFailure ??= fail('path-too-long', `no trust anchor within ${maxDepth} certificates above ${describeCert(leaf)}`, cur, path.slice());
      return 'dead';
    }
    const { groups, sameName } = candidatesOf(cur);
    let status: Explore = 'dead';
    let usable = 0;
    for (const g of groups) {
      if (onPath.has(g.id)) continue; // a loop: the path without it is shorter and tried
      usable++;
      for (const c of g.members) {
        if ((deadAt.get(c) ?? Infinity) <= depth + 1) continue;
        if (extensionsLeft-- <= 0) return exhausted(`${VERIFY_BUDGET.extensions} candidate issuers`, cur);
        const s = signature(cur, c);
        if (!s) return exhausted(`${VERIFY_BUDGET.signatures} signature checks`, cur);
        if (!s.ok) {
          linkFailure ??= fail(s.reason, s.message, cur, [...path, c]);
          continue;
        }
        path.push(c);
        onPath.add(g.id);
        const r = explore(depth + 1);
        path.pop();
        onPath.delete(g.id);
        if (r === 'success' || r === 'abort') return r;
        if (r === 'reached') status = 'reached';
        else deadAt.set(c, Math.min(deadAt.get(c) ?? Infinity, depth + 1));
      }
    }
    if (usable === 0 && !deadEnd) {
      if (isSelfIssued(cur) && keyIdsMatch(cur, cur) && (() => {
        const s = signature(cur, cur);
        return !!s && (s.ok || s.reason !== 'bad-signature');
      })()) {
        deadEnd = fail('self-signed-untrusted', `${describeCert(cur)} is self-signed and not among the trust anchors`, cur, path.slice());
      } else {
        const aki = cur.decoded.authorityKeyIdentifier?.keyIdentifier;
        const extra = sameName.length ? `; ${sameName.slice(0, 3).map(describeCert).join(', ')}${sameName.length > 3 ? ` and ${sameName.length - 3} more` : ''} ${sameName.length === 1 ? 'has' : 'have'} that name but another key identifier` : '';
        deadEnd = fail(
          'unknown-issuer',
          `no trust anchor or intermediate for issuer ${describeName(cur.issuer)}${aki ? ` (AKI ${keyIdHex(aki)})` : ''} of ${describeCert(cur)}${extra}`,
          cur,
          path.slice(),
        );
      }
    }
    return status;
  };

  // At most one ECDSA fixed-base table is built during the call (each costs ~10 verifications).
  const allowance = setTableBuildAllowance(1);
  let r: Explore;
  try {
    r = explore(0);
  } finally {
    setTableBuildAllowance(allowance);
  }
  if (r === 'success' && success) return { ok: true, chain: success };
  if (tooComplex) return tooComplex;
  // A complete path that failed a check tells more than a dead end.
  return (
    pathFailure ??
    linkFailure ??
    deadEnd ??
    fail('unknown-issuer', `no path from ${describeCert(leaf)} to a trust anchor (every candidate issuer is already in the path)`, leaf, [leaf])
  );
}

/** Every check on one complete path [leaf, ..., anchor]; undefined when it passes. */
function validatePath(path: Certificate[], ctx: PathContext): Failure | undefined {
  const { at, purpose, host, email } = ctx;
  const n = path.length;
  const leaf = path[0]!;

  // Key sizes, anchor included (a 1024-bit root is as weak as a 1024-bit leaf).
  for (let i = n - 1; i >= 0; i--) {
    const k = path[i]!.publicKey;
    if (k.type === 'rsa' && bitLen(k.n) < MIN_RSA_BITS) {
      return fail('weak-key', `${describeCert(path[i]!)} has an RSA key of ${bitLen(k.n)} bits (at least ${MIN_RSA_BITS} required)`, path[i], path);
    }
  }

  // RFC 5280 6.1.3 (a)(2): validity of every certificate, from the anchor down.
  for (let i = n - 1; i >= 0; i--) {
    const c = path[i]!;
    if (at < c.notBefore) return fail('not-yet-valid', `${describeCert(c)} is not valid before ${iso(c.notBefore)} (checked at ${iso(at)})`, c, path);
    if (at > c.notAfter) return fail('expired', `${describeCert(c)} expired at ${iso(c.notAfter)} (checked at ${iso(at)})`, c, path);
  }

  // RFC 5280 4.2: a critical extension we do not recognise must be refused.
  for (let i = n - 1; i >= 0; i--) {
    const c = path[i]!;
    const unknown = c.extensions.find((e) => e.critical && !KNOWN_EXTENSIONS.has(e.oid));
    if (unknown) return fail('unhandled-critical-extension', `${describeCert(c)} has the critical extension ${unknown.name} that mailpki does not process`, c, path);
  }

  // Strict certificate-content rules (profile-dependent), anchor's own rules included.
  const strict = strictRules(path, ctx);
  if (strict) return strict;

  // RFC 5280 6.1.4 (k), (n): every issuer is a CA allowed to sign certificates.
  for (let i = n - 1; i >= 1; i--) {
    const c = path[i]!;
    const bc = c.decoded.basicConstraints;
    const isTop = i === n - 1;
    // A v1 trust anchor has no extensions at all; RFC 5280 6.1.1 (d) takes the anchor as name + key.
    const caOk = bc ? bc.ca : isTop && c.version === 1;
    if (!caOk) {
      return fail('not-a-ca', `${describeCert(c)} issued ${describeCert(path[i - 1]!)} but is not a CA (${bc ? 'basicConstraints CA:FALSE' : 'no basicConstraints'})`, c, path);
    }
    const ku = c.decoded.keyUsage;
    if (ku && !ku.includes('keyCertSign')) {
      return fail('missing-key-cert-sign', `${describeCert(c)} issued ${describeCert(path[i - 1]!)} but its keyUsage lacks keyCertSign`, c, path);
    }
  }

  // RFC 5280 6.1.4 (l), (m): pathLenConstraint counts the non-self-issued intermediates below the CA.
  for (let i = n - 1; i >= 1; i--) {
    const c = path[i]!;
    const pathLen = c.decoded.basicConstraints?.pathLen;
    if (pathLen === undefined) continue;
    let below = 0;
    for (let j = 1; j < i; j++) if (!isSelfIssued(path[j]!)) below++;
    if (below > pathLen) {
      return fail('path-length-exceeded', `${describeCert(c)} allows ${pathLen} intermediate${pathLen === 1 ? '' : 's'} below it (pathLen ${pathLen}), the path has ${below}`, c, path);
    }
  }

  // RFC 5280 6.1.3 (b), (c): every CA's name constraints on every certificate below it;
  // self-issued intermediates are exempt, the leaf never is.
  for (let i = n - 1; i >= 1; i--) {
    const ca = path[i]!;
    const nc = ca.decoded.nameConstraints;
    if (!nc) continue;
    for (let j = i - 1; j >= 0; j--) {
      const c = path[j]!;
      if (j > 0 && isSelfIssued(c)) continue;
      const v = checkNameConstraintsBounded(nc, c, ctx);
      if (v === 'too-complex') {
        return fail('too-complex', `checking the names of ${describeCert(c)} against the name constraints of ${describeCert(ca)} needs more than the ${VERIFY_BUDGET.nameConstraintComparisons} comparisons allowed`, c);
      }
      if (v?.kind === 'malformed') {
        return fail('malformed-name', `${v.name} of ${describeCert(c)} is not a valid name of its form, so it cannot satisfy the name constraints ${v.subtrees.join(', ')} of ${describeCert(ca)}`, c, path);
      }
      if (v) {
        const how = v.kind === 'excluded' ? `is in the excluded subtree ${v.subtrees.join(', ')}` : `is outside the permitted subtrees ${v.subtrees.join(', ')}`;
        return fail('name-constraint-violation', `${v.name} of ${describeCert(c)} ${how} of ${describeCert(ca)}`, c, path);
      }
    }
  }

  if (purpose) {
    const eku = PURPOSE_EKU[purpose];
    // RFC 5280 4.2.1.12: absent EKU = any purpose; anyExtendedKeyUsage too. Applied to
    // the leaf and to intermediates that carry an EKU (not to the anchor).
    for (let i = Math.max(0, n - 2); i >= 0; i--) {
      const c = path[i]!;
      const list = c.decoded.extKeyUsage;
      if (list && !list.includes(eku) && !list.includes(OID.anyExtendedKeyUsage)) {
        return fail('wrong-purpose', `${describeCert(c)} has extendedKeyUsage without ${purposeName(purpose)} (${eku})`, c, path);
      }
    }
    const ku = leaf.decoded.keyUsage;
    if (ku && !PURPOSE_KU[purpose].some((u) => ku.includes(u as never))) {
      return fail('wrong-purpose', `${describeCert(leaf)} has keyUsage ${ku.join(', ')}, none of which allows ${purposeName(purpose)}`, leaf, path);
    }
  }

  if (host !== undefined && !matchesHost(leaf, host)) {
    const names = (leaf.decoded.subjectAltName ?? []).filter((g) => g.type === 'dns' || g.type === 'ip').map((g) => g.value as string);
    return fail('host-mismatch', `${describeCert(leaf)} does not name ${host} (${names.length ? `SAN: ${names.join(', ')}` : 'no DNS or IP SAN; the CN is not used'})`, leaf, path);
  }
  if (email !== undefined && !matchesEmail(leaf, email)) {
    const names = (leaf.decoded.subjectAltName ?? []).filter((g) => g.type === 'email').map((g) => g.value as string);
    return fail('email-mismatch', `${describeCert(leaf)} does not carry ${email} (${names.length ? `email SAN: ${names.join(', ')}` : 'no email SAN'})`, leaf, path);
  }

  // After the name checks, so a wrong host or mailbox is what a reader learns first.
  if ((purpose === 'tls-server' || purpose === 'tls-client') && n > 1) {
    // rustls-webpki (CaUsedAsEndEntity), Chrome: a CA certificate is never a TLS end entity.
    const bc = leaf.decoded.basicConstraints;
    const kcs = leaf.decoded.keyUsage?.includes('keyCertSign');
    if (bc?.ca || kcs) {
      return fail('ca-used-as-leaf', `${describeCert(leaf)} is used as a TLS leaf but ${bc?.ca ? 'is a CA (basicConstraints CA:TRUE)' : 'has keyUsage keyCertSign'}`, leaf, path);
    }
  }
  if (ctx.profile === 'webpki') {
    const w = webPkiRules(path, purpose);
    if (w) return w;
  }

  return undefined;
}

const NO_CRITICAL: ReadonlyArray<[string, string]> = [
  [OID.authorityKeyIdentifier, 'authorityKeyIdentifier (RFC 5280 4.2.1.1)'],
  [OID.subjectKeyIdentifier, 'subjectKeyIdentifier (RFC 5280 4.2.1.2)'],
  [OID.authorityInfoAccess, 'authorityInfoAccess (RFC 5280 4.2.2.1)'],
];

/**
 * Certificate-content rules of both profiles (RFC 5280 4.1, 4.2; OpenSSL
 * -x509_strict, Go and rustls-webpki refuse the same). Applied to every
 * certificate of the path but the trust anchor, whose content RFC 5280 6.1.1
 * does not judge; the anchor's basicConstraints criticality when it is a
 * self-signed root. A leaf that is itself a trust anchor (a pinned
 * self-signed server certificate) is not judged: trusting it as it is was
 * the caller's decision.
 */
function strictRules(path: Certificate[], ctx: PathContext): Failure | undefined {
  const n = path.length;
  for (let i = 0; i < n - 1; i++) {
    const c = path[i]!;
    const isCa = c.decoded.basicConstraints?.ca === true;
    for (const [oid, what] of NO_CRITICAL) {
      if (c.extensions.some((e) => e.oid === oid && e.critical)) return fail('forbidden-critical-extension', `${describeCert(c)} marks ${what} critical, which must not be`, c, path);
    }
    const san = c.extensions.find((e) => e.oid === OID.subjectAltName);
    const emptySubject = c.subject.rdns.length === 0;
    if (san && san.critical !== emptySubject) {
      return fail(
        'san-criticality',
        emptySubject
          ? `${describeCert(c)} has an empty subject and a non-critical subjectAltName (RFC 5280 4.2.1.6: critical when the subject is empty)`
          : `${describeCert(c)} has a subject and a critical subjectAltName (RFC 5280 4.2.1.6: non-critical when the subject is not empty)`,
        c,
        path,
      );
    }
    const nc = c.extensions.find((e) => e.oid === OID.nameConstraints);
    if (nc) {
      const defect = isCa ? nameConstraintsDefect(nc) : 'the certificate is not a CA (RFC 5280 4.2.1.10: CA certificates only)';
      if (defect) return fail('invalid-name-constraints', `${describeCert(c)} has invalid nameConstraints: ${defect}`, c, path);
    }
    if (i > 0) {
      // intermediates (issuers below the anchor)
      if (emptySubject) return fail('empty-ca-subject', `the CA ${describeCert(c)} has an empty subject (RFC 5280 4.1.2.6)`, c, path);
      if (!c.decoded.subjectKeyIdentifier) return fail('missing-subject-key-identifier', `the CA ${describeCert(c)} has no subjectKeyIdentifier (RFC 5280 4.2.1.2: required in CA certificates)`, c, path);
      if (!c.decoded.authorityKeyIdentifier?.keyIdentifier) {
        return fail('missing-authority-key-identifier', `the CA ${describeCert(c)} has no authorityKeyIdentifier keyIdentifier (RFC 5280 4.2.1.1: required except in self-signed certificates)`, c, path);
      }
    }
    if (ctx.profile === 'webpki') {
      const len = c.serialHex.length / 2;
      if (c.serialNumber <= 0n || len > 20) {
        return fail('invalid-serial', `${describeCert(c)} has the serial number ${c.serialNumber < 0n ? '-' : ''}0x${c.serialHex} (${len} octets): RFC 5280 4.1.2.2 wants a positive number of at most 20 octets`, c, path);
      }
    }
  }
  const top = path[n - 1]!;
  if (n > 1 && isSelfIssued(top)) {
    const bc = top.extensions.find((e) => e.oid === OID.basicConstraints);
    if (bc && !bc.critical) return fail('root-basic-constraints-not-critical', `the root ${describeCert(top)} has a non-critical basicConstraints (RFC 5280 4.2.1.9: critical in CA certificates)`, top, path);
  }
  return undefined;
}

/** A DNS name of letters, digits and hyphens (RFC 1034 3.5; CA/B BR 7.1.4.2), `*` only as the whole leftmost label. */
const LDH_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
function isLdhName(v: string): boolean {
  if (v.length === 0 || v.length > 253) return false;
  const labels = v.split('.');
  return labels.every((l, i) => LDH_LABEL.test(l) || (l === '*' && i === 0 && labels.length > 2));
}

/** The canonical form of a name for the CN-in-SAN rule: IP addresses as bytes, DNS names lower-case A-labels. */
function canonicalIdentity(v: string): string | undefined {
  const ip = parseIpAddress(v);
  if (ip) return `ip:${toHex(ip)}`;
  const d = dnsNameForMatching(v);
  return d === undefined ? undefined : `dns:${d}`;
}

/**
 * Web PKI rules (CA/Browser Forum TLS baseline requirements 7.1; Chrome and
 * rustls-webpki enforce them). The anchor is judged only as a root (no EKU).
 */
function webPkiRules(path: Certificate[], purpose: VerifyPurpose | undefined): Failure | undefined {
  const n = path.length;
  if (n === 1) return undefined; // a leaf trusted as it is (pinned): its content is the caller's decision
  const leaf = path[0]!;
  const top = path[n - 1]!;
  for (let i = n - 1; i >= 0; i--) {
    const k = path[i]!.publicKey;
    if (k.type === 'rsa' && bitLen(k.n) % 8 !== 0) {
      return fail('rsa-modulus-not-byte-aligned', `${describeCert(path[i]!)} has an RSA modulus of ${bitLen(k.n)} bits, not a multiple of 8 (CA/B BR 6.1.5)`, path[i], path);
    }
  }
  if (n > 1 && isSelfIssued(top) && top.decoded.extKeyUsage) {
    return fail('root-has-eku', `the root ${describeCert(top)} has extendedKeyUsage (CA/B BR 7.1.2.1: a root CA certificate has none)`, top, path);
  }
  for (let i = 0; i < n - 1; i++) {
    const c = path[i]!;
    if (c.decoded.extKeyUsage?.includes(OID.anyExtendedKeyUsage)) {
      return fail('any-eku', `${describeCert(c)} has anyExtendedKeyUsage (CA/B BR 7.1.2: TLS certificates name their purposes)`, c, path);
    }
  }
  if (!leaf.decoded.extKeyUsage) {
    return fail('missing-eku', `${describeCert(leaf)} has no extendedKeyUsage (CA/B BR 7.1.2.7: required in end-entity certificates)`, leaf, path);
  }
  const sans = leaf.decoded.subjectAltName ?? [];
  for (const g of sans) {
    if (g.type === 'dns' && !isLdhName(g.value)) {
      return fail('invalid-dns-name', `${describeCert(leaf)} has the dNSName ${JSON.stringify(g.value)}, not letters, digits and hyphens (CA/B BR 7.1.4.2, RFC 1034 3.5)`, leaf, path);
    }
  }
  if (purpose === 'tls-server') {
    const ids = new Set<string>();
    for (const g of sans) {
      if (g.type !== 'dns' && g.type !== 'ip') continue;
      const k = canonicalIdentity(g.value);
      if (k) ids.add(k);
    }
    for (const rdn of leaf.subject.rdns) {
      for (const a of rdn) {
        if (a.oid !== OID.commonName) continue;
        const k = canonicalIdentity(a.value);
        if (!k || !ids.has(k)) {
          return fail('cn-not-in-san', `the subject CN ${JSON.stringify(a.value)} of ${describeCert(leaf)} is none of its DNS or IP SANs (CA/B BR 7.1.4.3)`, leaf, path);
        }
      }
    }
  }
  return undefined;
}

/**
 * Cost of one signature check with `issuer`'s key in units of the signature
 * budget: a P-256 (or RSA up to 4,096 bits with a small exponent) check is 1;
 * P-384 2, P-521 4 and Ed25519 2, about their verification time here; larger
 * RSA keys and exponents in proportion (modulus size squared times exponent
 * length).
 */
function signatureCost(issuer: Certificate): number {
  const k = issuer.publicKey;
  if (k.type === 'ec') return k.curve === 'P-521' ? 4 : k.curve === 'P-384' ? 2 : 1;
  if (k.type === 'rsa') return Math.max(1, Math.ceil((bitLen(k.n) / 4096) ** 2 * Math.max(1, bitLen(k.e) / 17)));
  return 2;
}

/** checkNameConstraints within the call's comparison budget (names × subtrees, counted before any work). */
function checkNameConstraintsBounded(nc: NameConstraints, cert: Certificate, ctx: PathContext): NameConstraintViolation | 'too-complex' | undefined {
  const cost = constrainedNames(cert).length * (nc.permitted.length + nc.excluded.length);
  if (cost > ctx.ncLeft) return 'too-complex';
  ctx.ncLeft -= cost;
  return checkNameConstraints(nc, cert);
}

function purposeName(p: VerifyPurpose): string {
  return p === 'tls-server' ? 'serverAuth' : p === 'tls-client' ? 'clientAuth' : 'emailProtection';
}
