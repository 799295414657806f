/**
 * PKCS#12 group of the benchmark (`npm run bench`, or `--only pkcs12`; wired
 * in run.ts): writing and reading a .p12 (RSA-2048 key, its certificate and
 * one CA certificate) with mailpki, the `openssl pkcs12` CLI and node-forge
 * (pure JS), all at 2048 iterations (OpenSSL 3's default), interleaved
 * round-robin in one process.
 *
 * What each contender does, so the numbers are read fairly:
 * - mailpki default: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for key and
 *   certificates, HMAC-SHA256 MAC; legacy: 3DES for both, HMAC-SHA1 MAC.
 * - openssl: `openssl pkcs12 -export` (same structure as mailpki default;
 *   `-legacy`: 3DES key + RC2-40 certificates) and `openssl pkcs12 -nodes`
 *   to read; each sample includes starting the process (the "openssl
 *   version" row is that start-up alone, to subtract).
 * - node-forge `pkcs12.toPkcs12Asn1` (+ DER) with `algorithm: 'aes256'`
 *   (PBES2, but PBKDF2-HMAC-SHA1 and certificates NOT encrypted: less work)
 *   and `'3des'` (3DES key, certificates not encrypted, SHA-1 MAC);
 *   reading is `pkcs12FromAsn1`. forge reads RSA keys only, hence RSA.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePkcs12, parsePkcs12 } from '../src/keys/pkcs12.js';
import { generateKeyPair } from '../src/keys/generate.js';
import { getPublicKey } from '../src/keys/public-key.js';
import { encodePrivateKeyPem } from '../src/keys/key-io.js';
import { createRootCa, issueCertificate } from '../src/x509/issue.js';
import { tempDir } from '../test/helpers/env.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
interface Contender {
  op: 'write' | 'read';
  name: string;
  run: () => unknown;
}
interface Row { op: string; name: string; n: number; mean: number; median: number; min: number; max: number }

const ITER = 2048;
const PW = 'bench pass phrase';

function stats(xs: number[]): { mean: number; median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return { mean: s.reduce((a, b) => a + b, 0) / n, median: n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2, min: s[0]!, max: s[n - 1]! };
}

/** Run the group; returns the markdown section. `forge` is node-forge (pure JS mode) from run.ts's peers. */
export async function runPkcs12Bench(opts: { forge: Any; rounds: number }): Promise<string> {
  const { forge, rounds } = opts;
  const dir = tempDir('mailpki-bench-p12-');
  const f = (n: string): string => join(dir, n);
  const caKey = (await generateKeyPair({ type: 'rsa', bits: 2048 })).privateKey; // forge parses RSA certificates only
  const root = createRootCa({ subject: 'CN=Bench P12 Root', privateKey: caKey, days: 30 });
  const key = (await generateKeyPair({ type: 'rsa', bits: 2048 })).privateKey;
  const cert = issueCertificate({ profile: 'smime', publicKey: getPublicKey(key), subject: 'CN=Bench User', sans: ['bench@example.com'], issuer: root, issuerKey: caKey, days: 30 });
  writeFileSync(f('key.pem'), encodePrivateKeyPem(key));
  writeFileSync(f('cert.pem'), cert.pem);
  writeFileSync(f('ca.pem'), root.pem);
  writeFileSync(f('pw'), `${PW}\n`);

  const ours = { default: encodePkcs12({ key, certificate: cert, chain: [root], passphrase: PW }), legacy: encodePkcs12({ key, certificate: cert, chain: [root], passphrase: PW, compatibility: 'legacy' }) };
  const ossl = (args: string[]): Buffer => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const osslExport = (legacy: boolean): Buffer =>
    ossl(['pkcs12', '-export', '-inkey', f('key.pem'), '-in', f('cert.pem'), '-certfile', f('ca.pem'), '-passout', `file:${f('pw')}`, '-iter', String(ITER), '-maciter', ...(legacy ? ['-legacy'] : [])]);
  writeFileSync(f('o-default.p12'), osslExport(false));
  writeFileSync(f('o-legacy.p12'), osslExport(true));

  const fKey = forge.pki.privateKeyFromPem(encodePrivateKeyPem(key, { format: 'pkcs1' }));
  const fCerts = [forge.pki.certificateFromPem(cert.pem), forge.pki.certificateFromPem(root.pem)];
  const forgeWrite = (algorithm: 'aes256' | '3des'): string =>
    forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(fKey, fCerts, PW, { algorithm, count: ITER, friendlyName: 'Bench User', generateLocalKeyId: true })).getBytes();
  const forged = { aes256: forgeWrite('aes256'), '3des': forgeWrite('3des') };
  const forgeRead = (der: string): unknown => {
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), PW);
    const keyBags = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag];
    if (!keyBags?.[0]?.key) throw new Error('forge: no key read');
    return keyBags;
  };
  // Sanity: each contender's output is read by the others' readers before timing.
  parsePkcs12(readFileSync(f('o-default.p12')), { passphrase: PW });
  parsePkcs12(readFileSync(f('o-legacy.p12')), { passphrase: PW });
  for (const d of Object.values(forged)) parsePkcs12(Buffer.from(d, 'binary'), { passphrase: PW });
  forgeRead(Buffer.from(ours.legacy).toString('binary'));

  const contenders: Contender[] = [
    { op: 'write', name: 'mailpki (default: PBES2 AES-256, HMAC-SHA256)', run: () => encodePkcs12({ key, certificate: cert, chain: [root], passphrase: PW }) },
    { op: 'write', name: 'mailpki (legacy: 3DES, HMAC-SHA1)', run: () => encodePkcs12({ key, certificate: cert, chain: [root], passphrase: PW, compatibility: 'legacy' }) },
    { op: 'write', name: 'openssl pkcs12 -export (process)', run: () => osslExport(false) },
    { op: 'write', name: 'openssl pkcs12 -export -legacy (process)', run: () => osslExport(true) },
    { op: 'write', name: "node-forge toPkcs12Asn1 'aes256' (certs unencrypted)", run: () => forgeWrite('aes256') },
    { op: 'write', name: "node-forge toPkcs12Asn1 '3des' (certs unencrypted)", run: () => forgeWrite('3des') },
    { op: 'read', name: 'mailpki parsePkcs12 (default file)', run: () => parsePkcs12(ours.default, { passphrase: PW }) },
    { op: 'read', name: 'mailpki parsePkcs12 (legacy file)', run: () => parsePkcs12(ours.legacy, { passphrase: PW }) },
    { op: 'read', name: 'openssl pkcs12 -nodes (default file, process)', run: () => ossl(['pkcs12', '-in', f('o-default.p12'), '-passin', `file:${f('pw')}`, '-nodes']) },
    { op: 'read', name: 'node-forge pkcs12FromAsn1 (its aes256 file)', run: () => forgeRead(forged.aes256) },
    { op: 'read', name: 'node-forge pkcs12FromAsn1 (its 3des file)', run: () => forgeRead(forged['3des']) },
    { op: 'read', name: 'openssl version (process start-up only)', run: () => ossl(['version']) },
  ];
  for (const c of contenders) c.run(); // warm-up (JIT), untimed
  const samples = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const idx = (k + r) % contenders.length;
      const t = performance.now();
      contenders[idx]!.run();
      samples[idx]!.push(performance.now() - t);
    }
    process.stderr.write(`\rpkcs12: round ${r + 1}/${rounds}   `);
  }
  process.stderr.write('\n');
  const rows: Row[] = contenders.map((c, i) => ({ op: c.op, name: c.name, n: samples[i]!.length, ...stats(samples[i]!) }));
  const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const lines = [
    `## PKCS#12 write and read (ms per file; RSA-2048 key + certificate + 1 CA certificate, ${ITER} iterations everywhere)`,
    '',
    '| operation | implementation | n | mean | median | min | max | mean / mailpki default |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const op of ['write', 'read'] as const) {
    const base = rows.find((r) => r.op === op && r.name.startsWith('mailpki'))!;
    for (const r of rows.filter((x) => x.op === op)) {
      lines.push(`| ${op} | ${r.name} | ${r.n} | ${fmt(r.mean)} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${(r.mean / base.mean).toFixed(2)} |`);
    }
  }
  lines.push(
    '',
    'openssl rows include starting a process (see "openssl version"); node-forge leaves the certificates unencrypted and uses PBKDF2-HMAC-SHA1 ' +
      'for aes256, so it does less work than mailpki default. Reading a mailpki file includes the RSA key checks every parsed key gets.',
  );
  return lines.join('\n');
}
