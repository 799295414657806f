// The CLI's issuance database and day-two commands as real processes:
// 20 concurrent `mailpki sign` against one CA, SIGKILL at any point,
// `ca list`, `revoke`, `crl`, bad input (one line, a code, nothing
// written), `csr new` without --subject / with --from-cert, and `mail renew`
// (due / not due, wrong CA, --new-key --revoke-old, a run killed mid-write).
// Fixtures come from OpenSSL (test/helpers/cli.ts) where the CA is not ours.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { oracle, tempDir } from '../helpers/env.js';
import { cli, cliCommand, killWhenFileAppears, listFiles, sh, shStatus, type CliResult } from '../helpers/cli.js';
import { openIssuanceDatabase } from '../../src/node/issuance-db.js';

const serialOf = (pem: string) => new X509Certificate(pem).serialNumber.toLowerCase().replace(/^0+/, '');
const oneLine = (r: CliResult, code: string) => {
  assert.equal(r.status, 1, `exit 1 expected: ${r.stderr}${r.stdout}`);
  assert.match(r.stderr, new RegExp(`^error: .*\\(${code}\\)\\n$`), r.stderr);
  assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
};

/** An OpenSSL CA (plain EC key, keyUsage present) and a mailpki CSR, in a fresh directory. */
function setup(): { d: string; p: (n: string) => string } {
  const d = tempDir('mailpki-cadb-');
  const p = (n: string) => join(d, n);
  sh('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('ca.key')]);
  sh('openssl', ['req', '-x509', '-new', '-key', p('ca.key'), '-subj', '/O=DB Test/CN=DB Test CA', '-days', '100', '-out', p('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  sh('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('srv.key')]);
  sh('openssl', ['req', '-new', '-key', p('srv.key'), '-subj', '/CN=mail.example.test', '-addext', 'subjectAltName=DNS:mail.example.test', '-out', p('srv.csr')]);
  return { d, p };
}

describe('issuance database through the CLI', { concurrency: false }, () => {
  it('20 `mailpki sign` processes at once against one CA: 20 records, 20 distinct serials, each file recorded', { timeout: 120_000 }, async (t) => {
    if (!oracle(t, 'openssl')) return;
    const { p } = setup();
    // each into its own directory: what is shared is the CA and its database (a directory written by several runs at once is another matter)
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => cli(['sign', '--csr', p('srv.csr'), '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', join(p(`o${i}`), 's.pem')], { timeoutMs: 90_000 })));
    runs.forEach((r, i) => assert.equal(r.status, 0, `sign ${i}: ${r.stderr}`));
    const db = openIssuanceDatabase(p('ca.issued.jsonl'));
    const list = await db.list();
    assert.equal(list.length, 20);
    assert.equal(new Set(list.map((r) => r.serial)).size, 20);
    const files = Array.from({ length: 20 }, (_, i) => serialOf(readFileSync(join(p(`o${i}`), 's.pem'), 'utf8')));
    assert.deepEqual([...files].sort(), list.map((r) => r.serial).sort());
    assert.deepEqual(await db.check(), { records: 20, revoked: 0, tornTail: false });
    assert.ok(!existsSync(p('ca.issued.jsonl.lock')));
  });

  it('SIGKILL at any point of `sign`: the database opens and every certificate written has its record; the next sign recovers the lock', { timeout: 120_000 }, async (t) => {
    if (!oracle(t, 'openssl')) return;
    const { p } = setup();
    const cmd = cliCommand();
    const once = (i: number, killAfterMs: number) =>
      new Promise<void>((resolve) => {
        const child = spawn(process.execPath, [...cmd, 'sign', '--csr', p('srv.csr'), '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', p(`k${i}.pem`)], { stdio: 'ignore' });
        const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        child.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    // how long one run takes, then kills spread over that time (and a little past it)
    const t0 = Date.now();
    await once(-1, 60_000);
    const full = Date.now() - t0;
    const N = 16;
    let written = 0;
    for (let i = 0; i < N; i++) {
      await once(i, Math.round((full * 1.2 * i) / N));
      const db = openIssuanceDatabase(p('ca.issued.jsonl'));
      const serials = new Set((await db.list()).map((r) => r.serial));
      if (existsSync(p(`k${i}.pem`))) {
        written++;
        assert.ok(serials.has(serialOf(readFileSync(p(`k${i}.pem`), 'utf8'))), `kill ${i}: k${i}.pem has no record`);
      }
    }
    t.diagnostic(`one sign ${full} ms; ${written}/${N} killed runs had written their certificate`);
    // whatever the kills left (a stale lock, a torn last line), the next issuer goes through
    const after = await cli(['sign', '--csr', p('srv.csr'), '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', p('after.pem')]);
    assert.equal(after.status, 0, after.stderr);
    const db = openIssuanceDatabase(p('ca.issued.jsonl'));
    assert.ok((await db.list()).some((r) => r.serial === serialOf(readFileSync(p('after.pem'), 'utf8'))));
    assert.equal((await db.check()).tornTail, false);
  });

  it('ca list, revoke, crl; bad input is one line with a code and writes nothing', { timeout: 120_000 }, async (t) => {
    if (!oracle(t, 'openssl')) return;
    const { p } = setup();
    for (const n of ['a', 'b', 'c']) {
      const r = await cli(['sign', '--csr', p('srv.csr'), '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', p(`${n}.pem`), '--days', n === 'c' ? '10' : '90']);
      assert.equal(r.status, 0, r.stderr);
    }
    const sa = serialOf(readFileSync(p('a.pem'), 'utf8'));
    const list = await cli(['ca', 'list', '--ca', p('ca.pem')]);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^SERIAL +STATUS +NOT AFTER +DAYS +PROFILE +SUBJECT \/ NAMES$/m);
    assert.match(list.stdout, new RegExp(`^${sa.toUpperCase()} +valid +\\d{4}-\\d\\d-\\d\\d +(89|90) +tls-server +CN=mail\\.example\\.test`, 'm'));
    assert.match(list.stdout, /^3 certificates/m);
    const soon = await cli(['ca', 'list', '--ca', p('ca.pem'), '--expiring', '30', '--json']);
    const soonJ = JSON.parse(soon.stdout) as Array<{ serial: string; daysLeft: number }>;
    assert.deepEqual(soonJ.map((r) => r.serial), [serialOf(readFileSync(p('c.pem'), 'utf8'))]);

    // revoke by file and by serial (openssl's colon form), then publish
    assert.equal((await cli(['revoke', '--cert', p('a.pem'), '--ca', p('ca.pem'), '--reason', 'keyCompromise'])).status, 0);
    const colon = serialOf(readFileSync(p('b.pem'), 'utf8')).padStart(32, '0').toUpperCase().replace(/(..)(?!$)/g, '$1:');
    const rb = await cli(['revoke', colon, '--ca', p('ca.pem'), '--reason', 'superseded']);
    assert.equal(rb.status, 0, rb.stderr);
    const crl = await cli(['crl', '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', p('ca.crl')]);
    assert.equal(crl.status, 0, crl.stderr);
    assert.match(crl.stdout, /CRL number 1, 2 revoked certificates/);
    const v = shStatus('openssl', ['crl', '-in', p('ca.crl'), '-CAfile', p('ca.pem'), '-noout', '-verify']);
    assert.equal(v.status, 0, v.out);
    assert.match(v.out, /verify OK/);
    const text = sh('openssl', ['crl', '-in', p('ca.crl'), '-noout', '-text']);
    assert.match(text, /Key Compromise/);
    assert.match(text, /Superseded/);
    const crl2 = await cli(['crl', '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', p('ca.crl'), '--force', '--der']);
    assert.match(crl2.stdout, /CRL number 2/);
    const json = JSON.parse((await cli(['ca', 'list', '--ca', p('ca.pem'), '--json'])).stdout) as Array<{ status: string; revocationReason: string | null }>;
    assert.deepEqual(json.map((r) => r.status), ['revoked', 'revoked', 'valid']);

    // bad input: each one line, a code, the database byte for byte unchanged, no file written
    const dbFile = p('ca.issued.jsonl');
    const before = readFileSync(dbFile);
    const filesBefore = listFiles(p('.'));
    sh('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('wrong.key')]);
    sh('openssl', ['req', '-x509', '-new', '-key', p('wrong.key'), '-subj', '/CN=Other CA', '-days', '10', '-out', p('other.pem'), '-addext', 'basicConstraints=critical,CA:TRUE']);
    sh('openssl', ['req', '-x509', '-new', '-key', p('wrong.key'), '-subj', '/CN=Not a CA', '-days', '10', '-out', p('leafca.pem'), '-addext', 'basicConstraints=critical,CA:FALSE']);
    const filesNow = listFiles(p('.'));
    oneLine(await cli(['revoke', 'DEADBEEF', '--ca', p('ca.pem'), '--reason', 'superseded']), 'ERR_SERIAL_UNKNOWN');
    oneLine(await cli(['revoke', '--cert', p('a.pem'), '--ca', p('ca.pem'), '--reason', 'superseded']), 'ERR_POLICY'); // already revoked
    oneLine(await cli(['revoke', '--cert', p('other.pem'), '--ca', p('ca.pem'), '--reason', 'superseded']), 'ERR_WRONG_ISSUER');
    oneLine(await cli(['sign', '--csr', p('srv.csr'), '--ca', p('ca.pem'), '--ca-key', p('wrong.key'), '--out', p('x.pem')]), 'ERR_KEY_MISMATCH');
    oneLine(await cli(['sign', '--csr', p('srv.csr'), '--ca', p('leafca.pem'), '--ca-key', p('wrong.key'), '--out', p('x.pem')]), 'ERR_ISSUER_NOT_CA');
    assert.equal((await cli(['revoke', 'not-hex', '--ca', p('ca.pem'), '--reason', 'superseded'])).status, 2);
    assert.deepEqual(readFileSync(dbFile), before);
    assert.deepEqual(listFiles(p('.')), filesNow);
    assert.ok(filesNow.length === filesBefore.length + 3);

    // a corrupt database (a record edited in the middle): one line naming the line, nothing written
    const lines = before.toString('utf8').split('\n');
    lines[2] = lines[2]!.replace('CN=mail', 'CN=evil');
    writeFileSync(dbFile, lines.join('\n'));
    for (const args of [
      ['sign', '--csr', p('srv.csr'), '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', p('x.pem')],
      ['ca', 'list', '--ca', p('ca.pem')],
      ['crl', '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', p('x.crl')],
    ]) {
      const r = await cli(args);
      oneLine(r, 'ERR_DB_CORRUPT');
      assert.match(r.stderr, /line 3/);
    }
    assert.ok(!existsSync(p('x.pem')) && !existsSync(p('x.crl')));

    // a lock left by a crashed process is recovered (pid of a process that has exited)
    writeFileSync(dbFile, before);
    const dead = deadPid();
    writeFileSync(`${dbFile}.lock`, `${JSON.stringify({ pid: dead, host: hostname(), at: '2026-01-01T00:00:00.000Z' })}\n`);
    const rec = await cli(['sign', '--csr', p('srv.csr'), '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', p('y.pem')]);
    assert.equal(rec.status, 0, rec.stderr);
    assert.ok(!existsSync(`${dbFile}.lock`));
    // a lock held by a live process: waited for, then one line (short wait for the test)
    writeFileSync(`${dbFile}.lock`, `${JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() })}\n`);
    const locked = await cli(['sign', '--csr', p('srv.csr'), '--ca', p('ca.pem'), '--ca-key', p('ca.key'), '--out', p('z.pem')], { env: { MAILPKI_DB_LOCK_TIMEOUT_MS: '500' } });
    oneLine(locked, 'ERR_DB_LOCKED');
    assert.ok(!existsSync(p('z.pem')));
  });

  it('csr new without --subject (CN = first name) and with --from-cert', async (t) => {
    if (!oracle(t, 'openssl')) return;
    const { p } = setup();
    const a = await cli(['csr', 'new', '--key', p('srv.key'), '--san', 'mx.example.test', '--san', 'smtp.example.test', '--out', p('a.csr')]);
    assert.equal(a.status, 0, a.stderr);
    const at = sh('openssl', ['req', '-in', p('a.csr'), '-noout', '-text', '-verify']);
    assert.match(at, /Subject: CN = mx\.example\.test/);
    assert.match(at, /DNS:mx\.example\.test, DNS:smtp\.example\.test/);
    assert.equal(sh('openssl', ['req', '-in', p('a.csr'), '-noout', '-pubkey']), sh('openssl', ['pkey', '-in', p('srv.key'), '-pubout']));
    sh('openssl', ['x509', '-req', '-in', p('srv.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-days', '5', '-copy_extensions', 'copy', '-out', p('old.pem')]);
    const b = await cli(['csr', 'new', '--from-cert', p('old.pem'), '--key', p('srv.key'), '--san', 'imap.example.test', '--out', p('b.csr')]);
    assert.equal(b.status, 0, b.stderr);
    const bt = sh('openssl', ['req', '-in', p('b.csr'), '-noout', '-text']);
    assert.match(bt, /Subject: CN = mail\.example\.test/);
    assert.match(bt, /DNS:mail\.example\.test, DNS:imap\.example\.test/);
    const none = await cli(['csr', 'new', '--key', p('srv.key'), '--out', p('c.csr')]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /--subject DN, --san NAME .* or --from-cert/);
  });

  it('mail renew: not due is a no-op; renews with the same key and names; wrong CA refused; --new-key --revoke-old; a run killed mid-write is rolled back', { timeout: 180_000 }, async (t) => {
    if (!oracle(t, 'openssl')) return;
    const base = tempDir('mailpki-renew-');
    const out = join(base, 'out');
    const init = await cli(['mail', 'init', 'mail.example.test', '--san', 'smtp.example.test', '--out', out, '--no-ca-passphrase']);
    assert.equal(init.status, 0, init.stderr);
    const P = (n: string) => join(out, n);
    const snapshot = () => Object.fromEntries(listFiles(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    const s0 = snapshot();
    // NEXT-STEPS: the renewal command, the systemd service + timer, the reloads
    const next = s0['NEXT-STEPS.txt']!;
    assert.match(next, new RegExp(`^    mailpki mail renew ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.match(next, /^    ExecStart=\/usr\/bin\/env mailpki mail renew \/etc\/mailpki --ca-cert \/etc\/mailpki\/root-ca\.pem --ca-key \S+ .*--if-expires-within 30$/m);
    assert.match(next, /^    ExecStartPost=\/usr\/sbin\/postfix reload$/m);
    assert.match(next, /^    ExecStartPost=\/usr\/bin\/doveadm reload$/m);
    assert.match(next, /^    OnCalendar=daily$/m);
    assert.match(next, /^    WantedBy=timers\.target$/m);
    assert.match(next, /--warn-days 21/);

    const notDue = await cli(['mail', 'renew', out, '--if-expires-within', '30']);
    assert.equal(notDue.status, 0, notDue.stderr);
    assert.match(notDue.stdout, /^mail renew: .*not due \(--if-expires-within 30\), nothing done\n$/);
    assert.deepEqual(snapshot(), s0);

    // a certificate of another CA: refused before anything is written
    const other = join(base, 'other');
    assert.equal((await cli(['mail', 'init', 'mail.example.test', '--out', other, '--no-ca-passphrase'])).status, 0);
    const wrong = await cli(['mail', 'renew', '--cert', join(other, 'server.pem'), '--key', join(other, 'server.key'), '--ca-cert', P('root-ca.pem'), '--ca-key', P('root-ca.key')]);
    oneLine(wrong, 'ERR_WRONG_ISSUER');
    assert.deepEqual(snapshot(), s0);

    const r = await cli(['mail', 'renew', out, '--if-expires-within', '400', '--san', 'imap.example.test']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /key kept/);
    const oldSerial = serialOf(s0['server.pem']!);
    const newPem = readFileSync(P('server.pem'), 'utf8');
    const newSerial = serialOf(newPem);
    assert.notEqual(newSerial, oldSerial);
    assert.equal(new X509Certificate(newPem).subjectAltName, 'DNS:mail.example.test, DNS:smtp.example.test, DNS:imap.example.test');
    assert.equal(sh('openssl', ['x509', '-in', P('server.pem'), '-noout', '-pubkey']), sh('openssl', ['x509', '-in', P('server.pem.prev'), '-noout', '-pubkey']), 'key kept');
    assert.equal(readFileSync(P('server.key'), 'utf8'), s0['server.key'], 'server.key untouched');
    assert.equal(readFileSync(P('server.pem.prev'), 'utf8'), s0['server.pem']);
    assert.equal(readFileSync(P('postfix-chain.pem.prev'), 'utf8'), s0['postfix-chain.pem']);
    assert.equal(statSync(P('postfix-chain.pem.prev')).mode & 0o777, 0o600);
    assert.match(sh('openssl', ['verify', '-x509_strict', '-verify_hostname', 'imap.example.test', '-CAfile', P('root-ca.pem'), P('server.pem')]), /OK/);
    assert.equal(serialOf(readFileSync(P('postfix-chain.pem'), 'utf8').slice(readFileSync(P('postfix-chain.pem'), 'utf8').indexOf('-----BEGIN CERTIFICATE'))), newSerial);
    const db = openIssuanceDatabase(P('root-ca.issued.jsonl'));
    assert.deepEqual((await db.list()).map((x) => x.serial), [oldSerial, newSerial]);
    assert.ok(!existsSync(P('.mailpki-renew.pending')));

    // new key after a compromise: the old certificate is revoked in the database
    const nk = await cli(['mail', 'renew', out, '--new-key', '--revoke-old', 'keyCompromise']);
    assert.equal(nk.status, 0, nk.stderr);
    assert.match(nk.stdout, /NEW key/);
    assert.notEqual(readFileSync(P('server.key'), 'utf8'), s0['server.key']);
    assert.equal(sh('openssl', ['x509', '-in', P('server.pem'), '-noout', '-pubkey']), sh('openssl', ['pkey', '-in', P('server.key'), '-pubout']));
    const after = await db.list();
    assert.equal(after.length, 3);
    assert.equal(after.find((x) => x.serial === newSerial)!.revocationReason, 'keyCompromise');
    assert.equal((await cli(['mail', 'renew', out, '--revoke-old', 'keyCompromise'])).status, 2, 'keyCompromise without --new-key is refused');

    // a renewal killed while it publishes the new set: the next run restores the *.prev set first
    const s1 = snapshot();
    const serving = ['server.key', 'server.pem', 'server-chain.pem', 'postfix-chain.pem'];
    let caught = false;
    let prevSet: Record<string, string | undefined> = s1;
    for (let attempt = 0; attempt < 12 && !caught; attempt++) {
      const child = spawn(process.execPath, [...cliCommand(), 'mail', 'renew', out, '--new-key'], { stdio: 'ignore' });
      // kill as soon as the pending marker exists (the *.prev set is complete then; publishing is next)
      await killWhenFileAppears(child, P('.mailpki-renew.pending'));
      if (existsSync(P('.mailpki-renew.pending'))) {
        caught = true;
        // the *.prev files are the set that was serving before this run
        for (const f of serving) assert.equal(readFileSync(P(`${f}.prev`), 'utf8'), prevSet[f], `${f}.prev`);
        const again = await cli(['mail', 'renew', out]);
        assert.equal(again.status, 0, again.stderr);
        assert.match(again.stderr, /interrupted renewal was rolled back/);
        // after the rollback and the new run, the set is consistent: key, certificate and both chains agree
        const pub = sh('openssl', ['pkey', '-in', P('server.key'), '-pubout']);
        assert.equal(sh('openssl', ['x509', '-in', P('server.pem'), '-noout', '-pubkey']), pub);
        assert.equal(sh('openssl', ['x509', '-in', P('server-chain.pem'), '-noout', '-pubkey']), pub);
        assert.equal(serialOf(readFileSync(P('server-chain.pem'), 'utf8')), serialOf(readFileSync(P('server.pem'), 'utf8')));
      } else {
        // the kill came too late (the run finished): the set is simply the new one; try again
        prevSet = Object.fromEntries(serving.map((f) => [f, readFileSync(P(f), 'utf8')]));
      }
    }
    if (!caught) t.diagnostic('no kill landed while the marker existed in 12 attempts (each run too fast); the rollback path was not exercised');
    assert.ok(caught, 'a kill landed during publication');
  });
});

function deadPid(): number {
  const r = sh(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r);
}
