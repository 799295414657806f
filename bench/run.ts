/**
 * mailpki benchmark: key generation and certificate issuance against
 * node:crypto (native OpenSSL) and pure-JS peers, interleaved in one run.
 *
 *   npm run bench                       full run (several minutes)
 *   npm run bench -- --quick            few keys, to iterate
 *   npm run bench -- --n 60             keys for RSA-2048 (others scale from it)
 *   npm run bench -- --seed S           fixed-seed mode: mailpki draws the same
 *                                       candidates every run (compare commits)
 *   npm run bench -- --json out.json    also write every sample as JSON
 *   npm run bench -- --only rsa-2048,p-256,issue   run a subset
 *   npm run bench -- --only ca-db       `ca list`, `crl`, `sign` on a 100,000-record issuance
 *                                       database: time and max RSS (bench/ca-db.ts)
 *   npm run bench -- --only browser     RSA-2048 in headless Chromium on 1 and 2 Web
 *                                       Workers vs node:crypto (bench/browser.ts; only by name)
 *   npm run bench -- --only crl         CRL of 100,000 entries: create, parse + signature +
 *                                       lookup vs openssl, memory (bench/crl.ts)
 *   npm run bench -- --only pkcs12      PKCS#12 write/read vs `openssl pkcs12` and node-forge
 *                                       (bench/pkcs12.ts; also part of the full run)
 *   npm run bench -- --only verify      chain verification (parse + verify 3 certs, RSA-2048 and
 *                                       P-256) vs node:crypto X509Certificate and pkijs, and the
 *                                       bounded path-building worst cases (bench/verify.ts)
 *   npm run bench -- --svg path.svg     chart path (default bench/results/keygen.svg)
 *   npm run bench -- --md path.md       also write the markdown report to a file
 *
 * Needs the peers: `npm ci --prefix bench/thirdparty` (run.ts says so and
 * exits when they are missing). Not part of `npm test`.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { cpus, availableParallelism, loadavg } from 'node:os';
import { execFileSync } from 'node:child_process';
import { generateKeyPair as nodeGenerateKeyPair, generateKeyPairSync as nodeGenerateKeyPairSync, webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
import { p256, p384 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { generateKeyPair } from '../src/keys/generate.js';
import { createKeygenPool } from '../src/node/keygen-workers.js';
import { createSeededRandom } from '../src/crypto/random.js';
import type { KeyPair } from '../src/crypto/key-types.js';
import { renderSvg, type ChartGroup } from './svg.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const THIRD = join(HERE, 'thirdparty');

// ---------- arguments ----------
interface Args { quick: boolean; n: number | null; seed: string | null; json: string | null; only: string[] | null; svg: string; md: string | null }
function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, n: null, seed: null, json: null, only: null, svg: join(HERE, 'results/keygen.svg'), md: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--quick') a.quick = true;
    else if (k === '--n') a.n = Number(v());
    else if (k === '--seed') a.seed = v();
    else if (k === '--json') a.json = v();
    else if (k === '--only') a.only = v().split(',').map((s) => s.trim().toLowerCase());
    else if (k === '--svg') a.svg = v();
    else if (k === '--md') a.md = v();
    else if (k === '--help' || k === '-h') {
      console.log(readmeUsage());
      process.exit(0);
    } else throw new Error(`unknown argument ${k} (try --help)`);
  }
  if (a.n !== null && (!Number.isInteger(a.n) || a.n < 1)) throw new Error('--n must be a positive integer');
  return a;
}
function readmeUsage(): string {
  return 'usage: npm run bench -- [--quick] [--n N] [--seed S] [--json FILE] [--only rsa-2048,rsa-3072,rsa-4096,p-256,p-384,ed25519,issue,verify,crl,pkcs12,browser] [--svg FILE] [--md FILE]';
}

// ---------- peers ----------
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
interface Peers { forge: Any; microRsa: Any; x509: Any }
async function loadPeers(): Promise<Peers> {
  if (!existsSync(join(THIRD, 'node_modules'))) {
    console.error('bench peers are not installed. Run:\n\n  npm ci --prefix bench/thirdparty\n\nthen `npm run bench` again.');
    process.exit(2);
  }
  const req = createRequire(join(THIRD, 'package.json'));
  const forge = req('node-forge');
  forge.options.usePureJavaScript = true;
  const microRsa = await import(pathToFileURL(req.resolve('micro-rsa-dsa-dh/rsa.js')).href);
  req('reflect-metadata'); // @peculiar/x509's DI container (tsyringe) needs it first
  const x509 = req('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto);
  return { forge, microRsa, x509 };
}

// ---------- statistics ----------
interface Series { name: string; samples: number[] }
interface Stats { n: number; mean: number; median: number; min: number; max: number }
function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const median = n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  return { n, mean, median, min: s[0]!, max: s[n - 1]! };
}

// ---------- keygen contenders ----------
interface Contender { name: string; max?: number; run: (i: number) => Promise<unknown> | unknown }
const nodeGenAsync = promisify(nodeGenerateKeyPair) as unknown as (type: string, opts: object) => Promise<unknown>;

async function timeOne(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Round-robin: round r runs every contender once, in an order rotated by r. */
async function interleaved(label: string, rounds: number, contenders: Contender[]): Promise<Series[]> {
  const series = contenders.map((c) => ({ name: c.name, samples: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const idx = (k + r) % contenders.length;
      const c = contenders[idx]!;
      if (c.max !== undefined && series[idx]!.samples.length >= c.max) continue;
      series[idx]!.samples.push(await timeOne(() => c.run(r)));
    }
    process.stderr.write(`\r${label}: round ${r + 1}/${rounds}   `);
  }
  process.stderr.write('\n');
  return series;
}

function rsaContenders(bits: 2048 | 3072 | 4096, peers: Peers, pool: ReturnType<typeof createKeygenPool>, seed: string | null, forgeMax: number): Contender[] {
  const rng = (i: number) => (seed ? { rng: createSeededRandom(`${seed}-rsa${bits}-${i}`) } : {});
  return [
    { name: 'mailpki (1 thread)', run: (i) => generateKeyPair({ type: 'rsa', bits, ...rng(i) }) },
    { name: `mailpki (${pool.size} workers)`, run: (i) => pool.generateKeyPair({ type: 'rsa', bits, ...rng(i) }) },
    { name: 'node:crypto', run: () => nodeGenAsync('rsa', { modulusLength: bits, publicExponent: 65537 }) },
    { name: 'micro-rsa-dsa-dh', run: () => peers.microRsa.keygen(bits, 65537n) },
    { name: 'node-forge (pure JS)', max: forgeMax, run: () => peers.forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 }) },
  ];
}

function ecContenders(curve: 'P-256' | 'P-384', seed: string | null): Contender[] {
  const noble = curve === 'P-256' ? p256 : p384;
  const rng = (i: number) => (seed ? { rng: createSeededRandom(`${seed}-${curve}-${i}`) } : {});
  return [
    { name: 'mailpki', run: (i) => generateKeyPair({ type: 'ec', curve, ...rng(i) }) },
    { name: 'noble direct', run: () => noble.getPublicKey(noble.utils.randomSecretKey(), false) },
    { name: 'node:crypto', run: () => nodeGenerateKeyPairSync('ec', { namedCurve: curve }) },
  ];
}

function edContenders(peers: Peers, seed: string | null): Contender[] {
  const rng = (i: number) => (seed ? { rng: createSeededRandom(`${seed}-ed-${i}`) } : {});
  return [
    { name: 'mailpki', run: (i) => generateKeyPair({ type: 'ed25519', ...rng(i) }) },
    { name: 'noble direct', run: () => ed25519.getPublicKey(ed25519.utils.randomSecretKey()) },
    { name: 'node:crypto', run: () => nodeGenerateKeyPairSync('ed25519') },
    { name: 'node-forge (pure JS)', run: () => peers.forge.pki.ed25519.generateKeyPair() },
  ];
}

// ---------- issuance ----------
interface IssueResult { ca: string; name: string; certs: number; ms: number; perSec: number }

async function issuance(peers: Peers, quick: boolean): Promise<{ results: IssueResult[]; pending?: string }> {
  let x509mod: Any;
  try {
    x509mod = await import('../src/x509/index.js');
    if (typeof x509mod.issueCertificate !== 'function' || typeof x509mod.createCertificateRequest !== 'function' || typeof x509mod.createRootCa !== 'function')
      return { results: [], pending: 'src/x509 issueCertificate/createCertificateRequest/createRootCa not available yet' };
  } catch (e) {
    return { results: [], pending: `src/x509 not loadable: ${(e as Error).message}` };
  }
  const { x509, forge } = peers;
  const results: IssueResult[] = [];
  const subtle = webcrypto.subtle;
  const batch = quick ? 10 : 25;
  const rounds = quick ? 3 : 8;

  for (const ca of ['P-256', 'RSA-2048'] as const) {
    // --- mailpki setup: CA key + root, leaf key + CSR (PEM text, parsed inside the timed loop)
    const caPair: KeyPair = ca === 'P-256' ? await generateKeyPair({ type: 'ec', curve: 'P-256' }) : await generateKeyPair({ type: 'rsa', bits: 2048 });
    const leafPair: KeyPair = ca === 'P-256' ? await generateKeyPair({ type: 'ec', curve: 'P-256' }) : await generateKeyPair({ type: 'rsa', bits: 2048 });
    const root = x509mod.createRootCa({ subject: { CN: 'Bench Root', O: 'mailpki bench' }, privateKey: caPair.privateKey, days: 3650 });
    const csrPem: string = x509mod.createCertificateRequest({ subject: { CN: 'mail.example.test' }, sans: ['mail.example.test', 'smtp.example.test'], privateKey: leafPair.privateKey }).pem;
    const mailpkiIssue = (): string => x509mod.issueCertificate({ profile: 'tls-server', csr: csrPem, issuer: root, issuerKey: caPair.privateKey, days: 90 }).pem;

    // --- @peculiar/x509 (WebCrypto = native OpenSSL underneath)
    const alg = ca === 'P-256' ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
    const pkCa = (await subtle.generateKey(alg as Any, true, ['sign', 'verify'])) as Any;
    const pkLeaf = (await subtle.generateKey(alg as Any, true, ['sign', 'verify'])) as Any;
    const pkRoot = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01', name: 'CN=Bench Root, O=mailpki bench', notBefore: new Date(), notAfter: new Date(Date.now() + 3650 * 864e5), signingAlgorithm: alg, keys: pkCa,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    });
    const pkCsrPem: string = (await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=mail.example.test', keys: pkLeaf, signingAlgorithm: alg,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'mail.example.test' }, { type: 'dns', value: 'smtp.example.test' }])],
    })).toString('pem');
    let serial = 1;
    const peculiarIssue = async (): Promise<string> => {
      const csr = new x509.Pkcs10CertificateRequest(pkCsrPem);
      if (!(await csr.verify())) throw new Error('peculiar: CSR signature');
      const san = csr.getExtension(x509.SubjectAlternativeNameExtension);
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: (++serial).toString(16).padStart(2, '0'), subject: csr.subject, issuer: pkRoot.subject,
        notBefore: new Date(), notAfter: new Date(Date.now() + 90 * 864e5), signingAlgorithm: alg, publicKey: csr.publicKey, signingKey: pkCa.privateKey,
        extensions: [
          ...(san ? [san] : []),
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | (ca === 'P-256' ? 0 : x509.KeyUsageFlags.keyEncipherment), true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
          await x509.AuthorityKeyIdentifierExtension.create(pkRoot),
        ],
      });
      return cert.toString('pem');
    };

    const contenders: { name: string; run: () => Promise<unknown> | unknown }[] = [
      { name: 'mailpki', run: mailpkiIssue },
      { name: '@peculiar/x509 (WebCrypto)', run: peculiarIssue },
    ];
    if (ca === 'RSA-2048') {
      // node-forge: RSA only
      const fCa = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
      const fLeaf = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
      const fRoot = forge.pki.createCertificate();
      fRoot.publicKey = fCa.publicKey;
      fRoot.serialNumber = '01';
      fRoot.validity.notBefore = new Date();
      fRoot.validity.notAfter = new Date(Date.now() + 3650 * 864e5);
      fRoot.setSubject([{ name: 'commonName', value: 'Bench Root' }]);
      fRoot.setIssuer([{ name: 'commonName', value: 'Bench Root' }]);
      fRoot.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]);
      fRoot.sign(fCa.privateKey, forge.md.sha256.create());
      const fCsr = forge.pki.createCertificationRequest();
      fCsr.publicKey = fLeaf.publicKey;
      fCsr.setSubject([{ name: 'commonName', value: 'mail.example.test' }]);
      fCsr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'mail.example.test' }, { type: 2, value: 'smtp.example.test' }] }] }]);
      fCsr.sign(fLeaf.privateKey, forge.md.sha256.create());
      const fCsrPem: string = forge.pki.certificationRequestToPem(fCsr);
      let fSerial = 1;
      contenders.push({
        name: 'node-forge (pure JS)',
        run: () => {
          const csr = forge.pki.certificationRequestFromPem(fCsrPem);
          if (!csr.verify()) throw new Error('forge: CSR signature');
          const cert = forge.pki.createCertificate();
          cert.publicKey = csr.publicKey;
          cert.serialNumber = (++fSerial).toString(16).padStart(2, '0');
          cert.validity.notBefore = new Date();
          cert.validity.notAfter = new Date(Date.now() + 90 * 864e5);
          cert.setSubject(csr.subject.attributes);
          cert.setIssuer(fRoot.subject.attributes);
          const ext = csr.getAttribute({ name: 'extensionRequest' });
          cert.setExtensions([
            ...((ext?.extensions as Any[]) ?? []),
            { name: 'basicConstraints', cA: false, critical: true },
            { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
            { name: 'extKeyUsage', serverAuth: true },
            { name: 'subjectKeyIdentifier' },
            { name: 'authorityKeyIdentifier', keyIdentifier: fRoot.generateSubjectKeyIdentifier().getBytes() },
          ]);
          cert.sign(fCa.privateKey, forge.md.sha256.create());
          return forge.pki.certificateToPem(cert);
        },
      });
    }
    // warm up once each (JIT, lazy tables), then interleave batches
    for (const c of contenders) await c.run();
    const tot = contenders.map(() => ({ certs: 0, ms: 0 }));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < contenders.length; k++) {
        const idx = (k + r) % contenders.length;
        const t = performance.now();
        for (let i = 0; i < batch; i++) await contenders[idx]!.run();
        tot[idx]!.ms += performance.now() - t;
        tot[idx]!.certs += batch;
      }
      process.stderr.write(`\rissuance ${ca}: round ${r + 1}/${rounds}   `);
    }
    process.stderr.write('\n');
    contenders.forEach((c, i) => results.push({ ca, name: c.name, certs: tot[i]!.certs, ms: tot[i]!.ms, perSec: (tot[i]!.certs * 1000) / tot[i]!.ms }));
  }
  return { results };
}

// ---------- machine ----------
function machine(): Record<string, string> {
  let opensslCli = 'unknown';
  try {
    opensslCli = execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  } catch {
    /* not installed */
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: String(availableParallelism()),
    node: process.version,
    openssl: `${process.versions.openssl} (node:crypto); CLI: ${opensslCli}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

// ---------- main ----------
const fmtMs = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loadAtStart = loadavg()[0]!;
  const peers = await loadPeers();
  const want = (k: string): boolean => !args.only || args.only.includes(k);
  const n2048 = args.n ?? (args.quick ? 6 : 40);
  const plan: { key: string; label: string; rounds: number; make: () => Contender[] }[] = [];
  const pool = createKeygenPool({ workers: Math.min(2, availableParallelism()) });
  const m = machine();
  console.error(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}, OpenSSL ${m.openssl}`);
  // forge pure JS is ~10x (2048) to ~60x (4096) slower than native: cap its samples so a run ends
  const forgeCap = { 2048: args.quick ? 2 : 10, 3072: args.quick ? 1 : 3, 4096: args.quick ? 0 : 1 };
  for (const bits of [2048, 3072, 4096] as const) {
    const rounds = bits === 2048 ? n2048 : bits === 3072 ? Math.max(2, Math.round(n2048 / 2)) : Math.max(2, Math.round(n2048 / 4));
    plan.push({ key: `rsa-${bits}`, label: `RSA-${bits}`, rounds, make: () => rsaContenders(bits, peers, pool, args.seed, forgeCap[bits]) });
  }
  const nEc = args.quick ? 40 : 200;
  plan.push({ key: 'p-256', label: 'EC P-256', rounds: nEc, make: () => ecContenders('P-256', args.seed) });
  plan.push({ key: 'p-384', label: 'EC P-384', rounds: nEc, make: () => ecContenders('P-384', args.seed) });
  plan.push({ key: 'ed25519', label: 'Ed25519', rounds: nEc, make: () => edContenders(peers, args.seed) });
  // Chromium Web Workers (bench/browser.ts): only when named in --only (needs /usr/bin/chromium)
  const browserBench = args.only?.includes('browser') ? await (await import('./browser.js')).startBrowserBench({ seed: args.seed }) : null;
  if (browserBench) plan.push({ key: 'browser', label: 'RSA-2048 (Chromium)', rounds: n2048, make: browserBench.contenders });

  // warm-up: lazy tables, JIT, worker start (not measured); only when a keygen group runs
  if (plan.some((p) => want(p.key))) {
    await generateKeyPair({ type: 'rsa', bits: 2048 });
    await pool.generateKeyPair({ type: 'rsa', bits: 2048 });
  }

  const groups: { key: string; label: string; rows: (Series & { stats: Stats; ratio: number | null; medianRatio: number | null })[] }[] = [];
  for (const p of plan) {
    if (!want(p.key)) continue;
    const contenders = p.make();
    // one untimed call each (JIT)
    if (!p.key.startsWith('rsa')) for (const c of contenders) await c.run(-1);
    const series = await interleaved(p.label, p.rounds, contenders);
    const nat = series.find((s) => s.name === 'node:crypto');
    const natMean = nat && nat.samples.length ? stats(nat.samples).mean : null;
    const natMedian = nat && nat.samples.length ? stats(nat.samples).median : null;
    groups.push({
      key: p.key,
      label: p.label,
      rows: series.filter((s) => s.samples.length > 0).map((s) => {
        const st = stats(s.samples);
        return { ...s, stats: st, ratio: natMean ? st.mean / natMean : null, medianRatio: natMedian ? st.median / natMedian : null };
      }),
    });
  }
  await pool.close();
  await browserBench?.close();

  const caDbMod = want('ca-db') ? await import('./ca-db.js') : null;
  const caDb = caDbMod ? await caDbMod.caDbBench(args.quick) : null;

  let issue: Awaited<ReturnType<typeof issuance>> | null = null;
  if (want('issue')) issue = await issuance(peers, args.quick);
  const crl = want('crl') ? await (await import('./crl.js')).crlBench({ quick: args.quick }) : null;
  // PKCS#12 write/read (bench/pkcs12.ts): rounds = --n, else 5 (--quick) or 30
  const pkcs12 = want('pkcs12') ? await (await import('./pkcs12.js')).runPkcs12Bench({ forge: peers.forge, rounds: args.n ?? (args.quick ? 5 : 30) }) : null;
  // chain verification (bench/verify.ts): --n calls per contender (default 200, 40 with --quick)
  const verifyBench = want('verify') ? await (await import('./verify.js')).runVerifyBench({ rounds: args.n ?? (args.quick ? 40 : 200), thirdParty: THIRD }) : null;

  // ---------- report ----------
  const lines: string[] = [];
  lines.push(`# mailpki benchmark${args.seed ? ` (fixed seed "${args.seed}")` : ''}`);
  lines.push('');
  lines.push(`Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, OpenSSL ${m.openssl}. Date: ${m.date}.`);
  lines.push('');
  lines.push(
    'The machine is shared (other jobs run at the same time), so absolute times are noisy; ' +
      'contenders run interleaved round-robin in one process (order rotated each round), so the **ratios** ' +
      'to node:crypto (mean / mean, as the issue defines them) within one table are the numbers to compare; RSA keygen time is ' +
      'random per key (geometric number of candidates), so the median ratio is given too. Each key is its own fresh start.' +
      (args.seed ? ' Fixed-seed mode: mailpki draws the same candidates every run (the peers cannot be seeded).' : '') +
      ` Load average (1 min) at the start and the end of this run: ${loadAtStart.toFixed(2)} and ${loadavg()[0]!.toFixed(2)} (2 cores: about 1 is this benchmark alone).`,
  );
  lines.push('');
  lines.push('## Key generation (ms per key)');
  lines.push('');
  lines.push('| test | implementation | n | mean | median | min | max | mean / node:crypto | median / node:crypto |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const g of groups)
    for (const r of g.rows)
      lines.push(`| ${g.label} | ${r.name} | ${r.stats.n} | ${fmtMs(r.stats.mean)} | ${fmtMs(r.stats.median)} | ${fmtMs(r.stats.min)} | ${fmtMs(r.stats.max)} | ${r.ratio === null ? '–' : r.ratio.toFixed(2)} | ${r.medianRatio === null ? '–' : r.medianRatio.toFixed(2)} |`);
  lines.push('');
  lines.push('node:crypto RSA uses the async `generateKeyPair` (libuv thread, one key at a time); EC/Ed25519 use the sync call (the thread hop would dominate). ' +
    `"mailpki (N workers)" is \`createKeygenPool({ workers: N })\` from mailpki/node (warm pool: workers started before timing). node-forge samples are capped (${forgeCap[2048]}/${forgeCap[3072]}/${forgeCap[4096]} keys for 2048/3072/4096): it is 10-60x slower.`);
  if (browserBench) lines.push('', browserBench.note);
  lines.push('');
  lines.push('## Issuance database (the CLI on a large CA)');
  lines.push('');
  if (!caDb || !caDbMod) lines.push('(not run: --only)');
  else lines.push(...caDbMod.caDbReport(caDb));
  lines.push('');
  lines.push('## Certificate issuance (leaf from a CSR: parse, verify CSR signature, build, sign, PEM)');
  lines.push('');
  if (!issue) lines.push('(not run: --only)');
  else if (issue.pending) lines.push(`PENDING: ${issue.pending}.`);
  else {
    lines.push('| CA key | implementation | certs | certs/s | vs mailpki |');
    lines.push('|---|---|---:|---:|---:|');
    for (const r of issue.results) {
      const ours = issue.results.find((x) => x.ca === r.ca && x.name === 'mailpki')!;
      lines.push(`| ${r.ca} | ${r.name} | ${r.certs} | ${r.perSec.toFixed(0)} | ${(ours.perSec / r.perSec).toFixed(2)}x |`);
    }
    lines.push('');
    lines.push('"vs mailpki" = mailpki certs/s divided by that implementation\'s certs/s (targets: ≥ 2x @peculiar/x509 with a P-256 CA, ≥ 5x node-forge with an RSA-2048 CA).');
  }
  if (verifyBench) lines.push('', ...verifyBench.lines);
  lines.push('');
  if (crl) lines.push(...crl.lines);
  else lines.push('## CRL of 100,000 entries', '', '(not run: --only)');
  lines.push(pkcs12 ?? '## PKCS#12 write and read\n\n(not run: --only)');
  const md = lines.join('\n') + '\n';
  process.stdout.write(md);
  if (args.md) {
    mkdirSync(dirname(args.md), { recursive: true });
    writeFileSync(args.md, md);
  }

  // SVG: ratio to node:crypto per test, log scale
  const chart: ChartGroup[] = groups.map((g) => ({ label: g.label, bars: g.rows.filter((r) => r.ratio !== null).map((r) => ({ name: r.name, value: r.ratio!, detail: `${fmtMs(r.stats.mean)} ms, n=${r.stats.n}` })) }));
  if (chart.length === 0) console.error('chart: not written (no keygen results in this run)');
  else {
    mkdirSync(dirname(args.svg), { recursive: true });
    writeFileSync(args.svg, renderSvg(chart, { title: 'Key generation time relative to node:crypto (lower is faster; log scale)', subtitle: `${m.cpu}, ${m.cores} cores, Node ${m.node}, OpenSSL ${process.versions.openssl} · ${m.date} · shared machine, interleaved run${args.seed ? ` · seed ${args.seed}` : ''}` }));
    console.error(`chart: ${args.svg}`);
  }
  if (args.json) {
    writeFileSync(args.json, JSON.stringify({ machine: m, seed: args.seed, keygen: groups, issuance: issue, crl: crl ? { rows: crl.rows, memory: crl.memory } : null, verify: verifyBench?.json ?? null }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2));
    console.error(`json: ${args.json}`);
  }
  if (args.json && caDb) {
    const caDbJson = args.json.replace(/(\.json)?$/, '.ca-db.json');
    writeFileSync(caDbJson, JSON.stringify(caDb, null, 2));
    console.error(`json: ${caDbJson}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
