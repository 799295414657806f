/**
 * A careful file store for keys, certificates and configs (Node.js only).
 *
 * What it guarantees (DESIGN.md §4 "file modes"):
 * - modes: directories it creates 0700, private keys 0600, certs / configs 0644,
 *   set with fchmod on the file it just created (so the umask cannot widen or
 *   narrow them), never with chmod on a path;
 * - atomic writes: data goes to a fresh temp file in the target's directory
 *   (O_CREAT|O_EXCL|O_NOFOLLOW), is fsync'ed, then published with link()
 *   (which fails if the target appeared meanwhile: no silent overwrite) or,
 *   with `force`, rename() (atomic replace). `cat a.pem b.crt > a.pem`
 *   truncation cannot happen: the old file stays whole until the new one is;
 * - existing files are never overwritten without `force`; a target that is a
 *   symlink is refused even with `force` (`chmod 600 /etc/pki/tls/*` on RHEL
 *   locked the system trust bundle through such a link);
 * - it only ever modifies files it created itself (its temp files, then the
 *   published names); existing directories are used as they are, never chmod'ed;
 * - a multi-file write ({@link writeFilesAtomic}) checks every target, writes
 *   every temp file, and only then publishes them, so a failure or an abort
 *   (the CLI's SIGINT / SIGTERM / SIGHUP) leaves no partial output: published
 *   files are removed again, replaced ones put back. Into a directory that
 *   does not exist yet the set is built in a hidden sibling directory and
 *   renamed into place: it appears whole or not at all, even after SIGKILL;
 * - writers take an exclusive lock on an existing output directory
 *   (`.mailpki.lock`, O_EXCL, owner pid; a dead owner's lock is taken over),
 *   and under it remove the temp files a killed run left (`.NAME.<hex>.tmp`);
 * - a target directory that is itself a symbolic link is refused; parent
 *   components are followed (system layout: macOS /tmp -> /private/tmp);
 * - every I/O error names the file the user asked for, not a temp name;
 * - input files are read with a size cap ({@link readInputFile}), so huge or
 *   endless inputs (`/dev/zero`, `/dev/urandom`) fail within a moment.
 *
 * Out of scope: what the bytes mean (see keys/, x509/), ownership changes
 * (chown is the admin's job; the NEXT-STEPS text says so).
 */
import { constants, promises as fsp, readFileSync, unlinkSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { MailPkiError } from '../errors.js';

/** What a file holds; decides its mode. @public */
export type FileKind = 'key' | 'cert' | 'config' | 'text';

/** One file to write. @public */
export interface FileToWrite {
  /** Target path (relative paths resolve against the process cwd). */
  readonly path: string;
  /** Content; strings are written as UTF-8. */
  readonly data: string | Uint8Array;
  /** `key` -> 0600; everything else -> 0644. */
  readonly kind: FileKind;
  /** Explicit mode, overriding the one `kind` implies. */
  readonly mode?: number;
}

/** Options of {@link writeFilesAtomic} / {@link writeFileAtomic}. @public */
export interface WriteFilesOptions {
  /** Replace existing regular files (atomically). Default false: never overwrite silently. */
  readonly force?: boolean;
  /** Mode for directories this call creates. Default 0o700 (keys live there). */
  readonly dirMode?: number;
  /** Called after every temp file is written and before any is published (tests use it to simulate a race). */
  readonly beforePublish?: () => void | Promise<void>;
  /**
   * Called after each publish step with the number of files published so far (a fresh
   * directory publishes all its files in one step). Tests use it to interrupt mid-publish.
   */
  readonly afterPublish?: (published: number) => void | Promise<void>;
  /**
   * Abort: checked between steps; when it fires before the last file is published,
   * everything this call did is undone and it throws `ERR_ABORTED` (the CLI wires
   * SIGINT / SIGTERM / SIGHUP to it).
   */
  readonly signal?: AbortSignal;
  /** A lock the caller already holds on a target directory ({@link lockDirectory}); kept after the call. */
  readonly lock?: DirectoryLock;
  /** Told about each stale temp file or directory of a killed earlier run that was removed. */
  readonly onStaleRemoved?: (path: string) => void;
}

/** A file that was written. @public */
export interface WrittenFile {
  /** Absolute path of the published file. */
  readonly path: string;
  /** Permission bits it was given (e.g. 0o600 for a key). */
  readonly mode: number;
  /** Size written, in bytes. */
  readonly bytes: number;
  /** True when an existing file was replaced (only with `force`). */
  readonly replaced: boolean;
}

/** Default mode per kind: keys are readable by their owner only. @public */
export const FILE_MODES: Readonly<Record<FileKind, number>> = { key: 0o600, cert: 0o644, config: 0o644, text: 0o644 };

/** Default cap for {@link readInputFile}: 16 MiB, the same as the PEM parser's. @public */
export const MAX_INPUT_FILE = 16 * 1024 * 1024;

/** Default time {@link readInputFile} waits for a pipe or device (and the CLI for standard input), ms. @public */
export const INPUT_WAIT_MS = 10_000;

interface Planned {
  readonly target: string;
  readonly data: Uint8Array;
  readonly mode: number;
  readonly exists: boolean;
  tmp?: string;
  /** With `force`: a second hard link to the file being replaced, to put it back on rollback. */
  backup?: string;
  published?: boolean;
}

/** One target directory of a write set. */
interface DirPlan {
  readonly dir: string;
  /** The directory did not exist: it is built as a hidden sibling and renamed into place. */
  readonly fresh: boolean;
  readonly files: Planned[];
  /** The fresh directory under construction (`.DIR.<hex>.tmpdir` next to it). */
  tmpdir?: string;
  /** The fresh directory was renamed into place. */
  renamed?: boolean;
  lock?: DirectoryLock;
  ownLock?: boolean;
}

/** Name of the lock file mailpki keeps in a directory while it writes there. @public */
export const LOCK_FILE_NAME = '.mailpki.lock';

/** An exclusive lock on a directory (see {@link lockDirectory}). @public */
export interface DirectoryLock {
  /** The locked directory (absolute). */
  readonly dir: string;
  /** Remove the lock file (only if it is still ours). Safe to call twice. */
  release(): Promise<void>;
}

interface OwnedLock extends DirectoryLock {
  path: string;
  dir: string;
  readonly content: string;
  released: boolean;
}

const heldLocks = new Set<OwnedLock>();
let writeSetsInProgress = 0;
let processInterrupted = false;

/**
 * Interruption state for a process that handles SIGINT / SIGTERM itself
 * (the CLI): whether a write set is between its first temp file and its
 * last publish (then abort its `signal` and let it roll back), and a way to
 * drop the locks this process holds when it exits at once otherwise.
 * @internal
 */
export const fileStoreInterrupt = {
  writing: (): boolean => writeSetsInProgress > 0,
  /** The process is being interrupted: every write set in progress (and any later one) rolls back. */
  interrupt(): void {
    processInterrupted = true;
  },
  releaseLocksSync(): void {
    for (const l of heldLocks) {
      try {
        if (readFileSync(l.path, 'utf8') === l.content) unlinkSync(l.path);
      } catch {
        // gone already
      }
    }
    heldLocks.clear();
  },
};

/** `pid host time` of a lock file, or undefined when it cannot be read as ours. */
function lockOwner(content: string): { pid: number; host: string } | undefined {
  const m = /^(\d{1,10}) (\S{1,255}) \S+\n$/.exec(content);
  return m ? { pid: Number(m[1]), host: m[2]! } : undefined;
}

/** True only when the owner is known to be gone: same host and no such process. */
function ownerIsDead(owner: { pid: number; host: string }): boolean {
  if (owner.host !== hostname()) return false; // another machine (shared file system): cannot tell
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: alive, another user's
  }
}

/**
 * Take an exclusive lock on directory `dir`: create `dir/.mailpki.lock`
 * (O_EXCL, 0600) holding `pid host time`. A lock left by a process that no
 * longer exists on this host (killed with SIGKILL, power loss) is recognised
 * and taken over; a lock of a live process (or one on another host) is
 * refused. Every {@link writeFilesAtomic} call takes this lock on each
 * existing target directory for its write phase; a command can take it for
 * its whole run and pass it as `options.lock`.
 * @throws MailPkiError `ERR_LOCKED` (held by another run; the message names
 *   the pid and the lock file), `ERR_IO` (cannot create it).
 * @example
 * ```ts
 * const lock = await lockDirectory('out');
 * try { await writeFilesAtomic(files, { lock }); } finally { await lock.release(); }
 * ```
 * @public
 */
export function lockDirectory(dir: string): Promise<DirectoryLock> {
  return lockFor(dir, `cannot lock ${dir}`);
}

/** {@link lockDirectory}, with what an I/O error should say (the file being written). */
async function lockFor(dir: string, doing: string): Promise<DirectoryLock> {
  const abs = resolve(dir);
  const path = join(abs, LOCK_FILE_NAME);
  const content = `${process.pid} ${hostname()} ${new Date().toISOString()}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fh = await fsp.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
      try {
        await fh.writeFile(content);
      } catch (e) {
        await fh.close().catch(() => undefined);
        await fsp.unlink(path).catch(() => undefined);
        throw e;
      }
      await fh.close();
      const lock: OwnedLock = {
        dir: abs,
        path,
        content,
        released: false,
        async release() {
          if (lock.released) return;
          lock.released = true;
          heldLocks.delete(lock);
          const now = await fsp.readFile(lock.path, 'utf8').catch(() => undefined);
          if (now === lock.content) await fsp.unlink(lock.path).catch(() => undefined);
        },
      };
      heldLocks.add(lock);
      return lock;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(e, path, doing);
    }
    let held: string;
    try {
      held = await fsp.readFile(path, 'utf8');
    } catch {
      continue; // released meanwhile: try again
    }
    const owner = lockOwner(held);
    const st = await lstatOrNull(path);
    // A lock file we cannot read as ours is stale only once it is old (a writer may be mid-write).
    const dead = owner ? ownerIsDead(owner) : st !== null && Date.now() - st.mtimeMs > 60_000;
    if (dead) {
      // Take over only if it is still the same stale lock (another run may have beaten us to it).
      const again = await fsp.readFile(path, 'utf8').catch(() => undefined);
      if (again === held) await fsp.unlink(path).catch(() => undefined);
      continue;
    }
    throw new MailPkiError(
      'ERR_LOCKED',
      `${dir} is locked by another mailpki run${owner ? ` (pid ${owner.pid} on ${owner.host})` : ''}: wait for it to finish` +
        ` (if no mailpki runs, remove ${path})`,
    );
  }
  throw new MailPkiError('ERR_LOCKED', `${dir}: could not take the lock ${path} (it keeps changing)`);
}

/**
 * Write several files as one operation: all or nothing.
 *
 * Order: (1) check every target (no symlink, no directory, not existing
 * unless `force`, no duplicates) and its directory (an existing directory
 * that is a symbolic link is refused: only this last component is checked,
 * see the README); (2) a target directory that does not exist yet is built
 * as a hidden sibling `.DIR.<hex>.tmpdir` (created 0700 with the missing
 * parents) and renamed into place at the end, so it appears complete or not
 * at all; an existing directory is locked ({@link lockDirectory}) and stale
 * temp files of this set's names left by a killed run are removed;
 * (3) every file is written to a temp file (O_EXCL|O_NOFOLLOW, fchmod,
 * fsync); (4) they are published (link(), or rename() with `force`).
 * Any failure, or `signal` firing, before the end of (4) undoes this call:
 * temp files removed, files it published removed, files it replaced put
 * back (kept as a second hard link until the whole set is published), the
 * directories it created removed. Only an uncatchable kill (SIGKILL, power
 * loss) during (4) in an existing directory can leave part of a set; the
 * next call cleans the temp files such a run left.
 *
 * @throws MailPkiError `ERR_FILE_EXISTS` (target exists, no `force`),
 *   `ERR_FILE_UNSAFE` (target or its directory is a symlink, or not a
 *   regular file), `ERR_LOCKED` (another run writes there), `ERR_ABORTED`
 *   (`signal` fired; everything undone), `ERR_IO` (anything else the OS
 *   refuses; the message names the target file and the reason).
 * @example
 * ```ts
 * await writeFilesAtomic([
 *   { path: 'out/server.key', data: keyPem, kind: 'key' },
 *   { path: 'out/server.crt', data: certPem, kind: 'cert' },
 * ]);
 * ```
 * @public
 */
export async function writeFilesAtomic(files: readonly FileToWrite[], options: WriteFilesOptions = {}): Promise<WrittenFile[]> {
  const force = options.force === true;
  const signal = options.signal;
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) throw new TypeError('writeFilesAtomic: signal must be an AbortSignal');
  const dirMode = options.dirMode ?? 0o700;
  const plan: Planned[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    if (typeof f.path !== 'string' || f.path === '') throw new TypeError('writeFilesAtomic: path must be a non-empty string');
    const target = resolve(f.path);
    if (seen.has(target)) throw new TypeError(`writeFilesAtomic: ${f.path} is listed twice`);
    seen.add(target);
    const st = await lstatOrNull(target);
    if (st) checkExisting(f.path, st, force);
    const data = typeof f.data === 'string' ? new TextEncoder().encode(f.data) : f.data;
    plan.push({ target, data, mode: f.mode ?? FILE_MODES[f.kind], exists: st !== null });
  }
  const dirs: DirPlan[] = [];
  for (const p of plan) {
    const dir = dirname(p.target);
    let d = dirs.find((x) => x.dir === dir);
    if (!d) {
      d = { dir, fresh: (await checkDirectory(dir)) === 'missing', files: [] };
      dirs.push(d);
    }
    d.files.push(p);
  }

  const checkAbort = (): void => {
    if (signal?.aborted || processInterrupted) throw new MailPkiError('ERR_ABORTED', 'interrupted: nothing of this run was kept');
  };
  const createdDirs: string[] = [];
  writeSetsInProgress++;
  try {
    try {
      checkAbort();
      // (2) directories: fresh ones built aside, existing ones locked and cleaned
      for (const d of dirs) {
        if (d.fresh) {
          const parent = dirname(d.dir);
          createdDirs.push(...(await ensureDirectory(parent, dirMode)));
          await removeStaleTmpDirs(parent, basename(d.dir), options.onStaleRemoved);
          d.tmpdir = join(parent, `.${basename(d.dir)}.${randomBytes(6).toString('hex')}.tmpdir`);
          await makeDirectory(d.tmpdir, dirMode, d.dir);
          d.lock = await lockFor(d.tmpdir, `cannot write ${d.files[0]!.target}`);
          d.ownLock = true;
        } else {
          if (options.lock && resolve(options.lock.dir) === d.dir) d.lock = options.lock;
          else {
            d.lock = await lockFor(d.dir, `cannot write ${d.files[0]!.target}`);
            d.ownLock = true;
          }
          await removeStaleTemps(d.dir, d.files.map((p) => basename(p.target)), options.onStaleRemoved);
          // Under the lock, look again: a file may have appeared since the plan.
          for (const p of d.files) {
            const st = await lstatOrNull(p.target);
            if (st) checkExisting(p.target, st, force);
            else if (p.exists) (p as { exists: boolean }).exists = false;
          }
        }
        checkAbort();
      }
      // (3) temp files
      for (const d of dirs) {
        for (const p of d.files) {
          p.tmp = d.fresh ? await writeNew(join(d.tmpdir!, basename(p.target)), p.data, p.mode, p.target) : await writeTemp(p.target, p.data, p.mode);
          checkAbort();
        }
        if (d.fresh) await fsyncDir(d.tmpdir!);
      }
      await options.beforePublish?.();
      checkAbort();
      // (4) publish
      let published = 0;
      const total = plan.length;
      for (const d of dirs) {
        if (d.fresh) {
          // rename() would silently replace an empty directory that appeared meanwhile: look first.
          if (await lstatOrNull(d.dir)) throw new MailPkiError('ERR_FILE_EXISTS', `${d.dir} appeared while the files were written; nothing was written`);
          await fsp.rename(d.tmpdir!, d.dir).catch((e: unknown) => {
            throw ioError(e, d.dir, `cannot create ${d.dir}`);
          });
          d.renamed = true;
          const lock = d.lock as OwnedLock;
          lock.dir = d.dir;
          lock.path = join(d.dir, LOCK_FILE_NAME);
          for (const p of d.files) {
            p.published = true;
            p.tmp = undefined;
          }
          published += d.files.length;
          await options.afterPublish?.(published);
          if (published < total) checkAbort();
          continue;
        }
        for (const p of d.files) {
          if (force && p.exists) p.backup = await linkBackup(p.target);
          await publish(p.tmp!, p.target, force);
          p.published = true;
          p.tmp = undefined;
          published++;
          await options.afterPublish?.(published);
          if (published < total) checkAbort();
        }
      }
    } catch (e) {
      await rollback(dirs, createdDirs);
      throw toMailPkiError(e);
    } finally {
      for (const d of dirs) if (d.ownLock) await d.lock?.release();
    }
  } finally {
    writeSetsInProgress--;
  }
  for (const p of plan) if (p.backup) await fsp.unlink(p.backup).catch(() => undefined);
  for (const d of dirs) await fsyncDir(d.fresh ? dirname(d.dir) : d.dir);
  return plan.map((p) => ({ path: p.target, mode: p.mode, bytes: p.data.length, replaced: p.exists }));
}

function checkExisting(path: string, st: Stats, force: boolean): void {
  if (st.isSymbolicLink()) throw new MailPkiError('ERR_FILE_UNSAFE', `${path} is a symbolic link; refusing to write through it`);
  if (!st.isFile()) throw new MailPkiError('ERR_FILE_UNSAFE', `${path} exists and is not a regular file`);
  if (!force) throw new MailPkiError('ERR_FILE_EXISTS', `${path} already exists (use --force to replace it)`);
}

/**
 * The directory a file is written into: `missing`, or an existing directory.
 * A symbolic link there is refused (only this last component: parents such as
 * macOS's /tmp -> /private/tmp are system layout and are followed).
 */
async function checkDirectory(dir: string): Promise<'missing' | 'exists'> {
  const l = await lstatOrNull(dir);
  if (!l) return 'missing';
  if (l.isSymbolicLink()) {
    throw new MailPkiError('ERR_FILE_UNSAFE', `${dir} is a symbolic link; give the real directory (${await fsp.realpath(dir).catch(() => 'dangling')}) instead`);
  }
  if (!l.isDirectory()) throw new MailPkiError('ERR_FILE_UNSAFE', `${dir} exists and is not a directory`);
  return 'exists';
}

/**
 * Set a directory's mode with fchmod on a handle opened O_NOFOLLOW|O_DIRECTORY:
 * a symlink swapped in at `d` is never followed, and the umask does not apply.
 */
async function chmodDirectoryNoFollow(d: string, mode: number): Promise<void> {
  const dh = await fsp.open(d, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0));
  try {
    await dh.chmod(mode);
  } finally {
    await dh.close();
  }
}

/** mkdir with an exact mode (fchmod through an O_NOFOLLOW handle: the umask cannot change it). */
async function makeDirectory(d: string, mode: number, forTarget: string): Promise<void> {
  try {
    await fsp.mkdir(d, { mode });
    await chmodDirectoryNoFollow(d, mode);
  } catch (e) {
    await fsp.rmdir(d).catch(() => undefined);
    throw ioError(e, forTarget, `cannot create ${forTarget}`);
  }
}

const STALE_TEMP = /^\.(.+)\.[0-9a-f]{12}\.(tmp|old)$/;

/**
 * With the directory's lock held: remove the temp files (`.NAME.<hex>.tmp`,
 * `.NAME.<hex>.old`) that a killed run left for these file names. Every
 * mailpki writer holds the lock while such files exist, so under the lock
 * they are leftovers. {@link writeFilesAtomic} does this itself; a command
 * that may fail before writing (a target exists, no `--force`) calls it
 * first so the leftovers go away on that run too.
 * @param lock - the lock on the directory ({@link lockDirectory})
 * @param names - file names (no directory part) whose temp files to remove
 * @returns the paths removed
 * @public
 */
export async function removeStaleTempFiles(lock: DirectoryLock, names: readonly string[]): Promise<string[]> {
  if (!lock || typeof lock.dir !== 'string' || (lock as Partial<OwnedLock>).released) throw new TypeError('removeStaleTempFiles: expected a held DirectoryLock');
  const removed: string[] = [];
  await removeStaleTemps(lock.dir, names, (p) => removed.push(p));
  return removed;
}

/**
 * The state of an output directory: `missing`, or `exists` (a directory).
 * @throws MailPkiError `ERR_FILE_UNSAFE` when it is a symbolic link or not a directory
 * @public
 */
export function checkOutputDirectory(dir: string): Promise<'missing' | 'exists'> {
  return checkDirectory(resolve(dir));
}

/** Under the lock: remove `.NAME.<hex>.tmp` / `.old` files of these names left by a killed run. */
async function removeStaleTemps(dir: string, names: readonly string[], onRemoved?: (path: string) => void): Promise<void> {
  const wanted = new Set(names);
  for (const entry of await fsp.readdir(dir).catch(() => [] as string[])) {
    const m = STALE_TEMP.exec(entry);
    if (!m || !wanted.has(m[1]!)) continue;
    const p = join(dir, entry);
    const st = await lstatOrNull(p);
    if (st?.isFile() && (await fsp.unlink(p).then(() => true, () => false))) onRemoved?.(p);
  }
}

/** Remove `.BASE.<hex>.tmpdir` directories in `parent` whose lock names a process that is gone. */
async function removeStaleTmpDirs(parent: string, base: string, onRemoved?: (path: string) => void): Promise<void> {
  for (const entry of await fsp.readdir(parent).catch(() => [] as string[])) {
    if (!entry.startsWith(`.${base}.`) || !/^\.[^/]+\.[0-9a-f]{12}\.tmpdir$/.test(entry) || entry.length !== base.length + 21) continue;
    const d = join(parent, entry);
    const st = await lstatOrNull(d);
    if (!st?.isDirectory()) continue;
    const held = await fsp.readFile(join(d, LOCK_FILE_NAME), 'utf8').catch(() => undefined);
    const owner = held === undefined ? undefined : lockOwner(held);
    const stale = owner ? ownerIsDead(owner) : Date.now() - st.mtimeMs > 60_000;
    if (!stale) continue;
    await removeOwnFiles(d);
    if (await fsp.rmdir(d).then(() => true, () => false)) onRemoved?.(d);
  }
}

/** Unlink the regular files and links directly in `d` (mailpki never makes subdirectories there). */
async function removeOwnFiles(d: string): Promise<void> {
  for (const e of await fsp.readdir(d).catch(() => [] as string[])) {
    const p = join(d, e);
    const st = await lstatOrNull(p).catch(() => null);
    if (st && !st.isDirectory()) await fsp.unlink(p).catch(() => undefined);
  }
}

/**
 * Write one file atomically (see {@link writeFilesAtomic}).
 * @example
 * ```ts
 * await writeFileAtomic('ca.key', pem, { kind: 'key' }); // 0600, refuses to overwrite
 * ```
 * @public
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFilesOptions & { kind: FileKind; mode?: number },
): Promise<WrittenFile> {
  const [w] = await writeFilesAtomic([{ path, data, kind: options.kind, ...(options.mode !== undefined ? { mode: options.mode } : {}) }], options);
  return w!;
}

/**
 * Check, without writing, that `paths` could be written: none is a symlink or
 * a non-file, none exists unless `force`, no directory they go into is a symlink. Lets a command fail before slow
 * work (key generation) rather than after.
 * @throws MailPkiError `ERR_FILE_EXISTS` / `ERR_FILE_UNSAFE`
 * @public
 */
export async function checkWritable(paths: readonly string[], options: { force?: boolean } = {}): Promise<void> {
  for (const dir of new Set(paths.map((p) => dirname(resolve(p))))) await checkDirectory(dir);
  for (const path of paths) {
    const st = await lstatOrNull(resolve(path));
    if (!st) continue;
    if (st.isSymbolicLink()) throw new MailPkiError('ERR_FILE_UNSAFE', `${path} is a symbolic link; refusing to write through it`);
    if (!st.isFile()) throw new MailPkiError('ERR_FILE_UNSAFE', `${path} exists and is not a regular file`);
    if (options.force !== true) throw new MailPkiError('ERR_FILE_EXISTS', `${path} already exists (use --force to replace it)`);
  }
}

/**
 * Read an input file, refusing more than `maxBytes` (default 16 MiB) without
 * reading further: regular files are refused by size up front; devices,
 * pipes and endless files stop at the cap.
 * @throws MailPkiError `ERR_FILE_NOT_FOUND`, `ERR_INPUT_TOO_LARGE`, `ERR_IO`
 *   (a directory, permission denied, ...).
 * @example
 * ```ts
 * const pem = new TextDecoder().decode(await readInputFile('server.crt'));
 * ```
 * @public
 */
export async function readInputFile(path: string, options: { maxBytes?: number; waitMs?: number } = {}): Promise<Uint8Array> {
  const max = options.maxBytes ?? MAX_INPUT_FILE;
  let fh: fsp.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO with no writer must not hang.
    fh = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw ioError(e, path);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new MailPkiError('ERR_IO', `${path} is a directory`);
    if (st.isFile() && st.size > max) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `${path} is larger than ${max} bytes`);
    const chunks: Uint8Array[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(1 << 20);
    // A pipe (`<(cmd)`) may have no data yet: poll, but never longer than `waitMs` in total.
    const deadline = Date.now() + (options.waitMs ?? INPUT_WAIT_MS);
    for (;;) {
      let n: number;
      try {
        ({ bytesRead: n } = await fh.read(buf, 0, buf.length, null));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        if (Date.now() > deadline) throw new MailPkiError('ERR_IO', `${path}: no data arrived (a pipe or device whose writer is silent)`);
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      if (n === 0) {
        // A FIFO read before its writer has opened it, or before it wrote anything, reads as EOF.
        if (st.isFIFO() && total === 0) {
          if (Date.now() > deadline) throw new MailPkiError('ERR_IO', `${path}: no data arrived (a pipe whose writer is silent)`);
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        break;
      }
      total += n;
      if (total > max) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `${path} is larger than ${max} bytes`);
      chunks.push(Uint8Array.prototype.slice.call(buf, 0, n));
    }
    const out = new Uint8Array(total);
    let off = 0;
    for (const c of chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  } catch (e) {
    throw toMailPkiError(e, path);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * Create `dir` and missing parents with `mode` (default 0700). Existing
 * directories are left exactly as they are (never chmod'ed). Returns the
 * directories it created, deepest last.
 * @throws MailPkiError `ERR_FILE_UNSAFE` when a path component that must be
 *   created exists as a non-directory, `ERR_IO` otherwise.
 * @public
 */
export async function ensureDirectory(dir: string, mode = 0o700): Promise<string[]> {
  const abs = resolve(dir);
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    const st = await statOrNull(cur);
    if (st) {
      if (!st.isDirectory()) throw new MailPkiError('ERR_FILE_UNSAFE', `${cur} exists and is not a directory`);
      break;
    }
    const l = await lstatOrNull(cur);
    if (l?.isSymbolicLink()) throw new MailPkiError('ERR_FILE_UNSAFE', `${cur} is a dangling symbolic link`);
    missing.unshift(cur);
    const parent = dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  const created: string[] = [];
  try {
    for (const d of missing) {
      // mkdir never follows a symlink at d: it fails with EEXIST instead.
      await fsp.mkdir(d, { mode });
      created.push(d);
      // mkdir's mode is filtered by the umask
      await chmodDirectoryNoFollow(d, mode);
    }
  } catch (e) {
    for (const d of created.reverse()) await fsp.rmdir(d).catch(() => undefined);
    throw toMailPkiError(e, dir);
  }
  return created;
}

async function writeTemp(target: string, data: Uint8Array, mode: number): Promise<string> {
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  return writeNew(tmp, data, mode, target);
}

/** Create `path` (O_EXCL|O_NOFOLLOW), fchmod, write, fsync. Errors name `target`, the file the user asked for. */
async function writeNew(path: string, data: Uint8Array, mode: number, target: string): Promise<string> {
  const tmp = path;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(tmp, flags, 0o600);
  } catch (e) {
    throw ioError(e, target, `cannot create ${target} (in ${dirname(tmp)})`);
  }
  try {
    await fh.chmod(mode); // fchmod on our own fd: the umask cannot change it, no path is followed
    let off = 0;
    while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fsp.unlink(tmp).catch(() => undefined);
    throw ioError(e, target, `cannot write ${target}`);
  }
  try {
    await fh.close();
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw ioError(e, target, `cannot write ${target}`);
  }
  return tmp;
}

async function publish(tmp: string, target: string, force: boolean): Promise<void> {
  if (force) {
    // Re-check right before replacing: never rename over a symlink someone just planted
    // (rename would replace the link itself, not its target, but the user asked for a file).
    const st = await lstatOrNull(target);
    if (st && !st.isFile()) throw new MailPkiError('ERR_FILE_UNSAFE', `${target} is not a regular file`);
    await fsp.rename(tmp, target).catch((e: unknown) => {
      throw ioError(e, target, `cannot replace ${target}`);
    });
    return;
  }
  try {
    // link() fails with EEXIST if the target appeared since the check: no silent overwrite.
    await fsp.link(tmp, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new MailPkiError('ERR_FILE_EXISTS', `${target} already exists (use --force to replace it)`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw ioError(e, target, `cannot create ${target}`);
    // File systems without hard links: check-then-rename (small race, documented).
    if (await lstatOrNull(target)) throw new MailPkiError('ERR_FILE_EXISTS', `${target} already exists (use --force to replace it)`);
    await fsp.rename(tmp, target);
    return;
  }
  await fsp.unlink(tmp);
}

/** A hard link to `target` under a fresh temp name (undefined where hard links are not supported). */
async function linkBackup(target: string): Promise<string | undefined> {
  const backup = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.old`);
  try {
    await fsp.link(target, backup);
    return backup;
  } catch {
    return undefined;
  }
}

async function rollback(dirs: readonly DirPlan[], createdDirs: string[]): Promise<void> {
  for (const d of dirs) {
    if (d.fresh) {
      // Built aside (or renamed into place by this call): remove exactly what this call wrote.
      const where = d.renamed ? d.dir : d.tmpdir;
      if (where === undefined) continue;
      for (const p of d.files) await fsp.unlink(join(where, basename(p.target))).catch(() => undefined);
      if (d.ownLock) await d.lock?.release();
      await fsp.rmdir(where).catch(() => undefined);
      continue;
    }
    for (const p of d.files) {
      if (p.tmp) await fsp.unlink(p.tmp).catch(() => undefined);
      if (p.published && !p.exists) await fsp.unlink(p.target).catch(() => undefined);
      // a replaced file comes back: rename its second link over what we published
      if (p.backup) {
        if (p.published) await fsp.rename(p.backup, p.target).catch(() => undefined);
        else await fsp.unlink(p.backup).catch(() => undefined);
      }
    }
  }
  for (const d of [...createdDirs].reverse()) await fsp.rmdir(d).catch(() => undefined);
}

/** fsync a directory so a rename or unlink in it is durable; best effort (some platforms cannot). @internal */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await fsp.open(dir, constants.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // best effort: some platforms cannot fsync a directory
  }
}

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await fsp.lstat(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw toMailPkiError(e, p);
  }
}

async function statOrNull(p: string): Promise<Stats | null> {
  try {
    return await fsp.stat(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw toMailPkiError(e, p);
  }
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
  EXDEV: 'on another file system',
};

/**
 * A typed error naming the file the user asked about (`path`), never a temp
 * name; `doing` (e.g. `cannot write out/server.key`) replaces the plain path.
 */
function ioError(e: unknown, path: string, doing?: string): MailPkiError {
  if (e instanceof MailPkiError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const what = doing ?? path;
  if (code === 'ENOENT') return doing ? new MailPkiError('ERR_IO', `${what}: no such directory`, { cause: e }) : new MailPkiError('ERR_FILE_NOT_FOUND', `${path}: no such file`, { cause: e });
  if (code === 'ENOTDIR') return new MailPkiError(doing ? 'ERR_IO' : 'ERR_FILE_NOT_FOUND', `${what}: a path component is not a directory`, { cause: e });
  if (code === 'EISDIR') return new MailPkiError('ERR_IO', `${path} is a directory`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM') return new MailPkiError('ERR_IO', `${what}: permission denied`, { cause: e });
  if (code === 'ELOOP') return new MailPkiError('ERR_FILE_UNSAFE', `${path} is a symbolic link`, { cause: e });
  if (code && ERRNO_TEXT[code]) return new MailPkiError('ERR_IO', `${what}: ${ERRNO_TEXT[code]} (${code})`, { cause: e });
  return new MailPkiError('ERR_IO', `${what}: ${code ?? (e instanceof Error ? e.message.split('\n')[0] : 'I/O error')}`, { cause: e });
}

function toMailPkiError(e: unknown, path?: string): Error {
  if (e instanceof MailPkiError || e instanceof TypeError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const p = path ?? (e as NodeJS.ErrnoException).path ?? 'file';
  if (code) return ioError(e, p);
  return new MailPkiError('ERR_IO', `${p}: ${e instanceof Error ? e.message.split('\n')[0] : 'I/O error'}`, { cause: e });
}
