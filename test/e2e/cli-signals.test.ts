// `mailpki mail init` interrupted: SIGINT / SIGTERM / SIGHUP at several points
// of the write phase leave either the complete set or nothing of this run, no
// temp file and no lock (exit 130 / 143 / 129); a SIGKILL leftover is cleaned
// by the next run, with or without --force; two `mail init --force` runs into
// one directory, one stopped (SIGSTOP) after its first publish, never leave a
// key that does not match its certificate (the second run is refused: lock).
// The CLI runs as a real process (the bundle test/helpers/cli.ts builds); the
// test-only MAILPKI_TEST_PAUSE_AFTER_PUBLISH hook pauses it at a publish step
// so the signal lands exactly there. Key/certificate pairs are compared with
// node:crypto (OpenSSL), not with mailpki's own parsers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/env.js';
import { cli, cliCommand } from '../helpers/cli.js';

const FILES = [
  'NEXT-STEPS.txt', 'dovecot-2.3-10-ssl.conf', 'dovecot-2.4-10-ssl.conf', 'postfix-chain.pem', 'postfix-main.cf', 'postfix-master.cf',
  'root-ca.issued.jsonl', 'root-ca.key', 'root-ca.pem', 'selinux.sh', 'server-chain.pem', 'server.csr', 'server.key', 'server.pem', 'tlsa.txt',
];
const EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const args = (out: string, force = false) => ['mail', 'init', 'mail.example.test', '--out', out, '--no-ca-passphrase', ...(force ? ['--force'] : [])];

interface Run {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  done: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
}

/** Start the CLI; with `pauseAfter`, it stops at that publish step (the test-only hook). Killed after 30 s at the latest. */
function start(argv: string[], pauseAfter?: number, pauseMs = 20_000): Run {
  const child = spawn(process.execPath, [...cliCommand(), ...argv], {
    env: { ...process.env, ...(pauseAfter !== undefined ? { MAILPKI_TEST_PAUSE_AFTER_PUBLISH: String(pauseAfter), MAILPKI_TEST_PAUSE_MS: String(pauseMs) } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      res({ status, signal });
    }),
  );
  return { child, stderr: () => err, stdout: () => out, done };
}

/** Wait until the paused CLI announces the step (or fail after 20 s). */
async function paused(r: Run, n: number): Promise<void> {
  const want = `mailpki-test: paused after ${n} published`;
  const t0 = Date.now();
  while (!r.stderr().includes(want)) {
    if (Date.now() - t0 > 20_000) throw new Error(`never paused at ${n}: ${r.stderr()}`);
    if (r.child.exitCode !== null) throw new Error(`exited before pausing at ${n}: ${r.stderr()}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

const list = (d: string) => (existsSync(d) ? readdirSync(d).sort() : []);
const spki = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('hex');
const certSpki = (pem: string) => new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }).toString('hex');

/** Both key/certificate pairs of a set match (root and server), and the chain files hold that server certificate. */
function assertConsistent(d: string): void {
  const r = (n: string) => readFileSync(join(d, n), 'utf8');
  assert.equal(spki(r('root-ca.key')), certSpki(r('root-ca.pem')), 'root-ca.key does not match root-ca.pem');
  assert.equal(spki(r('server.key')), certSpki(r('server.pem')), 'server.key does not match server.pem');
  assert.equal(new X509Certificate(r('server.pem')).verify(new X509Certificate(r('root-ca.pem')).publicKey), true, 'server.pem not signed by root-ca.pem');
  assert.ok(r('server-chain.pem').startsWith(r('server.pem').trim()), 'server-chain.pem does not start with server.pem');
  assert.equal(spki(r('postfix-chain.pem')), spki(r('server.key')), 'postfix-chain.pem holds another key');
}

const snapshot = (d: string) => Object.fromEntries(list(d).map((n) => [n, readFileSync(join(d, n), 'utf8')]));

describe('mail init interrupted', { concurrency: 3, timeout: 110_000 }, () => {
  // The directory is new: the set is built aside and renamed in one step (all files at once).
  for (const [sig, at] of [['SIGINT', 0], ['SIGTERM', 0], ['SIGINT', FILES.length], ['SIGTERM', FILES.length]] as const) {
    it(`new directory, ${sig} ${at === 0 ? 'before publishing: nothing' : 'after the rename: the complete set'}`, async () => {
      const base = tempDir('mailpki-sig-');
      const out = join(base, 'out');
      const r = start(args(out), at);
      await paused(r, at);
      r.child.kill(sig);
      const { status } = await r.done;
      assert.equal(status, EXIT[sig], r.stderr());
      assert.deepEqual(list(base), at === 0 ? [] : ['out'], 'no temp directory next to it');
      if (at !== 0) {
        assert.deepEqual(list(out), FILES, 'complete set, no temp file, no lock');
        assertConsistent(out);
      }
    });
  }

  // An existing empty directory: files are published one by one; any catchable signal removes them again.
  for (const [sig, at] of [['SIGINT', 0], ['SIGINT', 1], ['SIGTERM', 1], ['SIGHUP', 3], ['SIGINT', 7], ['SIGTERM', FILES.length - 1]] as const) {
    it(`existing directory, ${sig} after ${at} published: nothing of this run, no temp file`, async () => {
      const out = join(tempDir('mailpki-sig-'), 'out');
      mkdirSync(out);
      writeFileSync(join(out, 'unrelated.txt'), 'mine');
      const r = start(args(out), at);
      await paused(r, at);
      if (at > 0) assert.equal(list(out).filter((n) => FILES.includes(n)).length, at, 'the pause really is after that many publishes');
      r.child.kill(sig);
      const { status } = await r.done;
      assert.equal(status, EXIT[sig], r.stderr());
      assert.match(r.stderr(), /interrupted.*\(ERR_ABORTED\)/);
      assert.deepEqual(list(out), ['unrelated.txt']);
    });
  }

  it('existing complete set, --force, SIGINT after 5 replaced: the previous set is back, byte for byte', async () => {
    const out = join(tempDir('mailpki-sig-'), 'out');
    const first = await cli(args(out));
    assert.equal(first.status, 0, first.stderr);
    const before = snapshot(out);
    const r = start(args(out, true), 5);
    await paused(r, 5);
    assert.notDeepEqual(snapshot(out), before, 'some files were replaced at the pause');
    r.child.kill('SIGINT');
    assert.equal((await r.done).status, 130, r.stderr());
    assert.deepEqual(snapshot(out), before);
    assertConsistent(out);
  });

  it('SIGKILL mid-publish: the next run removes the temp files (without --force too), takes over the lock, and --force then writes a consistent set', async () => {
    const out = join(tempDir('mailpki-sig-'), 'out');
    mkdirSync(out);
    const r = start(args(out), 2);
    await paused(r, 2);
    r.child.kill('SIGKILL');
    await r.done;
    const left = list(out);
    assert.ok(left.some((n) => /^\..+\.[0-9a-f]{12}\.tmp$/.test(n)), `temp files left by the kill: ${left.join(' ')}`);
    assert.ok(left.includes('.mailpki.lock'), 'the dead run\'s lock is left');
    // without --force: fails on the two published files, but cleans the temp files first
    const again = await cli(args(out));
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists.*\(ERR_FILE_EXISTS\)/);
    assert.match(again.stderr, /note: removed .*\.tmp, left by an interrupted earlier run/);
    assert.equal(list(out).filter((n) => n.startsWith('.')).length, 0, `no temp file and no lock left: ${list(out).join(' ')}`);
    const forced = await cli(args(out, true));
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(list(out), FILES);
    assertConsistent(out);
  });

  it('SIGKILL while a new directory is built: the next run removes the hidden temp directory', async () => {
    const base = tempDir('mailpki-sig-');
    const out = join(base, 'out');
    const r = start(args(out), 0);
    await paused(r, 0);
    r.child.kill('SIGKILL');
    await r.done;
    assert.equal(list(base).length, 1);
    assert.match(list(base)[0]!, /^\.out\.[0-9a-f]{12}\.tmpdir$/);
    const again = await cli(args(out));
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(list(base), ['out']);
    assert.deepEqual(list(out), FILES);
    assertConsistent(out);
  });

  it('two mail init --force into one directory, the first stopped (SIGSTOP) after its first publish: the second is refused, the pair always matches', async () => {
    const out = join(tempDir('mailpki-sig-'), 'out');
    const first = await cli(args(out));
    assert.equal(first.status, 0, first.stderr);
    const a = start(args(out, true), 1, 1500);
    await paused(a, 1);
    a.child.kill('SIGSTOP');
    try {
      const b = await cli(args(out, true));
      assert.equal(b.status, 1, b.stderr);
      assert.match(b.stderr, new RegExp(`locked by another mailpki run \\(pid ${a.child.pid} .*\\(ERR_LOCKED\\)`));
    } finally {
      a.child.kill('SIGCONT');
    }
    assert.equal((await a.done).status, 0, a.stderr());
    assert.deepEqual(list(out), FILES);
    assertConsistent(out);
    // and now that A is done, B runs
    const b2 = await cli(args(out, true));
    assert.equal(b2.status, 0, b2.stderr);
    assertConsistent(out);
  });

  it('a lock file of a process that no longer exists is taken over', async () => {
    const out = join(tempDir('mailpki-sig-'), 'out');
    mkdirSync(out);
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((res) => gone.on('close', res));
    writeFileSync(join(out, '.mailpki.lock'), `${gone.pid} ${(await import('node:os')).hostname()} 2020-01-01T00:00:00.000Z\n`);
    const r = await cli(args(out));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(list(out), FILES);
  });
});
