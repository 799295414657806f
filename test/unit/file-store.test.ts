// The safe file store: modes, atomic all-or-nothing writes, no overwrite
// without force, never through a symlink, capped reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { tempDir } from '../helpers/env.js';
import { hostname } from 'node:os';
import { LOCK_FILE_NAME, checkWritable, ensureDirectory, lockDirectory, readInputFile, removeStaleTempFiles, writeFileAtomic, writeFilesAtomic } from '../../src/node/file-store.js';
import { isMailPkiError } from '../../src/index.js';

const mode = (p: string) => statSync(p).mode & 0o777;

test('modes: new dirs 0700, keys 0600, certs and configs 0644, whatever the umask', async () => {
  for (const umask of [0o000, 0o077, 0o022]) {
    const old = process.umask(umask);
    try {
      const d = join(tempDir(), 'a', 'b');
      await writeFilesAtomic([
        { path: join(d, 'k.pem'), data: 'KEY', kind: 'key' },
        { path: join(d, 'c.pem'), data: 'CERT', kind: 'cert' },
        { path: join(d, 'main.cf'), data: 'x = y\n', kind: 'config' },
      ]);
      assert.equal(mode(d), 0o700, `umask ${umask.toString(8)}`);
      assert.equal(mode(join(d, '..')), 0o700);
      assert.equal(mode(join(d, 'k.pem')), 0o600);
      assert.equal(mode(join(d, 'c.pem')), 0o644);
      assert.equal(mode(join(d, 'main.cf')), 0o644);
      assert.equal(readFileSync(join(d, 'c.pem'), 'utf8'), 'CERT');
      assert.deepEqual(readdirSync(d).sort(), ['c.pem', 'k.pem', 'main.cf']); // no temp files left
    } finally {
      process.umask(old);
    }
  }
});

test('an existing directory is used as is, never chmod-ed', async () => {
  const d = tempDir();
  chmodSync(d, 0o755);
  await writeFileAtomic(join(d, 'x.crt'), 'C', { kind: 'cert' });
  assert.equal(mode(d), 0o755);
});

test('an existing file is not overwritten without force; with force it is replaced, not modified in place', async () => {
  const d = tempDir();
  const p = join(d, 'server.crt');
  writeFileSync(p, 'OLD');
  await assert.rejects(writeFileAtomic(p, 'NEW', { kind: 'cert' }), (e) => isMailPkiError(e, 'ERR_FILE_EXISTS'));
  assert.equal(readFileSync(p, 'utf8'), 'OLD');
  // A hard link to the old inode: a rename-based replace leaves its content alone.
  linkSync(p, join(d, 'other-name'));
  const w = await writeFileAtomic(p, 'NEW', { kind: 'cert', force: true });
  assert.equal(w.replaced, true);
  assert.equal(readFileSync(p, 'utf8'), 'NEW');
  assert.equal(readFileSync(join(d, 'other-name'), 'utf8'), 'OLD');
  assert.deepEqual(readdirSync(d).sort(), ['other-name', 'server.crt']);
});

test('a symlinked target is refused even with force, and the link target is untouched', async () => {
  const d = tempDir();
  const victim = join(d, 'ca-bundle.crt');
  writeFileSync(victim, 'SYSTEM TRUST');
  chmodSync(victim, 0o644);
  const link = join(d, 'cert.pem');
  symlinkSync(victim, link);
  for (const force of [false, true]) {
    await assert.rejects(writeFileAtomic(link, 'X', { kind: 'key', force }), (e) => isMailPkiError(e, 'ERR_FILE_UNSAFE'));
  }
  await assert.rejects(checkWritable([link], { force: true }), (e) => isMailPkiError(e, 'ERR_FILE_UNSAFE'));
  assert.equal(readFileSync(victim, 'utf8'), 'SYSTEM TRUST');
  assert.equal(mode(victim), 0o644);
  assert.ok(lstatSync(link).isSymbolicLink());
  // A dangling symlink is refused too (writing would create the file it points at).
  const dangling = join(d, 'dangling.key');
  symlinkSync(join(d, 'nowhere'), dangling);
  await assert.rejects(writeFileAtomic(dangling, 'X', { kind: 'key' }), (e) => isMailPkiError(e, 'ERR_FILE_UNSAFE'));
  assert.equal(existsSync(join(d, 'nowhere')), false);
});

test('a directory as target is refused', async () => {
  const d = tempDir();
  mkdirSync(join(d, 'sub'));
  await assert.rejects(writeFileAtomic(join(d, 'sub'), 'X', { kind: 'cert', force: true }), (e) => isMailPkiError(e, 'ERR_FILE_UNSAFE'));
});

test('multi-file write: one existing target -> nothing is written and created dirs are removed', async () => {
  const base = tempDir();
  mkdirSync(join(base, 'out'));
  writeFileSync(join(base, 'out', 'z.pem'), 'KEEP');
  await assert.rejects(
    writeFilesAtomic([
      { path: join(base, 'out', 'a.pem'), data: 'A', kind: 'cert' },
      { path: join(base, 'out', 'new', 'b.pem'), data: 'B', kind: 'key' },
      { path: join(base, 'out', 'z.pem'), data: 'Z', kind: 'cert' },
    ]),
    (e) => isMailPkiError(e, 'ERR_FILE_EXISTS'),
  );
  assert.deepEqual(readdirSync(join(base, 'out')), ['z.pem']);
  assert.equal(readFileSync(join(base, 'out', 'z.pem'), 'utf8'), 'KEEP');
});

test('multi-file write: a failure while publishing removes what this call already published', async () => {
  const d = join(tempDir(), 'existing');
  mkdirSync(d);
  await assert.rejects(
    writeFilesAtomic(
      [
        { path: join(d, 'a.pem'), data: 'A', kind: 'cert' },
        { path: join(d, 'b.pem'), data: 'B', kind: 'cert' },
      ],
      // someone creates b.pem between our check and our publish
      { beforePublish: () => writeFileSync(join(d, 'b.pem'), 'RACE') },
    ),
    (e) => isMailPkiError(e, 'ERR_FILE_EXISTS'),
  );
  assert.deepEqual(readdirSync(d), ['b.pem']); // a.pem rolled back, no temp files, no lock file
  assert.equal(readFileSync(join(d, 'b.pem'), 'utf8'), 'RACE'); // never touched what we did not create
});

test('ensureDirectory refuses a file in the way and a dangling symlink', async () => {
  const d = tempDir();
  writeFileSync(join(d, 'f'), '');
  await assert.rejects(ensureDirectory(join(d, 'f', 'sub')), (e) => isMailPkiError(e, 'ERR_FILE_UNSAFE'));
  symlinkSync(join(d, 'nowhere'), join(d, 'l'));
  await assert.rejects(ensureDirectory(join(d, 'l')), (e) => isMailPkiError(e, 'ERR_FILE_UNSAFE'));
  assert.equal(existsSync(join(d, 'nowhere')), false);
});

test('readInputFile: missing, directory, huge, endless', async () => {
  const d = tempDir();
  await assert.rejects(readInputFile(join(d, 'nope')), (e) => isMailPkiError(e, 'ERR_FILE_NOT_FOUND'));
  await assert.rejects(readInputFile(d), (e) => isMailPkiError(e, 'ERR_IO'));
  const huge = join(d, 'huge');
  writeFileSync(huge, '');
  truncateSync(huge, 64 * 1024 * 1024 * 1024); // sparse 64 GiB: refused by size, not read
  const t0 = Date.now();
  await assert.rejects(readInputFile(huge), (e) => isMailPkiError(e, 'ERR_INPUT_TOO_LARGE'));
  for (const dev of ['/dev/zero', '/dev/urandom']) {
    if (!existsSync(dev)) continue;
    await assert.rejects(readInputFile(dev), (e) => isMailPkiError(e, 'ERR_INPUT_TOO_LARGE'));
  }
  assert.ok(Date.now() - t0 < 5000, 'capped reads must be quick');
  writeFileSync(join(d, 'small'), 'hello');
  assert.equal(new TextDecoder().decode(await readInputFile(join(d, 'small'))), 'hello');
  assert.equal((await readInputFile(join(d, 'small'), { maxBytes: 5 })).length, 5);
  await assert.rejects(readInputFile(join(d, 'small'), { maxBytes: 4 }), (e) => isMailPkiError(e, 'ERR_INPUT_TOO_LARGE'));
});

test('readInputFile: a pipe that has data later is read; a silent one fails after waitMs', { skip: process.platform === 'win32' }, async () => {
  const d = tempDir();
  const fifo = join(d, 'fifo');
  spawnSync('mkfifo', [fifo]);
  // a writer that waits before writing (like `<(slow command)`)
  const writer = spawn('sh', ['-c', `sleep 0.3; printf hello > '${fifo}'`]);
  try {
    assert.equal(new TextDecoder().decode(await readInputFile(fifo, { waitMs: 5000 })), 'hello');
  } finally {
    writer.kill();
  }
  // a writer that holds the pipe open and says nothing
  const silent = spawn('sh', ['-c', `exec 3>'${fifo}'; sleep 5`]);
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  try {
    await assert.rejects(readInputFile(fifo, { waitMs: 300 }), (e) => isMailPkiError(e, 'ERR_IO'));
    assert.ok(Date.now() - t0 < 3000);
  } finally {
    silent.kill();
  }
});

test('multi-file write with force: a failure puts back the files already replaced', async () => {
  const d = tempDir();
  writeFileSync(join(d, 'a.pem'), 'OLD A');
  writeFileSync(join(d, 'b.pem'), 'OLD B');
  await assert.rejects(
    writeFilesAtomic(
      [
        { path: join(d, 'a.pem'), data: 'NEW A', kind: 'cert' },
        { path: join(d, 'b.pem'), data: 'NEW B', kind: 'cert' },
        { path: join(d, 'c.pem'), data: 'NEW C', kind: 'cert' },
      ],
      // c.pem becomes a directory between the check and the publish: its rename fails
      { force: true, beforePublish: () => mkdirSync(join(d, 'c.pem')) },
    ),
  );
  assert.equal(readFileSync(join(d, 'a.pem'), 'utf8'), 'OLD A');
  assert.equal(readFileSync(join(d, 'b.pem'), 'utf8'), 'OLD B');
  assert.deepEqual(readdirSync(d).sort(), ['a.pem', 'b.pem', 'c.pem']); // no temp or backup names left
  // and on success the backups are gone
  await writeFilesAtomic([{ path: join(d, 'a.pem'), data: 'NEW A', kind: 'cert' }], { force: true });
  assert.equal(readFileSync(join(d, 'a.pem'), 'utf8'), 'NEW A');
  assert.deepEqual(readdirSync(d).sort(), ['a.pem', 'b.pem', 'c.pem']);
});

// ---- locking, fresh directories, abort, stale temp files, errors naming the target (issue 12)

test('a new directory is built aside and renamed into place: no hidden temp directory left, mode 0700, lock gone', async () => {
  const base = tempDir();
  const d = join(base, 'new');
  const steps: number[] = [];
  await writeFilesAtomic(
    [
      { path: join(d, 'k.pem'), data: 'K', kind: 'key' },
      { path: join(d, 'c.pem'), data: 'C', kind: 'cert' },
    ],
    { afterPublish: (n) => void steps.push(n), beforePublish: () => assert.equal(existsSync(d), false, 'nothing visible before the publish') },
  );
  assert.deepEqual(steps, [2], 'one publish step for the whole directory');
  assert.deepEqual(readdirSync(base), ['new']);
  assert.deepEqual(readdirSync(d).sort(), ['c.pem', 'k.pem']);
  assert.equal(mode(d), 0o700);
  assert.equal(mode(join(d, 'k.pem')), 0o600);
});

test('a new directory that appears meanwhile is not replaced: ERR_FILE_EXISTS, nothing of ours left', async () => {
  const base = tempDir();
  const d = join(base, 'new');
  await assert.rejects(
    writeFilesAtomic([{ path: join(d, 'a.pem'), data: 'A', kind: 'cert' }], { beforePublish: () => mkdirSync(d) }),
    (e) => isMailPkiError(e, 'ERR_FILE_EXISTS'),
  );
  assert.deepEqual(readdirSync(base), ['new']);
  assert.deepEqual(readdirSync(d), []);
});

test('abort (signal) mid-publish in an existing directory undoes everything: new files removed, replaced ones back', async () => {
  const d = tempDir();
  writeFileSync(join(d, 'b.pem'), 'OLD-B');
  const ac = new AbortController();
  await assert.rejects(
    writeFilesAtomic(
      [
        { path: join(d, 'a.pem'), data: 'A', kind: 'cert' },
        { path: join(d, 'b.pem'), data: 'B', kind: 'cert' },
        { path: join(d, 'c.pem'), data: 'C', kind: 'cert' },
      ],
      { force: true, signal: ac.signal, afterPublish: (n) => void (n === 2 && ac.abort()) },
    ),
    (e) => isMailPkiError(e, 'ERR_ABORTED'),
  );
  assert.deepEqual(readdirSync(d), ['b.pem']);
  assert.equal(readFileSync(join(d, 'b.pem'), 'utf8'), 'OLD-B');
  // already aborted: nothing is even started
  await assert.rejects(writeFileAtomic(join(d, 'x.pem'), 'X', { kind: 'cert', signal: AbortSignal.abort() }), (e) => isMailPkiError(e, 'ERR_ABORTED'));
  assert.deepEqual(readdirSync(d), ['b.pem']);
});

test('the directory lock: a live holder is refused with ERR_LOCKED (pid named), a dead one is taken over, release is idempotent', async () => {
  const d = tempDir();
  const lock = await lockDirectory(d);
  assert.equal(readFileSync(join(d, LOCK_FILE_NAME), 'utf8').split(' ')[0], String(process.pid));
  // a second writer (another run, simulated by the lock of a live process: ours is refused as "another run" too)
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
  try {
    await lock.release();
    writeFileSync(join(d, LOCK_FILE_NAME), `${child.pid} ${hostname()} 2026-01-01T00:00:00.000Z\n`);
    await assert.rejects(writeFileAtomic(join(d, 'a.pem'), 'A', { kind: 'cert' }), (e) => isMailPkiError(e, 'ERR_LOCKED') && (e as Error).message.includes(`pid ${child.pid}`));
    assert.equal(existsSync(join(d, 'a.pem')), false);
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((r) => child.on('close', r));
  await writeFileAtomic(join(d, 'a.pem'), 'A', { kind: 'cert' }); // the holder is gone: taken over
  assert.deepEqual(readdirSync(d), ['a.pem'], 'lock released after the write');
  await lock.release();
  // another host's lock cannot be judged: refused
  writeFileSync(join(d, LOCK_FILE_NAME), `1 some-other-host 2026-01-01T00:00:00.000Z\n`);
  await assert.rejects(lockDirectory(d), (e) => isMailPkiError(e, 'ERR_LOCKED'));
});

test('stale temp files of the names being written are removed under the lock; other dot files are not', async () => {
  const d = tempDir();
  writeFileSync(join(d, '.a.pem.0123456789ab.tmp'), 'SECRET');
  writeFileSync(join(d, '.a.pem.0123456789ab.old'), 'OLD');
  writeFileSync(join(d, '.other.pem.0123456789ab.tmp'), 'NOT OURS TO JUDGE');
  writeFileSync(join(d, '.a.pem.xyz.tmp'), 'NOT OUR PATTERN');
  const removed: string[] = [];
  await writeFileAtomic(join(d, 'a.pem'), 'A', { kind: 'cert', onStaleRemoved: (p) => void removed.push(p) });
  assert.deepEqual(removed.map((p) => p.slice(d.length + 1)).sort(), ['.a.pem.0123456789ab.old', '.a.pem.0123456789ab.tmp']);
  assert.deepEqual(readdirSync(d).sort(), ['.a.pem.xyz.tmp', '.other.pem.0123456789ab.tmp', 'a.pem']);
  const lock = await lockDirectory(d);
  assert.deepEqual(await removeStaleTempFiles(lock, ['other.pem']), [join(d, '.other.pem.0123456789ab.tmp')]);
  await lock.release();
});

test('a target directory that is a symbolic link is refused (write and checkWritable); parents may be links', async () => {
  const base = tempDir();
  mkdirSync(join(base, 'real'));
  symlinkSync(join(base, 'real'), join(base, 'L'));
  await assert.rejects(writeFileAtomic(join(base, 'L', 'a.pem'), 'A', { kind: 'cert' }), (e) => isMailPkiError(e, 'ERR_FILE_UNSAFE') && /L is a symbolic link/.test((e as Error).message));
  await assert.rejects(checkWritable([join(base, 'L', 'a.pem')]), (e) => isMailPkiError(e, 'ERR_FILE_UNSAFE'));
  assert.deepEqual(readdirSync(join(base, 'real')), []);
  mkdirSync(join(base, 'real', 'sub'));
  await writeFileAtomic(join(base, 'L', 'sub', 'a.pem'), 'A', { kind: 'cert' }); // only the last component is checked
  assert.deepEqual(readdirSync(join(base, 'real', 'sub')), ['a.pem']);
});

test('I/O errors name the target file, not a temp name: a full disk (ENOSPC) and a read-only file system (EROFS)', async (t) => {
  const mnt = tempDir();
  const mounted = process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status === 0;
  if (!mounted) {
    t.skip('needs root and mount (a small tmpfs)');
    return;
  }
  try {
    const target = join(mnt, 'server.key');
    await assert.rejects(writeFileAtomic(target, new Uint8Array(256 * 1024), { kind: 'key' }), (e) => {
      assert.ok(isMailPkiError(e, 'ERR_IO'));
      assert.match((e as Error).message, new RegExp(`cannot write ${target}: no space left on the device \\(ENOSPC\\)`));
      return true;
    });
    assert.deepEqual(readdirSync(mnt), [], 'no temp file, no lock left');
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', mnt]).status, 0);
    await assert.rejects(writeFileAtomic(join(mnt, 'sub', 'a.pem'), 'A', { kind: 'cert' }), (e) => isMailPkiError(e, 'ERR_IO') && /sub.*read-only file system \(EROFS\)/.test((e as Error).message));
    await assert.rejects(writeFileAtomic(join(mnt, 'a.pem'), 'A', { kind: 'cert' }), (e) => isMailPkiError(e, 'ERR_IO') && (e as Error).message.includes(join(mnt, 'a.pem')) && /EROFS/.test((e as Error).message) && !/\.tmp/.test((e as Error).message));
  } finally {
    spawnSync('umount', [mnt]);
  }
});
