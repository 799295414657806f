/**
 * CRL group of the benchmark (`npm run bench -- --only crl`, wired in
 * run.ts): a CRL of 100,000 entries (16-byte random serials, revocation
 * dates a minute apart, a reasonCode on four entries out of five) signed by
 * an RSA-2048 CA.
 *
 * - create: `createCrl` vs `openssl ca -gencrl` over an index.txt holding
 *   the same 100,000 revocations (minimal config in a temp dir);
 * - parse + signature check + one lookup: reading the DER file,
 *   `parseCrl`, `checkCrlSignature`, `findCrlEntry` for an entry in the
 *   middle, vs `openssl crl -inform DER -noout -verify -CAfile` on the same
 *   file (a process per run: its start-up, measured on a one-entry CRL, is
 *   given beside it); target: within 2x of OpenSSL;
 * - memory: a child process (plain node --expose-gc on this file bundled
 *   with esbuild) parses, checks and looks up;
 *   it reports the memory the parsed CRL holds (heap + ArrayBuffers after a
 *   GC, the CRL still referenced) and the growth of the peak RSS over the
 *   RSS before reading the file (VmHWM reset through /proc/self/clear_refs
 *   on Linux). Target: under 64 MiB.
 *
 * Standalone: `node --import tsx bench/crl.ts [--quick]` prints the table.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { parsePkcs8 } from '../src/keys/pkcs8.js';
import { createRootCa } from '../src/x509/issue.js';
import { createCrl, parseCrl, checkCrlSignature, findCrlEntry, type CrlReason } from '../src/x509/crl.js';
import { parseCertificate } from '../src/x509/certificate.js';
import { tempDir } from '../test/helpers/env.js';

const N = 100_000;
const MiB = 1024 * 1024;

interface Row {
  step: string;
  impl: string;
  n: number;
  mean: number;
  min: number;
}

function timeIt(rounds: number, fn: () => void): { mean: number; min: number } {
  const s: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    s.push(performance.now() - t0);
  }
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, min: Math.min(...s) };
}

const ossl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', maxBuffer: 64 * MiB });

/**
 * Memory of parse + check + lookup, measured in a fresh child process. The
 * child is this file bundled with esbuild and run by plain node (no tsx:
 * compiling TypeScript on the fly would set a peak RSS before the
 * measurement starts, hiding the one of the parse).
 */
function memoryChild(dir: string, crlPath: string, caPath: string, serialHex: string): { retainedMiB: number; peakRssGrowthMiB: number; exactPeak: boolean } {
  const self = fileURLToPath(import.meta.url);
  const bundle = join(dir, 'crl-child.mjs');
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  esbuild.buildSync({ entryPoints: [self], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, logLevel: 'error' });
  const r = spawnSync(process.execPath, ['--expose-gc', bundle, '--child', crlPath, caPath, serialHex], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** VmHWM (peak RSS) of this process in bytes, from /proc (Linux), or undefined. */
function vmHwm(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function child(crlPath: string, caPath: string, serialHex: string): void {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const ca = parseCertificate(readFileSync(caPath, 'utf8'));
  gc();
  const before = process.memoryUsage();
  const rssBefore = before.rss;
  // Reset the peak RSS (Linux: "5" > clear_refs resets VmHWM). getrusage's maxRSS cannot be used: after
  // fork + exec it still counts the parent's RSS at the fork.
  let reset = false;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    reset = vmHwm() !== undefined;
  } catch {
    reset = false;
  }
  const crl = parseCrl(readFileSync(crlPath));
  if (!checkCrlSignature(crl, ca).ok) throw new Error('signature');
  if (!findCrlEntry(crl, BigInt('0x' + serialHex))) throw new Error('lookup');
  const peak = (reset ? vmHwm() : undefined) ?? process.resourceUsage().maxRSS * 1024;
  gc();
  const after = process.memoryUsage();
  const retained = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  console.log(JSON.stringify({ retainedMiB: retained / MiB, peakRssGrowthMiB: Math.max(0, peak - rssBefore) / MiB, exactPeak: reset, revoked: crl.revokedCount }));
}

/** Run the CRL benchmark; returns markdown lines for the report and the rows. */
export async function crlBench(opts: { quick: boolean }): Promise<{ lines: string[]; rows: Row[]; memory: { retainedMiB: number; peakRssGrowthMiB: number; exactPeak: boolean } }> {
  const rounds = opts.quick ? 3 : 10;
  const createRounds = opts.quick ? 1 : 3;
  const dir = tempDir('mailpki-bench-crl-');
  const keyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const key = parsePkcs8(new Uint8Array(Buffer.from(keyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')));
  const ca = createRootCa({ subject: { O: 'Bench', CN: 'Bench CRL CA' }, privateKey: key });
  writeFileSync(join(dir, 'ca.pem'), ca.pem);
  writeFileSync(join(dir, 'ca.key'), keyPem);
  const now = Date.now();
  const reasons: Array<CrlReason | undefined> = ['keyCompromise', 'superseded', 'cessationOfOperation', 'affiliationChanged', undefined];
  const entries = Array.from({ length: N }, (_, i) => ({
    serial: BigInt('0x' + randomBytes(16).toString('hex')) >> 1n || 1n,
    revocationDate: new Date(Math.floor((now - (N - i) * 60_000) / 1000) * 1000),
    ...(reasons[i % 5] ? { reason: reasons[i % 5]! } : {}),
  }));
  const rows: Row[] = [];

  // ---- create
  let crl = createCrl({ issuerCertificate: ca, issuerKey: key, crlNumber: 1n, entries, days: 7 }); // warm-up
  const c = timeIt(createRounds, () => (crl = createCrl({ issuerCertificate: ca, issuerKey: key, crlNumber: 2n, entries, days: 7 })));
  rows.push({ step: 'create (sign)', impl: 'mailpki createCrl', n: createRounds, ...c });
  // openssl ca -gencrl over the same revocations
  mkdirSync(join(dir, 'newcerts'));
  const t = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  const far = t(new Date(now + 365 * 86_400_000));
  const osslReason: Record<string, string> = { keyCompromise: 'keyCompromise', superseded: 'superseded', cessationOfOperation: 'cessationOfOperation', affiliationChanged: 'affiliationChanged' };
  writeFileSync(
    join(dir, 'index.txt'),
    entries.map((e) => `R\t${far}\t${t(e.revocationDate)}${e.reason ? `,${osslReason[e.reason]}` : ''}\t${e.serial.toString(16).toUpperCase().padStart(2, '0').replace(/^(.(..)*)$/, '0$1')}\tunknown\t/CN=x${e.serial.toString(16)}`).join('\n') + '\n',
  );
  writeFileSync(join(dir, 'crlnumber'), '02\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ca]\ndefault_ca=d\n[d]\ndir=${dir}\ndatabase=$dir/index.txt\nnew_certs_dir=$dir/newcerts\ncertificate=$dir/ca.pem\nprivate_key=$dir/ca.key\ncrlnumber=$dir/crlnumber\ndefault_md=sha256\ndefault_crl_days=7\ncrl_extensions=x\nunique_subject=no\n[x]\nauthorityKeyIdentifier=keyid:always\n`,
  );
  const oc = timeIt(createRounds, () => ossl(['ca', '-batch', '-config', join(dir, 'ca.cnf'), '-gencrl', '-out', join(dir, 'openssl.crl')]));
  rows.push({ step: 'create (sign)', impl: 'openssl ca -gencrl', n: createRounds, ...oc });

  // ---- parse + signature + one lookup
  const crlPath = join(dir, 'big.crl');
  writeFileSync(crlPath, crl.der);
  const middle = entries[N / 2]!.serial;
  const ours = () => {
    const x = parseCrl(readFileSync(crlPath));
    if (!checkCrlSignature(x, ca).ok || !findCrlEntry(x, middle)) throw new Error('bench: CRL check failed');
  };
  const theirs = () => ossl(['crl', '-inform', 'DER', '-in', crlPath, '-noout', '-verify', '-CAfile', join(dir, 'ca.pem')]);
  ours(); // warm-up (JIT, hash tables), not timed
  theirs();
  // Interleaved, so load from other jobs on the machine hits both alike.
  const ps: number[] = [];
  const os: number[] = [];
  for (let i = 0; i < rounds; i++) {
    ps.push(timeIt(1, ours).mean);
    os.push(timeIt(1, theirs).mean);
  }
  const summary = (v: number[]) => ({ mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v) });
  const p = summary(ps);
  const o = summary(os);
  rows.push({ step: 'read + parse + signature + 1 lookup', impl: 'mailpki', n: rounds, ...p });
  const parsed = parseCrl(readFileSync(crlPath));
  const parseOnly = timeIt(rounds, () => parseCrl(readFileSync(crlPath)));
  rows.push({ step: '  of which read + parse', impl: 'mailpki parseCrl', n: rounds, ...parseOnly });
  const lookup = timeIt(rounds, () => findCrlEntry(parsed, middle));
  rows.push({ step: '  of which 1 lookup', impl: 'mailpki findCrlEntry', n: rounds, ...lookup });
  rows.push({ step: 'read + parse + signature', impl: 'openssl crl -noout -verify (process)', n: rounds, ...o });
  const small = createCrl({ issuerCertificate: ca, issuerKey: key, crlNumber: 3n, entries: entries.slice(0, 1) });
  writeFileSync(join(dir, 'small.crl'), small.der);
  const o1 = timeIt(rounds, () => ossl(['crl', '-inform', 'DER', '-in', join(dir, 'small.crl'), '-noout', '-verify', '-CAfile', join(dir, 'ca.pem')]));
  rows.push({ step: '  same on a 1-entry CRL (start-up)', impl: 'openssl crl -noout -verify (process)', n: rounds, ...o1 });

  const memory = memoryChild(dir, crlPath, join(dir, 'ca.pem'), middle.toString(16));
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const lines = [
    `## CRL of ${N.toLocaleString('en')} entries (${(crl.der.length / MiB).toFixed(1)} MiB DER, RSA-2048 CA)`,
    '',
    '| step | implementation | n | mean ms | min ms |',
    '|---|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.step} | ${r.impl} | ${r.n} | ${f(r.mean)} | ${f(r.min)} |`),
    '',
    `mailpki / OpenSSL (read + parse + signature, mean): ${(p.mean / o.mean).toFixed(2)}x (target ≤ 2x; OpenSSL is timed as a process, its start-up is the 1-entry row). ` +
      `Memory (child process, parse + check + lookup): ${memory.retainedMiB.toFixed(1)} MiB held by the parsed CRL, peak RSS growth ${memory.peakRssGrowthMiB.toFixed(1)} MiB${memory.exactPeak ? '' : ' (upper bound: getrusage, no /proc reset)'} (target < 64 MiB).`,
  ];
  return { lines, rows, memory };
}

if (process.argv[2] === '--child') child(process.argv[3]!, process.argv[4]!, process.argv[5]!);
else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await crlBench({ quick: process.argv.includes('--quick') });
  console.log(r.lines.join('\n'));
}
