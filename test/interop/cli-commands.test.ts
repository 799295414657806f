// Happy paths of every command, run as real processes, checked by OpenSSL
// (x509 -noout, verify -x509_strict, req -verify, pkey -check) and by
// node:crypto where it fits.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, ROOT, tempDir } from '../helpers/env.js';
import { cli, sh, shStatus, type CliResult } from '../helpers/cli.js';

const mode = (p: string) => statSync(p).mode & 0o777;
const ok = (r: CliResult, what: string) => assert.equal(r.status, 0, `${what}: exit ${r.status}\n${r.stderr}${r.stdout}`);
const spkiSha256 = (certPem: string) => createHash('sha256').update(new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

describe('every command, checked by oracles', { concurrency: false }, () => {
  if (!hasCommand('openssl')) {
    it('needs openssl', (t) => {
      if (process.env.MAILPKI_REQUIRE_ORACLES === '1') throw new Error('openssl missing');
      t.skip('openssl not installed');
    });
    return;
  }
  const d = tempDir('mailpki-cli-ok-');
  const p = (n: string) => join(d, n);
  const ossl = (...a: string[]) => sh('openssl', a, { cwd: d });
  before(() => {
    writeFileSync(p('ca.pass'), 'root passphrase\n');
    writeFileSync(p('int.pass'), 'intermediate passphrase\r\n');
  });

  it('key new: EC (default), RSA encrypted, Ed25519; modes 0600; openssl pkey -check', async () => {
    ok(await cli(['key', 'new', '--out', p('ec.key')], { cwd: d }), 'key new');
    assert.equal(mode(p('ec.key')), 0o600);
    assert.match(ossl('pkey', '-in', p('ec.key'), '-noout', '-text'), /prime256v1|P-256/);
    assert.match(ossl('pkey', '-in', p('ec.key'), '-check', '-noout'), /valid/);
    const r = await cli(['key', 'new', '--type', 'rsa', '--bits', '2048', '--out', p('rsa.key'), '--passphrase-file', p('ca.pass')], { cwd: d });
    ok(r, 'key new rsa');
    assert.match(readFileSync(p('rsa.key'), 'utf8'), /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    assert.match(ossl('pkey', '-in', p('rsa.key'), '-passin', `file:${p('ca.pass')}`, '-check', '-noout'), /valid/);
    assert.notEqual(shStatus('openssl', ['pkey', '-in', p('rsa.key'), '-passin', 'pass:wrong', '-noout']).status, 0);
    assert.ok(!/generating|%/.test(r.stderr), 'no progress output on a pipe');
    ok(await cli(['key', 'new', '--type', 'ed25519', '--out', p('ed.key')], { cwd: d }), 'key new ed25519');
    assert.match(ossl('pkey', '-in', p('ed.key'), '-noout', '-text'), /ED25519/i);
  });

  it('ca new: encrypted key, name constraints, CA extensions (openssl x509 -text)', async () => {
    ok(await cli(['ca', 'new', '--subject', '/C=US/O=Example/CN=Example Root', '--name-constraint', 'example.com', '--key-out', p('root.key'), '--cert-out', p('root.crt'), '--passphrase-file', p('ca.pass')], { cwd: d }), 'ca new');
    assert.equal(mode(p('root.key')), 0o600);
    assert.equal(mode(p('root.crt')), 0o644);
    const text = ossl('x509', '-in', p('root.crt'), '-noout', '-text');
    assert.match(text, /Subject: C ?= ?US, O ?= ?Example, CN ?= ?Example Root/);
    assert.match(text, /CA:TRUE/);
    assert.match(text, /Certificate Sign, CRL Sign/);
    assert.match(text, /Permitted:\s+DNS:example\.com/);
    assert.match(ossl('pkey', '-in', p('root.key'), '-passin', `file:${p('ca.pass')}`, '-check', '-noout'), /valid/);
    // RFC 4514 subject form too
    ok(await cli(['ca', 'new', '--subject', 'CN=Other Root,O=Example', '--key-out', p('other.key'), '--cert-out', p('other.crt'), '--no-passphrase', '--days', '30'], { cwd: d }), 'ca new rfc4514');
    assert.match(ossl('x509', '-in', p('other.crt'), '-noout', '-subject'), /O ?= ?Example, CN ?= ?Other Root/);
    assert.match(readFileSync(p('other.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  });

  it('ca intermediate: signed by the root (openssl verify), passphrase from the environment', async () => {
    const r = await cli(['ca', 'intermediate', '--ca', p('root.crt'), '--ca-key', p('root.key'), '--ca-passphrase-env', 'ROOT_PASS', '--subject', '/O=Example/CN=Example Issuing CA',
      '--key-out', p('int.key'), '--cert-out', p('int.crt'), '--passphrase-file', p('int.pass'), '--days', '1000'], { cwd: d, env: { ROOT_PASS: 'root passphrase' } });
    ok(r, 'ca intermediate');
    assert.match(ossl('verify', '-x509_strict', '-CAfile', p('root.crt'), p('int.crt')), /OK/);
    assert.match(ossl('x509', '-in', p('int.crt'), '-noout', '-text'), /CA:TRUE, pathlen:0/);
    // the file's first line is the passphrase, CRLF stripped
    assert.match(ossl('pkey', '-in', p('int.key'), '-passin', 'pass:intermediate passphrase', '-check', '-noout'), /valid/);
  });

  it('csr new: new key with SANs (openssl req -verify), and with an existing openssl key', async () => {
    ok(await cli(['csr', 'new', '--subject', '/O=Example/CN=mail.example.com', '--san', 'mail.example.com', '--san', 'smtp.example.com', '--san', '192.0.2.25',
      '--key-out', p('mail.key'), '--out', p('mail.csr')], { cwd: d }), 'csr new');
    assert.equal(mode(p('mail.key')), 0o600);
    assert.equal(shStatus('openssl', ['req', '-in', p('mail.csr'), '-verify', '-noout']).status, 0);
    const text = ossl('req', '-in', p('mail.csr'), '-noout', '-text');
    assert.match(text, /DNS:mail\.example\.com, DNS:smtp\.example\.com, IP Address:192\.0\.2\.25/);
    ossl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('ossl.key'));
    ok(await cli(['csr', 'new', '--subject', 'CN=imap.example.com', '--key', p('ossl.key'), '--out', p('imap.csr')], { cwd: d }), 'csr new --key');
    assert.equal(ossl('req', '-in', p('imap.csr'), '-noout', '-pubkey'), ossl('pkey', '-in', p('ossl.key'), '-pubout'));
    assert.match(ossl('req', '-in', p('imap.csr'), '-noout', '-text'), /DNS:imap\.example\.com/); // CN added as SAN
    // an IP address CN becomes an IP SAN, as `sign` (the library's cnAsSan) would add it
    const ip = await cli(['csr', 'new', '--subject', 'CN=192.0.2.1', '--key', p('ossl.key'), '--out', p('ip.csr')], { cwd: d });
    ok(ip, 'csr new CN=IP');
    assert.match(ip.stderr, /added the CN 192\.0\.2\.1 as an IP SAN/);
    assert.match(ossl('req', '-in', p('ip.csr'), '-noout', '-text'), /X509v3 Subject Alternative Name: *\n *IP Address:192\.0\.2\.1\n/);
  });

  it('sign: keeps CSR SANs, v3 + profile extensions; openssl verify -x509_strict -purpose sslserver -verify_hostname', async () => {
    const r = await cli(['sign', '--csr', p('mail.csr'), '--ca', p('int.crt'), '--ca-key', p('int.key'), '--ca-passphrase-file', p('int.pass'), '--out', p('mail.crt'), '--chain-out', p('mail.chain.pem')], { cwd: d });
    ok(r, 'sign');
    const text = ossl('x509', '-in', p('mail.crt'), '-noout', '-text');
    assert.match(text, /Version: 3/);
    assert.match(text, /DNS:mail\.example\.com, DNS:smtp\.example\.com, IP Address:192\.0\.2\.25/);
    assert.match(text, /TLS Web Server Authentication/);
    assert.match(text, /CA:FALSE/);
    for (const host of ['mail.example.com', 'smtp.example.com']) {
      assert.match(ossl('verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', host, '-CAfile', p('root.crt'), '-untrusted', p('int.crt'), p('mail.crt')), /OK/);
    }
    assert.notEqual(shStatus('openssl', ['verify', '-verify_hostname', 'www.example.com', '-CAfile', p('root.crt'), '-untrusted', p('int.crt'), p('mail.crt')]).status, 0);
    // chain-out: leaf then intermediate, no root
    const chain = readFileSync(p('mail.chain.pem'), 'utf8');
    assert.equal((chain.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
    assert.equal(new X509Certificate(chain).subject, new X509Certificate(readFileSync(p('mail.crt'))).subject);
    // a CSR made by openssl without SAN: the CN becomes the SAN
    ossl('req', '-new', '-key', p('ossl.key'), '-subj', '/CN=pop.example.com', '-out', p('pop.csr'));
    ok(await cli(['sign', '--csr', p('pop.csr'), '--ca', p('root.crt'), '--ca-key', p('root.key'), '--ca-passphrase-file', p('ca.pass'), '--out', p('pop.crt'), '--days', '90'], { cwd: d }), 'sign openssl csr');
    assert.match(ossl('x509', '-in', p('pop.crt'), '-noout', '-ext', 'subjectAltName'), /DNS:pop\.example\.com/);
    assert.match(ossl('verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', 'pop.example.com', '-CAfile', p('root.crt'), p('pop.crt')), /OK/);
  });

  it('chain: orders shuffled certs, key first for Postfix (0600), same file in and out with --force', async () => {
    ok(await cli(['chain', p('root.crt'), p('int.crt'), p('mail.crt'), '--out', p('full.pem'), '--with-root'], { cwd: d }), 'chain --with-root');
    const subjects = readFileSync(p('full.pem'), 'utf8').split(/(?=-----BEGIN CERTIFICATE-----)/).map((b) => new X509Certificate(b).subject.split('\n').pop());
    assert.deepEqual(subjects, ['CN=mail.example.com', 'CN=Example Issuing CA', 'CN=Example Root']);
    ok(await cli(['chain', p('int.crt'), p('mail.crt'), '--key', p('mail.key'), '--out', p('postfix.pem')], { cwd: d }), 'chain --key');
    assert.equal(mode(p('postfix.pem')), 0o600);
    const pf = readFileSync(p('postfix.pem'), 'utf8');
    assert.match(pf, /^-----BEGIN PRIVATE KEY-----[\s\S]+-----BEGIN CERTIFICATE-----[\s\S]+-----BEGIN CERTIFICATE-----/);
    assert.equal(ossl('pkey', '-in', p('postfix.pem'), '-pubout'), ossl('x509', '-in', p('postfix.pem'), '-noout', '-pubkey'));
    // `cat mail.pem bundle > mail.pem` done safely
    writeFileSync(p('same.pem'), readFileSync(p('mail.crt')));
    ok(await cli(['chain', p('same.pem'), p('int.crt'), '--out', p('same.pem'), '--force'], { cwd: d }), 'chain same file');
    assert.equal((readFileSync(p('same.pem'), 'utf8').match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
    assert.match(ossl('verify', '-CAfile', p('root.crt'), '-untrusted', p('same.pem'), p('same.pem')), /OK/);
  });

  it('inspect: certs, chains, CSRs, keys; encrypted keys not decrypted; --json fingerprints match openssl', async () => {
    let r = await cli(['inspect', p('full.pem')], { cwd: d });
    ok(r, 'inspect chain');
    assert.match(r.stdout, /\[1\/3\][\s\S]*mail\.example\.com[\s\S]*\[3\/3\]/);
    r = await cli(['inspect', p('mail.crt'), '--json'], { cwd: d });
    ok(r, 'inspect --json');
    const j = JSON.parse(r.stdout) as Array<{ kind: string; fingerprints: { sha256: string } }>;
    const fp = ossl('x509', '-in', p('mail.crt'), '-noout', '-fingerprint', '-sha256').split('=')[1]!.trim();
    assert.equal(j[0]!.kind, 'certificate');
    assert.equal(j[0]!.fingerprints.sha256.replace(/:/g, '').toUpperCase(), fp.replace(/:/g, ''));
    r = await cli(['inspect', p('root.key')], { cwd: d });
    ok(r, 'inspect encrypted key');
    assert.match(r.stdout, /Encrypted private key: PKCS#8, PBES2 \(PBKDF2-HMAC-SHA256, \d+ iterations, AES-256-CBC\)/);
    ossl('pkcs8', '-topk8', '-in', p('mail.key'), '-scrypt', '-passout', 'pass:s', '-out', p('scrypt.key'));
    r = await cli(['inspect', p('scrypt.key')], { cwd: d });
    ok(r, 'inspect scrypt-encrypted key');
    assert.match(r.stdout, /PBES2 \(scrypt N=16384 r=8 p=1, AES-256-CBC\) \(not decrypted\)/);
    ossl('genrsa', '-aes256', '-traditional', '-passout', 'pass:legacy', '-out', p('legacy.key'), '2048');
    r = await cli(['inspect', p('legacy.key')], { cwd: d });
    ok(r, 'inspect legacy encrypted key');
    assert.match(r.stdout, /Encrypted private key: legacy OpenSSL PEM \(RSA PRIVATE KEY\), AES-256-CBC/);
    r = await cli(['inspect', p('mail.key')], { cwd: d });
    ok(r, 'inspect key');
    assert.match(r.stdout, /EC P-256/);
    assert.ok(!/BEGIN|MII/.test(r.stdout), 'no key material');
    r = await cli(['inspect', p('mail.csr')], { cwd: d });
    ok(r, 'inspect csr');
    assert.match(r.stdout, /signature valid/);
    r = await cli(['inspect', '-'], { cwd: d, input: `some text before\n${readFileSync(p('mail.chain.pem'), 'utf8')}` });
    ok(r, 'inspect stdin');
    assert.match(r.stdout, /\[2\/2\][\s\S]*Example Issuing CA/);
    ossl('x509', '-in', p('mail.crt'), '-outform', 'DER', '-out', p('mail.der'));
    r = await cli(['inspect', p('mail.der')], { cwd: d });
    ok(r, 'inspect der');
    assert.match(r.stdout, /mail\.example\.com/);
  });

  it('verify: OK with chain and host; exit 0', async () => {
    const r = await cli(['verify', p('mail.chain.pem'), '--ca', p('root.crt'), '--host', 'smtp.example.com'], { cwd: d });
    ok(r, 'verify');
    assert.match(r.stdout, /OK for smtp\.example\.com/);
    const ip = await cli(['verify', p('mail.crt'), '--ca', p('root.crt'), '--untrusted', p('int.crt'), '--host', '192.0.2.25'], { cwd: d });
    ok(ip, 'verify ip');
  });

  it('config: postfix and dovecot snippets name the files by absolute path', async () => {
    let r = await cli(['config', 'postfix', '--cert', 'mail.chain.pem', '--key', 'mail.key', '--version', '3.7'], { cwd: d });
    ok(r, 'config postfix');
    assert.ok(r.stdout.includes(`smtpd_tls_chain_files = ${p('mail.key')}, ${p('mail.chain.pem')}`), r.stdout);
    assert.match(r.stdout, /smtpd_tls_protocols = >=TLSv1\.2/);
    assert.match(r.stdout, /submissions\s+inet/);
    assert.doesNotMatch(r.stdout, /^\s*(smtpd_use_tls|smtpd_tls_eecdh_grade)\s*=/m, 'no deprecated parameters are set');
    r = await cli(['config', 'dovecot', '--cert', p('mail.chain.pem'), '--key', p('mail.key')], { cwd: d });
    ok(r, 'config dovecot');
    assert.ok(r.stdout.includes(`ssl_cert = <${p('mail.chain.pem')}`), r.stdout);
    r = await cli(['config', 'dovecot', '--cert', p('mail.chain.pem'), '--key', p('mail.key'), '--version', '2.4'], { cwd: d });
    ok(r, 'config dovecot 2.4');
    assert.ok(r.stdout.includes(`ssl_server_cert_file = ${p('mail.chain.pem')}`), r.stdout);
    assert.match(r.stdout, /the key \(unencrypted, root-only 0600\)/);
    // An encrypted key (the root's, with its own certificate) is decrypted to check the match,
    // and the comment says it is encrypted and names the passphrase setting.
    for (const [v, setting] of [['2.3', 'ssl_key_password'], ['2.4', 'ssl_server_key_password']]) {
      r = await cli(['config', 'dovecot', '--cert', p('root.crt'), '--key', p('root.key'), '--passphrase-file', p('ca.pass'), '--version', v!], { cwd: d });
      ok(r, `config dovecot ${v} with an encrypted key`);
      assert.match(r.stdout, /the key \(ENCRYPTED, root-only 0600/);
      assert.doesNotMatch(r.stdout, /the key \(unencrypted/);
      assert.match(r.stdout, new RegExp(`^# ${setting} = PASSPHRASE$`, 'm'));
      assert.doesNotMatch(r.stdout, /root passphrase/, 'the passphrase itself is never written');
    }
  });

  it('tlsa: 3 1 1 = SHA-256 of the SPKI (node:crypto), host from the SAN', async () => {
    const r = await cli(['tlsa', p('mail.crt')], { cwd: d });
    ok(r, 'tlsa');
    assert.equal(r.stdout, `_25._tcp.mail.example.com. IN TLSA 3 1 1 ${spkiSha256(readFileSync(p('mail.crt'), 'utf8'))}\n`);
    const r2 = await cli(['tlsa', p('root.crt'), '--usage', '2', '--host', 'mail.example.com', '--port', '465'], { cwd: d });
    ok(r2, 'tlsa 2');
    assert.equal(r2.stdout, `_465._tcp.mail.example.com. IN TLSA 2 1 1 ${spkiSha256(readFileSync(p('root.crt'), 'utf8'))}\n`);
  });

  it('--help on every command (and help CMD) with usage and examples', async () => {
    for (const c of [['mail', 'init'], ['key', 'new'], ['ca', 'new'], ['ca', 'intermediate'], ['csr', 'new'], ['sign'], ['chain'], ['pkcs12'], ['smime', 'new'], ['inspect'], ['verify'], ['config'], ['check'], ['tlsa']]) {
      const r = await cli([...c, '--help']);
      ok(r, `${c.join(' ')} --help`);
      assert.match(r.stdout, new RegExp(`^Usage: mailpki ${c.join(' ')}`), c.join(' '));
      assert.match(r.stdout, /\nExamples:\n {2}mailpki /);
      assert.equal(r.stderr, '');
      const h = await cli(['help', ...c]);
      assert.equal(h.stdout, r.stdout);
    }
  });

  it('the unbundled sources run under tsx too (node --import tsx src/cli/bin.ts)', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const v = await cli(['--version'], { tsx: true });
    assert.equal(v.stdout, `${pkg.version}\n`);
    const r = await cli(['tlsa', p('mail.crt')], { tsx: true, cwd: d });
    ok(r, 'tsx tlsa');
    assert.match(r.stdout, /IN TLSA 3 1 1 [0-9a-f]{64}\n$/);
    const e = await cli(['inspect', p('nope')], { tsx: true, cwd: d });
    assert.equal(e.status, 1);
    assert.equal(e.stderr, `error: ${p('nope')}: no such file (ERR_FILE_NOT_FOUND)\n`);
    const dbg = await cli(['inspect', p('nope'), '--debug'], { cwd: d });
    assert.match(dbg.stderr, /^error: .*\(ERR_FILE_NOT_FOUND\)\n.*MailPkiError/s, '--debug prints the stack');
  });
});
