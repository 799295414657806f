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
 * A name that is not a valid name of its form (a dNSName with a leading dot
 * or an empty label, an rfc822Name with two `@`, an iPAddress SAN with a
 * mask) never satisfies a constraint: when a CA constrains that form, such a
 * name is a violation of kind `malformed` (Go and rustls-webpki refuse it
 * too). {@link nameConstraintsDefect} finds a malformed nameConstraints
 * extension itself (RFC 5280 4.2.1.10).
 *
 * Out of scope: which CAs' constraints apply to which certificate (verify.ts
 * walks the path), policy constraints.
 */
import { splitMailbox } from './hostname.js';
import { ipOctets } from './ip.js';
import { formatGeneralName } from './general-name.js';
import type { Certificate, DistinguishedName, Extension, GeneralName, NameConstraints } from './types.js';
import { OID } from '../oid.js';
import { contextTag, decodeDer, readImplicitBytes, readImplicitChildren, readSequence } from '../encoding/der.js';

/** A name that breaks a constraint. @public */
export interface NameConstraintViolation {
  /**
   * `excluded`: inside an excluded subtree; `not-permitted`: outside every
   * permitted subtree of its type; `malformed`: not a valid name of its form
   * (so it can be shown neither inside nor outside), under a CA that
   * constrains that form.
   */
  readonly kind: 'excluded' | 'not-permitted' | 'malformed';
  /** The offending name, printed as `DNS:x`, `email:x`, `IP:x`, `URI:x`, `DirName:x`. */
  readonly name: string;
  /** The subtree it hit (excluded) or, for not-permitted, the permitted subtrees of that type. */
  readonly subtrees: readonly string[];
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

/** A DNS name or base as dnsWithin compares it: one trailing dot off, lower case. */
function dnsNorm(s: string): string {
  return stripDot(s).toLowerCase();
}

const baseNorms = new WeakMap<GeneralName, string>();
/** dnsNorm of a constraint's value, remembered per subtree object (a CA's subtrees are compared with every name below it). */
function baseNorm(g: GeneralName): string {
  let v = baseNorms.get(g);
  if (v === undefined) baseNorms.set(g, (v = dnsNorm((g as { value: string }).value)));
  return v;
}

/** dnsWithin on normalized strings, without allocating. */
function dnsWithinNorm(n: string, b: string): boolean {
  if (b === '' || b === '.') return true;
  if (b.charCodeAt(0) === 46) return n.length > b.length && n.endsWith(b);
  return n === b || (n.length > b.length && n.endsWith(b) && n.charCodeAt(n.length - b.length - 1) === 46);
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

function ipWithin(name: Extract<GeneralName, { type: 'ip' }>, base: Extract<GeneralName, { type: 'ip' }>): boolean {
  // the octets the parsers carry beside the text (ip.ts): no text is parsed back here
  const ip = ipOctets(name)?.addr;
  const range = ipOctets(base);
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
      return ipFamily(name) === ipFamily(base as typeof name) ? ipWithin(name, base as typeof name) : undefined;
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

function ipFamily(g: Extract<GeneralName, { type: 'ip' }>): number {
  return ipOctets(g)?.addr.length ?? 0;
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
 * Most name × subtree comparisons one check may make (2^16): path validation
 * counts them per call (VERIFY_BUDGET.nameConstraintComparisons) and ends
 * with `too-complex` past it; issuance refuses a certificate past it, since
 * no bounded verifier would then judge it. Go and rustls allow 250,000
 * native comparisons; 2^16 keeps ours at milliseconds.
 * @public
 */
export const MAX_NAME_CONSTRAINT_COMPARISONS = 65_536;

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
  const forms = new Set<string>();
  for (const g of constraints.permitted) forms.add(g.type);
  for (const g of constraints.excluded) forms.add(g.type);
  for (const name of constrainedNames(cert)) {
    if (forms.has(name.type) && !wellFormedName(name)) {
      const subtrees = [...constraints.permitted, ...constraints.excluded].filter((p) => p.type === name.type).map((g) => formatGeneralName(g));
      return { kind: 'malformed', name: formatGeneralName(name), subtrees };
    }
    const dn = name.type === 'dns' ? dnsNorm(name.value) : '';
    const within = (g: GeneralName): boolean | undefined => (name.type === 'dns' ? (g.type === 'dns' ? dnsWithinNorm(dn, baseNorm(g)) : undefined) : nameWithinSubtree(name, g));
    for (const ex of constraints.excluded) {
      const inside = within(ex) === true || (name.type === 'dns' && ex.type === 'dns' && dnsWildcardHitsExcluded(name.value, ex.value));
      if (inside) return { kind: 'excluded', name: formatGeneralName(name), subtrees: [formatGeneralName(ex)] };
    }
    // One pass: the name must be inside one permitted subtree when its form has any
    // (an IP constraint of the other family still constrains the form "IP").
    let formPermits = false;
    let permitted = false;
    for (const p of constraints.permitted) {
      if (p.type !== name.type) continue;
      formPermits = true;
      if (within(p) === true) {
        permitted = true;
        break;
      }
    }
    if (formPermits && !permitted) {
      const subtrees = constraints.permitted.filter((p) => p.type === name.type).map((g) => formatGeneralName(g));
      return { kind: 'not-permitted', name: formatGeneralName(name), subtrees };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- well-formed names and constraints

/**
 * A dNSName in the preferred name syntax as far as constraint matching needs
 * (RFC 5280 4.2.1.6, RFC 1034 3.5): labels of 1-63 visible ASCII characters
 * separated by single dots, no leading or trailing dot, at most 253
 * characters, `*` only as the whole leftmost label.
 * @internal
 */
export function wellFormedDnsName(v: string): boolean {
  if (v.length === 0 || v.length > 253) return false;
  const labels = v.split('.');
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l.length === 0 || l.length > 63) return false;
    // eslint-disable-next-line no-control-regex
    if (/[^\x21-\x7e]/.test(l)) return false;
    if (l.includes('*') && !(l === '*' && i === 0 && labels.length > 1)) return false;
  }
  return true;
}

/** An rfc822Name: exactly one `@`, a non-empty visible-ASCII local part, a well-formed domain (no wildcard). */
function wellFormedMailbox(v: string): boolean {
  const at = v.indexOf('@');
  if (at <= 0 || at !== v.lastIndexOf('@')) return false;
  const local = v.slice(0, at);
  const domain = v.slice(at + 1);
  // eslint-disable-next-line no-control-regex
  return !/[^\x21-\x7e]/.test(local) && wellFormedDnsName(domain) && !domain.includes('*');
}

/**
 * Is `g` a valid name of its form? dNSName and rfc822Name as above; an
 * iPAddress SAN must be 4 or 16 octets (8 or 32 is a constraint, with a
 * mask). Other forms are taken as they are.
 * @internal
 */
export function wellFormedName(g: GeneralName): boolean {
  switch (g.type) {
    case 'dns':
      return wellFormedDnsName(g.value);
    case 'email':
      return wellFormedMailbox(g.value);
    case 'ip':
      return !g.value.includes('/');
    default:
      return true;
  }
}

/**
 * What makes a nameConstraints extension malformed (RFC 5280 4.2.1.10), or
 * undefined: neither permitted nor excluded subtrees, an empty
 * permittedSubtrees or excludedSubtrees (SIZE (1..MAX)), an iPAddress base
 * that is not address + mask (8 or 32 octets), or a minimum or maximum
 * (minimum MUST be zero, maximum MUST be absent). Whether the certificate
 * is a CA is checked by the caller.
 * @internal
 */
export function nameConstraintsDefect(ext: Extension): string | undefined {
  try {
    const items = readSequence(decodeDer(ext.der, 'nameConstraints', { strict: false }), 'nameConstraints', 0, 2);
    if (items.length === 0) return 'it has neither permitted nor excluded subtrees';
    for (const item of items) {
      const tag = contextTag(item);
      const which = tag === 0 ? 'permittedSubtrees' : 'excludedSubtrees';
      const subtrees = readImplicitChildren(item, tag, which);
      if (subtrees.length === 0) return `its ${which} is an empty sequence`;
      for (const st of subtrees) {
        const parts = readSequence(st, `${which} subtree`, 1, 3);
        if (parts.length > 1) return `a subtree of its ${which} has a minimum or maximum (minimum must be 0 and absent, maximum absent)`;
        if (contextTag(parts[0]) === 7) {
          const n = readImplicitBytes(parts[0], 7, 'iPAddress').length;
          if (n !== 8 && n !== 32) return `an iPAddress subtree of its ${which} has ${n} octets, not an address and a mask (8 or 32)`;
        }
      }
    }
  } catch (e) {
    return e instanceof Error ? e.message : 'it cannot be read';
  }
  return undefined;
}
