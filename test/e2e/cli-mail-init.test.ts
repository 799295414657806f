// `mailpki mail init` end to end, as a new user runs it: every file, its
// mode, and the certificates checked by OpenSSL and node:crypto; the demo
// command (`npm run demo`) without prompting; the passphrase prompt and the
// progress line on a real terminal (util-linux `script`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { hasCommand, oracle, ROOT, tempDir } from '../helpers/env.js';
import { cli, cliCommand, listFiles, sh, shStatus } from '../helpers/cli.js';

const FILES = [
  'NEXT-STEPS.txt',
  'dovecot-2.3-10-ssl.conf',
  'dovecot-2.4-10-ssl.conf',
  'postfix-chain.pem',
  'postfix-main.cf',
  'postfix-master.cf',
  'root-ca.issued.jsonl',
  'root-ca.key',
  'root-ca.pem',
  'selinux.sh',
  'server-chain.pem',
  'server.csr',
  'server.key',
  'server.pem',
  'tlsa.txt',
];
const KEYS = ['postfix-chain.pem', 'root-ca.key', 'server.key'];
const mode = (p: string) => statSync(p).mode & 0o777;
const spki = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

describe('mailpki mail init', { concurrency: false }, () => {
  it('makes every file with the right mode; OpenSSL and node:crypto accept the result', async (t) => {
    if (!oracle(t, 'openssl')) return;
    const base = tempDir('mailpki-e2e-init-');
    writeFileSync(join(base, 'ca.pass'), 'a long root passphrase\n');
    const out = join(base, 'out');
    const r = await cli(['mail', 'init', 'mail.example.test', '--san', 'smtp.example.test', '--san', 'imap.example.test', '--out', out, '--ca-passphrase-file', join(base, 'ca.pass')], { cwd: base });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote 15 files/);
    assert.deepEqual(listFiles(out), FILES);
    assert.equal(mode(out), 0o700);
    for (const f of FILES) assert.equal(mode(join(out, f)), KEYS.includes(f) ? 0o600 : 0o644, f);
    const P = (f: string) => join(out, f);

    // the root: encrypted key, CA, name-constrained to the parent domain
    assert.match(readFileSync(P('root-ca.key'), 'utf8'), /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    assert.match(sh('openssl', ['pkey', '-in', P('root-ca.key'), '-passin', `file:${join(base, 'ca.pass')}`, '-check', '-noout']), /valid/);
    assert.equal(sh('openssl', ['pkey', '-in', P('root-ca.key'), '-passin', `file:${join(base, 'ca.pass')}`, '-pubout']), sh('openssl', ['x509', '-in', P('root-ca.pem'), '-noout', '-pubkey']));
    const rootText = sh('openssl', ['x509', '-in', P('root-ca.pem'), '-noout', '-text']);
    assert.match(rootText, /CA:TRUE/);
    assert.match(rootText, /Permitted:\s+DNS:example\.test/);

    // the server: unencrypted key matching the cert, SANs, strict verification for every name
    assert.match(readFileSync(P('server.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    assert.match(sh('openssl', ['pkey', '-in', P('server.key'), '-check', '-noout']), /valid/);
    assert.equal(sh('openssl', ['pkey', '-in', P('server.key'), '-pubout']), sh('openssl', ['x509', '-in', P('server.pem'), '-noout', '-pubkey']));
    assert.equal(shStatus('openssl', ['req', '-in', P('server.csr'), '-verify', '-noout']).status, 0);
    for (const host of ['mail.example.test', 'smtp.example.test', 'imap.example.test']) {
      assert.match(sh('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', host, '-CAfile', P('root-ca.pem'), P('server.pem')]), /OK/);
      assert.equal(new X509Certificate(readFileSync(P('server.pem'))).checkHost(host, { subject: 'never' }), host);
    }
    assert.notEqual(shStatus('openssl', ['verify', '-verify_hostname', 'www.example.test', '-CAfile', P('root-ca.pem'), P('server.pem')]).status, 0);
    const days = (new Date(new X509Certificate(readFileSync(P('server.pem'))).validTo).getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 390 && days <= 397, `server cert valid ${days} days`);

    // chain files: Dovecot's is leaf (+ intermediates; none here, no root); Postfix's is key first
    assert.equal(readFileSync(P('server-chain.pem'), 'utf8'), readFileSync(P('server.pem'), 'utf8'));
    const pf = readFileSync(P('postfix-chain.pem'), 'utf8');
    assert.match(pf, /^-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----/);
    assert.equal(sh('openssl', ['pkey', '-in', P('postfix-chain.pem'), '-pubout']), sh('openssl', ['x509', '-in', P('postfix-chain.pem'), '-noout', '-pubkey']));

    // texts from the mail preset, pointing at the install dir
    assert.match(readFileSync(P('postfix-main.cf'), 'utf8'), /^smtpd_tls_chain_files = \/etc\/mailpki\/postfix-chain\.pem$/m);
    assert.match(readFileSync(P('postfix-master.cf'), 'utf8'), /smtpd_tls_security_level=encrypt[\s\S]*smtpd_tls_wrappermode=yes/);
    assert.match(readFileSync(P('dovecot-2.3-10-ssl.conf'), 'utf8'), /^ssl_cert = <\/etc\/mailpki\/server-chain\.pem$/m);
    assert.match(readFileSync(P('dovecot-2.4-10-ssl.conf'), 'utf8'), /^ssl_server_cert_file = \/etc\/mailpki\/server-chain\.pem$/m);
    assert.match(readFileSync(P('tlsa.txt'), 'utf8'), new RegExp(`^_25\\._tcp\\.mail\\.example\\.test\\. IN TLSA 3 1 1 ${spki(readFileSync(P('server.pem'), 'utf8'))}$`, 'm'));
    const se = readFileSync(P('selinux.sh'), 'utf8');
    assert.match(se, /semanage fcontext/);
    assert.match(se, /restorecon/);
    assert.doesNotMatch(se, /^\s*chcon\b/m);
    assert.match(readFileSync(P('NEXT-STEPS.txt'), 'utf8'), /mailpki check mail\.example\.test:587 --starttls smtp/);

    // our own verify agrees
    const v = await cli(['verify', P('server.pem'), '--ca', P('root-ca.pem'), '--host', 'smtp.example.test'], { cwd: base });
    assert.equal(v.status, 0, v.stderr);

    // run again: refuses, changes nothing
    const before = listFiles(out).map((f) => readFileSync(join(out, f), 'latin1'));
    const again = await cli(['mail', 'init', 'mail.example.test', '--out', out, '--ca-passphrase-file', join(base, 'ca.pass')], { cwd: base });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /^error: .*already exists.*\(ERR_FILE_EXISTS\)\n$/);
    assert.deepEqual(listFiles(out).map((f) => readFileSync(join(out, f), 'latin1')), before);
  });

  it('--key-type rsa: RSA 2048 server key, RSA 3072 root', async (t) => {
    if (!oracle(t, 'openssl')) return;
    const base = tempDir('mailpki-e2e-rsa-');
    const out = join(base, 'o');
    const r = await cli(['mail', 'init', 'mx.example.org', '--out', out, '--no-ca-passphrase', '--key-type', 'rsa'], { cwd: base, timeoutMs: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(sh('openssl', ['pkey', '-in', join(out, 'server.key'), '-noout', '-text']), /Private-Key: \(2048 bit/);
    assert.match(sh('openssl', ['x509', '-in', join(out, 'root-ca.pem'), '-noout', '-text']), /Public-Key: \(3072 bit\)/);
    assert.match(sh('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', 'mx.example.org', '-CAfile', join(out, 'root-ca.pem'), join(out, 'server.pem')]), /OK/);
  });

  it('the demo (`npm run demo`: mail init mail.example.test --out ./demo --no-ca-passphrase --force) runs twice without prompting', async () => {
    const base = tempDir('mailpki-e2e-demo-');
    for (let i = 0; i < 2; i++) {
      const r = await cli(['mail', 'init', 'mail.example.test', '--out', './demo', '--no-ca-passphrase', '--force'], { cwd: base });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /wrote 15 files to \.\/demo\/ for mail\.example\.test/);
      assert.match(r.stdout, /NEXT-STEPS\.txt/);
    }
    assert.deepEqual(listFiles(join(base, 'demo')), FILES);
    // --force replaced files atomically: no temp files left
    assert.ok(!listFiles(join(base, 'demo')).some((f) => f.endsWith('.tmp')));
  });

  it('on a terminal: asks for the CA passphrase twice without echo; shows progress for slow RSA keygen', async (t) => {
    if (!hasCommand('script')) {
      if (process.env.MAILPKI_REQUIRE_ORACLES === '1') throw new Error('script (util-linux) missing');
      t.skip('script (util-linux) not installed');
      return;
    }
    if (!oracle(t, 'openssl')) return;
    const base = tempDir('mailpki-e2e-tty-');
    const node = [process.execPath, ...cliCommand()].map((a) => `'${a}'`).join(' ');
    const secret = 'tty secret 42';
    // script gives the CLI a pseudo-terminal; the shell feeds the passphrase after the prompts appear
    const cmd = `(sleep 2; printf '${secret}\\r'; sleep 1; printf '${secret}\\r'; sleep 6) | script -qec "${node} mail init mail.example.test --out out" /dev/null`;
    const r = spawnSync('sh', ['-c', cmd], { cwd: base, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    const all = `${r.stdout}${r.stderr}`;
    assert.match(all, /Passphrase for the root CA key: /);
    assert.match(all, /Repeat the passphrase for the root CA key: /);
    assert.ok(!all.includes(secret), 'the passphrase is never echoed');
    assert.ok(existsSync(join(base, 'out', 'root-ca.key')), all);
    writeFileSync(join(base, 'p'), `${secret}\n`);
    assert.match(sh('openssl', ['pkey', '-in', join(base, 'out', 'root-ca.key'), '-passin', `file:${join(base, 'p')}`, '-check', '-noout']), /valid/);

    const t0 = Date.now();
    const k = spawnSync('script', ['-qec', `${node} key new --type rsa --bits 4096 --out k.pem`, '/dev/null'], { cwd: base, encoding: 'utf8', timeout: 120_000, input: '' });
    const ms = Date.now() - t0;
    assert.match(k.stdout, /wrote k\.pem: RSA 4096/);
    if (ms > 2500) assert.match(k.stdout, /generating the key \(RSA 4096\)/, `took ${ms} ms: the progress line should have shown`);
    else t.diagnostic(`RSA 4096 took only ${ms} ms: progress (shown after 1 s) not asserted`);
  });

  it('package.json demo script is the command tested above', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts.demo ?? '', /mail init mail\.example\.test --out \.\/demo --no-ca-passphrase --force/);
  });
});
