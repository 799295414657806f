/** `mailpki csr new`: a PKCS#10 request with SANs, from an existing key or a new one. */
import { MailPkiError } from '../../errors.js';
import { describeKey } from '../../keys/index.js';
import { cnAsSan, createCertificateRequest, parseName, parseSan } from '../../x509/index.js';
import type { DistinguishedName, GeneralName } from '../../x509/types.js';
import { checkWritable, writeFilesAtomic, type FileToWrite } from '../../node/file-store.js';
import { flag, list, str, type CommandSpec } from '../args.js';
import { note } from '../io.js';
import { existingOrNewKey, keyOptionsFrom, keyTypeOptions, loadCertificates, privateKeyPem } from '../load.js';

const DEFAULTS = { type: 'ec', bits: '2048', curve: 'P-256' };
const PASS = { fileFlag: 'passphrase-file', envFlag: 'passphrase-env', what: 'key' };

export const spec: CommandSpec = {
  name: 'csr new',
  summary: 'Create a certificate signing request (PKCS#10) with subjectAltNames, signed by its key (proof of possession).',
  usage: [
    'csr new [--subject DN] --san NAME [--san NAME]... (--key FILE | --key-out FILE [--type ..]) --out FILE',
    'csr new --from-cert CERT [--san NAME]... (--key FILE | --key-out FILE) --out FILE',
  ],
  description: [
    'DN: "/C=US/O=Example/CN=mail.example.com" or "CN=mail.example.com,O=Example,C=US". ' +
      'NAME in --san is typed automatically: mail.example.com (DNS), 192.0.2.1 / 2001:db8::1 (IP), postmaster@example.com (email); a URI only with a prefix, uri:https://... (a name:port or a URL is refused with the host name it probably meant).',
    'Clients ignore the CN and check only the SANs (RFC 9525); a host name or IP address CN with no --san is added as a SAN (DNS or IP, as `mailpki sign` would), with a note.',
    'With --key-out a new key is made (EC P-256 by default) and written unencrypted, because Postfix cannot read an encrypted key; ' +
      'give --passphrase-file / --passphrase-env to encrypt it anyway (for Dovecot or other servers that can ask for it).',
    'Without --subject the subject is CN=<the first --san> (as mail init does). ' +
      '--from-cert takes the subject and every SAN of an existing certificate (a renewal: add --key with the old key to keep it, ' +
      'which keeps a DANE 3 1 1 record valid); --san adds names, --subject replaces the subject.',
  ],
  positionals: { min: 0, max: 0, name: 'argument' },
  options: {
    subject: { type: 'string', arg: 'DN', desc: 'subject name (default: CN=<first --san>, or the subject of --from-cert)' },
    'from-cert': { type: 'string', arg: 'CERT', desc: 'copy subject and SANs from this certificate' },
    san: { type: 'string', multiple: true, arg: 'NAME', desc: 'subjectAltName (DNS, IP, email or URI, typed automatically)' },
    key: { type: 'string', arg: 'FILE', desc: 'existing private key (its passphrase, if encrypted: --passphrase-file/-env or prompt)' },
    'key-out': { type: 'string', arg: 'FILE', desc: 'make a new key and write it here (mode 0600)' },
    ...keyTypeOptions(DEFAULTS),
    out: { type: 'string', required: true, arg: 'FILE', desc: 'where to write the CSR' },
    'passphrase-file': { type: 'string', arg: 'F', desc: 'passphrase of --key, or to encrypt --key-out: first line of F' },
    'passphrase-env': { type: 'string', arg: 'NAME', desc: 'the same, from environment variable NAME' },
    force: { type: 'boolean', desc: 'replace existing output files (atomically)' },
  },
  exclusive: [
    ['key', 'key-out'],
    ['passphrase-file', 'passphrase-env'],
  ],
  examples: [
    'mailpki csr new --subject "/O=Example/CN=mail.example.com" --san mail.example.com --san smtp.example.com \\\n      --key-out mail.key --out mail.csr',
    'mailpki csr new --key existing.key --san mail.example.com --san smtp.example.com --out mail.csr',
    'mailpki csr new --from-cert server.pem --key server.key --out renew.csr',
  ],
  async run(ctx) {
    const keyIn = str(ctx, 'key');
    const keyOut = str(ctx, 'key-out');
    const out = str(ctx, 'out')!;
    const force = flag(ctx, 'force');
    if (!keyIn && !keyOut) throw new MailPkiError('ERR_USAGE', 'csr new: give --key FILE (an existing key) or --key-out FILE (make a new one)');
    if (keyIn && (str(ctx, 'type') || str(ctx, 'bits') || str(ctx, 'curve'))) {
      throw new MailPkiError('ERR_USAGE', 'csr new: --type/--bits/--curve apply to a new key (--key-out), not to --key');
    }
    const fromPath = str(ctx, 'from-cert');
    const from = fromPath !== undefined ? (await loadCertificates(fromPath))[0]! : undefined;
    const sans: GeneralName[] = [...(from?.decoded.subjectAltName ?? [])];
    for (const g of list(ctx, 'san').map((s) => parseSan(s))) if (!sans.some((h) => sameName(g, h))) sans.push(g);
    const subjectArg = str(ctx, 'subject');
    let subject: DistinguishedName;
    if (subjectArg !== undefined) subject = parseName(subjectArg);
    else if (from) subject = from.subject;
    else {
      const first = sans.find((g) => g.type === 'dns' || g.type === 'ip' || g.type === 'email');
      if (!first) throw new MailPkiError('ERR_USAGE', 'csr new: give --subject DN, --san NAME (the CN is then the first name) or --from-cert CERT');
      subject = parseName({ CN: (first as { value: string }).value });
    }
    const keyOpts = keyOptionsFrom(ctx, DEFAULTS);
    await checkWritable(keyOut ? [keyOut, out] : [out], { force });

    const { privateKey, passphrase } = await existingOrNewKey(ctx, { existing: keyIn, generate: keyOpts, what: 'key', pass: PASS, protect: { kind: 'on-request' } });
    if (sans.length === 0) {
      // The library's rule (issueCertificate does the same), so the request and the certificate agree.
      const cnSan = cnAsSan(subject);
      if (cnSan) {
        sans.push(cnSan);
        note(ctx.io, `no --san given: added the CN ${cnSan.value} as ${cnSan.type === 'ip' ? 'an IP' : 'a DNS'} SAN (clients check only SANs)`);
      } else {
        note(ctx.io, 'the CSR has no subjectAltName: a TLS server certificate needs one (mailpki sign --san NAME can add it)');
      }
    }
    const csr = createCertificateRequest({ subject, sans, privateKey });
    const files: FileToWrite[] = [{ path: out, data: csr.pem, kind: 'cert' }];
    if (keyOut) files.unshift({ path: keyOut, data: privateKeyPem(privateKey, passphrase), kind: 'key' });
    await writeFilesAtomic(files, { force });
    if (keyOut) {
      ctx.io.out(`wrote ${keyOut}: ${describeKey(privateKey)} private key, ${passphrase !== undefined ? 'encrypted' : 'unencrypted'}, mode 0600\n`);
    }
    ctx.io.out(`wrote ${out}: certificate request for ${sans.map((s) => ('value' in s ? String(s.value) : s.type)).join(', ') || '(no SAN)'}\n`);
    if (keyOut && passphrase === undefined) {
      // The Postfix reason only for a server's request (a host name or address among the names).
      const forServer = sans.some((g) => g.type === 'dns' || g.type === 'ip');
      note(
        ctx.io,
        forServer
          ? 'the key is not encrypted because Postfix cannot read an encrypted key; it is mode 0600, keep it root-only'
          : 'the key is not encrypted (mode 0600); give --passphrase-file F or --passphrase-env NAME to encrypt it',
      );
    }
  },
};

function sameName(a: GeneralName, b: GeneralName): boolean {
  return a.type === b.type && 'value' in a && 'value' in b && typeof a.value === 'string' && typeof b.value === 'string' && a.value.toLowerCase() === b.value.toLowerCase();
}
