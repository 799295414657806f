/**
 * `mailpki mail renew`: a new server certificate for a `mail init`
 * directory (or files anywhere), same subject and names, key kept unless
 * `--new-key`, all server files replaced as one set.
 *
 * Crash safety, in order: (1) the new certificate is recorded in the CA's
 * database; (2) the current files are copied to `*.prev` together with a
 * marker `.mailpki-renew.pending` (one all-or-nothing write); (3) the
 * new set is published with writeFilesAtomic (rolled back on any error);
 * (4) the marker is removed. A run killed during (3) can leave a mix of old
 * and new files on disk (the daemons still serve what they loaded: nothing
 * reloads them before renew succeeds); the next `mail renew` sees the marker
 * and first puts the `*.prev` set back, then renews.
 */
import { existsSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { MailPkiError } from '../../errors.js';
import { generateKeyPair, getPublicKey, publicKeysEqual, type GenerateKeyPairOptions } from '../../keys/index.js';
import type { PrivateKey } from '../../crypto/key-types.js';
import { TLS_SERVER_PROFILE } from '../../x509/profiles/index.js';
import { DEFAULT_MAIL_FILE_NAMES } from '../../mail/index.js';
import { issueCertificate, parseSan, verifyCertificate } from '../../x509/index.js';
import { REVOCATION_REASONS, issuanceRecordOf, profileOf, type RevocationReason } from '../../x509/issuance-db.js';
import type { GeneralName } from '../../x509/types.js';
import { readInputFile, writeFilesAtomic, type FileToWrite } from '../../node/file-store.js';
import { flag, list, num, str, type CommandSpec, type CommandContext } from '../args.js';
import { note, testPublishPause } from '../io.js';
import { loadCertificates, loadPrivateKey, passphraseOptions } from '../load.js';
import { MAIL_CA_OPTIONS, caPaths, loadMailCa, serverFileSet } from '../mail-ca.js';
import { assertIssuedBy, caDatabase } from '../ca-db.js';

const CA_PASS = { fileFlag: 'ca-passphrase-file', envFlag: 'ca-passphrase-env', what: 'CA key' };
const SERVER_PASS = { fileFlag: 'key-passphrase-file', envFlag: 'key-passphrase-env', what: 'server key' };
const MARKER = '.mailpki-renew.pending';
const DAY_MS = 86_400_000;

export const spec: CommandSpec = {
  name: 'mail renew',
  summary: 'Renew the server certificate of a mail init directory: same names, key kept, every server file replaced at once.',
  usage: [
    'mail renew DIR [--san NAME]... [--new-key [--revoke-old REASON]] [--days N] [--if-expires-within DAYS]',
    '           [--ca-cert FILE --ca-key FILE | --ca DIR2] [--ca-passphrase-file F | --ca-passphrase-env NAME] [--db PATH]',
    'mail renew --cert FILE --key FILE [--chain FILE] [--postfix-chain FILE] --ca-cert FILE --ca-key FILE ...',
  ],
  description: [
    'DIR is a directory mail init wrote (server.pem, server.key, server-chain.pem, postfix-chain.pem, root-ca.pem, root-ca.key); ' +
      '--ca-cert/--ca-key (or --ca DIR2) name the CA when its files are elsewhere, --cert/--key/--chain/--postfix-chain the server files ' +
      'when there is no such directory. The current certificate must have been issued by that CA (ERR_WRONG_ISSUER otherwise).',
    `The new certificate has the current subject and SANs (plus --san), ${TLS_SERVER_PROFILE.defaultDays} days by default, and the current key unless --new-key ` +
      '(same type and size). The certificate, both chain files and, with --new-key, the key are replaced as one set: the previous files are kept ' +
      'as *.prev, and a run that fails or is killed leaves the old set in place (the next run first restores it). With --new-key, publish the new ' +
      'TLSA record (mailpki tlsa) before reloading.',
    '--if-expires-within DAYS: when the certificate is valid for longer, print one line and exit 0 without touching anything (for a daily timer). ' +
      '--revoke-old REASON (with --new-key) marks the old certificate revoked in the CA\'s database after the new set is in place; then publish a CRL.',
    'Afterwards reload the daemons: postfix reload; doveadm reload (or systemctl reload dovecot).',
  ],
  positionals: { min: 0, max: 1, name: 'DIR' },
  options: {
    san: { type: 'string', multiple: true, arg: 'NAME', desc: 'add a subjectAltName to those of the current certificate' },
    'new-key': { type: 'boolean', desc: 'make a new server key (same type and size) instead of keeping the current one' },
    'revoke-old': { type: 'string', choices: REVOCATION_REASONS, arg: 'REASON', desc: 'revoke the old certificate in the CA database (e.g. keyCompromise, superseded)' },
    days: { type: 'string', integer: [1, TLS_SERVER_PROFILE.maxDays!], arg: 'N', default: String(TLS_SERVER_PROFILE.defaultDays), desc: 'validity of the new certificate' },
    'if-expires-within': { type: 'string', integer: [0, 36500], arg: 'DAYS', desc: 'do nothing (exit 0) unless the certificate expires within DAYS days' },
    cert: { type: 'string', arg: 'FILE', desc: 'the server certificate to renew (instead of DIR/server.pem)' },
    key: { type: 'string', arg: 'FILE', desc: 'its key (instead of DIR/server.key)' },
    chain: { type: 'string', arg: 'FILE', desc: 'the certificate + intermediates file to replace too (DIR/server-chain.pem)' },
    'postfix-chain': { type: 'string', arg: 'FILE', desc: 'the key + chain file to replace too (DIR/postfix-chain.pem)' },
    ...passphraseOptions('ca-', 'passphrase of the CA key'),
    'key-passphrase-file': { type: 'string', arg: 'F', desc: 'passphrase of an encrypted server key (it is kept encrypted only by you: mailpki writes server keys unencrypted)' },
    'key-passphrase-env': { type: 'string', arg: 'NAME', desc: 'the same, from environment variable NAME' },
    ...MAIL_CA_OPTIONS,
  },
  exclusive: [['ca-passphrase-file', 'ca-passphrase-env'], ['key-passphrase-file', 'key-passphrase-env']],
  examples: [
    'mailpki mail renew ./mail-tls --ca-passphrase-file ca.pass && postfix reload && doveadm reload',
    'mailpki mail renew /etc/mailpki --ca-cert /root/ca/root-ca.pem --ca-key /root/ca/root-ca.key --ca-passphrase-file /root/ca/pass --if-expires-within 30',
    'mailpki mail renew ./mail-tls --new-key --revoke-old keyCompromise --ca-passphrase-file ca.pass',
  ],
  async run(ctx) {
    const dir = ctx.positionals[0];
    const names = DEFAULT_MAIL_FILE_NAMES;
    const inDir = (n: string): string | undefined => (dir !== undefined ? join(dir, n) : undefined);
    const certPath = str(ctx, 'cert') ?? inDir(names.serverCert);
    const keyPath = str(ctx, 'key') ?? inDir(names.serverKey);
    if (certPath === undefined || keyPath === undefined) throw new MailPkiError('ERR_USAGE', 'mail renew: give DIR (a mail init directory) or --cert FILE --key FILE');
    const ca = caPaths(ctx, 'mail renew') ?? (dir !== undefined ? { certPath: join(dir, names.rootCert), keyPath: join(dir, names.rootKey) } : undefined);
    if (!ca) throw new MailPkiError('ERR_USAGE', 'mail renew: without DIR, give --ca-cert FILE --ca-key FILE (or --ca DIR)');
    const optional = (flagName: string, n: string): string | undefined => {
      const p = str(ctx, flagName) ?? inDir(n);
      return p !== undefined && (str(ctx, flagName) !== undefined || existsSync(p)) ? p : undefined;
    };
    const paths = { cert: certPath, key: keyPath, chain: optional('chain', names.chain), postfixChain: optional('postfix-chain', names.postfixChain) };
    const newKey = flag(ctx, 'new-key');
    const revokeOld = str(ctx, 'revoke-old') as RevocationReason | undefined;
    if (revokeOld === 'keyCompromise' && !newKey) throw new MailPkiError('ERR_USAGE', 'mail renew: --revoke-old keyCompromise needs --new-key (the new certificate would carry the compromised key)');
    const marker = join(dirname(certPath), MARKER);

    // An interrupted renewal: put the previous set back first.
    if (existsSync(marker)) await rollBack(ctx, marker);

    const current = (await loadCertificates(certPath))[0]!;
    const now = Date.now();
    const daysLeft = Math.floor((current.notAfter.getTime() - now) / DAY_MS);
    const within = num(ctx, 'if-expires-within');
    if (within !== undefined && current.notAfter.getTime() > now + within * DAY_MS) {
      ctx.io.out(`mail renew: ${certPath} (serial ${current.serialHex.toUpperCase()}) expires on ${current.notAfter.toISOString().slice(0, 10)}, in ${daysLeft} days: not due (--if-expires-within ${within}), nothing done\n`);
      return 0;
    }

    const caObj = await loadMailCa(ctx, ca, CA_PASS);
    assertIssuedBy(current, caObj.issuer, certPath);
    let key: PrivateKey = (await loadPrivateKey(ctx, keyPath, SERVER_PASS)).key;
    if (!publicKeysEqual(getPublicKey(key), current.publicKey)) throw new MailPkiError('ERR_KEY_MISMATCH', `${keyPath} is not the private key of ${certPath}`);
    if (newKey) key = (await generateKeyPair(sameKind(key))).privateKey;

    const sans: GeneralName[] = [...(current.decoded.subjectAltName ?? [])];
    for (const g of list(ctx, 'san').map((s) => parseSan(s))) if (!sans.some((h) => h.type === g.type && String((h as { value: unknown }).value).toLowerCase() === String((g as { value: unknown }).value).toLowerCase())) sans.push(g);
    const cert = issueCertificate({
      profile: 'tls-server',
      publicKey: getPublicKey(key),
      subject: current.subject,
      sans,
      issuer: caObj.issuer,
      issuerKey: caObj.key,
      issuerChain: caObj.certs.slice(1),
      days: num(ctx, 'days') ?? TLS_SERVER_PROFILE.defaultDays,
    });
    for (const g of sans) {
      if (g.type !== 'dns' && g.type !== 'ip') continue;
      const r = verifyCertificate(cert, { trustAnchors: [caObj.root], intermediates: caObj.certs, host: g.value, purpose: 'tls-server' });
      if (!r.ok) throw new MailPkiError('ERR_POLICY', `the new certificate would not verify for ${g.value}: ${r.message}`);
    }
    const next = serverFileSet(paths, cert, caObj.certs, key, newKey);

    // (1) the record, before anything is written (a damaged or locked database stops here)
    const db = caDatabase(ctx, caObj.certPath);
    await db.add(issuanceRecordOf(cert, 'tls-server'));
    // (2) the previous set, and the marker, in one all-or-nothing write
    const prev: FileToWrite[] = [];
    for (const f of next) prev.push({ path: `${f.path}.prev`, data: await readInputFile(f.path), kind: f.kind });
    await writeFilesAtomic([...prev, { path: marker, data: `${JSON.stringify({ files: next.map((f) => ({ path: f.path, kind: f.kind })), at: new Date().toISOString() })}\n`, kind: 'text' }], { force: true });
    // (3) the new set, (4) done
    // the set that replaces what the daemons serve: undone on failure or SIGINT/SIGTERM/SIGHUP (file-store.ts)
    await writeFilesAtomic(next, { force: true, ...(ctx.signal ? { signal: ctx.signal } : {}), ...testPublishPause(ctx) });
    await fsp.unlink(marker);

    ctx.io.out(`mail renew: ${certPath} renewed: serial ${current.serialHex.toUpperCase()} -> ${cert.serialHex.toUpperCase()}, valid until ${cert.notAfter.toISOString().slice(0, 10)}, ${newKey ? 'NEW key' : 'key kept'}\n`);
    ctx.io.out(`  replaced ${next.map((f) => f.path).join(', ')} (previous files kept as *.prev); recorded in ${db.path}\n`);
    if (revokeOld) {
      if (!(await db.get(current.serialNumber))) await db.add(issuanceRecordOf(current, profileOf(current)));
      await db.revoke(current.serialNumber, revokeOld);
      ctx.io.out(`  revoked the old certificate ${current.serialHex.toUpperCase()} (${revokeOld}); publish it: mailpki crl --ca ${caObj.certPath} --ca-key ${caObj.keyPath} --out FILE --force\n`);
    }
    if (newKey) note(ctx.io, 'new key: publish the new TLSA record (mailpki tlsa) before reloading, and remove the old one after');
    for (const w of cert.warnings) note(ctx.io, w.message);
    ctx.io.out('Reload the daemons: postfix reload && doveadm reload\n');
    return 0;
  },
};

/** The key options that make a key like `key` (same type, curve or size). */
function sameKind(key: PrivateKey): GenerateKeyPairOptions {
  if (key.type === 'rsa') {
    const bits = key.n.toString(2).length;
    return { type: 'rsa', bits: (bits > 3072 ? 4096 : bits > 2048 ? 3072 : 2048) as 2048 | 3072 | 4096 };
  }
  if (key.type === 'ec') return { type: 'ec', curve: key.curve };
  return { type: 'ed25519' };
}

/** Put back the `*.prev` files of an interrupted renewal, then drop the marker. */
async function rollBack(ctx: CommandContext, marker: string): Promise<void> {
  let files: Array<{ path: string; kind: 'key' | 'cert' }>;
  try {
    const o = JSON.parse(new TextDecoder().decode(await readInputFile(marker, { maxBytes: 64 * 1024 }))) as { files?: unknown };
    const ok = (f: unknown): boolean => typeof (f as { path?: unknown }).path === 'string' && ['key', 'cert'].includes((f as { kind?: string }).kind ?? '');
    if (!Array.isArray(o.files) || !o.files.every(ok)) throw new Error('bad');
    files = o.files as typeof files;
  } catch {
    throw new MailPkiError('ERR_IO', `${marker}: unreadable marker of an interrupted renewal; check the server files and their *.prev copies, then remove it`);
  }
  const back: FileToWrite[] = [];
  for (const f of files) {
    if (!existsSync(`${f.path}.prev`)) continue;
    back.push({ path: f.path, data: await readInputFile(`${f.path}.prev`), kind: f.kind });
  }
  await writeFilesAtomic(back, { force: true });
  await fsp.unlink(marker);
  note(ctx.io, `an interrupted renewal was rolled back: ${back.map((f) => f.path).join(', ')} restored from *.prev`);
}
