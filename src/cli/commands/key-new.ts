/** `mailpki key new`: generate a private key and write it (0600). */
import { MailPkiError } from '../../errors.js';
import { encodePrivateKeyPem, encryptPrivateKeyPem, describeKey } from '../../keys/index.js';
import { checkWritable, writeFileAtomic } from '../../node/file-store.js';
import { flag, str, type CommandSpec } from '../args.js';
import { getPassphrase, note } from '../io.js';
import { generateWithProgress, keyOptionsFrom, keyTypeOptions } from '../load.js';

const DEFAULTS = { type: 'ec', bits: '2048', curve: 'P-256' };
const PASS = { fileFlag: 'passphrase-file', envFlag: 'passphrase-env', what: 'new key' };

export const spec: CommandSpec = {
  name: 'key new',
  summary: 'Generate a private key (PKCS#8 PEM, mode 0600).',
  usage: ['key new --type rsa|ec|ed25519 [--bits N] [--curve P-256|P-384|P-521] --out FILE [--passphrase-file F]'],
  description: [
    'Default: EC P-256, which Postfix, Dovecot and every current mail client accept, made in milliseconds. ' +
      'Use --type rsa --bits 2048 (or more) for very old clients.',
    'The key is written unencrypted unless a passphrase is given (--passphrase-file, --passphrase-env, or --encrypt to be asked on the terminal): ' +
      'a key for Postfix must stay unencrypted, because Postfix cannot read an encrypted key. Encryption: PBES2, PBKDF2-HMAC-SHA256 + AES-256-CBC.',
  ],
  positionals: { min: 0, max: 0, name: 'argument' },
  options: {
    ...keyTypeOptions(DEFAULTS),
    out: { type: 'string', required: true, arg: 'FILE', desc: 'where to write the key (refuses to overwrite)' },
    'passphrase-file': { type: 'string', arg: 'F', desc: 'encrypt the key with the first line of F' },
    'passphrase-env': { type: 'string', arg: 'NAME', desc: 'encrypt the key with the value of environment variable NAME' },
    encrypt: { type: 'boolean', desc: 'encrypt the key with a passphrase asked on the terminal' },
    force: { type: 'boolean', desc: 'replace an existing output file (atomically)' },
  },
  exclusive: [['passphrase-file', 'passphrase-env']],
  examples: [
    'mailpki key new --out server.key                      # EC P-256, unencrypted (for Postfix/Dovecot)',
    'mailpki key new --type rsa --bits 3072 --out server.key',
    'mailpki key new --type ec --curve P-384 --out ca.key --passphrase-file ca.pass',
  ],
  async run(ctx) {
    const out = str(ctx, 'out')!;
    const force = flag(ctx, 'force');
    const opts = keyOptionsFrom(ctx, DEFAULTS);
    await checkWritable([out], { force });
    const wantsPass = flag(ctx, 'encrypt') || str(ctx, 'passphrase-file') !== undefined || str(ctx, 'passphrase-env') !== undefined;
    let passphrase: string | undefined;
    if (wantsPass) {
      passphrase = await getPassphrase(ctx, PASS, { confirm: true });
      if (passphrase === undefined) {
        throw new MailPkiError('ERR_PASSPHRASE_REQUIRED', '--encrypt needs a terminal to ask for the passphrase; use --passphrase-file F or --passphrase-env NAME');
      }
    }
    const { privateKey } = await generateWithProgress(ctx, opts, 'key');
    const pem = passphrase !== undefined ? encryptPrivateKeyPem(privateKey, passphrase) : encodePrivateKeyPem(privateKey);
    await writeFileAtomic(out, pem, { kind: 'key', force });
    ctx.io.out(`wrote ${out}: ${describeKey(privateKey)} private key, ${passphrase !== undefined ? 'encrypted' : 'unencrypted'}, mode 0600\n`);
    if (passphrase === undefined) note(ctx.io, 'the key is not encrypted, as a server key for Postfix must be; for any other use give --encrypt or --passphrase-file F');
  },
};
