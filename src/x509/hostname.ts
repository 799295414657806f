/**
 * Service identity checks on a certificate: does it name this host (RFC 9525)
 * or this mailbox (RFC 8550 / RFC 5280 4.2.1.6)?
 *
 * Only the subjectAltName extension is consulted: RFC 9525 6.1 forbids the
 * old fallback to the subject CN (browsers and Apple ignore CN too). Out of
 * scope: path validation (verify.ts), name constraints (name-constraints.ts).
 */
import { parseIpAddress } from './ip.js';
import type { Certificate, GeneralName } from './types.js';

/**
 * A reference host name as typed, made comparable with certificate names
 * (the lenient policy; certificate content goes through general-name.ts's
 * `dnsNameForCertificate`, which refuses U-labels): lower-case ASCII, one trailing dot
 * removed (`mail.example.com.` is the same absolute name), U-labels turned
 * into A-labels (so `bücher.example` compares with the `xn--bcher-kva`
 * form certificates carry, RFC 9525 6.3). Undefined when not a usable name.
 * @internal
 */
export function dnsNameForMatching(name: string): string | undefined {
  let s = name.endsWith('.') ? name.slice(0, -1) : name;
  if (s.length === 0 || s.length > 253) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(s)) {
    // IDNA to A-labels through the WHATWG URL parser (present in Node and
    // browsers; no node:* import). Only letters, marks, digits, hyphens and
    // dots go in (no '@', '/', ':' that URL would read as userinfo, path or
    // port), and only an LDH name that is not an IPv4 address comes out.
    if (!/^[\p{L}\p{M}\p{N}.-]+$/u.test(s)) return undefined;
    try {
      s = new URL(`http://${s}/`).hostname;
    } catch {
      return undefined;
    }
    if (!/^[a-z0-9.-]+$/.test(s) || parseIpAddress(s)) return undefined;
  }
  s = s.toLowerCase();
  if (s.split('.').some((l) => l.length === 0 || l.length > 63)) return undefined;
  return s;
}

/**
 * Does the presented DNS-ID `pattern` (from a dNSName SAN) match the
 * reference `host` (already normalised)? RFC 9525 6.3: a wildcard is only
 * the complete left-most label (`*.example.com`), matches exactly one label
 * (never `example.com`, never `a.b.example.com`); partial wildcards
 * (`f*.example.com`, `*x.example.com`, `xn--*`) are ignored. We additionally
 * refuse a wildcard directly over a single label (`*.com`), as OpenSSL and
 * browsers do: it would cover a whole top-level domain.
 * @internal
 */
export function dnsPatternMatches(pattern: string, host: string): boolean {
  // RFC 5280 4.2.1.6: a dNSName is in the "preferred name syntax" (RFC 1034 3.5), which has no
  // trailing dot; a SAN `good.example.` is malformed and matches nothing (OpenSSL agrees). Only
  // the reference identity (what the user typed) may be absolute (`mail.example.com.`).
  if (pattern.endsWith('.')) return false;
  const p = pattern.toLowerCase();
  if (!p.includes('*')) return p === host;
  const labels = p.split('.');
  if (labels[0] !== '*' || labels.slice(1).some((l) => l.includes('*') || l.length === 0)) return false;
  if (labels.length < 3) return false;
  const hostLabels = host.split('.');
  if (hostLabels.length !== labels.length || hostLabels[0]!.length === 0) return false;
  return hostLabels.slice(1).join('.') === labels.slice(1).join('.');
}

/** Equal bytes. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sanOf(cert: Certificate): readonly GeneralName[] {
  if (!cert || typeof cert !== 'object' || !cert.decoded) throw new TypeError('cert: expected a parsed Certificate');
  return cert.decoded.subjectAltName ?? [];
}

/**
 * Does `cert` identify `host`? RFC 9525 rules:
 * - only subjectAltName entries count; the subject CN is never consulted (6.1);
 * - an IP address (`192.0.2.1`, `::1`, `[::1]`) matches only iPAddress SANs,
 *   compared as addresses, so `::1` matches `0:0:0:0:0:0:0:1` (6.2.1);
 * - a DNS name matches dNSName SANs case-insensitively, IDNs compared as
 *   A-labels; a wildcard only as the whole left-most label, for exactly one
 *   label (6.3). One trailing dot on `host` (an absolute name) is ignored;
 *   a SAN with a trailing dot is not in the preferred name syntax (RFC 5280
 *   4.2.1.6) and matches nothing, as in OpenSSL.
 *
 * @param cert - a parsed certificate
 * @param host - the reference identity: a DNS name or an IP address
 * @returns true when one SAN matches
 * @throws TypeError when `host` is not a non-empty string
 * @example
 * ```ts
 * matchesHost(parseCertificate(pem), 'mail.example.com'); // true / false
 * ```
 * @public
 */
export function matchesHost(cert: Certificate, host: string): boolean {
  if (typeof host !== 'string' || host.length === 0) throw new TypeError('host: expected a non-empty string');
  const sans = sanOf(cert);
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const ip = parseIpAddress(bare);
  if (ip) {
    // RFC 9525 6.2.1: an IP reference identity is compared with iPAddress SANs only.
    return sans.some((g) => {
      if (g.type !== 'ip') return false;
      const v = g.bytes ?? parseIpAddress(g.value); // the octets the parser carried, else the text
      return v !== undefined && sameBytes(v, ip);
    });
  }
  if (bare !== host) return false;
  if (host.includes('*')) return false; // a reference identity is never a pattern
  const name = dnsNameForMatching(host);
  if (!name) return false;
  return sans.some((g) => g.type === 'dns' && dnsPatternMatches(g.value, name));
}

/**
 * Split a mailbox into local part and domain (at the last `@`).
 * @internal
 */
export function splitMailbox(addr: string): { local: string; domain: string } | undefined {
  const at = addr.lastIndexOf('@');
  if (at <= 0 || at === addr.length - 1) return undefined;
  return { local: addr.slice(0, at), domain: addr.slice(at + 1) };
}

/**
 * Does `cert` carry the mailbox `email` (S/MIME, RFC 8550 3)? Compared with
 * rfc822Name SANs: the local part exactly (RFC 5280 4.2.1.6 leaves it
 * case-sensitive), the domain case-insensitively (IDN domains as A-labels).
 * Only subjectAltName is consulted, as for hosts; the legacy subject
 * emailAddress attribute is not an identity here.
 *
 * @param cert - a parsed certificate
 * @param email - `local@domain`
 * @throws TypeError when `email` is not a string with an `@`
 * @example
 * ```ts
 * matchesEmail(cert, 'alice@example.com');
 * ```
 * @public
 */
export function matchesEmail(cert: Certificate, email: string): boolean {
  if (typeof email !== 'string' || !splitMailbox(email)) throw new TypeError('email: expected an address local@domain');
  const want = splitMailbox(email)!;
  const wantDomain = dnsNameForMatching(want.domain);
  if (!wantDomain) return false;
  return sanOf(cert).some((g) => {
    if (g.type !== 'email') return false;
    const have = splitMailbox(g.value);
    return !!have && have.local === want.local && dnsNameForMatching(have.domain) === wantDomain;
  });
}
