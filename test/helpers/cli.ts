// Shared helpers for the CLI tests: run `node --import tsx src/cli/bin.ts ...`
// as a real process (with a timeout), and make fixtures with OpenSSL (an
// oracle we did not write) so the CLI tests do not depend on our own output.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, tempDir } from './env.js';

export const BIN = join(ROOT, 'src/cli/bin.ts');
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;

let bundled: string | undefined;
/**
 * The command line that runs the CLI. By default src/cli/bin.ts bundled once
 * per test process with esbuild (what tsup does for dist/, minus the build
 * race): a process then starts in ~0.15 s of CPU instead of ~0.7 s under tsx,
 * which keeps the 200-row bad-input table well under a minute on 2 cores.
 * MAILPKI_CLI_TSX=1 runs `node --import tsx src/cli/bin.ts` instead.
 */
export function cliCommand(): string[] {
  if (process.env.MAILPKI_CLI_TSX === '1') return ['--import', TSX, BIN];
  if (!bundled) {
    const dir = tempDir('mailpki-cli-bundle-');
    // same layout as the package: <root>/package.json and <root>/dist/cli/bin.js
    mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
    copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    const out = join(dir, 'dist', 'cli', 'bin.js');
    const esbuild = createRequire(join(ROOT, 'package.json'))('esbuild') as typeof import('esbuild');
    esbuild.buildSync({ entryPoints: [BIN], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'error' });
    bundled = out;
  }
  return [bundled];
}

/** Run `node --import tsx src/cli/bin.ts` (the unbundled sources), for a few sanity checks. */
export function tsxCommand(): string[] {
  return ['--import', TSX, BIN];
}

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run the CLI as a child process (stdin not a TTY, no TTY anywhere). */
export function cli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number; tsx?: boolean } = {}): Promise<CliResult> {
  const cmd = opts.tsx ? tsxCommand() : cliCommand();
  const t0 = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...cmd, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolvePromise({ status, signal, stdout, stderr, ms: Date.now() - t0 });
    });
    child.stdin.on('error', () => undefined); // the CLI may exit before reading all of it (EPIPE)
    child.stdin.end(opts.input ?? '');
  });
}

/** Run a command (an oracle) synchronously; throws with its stderr on failure. */
export function sh(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Run an oracle, return exit status and output without throwing. */
export function shStatus(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, ...opts });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Every file below `dir` (relative names), to prove nothing was left behind. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** Fixtures made by OpenSSL: a CA (encrypted key), a server key/CSR/cert, a wrong key, bad inputs. */
export interface Fixtures {
  dir: string;
  pass: string; // file with the CA passphrase
  wrongPass: string;
  caKey: string; // encrypted
  caKeyPlain: string;
  caCert: string;
  serverKey: string;
  serverCsr: string;
  serverCert: string;
  otherKey: string; // matches nothing
  otherCa: string; // an unrelated root
  badSigCsr: string;
  malformedPem: string;
  truncatedPem: string;
  garbage: string;
  huge: string;
  nestedDer: string;
  nestedPem: string;
  empty: string;
  many: string;
}

export function makeFixtures(): Fixtures {
  const dir = tempDir('mailpki-cli-fx-');
  const p = (n: string) => join(dir, n);
  const ossl = (...args: string[]) => sh('openssl', args, { cwd: dir });
  writeFileSync(p('ca.pass'), 'correct horse battery staple\n');
  writeFileSync(p('wrong.pass'), 'not the passphrase\n');
  ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca-plain.key');
  ossl('pkcs8', '-topk8', '-in', 'ca-plain.key', '-out', 'ca.key', '-v2', 'aes-256-cbc', '-passout', `file:${p('ca.pass')}`);
  ossl('req', '-x509', '-new', '-key', 'ca-plain.key', '-subj', '/O=Test/CN=Test Root CA', '-days', '30', '-sha256', '-out', 'ca.crt',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'server.key');
  ossl('req', '-new', '-key', 'server.key', '-subj', '/CN=mail.example.test', '-addext', 'subjectAltName=DNS:mail.example.test', '-out', 'server.csr');
  ossl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca-plain.key', '-days', '30', '-sha256', '-copy_extensions', 'copy', '-out', 'server.crt');
  ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.key');
  ossl('req', '-x509', '-new', '-key', 'other.key', '-subj', '/O=Other/CN=Other Root CA', '-days', '30', '-sha256', '-out', 'other-ca.crt',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  // CSR with a bad signature: flip one bit in the last byte of the DER (inside the signature).
  ossl('req', '-in', 'server.csr', '-outform', 'DER', '-out', 'server.csr.der');
  const der = readFileSync(p('server.csr.der'));
  der[der.length - 3]! ^= 0x01;
  writeFileSync(p('badsig.csr'), pem('CERTIFICATE REQUEST', der));
  const certPem = readFileSync(p('server.crt'), 'utf8');
  writeFileSync(p('malformed.pem'), certPem.replace(/^(-----BEGIN CERTIFICATE-----\n.{10})/m, '$1!!!!'));
  writeFileSync(p('truncated.pem'), certPem.slice(0, Math.floor(certPem.length / 2)));
  const garbage = Buffer.alloc(64 * 1024);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
  writeFileSync(p('garbage.bin'), garbage);
  writeFileSync(p('huge.pem'), '');
  spawnSync('truncate', ['-s', '40M', p('huge.pem')]);
  // 20,000 nested SEQUENCEs with definite lengths (about 100 KB).
  let nested: Buffer = Buffer.alloc(0);
  for (let i = 0; i < 20_000; i++) nested = Buffer.concat([Buffer.from([0x30]), derLength(nested.length), nested]);
  writeFileSync(p('nested.der'), nested);
  writeFileSync(p('nested.pem'), pem('CERTIFICATE', nested));
  writeFileSync(p('empty.pem'), '');
  writeFileSync(p('many.pem'), certPem.repeat(5000)); // ~4 MB, under the byte cap: 5,000 certificates
  return {
    dir,
    pass: p('ca.pass'),
    wrongPass: p('wrong.pass'),
    caKey: p('ca.key'),
    caKeyPlain: p('ca-plain.key'),
    caCert: p('ca.crt'),
    serverKey: p('server.key'),
    serverCsr: p('server.csr'),
    serverCert: p('server.crt'),
    otherKey: p('other.key'),
    otherCa: p('other-ca.crt'),
    badSigCsr: p('badsig.csr'),
    malformedPem: p('malformed.pem'),
    truncatedPem: p('truncated.pem'),
    garbage: p('garbage.bin'),
    huge: p('huge.pem'),
    nestedDer: p('nested.der'),
    nestedPem: p('nested.pem'),
    empty: p('empty.pem'),
    many: p('many.pem'),
  };
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

/**
 * SIGKILL `child` as soon as `marker` exists (polled every millisecond);
 * resolves when the child has closed, killed or not. The crash-mid-write
 * tests use it to land a kill at one chosen point of a run.
 */
export function killWhenFileAppears(child: ChildProcess, marker: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const iv = setInterval(() => {
      if (existsSync(marker)) {
        child.kill('SIGKILL');
        clearInterval(iv);
      }
    }, 1);
    child.on('close', () => {
      clearInterval(iv);
      resolve();
    });
  });
}
