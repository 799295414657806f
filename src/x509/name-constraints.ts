/**
 * Name constraints matching (RFC 5280 4.2.1.10): is every name of a
 * certificate inside the permitted subtrees and outside the excluded ones of
 * a CA's nameConstraints extension?
 *
 * Names checked: every subjectAltName entry, the subject DN (directoryName
 * form) and every subject emailAddress attribute (rfc822Name form, as RFC
 * 5280 4.2.1.10 requires when there is no SAN; applied always, as OpenSSL and
 * Go do, so a constrained CA cannot slip an address through the subject).
 * A host-like subject CN counts as a DNS name only when there is no dNSName
 * SAN (see {@link constrainedNames}).
 *
 * Out of scope: which CAs' constraints apply to which certificate (verify.ts
 * walks the path), policy constraints.
 */
import { parseIpAddress, splitMailbox } from './hostname.js';
import { prefixMask } from './general-name.js';
import { displayName } from './name.js';
import type { Certificate, DistinguishedName, GeneralName, NameConstraints } from './types.js';
import { OID } from '../oid.js';

/** A name that breaks a constraint. @public */
export interface NameConstraintViolation {
  /** `excluded`: inside an excluded subtree; `not-permitted`: outside every permitted subtree of its type. */
  readonly kind: 'excluded' | 'not-permitted';
  /** The offending name, printed as `DNS:x`, `email:x`, `IP:x`, `URI:x`, `DirName:x`. */
  readonly name: string;
  /** The subtree it hit (excluded) or, for not-permitted, the permitted subtrees of that type. */
  readonly subtrees: readonly string[];
}

/** Print a GeneralName the way OpenSSL's `-text` does (`DNS:`, `IP Address:` shortened to `IP:`). @internal */
export function describeGeneralName(g: GeneralName): string {
  switch (g.type) {
    case 'dns':
      return `DNS:${g.value}`;
    case 'email':
      return `email:${g.value}`;
    case 'ip':
      return `IP:${g.value}`;
    case 'uri':
      return `URI:${g.value}`;
    case 'dn':
      return `DirName:${displayName(g.value)}`;
    case 'registeredId':
      return `RID:${g.value}`;
    case 'other':
      return `othername:${g.oid}`;
  }
}


// ---------------------------------------------------------------- per-form matching

/** DNS (RFC 5280 4.2.1.10): zero or more labels added on the left; a leading dot (OpenSSL/Go) demands at least one. */
function dnsWithin(name: string, base: string): boolean {
  const n = stripDot(name).toLowerCase();
  const b = stripDot(base).toLowerCase();
  if (b === '' || b === '.') return true; // an empty constraint matches every name
  if (b.startsWith('.')) return n.length > b.length && n.endsWith(b);
  return n === b || n.endsWith(`.${b}`);
}

/**
 * For excluded subtrees, a wildcard SAN `*.example.com` is a violation when
 * it could match a host inside the subtree (`bad.example.com`), or the
 * exclusion could be dodged by the wildcard.
 */
function dnsWildcardHitsExcluded(name: string, base: string): boolean {
  const n = stripDot(name).toLowerCase();
  if (!n.startsWith('*.')) return false;
  const parent = n.slice(2);
  const b = stripDot(base).toLowerCase().replace(/^\./, '');
  const firstDot = b.indexOf('.');
  return firstDot > 0 && b.slice(firstDot + 1) === parent;
}

function stripDot(s: string): string {
  return s.length > 1 && s.endsWith('.') ? s.slice(0, -1) : s;
}

/**
 * rfc822Name (RFC 5280 4.2.1.10): `user@host` one mailbox (local part exact,
 * domain case-insensitive); `host` every mailbox at that host; `.domain`
 * every mailbox at any host below the domain.
 */
function emailWithin(name: string, base: string): boolean {
  const m = splitMailbox(name);
  if (!m) return false;
  const domain = m.domain.toLowerCase();
  if (base.includes('@')) {
    const b = splitMailbox(base);
    return !!b && b.local === m.local && b.domain.toLowerCase() === domain;
  }
  const b = base.toLowerCase();
  if (b === '') return true;
  if (b.startsWith('.')) return domain.length > b.length && domain.endsWith(b);
  return domain === b;
}

/**
 * iPAddress constraint (RFC 5280 4.2.1.10): address and mask. Accepted forms
 * of the constraint value: `addr/prefixLength` and `addr/mask`.
 * @internal
 */
export function parseIpRange(value: string): { addr: Uint8Array; mask: Uint8Array } | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) {
    const a = parseIpAddress(value);
    return a && { addr: a, mask: new Uint8Array(a.length).fill(0xff) };
  }
  const addr = parseIpAddress(value.slice(0, slash));
  if (!addr) return undefined;
  const rest = value.slice(slash + 1);
  // a prefix length (`/24`) or, as OpenSSL's config syntax allows, a dotted mask (`/255.255.255.0`)
  const mask = /^\d{1,3}$/.test(rest) ? prefixMask(rest, addr.length) : parseIpAddress(rest);
  if (!mask || mask.length !== addr.length) return undefined;
  return { addr, mask };
}

function ipWithin(name: string, base: string): boolean {
  const ip = parseIpAddress(name);
  const range = parseIpRange(base);
  if (!ip || !range || ip.length !== range.addr.length) return false; // IPv4 vs IPv6: different families never match
  return ip.every((b, i) => (b & range.mask[i]!) === (range.addr[i]! & range.mask[i]!));
}

/** Host of a URI (RFC 3986 authority), lower-cased; undefined when there is none (`urn:...`, `mailto:`). */
function uriHost(uri: string): string | undefined {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(uri);
  if (!m) return undefined;
  let auth = m[1]!;
  const at = auth.lastIndexOf('@');
  if (at >= 0) auth = auth.slice(at + 1);
  if (auth.startsWith('[')) {
    const end = auth.indexOf(']');
    return end > 0 ? auth.slice(1, end).toLowerCase() : undefined;
  }
  const colon = auth.indexOf(':');
  if (colon >= 0) auth = auth.slice(0, colon);
  return auth ? auth.toLowerCase() : undefined;
}

/** URI (RFC 5280 4.2.1.10): the host part; `.domain` any host below it, else that host exactly. */
function uriWithin(name: string, base: string): boolean {
  const host = uriHost(name);
  if (!host) return false; // no host: cannot be shown to be inside any subtree
  const b = stripDot(base).toLowerCase();
  if (b.startsWith('.')) return host.length > b.length && host.endsWith(b);
  return stripDot(host) === b;
}

/** RFC 5280 7.1 (simplified RFC 4518 preparation): case-folded, inner whitespace collapsed. */
function normAttr(v: string): string {
  return v.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function rdnKey(rdn: DistinguishedName['rdns'][number]): string {
  return rdn
    .map((a) => `${a.oid}=${normAttr(a.value)}`)
    .sort()
    .join('+');
}

/** directoryName: the subtree's RDNs are a prefix of the name's RDNs (RFC 5280 4.2.1.10). */
function dnWithin(name: DistinguishedName, base: DistinguishedName): boolean {
  if (base.rdns.length > name.rdns.length) return false;
  return base.rdns.every((rdn, i) => rdnKey(rdn) === rdnKey(name.rdns[i]!));
}

/**
 * Is `name` inside the subtree `base`? Undefined when the two are of
 * different forms (a constraint only applies to names of its own form).
 * @internal
 */
export function nameWithinSubtree(name: GeneralName, base: GeneralName): boolean | undefined {
  if (name.type !== base.type) return undefined;
  switch (name.type) {
    case 'dns':
      return dnsWithin(name.value, (base as { value: string }).value);
    case 'email':
      return emailWithin(name.value, (base as { value: string }).value);
    case 'ip':
      // Different address families are different forms in effect.
      return ipFamily(name.value) === ipFamily((base as { value: string }).value) ? ipWithin(name.value, (base as { value: string }).value) : undefined;
    case 'uri':
      return uriWithin(name.value, (base as { value: string }).value);
    case 'dn':
      return dnWithin(name.value, (base as { value: DistinguishedName }).value);
    case 'registeredId':
      return name.value === (base as { value: string }).value;
    case 'other': {
      const b = base as { oid: string; der: Uint8Array };
      if (name.oid !== b.oid) return undefined;
      return name.der.length === b.der.length && name.der.every((x, i) => x === b.der[i]);
    }
  }
}

function ipFamily(value: string): number {
  const slash = value.indexOf('/');
  const a = parseIpAddress(slash < 0 ? value : value.slice(0, slash));
  return a ? a.length : 0;
}

/** A CN that other clients could take for a host name (letters, digits, hyphens, at least one dot). */
const HOSTNAME_LIKE = /^(\*|[a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\.?$/i;

/**
 * Every name of `cert` that constraints apply to: SANs, the subject DN,
 * subject emailAddress attributes, and, when there is no dNSName SAN, a CN
 * that looks like a host name (as OpenSSL ≥ 1.1.0 and Chromium do: mailpki
 * never matches a host against the CN, but older clients fall back to it, so
 * a constrained CA must not vouch for an outside name there either).
 * @internal
 */
export function constrainedNames(cert: Certificate): GeneralName[] {
  const sans = cert.decoded.subjectAltName ?? [];
  const names: GeneralName[] = [...sans];
  if (cert.subject.rdns.length > 0) names.push({ type: 'dn', value: cert.subject });
  const noDnsSan = !sans.some((g) => g.type === 'dns');
  for (const rdn of cert.subject.rdns) {
    for (const a of rdn) {
      if (a.oid === OID.emailAddress) names.push({ type: 'email', value: a.value });
      if (a.oid === OID.commonName && noDnsSan && HOSTNAME_LIKE.test(a.value)) names.push({ type: 'dns', value: a.value });
    }
  }
  return names;
}

/**
 * Check the names of `cert` against one CA's name constraints.
 *
 * For each name: inside an excluded subtree is a violation; when the CA has
 * permitted subtrees of that name's form, the name must be inside one of
 * them (RFC 5280 6.1.3 (b), (c)). Names of a form without permitted
 * subtrees are unconstrained.
 *
 * @param constraints - the CA's decoded nameConstraints
 * @param cert - the certificate below that CA
 * @returns the first violation, or undefined when every name passes
 * @example
 * ```ts
 * const v = checkNameConstraints(ca.decoded.nameConstraints!, leaf);
 * if (v) console.log(`${v.name} is ${v.kind}`);
 * ```
 * @public
 */
export function checkNameConstraints(constraints: NameConstraints, cert: Certificate): NameConstraintViolation | undefined {
  if (!constraints || !Array.isArray(constraints.permitted) || !Array.isArray(constraints.excluded)) {
    throw new TypeError('constraints: expected { permitted: GeneralName[], excluded: GeneralName[] }');
  }
  for (const name of constrainedNames(cert)) {
    for (const ex of constraints.excluded) {
      const inside = nameWithinSubtree(name, ex) === true || (name.type === 'dns' && ex.type === 'dns' && dnsWildcardHitsExcluded(name.value, ex.value));
      if (inside) return { kind: 'excluded', name: describeGeneralName(name), subtrees: [describeGeneralName(ex)] };
    }
    const sameForm = constraints.permitted.filter((p) => nameWithinSubtree(name, p) !== undefined);
    // An IP constraint of the other family still constrains the form "IP".
    const formPermits = constraints.permitted.filter((p) => p.type === name.type);
    if (formPermits.length > 0 && !sameForm.some((p) => nameWithinSubtree(name, p) === true)) {
      return { kind: 'not-permitted', name: describeGeneralName(name), subtrees: formPermits.map(describeGeneralName) };
    }
  }
  return undefined;
}
