/**
 * Issuance-database group of the benchmark (`npm run bench -- --only ca-db`,
 * wired in run.ts; part of a full run): the CLI's `ca list`, `crl` and
 * `sign` against a journal of 100,000 records (10,000 with --quick), wall
 * time and peak memory (max RSS) of each command as a fresh process, i.e.
 * what an admin waits for.
 *
 * The journal is made with encodeIssuanceJournal from 500 real leaves
 * issued by the benchmark's CA, repeated under distinct serials (a record's
 * size is a real certificate's; issuing 100,000 would take minutes and
 * measure issuance, not the database); 1% are revoked, so the CRL lists
 * 1,000 (100) entries. Each command runs `rounds` times on the same file
 * (`sign` adds one record per run).
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair } from '../src/keys/generate.js';
import { encodePrivateKeyPem } from '../src/keys/key-io.js';
import { createRootCa, issueCertificate } from '../src/x509/issue.js';
import { createCertificateRequest } from '../src/x509/csr.js';
import { issuanceRecordOf, type IssuanceRecord } from '../src/x509/issuance-db.js';
import { encodeIssuanceJournal } from '../src/node/issuance-db.js';
import { cliCommand } from '../test/helpers/cli.js';
import { tempDir } from '../test/helpers/env.js';

/** One command's samples. */
export interface CaDbRow {
  readonly command: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Largest max RSS over the runs, MiB. */
  readonly maxRssMiB: number;
}

export interface CaDbResult {
  readonly records: number;
  readonly revoked: number;
  readonly fileMiB: number;
  readonly buildMs: number;
  readonly rows: readonly CaDbRow[];
}

/** Run the CLI once as a child process: wall time and its max RSS (from process.resourceUsage at exit). */
function runCli(args: string[], rssFile: string): Promise<{ ms: number; rssKiB: number }> {
  const preload = `data:text/javascript,${encodeURIComponent(`import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(${JSON.stringify(rssFile)},String(process.resourceUsage().maxRSS)));`)}`;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', preload, ...cliCommand(), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (status) => {
      const ms = performance.now() - t0;
      if (status !== 0) reject(new Error(`mailpki ${args.join(' ')} exited ${status}: ${err.trim()}`));
      else resolve({ ms, rssKiB: Number(readFileSync(rssFile, 'utf8')) });
    });
  });
}

/**
 * Build the journal and time the commands.
 * @param quick - 10,000 records and 2 runs instead of 100,000 and 3
 */
export async function caDbBench(quick: boolean): Promise<CaDbResult> {
  const n = quick ? 10_000 : 100_000;
  const rounds = quick ? 2 : 3;
  const dir = tempDir('mailpki-bench-cadb-');
  const p = (f: string) => join(dir, f);
  const caKey = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const ca = createRootCa({ subject: { O: 'Bench', CN: 'Bench Root' }, privateKey: caKey.privateKey });
  writeFileSync(p('ca.pem'), ca.pem);
  writeFileSync(p('ca.key'), encodePrivateKeyPem(caKey.privateKey));
  const leafKey = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  writeFileSync(p('leaf.csr'), createCertificateRequest({ subject: { CN: 'mail.example.test' }, sans: ['mail.example.test'], privateKey: leafKey.privateKey }).pem);

  const t0 = performance.now();
  const real = Array.from({ length: 500 }, (_, i) =>
    issuanceRecordOf(issueCertificate({ profile: 'tls-server', publicKey: leafKey.publicKey, sans: [`host${i}.example.test`], issuer: ca, issuerKey: caKey.privateKey }), 'tls-server'),
  );
  const records: IssuanceRecord[] = [];
  const base = 0x4d41494c504b49n << 64n; // distinct, positive, 16 bytes
  let revoked = 0;
  for (let i = 0; i < n; i++) {
    const r = real[i % real.length]!;
    const rev = i % 100 === 50;
    if (rev) revoked++;
    records.push({ ...r, serial: (base + BigInt(i)).toString(16), ...(rev ? { status: 'revoked' as const, revokedAt: new Date(), revocationReason: 'superseded' as const } : {}) });
  }
  writeFileSync(p('ca.issued.jsonl'), encodeIssuanceJournal(records));
  const buildMs = performance.now() - t0;
  const fileMiB = statSync(p('ca.issued.jsonl')).size / 2 ** 20;

  const commands: Array<[string, string[]]> = [
    ['ca list', ['ca', 'list', '--ca', p('ca.pem')]],
    ['ca list --json', ['ca', 'list', '--ca', p('ca.pem'), '--json']],
    ['crl', ['crl', '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', p('ca.crl'), '--force']],
    ['sign (append one record)', ['sign', '--csr', p('leaf.csr'), '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', p('leaf.pem'), '--force']],
  ];
  // the same CLI on an empty database, for the fixed cost of starting a process
  const rows: CaDbRow[] = [];
  for (const [name, args] of commands) {
    const ms: number[] = [];
    let rss = 0;
    for (let i = 0; i < rounds; i++) {
      const r = await runCli(args, p('rss'));
      ms.push(r.ms);
      rss = Math.max(rss, r.rssKiB);
    }
    ms.sort((a, b) => a - b);
    rows.push({ command: name, runs: rounds, medianMs: ms[Math.floor(ms.length / 2)]!, minMs: ms[0]!, maxMs: ms[ms.length - 1]!, maxRssMiB: rss / 1024 });
  }
  const empty = p('empty.jsonl');
  const e = await runCli(['ca', 'list', '--ca', p('ca.pem'), '--db', empty], p('rss'));
  rows.push({ command: 'ca list (empty database: process start)', runs: 1, medianMs: e.ms, minMs: e.ms, maxMs: e.ms, maxRssMiB: e.rssKiB / 1024 });
  return { records: n, revoked, fileMiB, buildMs, rows };
}

/** Markdown lines for the report. */
export function caDbReport(r: CaDbResult): string[] {
  return [
    `Journal of ${r.records.toLocaleString('en-US')} records (${r.revoked.toLocaleString('en-US')} revoked), ${r.fileMiB.toFixed(1)} MiB, written in ${(r.buildMs / 1000).toFixed(1)} s. ` +
      'Each command is a fresh `mailpki` process (bundled CLI); time is wall time, memory the process\'s max RSS.',
    '',
    '| command | runs | median ms | min | max | max RSS MiB |',
    '|---|---:|---:|---:|---:|---:|',
    ...r.rows.map((x) => `| ${x.command} | ${x.runs} | ${x.medianMs.toFixed(0)} | ${x.minMs.toFixed(0)} | ${x.maxMs.toFixed(0)} | ${x.maxRssMiB.toFixed(0)} |`),
  ];
}
