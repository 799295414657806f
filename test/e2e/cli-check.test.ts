// `mailpki check` against small loopback servers written here with node:tls
// (the real Postfix/Dovecot runs are in mail-servers*.test.ts): implicit TLS,
// SMTP STARTTLS, a wrong host, a port without TLS, and an untrusted chain;
// chain trust and the name reported apart; --protocol for implicit TLS on a
// non-standard port (an IMAPS server with a correct and with a bad greeting).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/env.js';
import { cli } from '../helpers/cli.js';

function listen(server: Server | TlsServer): Promise<number> {
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res((server.address() as { port: number }).port)));
}

describe('mailpki check', { concurrency: false }, () => {
  const base = tempDir('mailpki-e2e-check-');
  const out = join(base, 'pki');
  let key: string;
  let chain: string;
  let tlsPort = 0;
  let smtpPort = 0;
  let plainPort = 0;
  let imapsPort = 0;
  let badImapsPort = 0;
  const servers: Array<Server | TlsServer> = [];
  const sockets = new Set<Socket>();

  before(async () => {
    const r = await cli(['mail', 'init', 'mail.example.test', '--out', out, '--no-ca-passphrase'], { cwd: base });
    assert.equal(r.status, 0, r.stderr);
    key = readFileSync(join(out, 'server.key'), 'utf8');
    chain = readFileSync(join(out, 'server-chain.pem'), 'utf8');

    const tlsServer = createTlsServer({ key, cert: chain }, (s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.end();
    });
    tlsPort = await listen(tlsServer);

    // A minimal SMTP server: 220, EHLO (STARTTLS offered), STARTTLS -> 220 -> TLS, EHLO again, QUIT.
    const smtp = createServer((sock) => {
      sockets.add(sock);
      sock.on('error', () => undefined);
      sock.write('220 mail.example.test ESMTP test\r\n');
      let buf = '';
      const onData = (d: Buffer) => {
        buf += d.toString('latin1');
        let i: number;
        while ((i = buf.indexOf('\r\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (/^EHLO /i.test(line)) sock.write('250-mail.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
          else if (/^STARTTLS/i.test(line)) {
            sock.removeListener('data', onData);
            sock.write('220 2.0.0 go ahead\r\n');
            const tls = new TLSSocket(sock, { isServer: true, key, cert: chain });
            tls.on('error', () => undefined);
            let tbuf = '';
            tls.on('data', (td: Buffer) => {
              tbuf += td.toString('latin1');
              let j: number;
              while ((j = tbuf.indexOf('\r\n')) >= 0) {
                const l = tbuf.slice(0, j);
                tbuf = tbuf.slice(j + 2);
                if (/^EHLO /i.test(l)) tls.write('250-mail.example.test\r\n250 AUTH PLAIN\r\n');
                else if (/^QUIT/i.test(l)) tls.end('221 bye\r\n');
                else tls.write('502 unknown\r\n');
              }
            });
            return;
          } else if (/^QUIT/i.test(line)) sock.end('221 bye\r\n');
          else sock.write('502 unknown\r\n');
        }
      };
      sock.on('data', onData);
    });
    smtpPort = await listen(smtp);

    const plain = createServer((sock) => {
      sockets.add(sock);
      sock.on('error', () => undefined);
      sock.end('220 no tls here\r\n');
    });
    plainPort = await listen(plain);
    // Implicit-TLS IMAP on a random port: greeting, CAPABILITY, LOGOUT.
    const imaps = createTlsServer({ key, cert: chain }, (s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.write('* OK test IMAP ready\r\n');
      let buf = '';
      s.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        let i: number;
        while ((i = buf.indexOf('\r\n')) >= 0) {
          const [tag, cmd] = buf.slice(0, i).split(' ');
          buf = buf.slice(i + 2);
          if (/^CAPABILITY$/i.test(cmd ?? '')) s.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
          else if (/^LOGOUT$/i.test(cmd ?? '')) s.end(`* BYE\r\n${tag} OK bye\r\n`);
          else s.write(`${tag} BAD unknown\r\n`);
        }
      });
    });
    imapsPort = await listen(imaps);
    // The same, but a greeting that is not IMAP.
    const badImaps = createTlsServer({ key, cert: chain }, (s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.end('HELLO this is not IMAP\r\n');
    });
    badImapsPort = await listen(badImaps);
    servers.push(tlsServer, smtp, plain, imaps, badImaps);
  });

  after(() => {
    for (const s of sockets) s.destroy();
    for (const s of servers) s.close();
  });

  const ca = () => join(out, 'root-ca.pem');

  it('implicit TLS: OK, with the TLSA 3 1 1 digest of the served key', async () => {
    const r = await cli(['check', `127.0.0.1:${tlsPort}`, '--servername', 'mail.example.test', '--ca', ca(), '--json'], { cwd: base });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const j = JSON.parse(r.stdout) as { ok: boolean; hostMatch: boolean; tlsa311: string; chain: Array<{ subject: string }>; tlsVersion: string };
    assert.equal(j.ok, true);
    assert.equal(j.hostMatch, true);
    assert.match(j.tlsVersion, /^TLSv1\.[23]$/);
    const spki = createHash('sha256').update(new X509Certificate(chain).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
    assert.equal(j.tlsa311, `3 1 1 ${spki}`);
    assert.equal(j.chain[0]!.subject, 'CN=mail.example.test');
  });

  it('SMTP STARTTLS: OK, human-readable report', async () => {
    const r = await cli(['check', `127.0.0.1:${smtpPort}`, '--starttls', 'smtp', '--servername', 'mail.example.test', '--ca', ca()], { cwd: base });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /STARTTLS \(smtp\)/);
    assert.match(r.stdout, /^  chain: +trusted \(against /m);
    assert.match(r.stdout, /^  name: +matches mail\.example\.test$/m);
    assert.match(r.stdout, /result: +OK/);
    assert.equal(r.stderr, '');
  });

  it('fails with a reason: wrong host, untrusted chain, no TLS on the port', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['check', `127.0.0.1:${tlsPort}`, '--servername', 'www.example.test', '--ca', ca()], /\(host-mismatch\)$/],
      [['check', `127.0.0.1:${tlsPort}`, '--servername', 'mail.example.test'], /\((unknown-issuer|self-signed-untrusted)\)$/],
      [['check', `127.0.0.1:${plainPort}`, '--implicit', '--servername', 'mail.example.test', '--ca', ca(), '--timeout', '5'], /\((not-tls|handshake-failed|connection-closed)\)$/],
      [['check', `127.0.0.1:${plainPort}`, '--starttls', 'smtp', '--servername', 'mail.example.test', '--ca', ca(), '--timeout', '5'], /\((starttls-not-offered|connection-closed|protocol-error)\)$/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args, { cwd: base, timeoutMs: 30_000 });
      const lines = r.stderr.split('\n').filter(Boolean);
      assert.equal(r.status, 1, `${args.join(' ')}\n${r.stderr}${r.stdout}`);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^error: 127\.0\.0\.1:\d+: /);
      assert.match(lines[0]!, re, args.join(' '));
    }
  });

  it('an IP address the certificate does not name: chain trusted, name reported apart, --servername suggested', async () => {
    const r = await cli(['check', `127.0.0.1:${tlsPort}`, '--ca', ca()], { cwd: base });
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /^  chain: +trusted \(against /m);
    assert.match(r.stdout, /^  name: +does not match 127\.0\.0\.1 \(SAN: mail\.example\.test\)$/m);
    assert.match(r.stdout, /^  hint: .*--servername mail\.example\.test$/m);
    assert.doesNotMatch(r.stdout, /NOT trusted/);
    assert.match(r.stderr, /^error: 127\.0\.0\.1:\d+: 'CN=mail\.example\.test' does not name 127\.0\.0\.1 .*; name the host with --servername mail\.example\.test \(host-mismatch\)\n$/);

    const j = await cli(['check', `127.0.0.1:${tlsPort}`, '--ca', ca(), '--json'], { cwd: base });
    assert.equal(j.status, 1);
    const o = JSON.parse(j.stdout) as { ok: boolean; verified: boolean; verifyError: unknown; hostMatch: boolean; sans: string[]; suggestion: string; failure: { code: string } };
    assert.equal(o.ok, false);
    assert.equal(o.verified, true, 'the chain itself is trusted');
    assert.equal(o.verifyError, null);
    assert.equal(o.hostMatch, false);
    assert.deepEqual(o.sans, ['mail.example.test']);
    assert.equal(o.suggestion, '--servername mail.example.test');
    assert.equal(o.failure.code, 'host-mismatch');

    // A wrong DNS name given by the user: no suggestion (the user named the host already).
    const w = await cli(['check', `127.0.0.1:${tlsPort}`, '--servername', 'www.example.test', '--ca', ca()], { cwd: base });
    assert.equal(w.status, 1);
    assert.match(w.stdout, /^  name: +does not match www\.example\.test /m);
    assert.doesNotMatch(w.stdout, /hint:/);
  });

  it('an untrusted chain with the right name: the chain fails, the name matches, the reason is the chain\'s', async () => {
    const r = await cli(['check', `127.0.0.1:${tlsPort}`, '--servername', 'mail.example.test', '--json'], { cwd: base });
    assert.equal(r.status, 1);
    const o = JSON.parse(r.stdout) as { verified: boolean; verifyError: { reason: string }; hostMatch: boolean; failure: { code: string } };
    assert.equal(o.verified, false);
    assert.equal(o.hostMatch, true);
    assert.equal(o.failure.code, o.verifyError.reason);
    assert.match(o.failure.code, /^(unknown-issuer|self-signed-untrusted)$/);
    const t = await cli(['check', `127.0.0.1:${tlsPort}`, '--servername', 'mail.example.test'], { cwd: base });
    assert.match(t.stdout, /^  chain: +NOT trusted: /m);
    assert.match(t.stdout, /^  name: +matches mail\.example\.test$/m);
  });

  it('--protocol imap: implicit TLS on a non-standard port with the IMAP dialogue checked after the handshake', async () => {
    const ok = await cli(['check', `127.0.0.1:${imapsPort}`, '--protocol', 'IMAP', '--servername', 'mail.example.test', '--ca', ca(), '--json'], { cwd: base });
    assert.equal(ok.status, 0, ok.stderr + ok.stdout);
    const o = JSON.parse(ok.stdout) as { mode: string; application: string; capabilities: string[] };
    assert.equal(o.mode, 'implicit');
    assert.equal(o.application, 'imap');
    assert.deepEqual(o.capabilities, ['IMAP4REV1', 'AUTH=PLAIN']);

    // Without --protocol the port is unknown: handshake only, the bad greeting goes unseen ...
    const blind = await cli(['check', `127.0.0.1:${badImapsPort}`, '--servername', 'mail.example.test', '--ca', ca()], { cwd: base });
    assert.equal(blind.status, 0, blind.stderr + blind.stdout);
    // ... with it, the greeting is checked.
    const bad = await cli(['check', `127.0.0.1:${badImapsPort}`, '--protocol', 'imap', '--servername', 'mail.example.test', '--ca', ca()], { cwd: base });
    assert.equal(bad.status, 1, bad.stdout);
    assert.match(bad.stderr, /IMAP greeting: .*\(bad-greeting\)\n$/);

    const withImplicit = await cli(['check', `127.0.0.1:${imapsPort}`, '--implicit', '--protocol', 'imap', '--servername', 'mail.example.test', '--ca', ca()], { cwd: base });
    assert.equal(withImplicit.status, 0, 'implied, so allowed together');
    assert.match(withImplicit.stdout, /^ {2}after TLS: +IMAP4REV1 AUTH=PLAIN$/m);
    const both = await cli(['check', `127.0.0.1:${imapsPort}`, '--protocol', 'imap', '--starttls', 'imap'], { cwd: base });
    assert.equal(both.status, 2);
    assert.match(both.stderr, /cannot be used together/);
  });
});
