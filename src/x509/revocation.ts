/**
 * Revocation checking with CRLs (RFC 5280 6.3) for one complete path
 * [leaf, ..., trust anchor]: every certificate except the anchor is looked
 * up in the CRLs that cover it. verify.ts calls {@link checkRevocation}
 * after the other checks of a path pass.
 *
 * For each certificate, RFC 5280 6.3.3 per distribution point (its
 * cRLDistributionPoints, or one implicit point = the issuing CA when it has
 * none): complete CRLs whose issuer is the certificate's issuer (or the
 * point's cRLIssuer, then with IDP indirectCRL), whose issuingDistribution
 * Point scope covers the certificate (distribution point names, onlyUser /
 * onlyCA / onlyAttribute, onlySomeReasons), current at the validation time
 * (thisUpdate <= at <= nextUpdate), without unknown critical CRL or entry
 * extensions, signed by a key of the CRL issuer with cRLSign; a matching
 * delta CRL (deltaCRLIndicator <= the complete CRL's number, same scope,
 * same signer) is applied first (removeFromCRL undoes a hold). Reasons
 * covered accumulate until all reasons are covered.
 *
 * The CRL signer (6.3.3 (f)): a certificate of the path above the checked
 * one, or a certificate issued by one of those (a separate CRL signing key
 * of the same CA, an indirect CRL issuer under the same anchor), valid at
 * the time, with cRLSign, and itself not revoked (checked the same way, at
 * most {@link MAX_SIGNER_DEPTH} levels deep). Work is bounded: at most
 * {@link MAX_CRL_SIGNATURE_CHECKS} CRL signature checks per call.
 *
 * Modes: `require`: every certificate must be covered by a usable CRL, or
 * `crl-not-found` / `crl-expired` / `crl-invalid`. `if-present`: a
 * certificate whose issuer (or cRLIssuer) has no CRL at all among the given
 * ones is not checked; when there is one, every rule above applies.
 *
 * Revocation dates are not compared with the validation time: a listed
 * certificate is revoked (RFC 5280 6.3.3 (i); OpenSSL agrees).
 * Out of scope: OCSP, fetching CRLs.
 */
import { OID } from '../oid.js';
import { checkSignature, describeCert, describeName, namesMatch } from './chain.js';
import { decodeName } from './name.js';
import { derSeqBytes } from '../encoding/der.js';
import { concatBytes, equalBytes } from '../encoding/bytes.js';
import {
  REASON_FLAGS,
  checkCrlSignature,
  distributionPoints,
  findCrlEntries,
  type Crl,
  type CrlEntry,
  type CrlReason,
  type DistributionPoint,
  type DistributionPointName,
} from './crl.js';
import type { Certificate, DistinguishedName, GeneralName } from './types.js';

/** How verifyCertificate uses CRLs. @public */
export type RevocationMode = 'off' | 'if-present' | 'require';

/** Why revocation checking failed. @internal */
export interface RevocationFailure {
  readonly reason: 'revoked' | 'crl-expired' | 'crl-not-found' | 'crl-invalid';
  readonly message: string;
  readonly certificate: Certificate;
  readonly revocationReason?: CrlReason;
  readonly revocationDate?: Date;
}

/** Options of {@link checkRevocation}. @internal */
export interface RevocationOptions {
  readonly crls: readonly Crl[];
  readonly mode: 'if-present' | 'require';
  readonly at: Date;
  /** Other certificates that may hold a CRL signing key (anchors and intermediates given to verify). */
  readonly pool: readonly Certificate[];
}

/** CRL signature checks per checkRevocation call. @public */
export const MAX_CRL_SIGNATURE_CHECKS = 256;
/** How deep the revocation of a CRL signer's own certificate is followed. @public */
export const MAX_SIGNER_DEPTH = 2;

const ALL_REASONS = 0xff;
const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

type Status =
  | { kind: 'good' }
  | { kind: 'skipped' }
  | { kind: 'revoked'; entry: CrlEntry; crl: Crl }
  | { kind: 'undetermined'; why: 'crl-expired' | 'crl-not-found' | 'crl-invalid'; message: string };

interface Ctx extends RevocationOptions {
  sigChecks: number;
}

/**
 * RFC 5280 6.3 for every certificate of `path` (leaf first, trust anchor
 * last; the anchor is not checked). Undefined when none is revoked and
 * every one required is covered.
 * @internal
 */
export function checkRevocation(path: readonly Certificate[], options: RevocationOptions): RevocationFailure | undefined {
  const ctx: Ctx = { ...options, sigChecks: 0 };
  // From the anchor down, as RFC 5280 6.1 processes the path: a revoked CA is reported before its leaf.
  for (let i = path.length - 2; i >= 0; i--) {
    const cert = path[i]!;
    const s = certStatus(cert, path.slice(i + 1), ctx, 0);
    if (s.kind === 'revoked') {
      const r = s.entry.reason ?? 'unspecified';
      return {
        reason: 'revoked',
        message: `${describeCert(cert)} is revoked (reason ${r}, revoked at ${iso(s.entry.revocationDate)}) by the CRL of ${describeName(s.crl.issuer)}${s.crl.crlNumber !== undefined ? ` number ${s.crl.crlNumber}` : ''}`,
        certificate: cert,
        revocationReason: r,
        revocationDate: s.entry.revocationDate,
      };
    }
    if (s.kind === 'undetermined') return { reason: s.why, message: `${describeCert(cert)}: ${s.message}`, certificate: cert };
  }
  return undefined;
}

function bits(reasons: readonly CrlReason[] | undefined): number {
  if (!reasons) return ALL_REASONS;
  let m = 0;
  for (const r of reasons) {
    const i = REASON_FLAGS.indexOf(r);
    if (i >= 0) m |= 1 << i;
  }
  return m;
}

function dnsOf(names: readonly GeneralName[] | undefined): DistinguishedName[] {
  return (names ?? []).flatMap((g) => (g.type === 'dn' ? [g.value] : []));
}

/** A DistributionPointName as full GeneralNames (a relative name is appended to `base`, RFC 5280 4.2.1.13). */
function fullNames(dpn: DistributionPointName, base: DistinguishedName | undefined): GeneralName[] {
  if (dpn.fullName) return [...dpn.fullName];
  if (dpn.relativeDer && base) {
    const rdnSets = base.der.subarray(base.der[1]! & 0x80 ? 2 + (base.der[1]! & 0x7f) : 2);
    return [{ type: 'dn', value: decodeName(derSeqBytes(concatBytes(rdnSets, dpn.relativeDer))) }];
  }
  return [];
}

function sameName(a: GeneralName, b: GeneralName): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'dn') return namesMatch(a.value, (b as typeof a).value);
  if (a.type === 'other') return equalBytes(a.der, (b as typeof a).der);
  const x = (a as { value: string }).value;
  const y = (b as { value: string }).value;
  return a.type === 'dns' || a.type === 'email' ? x.toLowerCase() === y.toLowerCase() : x === y;
}

const intersects = (a: readonly GeneralName[], b: readonly GeneralName[]) => a.some((x) => b.some((y) => sameName(x, y)));

/** The CRL's scope covers `cert` through `dp` (RFC 5280 6.3.3 (b)); a reason when not. */
function outOfScope(crl: Crl, cert: Certificate, dp: DistributionPoint | undefined): string | undefined {
  const idp = crl.issuingDistributionPoint;
  if (dp?.crlIssuer) {
    if (!dnsOf(dp.crlIssuer).some((n) => namesMatch(n, crl.issuer))) return 'issuer is not the cRLIssuer of the distribution point';
    if (!idp?.indirectCrl) return 'not an indirect CRL, but the distribution point names a cRLIssuer';
  } else if (!namesMatch(crl.issuer, cert.issuer)) return 'issuer is not the certificate issuer';
  if (idp) {
    if (idp.distributionPoint) {
      const idpNames = fullNames(idp.distributionPoint, crl.issuer);
      if (dp?.distributionPoint) {
        if (!intersects(idpNames, fullNames(dp.distributionPoint, dnsOf(dp.crlIssuer)[0] ?? cert.issuer))) return 'its distribution point is not one of the certificate';
      } else if (dp?.crlIssuer) {
        if (!intersects(idpNames, dp.crlIssuer)) return 'its distribution point is not the cRLIssuer of the certificate';
      } else return 'it is a partitioned CRL (distribution point name) and the certificate names no distribution point';
    }
    const isCa = cert.decoded.basicConstraints?.ca === true;
    if (idp.onlyContainsUserCerts && isCa) return 'it covers only end-entity certificates';
    if (idp.onlyContainsCACerts && !isCa) return 'it covers only CA certificates';
    if (idp.onlyContainsAttributeCerts) return 'it covers only attribute certificates';
  }
  return undefined;
}

function currentAt(crl: Crl, at: Date): 'crl-expired' | 'crl-invalid' | undefined {
  if (at < crl.thisUpdate) return 'crl-invalid';
  if (crl.nextUpdate && at > crl.nextUpdate) return 'crl-expired';
  return undefined;
}

function sameScope(a: Crl, b: Crl): boolean {
  const x = a.extensions.find((e) => e.oid === OID.issuingDistributionPoint);
  const y = b.extensions.find((e) => e.oid === OID.issuingDistributionPoint);
  return !x && !y ? true : !!x && !!y && equalBytes(x.der, y.der);
}

/** The entry of `cert` in `crl` (in an indirect CRL, the entry's certificate issuer must be the certificate's issuer). */
function entryFor(crl: Crl, cert: Certificate): CrlEntry | undefined {
  for (const e of findCrlEntries(crl, cert.serialNumber)) {
    const owners = e.certificateIssuer ? dnsOf(e.certificateIssuer) : [crl.issuer];
    if (owners.some((n) => namesMatch(n, cert.issuer))) return e;
  }
  return undefined;
}

/**
 * A certificate whose key verifies `crl` and that may sign CRLs for the
 * path `above` (the issuer of the checked certificate up to the anchor).
 */
function findSigner(crl: Crl, above: readonly Certificate[], ctx: Ctx, depth: number): { signer?: Certificate; problem?: string } {
  const aki = crl.authorityKeyIdentifier?.keyIdentifier;
  const seen = new Set<Certificate>();
  let problem: string | undefined;
  const cands: Array<{ c: Certificate; inPath: boolean }> = [];
  for (const c of above) if (!seen.has(c)) (seen.add(c), cands.push({ c, inPath: true }));
  for (const c of ctx.pool) if (!seen.has(c) && !above.some((a) => equalBytes(a.der, c.der))) (seen.add(c), cands.push({ c, inPath: false }));
  for (const { c, inPath } of cands) {
    if (!namesMatch(c.subject, crl.issuer)) continue;
    const ski = c.decoded.subjectKeyIdentifier;
    if (aki && ski && !equalBytes(aki, ski)) continue;
    if (ctx.sigChecks >= MAX_CRL_SIGNATURE_CHECKS) return { problem: `more than ${MAX_CRL_SIGNATURE_CHECKS} CRL signature checks: gave up` };
    ctx.sigChecks++;
    const s = checkCrlSignature(crl, c);
    if (!s.ok) {
      problem ??= s.message;
      continue;
    }
    const ku = c.decoded.keyUsage;
    if (ku && !ku.includes('cRLSign')) {
      problem = `the CRL of ${describeName(crl.issuer)} is signed by ${describeCert(c)}, whose keyUsage lacks cRLSign`;
      continue;
    }
    if (inPath) return { signer: c };
    // Not in the path: it must be issued by a certificate of the path, be valid, and not be revoked.
    if (depth >= MAX_SIGNER_DEPTH) continue;
    if (ctx.at < c.notBefore || ctx.at > c.notAfter) {
      problem = `the CRL signer ${describeCert(c)} is not valid at ${iso(ctx.at)}`;
      continue;
    }
    const qi = above.findIndex((q) => namesMatch(c.issuer, q.subject) && checkSignature(c, q).ok);
    if (qi < 0) {
      problem ??= `the CRL signer ${describeCert(c)} is not issued by a certificate of the path`;
      continue;
    }
    const st = certStatus(c, above.slice(qi), ctx, depth + 1);
    if (st.kind === 'revoked') {
      problem = `the CRL signer ${describeCert(c)} is revoked`;
      continue;
    }
    if (st.kind === 'undetermined') {
      problem = `the revocation status of the CRL signer ${describeCert(c)} is unknown (${st.message})`;
      continue;
    }
    return { signer: c };
  }
  return { problem: problem ?? `no certificate of ${describeName(crl.issuer)} verifies the CRL signature` };
}

function certStatus(cert: Certificate, above: readonly Certificate[], ctx: Ctx, depth: number): Status {
  let dps: DistributionPoint[] | undefined;
  try {
    dps = distributionPoints(cert);
  } catch (e) {
    return { kind: 'undetermined', why: 'crl-invalid', message: `its cRLDistributionPoints cannot be read (${e instanceof Error ? e.message : 'malformed'})` };
  }
  const points: Array<DistributionPoint | undefined> = dps ?? [undefined];
  const issuers = [cert.issuer, ...points.flatMap((dp) => dnsOf(dp?.crlIssuer))];
  const relevant = ctx.crls.filter((c) => issuers.some((n) => namesMatch(n, c.issuer)));
  if (relevant.length === 0) {
    if (ctx.mode === 'if-present' && depth === 0) return { kind: 'skipped' };
    return { kind: 'undetermined', why: 'crl-not-found', message: `no CRL of ${describeName(cert.issuer)} was given` };
  }
  let mask = 0;
  let note: { why: 'crl-expired' | 'crl-invalid' | 'crl-not-found'; message: string } | undefined;
  const noteIt = (why: 'crl-expired' | 'crl-invalid' | 'crl-not-found', message: string) => {
    const rank = { 'crl-not-found': 0, 'crl-invalid': 1, 'crl-expired': 2 };
    if (!note || rank[why] > rank[note.why]) note = { why, message };
  };
  for (const dp of points) {
    if (mask === ALL_REASONS) break;
    for (const crl of relevant) {
      if (mask === ALL_REASONS) break;
      if (crl.baseCrlNumber !== undefined) continue; // a delta CRL is used only with its complete CRL
      const scope = outOfScope(crl, cert, dp);
      if (scope) {
        noteIt('crl-not-found', `the CRL of ${describeName(crl.issuer)} does not cover it: ${scope}`);
        continue;
      }
      const interim = bits(crl.issuingDistributionPoint?.onlySomeReasons) & bits(dp?.reasons);
      if ((interim & ~mask) === 0) continue;
      const time = currentAt(crl, ctx.at);
      if (time) {
        noteIt(time, time === 'crl-expired' ? `the CRL of ${describeName(crl.issuer)} expired at ${iso(crl.nextUpdate!)} (checked at ${iso(ctx.at)})` : `the CRL of ${describeName(crl.issuer)} is not valid before ${iso(crl.thisUpdate)}`);
        continue;
      }
      if (crl.unknownCriticalExtensions.length) {
        noteIt('crl-invalid', `the CRL of ${describeName(crl.issuer)} has the critical extension ${crl.unknownCriticalExtensions.join(', ')} that mailpki does not process`);
        continue;
      }
      const { signer, problem } = findSigner(crl, above, ctx, depth);
      if (!signer) {
        noteIt('crl-invalid', problem!);
        continue;
      }
      // Delta CRLs (RFC 5280 5.2.4, 6.3.3 (c), (g)): the newest usable one for this complete CRL.
      let delta: Crl | undefined;
      for (const d of ctx.crls) {
        if (d.baseCrlNumber === undefined || !namesMatch(d.issuer, crl.issuer) || !sameScope(d, crl)) continue;
        if (crl.crlNumber === undefined || d.baseCrlNumber > crl.crlNumber) continue;
        if (currentAt(d, ctx.at) || d.unknownCriticalExtensions.length) continue;
        if (ctx.sigChecks >= MAX_CRL_SIGNATURE_CHECKS) break;
        ctx.sigChecks++;
        if (!checkCrlSignature(d, signer).ok) continue;
        if (!delta || (d.crlNumber ?? -1n) > (delta.crlNumber ?? -1n)) delta = d;
      }
      const inDelta = delta ? entryFor(delta, cert) : undefined;
      if (inDelta) {
        if (inDelta.reason !== 'removeFromCRL') return { kind: 'revoked', entry: inDelta, crl: delta! };
      } else {
        const e = entryFor(crl, cert);
        if (e && e.reason !== 'removeFromCRL') return { kind: 'revoked', entry: e, crl };
      }
      mask |= interim;
    }
  }
  if (mask === ALL_REASONS) return { kind: 'good' };
  if (note) return { kind: 'undetermined', ...note };
  return { kind: 'undetermined', why: 'crl-not-found', message: `no usable CRL covers every revocation reason for it` };
}

