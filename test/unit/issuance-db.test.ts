// The issuance database: the in-memory implementation (core) and the
// JSON-lines journal with its lock file (mailpki/node): round trips, torn
// tails, corruption in the middle, stale and live locks, cRLNumbers.
// Concurrency across processes is in cli-ca-db.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { defaultIssuanceDatabasePath, encodeIssuanceJournal, openIssuanceDatabase } from '../../src/node/issuance-db.js';
import { tempDir } from '../helpers/env.js';
import { parsePkcs8, getPublicKey, createRootCa, issueCertificate, createMemoryIssuanceDatabase, issuanceRecordOf, normalizeSerial, profileOf, type IssuanceDatabase, isMailPkiError } from '../../src/index.js';

const code = (c: string, re?: RegExp) => (e: unknown) => isMailPkiError(e, c as never) && (!re || re.test((e as Error).message));
const ecKey = () => parsePkcs8(new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' })));
const caKey = ecKey();
const root = createRootCa({ subject: { CN: 'DB Test Root' }, privateKey: caKey });
const leafKey = getPublicKey(ecKey());
const leaf = (name: string) => issueCertificate({ profile: 'tls-server', publicKey: leafKey, sans: [name, '192.0.2.7'], issuer: root, issuerKey: caKey, days: 30 });

/** A dead pid: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('normalizeSerial: one canonical form for every way a serial is written', () => {
  assert.equal(normalizeSerial('0A:1B'), 'a1b');
  assert.equal(normalizeSerial('0x00A1B'), 'a1b');
  assert.equal(normalizeSerial(' a1b '), 'a1b');
  assert.equal(normalizeSerial(0xa1bn), 'a1b');
  assert.throws(() => normalizeSerial('xyz'), RangeError);
  assert.throws(() => normalizeSerial('00'), RangeError);
  assert.throws(() => normalizeSerial(0n), RangeError);
  assert.throws(() => normalizeSerial('1'.repeat(65)), RangeError);
});

test('issuanceRecordOf: serial, subject, names, validity, DER; profileOf reads the EKU', () => {
  const c = leaf('a.example.test');
  const r = issuanceRecordOf(c, 'tls-server', new Date('2026-01-02T03:04:05Z'));
  assert.equal(r.serial, c.serialNumber.toString(16));
  assert.equal(r.subject, '');
  assert.deepEqual(r.names, ['DNS:a.example.test', 'IP Address:192.0.2.7']);
  assert.equal(r.notAfter.getTime(), c.notAfter.getTime());
  assert.equal(r.issuedAt.toISOString(), '2026-01-02T03:04:05.000Z');
  assert.deepEqual(r.certificate, c.der);
  assert.equal(r.status, 'valid');
  assert.equal(profileOf(c), 'tls-server');
  assert.equal(profileOf(root), 'intermediate-ca');
});

async function exercise(db: IssuanceDatabase): Promise<void> {
  const a = leaf('a.example.test');
  const b = leaf('b.example.test');
  await db.add(issuanceRecordOf(a, 'tls-server'));
  await db.add(issuanceRecordOf(b, 'tls-server'));
  await assert.rejects(db.add(issuanceRecordOf(a, 'tls-server')), code('ERR_DB_DUPLICATE'));
  assert.deepEqual((await db.list()).map((r) => r.serial), [normalizeSerial(a.serialNumber), normalizeSerial(b.serialNumber)]);
  const got = await db.get(a.serialHex.toUpperCase());
  assert.ok(got);
  assert.deepEqual(got.certificate, a.der);
  assert.equal(await db.get('1234'), undefined);
  const at = new Date('2026-06-01T00:00:00Z');
  const rev = await db.revoke(b.serialNumber, 'keyCompromise', at);
  assert.equal(rev.status, 'revoked');
  assert.equal(rev.revocationReason, 'keyCompromise');
  await assert.rejects(db.revoke(b.serialNumber, 'superseded'), code('ERR_POLICY', /already revoked/));
  await assert.rejects(db.revoke('1234', 'superseded'), code('ERR_SERIAL_UNKNOWN', /1234/));
  const list = await db.list();
  assert.equal(list[1]!.status, 'revoked');
  assert.equal(list[1]!.revokedAt!.toISOString(), at.toISOString());
  assert.equal(list[0]!.status, 'valid');
  assert.equal(await db.allocateCrlNumber(), 1n);
  assert.equal(await db.allocateCrlNumber(), 2n);
}

test('memory database: add, duplicate, get, list, revoke, unknown serial, double revocation, cRLNumbers', async () => {
  await exercise(createMemoryIssuanceDatabase());
});

test('file database: the same contract, and it reads back from disk after reopening', async () => {
  const dir = tempDir('mailpki-db-');
  const path = join(dir, 'ca.issued.jsonl');
  await exercise(openIssuanceDatabase(path));
  const again = openIssuanceDatabase(path);
  const list = await again.list();
  assert.equal(list.length, 2);
  assert.equal(list[1]!.status, 'revoked');
  assert.equal(await again.allocateCrlNumber(), 3n, 'cRLNumbers continue across opens');
  assert.deepEqual(await again.check(), { records: 2, revoked: 1, tornTail: false });
  assert.equal(statSync(path).mode & 0o777, 0o644);
  assert.ok(!existsSync(`${path}.lock`), 'the lock is released');
  // every line is JSON with a checksum; the first is the header
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.match(lines[0]!, /^\{"mailpki":"issuance-db","v":1,/);
  for (const l of lines) assert.match(l, /,"h":"[0-9a-f]{16}"\}$/);
  assert.equal(defaultIssuanceDatabasePath('/x/root-ca.pem'), '/x/root-ca.issued.jsonl');
  assert.equal(defaultIssuanceDatabasePath('myCA.crt'), 'myCA.issued.jsonl');
});

test('encodeIssuanceJournal writes a file openIssuanceDatabase reads back', async () => {
  const dir = tempDir('mailpki-db-');
  const a = leaf('a.example.test');
  writeFileSync(join(dir, 'j.jsonl'), encodeIssuanceJournal([issuanceRecordOf(a, 'tls-server')]));
  const db = openIssuanceDatabase(join(dir, 'j.jsonl'));
  assert.deepEqual((await db.get(a.serialNumber))!.certificate, a.der);
  assert.throws(() => encodeIssuanceJournal([issuanceRecordOf(a, 'x'), issuanceRecordOf(a, 'y')]), code('ERR_DB_DUPLICATE'));
});

test('torn last line (a writer killed mid-append): ignored by readers, cut by the next writer', async () => {
  const dir = tempDir('mailpki-db-');
  const path = join(dir, 'ca.issued.jsonl');
  const db = openIssuanceDatabase(path);
  await db.add(issuanceRecordOf(leaf('a.example.test'), 'tls-server'));
  const good = readFileSync(path);
  appendFileSync(path, '{"t":"issue","serial":"abc","subj'); // no newline: torn
  assert.equal((await db.list()).length, 1);
  assert.deepEqual(await db.check(), { records: 1, revoked: 0, tornTail: true });
  await db.add(issuanceRecordOf(leaf('b.example.test'), 'tls-server'));
  assert.equal((await db.list()).length, 2);
  assert.deepEqual(readFileSync(path).subarray(0, good.length), good);
  assert.equal((await db.check()).tornTail, false);
  // a file cut right after creation (header torn) is an empty database
  const p2 = join(dir, 'fresh.jsonl');
  writeFileSync(p2, '{"mailpki":"issu');
  const db2 = openIssuanceDatabase(p2);
  assert.deepEqual(await db2.list(), []);
  await db2.add(issuanceRecordOf(leaf('c.example.test'), 'tls-server'));
  assert.equal((await db2.list()).length, 1);
});

test('corruption in the middle: ERR_DB_CORRUPT naming the line, never a guess; nothing is appended', async () => {
  const dir = tempDir('mailpki-db-');
  const path = join(dir, 'ca.issued.jsonl');
  const db = openIssuanceDatabase(path);
  for (const n of ['a', 'b', 'c']) await db.add(issuanceRecordOf(leaf(`${n}.example.test`), 'tls-server'));
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const cases: Array<[string, string, RegExp]> = [
    ['one character changed (checksum)', lines.map((l, i) => (i === 2 ? l.replace('tls-server', 'tls-client') : l)).join('\n'), /line 3: checksum mismatch/],
    ['garbage line', lines.map((l, i) => (i === 2 ? 'garbage' : l)).join('\n'), /line 3: no checksum/],
    ['a line removed (header missing)', lines.slice(1).join('\n'), /line 1: not a mailpki issuance database/],
    ['NUL bytes in the middle', lines.map((l, i) => (i === 1 ? '\u0000'.repeat(40) : l)).join('\n'), /line 2/],
    ['a line duplicated', [lines[0], lines[1], lines[1], ...lines.slice(2)].join('\n'), /line 3: serial [0-9a-f]+ recorded twice/],
  ];
  for (const [name, content, re] of cases) {
    writeFileSync(path, content);
    await assert.rejects(db.list(), code('ERR_DB_CORRUPT', re), name);
    await assert.rejects(db.add(issuanceRecordOf(leaf('d.example.test'), 'tls-server')), code('ERR_DB_CORRUPT'), name);
    assert.equal(readFileSync(path, 'utf8'), content, `${name}: nothing appended`);
    assert.ok(!existsSync(`${path}.lock`), `${name}: lock released after the error`);
  }
});

test('stale lock (dead pid, same host) is taken over; a live holder is waited for, then ERR_DB_LOCKED', async () => {
  const dir = tempDir('mailpki-db-');
  const path = join(dir, 'ca.issued.jsonl');
  const lock = `${path}.lock`;
  // crashed holder on this host
  writeFileSync(lock, `${JSON.stringify({ pid: deadPid(), host: hostname(), at: '2026-01-01T00:00:00.000Z' })}\n`);
  const db = openIssuanceDatabase(path, { lockTimeoutMs: 2000 });
  await db.add(issuanceRecordOf(leaf('a.example.test'), 'tls-server'));
  assert.ok(!existsSync(lock));
  // a half-written lock file nobody finished 10 s ago
  writeFileSync(lock, '{"pid":');
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  await db.add(issuanceRecordOf(leaf('b.example.test'), 'tls-server'));
  // live holder (this very process, i.e. alive): wait, then a one-line error with the pid
  writeFileSync(lock, `${JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() })}\n`);
  const quick = openIssuanceDatabase(path, { lockTimeoutMs: 300 });
  const t0 = Date.now();
  await assert.rejects(quick.add(issuanceRecordOf(leaf('c.example.test'), 'tls-server')), code('ERR_DB_LOCKED', new RegExp(`process ${process.pid}`)));
  assert.ok(Date.now() - t0 >= 250 && Date.now() - t0 < 5000);
  // a holder on another host cannot be checked: also waited for, never broken
  writeFileSync(lock, `${JSON.stringify({ pid: deadPid(), host: 'elsewhere.invalid', at: new Date().toISOString() })}\n`);
  await assert.rejects(quick.allocateCrlNumber(), code('ERR_DB_LOCKED', /elsewhere\.invalid/));
  assert.ok(existsSync(lock), 'a lock of another host is left alone');
  // readers take no lock
  assert.equal((await quick.list()).length, 2);
});

test('bounded work: a line longer than 1 MiB is corruption, not a memory hog', async () => {
  const dir = tempDir('mailpki-db-');
  const path = join(dir, 'ca.issued.jsonl');
  const db = openIssuanceDatabase(path);
  await db.add(issuanceRecordOf(leaf('a.example.test'), 'tls-server'));
  appendFileSync(path, `${'x'.repeat(2 << 20)}\n`);
  await assert.rejects(db.list(), code('ERR_DB_CORRUPT', /too long/));
  truncateSync(path, 0);
  assert.deepEqual(await db.list(), []);
});
