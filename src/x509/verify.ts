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
 * (RFC 9525) or mailbox of the leaf.
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
import { equalBytes } from '../encoding/bytes.js';
import { bitLen } from '../crypto/bigint.js';
import {
  checkSignature,
  describeCert,
  describeName,
  isSelfIssued,
  isSelfSigned,
  keyIdHex,
  keyIdsMatch,
  namesMatch,
} from './chain.js';
import { matchesEmail, matchesHost } from './hostname.js';
import { checkNameConstraints } from './name-constraints.js';
import type { Certificate } from './types.js';
import type { Crl, CrlReason } from './crl.js';
import { isCrl } from './crl.js';
import { checkRevocation, type RevocationMode } from './revocation.js';

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
 * - `path-too-long`: no path within {@link MAX_PATH_LENGTH} certificates
 * - `revoked`: a certificate of the path is listed on a CRL (reason and date in the message and in `revocationReason` / `revocationDate`)
 * - `crl-expired`: the only CRLs that would cover a certificate are past their nextUpdate
 * - `crl-not-found`: revocation is required and no CRL covers a certificate (or covers every reason)
 * - `crl-invalid`: a CRL that would cover a certificate cannot be used (signature, signer without cRLSign, unknown critical extension, not yet valid)
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
  | 'crl-invalid';

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
];

/** What the leaf is checked for. @public */
export type VerifyPurpose = 'tls-server' | 'tls-client' | 'smime';

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

/** Longest path considered (leaf + intermediates + anchor); real mail/web PKI uses 2-4. @public */
export const MAX_PATH_LENGTH = 10;
/** Candidate paths tried before giving up (several issuers with one name: cross-signs, re-keys). */
const MAX_PATHS = 64;
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

function isCertificate(c: unknown): c is Certificate {
  return !!c && typeof c === 'object' && (c as Certificate).der instanceof Uint8Array && !!(c as Certificate).decoded && (c as Certificate).notAfter instanceof Date;
}

function checkCertList(v: unknown, name: string): readonly Certificate[] {
  if (!Array.isArray(v) || !v.every(isCertificate)) throw new TypeError(`${name}: expected an array of parsed Certificates`);
  return v;
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

/**
 * Validate `leaf` against `trustAnchors` at a time: build every candidate
 * path through `intermediates` (several issuers with the same name are all
 * tried), and return the first path that passes every check, or the reason
 * the best candidate failed.
 *
 * @param leaf - the end-entity certificate
 * @param options - {@link VerifyOptions}
 * @returns `{ ok: true, chain }` (leaf first, trust anchor last) or
 *   `{ ok: false, reason, message, certificate, chain? }`; never throws for a
 *   failed verification.
 * @throws TypeError for wrong arguments (not certificates, an invalid date,
 *   an unknown purpose, an empty host)
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
  const at = options.at ?? new Date();
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError('options.at: expected a valid Date');
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) throw new TypeError('options.host: expected a non-empty string');
  if (options.email !== undefined && (typeof options.email !== 'string' || !options.email.includes('@'))) throw new TypeError('options.email: expected an address local@domain');
  const purpose = options.purpose ?? (options.host !== undefined ? 'tls-server' : options.email !== undefined ? 'smime' : undefined);
  if (purpose !== undefined && !(purpose in PURPOSE_EKU)) throw new TypeError(`options.purpose: expected 'tls-server', 'tls-client' or 'smime'`);
  const crls = options.crls ?? [];
  if (!Array.isArray(crls) || !crls.every(isCrl)) throw new TypeError('options.crls: expected an array of parsed CRLs (parseCrl)');
  const revocation = options.revocation ?? 'if-present';
  if (revocation !== 'off' && revocation !== 'if-present' && revocation !== 'require') throw new TypeError(`options.revocation: expected 'off', 'if-present' or 'require'`);

  const isAnchor = (c: Certificate) => anchors.some((a) => a === c || equalBytes(a.der, c.der));
  const pool: Certificate[] = [];
  for (const c of [...anchors, ...intermediates]) if (!pool.some((p) => equalBytes(p.der, c.der))) pool.push(c);

  const pathFailures: Failure[] = [];
  const buildFailures: Failure[] = [];
  let explored = 0;
  let success: Certificate[] | undefined;

  const extend = (path: Certificate[]): void => {
    if (success || explored >= MAX_PATHS) return;
    const cur = path[path.length - 1]!;
    if (isAnchor(cur)) {
      explored++;
      let f = validatePath(path, at, purpose, options.host, options.email);
      if (!f && (revocation === 'require' || (revocation === 'if-present' && crls.length > 0))) {
        const r = checkRevocation(path, { crls, mode: revocation, at, pool });
        if (r) f = { ok: false, ...r, chain: path };
      }
      if (f) pathFailures.push(f);
      else success = path;
      return;
    }
    if (path.length >= MAX_PATH_LENGTH) {
      buildFailures.push(fail('path-too-long', `no trust anchor within ${MAX_PATH_LENGTH} certificates above ${describeCert(path[0]!)}`, cur, path));
      return;
    }
    const byName = pool.filter((c) => namesMatch(cur.issuer, c.subject) && !path.some((p) => equalBytes(p.der, c.der)));
    const cands = byName.filter((c) => keyIdsMatch(cur, c));
    // Preference: trust anchors, then issuers valid now (a fresh re-issue over an expired one).
    cands.sort((a, b) => rank(a) - rank(b));
    function rank(c: Certificate): number {
      return (isAnchor(c) ? 0 : 2) + (c.notBefore <= at && at <= c.notAfter ? 0 : 1);
    }
    let any = false;
    for (const c of cands) {
      const s = checkSignature(cur, c);
      if (!s.ok) {
        buildFailures.push(fail(s.reason, s.message, cur, [...path, c]));
        continue;
      }
      any = true;
      extend([...path, c]);
      if (success) return;
    }
    if (cands.length === 0 && !any) {
      if (isSelfSigned(cur)) {
        buildFailures.push(fail('self-signed-untrusted', `${describeCert(cur)} is self-signed and not among the trust anchors`, cur, path));
      } else {
        const aki = cur.decoded.authorityKeyIdentifier?.keyIdentifier;
        const extra = byName.length ? `; ${byName.map(describeCert).join(', ')} has that name but another key identifier` : '';
        buildFailures.push(
          fail(
            'unknown-issuer',
            `no trust anchor or intermediate for issuer ${describeName(cur.issuer)}${aki ? ` (AKI ${keyIdHex(aki)})` : ''} of ${describeCert(cur)}${extra}`,
            cur,
            path,
          ),
        );
      }
    }
  };

  extend([leaf]);
  if (success) return { ok: true, chain: success };
  // A complete path that failed a check tells more than a dead end.
  return pathFailures[0] ?? buildFailures.find((f) => f.reason !== 'unknown-issuer' && f.reason !== 'self-signed-untrusted') ?? buildFailures[0]!;
}

/** Every check on one complete path [leaf, ..., anchor]; undefined when it passes. */
function validatePath(path: Certificate[], at: Date, purpose: VerifyPurpose | undefined, host: string | undefined, email: string | undefined): Failure | undefined {
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
      const v = checkNameConstraints(nc, c);
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
  return undefined;
}

function purposeName(p: VerifyPurpose): string {
  return p === 'tls-server' ? 'serverAuth' : p === 'tls-client' ? 'clientAuth' : 'emailProtection';
}
