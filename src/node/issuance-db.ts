/**
 * The file implementation of the issuance database (Node.js only): an
 * append-only journal of JSON lines next to the CA certificate, guarded by
 * an exclusive lock file. DESIGN.md §7 says why this and not SQLite.
 *
 * Format: one JSON object per line, each ending in `"h":"<16 hex>"`, the
 * first 64 bits of SHA-256 over the line without that member. Line 1 is the
 * header `{"mailpki":"issuance-db","v":1,...}`; then `{"t":"issue",...}`
 * (serial, subject, names, profile, validity, time, the certificate as
 * base64 DER), `{"t":"revoke",...}` (serial, time, reason) and
 * `{"t":"crl",...}` (a cRLNumber reserved, so CRL numbers only increase) lines. Nothing
 * is ever rewritten in place: a revocation is a new line.
 *
 * Guarantees:
 * - writers (add, revoke) hold `<db>.lock` (O_CREAT|O_EXCL, content: pid,
 *   host, time) for one read-check-append, so 20 concurrent issuers give 20
 *   records and a serial is never recorded twice;
 * - a lock whose process is dead (same host, `kill(pid, 0)` says ESRCH) is
 *   taken over: renamed aside, checked to be the one judged stale, removed;
 *   a live holder is waited for (`lockTimeoutMs`, then `ERR_DB_LOCKED`);
 * - every append is one positional write of a whole line, then fsync of the
 *   file (and of the directory when the file is new); the caller publishes
 *   the certificate files only after `add` resolved, so a certificate on
 *   disk always has its record;
 * - a SIGKILL mid-append leaves at most an unterminated last line: readers
 *   ignore it, the next writer truncates it away before appending;
 * - any other damage (a terminated line that does not parse, a checksum
 *   that fails, an unknown serial revoked, a duplicate) is `ERR_DB_CORRUPT`
 *   naming the line: mailpki never guesses around a damaged record.
 *
 * Readers (list, get) take no lock: appends never change complete lines.
 * Cost: every open reads the whole file (~1 KB per record); see the ca-db
 * benchmark for 100,000 records.
 *
 * Out of scope: replication, compaction.
 */
import { constants, promises as fsp } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { MailPkiError } from '../errors.js';
import { fsyncDir } from './file-store.js';
import {
  REVOCATION_REASONS,
  alreadyRevoked,
  normalizeSerial,
  unknownSerial,
  type IssuanceDatabase,
  type IssuanceRecord,
  type IssuanceSummary,
  type RevocationReason,
} from '../x509/issuance-db.js';

/** Options of {@link openIssuanceDatabase}. @public */
export interface FileIssuanceDatabaseOptions {
  /** Longest wait, in milliseconds, for a lock held by another live process. Default 30,000. */
  readonly lockTimeoutMs?: number;
}

/** What {@link FileIssuanceDatabase.check} found. @public */
export interface IssuanceDatabaseCheck {
  /** Issue records. */
  readonly records: number;
  /** Of those, revoked. */
  readonly revoked: number;
  /** An unterminated last line was found (a writer killed mid-append); it is ignored and removed by the next write. */
  readonly tornTail: boolean;
}

/** The file-backed `IssuanceDatabase` (from `mailpki`). @public */
export interface FileIssuanceDatabase extends IssuanceDatabase {
  /** Absolute path of the journal file. */
  readonly path: string;
  /** Read and check every line (no lock taken). @throws MailPkiError `ERR_DB_CORRUPT`, `ERR_IO`. */
  check(): Promise<IssuanceDatabaseCheck>;
}

const FORMAT = 'issuance-db';
const VERSION = 1;
/** `,"h":"` + 16 hex + `"}` */
const HASH_SUFFIX = 24;
/** A line longer than this is damage, not a certificate (bounded work on a hostile file). */
const MAX_LINE = 1 << 20;
const CHUNK = 1 << 20;

/**
 * Where the CLI keeps a CA's database by default: next to the CA
 * certificate, `<name>.issued.jsonl` (`root-ca.pem` -> `root-ca.issued.jsonl`).
 * @public
 */
export function defaultIssuanceDatabasePath(caCertPath: string): string {
  const ext = extname(caCertPath).toLowerCase();
  const base = ['.pem', '.crt', '.cer', '.der'].includes(ext) ? basename(caCertPath).slice(0, -ext.length) : basename(caCertPath);
  return join(dirname(caCertPath), `${base}.issued.jsonl`);
}

/**
 * Open (lazily: the file is created by the first write) the journal at `path`.
 * @example
 * ```ts
 * const db = openIssuanceDatabase(defaultIssuanceDatabasePath('root-ca.pem'));
 * await db.add(issuanceRecordOf(cert, 'tls-server'));
 * for (const r of await db.list()) console.log(r.serial, r.notAfter);
 * ```
 * @public
 */
export function openIssuanceDatabase(path: string, options: FileIssuanceDatabaseOptions = {}): FileIssuanceDatabase {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  const file = resolve(path);
  const timeout = options.lockTimeoutMs ?? 30_000;
  if (!Number.isFinite(timeout) || timeout < 0) throw new RangeError('lockTimeoutMs must be a non-negative number');
  const lockPath = `${file}.lock`;

  return {
    path: file,
    async add(record) {
      const { serial, text: line } = issueLine(record);
      await withLock(lockPath, timeout, async () => {
        const s = await scan(file);
        if (s.byserial.has(serial)) throw new MailPkiError('ERR_DB_DUPLICATE', `serial ${serial} is already recorded in ${file}`);
        await append(file, s, line);
      });
    },
    async revoke(serialIn, reason, at = new Date()) {
      if (!REVOCATION_REASONS.includes(reason)) throw new RangeError(`reason must be one of ${REVOCATION_REASONS.join(', ')}`);
      if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError('at must be a valid Date');
      const serial = normalizeSerial(serialIn);
      return withLock(lockPath, timeout, async () => {
        const s = await scan(file);
        const r = s.byserial.get(serial);
        if (!r) throw unknownSerial(serial);
        if (r.status === 'revoked') throw alreadyRevoked(r);
        await append(file, s, encodeLine({ t: 'revoke', serial, at: at.toISOString(), reason }));
        return { ...r, names: [...r.names], status: 'revoked' as const, revokedAt: new Date(at.getTime()), revocationReason: reason };
      });
    },
    async get(serialIn) {
      const serial = normalizeSerial(serialIn);
      const s = await scan(file, serial);
      const r = s.byserial.get(serial);
      if (!r || s.cert === undefined) return undefined;
      return { ...r, certificate: new Uint8Array(Buffer.from(s.cert, 'base64')) };
    },
    async list() {
      return [...(await scan(file)).byserial.values()];
    },
    async allocateCrlNumber(at = new Date()) {
      if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError('at must be a valid Date');
      return withLock(lockPath, timeout, async () => {
        const s = await scan(file);
        const n = s.crlNumber + 1n;
        await append(file, s, encodeLine({ t: 'crl', n: n.toString(), at: at.toISOString() }));
        return n;
      });
    },
    async check() {
      const s = await scan(file);
      let revoked = 0;
      for (const r of s.byserial.values()) if (r.status === 'revoked') revoked++;
      return { records: s.byserial.size, revoked, tornTail: s.size > s.goodLength };
    },
  };
}

/**
 * The text of a new journal holding `records` (header line first; a record
 * with `status: 'revoked'` gets its revocation line too), for a caller that
 * publishes a brand-new database together with other files in one
 * all-or-nothing set (`mail init` with a new root), or imports records.
 * Opening the result with {@link openIssuanceDatabase} gives the same
 * records back.
 * @throws MailPkiError `ERR_DB_DUPLICATE` when a serial is listed twice.
 * @public
 */
export function encodeIssuanceJournal(records: readonly IssuanceRecord[]): string {
  const seen = new Set<string>();
  const parts = [encodeLine({ mailpki: FORMAT, v: VERSION, created: new Date().toISOString() })];
  const revocations: string[] = [];
  for (const r of records) {
    const line = issueLine(r);
    if (seen.has(line.serial)) throw new MailPkiError('ERR_DB_DUPLICATE', `serial ${line.serial} is listed twice`);
    seen.add(line.serial);
    parts.push(line.text);
    if (r.status === 'revoked') {
      const reason = r.revocationReason ?? 'unspecified';
      if (!REVOCATION_REASONS.includes(reason)) throw new RangeError(`revocationReason must be one of ${REVOCATION_REASONS.join(', ')}`);
      revocations.push(encodeLine({ t: 'revoke', serial: line.serial, at: (r.revokedAt ?? r.issuedAt).toISOString(), reason }));
    }
  }
  return parts.join('') + revocations.join('');
}

function issueLine(record: IssuanceRecord): { serial: string; text: string } {
  const serial = normalizeSerial(record.serial);
  const text = encodeLine({
    t: 'issue',
    serial,
    subject: String(record.subject),
    names: record.names.map(String),
    profile: String(record.profile),
    nb: record.notBefore.toISOString(),
    na: record.notAfter.toISOString(),
    at: record.issuedAt.toISOString(),
    cert: Buffer.from(record.certificate).toString('base64'),
  });
  return { serial, text };
}

// ---------------------------------------------------------------- lines

function lineHash(body: string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

/** JSON of `obj` with the checksum member appended last. */
function encodeLine(obj: Record<string, unknown>): string {
  const body = JSON.stringify(obj);
  return `${body.slice(0, -1)},"h":"${lineHash(body)}"}\n`;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Scan {
  byserial: Map<string, Mutable<IssuanceSummary>>;
  /** Bytes up to and including the last complete line. */
  goodLength: number;
  size: number;
  hasHeader: boolean;
  /** The last cRLNumber reserved (0 = none). */
  crlNumber: bigint;
  /** base64 certificate of the serial asked for. */
  cert?: string;
}

function corrupt(file: string, lineNo: number, why: string): MailPkiError {
  return new MailPkiError(
    'ERR_DB_CORRUPT',
    `${file} line ${lineNo}: ${why}; the issuance database was damaged or edited (restore it from a backup, or move it aside to start a new one)`,
  );
}

const isIso = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/.test(v) && !Number.isNaN(Date.parse(v));
const isSerial = (v: unknown): v is string => typeof v === 'string' && /^[1-9a-f][0-9a-f]{0,63}$/.test(v);

/** Read and check the whole journal (ENOENT = empty). `certOf`: keep that serial's certificate. */
async function scan(file: string, certOf?: string): Promise<Scan> {
  const out: Scan = { byserial: new Map(), goodLength: 0, size: 0, hasHeader: false, crlNumber: 0n };
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return out;
    if (code === 'ELOOP') throw new MailPkiError('ERR_FILE_UNSAFE', `${file} is a symbolic link; refusing to use it as the issuance database`);
    throw new MailPkiError('ERR_IO', `${file}: ${code ?? 'cannot open'}`, { cause: e });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new MailPkiError('ERR_FILE_UNSAFE', `${file} is not a regular file`);
    out.size = st.size;
    let pending: Buffer = Buffer.alloc(0);
    let pos = 0;
    let lineNo = 0;
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const data = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      let start = 0;
      for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
        lineNo++;
        if (nl - start > MAX_LINE) throw corrupt(file, lineNo, 'line too long');
        readLine(file, lineNo, data, start, nl, out, certOf);
        out.goodLength += nl - start + 1;
        start = nl + 1;
      }
      pending = Buffer.from(data.subarray(start));
      if (pending.length > MAX_LINE) throw corrupt(file, lineNo + 1, 'line too long');
    }
    return out;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

const SUFFIX_MARK = Buffer.from(',"h":"', 'latin1');
const CERT_MARK = Buffer.from(',"cert":"', 'latin1');
const CLOSE = Buffer.from('}', 'latin1');

/**
 * One complete line, `data[start, end)`, read from the bytes: the checksum
 * over the bytes as they are (no string round trip), and JSON.parse over
 * everything but the certificate (the last member of an issue line, ~70% of
 * it), which is only decoded for the serial `get` asks for.
 */
function readLine(file: string, lineNo: number, data: Buffer, start: number, end: number, out: Scan, certOf: string | undefined): void {
  const bodyEnd = end - HASH_SUFFIX;
  if (bodyEnd <= start || data[end - 1] !== 0x7d || data[end - 2] !== 0x22 || data.compare(SUFFIX_MARK, 0, SUFFIX_MARK.length, bodyEnd, bodyEnd + SUFFIX_MARK.length) !== 0) {
    throw corrupt(file, lineNo, 'no checksum');
  }
  const digest = createHash('sha256').update(data.subarray(start, bodyEnd)).update(CLOSE).digest('hex').slice(0, 16);
  if (digest !== data.toString('latin1', end - 18, end - 2)) throw corrupt(file, lineNo, 'checksum mismatch');
  const mark = data.lastIndexOf(CERT_MARK, bodyEnd - CERT_MARK.length);
  const split = mark >= start && data[bodyEnd - 1] === 0x22;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(`${data.toString('utf8', start, split ? mark : bodyEnd)}}`) as Record<string, unknown>;
  } catch {
    throw corrupt(file, lineNo, 'not JSON');
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw corrupt(file, lineNo, 'not a JSON object');
  if (lineNo === 1) {
    if (o.mailpki !== FORMAT) throw corrupt(file, lineNo, 'not a mailpki issuance database');
    if (o.v !== VERSION) throw corrupt(file, lineNo, `unsupported format version ${JSON.stringify(o.v)}`);
    out.hasHeader = true;
    return;
  }
  if (split) o.cert = { start: mark + CERT_MARK.length, end: bodyEnd - 1 };
  if (o.t === 'issue') {
    const { serial, subject, names, profile, nb, na, at, cert } = o;
    if (!isSerial(serial) || typeof subject !== 'string' || !Array.isArray(names) || !names.every((n) => typeof n === 'string') ||
      typeof profile !== 'string' || !isIso(nb) || !isIso(na) || !isIso(at) || typeof cert !== 'object' || cert === null) {
      throw corrupt(file, lineNo, 'malformed issue record');
    }
    if (out.byserial.has(serial)) throw corrupt(file, lineNo, `serial ${serial} recorded twice`);
    out.byserial.set(serial, { serial, subject, names: names as string[], profile, notBefore: new Date(nb), notAfter: new Date(na), issuedAt: new Date(at), status: 'valid' });
    if (serial === certOf) {
      const { start: cs, end: ce } = cert as { start: number; end: number };
      const b64 = data.toString('latin1', cs, ce);
      if (!/^[A-Za-z0-9+/]+=*$/.test(b64)) throw corrupt(file, lineNo, 'malformed certificate');
      out.cert = b64;
    }
    return;
  }
  if (o.t === 'revoke') {
    const { serial, at, reason } = o;
    if (!isSerial(serial) || !isIso(at) || !REVOCATION_REASONS.includes(reason as RevocationReason)) throw corrupt(file, lineNo, 'malformed revoke record');
    const r = out.byserial.get(serial);
    if (!r) throw corrupt(file, lineNo, `revocation of serial ${serial}, which is not recorded`);
    if (r.status === 'revoked') throw corrupt(file, lineNo, `serial ${serial} revoked twice`);
    r.status = 'revoked';
    r.revokedAt = new Date(at);
    r.revocationReason = reason as RevocationReason;
    return;
  }
  if (o.t === 'crl') {
    const { n, at } = o;
    if (typeof n !== 'string' || !/^[1-9]\d{0,47}$/.test(n) || !isIso(at)) throw corrupt(file, lineNo, 'malformed crl record');
    const num = BigInt(n);
    if (num <= out.crlNumber) throw corrupt(file, lineNo, `cRLNumber ${n} is not above the previous ${out.crlNumber}`);
    out.crlNumber = num;
    return;
  }
  throw corrupt(file, lineNo, `unknown record type ${JSON.stringify(String(o.t)).slice(0, 40)}`);
}

/** Append one line (under the lock): drop a torn tail, write the header of a new file, fsync. */
async function append(file: string, s: Scan, line: string): Promise<void> {
  let fh: fsp.FileHandle;
  let created = false;
  try {
    try {
      fh = await fsp.open(file, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      fh = await fsp.open(file, constants.O_RDWR | (constants.O_NOFOLLOW ?? 0));
    }
  } catch (e) {
    throw ioError(e, file);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new MailPkiError('ERR_FILE_UNSAFE', `${file} is not a regular file`);
    if (st.size !== s.size) throw new MailPkiError('ERR_IO', `${file} changed while locked (another writer that ignores ${basename(file)}.lock?)`);
    let pos = s.goodLength;
    if (st.size > pos) await fh.truncate(pos); // a torn last line from a killed writer
    const text = (s.hasHeader ? '' : encodeLine({ mailpki: FORMAT, v: VERSION, created: new Date().toISOString() })) + line;
    const data = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await fh.write(data, off, data.length - off, pos);
      off += bytesWritten;
      pos += bytesWritten;
    }
    await fh.sync();
  } catch (e) {
    throw ioError(e, file);
  } finally {
    await fh.close().catch(() => undefined);
  }
  if (created) await fsyncDir(dirname(file));
}

// ---------------------------------------------------------------- the lock

interface LockInfo {
  readonly raw: string;
  readonly pid?: number;
  readonly host?: string;
  readonly at?: string;
  readonly mtimeMs: number;
}

async function withLock<T>(lockPath: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const mine = `${JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString(), nonce: randomBytes(8).toString('hex') })}\n`;
  await acquire(lockPath, mine, timeoutMs);
  try {
    return await fn();
  } finally {
    await release(lockPath, mine);
  }
}

async function acquire(lockPath: string, content: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    try {
      const fh = await fsp.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
      try {
        await fh.write(content);
      } finally {
        await fh.close();
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(e, lockPath);
    }
    const holder = await readLock(lockPath);
    if (holder === undefined) continue; // released meanwhile
    if (isStale(holder)) {
      await breakStale(lockPath, holder.raw);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = holder.pid !== undefined ? `process ${holder.pid} on ${holder.host ?? '?'} since ${holder.at ?? '?'}` : 'another process';
      throw new MailPkiError(
        'ERR_DB_LOCKED',
        `${lockPath} is held by ${who}, still running; waited ${Math.round(timeoutMs / 1000)} s (if no mailpki runs there, remove the lock file)`,
      );
    }
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 50);
  }
}

async function readLock(lockPath: string): Promise<LockInfo | undefined> {
  try {
    const [raw, st] = await Promise.all([fsp.readFile(lockPath, 'utf8'), fsp.lstat(lockPath)]);
    try {
      const o = JSON.parse(raw) as { pid?: unknown; host?: unknown; at?: unknown };
      return {
        raw,
        mtimeMs: st.mtimeMs,
        ...(Number.isInteger(o.pid) && (o.pid as number) > 0 ? { pid: o.pid as number } : {}),
        ...(typeof o.host === 'string' ? { host: o.host } : {}),
        ...(typeof o.at === 'string' ? { at: o.at } : {}),
      };
    } catch {
      return { raw, mtimeMs: st.mtimeMs };
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(e, lockPath);
  }
}

/** Dead holder on this host, or a lock file nobody finished writing for 10 s. */
function isStale(l: LockInfo): boolean {
  if (l.pid === undefined) return Date.now() - l.mtimeMs > 10_000;
  if (l.host !== hostname()) return false; // cannot tell: wait, then say who holds it
  if (l.pid === process.pid) return false;
  try {
    process.kill(l.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Take a stale lock away without removing a fresh one: rename it aside
 * (atomic), then check that the file moved is the one judged stale; if
 * another process had replaced it meanwhile, put that one back.
 */
async function breakStale(lockPath: string, staleRaw: string): Promise<void> {
  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await fsp.rename(lockPath, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw ioError(e, lockPath);
  }
  const moved = await fsp.readFile(aside, 'utf8').catch(() => staleRaw);
  if (moved !== staleRaw) await fsp.link(aside, lockPath).catch(() => undefined);
  await fsp.unlink(aside).catch(() => undefined);
}

async function release(lockPath: string, mine: string): Promise<void> {
  const cur = await fsp.readFile(lockPath, 'utf8').catch(() => undefined);
  if (cur === mine) await fsp.unlink(lockPath).catch(() => undefined);
}

// ---------------------------------------------------------------- helpers

function ioError(e: unknown, path: string): MailPkiError {
  if (e instanceof MailPkiError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return new MailPkiError('ERR_FILE_UNSAFE', `${path} is a symbolic link`, { cause: e });
  if (code === 'ENOENT') return new MailPkiError('ERR_FILE_NOT_FOUND', `${path}: a directory on the way does not exist`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM') return new MailPkiError('ERR_IO', `${path}: permission denied`, { cause: e });
  return new MailPkiError('ERR_IO', `${path}: ${code ?? (e instanceof Error ? e.message.split('\n')[0] : 'I/O error')}`, { cause: e });
}
