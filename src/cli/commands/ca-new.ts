/** `mailpki ca new`: a self-signed root CA, encrypted key by default. */
import { MailPkiError } from '../../errors.js';
import { describeKey } from '../../keys/index.js';
import { createRootCa, parseName } from '../../x509/index.js';
import { ROOT_CA_PROFILE } from '../../x509/profiles/index.js';
import { checkWritable, writeFilesAtomic, type FileToWrite } from '../../node/file-store.js';
import { flag, list, num, str, type CommandSpec } from '../args.js';
import { note } from '../io.js';
import { existingOrNewKey, keyOptionsFrom, keyTypeOptions, privateKeyPem, passphraseOptions } from '../load.js';

const DEFAULTS = { type: 'ec', bits: '3072', curve: 'P-384' };
const PASS = { fileFlag: 'passphrase-file', envFlag: 'passphrase-env', what: 'CA key' };

export const spec: CommandSpec = {
  name: 'ca new',
  summary: 'Create a root CA: a self-signed certificate with the CA profile (basicConstraints CA:true, keyCertSign + cRLSign).',
  usage: [
    'ca new --subject DN --key-out FILE --cert-out FILE [--key FILE] [--type ..] [--days N]',
    '       [--name-constraint DOMAIN]... [--passphrase-file F | --passphrase-env NAME | --no-passphrase]',
  ],
  description: [
    'DN: "/C=US/O=Example/CN=Example Mail CA" (OpenSSL style) or "CN=Example Mail CA,O=Example,C=US" (RFC 4514).',
    'The CA key is encrypted (PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC) with a passphrase from --passphrase-file, ' +
      '--passphrase-env or the terminal; --no-passphrase writes it unencrypted (only for throw-away test CAs).',
    '--name-constraint limits what the CA can vouch for (RFC 5280 4.2.1.10): a private root installed in a trust store ' +
      'can otherwise sign for any web site. DOMAIN: example.com (DNS), email:example.com, 192.0.2.0/24.',
    `Default key: EC P-384 (a root lives 5 years; SHA-384 signatures). Default validity: ${ROOT_CA_PROFILE.defaultDays} days.`,
  ],
  positionals: { min: 0, max: 0, name: 'argument' },
  options: {
    subject: { type: 'string', required: true, arg: 'DN', desc: 'subject of the CA' },
    'key-out': { type: 'string', arg: 'FILE', desc: 'where to write the new CA key (not with --key)' },
    'cert-out': { type: 'string', required: true, arg: 'FILE', desc: 'where to write the CA certificate' },
    key: { type: 'string', arg: 'FILE', desc: 'use this existing key instead of making one (its passphrase: --passphrase-file/-env)' },
    ...keyTypeOptions(DEFAULTS),
    days: { type: 'string', integer: [1, 36500], arg: 'N', default: String(ROOT_CA_PROFILE.defaultDays), desc: 'validity in days' },
    'path-len': { type: 'string', integer: [0, 10], arg: 'N', desc: 'basicConstraints pathLenConstraint (default: none)' },
    'name-constraint': { type: 'string', multiple: true, arg: 'DOMAIN', desc: 'permit only names under DOMAIN' },
    'exclude-name': { type: 'string', multiple: true, arg: 'DOMAIN', desc: 'exclude names under DOMAIN' },
    ...passphraseOptions('', 'passphrase of the CA key'),
    'no-passphrase': { type: 'boolean', desc: 'write the CA key unencrypted (test CAs only)' },
    force: { type: 'boolean', desc: 'replace existing output files (atomically)' },
  },
  exclusive: [
    ['passphrase-file', 'passphrase-env', 'no-passphrase'],
    ['key', 'key-out'],
  ],
  examples: [
    'mailpki ca new --subject "/O=Example/CN=Example Mail Root CA" --name-constraint example.com \\\n      --key-out ca.key --cert-out ca.crt --passphrase-file ca.pass',
    'mailpki ca new --subject "CN=Test CA" --key-out ca.key --cert-out ca.crt --no-passphrase --days 30',
  ],
  async run(ctx) {
    const keyIn = str(ctx, 'key');
    const keyOut = str(ctx, 'key-out');
    const certOut = str(ctx, 'cert-out')!;
    const force = flag(ctx, 'force');
    if (!keyIn && !keyOut) throw new MailPkiError('ERR_USAGE', 'ca new: --key-out FILE is required (or --key FILE to use an existing key)');
    if (keyIn && (str(ctx, 'type') || str(ctx, 'bits') || str(ctx, 'curve') || flag(ctx, 'no-passphrase'))) {
      throw new MailPkiError('ERR_USAGE', 'ca new: --type/--bits/--curve/--no-passphrase apply to a new key (--key-out), not to --key');
    }
    const subject = parseName(str(ctx, 'subject')!);
    const keyOpts = keyOptionsFrom(ctx, DEFAULTS);
    await checkWritable(keyOut ? [keyOut, certOut] : [certOut], { force });

    const { privateKey, passphrase } = await existingOrNewKey(ctx, {
      existing: keyIn,
      generate: keyOpts,
      what: 'CA key',
      pass: PASS,
      protect: { kind: 'ca', noFlag: 'no-passphrase', noFlagNote: ' for an unencrypted test CA' },
    });
    const permitted = list(ctx, 'name-constraint');
    const excluded = list(ctx, 'exclude-name');
    const cert = createRootCa({
      subject,
      privateKey,
      days: num(ctx, 'days') ?? ROOT_CA_PROFILE.defaultDays,
      ...(num(ctx, 'path-len') !== undefined ? { pathLen: num(ctx, 'path-len')! } : {}),
      ...(permitted.length || excluded.length ? { nameConstraints: { permitted, excluded } } : {}),
    });
    const files: FileToWrite[] = [{ path: certOut, data: cert.pem, kind: 'cert' }];
    if (keyOut) files.unshift({ path: keyOut, data: privateKeyPem(privateKey, passphrase), kind: 'key' });
    await writeFilesAtomic(files, { force });
    if (keyOut) ctx.io.out(`wrote ${keyOut}: ${describeKey(privateKey)} CA key, ${passphrase !== undefined ? 'encrypted' : 'UNENCRYPTED'}, mode 0600\n`);
    ctx.io.out(`wrote ${certOut}: root CA certificate, valid until ${cert.notAfter.toISOString().slice(0, 10)}\n`);
    for (const w of cert.warnings) note(ctx.io, w.message);
    if (keyOut && passphrase === undefined) note(ctx.io, 'the CA key is not encrypted (--no-passphrase): anyone who can read it can issue certificates');
    if (!permitted.length) note(ctx.io, 'no --name-constraint: this CA can vouch for any name once it is trusted');
  },
};
