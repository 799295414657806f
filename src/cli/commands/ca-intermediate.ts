/** `mailpki ca intermediate`: an intermediate CA signed by a CA (pathLen 0). */
import { describeKey } from '../../keys/index.js';
import { buildChain, createIntermediateCa, encodeChainPem, parseName } from '../../x509/index.js';
import { INTERMEDIATE_CA_PROFILE } from '../../x509/profiles/index.js';
import { checkWritable, writeFilesAtomic, type FileToWrite } from '../../node/file-store.js';
import { flag, num, str, type CommandSpec } from '../args.js';
import { note } from '../io.js';
import { assertKeyMatches, existingOrNewKey, keyOptionsFrom, keyTypeOptions, loadCertificates, loadPrivateKey, privateKeyPem, passphraseOptions } from '../load.js';
import { DB_OPTION, recordIssued } from '../ca-db.js';

const DEFAULTS = { type: 'ec', bits: '3072', curve: 'P-384' };
const CA_PASS = { fileFlag: 'ca-passphrase-file', envFlag: 'ca-passphrase-env', what: 'issuing CA key' };
const PASS = { fileFlag: 'passphrase-file', envFlag: 'passphrase-env', what: 'new intermediate CA key' };

export const spec: CommandSpec = {
  name: 'ca intermediate',
  summary: 'Create an intermediate CA signed by a CA (basicConstraints CA:true, pathLen 0 by default).',
  usage: [
    'ca intermediate --ca CERT --ca-key KEY --subject DN --key-out FILE --cert-out FILE',
    '       [--ca-passphrase-file F] [--type ..] [--days N] [--passphrase-file F | --no-passphrase] [--chain-out FILE]',
  ],
  description: [
    'The issuing CA key is read with --ca-passphrase-file / --ca-passphrase-env or a terminal prompt when it is encrypted. ' +
      'The new key is encrypted like a root key (--passphrase-file / --passphrase-env / prompt) unless --no-passphrase.',
    `Default validity ${INTERMEDIATE_CA_PROFILE.defaultDays} days (the library's intermediate profile), cut to the issuer's notAfter if it would outlive it.`,
    'The new intermediate is recorded in the issuing CA\'s issuance database (--db, default next to --ca) before anything is written.',
  ],
  positionals: { min: 0, max: 0, name: 'argument' },
  options: {
    ca: { type: 'string', required: true, arg: 'CERT', desc: 'issuing CA certificate (a file with its chain is fine: the first cert is the issuer)' },
    'ca-key': { type: 'string', required: true, arg: 'KEY', desc: 'issuing CA private key' },
    ...passphraseOptions('ca-', 'passphrase of --ca-key'),
    subject: { type: 'string', required: true, arg: 'DN', desc: 'subject of the intermediate CA' },
    'key-out': { type: 'string', required: true, arg: 'FILE', desc: 'where to write the new key' },
    'cert-out': { type: 'string', required: true, arg: 'FILE', desc: 'where to write the intermediate certificate' },
    'chain-out': { type: 'string', arg: 'FILE', desc: 'also write the intermediate followed by the issuer chain (without the root)' },
    ...keyTypeOptions(DEFAULTS),
    days: { type: 'string', integer: [1, 36500], arg: 'N', default: String(INTERMEDIATE_CA_PROFILE.defaultDays), desc: 'validity in days (never past the issuer\'s notAfter)' },
    'path-len': { type: 'string', integer: [0, 10], arg: 'N', default: String(INTERMEDIATE_CA_PROFILE.pathLen), desc: 'basicConstraints pathLenConstraint' },
    ...passphraseOptions('', 'passphrase for the new key'),
    'no-passphrase': { type: 'boolean', desc: 'write the new key unencrypted (test CAs only)' },
    force: { type: 'boolean', desc: 'replace existing output files (atomically)' },
    ...DB_OPTION,
  },
  exclusive: [
    ['passphrase-file', 'passphrase-env', 'no-passphrase'],
    ['ca-passphrase-file', 'ca-passphrase-env'],
  ],
  examples: [
    'mailpki ca intermediate --ca root.crt --ca-key root.key --ca-passphrase-file root.pass \\\n      --subject "/O=Example/CN=Example Mail Issuing CA" --key-out int.key --cert-out int.crt --passphrase-file int.pass',
  ],
  async run(ctx) {
    const keyOut = str(ctx, 'key-out')!;
    const certOut = str(ctx, 'cert-out')!;
    const chainOut = str(ctx, 'chain-out');
    const force = flag(ctx, 'force');
    const subject = parseName(str(ctx, 'subject')!);
    const keyOpts = keyOptionsFrom(ctx, DEFAULTS);
    await checkWritable([keyOut, certOut, ...(chainOut ? [chainOut] : [])], { force });

    const caPath = str(ctx, 'ca')!;
    const caKeyPath = str(ctx, 'ca-key')!;
    const caCerts = await loadCertificates(caPath);
    const issuer = caCerts[0]!;
    const { key: issuerKey } = await loadPrivateKey(ctx, caKeyPath, CA_PASS);
    assertKeyMatches(issuerKey, issuer.publicKey, caKeyPath, `the certificate in ${caPath}`);

    const { privateKey, publicKey, passphrase } = await existingOrNewKey(ctx, {
      generate: keyOpts,
      what: 'intermediate CA key',
      pass: PASS,
      protect: { kind: 'ca', noFlag: 'no-passphrase', refusalWhat: 'new CA key' },
    });
    const cert = createIntermediateCa({
      subject,
      publicKey,
      issuer,
      issuerKey,
      issuerChain: caCerts.slice(1),
      ...(num(ctx, 'days') !== undefined ? { days: num(ctx, 'days')! } : {}),
      ...(num(ctx, 'path-len') !== undefined ? { pathLen: num(ctx, 'path-len')! } : {}),
    });
    const files: FileToWrite[] = [
      { path: keyOut, data: privateKeyPem(privateKey, passphrase), kind: 'key' },
      { path: certOut, data: cert.pem, kind: 'cert' },
    ];
    if (chainOut) {
      const { chain } = buildChain([cert, ...caCerts], { leaf: cert, withRoot: false });
      files.push({ path: chainOut, data: encodeChainPem(chain), kind: 'cert' });
    }
    await recordIssued(ctx, caPath, cert, 'intermediate-ca');
    await writeFilesAtomic(files, { force });
    ctx.io.out(`wrote ${keyOut}: ${describeKey(privateKey)} intermediate CA key, ${passphrase !== undefined ? 'encrypted' : 'UNENCRYPTED'}, mode 0600\n`);
    ctx.io.out(`wrote ${certOut}: intermediate CA certificate, valid until ${cert.notAfter.toISOString().slice(0, 10)}\n`);
    if (chainOut) ctx.io.out(`wrote ${chainOut}: intermediate + issuer chain (no root)\n`);
    for (const w of cert.warnings) note(ctx.io, w.message);
    if (passphrase === undefined) note(ctx.io, 'the CA key is not encrypted (--no-passphrase): anyone who can read it can issue certificates');
  },
};

