/** `mailpki config postfix|dovecot`: print the TLS configuration for a cert and key. */
import { resolve } from 'node:path';
import { MailPkiError } from '../../errors.js';
import { generateDovecotConfig, generatePostfixConfig } from '../../mail/index.js';
import { isEncryptedPrivateKey } from '../../keys/index.js';
import { flag, str, type CommandSpec } from '../args.js';
import { note, readInput } from '../io.js';
import { assertKeyMatches, loadCertificates, loadPrivateKey } from '../load.js';

const PASS = { fileFlag: 'passphrase-file', envFlag: 'passphrase-env', what: 'server key' };

export const spec: CommandSpec = {
  name: 'config',
  summary: 'Print the TLS settings for Postfix (main.cf + master.cf) or Dovecot (10-ssl.conf) for a certificate and key.',
  usage: [
    'config postfix --cert FILE --key FILE [--version X.Y] [--profile intermediate|modern] [--part main|master]',
    'config postfix --chain-file FILE [--version X.Y] [--profile ..]',
    'config dovecot --cert FILE --key FILE [--version 2.3|2.4] [--profile intermediate|modern]',
  ],
  description: [
    'The files are read to check them (the key must belong to the certificate; Postfix needs an unencrypted key); ' +
      'the settings name them by absolute path, so run this with the paths they will have on the mail server.',
    'Postfix: smtpd_tls_chain_files from 3.4, ">=TLSv1.2" ranges from 3.6, never the deprecated smtpd_use_tls / smtpd_tls_eecdh_grade; ' +
      'port 25 stays opportunistic ("may"), 587 requires STARTTLS, 465 is implicit TLS (RFC 8314). ' +
      'Dovecot: 2.3 (ssl_cert = </path) or 2.4 (ssl_server_cert_file) syntax. Profiles: Mozilla intermediate (default) or modern.',
  ],
  positionals: { min: 1, max: 1, name: 'server (postfix or dovecot)', choices: ['postfix', 'dovecot'] },
  options: {
    cert: { type: 'string', arg: 'FILE', desc: 'server certificate followed by its intermediates' },
    key: { type: 'string', arg: 'FILE', desc: 'server private key (unencrypted for Postfix)' },
    'chain-file': { type: 'string', arg: 'FILE', desc: 'Postfix: one file with key + certificate + intermediates (mailpki chain --key)' },
    version: { type: 'string', arg: 'X.Y', desc: 'server version (postconf -h mail_version / dovecot --version); default Postfix 3.4, Dovecot 2.3' },
    profile: { type: 'string', choices: ['intermediate', 'modern'], default: 'intermediate', desc: 'Mozilla TLS profile' },
    part: { type: 'string', choices: ['main', 'master'], desc: 'Postfix: print only main.cf or only master.cf lines' },
    mlkem: { type: 'boolean', desc: 'offer X25519MLKEM768 first (needs OpenSSL >= 3.5 under the daemon)' },
    'no-check': { type: 'boolean', desc: 'do not read the files (they exist only on the mail server)' },
    'passphrase-file': { type: 'string', arg: 'F', desc: 'Dovecot: passphrase of an encrypted --key (first line of F), to check that it matches the certificate' },
    'passphrase-env': { type: 'string', arg: 'NAME', desc: 'Dovecot: the same from environment variable NAME' },
  },
  exclusive: [
    ['passphrase-file', 'passphrase-env'],
    ['chain-file', 'cert'],
    ['chain-file', 'key'],
  ],
  examples: [
    'mailpki config postfix --cert /etc/mailpki/server-chain.pem --key /etc/mailpki/server.key --version 3.7',
    'mailpki config postfix --chain-file /etc/mailpki/postfix-chain.pem --part main >> /etc/postfix/main.cf',
    'mailpki config dovecot --cert /etc/mailpki/server-chain.pem --key /etc/mailpki/server.key --version 2.4',
  ],
  async run(ctx) {
    const server = ctx.positionals[0] as 'postfix' | 'dovecot';
    const cert = str(ctx, 'cert');
    const key = str(ctx, 'key');
    const chainFile = str(ctx, 'chain-file');
    const version = str(ctx, 'version');
    const profile = str(ctx, 'profile') as 'intermediate' | 'modern' | undefined;
    const mlkem = flag(ctx, 'mlkem');
    if (server === 'dovecot' && chainFile) throw new MailPkiError('ERR_USAGE', 'config dovecot: use --cert and --key (Dovecot reads them from two files)');
    if (server === 'dovecot' && str(ctx, 'part')) throw new MailPkiError('ERR_USAGE', 'config dovecot: --part applies to postfix only');
    if (!chainFile && (!cert || !key)) throw new MailPkiError('ERR_USAGE', `config ${server}: --cert FILE and --key FILE are required${server === 'postfix' ? ' (or --chain-file FILE)' : ''}`);

    let keyEncrypted: boolean | undefined;
    if (!flag(ctx, 'no-check')) {
      const certPath = chainFile ?? cert!;
      const keyPath = chainFile ?? key!;
      const certs = await loadCertificates(certPath);
      const keyInput = await readInput(keyPath);
      keyEncrypted = isEncryptedPrivateKey(keyInput);
      if (keyEncrypted && server === 'postfix') throw new MailPkiError('ERR_KEY_ENCRYPTED', `${keyPath}: the key is encrypted, and Postfix cannot read an encrypted key`);
      // An encrypted PKCS#8 or legacy PEM key does not show its public half: decrypt it to compare
      // (the passphrase from a flag or the terminal); without one, refuse rather than skip the check.
      if (keyEncrypted && str(ctx, 'passphrase-file') === undefined && str(ctx, 'passphrase-env') === undefined && !(ctx.io.stdinIsTTY && ctx.io.stderrIsTTY)) {
        throw new MailPkiError(
          'ERR_PASSPHRASE_REQUIRED',
          `${keyPath}: the key is encrypted, so mailpki cannot check that it belongs to ${certPath} without its passphrase: give --passphrase-file F or --passphrase-env NAME (or --no-check)`,
        );
      }
      const loaded = await loadPrivateKey(ctx, keyPath, PASS);
      assertKeyMatches(loaded.key, certs[0]!.publicKey, keyPath, `the first certificate in ${certPath}`);
      if (keyEncrypted) note(ctx.io, `${keyPath} is encrypted: Dovecot needs its passphrase in ssl_key_password (2.3) / ssl_server_key_password (2.4); see the comment in the output`);
    }
    const common = { ...(version ? { version } : {}), ...(profile ? { profile } : {}), mlkem };
    if (server === 'postfix') {
      const files = chainFile ? { chainFile: resolve(chainFile) } : { certFile: resolve(cert!), keyFile: resolve(key!) };
      const c = generatePostfixConfig({ ...files, ...common });
      const part = str(ctx, 'part');
      if (part === 'main') ctx.io.out(c.mainCf);
      else if (part === 'master') ctx.io.out(c.masterCf);
      else ctx.io.out(`# ---- /etc/postfix/main.cf ----\n${c.mainCf}\n# ---- /etc/postfix/master.cf ----\n${c.masterCf}`);
    } else {
      ctx.io.out(generateDovecotConfig({ certFile: resolve(cert!), keyFile: resolve(key!), ...common, ...(keyEncrypted !== undefined ? { keyEncrypted } : {}) }));
    }
  },
};
