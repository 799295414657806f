/**
 * `mailpki pkcs12`: bundle a key and its certificate (and chain) into a
 * PKCS#12 (`.p12` / `.pfx`) for mail clients and operating systems, or
 * (`--extract`) turn one back into PEM files. Also the `.p12` part of
 * `mailpki inspect` ({@link inspectPkcs12}).
 */
import { MailPkiError } from '../../errors.js';
import { describeKey, describePkcs12, encodePkcs12, encodePrivateKeyPem, getPublicKey, isPkcs12, parsePkcs12, type Pkcs12Contents, type Pkcs12Outline } from '../../keys/index.js';
import { certificateToJson, inspectCertificate, parseCertificate, spkiSha256 } from '../../x509/index.js';
import type { Certificate } from '../../x509/types.js';
import { encodePem, looksLikePem } from '../../encoding/pem.js';
import { toHex } from '../../encoding/bytes.js';
import { checkWritable, readInputFile, writeFilesAtomic, type FileToWrite } from '../../node/file-store.js';
import { flag, num, str, type CommandContext, type CommandSpec } from '../args.js';
import { getPassphrase, note, passphraseRequired, type PassphraseSource } from '../io.js';
import { assertKeyMatches, loadCertificates, loadPrivateKey, passphraseOptions } from '../load.js';

const P12_PASS: PassphraseSource = { fileFlag: 'passphrase-file', envFlag: 'passphrase-env', what: 'PKCS#12 file' };
const KEY_PASS: PassphraseSource = { fileFlag: 'key-passphrase-file', envFlag: 'key-passphrase-env', what: 'private key' };

export const spec: CommandSpec = {
  name: 'pkcs12',
  summary: 'Bundle a key, its certificate and chain into a PKCS#12 (.p12/.pfx) for mail clients and operating systems, or extract one.',
  usage: [
    'pkcs12 --cert FILE --key FILE [--chain FILE] [--name TEXT] [--legacy] --out FILE.p12',
    '       [--passphrase-file F | --passphrase-env NAME | --no-passphrase]',
    'pkcs12 --extract FILE.p12 [--key-out FILE] [--cert-out FILE] [--chain-out FILE] [--passphrase-file F | --passphrase-env NAME]',
  ],
  description: [
    'Thunderbird, Outlook, Apple Mail, iOS, Android, Windows and macOS import a key with its certificate as a PKCS#12 file. ' +
      'Default encryption is what OpenSSL 3 writes: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for the key and the certificates, ' +
      'an HMAC-SHA256 MAC, 2048 iterations. --legacy writes pbeWithSHAAnd3-KeyTripleDES-CBC and an HMAC-SHA1 MAC instead, ' +
      'for macOS before 15, older Windows, Android and Java before 8u301 / 11.0.12.',
    'The file is protected by a passphrase from --passphrase-file (first line), --passphrase-env or the terminal (asked twice); ' +
      'a file without one is refused unless --no-passphrase (it then opens with an empty passphrase: anyone can read the key). ' +
      'The key must belong to the certificate. --cert may hold the chain after the certificate; --chain adds more. ' +
      'An encrypted --key asks for its own passphrase (--key-passphrase-file / --key-passphrase-env).',
    '--extract verifies the MAC, decrypts, and writes PEM files: the key unencrypted (PKCS#8, mode 0600), certificates 0644. ' +
      'Nothing is written when anything fails.',
  ],
  positionals: { min: 0, max: 0, name: 'argument' },
  options: {
    cert: { type: 'string', arg: 'FILE', desc: 'the certificate (PEM or DER; a PEM file may continue with its chain)' },
    key: { type: 'string', arg: 'FILE', desc: 'its private key (PEM or DER, encrypted or not)' },
    chain: { type: 'string', arg: 'FILE', desc: 'CA certificates to include (intermediates, optionally the root)' },
    name: { type: 'string', arg: 'TEXT', desc: 'friendlyName shown by key stores (default: the certificate subject\'s CN, else its email)' },
    legacy: { type: 'boolean', desc: '3DES + SHA-1 MAC for old importers (macOS < 15, older Windows, Android, old Java)' },
    iterations: { type: 'string', integer: [1, 10_000_000], arg: 'N', default: '2048', desc: 'PBE and MAC iteration count' },
    out: { type: 'string', arg: 'FILE', desc: 'the .p12 file to write (mode 0600)' },
    extract: { type: 'string', arg: 'FILE', desc: 'read this .p12 and write its contents as PEM (with --key-out/--cert-out/--chain-out)' },
    'key-out': { type: 'string', arg: 'FILE', desc: '--extract: where to write the key (unencrypted PKCS#8 PEM, mode 0600)' },
    'cert-out': { type: 'string', arg: 'FILE', desc: '--extract: where to write the certificate' },
    'chain-out': { type: 'string', arg: 'FILE', desc: '--extract: where to write the other certificates' },
    ...passphraseOptions('', 'passphrase of the .p12'),
    'no-passphrase': { type: 'boolean', desc: 'write the .p12 with an empty passphrase (anyone can open it)' },
    ...passphraseOptions('key-', 'passphrase of an encrypted --key'),
    force: { type: 'boolean', desc: 'replace existing output files (atomically)' },
  },
  exclusive: [
    ['passphrase-file', 'passphrase-env', 'no-passphrase'],
    ['extract', 'cert'],
    ['extract', 'key'],
    ['extract', 'out'],
    ['extract', 'legacy'],
    ['extract', 'no-passphrase'],
  ],
  examples: [
    'mailpki pkcs12 --cert alice.crt --key alice.key --chain ca.crt --name "Alice Example" --out alice.p12',
    'mailpki pkcs12 --cert alice.crt --key alice.key --legacy --out alice-legacy.p12 --passphrase-file p12.pass',
    'mailpki pkcs12 --extract alice.p12 --key-out alice.key --cert-out alice.crt --chain-out chain.pem',
  ],
  async run(ctx) {
    if (str(ctx, 'extract') !== undefined) return extract(ctx);
    return create(ctx);
  },
};

async function create(ctx: CommandContext): Promise<void> {
  const certPath = str(ctx, 'cert');
  const keyPath = str(ctx, 'key');
  const out = str(ctx, 'out');
  if (!certPath || !keyPath || !out) throw new MailPkiError('ERR_USAGE', 'pkcs12: --cert FILE, --key FILE and --out FILE.p12 are required (or --extract FILE.p12)');
  for (const f of ['key-out', 'cert-out', 'chain-out']) if (str(ctx, f) !== undefined) throw new MailPkiError('ERR_USAGE', `pkcs12: --${f} applies to --extract`);
  const force = flag(ctx, 'force');
  await checkWritable([out], { force });
  const [leaf, ...rest] = await loadCertificates(certPath);
  // --cert's own chain, then --chain; each certificate once, never the leaf again
  const seen = new Set([toHex(leaf!.der)]);
  const chain = [...rest, ...(str(ctx, 'chain') ? await loadCertificates(str(ctx, 'chain')!) : [])].filter((c) => {
    const k = toHex(c.der);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const { key } = await loadPrivateKey(ctx, keyPath, KEY_PASS);
  assertKeyMatches(key, leaf!.publicKey, keyPath, certPath);
  let passphrase = '';
  if (!flag(ctx, 'no-passphrase')) {
    const p = await getPassphrase(ctx, P12_PASS, { confirm: true });
    if (p === undefined) {
      throw new MailPkiError(
        'ERR_PASSPHRASE_REQUIRED',
        'a PKCS#12 needs a passphrase: give --passphrase-file F or --passphrase-env NAME (no terminal to prompt on), or --no-passphrase for a file anyone can open',
      );
    }
    passphrase = p;
  }
  const legacy = flag(ctx, 'legacy');
  const iterations = num(ctx, 'iterations') ?? 2048;
  const p12 = encodePkcs12({ key, certificate: leaf!, chain, passphrase, compatibility: legacy ? 'legacy' : 'default', iterations, ...(str(ctx, 'name') !== undefined ? { friendlyName: str(ctx, 'name')! } : {}) });
  await writeFilesAtomic([{ path: out, data: p12, kind: 'key' }], { force });
  const how = legacy ? 'pbeWithSHAAnd3-KeyTripleDES-CBC, HMAC-SHA1 MAC' : 'PBES2 AES-256-CBC (PBKDF2-HMAC-SHA256), HMAC-SHA256 MAC';
  ctx.io.out(`wrote ${out}: PKCS#12 with a ${describeKey(key)} key, its certificate and ${chain.length} CA certificate${chain.length === 1 ? '' : 's'} (${how}, ${iterations} iterations), mode 0600\n`);
  if (flag(ctx, 'no-passphrase')) note(ctx.io, 'the .p12 has an empty passphrase (--no-passphrase): anyone who gets the file has the key');
}

/** The bytes of a .p12, or a one-line reason why they are not one. */
function checkPkcs12Bytes(path: string, bytes: Uint8Array): void {
  if (looksLikePem(bytes)) throw new MailPkiError('ERR_ASN1_STRUCTURE', `${path} is PEM text, not a PKCS#12 file (a .p12 is binary DER)`);
  if (!isPkcs12(bytes)) {
    // Say why: broken DER (a truncated download) reads differently from another kind of file.
    try {
      describePkcs12(bytes);
    } catch (e) {
      if (e instanceof MailPkiError && e.code.startsWith('ERR_DER_')) throw new MailPkiError(e.code, `${path}: ${e.message}`, { cause: e });
    }
    throw new MailPkiError('ERR_ASN1_STRUCTURE', `${path} is not a PKCS#12 file (expected DER: a PFX, version 3)`);
  }
}

/** Read and decrypt a .p12 named on the command line (passphrase from the flags or the terminal). */
export async function readPkcs12File(ctx: CommandContext, path: string, data?: Uint8Array): Promise<Pkcs12Contents> {
  const bytes = data ?? (await readInputFile(path));
  checkPkcs12Bytes(path, bytes);
  const passphrase = await getPassphrase(ctx, P12_PASS, { confirm: false });
  if (passphrase === undefined) throw passphraseRequired(P12_PASS, path);
  return parsePkcs12(bytes, { passphrase });
}

async function extract(ctx: CommandContext): Promise<void> {
  const path = str(ctx, 'extract')!;
  const keyOut = str(ctx, 'key-out');
  const certOut = str(ctx, 'cert-out');
  const chainOut = str(ctx, 'chain-out');
  if (!keyOut && !certOut && !chainOut) throw new MailPkiError('ERR_USAGE', 'pkcs12 --extract: give at least one of --key-out, --cert-out, --chain-out');
  if (str(ctx, 'chain') !== undefined || str(ctx, 'name') !== undefined) throw new MailPkiError('ERR_USAGE', 'pkcs12 --extract: --chain and --name apply when writing a .p12');
  const force = flag(ctx, 'force');
  const outs = [keyOut, certOut, chainOut].filter((p): p is string => p !== undefined);
  await checkWritable(outs, { force });
  const p12 = await readPkcs12File(ctx, path);
  if (p12.key && !p12.certificate && p12.chain.length) throw new MailPkiError('ERR_KEY_MISMATCH', `${path}: the private key belongs to none of its certificates`);
  const certs = [p12.certificate, ...p12.chain].filter((c): c is Uint8Array => c !== undefined).map((der) => parseCertificate(der));
  const files: FileToWrite[] = [];
  if (keyOut) {
    if (!p12.key) throw new MailPkiError('ERR_USAGE', `${path} holds no private key: drop --key-out`);
    files.push({ path: keyOut, data: encodePrivateKeyPem(p12.key), kind: 'key' });
  }
  if (certOut) {
    if (!p12.certificate) throw new MailPkiError('ERR_NO_CERTIFICATE', `${path} holds no certificate`);
    files.push({ path: certOut, data: encodePem('CERTIFICATE', p12.certificate), kind: 'cert' });
  }
  if (chainOut) {
    if (!p12.chain.length) throw new MailPkiError('ERR_NO_CERTIFICATE', `${path} holds no CA certificates: drop --chain-out`);
    files.push({ path: chainOut, data: p12.chain.map((c) => encodePem('CERTIFICATE', c)).join(''), kind: 'cert' });
  }
  await writeFilesAtomic(files, { force });
  if (!p12.mac) note(ctx.io, `${path} has no MAC (written with -nomac): its integrity could not be checked`);
  if (keyOut) ctx.io.out(`wrote ${keyOut}: ${describeKey(p12.key!)} private key, UNENCRYPTED (PKCS#8), mode 0600\n`);
  if (certOut) ctx.io.out(`wrote ${certOut}: certificate ${subjectLine(certs[0]!)}\n`);
  if (chainOut) ctx.io.out(`wrote ${chainOut}: ${p12.chain.length} certificate${p12.chain.length === 1 ? '' : 's'}\n`);
}

function subjectLine(c: Certificate): string {
  const cn = c.subject.rdns.flat().find((a) => a.type === 'CN')?.value;
  return printable(cn ?? `serial ${c.serialHex}`);
}

/** Text from a file, safe for a terminal: control characters (C0, DEL, C1) as `?`. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function outlineItem(o: Pkcs12Outline): { text: string; json: unknown } {
  const lines = ['PKCS#12 (not decrypted: give --passphrase-file or --passphrase-env to check the MAC and see the key and certificates)'];
  lines.push(`  MAC: ${o.mac ? `HMAC-${o.mac.hash}, ${o.mac.iterations} iterations (not verified)` : 'none (no integrity check: written with -nomac)'}`);
  for (const c of o.containers) {
    lines.push(`  Container: ${c.type}, encryption: ${printable(c.encryption)}`);
    for (const b of c.bags ?? []) lines.push(`    Bag: ${b.type}${b.type === 'other' ? ` (${printable(b.bagType)})` : ''}, encryption: ${printable(b.encryption)}${b.friendlyName !== undefined ? `, friendlyName ${printable(JSON.stringify(b.friendlyName))}` : ''}`);
  }
  return { text: `${lines.join('\n')}\n`, json: { kind: 'pkcs12', decrypted: false, ...o } };
}

/** `mailpki inspect FILE.p12`: MAC, bags, key and certificates (asks for the passphrase). */
export async function inspectPkcs12(ctx: CommandContext, path: string, bytes: Uint8Array): Promise<Array<{ text: string; json: unknown }>> {
  checkPkcs12Bytes(path, bytes);
  // Like an encrypted key, a .p12 is described without its passphrase when none is given (and no terminal to ask on).
  if (str(ctx, 'passphrase-file') === undefined && str(ctx, 'passphrase-env') === undefined && !(ctx.io.stdinIsTTY && ctx.io.stderrIsTTY)) return [outlineItem(describePkcs12(bytes))];
  const p12 = await readPkcs12File(ctx, path, bytes);
  const mac = p12.mac ? `HMAC-${p12.mac.hash}, ${p12.mac.iterations} iterations: verified` : 'none (no integrity check: written with -nomac)';
  const lines = [`PKCS#12 (${p12.bags.length} bag${p12.bags.length === 1 ? '' : 's'})`, `  MAC: ${mac}`];
  if (p12.friendlyName !== undefined) lines.push(`  Friendly name: ${printable(JSON.stringify(p12.friendlyName))}`);
  if (p12.localKeyId) lines.push(`  Local key ID: ${toHex(p12.localKeyId)}`);
  for (const b of p12.bags) lines.push(`  Bag: ${b.type}${b.type === 'other' ? ` (${printable(b.bagType)})` : ''}, encryption: ${b.encryption}${b.friendlyName !== undefined ? `, friendlyName ${printable(JSON.stringify(b.friendlyName))}` : ''}`);
  if (p12.key) lines.push(`  Private key: ${describeKey(p12.key)} (SPKI SHA-256 ${spkiSha256(getPublicKey(p12.key))})`);
  const certs = [p12.certificate, ...p12.chain].filter((c): c is Uint8Array => c !== undefined).map((der) => parseCertificate(der));
  const head = { text: `${lines.join('\n')}\n`, json: {
    kind: 'pkcs12',
    decrypted: true,
    mac: p12.mac,
    friendlyName: p12.friendlyName,
    localKeyId: p12.localKeyId,
    bags: p12.bags,
    ...(p12.key ? { key: describeKey(p12.key), spkiSha256: spkiSha256(getPublicKey(p12.key)) } : {}),
  } };
  return [head, ...certs.map((c) => ({ text: inspectCertificate(c), json: { kind: 'certificate', ...(certificateToJson(c) as object) } }))];
}
