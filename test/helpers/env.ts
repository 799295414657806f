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
export const VECTORS_DIR = resolve(ROOT, '../shared/vectors/wycheproof');
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

/** True when the shared Wycheproof vectors exist; otherwise skip (locally) or throw (CI). */
export function vectors(t: TestContext): boolean {
  if (existsSync(VECTORS_DIR)) return true;
  if (process.env.MAILPKI_REQUIRE_VECTORS === '1') throw new Error(`vectors missing: ${VECTORS_DIR}`);
  t.skip(`vectors folder absent: ${VECTORS_DIR}`);
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
