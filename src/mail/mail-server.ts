/**
 * The mail-server preset: every text file `mailpki mail init` writes next to
 * the keys and certificates (Postfix main.cf / master.cf snippets, Dovecot
 * 10-ssl.conf for 2.3 and 2.4, the TLSA record, the SELinux commands and
 * NEXT-STEPS.txt), made from the host name, the file names and the versions.
 *
 * Pure: no file system. The CLI writes what this returns (DESIGN.md §4 modes).
 * Out of scope: keys and certificates themselves (the CLI makes them with the
 * library), DNS publication.
 */
import type { Certificate } from '../x509/types.js';
import { generateDovecotConfig } from './dovecot.js';
import { DEFAULT_POSTFIX_VERSION, generatePostfixConfig } from './postfix.js';
import { selinuxCommands } from './selinux.js';
import { tlsaRecord } from './tlsa.js';
import { checkConfigPath, checkHostName, checkProfile, parseVersion, shQuote, type TlsProfile } from './tls-profile.js';

/**
 * The subject of a new mail root CA: `O=<org or domain>, CN=<domain> Mail Root`.
 * Mail clients show it in their trust store and certificate dialogs, so it
 * names the user's domain (or organisation), never the tool that made it.
 * @param domain - the mail domain (e.g. `example.com`; the name constraint's base)
 * @param org - the organisation name (default: the domain)
 * @example
 * ```ts
 * mailRootSubject('example.com');                 // { O: 'example.com', CN: 'example.com Mail Root' }
 * mailRootSubject('example.com', 'Example GmbH'); // { O: 'Example GmbH', CN: 'example.com Mail Root' }
 * ```
 * @public
 */
export function mailRootSubject(domain: string, org?: string): { readonly O: string; readonly CN: string } {
  if (typeof domain !== 'string' || domain.trim() === '') throw new TypeError('domain: expected a non-empty string');
  if (org !== undefined && (typeof org !== 'string' || org.trim() === '')) throw new TypeError('org: expected a non-empty string');
  const d = domain.trim().replace(/^\./, '');
  return { O: org?.trim() ?? d, CN: `${d} Mail Root` };
}

/** Names of the key and certificate files `mail init` writes (base names, no directories). @public */
export interface MailServerFileNames {
  /** Root CA certificate: what clients import into their trust store. */
  readonly rootCert: string;
  /** Root CA private key: stays off the mail server. */
  readonly rootKey: string;
  /** Server private key (unencrypted: Postfix cannot read an encrypted one). */
  readonly serverKey: string;
  /** Server certificate alone. */
  readonly serverCert: string;
  /** Server certificate followed by its intermediates (Dovecot's `ssl_cert`). */
  readonly chain: string;
  /** Server key, then certificate, then intermediates (Postfix's `smtpd_tls_chain_files`). */
  readonly postfixChain: string;
}

/** Default file names (used for any name not given). @public */
export const DEFAULT_MAIL_FILE_NAMES: MailServerFileNames = {
  rootCert: 'root-ca.pem',
  rootKey: 'root-ca.key',
  serverKey: 'server.key',
  serverCert: 'server.pem',
  chain: 'server-chain.pem',
  postfixChain: 'postfix-chain.pem',
};

/** Options of {@link mailServerFiles}. @public */
export interface MailServerFilesOptions {
  /** The mail server's host name (the MX / IMAP name clients use). */
  readonly host: string;
  /** Every subjectAltName of the server certificate besides `host` (shown in NEXT-STEPS). */
  readonly sans?: readonly string[];
  /** The server certificate (or its SubjectPublicKeyInfo DER): the TLSA record pins its key. */
  readonly serverCert: Certificate | Uint8Array;
  /** Names of the key/cert files (defaults: {@link DEFAULT_MAIL_FILE_NAMES}). */
  readonly names?: Partial<MailServerFileNames>;
  /** The directory `mail init` wrote to, as the user should type it in copy commands; default `./mailpki-out`. */
  readonly outDir?: string;
  /**
   * Where the files will live on the mail server; every config path points
   * there. Default `/etc/mailpki`: a directory of its own, not `/etc/pki/tls`
   * (on RHEL that already holds the system trust bundle, which a `chmod`
   * through its symlink would lock).
   */
  readonly installDir?: string;
  /** Postfix version for the main.cf snippet; default {@link DEFAULT_POSTFIX_VERSION}. */
  readonly postfixVersion?: string;
  /** Mozilla profile for both daemons; default `intermediate`. */
  readonly profile?: TlsProfile;
  /** Offer X25519MLKEM768 (needs OpenSSL ≥ 3.5 under both daemons); default false. */
  readonly mlkem?: boolean;
  /** Whether the root CA key was written encrypted (NEXT-STEPS says how to keep it); default true. */
  readonly caKeyEncrypted?: boolean;
  /** DNS names the root CA is constrained to (shown in NEXT-STEPS). */
  readonly nameConstraints?: readonly string[];
  /** Server certificate lifetime in days (NEXT-STEPS mentions renewal). */
  readonly serverDays?: number;
  /**
   * The CA lives elsewhere (`mail init --ca-cert/--ca-key`): NEXT-STEPS lists
   * no root key in the directory and its renewal command names these paths.
   * Default: the root CA key is in the directory.
   */
  readonly existingCa?: { readonly certPath: string; readonly keyPath: string };
}

/** One text file of the preset. @public */
export interface MailServerFile {
  /** Base name, e.g. `postfix-main.cf`. */
  readonly name: string;
  /** The file's text, to be written as UTF-8. */
  readonly content: string;
  /** File mode: 0o644 (none of these files holds a secret). */
  readonly mode: number;
}

/** The names of the files {@link mailServerFiles} returns, in order. @public */
export const MAIL_SERVER_FILE_NAMES = [
  'postfix-main.cf',
  'postfix-master.cf',
  'dovecot-2.3-10-ssl.conf',
  'dovecot-2.4-10-ssl.conf',
  'tlsa.txt',
  'selinux.sh',
  'NEXT-STEPS.txt',
] as const;

function checkBaseName(what: string, name: unknown): string {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\\\u0000-\u001f\u007f\s,$#"'<%{}]/.test(name)) {
    throw new RangeError(`names.${what}: expected a plain file name (no directory, spaces or config syntax)`);
  }
  return name;
}

/**
 * Make the text files of the mail-server preset.
 *
 * @param options - host, SANs, file names, install directory, versions, profile.
 * @returns `{ name, content, mode }` for each of {@link MAIL_SERVER_FILE_NAMES}, in that order.
 * @throws TypeError / RangeError for a host that is not a DNS name, a file name with a
 *   directory or config syntax in it, a relative install directory, an unknown profile
 *   or version (see {@link generatePostfixConfig}, {@link generateDovecotConfig}).
 *
 * @example
 * ```ts
 * const files = mailServerFiles({ host: 'mail.example.com', serverCert });
 * for (const f of files) console.log(f.name); // postfix-main.cf, ..., NEXT-STEPS.txt
 * ```
 * @public
 */
export function mailServerFiles(options: MailServerFilesOptions): MailServerFile[] {
  if (options === null || typeof options !== 'object') throw new TypeError('options: expected an object');
  const host = checkHostName('host', options.host);
  const sans = (options.sans ?? []).map(String);
  const names: MailServerFileNames = { ...DEFAULT_MAIL_FILE_NAMES, ...(options.names ?? {}) };
  for (const [k, v] of Object.entries(names)) checkBaseName(k, v);
  const installDir = checkConfigPath('installDir', (options.installDir ?? '/etc/mailpki').replace(/(.)\/+$/, '$1'), /[\s,$#"'<%{}]/);
  const outDir = options.outDir ?? './mailpki-out';
  const profile = checkProfile(options.profile);
  const mlkem = options.mlkem ?? false;
  const postfixVersion = options.postfixVersion ?? DEFAULT_POSTFIX_VERSION;
  parseVersion('postfixVersion', postfixVersion);
  const caKeyEncrypted = options.caKeyEncrypted ?? true;
  if (options.existingCa !== undefined && (typeof options.existingCa?.certPath !== 'string' || typeof options.existingCa?.keyPath !== 'string')) {
    throw new TypeError('existingCa: { certPath, keyPath } strings expected');
  }
  // eslint-disable-next-line no-control-regex
  if (options.existingCa && /[\u0000-\u001f\u007f]/.test(options.existingCa.certPath + options.existingCa.keyPath)) throw new RangeError('existingCa: control characters in a path');
  const at = (n: string): string => (installDir === '/' ? `/${n}` : `${installDir}/${n}`);
  const src = (n: string): string => shQuote(outDir.endsWith('/') ? `${outDir}${n}` : `${outDir}/${n}`);

  const postfix = generatePostfixConfig({ chainFile: at(names.postfixChain), version: postfixVersion, profile, mlkem });
  const dovecot23 = generateDovecotConfig({ certFile: at(names.chain), keyFile: at(names.serverKey), version: '2.3', profile, mlkem });
  const dovecot24 = generateDovecotConfig({ certFile: at(names.chain), keyFile: at(names.serverKey), version: '2.4', profile, mlkem });
  const tlsa = tlsaRecord(options.serverCert, { usage: 3, selector: 1, matching: 1, port: 25, host });
  const selinux = selinuxCommands(installDir);

  const tlsaTxt = [
    `; mailpki: DANE TLSA record for ${host} (RFC 7672: DANE for SMTP covers port 25).`,
    '; 3 1 1 = DANE-EE, SubjectPublicKeyInfo, SHA-256: pins the server key, so it survives',
    '; renewals that keep the key; publish a new record (next to the old one) before changing the key.',
    '; Worthless without DNSSEC: the zone must be signed, or senders ignore it.',
    `; Check: openssl s_client -starttls smtp -connect ${host}:25 -dane_tlsa_domain ${host} -dane_tlsa_rrdata "${tlsa.rdata}"`,
    tlsa.record,
    '',
  ].join('\n');

  const allNames = [host, ...sans.filter((s) => s.toLowerCase() !== host)];
  const ports: Array<[string, string, string]> = [
    ['25', '--starttls smtp', '-starttls smtp'],
    ['587', '--starttls smtp', '-starttls smtp'],
    ['465', '', ''],
    ['143', '--starttls imap', '-starttls imap'],
    ['993', '', ''],
    ['110', '--starttls pop3', '-starttls pop3'],
    ['995', '', ''],
  ];
  const next: string[] = [
    `NEXT STEPS for ${host}   (made by mailpki mail init)`,
    '='.repeat(40),
    '',
    'What is in this directory',
    '-------------------------',
    `  ${names.rootCert.padEnd(24)} root CA certificate: import it into the mail clients' trust store`,
    ...(options.existingCa
      ? [`  ${''.padEnd(24)} (no root CA key here: the CA is ${shQuote(options.existingCa.certPath)}, its key ${shQuote(options.existingCa.keyPath)})`]
      : [`  ${names.rootKey.padEnd(24)} root CA private key${caKeyEncrypted ? ' (encrypted)' : ' (NOT encrypted: --no-ca-passphrase)'}: keep it OFF the mail server, offline if you can`]),
    `  ${names.serverKey.padEnd(24)} server private key (unencrypted: Postfix cannot read an encrypted key), mode 0600`,
    `  ${names.serverCert.padEnd(24)} server certificate (SAN: ${allNames.join(', ')})`,
    `  ${names.chain.padEnd(24)} server certificate + intermediates (Dovecot)`,
    `  ${names.postfixChain.padEnd(24)} server key + certificate + intermediates (Postfix smtpd_tls_chain_files), mode 0600`,
    '  postfix-main.cf          TLS lines for /etc/postfix/main.cf',
    '  postfix-master.cf        submission (587, STARTTLS) and submissions (465, implicit TLS) for master.cf',
    '  dovecot-2.3-10-ssl.conf  /etc/dovecot/conf.d/10-ssl.conf for Dovecot 2.3',
    '  dovecot-2.4-10-ssl.conf  the same for Dovecot 2.4 (new setting names)',
    '  tlsa.txt                 DANE TLSA record (only with DNSSEC)',
    '  selinux.sh               SELinux labels (RHEL, Fedora)',
    ...(options.nameConstraints && options.nameConstraints.length > 0
      ? ['', `The root CA is name-constrained: it can only vouch for ${options.nameConstraints.join(', ')} (and names below).`]
      : []),
    '',
    `1. Copy the server files to ${installDir} (as root, on the mail server)`,
    '-'.repeat(50),
    '  A directory of its own, root-only. Not /etc/pki/tls: on RHEL it holds the system trust',
    '  bundle and openssl.cnf, and "chmod 600 /etc/pki/tls/*" follows the cert.pem symlink.',
    `  install -d -m 0700 -o root -g root ${shQuote(installDir)}`,
    `  install -m 0600 -o root -g root ${src(names.serverKey)} ${src(names.postfixChain)} ${shQuote(installDir)}/`,
    `  install -m 0644 -o root -g root ${src(names.serverCert)} ${src(names.chain)} ${src(names.rootCert)} ${shQuote(installDir)}/`,
    '  (install writes each file itself: never build a bundle with "cat a b > a", which empties a first.)',
    '',
    '2. SELinux (RHEL, Fedora; skip where getenforce says Disabled)',
    '-'.repeat(50),
    `  sh ${src('selinux.sh')}      (semanage fcontext + restorecon: durable, unlike chcon)`,
    '',
    '3. Postfix',
    '-'.repeat(50),
    `  The snippet is for Postfix ${postfix.version}; check yours with: postconf -h mail_version`,
    `  (regenerate for it, once the files are in place: mailpki config postfix --chain-file ${at(names.postfixChain)} --version X.Y)`,
    `  Add ${src('postfix-main.cf')} to /etc/postfix/main.cf, replacing any smtpd_tls_* / smtp_tls_* lines`,
    '  and deleting smtpd_use_tls and smtpd_tls_eecdh_grade (deprecated).',
    `  Add the services in ${src('postfix-master.cf')} to /etc/postfix/master.cf (replacing the commented`,
    '  submission / submissions entries). SASL goes through Dovecot: see step 4.',
    '  postfix check && postfix reload',
    '',
    '4. Dovecot',
    '-'.repeat(50),
    '  Version: dovecot --version. For 2.3 use dovecot-2.3-10-ssl.conf, for 2.4 dovecot-2.4-10-ssl.conf',
    '  (in 2.4, dovecot_config_version must be the first line of dovecot.conf; see the file).',
    '  install -m 0644 <that file> /etc/dovecot/conf.d/10-ssl.conf',
    '  For Postfix SMTP AUTH, let Dovecot listen on Postfix\'s socket (conf.d/10-master.conf):',
    '    service auth {',
    '      unix_listener /var/spool/postfix/private/auth {',
    '        mode = 0660',
    '        user = postfix',
    '        group = postfix',
    '      }',
    '    }',
    '  doveconf -n > /dev/null && systemctl reload dovecot',
    '',
    '5. Mail clients',
    '-'.repeat(50),
    `  Import ${names.rootCert} as a trusted root (Thunderbird: Settings > Certificates; macOS: Keychain`,
    '  Access, "Always Trust"; Windows: certmgr.msc, Trusted Root Certification Authorities).',
    `  Clients must use the name ${host}${sans.length > 0 ? ` (or ${sans.join(', ')})` : ''}: the certificate is checked against its SANs only.`,
    '',
    '6. DNS (optional)',
    '-'.repeat(50),
    '  DANE: publish tlsa.txt in a DNSSEC-signed zone (RFC 7672; port 25 only).',
    '  MTA-STS (RFC 8461) needs a publicly trusted certificate: with this private CA, senders in',
    '  "enforce" mode would refuse to deliver. Do not publish an MTA-STS policy for it.',
    '',
    '7. Test (from another machine; non-zero exit and a reason when anything is wrong)',
    '-'.repeat(50),
    ...ports.map(([p, m]) => `  mailpki check ${host}:${p}${m ? ` ${m}` : ''} --ca ${src(names.rootCert)}`),
    '  The same with OpenSSL. Keep -verify_hostname: without it s_client checks no name at all, and even',
    '  with it OpenSSL accepts a certificate that names the host only in its CN; mailpki check does not.',
    ...ports.map(([p, , m]) => `  openssl s_client -connect ${host}:${p}${m ? ` ${m}` : ''} -verify_return_error -verify_hostname ${host} -CAfile ${src(names.rootCert)} </dev/null`),
    '  Look for "Verify return code: 0 (ok)".',
    '',
    '8. Renewal',
    '-'.repeat(50),
    `  The server certificate is valid for ${options.serverDays ?? 'a limited number of'} days (Apple rejects TLS certificates valid for more`,
    '  than 825). Renew it before it ends; the key is kept, so the TLSA 3 1 1 record stays valid:',
    `    mailpki mail renew ${shQuote(outDir)}${options.existingCa ? ` --ca-cert ${shQuote(options.existingCa.certPath)} --ca-key ${shQuote(options.existingCa.keyPath)}` : ''}` +
      `${caKeyEncrypted ? ' --ca-passphrase-file <file with the CA passphrase>' : ''}`,
    '  It replaces server.pem, server-chain.pem and postfix-chain.pem as one set (the old ones stay as *.prev),',
    `  records the new certificate in the CA's issuance database (mailpki ca list), and changes nothing when`,
    '  run with --if-expires-within DAYS before it is due. Install the new files as in step 1, then reload:',
    '    postfix reload',
    '    doveadm reload          (or: systemctl reload dovecot)',
    `  Automatically, on the machine that holds the CA key (here with the files in ${installDir}; the CA key and its`,
    '  passphrase file root-only in /root/mailpki-ca), a daily systemd timer that renews 30 days before the end:',
    '    # /etc/systemd/system/mailpki-renew.service',
    '    [Unit]',
    '    Description=Renew the mail server certificate when it expires within 30 days (mailpki)',
    '    [Service]',
    '    Type=oneshot',
    `    ExecStart=/usr/bin/env mailpki mail renew ${installDir} --ca-cert ${at(names.rootCert)} --ca-key /root/mailpki-ca/${names.rootKey}` +
      `${caKeyEncrypted ? ' --ca-passphrase-file /root/mailpki-ca/ca.pass' : ''} --db /root/mailpki-ca/${names.rootCert.replace(/\.(pem|crt|cer)$/, '')}.issued.jsonl --if-expires-within 30`,
    '    ExecStartPost=/usr/sbin/postfix reload',
    '    ExecStartPost=/usr/bin/doveadm reload',
    '',
    '    # /etc/systemd/system/mailpki-renew.timer',
    '    [Unit]',
    '    Description=Daily mailpki renewal check',
    '    [Timer]',
    '    OnCalendar=daily',
    '    RandomizedDelaySec=1h',
    '    Persistent=true',
    '    [Install]',
    '    WantedBy=timers.target',
    '',
    '    systemctl daemon-reload && systemctl enable --now mailpki-renew.timer',
    '  (A reload when nothing was renewed is harmless.) Monitoring from elsewhere: mailpki check HOST:PORT --ca',
    `  ${names.rootCert} --warn-days 21 exits 1 with reason expires-soon three weeks before the end.`,
    '  A key compromise: mailpki mail renew ... --new-key --revoke-old keyCompromise, then mailpki crl (and a new TLSA record).',
    '',
  ];

  const f = (name: (typeof MAIL_SERVER_FILE_NAMES)[number], content: string): MailServerFile => ({ name, content, mode: 0o644 });
  return [
    f('postfix-main.cf', postfix.mainCf),
    f('postfix-master.cf', postfix.masterCf),
    f('dovecot-2.3-10-ssl.conf', dovecot23),
    f('dovecot-2.4-10-ssl.conf', dovecot24),
    f('tlsa.txt', tlsaTxt),
    f('selinux.sh', selinux),
    f('NEXT-STEPS.txt', next.join('\n')),
  ];
}
