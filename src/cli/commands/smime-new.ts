/**
 * `mailpki smime new ADDRESS`: an S/MIME certificate for one mailbox, issued
 * by a private CA, with its key, a `.p12` ready to import and IMPORT.txt
 * (Thunderbird, Outlook, Apple Mail, iOS).
 *
 * CA/Browser Forum S/MIME Baseline Requirements, mailbox-validated
 * ("strict") profile, and where we deviate because the CA is private:
 * - SAN rfc822Name = the address (7.1.2.3 h); EKU emailProtection only
 *   (7.1.2.3 f); KU critical, dual use: digitalSignature + keyEncipherment
 *   (RSA) or + keyAgreement (EC) (7.1.2.3 e); BC CA:false; SKI, AKI;
 *   random serial >= 64 bits (7.1); validity 397 days by default, at most
 *   825 (6.3.2); RSA >= 2048 or EC P-256/384/521 (6.1.5).
 * - Deviations: subject commonName is `--name` when given (a personal name,
 *   which the BR allow only in the sponsor/individual-validated profiles;
 *   mailbox-validated wants the address there, which we use without
 *   --name) because mail clients show the CN; no certificatePolicies
 *   (the CA/B policy OIDs assert public-CA validation that a private CA did
 *   not do), no CRL distribution point / AIA (a private CA publishes none;
 *   clients do not require them for a CA they trust explicitly).
 */
import { MailPkiError } from '../../errors.js';
import { describeKey, encodePkcs12, encodePrivateKeyPem, encryptPrivateKeyPem, getPublicKey } from '../../keys/index.js';
import { issueCertificate, parseSan } from '../../x509/index.js';
import { SMIME_PROFILE } from '../../x509/profiles/index.js';
import type { Certificate } from '../../x509/types.js';
import type { IssuedCertificate } from '../../x509/index.js';
import type { PrivateKey } from '../../crypto/key-types.js';
import { checkWritable, writeFilesAtomic, type FileToWrite } from '../../node/file-store.js';
import { encodePem } from '../../encoding/pem.js';
import { flag, num, str, type CommandSpec } from '../args.js';
import { getPassphrase, note } from '../io.js';
import { assertKeyMatches, generateWithProgress, loadCertificates, loadPrivateKey, passphraseOptions } from '../load.js';
import { join } from 'node:path';

const CA_PASS = { fileFlag: 'ca-passphrase-file', envFlag: 'ca-passphrase-env', what: 'CA key' };
const P12_PASS = { fileFlag: 'passphrase-file', envFlag: 'passphrase-env', what: 'new .p12 and key' };

/** What {@link issueMailboxCertificate} needs. */
export interface MailboxCertificateRequest {
  readonly address: string;
  readonly name?: string;
  readonly privateKey: PrivateKey;
  readonly issuer: Certificate;
  readonly issuerKey: PrivateKey;
  /** Certificates after the issuer in the CA file (intermediates, root), put in the .p12. */
  readonly caChain: readonly Certificate[];
  readonly days?: number;
  readonly passphrase: string;
  readonly legacy: boolean;
}

/**
 * The one place `smime new` issues a certificate (and builds its .p12).
 * The issuance database of the lifecycle work records issued certificates
 * here once it exists: add the call after `issueCertificate` below.
 */
export function issueMailboxCertificate(r: MailboxCertificateRequest): { certificate: IssuedCertificate; p12: Uint8Array } {
  const san = parseSan(r.address);
  if (san.type !== 'email') throw new MailPkiError('ERR_SAN_INVALID', `${JSON.stringify(r.address.slice(0, 80))} is not an email address`);
  const certificate = issueCertificate({
    profile: 'smime',
    publicKey: getPublicKey(r.privateKey),
    subject: { CN: r.name ?? san.value },
    sans: [san],
    issuer: r.issuer,
    issuerKey: r.issuerKey,
    ...(r.days !== undefined ? { days: r.days } : {}),
  });
  // (issuance database: record `certificate` here)
  const p12 = encodePkcs12({
    key: r.privateKey,
    certificate,
    chain: [r.issuer, ...r.caChain],
    friendlyName: r.name ? `${r.name} <${san.value}>` : san.value,
    passphrase: r.passphrase,
    compatibility: r.legacy ? 'legacy' : 'default',
  });
  return { certificate, p12 };
}

export const spec: CommandSpec = {
  name: 'smime new',
  summary: 'Issue an S/MIME certificate for a mailbox from your CA: key, certificate, a .p12 to import, and IMPORT.txt.',
  usage: [
    'smime new ADDRESS [--name "Full Name"] --ca-cert FILE --ca-key FILE [--ca-passphrase-file F] [--key-type rsa|ec]',
    '          [--days N] [--legacy] --out DIR [--passphrase-file F | --passphrase-env NAME | --no-passphrase]',
  ],
  description: [
    'Writes into DIR: ADDRESS.key (PKCS#8, encrypted with the .p12 passphrase; mode 0600), ADDRESS.crt, ADDRESS.p12 ' +
      '(key, certificate and the CA chain; mode 0600), ca.crt (the CA certificates, for the people who will verify your mail) ' +
      'and IMPORT.txt (how to import into Thunderbird, Outlook, Apple Mail and iOS).',
    'The certificate follows the CA/Browser Forum S/MIME Baseline Requirements for a mailbox-validated certificate: the address ' +
      `as an rfc822Name SAN, emailProtection only, digitalSignature + keyEncipherment (RSA) or + keyAgreement (EC), ${SMIME_PROFILE.defaultDays} days by ` +
      `default (at most ${SMIME_PROFILE.maxDays}). Deviations for a private CA: --name becomes the subject CN (mail clients show it); no CA/B policy ` +
      'OID, CRL or AIA.',
    'Default key: RSA 2048 (every mail client can encrypt to it; EC P-256 S/MIME encryption is not supported everywhere). ' +
      '--legacy writes the .p12 with 3DES and a SHA-1 MAC for macOS before 15, older Windows, Android.',
  ],
  positionals: { min: 1, max: 1, name: 'ADDRESS' },
  options: {
    name: { type: 'string', arg: 'TEXT', desc: 'the person\'s name (subject CN and the name key stores show)' },
    'ca-cert': { type: 'string', required: true, arg: 'FILE', desc: 'issuing CA certificate, optionally followed by its chain' },
    'ca-key': { type: 'string', required: true, arg: 'FILE', desc: 'issuing CA private key' },
    ...passphraseOptions('ca-', 'passphrase of --ca-key'),
    'key-type': { type: 'string', choices: ['rsa', 'ec'], default: 'rsa', desc: 'key of the new certificate (RSA 2048 or EC P-256)' },
    bits: { type: 'string', choices: ['2048', '3072', '4096'], arg: 'N', default: '2048', desc: 'RSA modulus size' },
    days: { type: 'string', integer: [1, SMIME_PROFILE.maxDays!], arg: 'N', default: String(SMIME_PROFILE.defaultDays), desc: `validity in days (S/MIME BR: at most ${SMIME_PROFILE.maxDays})` },
    legacy: { type: 'boolean', desc: '.p12 with 3DES + SHA-1 MAC for old importers' },
    out: { type: 'string', required: true, arg: 'DIR', desc: 'directory for the files (created 0700 if missing)' },
    ...passphraseOptions('', 'passphrase of the .p12 and the key'),
    'no-passphrase': { type: 'boolean', desc: 'empty .p12 passphrase and an unencrypted key file (tests only)' },
    force: { type: 'boolean', desc: 'replace existing output files (atomically)' },
  },
  exclusive: [
    ['passphrase-file', 'passphrase-env', 'no-passphrase'],
    ['ca-passphrase-file', 'ca-passphrase-env'],
  ],
  examples: [
    'mailpki smime new alice@example.com --name "Alice Example" --ca-cert ca.crt --ca-key ca.key --ca-passphrase-file ca.pass --out alice',
    'mailpki smime new bob@example.com --key-type ec --ca-cert ca.crt --ca-key ca.key --out bob --passphrase-env P12_PASS',
  ],
  async run(ctx) {
    const address = ctx.positionals[0]!;
    const san = parseSan(address);
    if (san.type !== 'email') throw new MailPkiError('ERR_USAGE', `smime new: ${JSON.stringify(address.slice(0, 80))} is not an email address`);
    const keyType = str(ctx, 'key-type') ?? 'rsa';
    if (keyType !== 'rsa' && str(ctx, 'bits') !== undefined) throw new MailPkiError('ERR_USAGE', 'smime new: --bits applies to --key-type rsa');
    const dir = str(ctx, 'out')!;
    const base = san.value.replace(/[^A-Za-z0-9._@+-]/g, '_');
    const paths = { key: join(dir, `${base}.key`), cert: join(dir, `${base}.crt`), p12: join(dir, `${base}.p12`), ca: join(dir, 'ca.crt'), howto: join(dir, 'IMPORT.txt') };
    const force = flag(ctx, 'force');
    await checkWritable(Object.values(paths), { force });

    const caPath = str(ctx, 'ca-cert')!;
    const caKeyPath = str(ctx, 'ca-key')!;
    const [issuer, ...caChain] = await loadCertificates(caPath);
    const { key: issuerKey } = await loadPrivateKey(ctx, caKeyPath, CA_PASS);
    assertKeyMatches(issuerKey, issuer!.publicKey, caKeyPath, `the certificate in ${caPath}`);

    let passphrase = '';
    if (!flag(ctx, 'no-passphrase')) {
      const p = await getPassphrase(ctx, P12_PASS, { confirm: true });
      if (p === undefined) {
        throw new MailPkiError('ERR_PASSPHRASE_REQUIRED', 'the .p12 needs a passphrase: give --passphrase-file F or --passphrase-env NAME (no terminal to prompt on), or --no-passphrase (tests only)');
      }
      passphrase = p;
    }
    const keyOpts = keyType === 'ec' ? ({ type: 'ec', curve: 'P-256' } as const) : ({ type: 'rsa', bits: Number(str(ctx, 'bits') ?? 2048) as 2048 | 3072 | 4096 } as const);
    const { privateKey } = await generateWithProgress(ctx, keyOpts, 'S/MIME key');
    const days = num(ctx, 'days');
    const name = str(ctx, 'name');
    const { certificate, p12 } = issueMailboxCertificate({
      address: san.value,
      ...(name !== undefined ? { name } : {}),
      privateKey,
      issuer: issuer!,
      issuerKey,
      caChain,
      ...(days !== undefined ? { days } : {}),
      passphrase,
      legacy: flag(ctx, 'legacy'),
    });
    const keyPem = passphrase ? encryptPrivateKeyPem(privateKey, passphrase) : encodePrivateKeyPem(privateKey);
    const files: FileToWrite[] = [
      { path: paths.key, data: keyPem, kind: 'key' },
      { path: paths.cert, data: certificate.pem, kind: 'cert' },
      { path: paths.p12, data: p12, kind: 'key' },
      { path: paths.ca, data: [issuer!, ...caChain].map((c) => encodePem('CERTIFICATE', c.der)).join(''), kind: 'cert' },
      { path: paths.howto, data: importText(base, san.value, flag(ctx, 'legacy')), kind: 'text' },
    ];
    await writeFilesAtomic(files, { force });
    ctx.io.out(`wrote ${paths.key}: ${describeKey(privateKey)} key, ${passphrase ? 'encrypted with the .p12 passphrase' : 'UNENCRYPTED'}, mode 0600\n`);
    ctx.io.out(`wrote ${paths.cert}: S/MIME certificate for ${san.value}, valid until ${certificate.notAfter.toISOString().slice(0, 10)}\n`);
    ctx.io.out(`wrote ${paths.p12}: PKCS#12 (key, certificate, ${1 + caChain.length} CA certificate${caChain.length ? 's' : ''}), mode 0600\n`);
    ctx.io.out(`wrote ${paths.ca}: the CA certificate${caChain.length ? 's' : ''} (recipients must trust it to verify your mail)\n`);
    ctx.io.out(`wrote ${paths.howto}: how to import into Thunderbird, Outlook, Apple Mail and iOS\n`);
    for (const w of certificate.warnings) note(ctx.io, w.message);
    if (!passphrase) note(ctx.io, 'no passphrase (--no-passphrase): the .p12 opens with an empty passphrase and the key file is unencrypted');
  },
};

/** IMPORT.txt: short, per client. */
function importText(base: string, address: string, legacy: boolean): string {
  const title = `Importing the S/MIME certificate for ${address}`;
  const w = base.length + 6;
  const row = (name: string, what: string): string => `  ${name.padEnd(w)}  ${what}`;
  return `${title}
${'='.repeat(title.length)}

Files:
${row(`${base}.p12`, 'your key and certificate (what mail clients import); passphrase as given')}
${row(`${base}.crt`, 'your certificate alone (to give to others; they can also take it from a signed mail)')}
${row(`${base}.key`, 'your private key (PEM, for openssl); keep it secret')}
${row('ca.crt', 'the certificate of the CA that issued yours')}

Your private CA is not trusted by anyone yet: everyone who verifies your signed
mail (and you, to verify theirs) must import ca.crt as trusted for email once.
Send a signed mail first: recipients get your certificate from it and can then
send you encrypted mail.

Thunderbird (115 and later)
  1. Settings > Privacy & Security > Certificates > Manage Certificates.
  2. Your Certificates > Import... > ${base}.p12, enter the passphrase.
  3. Authorities > Import... > ca.crt, tick "Trust this CA to identify email users".
  4. Account Settings > (account) > End-To-End Encryption > S/MIME: select the
     certificate for digital signing and for encryption.

Outlook (Windows)
  1. Double-click ${base}.p12 > Current User > enter the passphrase >
     "Automatically select the certificate store".
  2. Double-click ca.crt > Install Certificate > Current User > "Place all
     certificates in the following store" > Trusted Root Certification Authorities.
  3. File > Options > Trust Center > Trust Center Settings > Email Security >
     Settings...: choose the certificate for signing and for encryption.

Apple Mail (macOS)
  1. Double-click ${base}.p12: Keychain Access imports it into the login keychain
     (enter the passphrase).
  2. Double-click ca.crt, then in Keychain Access open it > Trust > "Secure
     Mail (S/MIME)": Always Trust.
  3. Quit and reopen Mail: the sign and encrypt buttons appear when you write
     from ${address}.${legacy ? '' : `
  If macOS (before 15) says the passphrase is wrong or cannot import the file,
  make a legacy file: mailpki pkcs12 --legacy --cert ${base}.crt --key ${base}.key --out ${base}-legacy.p12`}

iOS / iPadOS
  1. AirDrop or mail ${base}.p12 and ca.crt to the device; open each, then
     Settings > Profile Downloaded > Install (enter the .p12 passphrase).
  2. Settings > Mail > Accounts > (account) > Account > Advanced > S/MIME: on;
     Sign: Yes (choose the certificate); Encrypt by Default as you like.${legacy ? '' : `
  If an older iOS says the passphrase is wrong, use the legacy file described
  under Apple Mail.`}
`;
}
