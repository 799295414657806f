/** `mailpki chain`: order certificates into a chain file; optionally key first (Postfix smtpd_tls_chain_files). */
import { buildChain, encodeChainPem, encodeKeyAndChainPem } from '../../x509/index.js';
import { checkWritable, writeFileAtomic } from '../../node/file-store.js';
import { displayName } from '../../x509/name.js';
import type { Certificate } from '../../x509/types.js';
import { flag, str, type CommandSpec } from '../args.js';
import { escapeTerminal } from '../../encoding/terminal.js';
import { loadCertificates, loadPrivateKey } from '../load.js';

const PASS = { fileFlag: 'passphrase-file', envFlag: 'passphrase-env', what: 'key' };

export const spec: CommandSpec = {
  name: 'chain',
  summary: 'Put certificates in chain order (leaf first, then each issuer) into one file; optionally the private key first.',
  usage: ['chain FILE... --out FILE [--key FILE] [--with-root] [--leaf FILE]'],
  description: [
    'Reads every certificate from every FILE (PEM bundles or DER), finds the leaf and orders its issuers; an intermediate that is ' +
      'missing or does not sign the one below it is an error naming that certificate. The root is left out unless --with-root ' +
      '(clients must already have it; sending it only costs bytes; DANE 2 1 1 needs it).',
    'With --key, the file holds the unencrypted key followed by the chain, mode 0600: what Postfix >= 3.4 smtpd_tls_chain_files wants ' +
      '(key and certificate can never get out of step during a rollover). The key must belong to the leaf.',
    'The output is written to a temp file and renamed: `mailpki chain mail.pem bundle.crt --out mail.pem --force` is safe, ' +
      'unlike `cat mail.pem bundle.crt > mail.pem`, where the shell empties mail.pem before cat reads it.',
  ],
  positionals: { min: 1, max: 64, name: 'FILE (certificates)' },
  options: {
    out: { type: 'string', required: true, arg: 'FILE', desc: 'where to write the chain' },
    key: { type: 'string', arg: 'FILE', desc: 'put this (unencrypted) private key first; it must match the leaf' },
    leaf: { type: 'string', arg: 'FILE', desc: 'the leaf is the first certificate of this file (default: found automatically)' },
    'with-root': { type: 'boolean', desc: 'include the self-signed root' },
    'passphrase-file': { type: 'string', arg: 'F', desc: 'passphrase of an encrypted --key (it is written decrypted!)' },
    'passphrase-env': { type: 'string', arg: 'NAME', desc: 'the same, from environment variable NAME' },
    force: { type: 'boolean', desc: 'replace an existing output file (atomically)' },
  },
  exclusive: [['passphrase-file', 'passphrase-env']],
  examples: [
    'mailpki chain mail.crt intermediate.crt --out mail.chain.pem',
    'mailpki chain mail.crt intermediate.crt --key mail.key --out /etc/postfix/mail.key-chain.pem',
  ],
  async run(ctx) {
    const out = str(ctx, 'out')!;
    const keyPath = str(ctx, 'key');
    const leafPath = str(ctx, 'leaf');
    const force = flag(ctx, 'force');
    await checkWritable([out], { force });
    const certs: Certificate[] = [];
    for (const f of ctx.positionals) certs.push(...(await loadCertificates(f)));
    const leaf = leafPath ? (await loadCertificates(leafPath))[0] : undefined;
    if (leaf) certs.unshift(leaf);
    const { chain } = buildChain(certs, { ...(leaf ? { leaf } : {}), withRoot: flag(ctx, 'with-root') });
    let text = encodeChainPem(chain);
    if (keyPath) {
      const { key } = await loadPrivateKey(ctx, keyPath, PASS);
      text = encodeKeyAndChainPem(key, chain); // ERR_KEY_MISMATCH unless the key is the leaf's
    }
    await writeFileAtomic(out, text, { kind: keyPath ? 'key' : 'cert', force });
    ctx.io.out(`wrote ${out}: ${keyPath ? 'private key + ' : ''}${chain.length} certificate${chain.length > 1 ? 's' : ''}${keyPath ? ', mode 0600' : ''}\n`);
    for (const c of chain) ctx.io.out(`  ${subjectLine(c)}\n`);
  },
};

function subjectLine(c: Certificate): string {
  return `${escapeTerminal(displayName(c.subject))} (until ${c.notAfter.toISOString().slice(0, 10)})`;
}
