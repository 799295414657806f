/** `mailpki sign`: issue a certificate from a CSR with a profile; SANs kept. */
import { buildChain, encodeChainPem, issueCertificate, parseSan, verifyCertificateRequest } from '../../x509/index.js';
import { TLS_SERVER_PROFILE } from '../../x509/profiles/index.js';
import { checkWritable, writeFilesAtomic, type FileToWrite } from '../../node/file-store.js';
import { flag, list, num, str, type CommandSpec } from '../args.js';
import { escapeTerminal } from '../../encoding/terminal.js';
import { note } from '../io.js';
import { assertKeyMatches, loadCertificates, loadCsr, loadPrivateKey, passphraseOptions } from '../load.js';
import { DB_OPTION, recordIssued } from '../ca-db.js';

const CA_PASS = { fileFlag: 'ca-passphrase-file', envFlag: 'ca-passphrase-env', what: 'CA key' };

export const spec: CommandSpec = {
  name: 'sign',
  summary: 'Issue a certificate from a CSR: its signature is checked, its SANs are kept, the profile sets the extensions.',
  usage: [
    'sign --csr FILE --ca CERT --ca-key KEY [--ca-passphrase-file F] [--profile tls-server|tls-client|smime]',
    '     [--days N] [--san NAME]... --out FILE [--chain-out FILE]',
  ],
  description: [
    'Unlike `openssl x509 -req`, the SANs of the CSR are copied (and --san adds more), the result is always X.509 v3 with ' +
      'keyUsage, extendedKeyUsage, basicConstraints CA:false, SKI and AKI, the serial is random (no .srl file), and the hash is SHA-256 or stronger.',
    `tls-server certificates default to ${TLS_SERVER_PROFILE.defaultDays} days; more than ${TLS_SERVER_PROFILE.maxDays} days is refused (Apple rejects such TLS certificates, private roots included) ` +
      'unless --allow-long-validity.',
    '--chain-out writes the certificate followed by the intermediates found in --ca (never the root): the file for ssl_cert / smtpd_tls_cert_file.',
    'A CA made with the classic OpenSSL recipe (CA:TRUE but no keyUsage) is accepted, with a note on what strict verifiers do with it. ' +
      'Names outside the name constraints of the CA (or of the chain in --ca) are refused (ERR_NAME_CONSTRAINTS).',
    'Every certificate issued is recorded in the CA\'s issuance database (--db, default next to the CA certificate) before it is written: ' +
      'see `mailpki ca list`, `mailpki revoke`, `mailpki crl`.',
  ],
  positionals: { min: 0, max: 0, name: 'argument' },
  options: {
    csr: { type: 'string', required: true, arg: 'FILE', desc: 'the certificate signing request (PEM or DER)' },
    ca: { type: 'string', required: true, arg: 'CERT', desc: 'issuing CA certificate; may be followed by its own chain' },
    'ca-key': { type: 'string', required: true, arg: 'KEY', desc: 'issuing CA private key' },
    ...passphraseOptions('ca-', 'passphrase of --ca-key'),
    profile: { type: 'string', choices: ['tls-server', 'tls-client', 'smime'], default: 'tls-server', desc: 'certificate profile' },
    days: { type: 'string', integer: [1, 36500], arg: 'N', default: `${TLS_SERVER_PROFILE.defaultDays} (tls-server)`, desc: 'validity in days' },
    'allow-long-validity': { type: 'boolean', desc: `allow a leaf validity over ${TLS_SERVER_PROFILE.maxDays} days (clients may reject it)` },
    'public-ca-rules': { type: 'boolean', desc: 'also warn where the CA/Browser Forum rules for public CAs are stricter (TLS validity over 200 days)' },
    san: { type: 'string', multiple: true, arg: 'NAME', desc: 'add a subjectAltName (typed automatically)' },
    out: { type: 'string', required: true, arg: 'FILE', desc: 'where to write the certificate' },
    'chain-out': { type: 'string', arg: 'FILE', desc: 'also write certificate + intermediates (no root)' },
    force: { type: 'boolean', desc: 'replace existing output files (atomically)' },
    ...DB_OPTION,
  },
  exclusive: [['ca-passphrase-file', 'ca-passphrase-env']],
  examples: [
    'mailpki sign --csr mail.csr --ca ca.crt --ca-key ca.key --ca-passphrase-file ca.pass --out mail.crt --chain-out mail.chain.pem',
    'mailpki sign --csr alice.csr --profile smime --san alice@example.com --ca ca.crt --ca-key ca.key --out alice.crt',
  ],
  async run(ctx) {
    const out = str(ctx, 'out')!;
    const chainOut = str(ctx, 'chain-out');
    const force = flag(ctx, 'force');
    const sans = list(ctx, 'san').map((s) => parseSan(s));
    await checkWritable([out, ...(chainOut ? [chainOut] : [])], { force });

    const csrPath = str(ctx, 'csr')!;
    const csr = await loadCsr(csrPath);
    verifyCertificateRequest(csr); // ERR_CSR_SIGNATURE: proof of possession
    const caPath = str(ctx, 'ca')!;
    const caKeyPath = str(ctx, 'ca-key')!;
    const caCerts = await loadCertificates(caPath);
    const issuer = caCerts[0]!;
    const { key: issuerKey } = await loadPrivateKey(ctx, caKeyPath, CA_PASS);
    assertKeyMatches(issuerKey, issuer.publicKey, caKeyPath, `the certificate in ${caPath}`);

    const profile = (str(ctx, 'profile') ?? 'tls-server') as 'tls-server' | 'tls-client' | 'smime';
    const days = num(ctx, 'days');
    const cert = issueCertificate({
      profile,
      csr,
      ...(sans.length ? { sans: [...(csr.decoded.subjectAltName ?? []), ...sans] } : {}),
      issuer,
      issuerKey,
      issuerChain: caCerts.slice(1),
      ...(days !== undefined ? { days } : {}),
      ...(flag(ctx, 'allow-long-validity') ? { allowLongValidity: true } : {}),
      ...(flag(ctx, 'public-ca-rules') ? { publicCaRules: true } : {}),
    });
    const files: FileToWrite[] = [{ path: out, data: cert.pem, kind: 'cert' }];
    if (chainOut) {
      const { chain } = buildChain([cert, ...caCerts], { leaf: cert, withRoot: false });
      files.push({ path: chainOut, data: encodeChainPem(chain), kind: 'cert' });
    }
    const dbPath = await recordIssued(ctx, caPath, cert, profile);
    await writeFilesAtomic(files, { force });
    const names = (cert.decoded.subjectAltName ?? []).map((g) => ('value' in g && typeof g.value === 'string' ? g.value : g.type));
    ctx.io.out(`wrote ${out}: ${profile} certificate for ${escapeTerminal(names.join(', ')) || '(no SAN)'}, valid until ${cert.notAfter.toISOString().slice(0, 10)}\n`);
    if (chainOut) ctx.io.out(`wrote ${chainOut}: certificate + intermediates (no root)\n`);
    ctx.io.out(`serial ${cert.serialHex.toUpperCase()} recorded in ${dbPath}\n`);
    for (const w of cert.warnings) note(ctx.io, w.message);
  },
};
