// TLSA records (digests checked with node:crypto), SELinux commands (run
// through sh with stand-in semanage/restorecon/ls that record their
// arguments, so the quoting is proven, not eyeballed) and the mail-server
// preset that `mailpki mail init` writes.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempDir } from '../helpers/env.js';
import { mailServerFiles, MAIL_SERVER_FILE_NAMES, selinuxCommands, tlsaRecord, DEFAULT_MAIL_FILE_NAMES, generateKeyPair, createRootCa, issueCertificate, type Certificate } from '../../src/index.js';

let root: Certificate;
let leaf: Certificate;
before(async () => {
  const rk = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  root = createRootCa({ subject: { CN: 'Preset Test Root' }, privateKey: rk.privateKey, days: 60 });
  const lk = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  leaf = issueCertificate({ profile: 'tls-server', publicKey: lk.publicKey, sans: ['mail.example.com', 'imap.example.com'], issuer: root, issuerKey: rk.privateKey, days: 30 });
});

const spkiOf = (c: Certificate): Buffer => new X509Certificate(c.der).publicKey.export({ type: 'spki', format: 'der' }) as Buffer;

// ------------------------------------------------------------------ TLSA

test('TLSA 3 1 1 = SHA-256 of the SubjectPublicKeyInfo (node:crypto oracle), owner _25._tcp.HOST.', () => {
  const r = tlsaRecord(leaf, { host: 'Mail.Example.COM.' });
  const want = createHash('sha256').update(spkiOf(leaf)).digest('hex');
  assert.equal(r.data, want);
  assert.equal(r.rdata, `3 1 1 ${want}`);
  assert.equal(r.owner, '_25._tcp.mail.example.com.');
  assert.equal(r.record, `_25._tcp.mail.example.com. IN TLSA 3 1 1 ${want}`);
  // the bare SPKI gives the same record
  assert.equal(tlsaRecord(new Uint8Array(spkiOf(leaf)), { host: 'mail.example.com' }).record, r.record);
});

test('TLSA variants: 2 1 1 for the CA, selector 0, SHA-512, full data, other ports', () => {
  const ta = tlsaRecord(root, { usage: 2, host: 'mail.example.com', port: 465 });
  assert.equal(ta.rdata, `2 1 1 ${createHash('sha256').update(spkiOf(root)).digest('hex')}`);
  assert.equal(ta.owner, '_465._tcp.mail.example.com.');
  assert.equal(tlsaRecord(leaf, { selector: 0 }).data, createHash('sha256').update(leaf.der).digest('hex'));
  assert.equal(tlsaRecord(leaf, { matching: 2 }).data, createHash('sha512').update(spkiOf(leaf)).digest('hex'));
  assert.equal(tlsaRecord(leaf, { matching: 0 }).data, spkiOf(leaf).toString('hex'));
  assert.equal(tlsaRecord(leaf).owner, '_25._tcp.HOST.', 'placeholder without a host');
});

test('TLSA: bad arguments', () => {
  assert.throws(() => tlsaRecord(leaf, { usage: 1 as 3 }), RangeError);
  assert.throws(() => tlsaRecord(leaf, { selector: 2 as 1 }), RangeError);
  assert.throws(() => tlsaRecord(leaf, { matching: 3 as 1 }), RangeError);
  assert.throws(() => tlsaRecord(leaf, { port: 0 }), RangeError);
  assert.throws(() => tlsaRecord(leaf, { port: 1.5 }), RangeError);
  assert.throws(() => tlsaRecord(leaf, { host: '192.0.2.1' }), RangeError);
  assert.throws(() => tlsaRecord(leaf, { host: 'bad host' }), RangeError);
  assert.throws(() => tlsaRecord(leaf, { host: 'a'.repeat(64) + '.com' }), RangeError);
  assert.throws(() => tlsaRecord(new Uint8Array(spkiOf(leaf)), { selector: 0 }), TypeError);
  assert.throws(() => tlsaRecord('pem' as never), TypeError);
});

// ------------------------------------------------------------------ SELinux

/** Run the commands through sh with stand-ins that log their argv (one arg per line, calls separated). */
function runWithStandIns(script: string): string[][] {
  const dir = tempDir('mailpki-selinux-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const log = join(dir, 'calls');
  for (const cmd of ['semanage', 'restorecon', 'ls', 'chcon']) {
    const p = join(bin, cmd);
    writeFileSync(p, `#!/bin/sh\n{ echo "${cmd}"; for a in "$@"; do printf '%s\\n' "$a"; done; echo "--END--"; } >> '${log}'\n`);
    chmodSync(p, 0o755);
  }
  writeFileSync(join(dir, 'selinux.sh'), script);
  const r = run('/bin/sh', ['-e', join(dir, 'selinux.sh')], { env: { PATH: `${bin}:/usr/bin:/bin` } });
  assert.equal(r.status, 0, r.stderr);
  const calls: string[][] = [];
  let cur: string[] = [];
  for (const l of readFileSync(log, 'utf8').split('\n')) {
    if (l === '--END--') {
      calls.push(cur);
      cur = [];
    } else if (l !== '' || cur.length > 0) cur.push(l);
  }
  return calls;
}

test('SELinux: semanage fcontext + restorecon (never chcon), with the exact arguments the tools receive', () => {
  const text = selinuxCommands('/etc/mailpki/');
  assert.doesNotMatch(text.split('\n').filter((l) => !l.startsWith('#')).join('\n'), /\bchcon\b/);
  const calls = runWithStandIns(text);
  assert.deepEqual(calls, [
    ['semanage', 'fcontext', '-a', '-t', 'cert_t', '/etc/mailpki(/.*)?'],
    ['restorecon', '-Rv', '/etc/mailpki'],
    ['ls', '-Zd', '/etc/mailpki'],
  ]);
});

test('SELinux: odd paths are quoted and regex-escaped; several dirs; arrays; type option', () => {
  const calls = runWithStandIns(selinuxCommands(["/srv/o'brien certs.d"], '/opt/tls', { type: 'dovecot_cert_t' }));
  assert.deepEqual(calls[0], ['semanage', 'fcontext', '-a', '-t', 'dovecot_cert_t', "/srv/o'brien certs\\.d(/.*)?"]);
  assert.deepEqual(calls[1], ['restorecon', '-Rv', "/srv/o'brien certs.d"]);
  assert.deepEqual(calls[3], ['semanage', 'fcontext', '-a', '-t', 'dovecot_cert_t', '/opt/tls(/.*)?']);
  assert.equal(calls.length, 6);
});

test('SELinux: /etc/pki and /etc/ssl are already cert_t (restorecon only); /etc/pki/dovecot gets a warning', () => {
  const calls = runWithStandIns(selinuxCommands('/etc/pki/mail'));
  assert.deepEqual(calls.map((c) => c[0]), ['restorecon', 'ls']);
  const dovecot = selinuxCommands('/etc/pki/dovecot/private');
  assert.match(dovecot, /dovecot_cert_t, which Postfix cannot read/);
  assert.match(dovecot, /^semanage fcontext -a -t cert_t/m);
});

test('SELinux: bad arguments', () => {
  assert.throws(() => selinuxCommands(), TypeError);
  assert.throws(() => selinuxCommands('etc/mailpki'), RangeError);
  assert.throws(() => selinuxCommands('/'), RangeError);
  assert.throws(() => selinuxCommands('/etc/../root'), RangeError);
  assert.throws(() => selinuxCommands('/etc/a\nrm -rf /'), RangeError);
  assert.throws(() => selinuxCommands('/etc/x', { type: 'cert_t; reboot' }), RangeError);
});

// ------------------------------------------------------------------ the preset

test('mailServerFiles: the seven text files, 0644, consistent paths, TLSA, SELinux and next steps', () => {
  const files = mailServerFiles({ host: 'mail.example.com', sans: ['imap.example.com'], serverCert: leaf, postfixVersion: '3.7', serverDays: 30, nameConstraints: ['example.com'] });
  assert.deepEqual(files.map((f) => f.name), [...MAIL_SERVER_FILE_NAMES]);
  for (const f of files) {
    assert.equal(f.mode, 0o644, f.name);
    assert.ok(f.content.endsWith('\n'), f.name);
    assert.doesNotMatch(f.content, /PRIVATE KEY/, `${f.name} holds no key material`);
  }
  const get = (n: string): string => files.find((f) => f.name === n)!.content;
  const d = DEFAULT_MAIL_FILE_NAMES;
  assert.match(get('postfix-main.cf'), new RegExp(`^smtpd_tls_chain_files = /etc/mailpki/${d.postfixChain}$`, 'm'));
  assert.match(get('postfix-main.cf'), /^smtpd_tls_protocols = >=TLSv1\.2$/m, 'postfixVersion 3.7 used');
  assert.match(get('postfix-master.cf'), /^submissions +inet/m);
  assert.match(get('dovecot-2.3-10-ssl.conf'), new RegExp(`^ssl_cert = </etc/mailpki/${d.chain}$`, 'm'));
  assert.match(get('dovecot-2.3-10-ssl.conf'), new RegExp(`^ssl_key = </etc/mailpki/${d.serverKey}$`, 'm'));
  assert.match(get('dovecot-2.4-10-ssl.conf'), new RegExp(`^ssl_server_cert_file = /etc/mailpki/${d.chain}$`, 'm'));
  const spkiHash = createHash('sha256').update(spkiOf(leaf)).digest('hex');
  assert.match(get('tlsa.txt'), new RegExp(`^_25\\._tcp\\.mail\\.example\\.com\\. IN TLSA 3 1 1 ${spkiHash}$`, 'm'));
  assert.match(get('tlsa.txt'), /DNSSEC/);
  assert.match(get('selinux.sh'), /^semanage fcontext -a -t cert_t '\/etc\/mailpki\(\/\.\*\)\?'/m);
  const next = get('NEXT-STEPS.txt');
  for (const port of ['25', '587', '465', '143', '993', '110', '995']) {
    assert.match(next, new RegExp(`mailpki check mail\\.example\\.com:${port}\\b`), port);
    assert.match(next, new RegExp(`openssl s_client -connect mail\\.example\\.com:${port} .*-verify_return_error -verify_hostname mail\\.example\\.com`), port);
  }
  assert.match(next, /-starttls smtp/);
  assert.match(next, /imap\.example\.com/);
  assert.match(next, /MTA-STS/);
  assert.match(next, /example\.com \(and names below\)/);
  assert.match(next, /install -d -m 0700/);
  assert.match(next, /Not \/etc\/pki\/tls/);
  assert.doesNotMatch(next.split('\n').filter((l) => !/not|unlike/i.test(l)).join('\n'), /\bchcon\b/);
});

test('mailServerFiles: custom names and install dir reach every config; bad input refused', () => {
  const files = mailServerFiles({
    host: 'mx1.example.org',
    serverCert: leaf,
    installDir: '/etc/postfix/tls/',
    outDir: '/root/out dir',
    names: { postfixChain: 'mx1-full.pem', chain: 'mx1-chain.pem', serverKey: 'mx1.key' },
    profile: 'modern',
  });
  const get = (n: string): string => files.find((f) => f.name === n)!.content;
  assert.match(get('postfix-main.cf'), /^smtpd_tls_chain_files = \/etc\/postfix\/tls\/mx1-full\.pem$/m);
  assert.match(get('postfix-main.cf'), /^smtpd_tls_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1\.1, !TLSv1\.2$/m, 'modern on the default 3.4');
  assert.match(get('dovecot-2.3-10-ssl.conf'), /^ssl_cert = <\/etc\/postfix\/tls\/mx1-chain\.pem$/m);
  assert.match(get('dovecot-2.3-10-ssl.conf'), /^ssl_min_protocol = TLSv1\.3$/m);
  assert.match(get('NEXT-STEPS.txt'), /install -m 0600 -o root -g root '\/root\/out dir\/mx1\.key'/);
  assert.throws(() => mailServerFiles({ host: 'not a host', serverCert: leaf }), RangeError);
  assert.throws(() => mailServerFiles({ host: '192.0.2.7', serverCert: leaf }), RangeError);
  assert.throws(() => mailServerFiles({ host: 'mx.example.org', serverCert: leaf, names: { chain: '../x.pem' } }), RangeError);
  assert.throws(() => mailServerFiles({ host: 'mx.example.org', serverCert: leaf, names: { chain: 'a b.pem' } }), RangeError);
  assert.throws(() => mailServerFiles({ host: 'mx.example.org', serverCert: leaf, installDir: 'etc/x' }), RangeError);
  assert.throws(() => mailServerFiles({ host: 'mx.example.org', serverCert: leaf, postfixVersion: 'x' }), RangeError);
  assert.throws(() => mailServerFiles({ host: 'mx.example.org', serverCert: 'pem' as never }), TypeError);
});
