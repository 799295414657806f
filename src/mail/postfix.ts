/**
 * Postfix TLS configuration: the main.cf lines for the SMTP server (port 25,
 * opportunistic STARTTLS) and client, and the master.cf services for
 * submission on 587 (STARTTLS required) and 465 (implicit TLS), RFC 8314.
 *
 * Facts (postconf(5), shared/MAIL-TLS.md): `smtpd_tls_chain_files` exists from
 * 3.4, the `>=TLSv1.2` range syntax from 3.6 (before: `!SSLv2, ...`
 * exclusions), `tls_eecdh_auto_curves` from 3.2. `smtpd_use_tls` and
 * `smtpd_tls_eecdh_grade` are deprecated and never emitted.
 *
 * Out of scope: SASL setup itself (Dovecot's auth socket), restrictions,
 * DANE on the client side, anything that is not TLS.
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
 * The default Postfix version the generator targets when none is given.
 * 3.4: the oldest Postfix in a supported distribution that has
 * `smtpd_tls_chain_files` (Ubuntu 20.04 ships 3.4, RHEL 8/9 ship 3.5). The
 * `!SSLv2, ...` exclusion syntax it implies works on every version; pass the
 * real version (`postconf -h mail_version`) to get the 3.6 range syntax.
 * @public
 */
export const DEFAULT_POSTFIX_VERSION = '3.4';

/** Options of {@link generatePostfixConfig}. @public */
export interface PostfixConfigOptions {
  /**
   * One file holding the unencrypted private key, then the server certificate,
   * then the intermediates (what `mailpki mail init` writes for Postfix).
   * Preferred: key and chain can never get out of step during a rollover.
   * Give either this or `certFile` + `keyFile`.
   */
  readonly chainFile?: string;
  /** Server certificate followed by its intermediates (PEM). Needs `keyFile`. */
  readonly certFile?: string;
  /** Unencrypted private key (PEM, root-only). Postfix cannot read an encrypted key. */
  readonly keyFile?: string;
  /**
   * Postfix version the output is for, `X.Y` or `X.Y.Z`
   * (`postconf -h mail_version`). Default {@link DEFAULT_POSTFIX_VERSION}.
   * Thresholds: 3.4 `smtpd_tls_chain_files` (else cert_file + key_file),
   * 3.6 `>=TLSv1.2` (else exclusions). Versions before 3.0 are refused.
   */
  readonly version?: string;
  /** Mozilla profile; default `intermediate`. */
  readonly profile?: TlsProfile;
  /**
   * Offer the hybrid post-quantum group X25519MLKEM768 first. Default false:
   * it needs OpenSSL ≥ 3.5 under Postfix (Debian 12 and RHEL 9 ship 3.0, where
   * Postfix just skips the unknown name, so enabling it there only adds noise).
   */
  readonly mlkem?: boolean;
  /**
   * SASL for the submission services: `dovecot` (default: Dovecot's auth
   * socket at `private/auth`, the usual pairing with a Dovecot IMAP server) or
   * `none` (the SASL lines are emitted commented out).
   */
  readonly sasl?: 'dovecot' | 'none';
  /**
   * Also emit the SMTP *client* settings (`smtp_tls_*`: opportunistic TLS for
   * mail this server sends). Default true.
   */
  readonly client?: boolean;
}

/** What {@link generatePostfixConfig} returns. @public */
export interface PostfixConfig {
  /** Lines for /etc/postfix/main.cf, with comments. */
  readonly mainCf: string;
  /** Services for /etc/postfix/master.cf (submission 587 and submissions 465), with comments. */
  readonly masterCf: string;
  /** The main.cf settings as [name, value] pairs, in order (for `postconf -e`). */
  readonly parameters: ReadonlyArray<readonly [string, string]>;
  /** The Postfix version the output was made for (normalised `X.Y`). */
  readonly version: string;
}

// Postfix splits lists on whitespace and commas and expands `$name`.
const POSTFIX_PATH_UNSAFE = /[\s,$]/;

/**
 * Make the TLS part of a Postfix configuration.
 *
 * @param options - the certificate files, Postfix version and profile.
 * @returns main.cf lines, master.cf services and the raw parameters.
 * @throws TypeError when no certificate files are given or a value has the wrong type;
 *   RangeError for a relative path, a path Postfix would split (whitespace, comma, `$`),
 *   an unknown profile or a malformed / too-old version.
 *
 * @example
 * ```ts
 * const { mainCf, masterCf } = generatePostfixConfig({
 *   chainFile: '/etc/mailpki/postfix-chain.pem',
 *   version: '3.7',
 * });
 * // mainCf contains "smtpd_tls_chain_files = /etc/mailpki/postfix-chain.pem"
 * //        and      "smtpd_tls_protocols = >=TLSv1.2"
 * ```
 * @public
 */
export function generatePostfixConfig(options: PostfixConfigOptions): PostfixConfig {
  if (options === null || typeof options !== 'object') throw new TypeError('options: expected an object');
  const v = parseVersion('version', options.version ?? DEFAULT_POSTFIX_VERSION);
  if (!versionAtLeast(v, 3, 0)) throw new RangeError(`version: Postfix ${v[0]}.${v[1]} is not supported (before 3.0, end of life)`);
  const version = `${v[0]}.${v[1]}`;
  const profile = checkProfile(options.profile);
  const mlkem = options.mlkem ?? false;
  const sasl = options.sasl ?? 'dovecot';
  if (sasl !== 'dovecot' && sasl !== 'none') throw new RangeError('sasl: expected "dovecot" or "none"');
  const client = options.client ?? true;

  const hasChainFiles = versionAtLeast(v, 3, 4);
  const hasRanges = versionAtLeast(v, 3, 6);
  const hasAutoCurves = versionAtLeast(v, 3, 2);

  const { chainFile, certFile, keyFile } = options;
  if (chainFile !== undefined && (certFile !== undefined || keyFile !== undefined)) {
    throw new TypeError('options: give either chainFile or certFile + keyFile, not both');
  }
  if (chainFile === undefined && (certFile === undefined || keyFile === undefined)) {
    throw new TypeError('options: chainFile (key + cert + chain in one file) or both certFile and keyFile are required');
  }

  const out: Array<[string, string]> = [];
  const lines: string[] = [];
  const set = (name: string, value: string): void => {
    out.push([name, value]);
    lines.push(value === '' ? `${name} =` : `${name} = ${value}`);
  };
  const comment = (...c: string[]): void => {
    for (const l of c) lines.push(l === '' ? '' : `# ${l}`);
  };

  comment(
    `mailpki: TLS settings for Postfix ${version} (Mozilla "${profile}" profile, guideline 6.0).`,
    'Add to /etc/postfix/main.cf (replacing any existing smtpd_tls_* / smtp_tls_* lines,',
    'and deleting smtpd_use_tls and smtpd_tls_eecdh_grade: both deprecated), then:',
    '  postfix check && postfix reload',
    '',
  );

  comment('Server certificate and key.');
  if (chainFile !== undefined) {
    const f = checkConfigPath('chainFile', chainFile, POSTFIX_PATH_UNSAFE);
    if (hasChainFiles) {
      comment('smtpd_tls_chain_files (Postfix >= 3.4): the key first, then the certificate and its chain,', 'read in one go: key and certificate cannot get out of step during a rollover.');
      set('smtpd_tls_chain_files', f);
    } else {
      comment('Postfix < 3.4 has no smtpd_tls_chain_files; the same file holds the key and the chain.');
      set('smtpd_tls_cert_file', f);
      set('smtpd_tls_key_file', f);
    }
  } else {
    const c = checkConfigPath('certFile', certFile, POSTFIX_PATH_UNSAFE);
    const k = checkConfigPath('keyFile', keyFile, POSTFIX_PATH_UNSAFE);
    if (hasChainFiles) {
      comment('smtpd_tls_chain_files (Postfix >= 3.4): the files are read as if concatenated, so the key file', 'must come immediately before the certificate-chain file.');
      set('smtpd_tls_chain_files', `${k}, ${c}`);
    } else {
      set('smtpd_tls_cert_file', c);
      set('smtpd_tls_key_file', k);
    }
  }
  comment('The key file must be unencrypted (Postfix cannot prompt) and readable by root only (0600).', '');

  const protocols = (min: 'TLSv1.2' | 'TLSv1.3'): string => {
    if (hasRanges) return `>=${min}`;
    const excl = ['!SSLv2', '!SSLv3', '!TLSv1', '!TLSv1.1'];
    if (min === 'TLSv1.3') excl.push('!TLSv1.2');
    return excl.join(', ');
  };
  const serverMin = profile === 'modern' ? 'TLSv1.3' : 'TLSv1.2';

  comment(
    'Port 25 (MX): opportunistic STARTTLS. Never "encrypt" on a public MX: RFC 3207 section 4,',
    'servers that cannot do TLS would no longer be able to deliver to you.',
    'This replaces the deprecated smtpd_use_tls = yes.',
  );
  set('smtpd_tls_security_level', 'may');
  comment('Offer AUTH only inside TLS (passwords never in cleartext).');
  set('smtpd_tls_auth_only', 'yes');
  if (profile === 'modern') {
    comment(
      'Modern profile: TLS 1.3 only. On port 25 this means senders limited to TLS 1.2 fall back to',
      'cleartext; use "intermediate" if this server is a public MX.',
    );
  } else {
    comment(hasRanges ? 'TLS 1.2 and later (range syntax, Postfix >= 3.6).' : 'TLS 1.2 and later (exclusion syntax: the range syntax ">=TLSv1.2" needs Postfix >= 3.6).');
  }
  set('smtpd_tls_protocols', protocols(serverMin));
  set('smtpd_tls_mandatory_protocols', protocols(serverMin));
  if (profile === 'intermediate') set('smtpd_tls_mandatory_ciphers', 'medium');
  lines.push('');

  if (client) {
    comment(
      'SMTP client (mail this server sends): opportunistic TLS. TLS 1.2 and later even with the',
      'modern profile: an outgoing MTA must reach every MX, and many still stop at TLS 1.2.',
    );
    set('smtp_tls_security_level', 'may');
    set('smtp_tls_protocols', protocols('TLSv1.2'));
    set('smtp_tls_mandatory_protocols', protocols('TLSv1.2'));
    set('smtp_tls_mandatory_ciphers', 'medium');
    lines.push('');
  }

  if (profile === 'intermediate' || client) {
    comment(
      'The "medium" grade, narrowed to the six ECDHE AEAD suites of Mozilla intermediate (TLS 1.2;',
      'TLS 1.3 suites are configured by OpenSSL). Forcing "high" is counter-productive (Postfix TLS_README).',
    );
    set('tls_medium_cipherlist', INTERMEDIATE_TLS12_CIPHERS.join(':'));
  }
  comment('Let the client pick among these suites: all are strong, and the client knows if it has AES hardware.');
  set('tls_preempt_cipherlist', 'no');
  if (hasAutoCurves) {
    comment(
      mlkem
        ? 'Key exchange groups; X25519MLKEM768 (hybrid post-quantum) needs OpenSSL >= 3.5 under Postfix.'
        : 'Key exchange groups. X25519MLKEM768 (hybrid post-quantum) is left out: it needs OpenSSL >= 3.5',
      ...(mlkem ? [] : ['under Postfix (check `postconf -h tls_library_version`); regenerate with it enabled then.']),
    );
    set('tls_eecdh_auto_curves', keyExchangeGroups(mlkem).join(' '));
  }

  const mainCf = lines.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';

  const saslLines = [
    '-o smtpd_sasl_auth_enable=yes',
    '-o smtpd_sasl_type=dovecot',
    '-o smtpd_sasl_path=private/auth',
  ];
  const opt = (o: string): string => (sasl === 'none' && o.includes('sasl') ? `#  ${o}` : `  ${o}`);
  const service = (name: string, extra: string[]): string[] => [
    `${name.padEnd(11)} inet  n       -       -       -       -       smtpd`,
    ...[`-o syslog_name=postfix/${name}`, ...extra, ...saslLines, '-o smtpd_relay_restrictions=permit_sasl_authenticated,reject', '-o milter_macro_daemon_name=ORIGINATING'].map(opt),
  ];
  const master: string[] = [
    '# mailpki: submission services for /etc/postfix/master.cf (Postfix ships both commented out).',
    '# RFC 8314: offer both. 587 "submission" = STARTTLS, required here; 465 "submissions" = implicit TLS',
    '# from the first byte. Port 25 (the "smtp" service) keeps main.cf\'s opportunistic "may".',
    sasl === 'dovecot'
      ? '# SASL via Dovecot: Dovecot must listen on /var/spool/postfix/private/auth (10-master.conf, service auth).'
      : '# SASL is commented out: set it up first (e.g. Dovecot\'s auth socket), then uncomment.',
    '# Only authenticated clients may relay. (Older /etc/services may call 465 "smtps"; "465" works everywhere.)',
    '# Then: postfix check && postfix reload',
    ...service('submission', ['-o smtpd_tls_security_level=encrypt']),
    ...service('submissions', ['-o smtpd_tls_wrappermode=yes']),
  ];
  const masterCf = master.join('\n') + '\n';

  return { mainCf, masterCf, parameters: out, version };
}
