// Test environment helpers: oracles (openssl, certtool, python3 cryptography,
// chromium, postfix, dovecot), the shared vectors folder, temp dirs.
// Locally a missing oracle skips with a visible reason; in CI
// (MAILPKI_REQUIRE_ORACLES=1 / MAILPKI_REQUIRE_VECTORS=1, set by .ci/run)
// it fails the test instead.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
/** Wycheproof vectors (Apache-2.0, LICENSE and SOURCE.txt beside them), part of the repository. */
export const VECTORS_DIR = resolve(ROOT, 'test/vectors/wycheproof');
/** NIST PKITS, shipped by Debian in python3-cryptography-vectors (.ci/run installs it). */
export const PKITS_DIR = '/usr/lib/python3/dist-packages/cryptography_vectors/x509/PKITS_data';
/** Debian's python3 (has python3-cryptography); pyenv's python3 may shadow it on PATH. */
export const PYTHON = '/usr/bin/python3';

const cache = new Map<string, boolean>();
export function hasCommand(cmd: string): boolean {
  if (!cache.has(cmd)) {
    const r = cmd === 'python3-cryptography'
      ? spawnSync(PYTHON, ['-c', 'import cryptography'], { stdio: 'ignore' })
      : spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    cache.set(cmd, r.status === 0);
  }
  return cache.get(cmd)!;
}

/** True when `cmd` is available; otherwise skips `t` (locally) or throws (CI). */
export function oracle(t: TestContext, cmd: string): boolean {
  if (hasCommand(cmd)) return true;
  if (process.env.MAILPKI_REQUIRE_ORACLES === '1') throw new Error(`required oracle missing: ${cmd} (.ci/run must install it)`);
  t.skip(`oracle not installed: ${cmd}`);
  return false;
}

/** The Wycheproof vectors are in the repository: their absence is a failure, never a skip. */
export function vectors(_t: TestContext): boolean {
  if (!existsSync(VECTORS_DIR)) throw new Error(`vectors missing: ${VECTORS_DIR} (they are part of the repository)`);
  return true;
}

/** True when Debian's PKITS data is installed; otherwise skip (locally) or throw (CI). */
export function pkits(t: TestContext): boolean {
  if (existsSync(PKITS_DIR)) return true;
  if (process.env.MAILPKI_REQUIRE_VECTORS === '1' || process.env.MAILPKI_REQUIRE_ORACLES === '1') throw new Error(`PKITS missing: ${PKITS_DIR} (apt-get install python3-cryptography-vectors)`);
  t.skip(`PKITS not installed: ${PKITS_DIR} (apt-get install python3-cryptography-vectors)`);
  return false;
}

export interface RunResult { status: number | null; stdout: string; stderr: string }
/** Run a command synchronously, capturing text output. */
export function run(cmd: string, args: string[], opts: SpawnSyncOptions & { input?: string | Uint8Array } = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...opts });
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** Run and assert exit 0, returning stdout. */
export function runOk(cmd: string, args: string[], opts: SpawnSyncOptions & { input?: string | Uint8Array } = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

const dirs: string[] = [];
process.on('exit', () => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
/** A fresh temp dir removed when the process exits. */
export function tempDir(prefix = 'mailpki-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
