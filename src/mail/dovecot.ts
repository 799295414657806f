/**
 * Dovecot TLS configuration (conf.d/10-ssl.conf) for Dovecot 2.3 and 2.4.
 *
 * | purpose      | 2.3                             | 2.4                                 |
 * |--------------|---------------------------------|-------------------------------------|
 * | cert         | `ssl_cert = </path` (`<` = read the file) | `ssl_server_cert_file = /path` |
 * | key          | `ssl_key = </path`              | `ssl_server_key_file = /path`       |
 * | cipher order | `ssl_prefer_server_ciphers = no`| `ssl_server_prefer_ciphers = client`|
 *
 * `ssl_min_protocol`, `ssl_cipher_list`, `ssl_curve_list` are the same in both.
 * `ssl_protocols` (the classic procedure's setting) was removed in 2.3 and is
 * never emitted. A 2.4 configuration must start with `dovecot_config_version`.
 *
 * Out of scope: listeners, auth, mail storage.
 */
import {
  INTERMEDIATE_TLS12_CIPHERS,
  checkConfigPath,
  checkProfile,
  keyExchangeGroups,
  parseVersion,
  versionAtLeast,
  type TlsProfile,
} from './tls-profile.js';

/**
 * Default Dovecot version: 2.3, what Debian 12, Ubuntu 24.04 and RHEL 9 ship.
 * 2.4 changed the setting names; pass `version: '2.4'` for Debian 13 / Fedora 42+.
 * @public
 */
export const DEFAULT_DOVECOT_VERSION = '2.3';

/** Options of {@link generateDovecotConfig}. @public */
export interface DovecotConfigOptions {
  /** Server certificate followed by its intermediates (PEM), absolute path. */
  readonly certFile: string;
  /** Private key (PEM), absolute path, readable by root only. */
  readonly keyFile: string;
  /** `2.3` (default) or `2.4` (also `2.4.1` etc.). Other majors are refused. */
  readonly version?: string;
  /** Mozilla profile; default `intermediate`. */
  readonly profile?: TlsProfile;
  /**
   * Offer X25519MLKEM768 first. Default false: Dovecot refuses the whole
   * `ssl_curve_list` when its OpenSSL (< 3.5, e.g. Debian 12's 3.0) does not
   * know a group, and then no TLS works at all.
   */
  readonly mlkem?: boolean;
  /**
   * `ssl = required` (default true): no authentication without TLS. It does
   * not close ports 143/110; clients there must use STARTTLS before logging in.
   * false emits `ssl = yes`.
   */
  readonly required?: boolean;
  /**
   * For 2.4: the `dovecot_config_version` to write first. Default: `version`
   * when it has three parts, else `2.4.0` (accepted by every 2.4 release).
   */
  readonly configVersion?: string;
  /**
   * The key file is encrypted (default false). The comment then says so and
   * shows the setting Dovecot needs for its passphrase (`ssl_key_password` in
   * 2.3, `ssl_server_key_password` in 2.4), commented out: the passphrase is
   * not ours to write into a configuration file.
   */
  readonly keyEncrypted?: boolean;
}

// Dovecot ends a value at a newline and treats `#` as a comment start; `<` and `$` are syntax.
const DOVECOT_PATH_UNSAFE = /[\s#"'<$%{}]/;

/**
 * Make the TLS settings for Dovecot (the content of conf.d/10-ssl.conf).
 *
 * @param options - certificate and key files, Dovecot version, profile.
 * @returns the file content (settings with comments), ending in a newline.
 * @throws TypeError when a file is missing or a value has the wrong type; RangeError for a
 *   relative or unsafe path, an unknown profile, or a version that is not 2.3 / 2.4.
 *
 * @example
 * ```ts
 * const conf = generateDovecotConfig({
 *   certFile: '/etc/mailpki/mail.example.com.chain.pem',
 *   keyFile: '/etc/mailpki/mail.example.com.key.pem',
 * });
 * // conf contains "ssl_cert = </etc/mailpki/mail.example.com.chain.pem"
 * ```
 * @public
 */
export function generateDovecotConfig(options: DovecotConfigOptions): string {
  if (options === null || typeof options !== 'object') throw new TypeError('options: expected an object');
  const cert = checkConfigPath('certFile', options.certFile, DOVECOT_PATH_UNSAFE);
  const key = checkConfigPath('keyFile', options.keyFile, DOVECOT_PATH_UNSAFE);
  const v = parseVersion('version', options.version ?? DEFAULT_DOVECOT_VERSION);
  if (v[0] !== 2 || (v[1] !== 3 && v[1] !== 4)) throw new RangeError(`version: Dovecot ${v[0]}.${v[1]} is not supported (2.3 or 2.4)`);
  const is24 = v[1] === 4;
  const profile = checkProfile(options.profile);
  const mlkem = options.mlkem ?? false;
  const required = options.required ?? true;

  const lines: string[] = [];
  const c = (...t: string[]): void => {
    for (const l of t) lines.push(l === '' ? '' : `# ${l}`);
  };

  if (is24) {
    const cv = options.configVersion ?? (/^\d+\.\d+\.\d+$/.test(String(options.version)) ? String(options.version) : '2.4.0');
    const cvv = parseVersion('configVersion', cv);
    if (cvv[0] !== 2 || cvv[1] !== 4 || !versionAtLeast(cvv, 2, 4, 0)) throw new RangeError('configVersion: expected a 2.4.x version');
    c(
      `mailpki: TLS settings for Dovecot 2.4 (Mozilla "${profile}" profile, guideline 6.0).`,
      'dovecot_config_version must be the first setting of the configuration. If this file goes into',
      'conf.d/ of a config whose dovecot.conf already starts with it, delete the next line here.',
      '(A 2.4 dovecot.conf must also set dovecot_storage_version; the packaged one does.)',
    );
    lines.push(`dovecot_config_version = ${cvv.join('.')}`);
    c('Put the settings below in /etc/dovecot/conf.d/10-ssl.conf, replacing the ssl_* lines there.', 'Check with: doveconf -n | grep ssl   then: systemctl reload dovecot', '');
  } else {
    c(
      `mailpki: TLS settings for Dovecot 2.3 (Mozilla "${profile}" profile, guideline 6.0).`,
      'Put them in /etc/dovecot/conf.d/10-ssl.conf, replacing the ssl_* lines there',
      '(and deleting any ssl_protocols line: that setting was removed in 2.3).',
      'Check with: doveconf -n | grep ssl   then: systemctl reload dovecot',
      '',
    );
  }

  c(required ? '"required": no login without TLS (ports 143/110 stay open for STARTTLS).' : '"yes": TLS offered; clients may still log in without it.');
  lines.push(`ssl = ${required ? 'required' : 'yes'}`);
  const keyNote = options.keyEncrypted
    ? 'Certificate followed by its intermediates; the key (ENCRYPTED, root-only 0600: Dovecot needs its passphrase, below).'
    : 'Certificate followed by its intermediates; the key (unencrypted, root-only 0600).';
  if (is24) {
    c(keyNote);
    lines.push(`ssl_server_cert_file = ${cert}`, `ssl_server_key_file = ${key}`);
  } else {
    c('The "<" is required: it makes Dovecot read the file (without it the path itself is taken as PEM).', keyNote);
    lines.push(`ssl_cert = <${cert}`, `ssl_key = <${key}`);
  }
  if (options.keyEncrypted) {
    c(
      'The key is encrypted: Dovecot reads it only with its passphrase in the setting below (this file then',
      'holds a secret: make it root-only, 0600), or use an unencrypted key file with mode 0600 instead.',
      `${is24 ? 'ssl_server_key_password' : 'ssl_key_password'} = PASSPHRASE`,
    );
  }
  if (profile === 'modern') {
    c('Modern profile: TLS 1.3 only (its cipher suites are all strong; no list needed).');
    lines.push('ssl_min_protocol = TLSv1.3');
  } else {
    c('TLS 1.2 and later; for TLS 1.2 the six ECDHE AEAD suites of Mozilla intermediate.');
    lines.push('ssl_min_protocol = TLSv1.2', `ssl_cipher_list = ${INTERMEDIATE_TLS12_CIPHERS.join(':')}`);
  }
  c(
    mlkem
      ? 'Key exchange groups; X25519MLKEM768 needs OpenSSL >= 3.5 under Dovecot (else TLS fails to start).'
      : 'Key exchange groups. X25519MLKEM768 (hybrid post-quantum) is left out: it needs OpenSSL >= 3.5',
    ...(mlkem ? [] : ['under Dovecot, and an older OpenSSL rejects the whole list.']),
  );
  lines.push(`ssl_curve_list = ${keyExchangeGroups(mlkem).join(':')}`);
  c('Let the client choose among these suites: all are strong, and it knows if it has AES hardware.');
  lines.push(is24 ? 'ssl_server_prefer_ciphers = client' : 'ssl_prefer_server_ciphers = no');
  return lines.join('\n') + '\n';
}
