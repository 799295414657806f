/**
 * `mailpki mail init`: the whole classic "mail server TLS with OpenSSL"
 * procedure in one go: private root CA, server key + CSR + certificate,
 * chain files, Postfix/Dovecot snippets, TLSA, SELinux and NEXT-STEPS.
 * All files are written together or not at all (file-store.ts does the
 * mechanics: a fresh directory renamed into place, or, in an existing one,
 * a lock for the whole run and a publish that is undone on failure or signal).
 */
import { basename, dirname, join, resolve } from 'node:path';
import { MailPkiError } from '../../errors.js';
import { encodePrivateKeyPem } from '../../keys/index.js';
import { DEFAULT_MAIL_FILE_NAMES, mailRootSubject, mailServerFiles } from '../../mail/index.js';
import {
  buildChain,
  createCertificateRequest,
  createRootCa,
  encodeChainPem,
  encodeKeyAndChainPem,
  issueCertificate,
  parseName,
  parseSan,
  verifyCertificate,
  type IssuedCertificate,
} from '../../x509/index.js';
import { ROOT_CA_PROFILE, TLS_SERVER_PROFILE } from '../../x509/profiles/index.js';
import {
  checkOutputDirectory,
  checkWritable,
  lockDirectory,
  removeStaleTempFiles,
  writeFilesAtomic,
  type DirectoryLock,
  type FileToWrite,
} from '../../node/file-store.js';
import type { GenerateKeyPairOptions } from '../../keys/index.js';
import { flag, list, num, str, type CommandSpec } from '../args.js';
import { note, testPublishPause } from '../io.js';
import { existingOrNewKey, generateWithProgress, keyLabel, privateKeyPem } from '../load.js';
import { MAIL_CA_OPTIONS, caPaths, loadMailCa, permittedDns, type MailCa } from '../mail-ca.js';
import { recordIssued } from '../ca-db.js';
import { issuanceRecordOf } from '../../x509/issuance-db.js';
import { defaultIssuanceDatabasePath, encodeIssuanceJournal } from '../../node/issuance-db.js';

const CA_PASS = { fileFlag: 'ca-passphrase-file', envFlag: 'ca-passphrase-env', what: 'root CA key' };
const CSR_NAME = 'server.csr';

/**
 * Key choice. EC P-256 by default: every Postfix and Dovecot build of the last
 * decade and every current mail client accept it, ECDHE-ECDSA suites are in
 * Mozilla's intermediate list, and it is made in milliseconds (RSA in pure
 * JavaScript takes a noticeable moment). `--key-type rsa` gives RSA 2048 for
 * the rare very old client; then the root is RSA 3072 (it lives five years).
 */
const KEYS: Record<'ec' | 'rsa', { server: GenerateKeyPairOptions; ca: GenerateKeyPairOptions }> = {
  ec: { server: { type: 'ec', curve: 'P-256' }, ca: { type: 'ec', curve: 'P-384' } },
  rsa: { server: { type: 'rsa', bits: 2048 }, ca: { type: 'rsa', bits: 3072 } },
};

export const spec: CommandSpec = {
  name: 'mail init',
  summary: 'Make everything a mail server needs for TLS with a private CA, in one directory.',
  usage: [
    'mail init HOST [--out DIR] [--san NAME]... [--key-type ec|rsa] [--days N]',
    '          [--name-constraint DOMAIN]... [--ca-passphrase-file F | --ca-passphrase-env NAME | --no-ca-passphrase] [--force]',
    'mail init HOST (--ca-cert FILE --ca-key FILE | --ca DIR) [--out DIR] [--san NAME]... [--ca-passphrase-file F] ...',
  ],
  description: [
    'Writes into DIR (default ./mailpki-out; created 0700): a root CA (root-ca.pem, root-ca.key: encrypted unless --no-ca-passphrase), ' +
      'the server key (server.key, unencrypted because Postfix cannot read an encrypted key, 0600), server.csr, the server certificate ' +
      '(server.pem, SANs: HOST and every --san), server-chain.pem (Dovecot), postfix-chain.pem (key + chain for smtpd_tls_chain_files, 0600), ' +
      'postfix-main.cf, postfix-master.cf (587 STARTTLS required, 465 implicit TLS), dovecot-2.3-10-ssl.conf, dovecot-2.4-10-ssl.conf, ' +
      'tlsa.txt (DANE 3 1 1), selinux.sh (semanage fcontext + restorecon) and NEXT-STEPS.txt (where to copy what, how to test).',
    'The root CA is name-constrained to the parent domain of HOST (and of each --san DNS name), so that, once trusted by your clients, ' +
      'it cannot vouch for anyone else\'s site; --name-constraint sets the domains yourself, --no-name-constraint drops the constraint.',
    'Keys: EC P-256 server key and EC P-384 root by default (fast, accepted by Postfix, Dovecot and every current client); ' +
      `--key-type rsa for RSA 2048 / 3072. Server certificate: ${TLS_SERVER_PROFILE.defaultDays} days (Apple rejects TLS certificates valid over ${TLS_SERVER_PROFILE.maxDays} days).`,
    'With --ca-cert/--ca-key (any CA, also one made by the classic OpenSSL recipe) or --ca DIR (the directory of an earlier mail init), ' +
      'the existing root issues the server certificate: everything is written except a new root key (root-ca.pem is a copy of the root, for ' +
      'clients and the chain), and a name the root\'s name constraints exclude is refused, naming it (ERR_NAME_CONSTRAINTS).',
    'The server certificate is recorded in the CA\'s issuance database (root-ca.issued.jsonl next to the CA certificate, or --db): ' +
      'see `mailpki ca list`. `mailpki mail renew DIR` renews it.',
    'Nothing is overwritten without --force. All or nothing: a DIR that does not exist is built as a hidden sibling and renamed into place, ' +
      'so it appears complete or not at all (even after kill -9); in an existing DIR a failure, Ctrl-C, SIGTERM or SIGHUP removes every file ' +
      'this run published and puts back the files it replaced (exit 130/143/129). An existing DIR is locked (.mailpki.lock) for the whole run: ' +
      'a second run into it is refused; a lock left by a killed run is taken over, and its temp files are removed.',
  ],
  positionals: { min: 1, max: 1, name: 'HOST (the mail server\'s name, e.g. mail.example.com)' },
  options: {
    out: { type: 'string', arg: 'DIR', default: './mailpki-out', desc: 'output directory' },
    san: { type: 'string', multiple: true, arg: 'NAME', desc: 'another name for the server (DNS or IP), e.g. smtp.example.com' },
    'key-type': { type: 'string', choices: ['ec', 'rsa'], default: 'ec', desc: 'EC (P-256 server, P-384 root) or RSA (2048 server, 3072 root)' },
    days: { type: 'string', integer: [1, TLS_SERVER_PROFILE.maxDays!], arg: 'N', default: String(TLS_SERVER_PROFILE.defaultDays), desc: 'server certificate validity' },
    'ca-days': { type: 'string', integer: [1, 36500], arg: 'N', default: String(ROOT_CA_PROFILE.defaultDays), desc: 'root CA validity' },
    'ca-subject': { type: 'string', arg: 'DN', desc: 'root CA subject (default: "/O=DOMAIN/CN=DOMAIN Mail Root", O from --org)' },
    org: { type: 'string', arg: 'NAME', desc: 'organisation in the root CA subject (O=); default: the domain' },
    'name-constraint': { type: 'string', multiple: true, arg: 'DOMAIN', desc: 'constrain the root CA to DOMAIN instead of the parent domain(s)' },
    'no-name-constraint': { type: 'boolean', desc: 'no name constraints on the root CA' },
    'ca-passphrase-file': { type: 'string', arg: 'F', desc: 'encrypt the root CA key with the first line of F' },
    'ca-passphrase-env': { type: 'string', arg: 'NAME', desc: 'encrypt the root CA key with environment variable NAME' },
    'no-ca-passphrase': { type: 'boolean', desc: 'write the root CA key unencrypted (demos and tests)' },
    'install-dir': { type: 'string', arg: 'DIR', default: '/etc/mailpki', desc: 'where the files will live on the mail server (used in the configs)' },
    'postfix-version': { type: 'string', arg: 'X.Y', default: '3.4', desc: 'Postfix version of the main.cf snippet (postconf -h mail_version)' },
    profile: { type: 'string', choices: ['intermediate', 'modern'], default: 'intermediate', desc: 'Mozilla TLS profile for both daemons' },
    mlkem: { type: 'boolean', desc: 'offer X25519MLKEM768 (needs OpenSSL >= 3.5 under Postfix and Dovecot)' },
    force: { type: 'boolean', desc: 'replace existing files in DIR (each atomically)' },
    ...MAIL_CA_OPTIONS,
  },
  exclusive: [
    ['ca-passphrase-file', 'ca-passphrase-env', 'no-ca-passphrase'],
    ['name-constraint', 'no-name-constraint'],
    ['ca-subject', 'org'],
    ['ca', 'no-ca-passphrase'],
    ['ca-cert', 'no-ca-passphrase'],
  ],
  examples: [
    'mailpki mail init mail.example.com --san smtp.example.com --san imap.example.com',
    'mailpki mail init mail.example.com --ca-passphrase-file ca.pass --postfix-version 3.7 --out /root/mail-tls',
    'mailpki mail init mail.example.test --out ./demo --no-ca-passphrase --force     # what `npm run demo` runs',
    'mailpki mail init mx2.example.com --ca ./mail-tls --ca-passphrase-file ca.pass --out ./mx2     # a second server, same root',
    'mailpki mail init mail.example.com --ca-cert myCA.pem --ca-key myCA.key --out ./mail-tls     # a root made with openssl req -x509',
  ],
  async run(ctx) {
    const hostArg = ctx.positionals[0]!;
    const hostSan = parseSan(hostArg);
    if (hostSan.type !== 'dns' || hostSan.value.startsWith('*')) {
      throw new MailPkiError('ERR_USAGE', `mail init: HOST must be the server's DNS name, not ${JSON.stringify(hostArg.slice(0, 80))}`);
    }
    const host = hostSan.value;
    const extra = list(ctx, 'san').map((s) => parseSan(s));
    const sanInputs = [hostSan, ...extra.filter((g) => !(g.type === 'dns' && g.value === host))];
    const sanStrings = sanInputs.map((g) => ('value' in g && typeof g.value === 'string' ? g.value : ''));
    const dnsNames = sanInputs.flatMap((g) => (g.type === 'dns' ? [g.value] : []));
    const reusePaths = caPaths(ctx, 'mail init');
    if (reusePaths) {
      for (const f of ['name-constraint', 'no-name-constraint', 'ca-subject', 'org', 'ca-days']) {
        if (ctx.values[f] !== undefined) throw new MailPkiError('ERR_USAGE', `mail init: --${f} applies to a new root, not to --ca/--ca-cert`);
      }
    }
    let constraints = flag(ctx, 'no-name-constraint') ? [] : list(ctx, 'name-constraint').length ? list(ctx, 'name-constraint') : parentDomains(dnsNames);
    const outArg = str(ctx, 'out') ?? './mailpki-out';
    const force = flag(ctx, 'force');
    const keyType = (str(ctx, 'key-type') ?? 'ec') as 'ec' | 'rsa';
    const days = num(ctx, 'days') ?? TLS_SERVER_PROFILE.defaultDays;
    const names = DEFAULT_MAIL_FILE_NAMES;
    const path = (n: string) => join(outArg, n);
    const keyNames = [...(reusePaths ? [] : [names.rootKey]), names.serverKey, names.postfixChain];
    const certNames = [names.rootCert, CSR_NAME, names.serverCert, names.chain];
    const textNames = ['postfix-main.cf', 'postfix-master.cf', 'dovecot-2.3-10-ssl.conf', 'dovecot-2.4-10-ssl.conf', 'tlsa.txt', 'selinux.sh', 'NEXT-STEPS.txt'];
    // a new root's issuance database is written with the other files (an existing CA's is next to its certificate)
    const dbPath = reusePaths ? undefined : (str(ctx, 'db') ?? defaultIssuanceDatabasePath(path(names.rootCert)));
    const allNames = [...keyNames, ...certNames, ...textNames];
    // An existing directory is locked for the whole run (a second run fails now, not after key generation)
    // and cleaned of the temp files a killed run left (even if this run then stops at an existing file);
    // a new one is built aside and renamed into place by writeFilesAtomic.
    const lock: DirectoryLock | undefined = (await checkOutputDirectory(outArg)) === 'exists' ? await lockDirectory(outArg) : undefined;
    try {
      // the database file is one of the set when it lies in the output directory (the default)
      const dbInOut = dbPath !== undefined && resolve(dirname(dbPath)) === resolve(outArg) ? [basename(dbPath)] : [];
      if (lock) for (const p of await removeStaleTempFiles(lock, [...allNames, ...dbInOut])) note(ctx.io, `removed ${p}, left by an interrupted earlier run`);
      await checkWritable([...allNames.map(path), ...(dbPath ? [dbPath] : [])], { force });
      return await generateAndWrite();
    } finally {
      await lock?.release();
    }

    async function generateAndWrite(): Promise<void> {
      const caSubject = parseName(str(ctx, 'ca-subject') ?? mailRootSubject(constraints[0] ?? host, str(ctx, 'org')));

      let reuse: MailCa | undefined;
      if (reusePaths) {
        reuse = await loadMailCa(ctx, reusePaths, { ...CA_PASS, what: 'CA key' });
        constraints = permittedDns(reuse.certs);
      }
      // a new root key: encrypted unless --no-ca-passphrase (the passphrase is asked before the key is made)
      const ca = reuse
        ? { privateKey: reuse.key, passphrase: undefined }
        : await existingOrNewKey(ctx, { generate: KEYS[keyType].ca, what: 'root CA key', pass: CA_PASS, protect: { kind: 'ca', noFlag: 'no-ca-passphrase' } });
      const passphrase = ca.passphrase;
      const server = await generateWithProgress(ctx, KEYS[keyType].server, 'server key');
      const root = reuse
        ? reuse.root
        : createRootCa({
            subject: caSubject,
            privateKey: ca.privateKey,
            days: num(ctx, 'ca-days') ?? ROOT_CA_PROFILE.defaultDays,
            ...(constraints.length ? { nameConstraints: { permitted: constraints, excluded: [] } } : {}),
          });
      const issuer = reuse?.issuer ?? root;
      const csr = createCertificateRequest({ subject: { CN: host }, sans: sanInputs, privateKey: server.privateKey });
      const cert = issueCertificate({ profile: 'tls-server', csr, issuer, issuerKey: ca.privateKey, issuerChain: reuse?.certs.slice(1) ?? [], days });
      // Self-check before writing anything: the result must verify for every name (e.g. a --san outside --name-constraint fails here).
      for (const name of sanStrings) {
        const r = verifyCertificate(cert, { trustAnchors: [root], intermediates: reuse?.certs ?? [], host: name, purpose: 'tls-server' });
        if (!r.ok) throw new MailPkiError('ERR_POLICY', `the new certificate would not verify for ${name}: ${r.message}`);
      }
      const { chain } = buildChain([cert, ...(reuse?.certs ?? [root])], { leaf: cert });
      const texts = mailServerFiles({
        host,
        sans: sanStrings.filter((s) => s !== host),
        serverCert: cert,
        outDir: outArg,
        ...(str(ctx, 'install-dir') ? { installDir: str(ctx, 'install-dir')! } : {}),
        ...(str(ctx, 'postfix-version') ? { postfixVersion: str(ctx, 'postfix-version')! } : {}),
        ...(str(ctx, 'profile') ? { profile: str(ctx, 'profile') as 'intermediate' | 'modern' } : {}),
        mlkem: flag(ctx, 'mlkem'),
        caKeyEncrypted: reuse ? reuse.encrypted : passphrase !== undefined,
        nameConstraints: constraints,
        serverDays: days,
        ...(reuse ? { existingCa: { certPath: reuse.certPath, keyPath: reuse.keyPath } } : {}),
      });

      const files: FileToWrite[] = [
        ...(reuse ? [] : [{ path: path(names.rootKey), data: privateKeyPem(ca.privateKey, passphrase), kind: 'key' as const }]),
        { path: path(names.rootCert), data: root.pem, kind: 'cert' },
        { path: path(names.serverKey), data: encodePrivateKeyPem(server.privateKey), kind: 'key' },
        { path: path(CSR_NAME), data: csr.pem, kind: 'cert' },
        { path: path(names.serverCert), data: cert.pem, kind: 'cert' },
        { path: path(names.chain), data: encodeChainPem(chain), kind: 'cert' },
        { path: path(names.postfixChain), data: encodeKeyAndChainPem(server.privateKey, chain), kind: 'key' },
        ...texts.map((t) => ({ path: path(t.name), data: t.content, kind: 'config' as const, mode: t.mode })),
        // a new root's database is part of the all-or-nothing set; an existing CA's gets the record first (under its lock)
        ...(dbPath ? [{ path: dbPath, data: encodeIssuanceJournal([issuanceRecordOf(cert, 'tls-server')]), kind: 'cert' as const }] : []),
      ];
      const recordedIn = reuse ? await recordIssued(ctx, reuse.certPath, cert, 'tls-server') : dbPath!;
      await writeFilesAtomic(files, {
        force,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(lock ? { lock } : {}),
        onStaleRemoved: (p) => note(ctx.io, `removed ${p}, left by an interrupted earlier run`),
        ...testPublishPause(ctx),
      });

      const o = ctx.io;
      o.out(`mailpki mail init: wrote ${files.length} files to ${outArg}/ for ${host}\n`);
      o.out(`  ${names.rootCert.padEnd(24)} root CA (${reuse ? `existing, from ${reuse.certPath}` : keyLabel(KEYS[keyType].ca)}), valid until ${root.notAfter.toISOString().slice(0, 10)}` +
        `${constraints.length ? `, constrained to ${constraints.join(', ')}` : ', NOT name-constrained'}\n`);
      if (!reuse) o.out(`  ${names.rootKey.padEnd(24)} root CA key, ${passphrase !== undefined ? 'encrypted' : 'NOT encrypted (--no-ca-passphrase)'}: keep it off the mail server\n`);
      o.out(`  ${names.serverKey.padEnd(24)} server key (${keyLabel(KEYS[keyType].server)}), unencrypted because Postfix cannot read an encrypted key, mode 0600\n`);
      o.out(`  ${names.serverCert.padEnd(24)} server certificate for ${sanStrings.join(', ')}, valid until ${cert.notAfter.toISOString().slice(0, 10)}\n`);
      o.out(`  ${`${names.chain}, ${names.postfixChain}`.padEnd(24)} chain (Dovecot ssl_cert); key + chain (Postfix smtpd_tls_chain_files, 0600)\n`);
      o.out(`  ${'postfix-*.cf, dovecot-*'.padEnd(24)} configuration snippets; also tlsa.txt, selinux.sh, ${CSR_NAME}\n`);
      o.out(`  ${'issued:'.padEnd(24)} serial ${cert.serialHex.toUpperCase()} recorded in ${recordedIn}\n`);
      // The 200-day CA/B limit binds publicly trusted CAs; this root is private (Apple's 825 days is what applies).
      for (const w of [...(reuse ? [] : (root as IssuedCertificate).warnings), ...cert.warnings]) note(o, w.message);
      o.out(`Next: read ${path('NEXT-STEPS.txt')}\n`);
    }
  },
};

/**
 * Default name constraints: the parent domain of each DNS name
 * (mail.example.com -> example.com; a two-label name stays itself), minus
 * those already under another one.
 */
function parentDomains(dnsNames: readonly string[]): string[] {
  const parents = dnsNames.map((n) => {
    const labels = n.replace(/^\*\./, '').split('.');
    return labels.length >= 3 ? labels.slice(1).join('.') : labels.join('.');
  });
  const unique = [...new Set(parents)];
  return unique.filter((d) => !unique.some((o) => o !== d && d.endsWith(`.${o}`)));
}
