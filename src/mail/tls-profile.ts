/**
 * The TLS server profiles the Postfix and Dovecot generators share: Mozilla's
 * server-side TLS guideline 6.0, "intermediate" (the default) and "modern".
 * Also the small helpers both generators need (version parsing, checking a
 * path before it goes into a config file).
 *
 * Out of scope: the syntax of any one daemon (postfix.ts, dovecot.ts).
 */

/**
 * `intermediate`: TLS 1.2 + 1.3, six ECDHE AEAD suites for TLS 1.2 (Mozilla
 * guideline 6.0; what every mail client of the last decade speaks).
 * `modern`: TLS 1.3 only, no cipher list (TLS 1.3 suites are all fine).
 * @public
 */
export type TlsProfile = 'intermediate' | 'modern';

/**
 * Mozilla "intermediate" TLS 1.2 suites (guideline 6.0): ECDHE only (forward
 * secrecy), AEAD only (AES-GCM, ChaCha20-Poly1305). OpenSSL names.
 * @public
 */
export const INTERMEDIATE_TLS12_CIPHERS: readonly string[] = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

/**
 * Key-exchange groups, most preferred first (Mozilla guideline 6.0).
 * `X25519MLKEM768` (hybrid post-quantum) is added in front only on request:
 * it needs OpenSSL ≥ 3.5 under the daemon (Debian 12 and RHEL 9 ship 3.0;
 * Dovecot refuses a group list naming a group its OpenSSL does not know).
 * @internal
 */
export function keyExchangeGroups(mlkem: boolean): string[] {
  return [...(mlkem ? ['X25519MLKEM768'] : []), 'X25519', 'prime256v1', 'secp384r1'];
}

/** Parse `X.Y` or `X.Y.Z` (extra text after it, as in `3.7.11-0+deb12u1`, is ignored). @internal */
export function parseVersion(what: string, version: string): [number, number, number] {
  if (typeof version !== 'string') throw new TypeError(`${what}: expected a version string such as "3.7"`);
  const m = /^\s*(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?/.exec(version);
  if (!m) throw new RangeError(`${what}: not a version number: ${JSON.stringify(version.slice(0, 40))}`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** a >= b for [major, minor, patch]. @internal */
export function versionAtLeast(v: readonly number[], major: number, minor: number, patch = 0): boolean {
  const [a = 0, b = 0, c = 0] = v;
  if (a !== major) return a > major;
  if (b !== minor) return b > minor;
  return c >= patch;
}

/**
 * Check a file path before it is written into a config file: absolute, no
 * control characters (a newline would inject a setting), and nothing the
 * daemon's parser would split or expand (`extra` lists those characters).
 * @internal
 */
export function checkConfigPath(what: string, path: unknown, extra: RegExp): string {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError(`${what}: expected a file path`);
  if (!path.startsWith('/')) throw new RangeError(`${what}: must be an absolute path (the daemon resolves relative paths against its own directory): ${JSON.stringify(path.slice(0, 200))}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new RangeError(`${what}: control characters are not allowed in a path`);
  if (extra.test(path)) throw new RangeError(`${what}: the path contains a character the config parser would split or expand: ${JSON.stringify(path.slice(0, 200))}`);
  return path;
}

/** Check a profile name. @internal */
export function checkProfile(profile: unknown): TlsProfile {
  if (profile === undefined) return 'intermediate';
  if (profile !== 'intermediate' && profile !== 'modern') throw new RangeError(`profile: expected "intermediate" or "modern", got ${JSON.stringify(String(profile)).slice(0, 60)}`);
  return profile;
}

/** Single-quote a string for POSIX sh. @internal */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** RFC 1123 host name (letters, digits, hyphens; at least one dot not required), lower-cased, trailing dot removed; throws RangeError otherwise. @internal */
export function checkHostName(what: string, host: unknown): string {
  if (typeof host !== 'string') throw new TypeError(`${what}: expected a host name`);
  const h = host.replace(/\.$/, '').toLowerCase();
  if (!/^(?=.{1,253}$)([a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(h) || /^[\d.]+$/.test(h)) {
    throw new RangeError(`${what}: not a DNS host name: ${JSON.stringify(host.slice(0, 80))}`);
  }
  return h;
}
