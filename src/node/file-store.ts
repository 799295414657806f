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
 *   every temp file, and only then publishes them, so a failure leaves no
 *   partial output (published files are removed again if a later one fails);
 * - input files are read with a size cap ({@link readInputFile}), so huge or
 *   endless inputs (`/dev/zero`, `/dev/urandom`) fail within a moment.
 *
 * Out of scope: what the bytes mean (see keys/, x509/), ownership changes
 * (chown is the admin's job; the NEXT-STEPS text says so).
 */
import { constants, promises as fsp, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
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
}

/** A file that was written. @public */
export interface WrittenFile {
  readonly path: string;
  readonly mode: number;
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

/**
 * Write several files as one operation: all or nothing.
 *
 * Order: (1) check every target (no symlink, no directory, not existing
 * unless `force`, no duplicates); (2) create missing parent directories
 * (0700); (3) write every temp file (O_EXCL|O_NOFOLLOW, fchmod, fsync);
 * (4) publish them. Any failure before (4) removes the temp files and
 * the directories this call created and leaves nothing behind; a failure
 * during (4) (a race: someone created a target meanwhile) also removes the
 * files already published by this call that did not exist before and, with
 * `force`, puts back the files it had already replaced (kept as a second
 * hard link until the whole set is published).
 *
 * @throws MailPkiError `ERR_FILE_EXISTS` (target exists, no `force`),
 *   `ERR_FILE_UNSAFE` (target or a would-be directory is a symlink, or not a
 *   regular file), `ERR_IO` (anything else the OS refuses, with its code).
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
  const plan: Planned[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    if (typeof f.path !== 'string' || f.path === '') throw new TypeError('writeFilesAtomic: path must be a non-empty string');
    const target = resolve(f.path);
    if (seen.has(target)) throw new TypeError(`writeFilesAtomic: ${f.path} is listed twice`);
    seen.add(target);
    const st = await lstatOrNull(target);
    if (st) {
      if (st.isSymbolicLink()) throw new MailPkiError('ERR_FILE_UNSAFE', `${f.path} is a symbolic link; refusing to write through it`);
      if (!st.isFile()) throw new MailPkiError('ERR_FILE_UNSAFE', `${f.path} exists and is not a regular file`);
      if (!force) throw new MailPkiError('ERR_FILE_EXISTS', `${f.path} already exists (use --force to replace it)`);
    }
    const data = typeof f.data === 'string' ? new TextEncoder().encode(f.data) : f.data;
    plan.push({ target, data, mode: f.mode ?? FILE_MODES[f.kind], exists: st !== null });
  }

  const createdDirs: string[] = [];
  try {
    for (const dir of new Set(plan.map((p) => dirname(p.target)))) {
      createdDirs.push(...(await ensureDirectory(dir, options.dirMode ?? 0o700)));
    }
    for (const p of plan) p.tmp = await writeTemp(p.target, p.data, p.mode);
    await options.beforePublish?.();
    for (const p of plan) {
      if (force && p.exists) p.backup = await linkBackup(p.target);
      await publish(p.tmp!, p.target, force);
      p.published = true;
      p.tmp = undefined;
    }
  } catch (e) {
    await rollback(plan, createdDirs);
    throw toMailPkiError(e);
  }
  for (const p of plan) if (p.backup) await fsp.unlink(p.backup).catch(() => undefined);
  for (const dir of new Set(plan.map((p) => dirname(p.target)))) await fsyncDir(dir);
  return plan.map((p) => ({ path: p.target, mode: p.mode, bytes: p.data.length, replaced: p.exists }));
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
 * a non-file, none exists unless `force`. Lets a command fail before slow
 * work (key generation) rather than after.
 * @throws MailPkiError `ERR_FILE_EXISTS` / `ERR_FILE_UNSAFE`
 * @public
 */
export async function checkWritable(paths: readonly string[], options: { force?: boolean } = {}): Promise<void> {
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
      // mkdir's mode is filtered by the umask; fix it with fchmod on a handle opened
      // O_NOFOLLOW|O_DIRECTORY, so a symlink swapped in meanwhile is never followed.
      const dh = await fsp.open(d, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0));
      try {
        await dh.chmod(mode);
      } finally {
        await dh.close();
      }
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
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
  const fh = await fsp.open(tmp, flags, 0o600);
  try {
    await fh.chmod(mode); // fchmod on our own fd: the umask cannot change it, no path is followed
    let off = 0;
    while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  return tmp;
}

async function publish(tmp: string, target: string, force: boolean): Promise<void> {
  if (force) {
    // Re-check right before replacing: never rename over a symlink someone just planted
    // (rename would replace the link itself, not its target, but the user asked for a file).
    const st = await lstatOrNull(target);
    if (st && !st.isFile()) throw new MailPkiError('ERR_FILE_UNSAFE', `${target} is not a regular file`);
    await fsp.rename(tmp, target);
    return;
  }
  try {
    // link() fails with EEXIST if the target appeared since the check: no silent overwrite.
    await fsp.link(tmp, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new MailPkiError('ERR_FILE_EXISTS', `${target} already exists (use --force to replace it)`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
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

async function rollback(plan: Planned[], createdDirs: string[]): Promise<void> {
  for (const p of plan) {
    if (p.tmp) await fsp.unlink(p.tmp).catch(() => undefined);
    if (p.published && !p.exists) await fsp.unlink(p.target).catch(() => undefined);
    // a replaced file comes back: rename its second link over what we published
    if (p.backup) {
      if (p.published) await fsp.rename(p.backup, p.target).catch(() => undefined);
      else await fsp.unlink(p.backup).catch(() => undefined);
    }
  }
  for (const d of [...createdDirs].reverse()) await fsp.rmdir(d).catch(() => undefined);
}

async function fsyncDir(dir: string): Promise<void> {
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

function ioError(e: unknown, path: string): MailPkiError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new MailPkiError('ERR_FILE_NOT_FOUND', `${path}: no such file`, { cause: e });
  if (code === 'ENOTDIR') return new MailPkiError('ERR_FILE_NOT_FOUND', `${path}: a path component is not a directory`, { cause: e });
  if (code === 'EISDIR') return new MailPkiError('ERR_IO', `${path} is a directory`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM') return new MailPkiError('ERR_IO', `${path}: permission denied`, { cause: e });
  if (code === 'ELOOP') return new MailPkiError('ERR_FILE_UNSAFE', `${path} is a symbolic link`, { cause: e });
  return new MailPkiError('ERR_IO', `${path}: ${code ?? (e instanceof Error ? e.message.split('\n')[0] : 'I/O error')}`, { cause: e });
}

function toMailPkiError(e: unknown, path?: string): Error {
  if (e instanceof MailPkiError || e instanceof TypeError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const p = path ?? (e as NodeJS.ErrnoException).path ?? 'file';
  if (code) return ioError(e, p);
  return new MailPkiError('ERR_IO', `${p}: ${e instanceof Error ? e.message.split('\n')[0] : 'I/O error'}`, { cause: e });
}
