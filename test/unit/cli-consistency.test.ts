// One way to print names (RFC 4514) in inspect, verify, chain and check
// output; `verify --json`; `inspect --json` EKU names with OIDs; a stray
// positional argument is an error everywhere, also after `help`. Fixtures
// come from `mailpki mail init` run here (no external tools needed); the
// root subject with an escaped comma tests the escaping of the one
// formatter.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/env.js';
import { cli } from '../helpers/cli.js';

describe('CLI consistency', { concurrency: false }, () => {
  const d = tempDir('mailpki-cli-consistency-');
  const out = join(d, 'pki');
  const p = (n: string) => join(out, n);
  let rootSubject = '';

  before(async () => {
    const r = await cli(['mail', 'init', 'mail.example.test', '--out', out, '--no-ca-passphrase', '--ca-subject', 'CN=Mail Root,O=Example\\, Inc.'], { cwd: d });
    assert.equal(r.status, 0, r.stderr);
    rootSubject = 'CN=Mail Root,O=Example\\, Inc.'; // RFC 4514 in, the same RFC 4514 out
  });

  it('verify, chain and inspect print names in RFC 4514 form (the same string)', async () => {
    const v = await cli(['verify', p('server-chain.pem'), '--ca', p('root-ca.pem'), '--host', 'mail.example.test'], { cwd: d });
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /^ {2}0: CN=mail\.example\.test {2}\(until /m);
    assert.ok(v.stdout.includes(`  1: ${rootSubject}  (until `), v.stdout);
    assert.doesNotMatch(v.stdout, /\/CN=/, 'no OpenSSL slash form');

    const c = await cli(['chain', p('server.pem'), p('root-ca.pem'), '--with-root', '--out', join(d, 'full.pem')], { cwd: d });
    assert.equal(c.status, 0, c.stderr);
    assert.ok(c.stdout.includes(`  ${rootSubject} (until `), c.stdout);
    assert.match(c.stdout, /^ {2}CN=mail\.example\.test \(until /m);

    const i = await cli(['inspect', p('server.pem')], { cwd: d });
    assert.equal(i.status, 0, i.stderr);
    assert.match(i.stdout, /Subject: +CN=mail\.example\.test$/m);
    assert.ok(i.stdout.includes(`Issuer:`) && i.stdout.includes(rootSubject), i.stdout);

    // a verification message names the certificate the same way
    const bad = await cli(['verify', p('server.pem'), '--ca', p('root-ca.pem'), '--host', 'other.example.test'], { cwd: d });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^error: 'CN=mail\.example\.test' does not name other\.example\.test .*\(host-mismatch\)\n$/);
  });

  it('verify --json: ok, reason, message and the chain with subjects and fingerprints, for success and failure', async () => {
    const good = await cli(['verify', p('server-chain.pem'), '--ca', p('root-ca.pem'), '--host', 'mail.example.test', '--json'], { cwd: d });
    assert.equal(good.status, 0, good.stderr);
    assert.equal(good.stderr, '');
    const g = JSON.parse(good.stdout) as { ok: boolean; reason: null; message: null; chain: Array<{ subject: string; issuer: string; sha256: string; serial: string; notAfter: string }> };
    assert.equal(g.ok, true);
    assert.equal(g.reason, null);
    assert.deepEqual(g.chain.map((c) => c.subject), ['CN=mail.example.test', rootSubject]);
    assert.equal(g.chain[0]!.issuer, rootSubject);
    const x = new (await import('node:crypto')).X509Certificate(readFileSync(p('server.pem')));
    assert.equal(g.chain[0]!.sha256, x.fingerprint256);
    assert.equal(g.chain[0]!.serial.toUpperCase(), x.serialNumber.replace(/^0+/, '').padStart(g.chain[0]!.serial.length, '0').toUpperCase());
    assert.equal(g.chain[0]!.notAfter, new Date(x.validTo).toISOString());

    const bad = await cli(['verify', p('server.pem'), '--ca', p('root-ca.pem'), '--host', 'other.example.test', '--json'], { cwd: d });
    assert.equal(bad.status, 1);
    const b = JSON.parse(bad.stdout) as { ok: boolean; reason: string; message: string; certificate: { subject: string } | null; chain: Array<{ subject: string }> };
    assert.equal(b.ok, false);
    assert.equal(b.reason, 'host-mismatch');
    assert.match(b.message, /'CN=mail\.example\.test' does not name other\.example\.test/);
    assert.equal(b.certificate?.subject, 'CN=mail.example.test');
    assert.deepEqual(b.chain.map((c) => c.subject), ['CN=mail.example.test', rootSubject], 'the path that was checked');
    assert.match(bad.stderr, /\(host-mismatch\)\n$/, 'the one-line error still goes to stderr');

    const none = await cli(['verify', p('server.pem'), '--ca', p('server.csr'), '--json'], { cwd: d });
    assert.equal(none.status, 1, 'bad input stays an error line, not JSON');
    assert.equal(none.stdout, '');
  });

  it('inspect --json lists extendedKeyUsage as names with their OIDs', async () => {
    const r = await cli(['inspect', p('server.pem'), '--json'], { cwd: d });
    assert.equal(r.status, 0, r.stderr);
    const [j] = JSON.parse(r.stdout) as Array<{ extKeyUsage: Array<{ oid: string; name: string | null }> }>;
    assert.deepEqual(j!.extKeyUsage, [{ oid: '1.3.6.1.5.5.7.3.1', name: 'serverAuth' }]);
    const root = JSON.parse((await cli(['inspect', p('root-ca.pem'), '--json'], { cwd: d })).stdout) as Array<{ extKeyUsage: unknown }>;
    assert.equal(root[0]!.extKeyUsage, null, 'no EKU extension: null');
    const csr = JSON.parse((await cli(['inspect', p('server.csr'), '--json'], { cwd: d })).stdout) as Array<Record<string, unknown>>;
    assert.ok('extKeyUsage' in csr[0]!, 'CSRs carry the field too');
  });

  it('a stray positional argument is an error everywhere, with `help` and `--help` too', async () => {
    const cases: string[][] = [
      ['help', 'inspect', 'extra'],
      ['help', 'ca', 'extra'],
      ['ca', '--help', 'extra'],
      ['help', 'mail', 'init', 'x'],
      ['help', 'config', 'postfix', 'extra'],
      ['config', 'postfix', 'extra', '--help'],
      ['inspect', 'a', 'b', '--help'],
      ['inspect', p('server.pem'), 'extra'],
      ['key', 'new', 'extra', '--out', join(d, 'k.pem')],
      ['verify', p('server.pem'), 'extra', '--ca', p('root-ca.pem')],
      ['check', 'a:1', 'b:2'],
      ['tlsa', p('server.pem'), 'extra'],
      ['version', 'extra'],
    ];
    for (const args of cases) {
      const r = await cli(args, { cwd: d });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^error: .*unexpected argument "(extra|x|b|b:2)" \(ERR_USAGE\)\n$/, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
    // what stays allowed: help for a command, for a variant (any case), and --help after a full command line
    for (const args of [['help', 'inspect'], ['help', 'config', 'POSTFIX'], ['ca', '--help'], ['check', 'a:1', '--help']]) {
      const r = await cli(args, { cwd: d });
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: mailpki /);
    }
  });
});
