// `mailpki check` (and probeTls) against hostile loopback servers written
// here: a server that drips bytes or continuation lines, one that floods
// continuation lines, a silent one, STARTTLS injection in the same and in a
// separate TCP segment (SMTP, IMAP, POP3), unsolicited replies, terminal
// escape sequences in every text the probe prints (greeting, STARTTLS
// refusal, IMAP NO, POP3 -ERR, a certificate subject, the transcript, JSON),
// and a TLS-1.0-only server. Each case asserts the exit code, the reason
// code, that the output has no raw control character, and the time: the
// library call ends within its deadline plus one second; the CLI within the
// deadline plus one second plus the start-up time of a CLI run that fails at
// once (measured here, so a loaded CI machine does not make it flaky).
// Every server listens on 127.0.0.1 only and is closed (sockets destroyed)
// after the suite; each one also stops itself after 20 s at the latest.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, runOk, tempDir } from '../helpers/env.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { probeTls } from '../../src/node/probe.js';
import { parseCertificates } from '../../src/index.js';

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/; // tab and line feed are ours
const EVIL = '\u001b]0;pwned\u0007\u001b[2J\u001b[1A\u009b31m result: OK';

type Behaviour = (sock: Socket, lines: AsyncGenerator<string>) => Promise<void> | void;

const servers: Server[] = [];
const sockets = new Set<Socket>();

/** A loopback server running `behaviour` per connection; bounded: it closes itself after 20 s. */
function serve(behaviour: Behaviour, tls?: { key: string; cert: string; minVersion?: 'TLSv1'; maxVersion?: 'TLSv1'; ciphers?: string }): Promise<number> {
  const onConn = (sock: Socket) => {
    sockets.add(sock);
    sock.on('error', () => undefined);
    sock.on('close', () => sockets.delete(sock));
    void Promise.resolve(behaviour(sock, readLines(sock))).catch(() => sock.destroy());
  };
  const server = tls ? createTlsServer(tls, onConn) : createServer(onConn);
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  setTimeout(() => server.close(), 20_000).unref();
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res((server.address() as { port: number }).port)));
}

/** The lines a client sends (CRLF stripped). */
async function* readLines(sock: Socket): AsyncGenerator<string> {
  let buf = '';
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const onData = (d: Buffer) => {
    buf += d.toString('latin1');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      queue.push(buf.slice(0, i).replace(/\r$/, ''));
      buf = buf.slice(i + 1);
    }
    wake?.();
  };
  sock.on('data', onData);
  sock.on('close', () => {
    ended = true;
    wake?.();
  });
  for (;;) {
    if (queue.length) {
      yield queue.shift()!;
      continue;
    }
    if (ended) return;
    await new Promise<void>((r) => (wake = r));
    wake = undefined;
  }
}

/** Wait for the client's next line; undefined when it closed. */
async function next(lines: AsyncGenerator<string>): Promise<string | undefined> {
  const r = await lines.next();
  return r.done ? undefined : r.value;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Drip `text` one chunk at a time every `everyMs` until the client leaves. */
async function drip(sock: Socket, chunks: () => string, everyMs: number): Promise<void> {
  while (!sock.destroyed) {
    sock.write(chunks());
    await sleep(everyMs);
  }
}

// ---- plaintext dialogues up to STARTTLS, parameterised by protocol

interface Proto {
  name: 'smtp' | 'imap' | 'pop3';
  greeting: string;
  /** The answer to the capability command, listing STARTTLS. */
  capabilities: string;
  /** The positive STARTTLS reply. */
  go: string;
  /** A refusal of STARTTLS, with text `t`. */
  refuse(t: string): string;
}

const PROTOS: Proto[] = [
  {
    name: 'smtp',
    greeting: '220 mail.example.test ESMTP\r\n',
    capabilities: '250-mail.example.test\r\n250 STARTTLS\r\n',
    go: '220 2.0.0 go ahead\r\n',
    refuse: (t) => `454 4.7.0 ${t}\r\n`,
  },
  {
    name: 'imap',
    greeting: '* OK IMAP ready\r\n',
    capabilities: '* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n',
    go: 'a2 OK begin TLS\r\n',
    refuse: (t) => `a2 NO ${t}\r\n`,
  },
  {
    name: 'pop3',
    greeting: '+OK POP3 ready\r\n',
    capabilities: '+OK\r\nSTLS\r\n.\r\n',
    go: '+OK begin TLS\r\n',
    refuse: (t) => `-ERR ${t}\r\n`,
  },
];
const SMTP = PROTOS[0]!;

/**
 * The plaintext dialogue up to STARTTLS: the greeting, the capability answer
 * (after the client's command), then, after the client's STARTTLS, `reply`
 * (by default the positive one).
 */
async function toStarttls(p: Proto, sock: Socket, lines: AsyncGenerator<string>, reply = p.go): Promise<void> {
  sock.write(p.greeting);
  await next(lines);
  sock.write(p.capabilities);
  await next(lines);
  sock.write(reply);
}

/** `check` through the CLI (bundled, as test/helpers/cli.ts runs it). */
function check(port: number, proto: string | undefined, extra: string[] = []): Promise<CliResult> {
  return cli(['check', `127.0.0.1:${port}`, ...(proto ? ['--starttls', proto] : ['--implicit']), ...extra], { timeoutMs: 30_000 });
}

/** The reason code at the end of the error line. */
function reason(r: CliResult): string | undefined {
  return /\(([a-z-]+)\)\n?$/.exec(r.stderr.trim())?.[1];
}

function assertClean(r: CliResult, what: string): void {
  const all = r.stdout + r.stderr;
  const m = RAW_CONTROL.exec(all);
  assert.equal(m, null, `${what}: raw control character U+${m?.[0].charCodeAt(0).toString(16).padStart(4, '0')} in the output:\n${all}`);
  assert.doesNotMatch(all, /deps\/openssl|\.c:\d+/, `${what}: an OpenSSL source path in the output`);
}

describe('hostile servers', { concurrency: 4, timeout: 110_000 }, () => {
  let startup = 0; // a CLI run that fails at once (connection refused)
  const dir = tempDir('mailpki-hostile-');
  let key = '';
  let cert = '';
  let evilCert = '';
  let evilKey = '';
  let haveOpenssl = false;

  before(async () => {
    // start-up cost of the CLI on this machine: a refused port fails at once
    const closed = await serve((s) => void s.destroy());
    servers.at(-1)!.close();
    await sleep(50);
    // measured as 4 runs at once, the suite's concurrency, and the slowest taken
    const runs = await Promise.all([0, 1, 2, 3].map(() => check(closed, 'smtp')));
    for (const r of runs) assert.equal(reason(r), 'connect-failed', r.stderr);
    startup = Math.max(...runs.map((r) => r.ms));
    // a normal server certificate (mailpki's own mail init)
    const r = await cli(['mail', 'init', 'mail.example.test', '--out', join(dir, 'pki'), '--no-ca-passphrase']);
    assert.equal(r.status, 0, r.stderr);
    key = readFileSync(join(dir, 'pki', 'server.key'), 'utf8');
    cert = readFileSync(join(dir, 'pki', 'server-chain.pem'), 'utf8');
  });

  after(() => {
    for (const s of sockets) s.destroy();
    for (const s of servers) s.close();
  });

  /** CLI time bound: deadline + 1 s + what an instant failure costs here. */
  const bound = (timeoutS: number) => timeoutS * 1000 + 1000 + startup;

  it('a server that drips one continuation line every 300 ms: timeout at the overall deadline (library and CLI)', async () => {
    const port = await serve((sock) => {
      let i = 0;
      void drip(sock, () => `220-line ${i++}\r\n`, 300);
    });
    const t0 = Date.now();
    const p = await probeTls({ host: '127.0.0.1', port, starttls: 'smtp', timeoutMs: 1500, idleTimeoutMs: 1000 });
    const ms = Date.now() - t0;
    assert.equal(p.failure?.code, 'timeout', p.failure?.message);
    assert.match(p.failure!.message, /overall time limit/);
    assert.ok(ms < 1500 + 1000, `library took ${ms} ms`);
    assert.ok(ms >= 1400, `library gave up early: ${ms} ms`);
    const r = await check(port, 'smtp', ['--timeout', '2']);
    assert.equal(r.status, 1);
    assert.equal(reason(r), 'timeout');
    assertClean(r, 'drip lines');
    assert.ok(r.ms < bound(2), `CLI took ${r.ms} ms (bound ${bound(2)})`);
  });

  it('a server that drips one byte every 200 ms and never ends the line: timeout at the deadline', async () => {
    const port = await serve((sock) => void drip(sock, () => 'x', 200));
    const t0 = Date.now();
    const p = await probeTls({ host: '127.0.0.1', port, starttls: 'imap', timeoutMs: 1200 });
    assert.equal(p.failure?.code, 'timeout');
    assert.ok(Date.now() - t0 < 2200);
    const r = await check(port, 'imap', ['--timeout', '2']);
    assert.equal(r.status, 1);
    assert.equal(reason(r), 'timeout');
    assertClean(r, 'drip bytes');
    assert.ok(r.ms < bound(2), `CLI took ${r.ms} ms`);
  });

  it('the idle limit: a server that pauses longer than it between lines fails before the overall deadline', async () => {
    const port = await serve(async (sock) => {
      sock.write('220-first\r\n');
      await sleep(5000);
      sock.write('220 late\r\n');
    });
    const t0 = Date.now();
    const p = await probeTls({ host: '127.0.0.1', port, starttls: 'smtp', timeoutMs: 4000, idleTimeoutMs: 800 });
    const ms = Date.now() - t0;
    assert.equal(p.failure?.code, 'timeout');
    assert.match(p.failure!.message, /nothing complete arrived within 800 ms/);
    assert.ok(ms < 800 + 1000, `took ${ms} ms`);
  });

  it('endless continuation lines arriving fast: protocol-error after 200 lines, at once', async () => {
    const port = await serve((sock) => {
      sock.write('220 hi\r\n');
      sock.once('data', () => void drip(sock, () => '250-X\r\n'.repeat(50), 5));
    });
    const r = await check(port, 'smtp', ['--timeout', '5']);
    assert.equal(r.status, 1);
    assert.equal(reason(r), 'protocol-error');
    assert.match(r.stderr, /longer than 200 lines/);
    assertClean(r, 'flood');
    assert.ok(r.ms < bound(1), `took ${r.ms} ms`);
  });

  for (const proto of ['smtp', 'pop3'] as const) {
    it(`a silent server (${proto}): timeout within the deadline`, async () => {
      const port = await serve(() => undefined);
      const r = await check(port, proto, ['--timeout', '1']);
      assert.equal(r.status, 1);
      assert.equal(reason(r), 'timeout');
      assertClean(r, 'silent');
      assert.ok(r.ms < bound(1), `took ${r.ms} ms`);
    });
  }

  for (const p of PROTOS) {
    it(`${p.name}: injection in the same segment as the STARTTLS reply -> starttls-injection`, async () => {
      const port = await serve(async (sock, lines) => {
        await toStarttls(p, sock, lines, `${p.go}${p.name === 'imap' ? 'a3 OK injected\r\n' : '250 injected\r\n'}`);
      });
      const r = await check(port, p.name, ['--timeout', '5']);
      assert.equal(r.status, 1);
      assert.equal(reason(r), 'starttls-injection', r.stderr);
      assertClean(r, 'injection same');
      assert.ok(r.ms < bound(1), `took ${r.ms} ms`);
    });

    it(`${p.name}: injection in a separate segment after the STARTTLS reply -> starttls-injection (not not-tls)`, async () => {
      const port = await serve(async (sock, lines) => {
        sock.setNoDelay(true);
        await toStarttls(p, sock, lines);
        await sleep(20);
        sock.write('250 injected in a second segment\r\n');
      });
      const r = await check(port, p.name, ['--timeout', '5']);
      assert.equal(r.status, 1);
      assert.equal(reason(r), 'starttls-injection', r.stderr);
      assertClean(r, 'injection separate');
    });

    it(`${p.name}: an unsolicited reply before the client's STARTTLS -> protocol-error`, async () => {
      const port = await serve(async (sock, lines) => {
        sock.write(p.greeting);
        await next(lines);
        // the capability answer and, unasked, the positive STARTTLS reply in one write
        sock.write(p.capabilities + p.go);
        await next(lines);
      });
      const r = await check(port, p.name, ['--timeout', '5']);
      assert.equal(r.status, 1);
      assert.equal(reason(r), 'protocol-error', r.stderr);
      assert.match(r.stderr, /unsolicited/);
      assertClean(r, 'unsolicited');
    });

    it(`${p.name}: escape sequences in the greeting and in the STARTTLS refusal are printed escaped`, async () => {
      const greet = await serve((sock) => {
        sock.write(p.name === 'smtp' ? `554 ${EVIL}\r\n` : p.name === 'imap' ? `* BYE ${EVIL}\r\n` : `-ERR ${EVIL}\r\n`);
      });
      const r1 = await check(greet, p.name, ['--timeout', '5', '--transcript']);
      assert.equal(r1.status, 1);
      assert.equal(reason(r1), 'bad-greeting', r1.stderr);
      assertClean(r1, 'evil greeting');
      assert.match(r1.stdout + r1.stderr, /\\x1b\]0;pwned\\x07/);
      const refuse = await serve(async (sock, lines) => {
        await toStarttls(p, sock, lines, p.refuse(EVIL));
      });
      const r2 = await check(refuse, p.name, ['--timeout', '5', '--transcript']);
      assert.equal(r2.status, 1);
      assert.equal(reason(r2), 'starttls-refused', r2.stderr);
      assertClean(r2, 'evil refusal');
      assert.match(r2.stderr, /\\x1b\[2J/);
      const r3 = await check(refuse, p.name, ['--timeout', '5', '--json', '--transcript']);
      assert.equal(r3.status, 1);
      assertClean(r3, 'evil refusal, JSON');
      const j = JSON.parse(r3.stdout) as { failure: { code: string; message: string }; transcript: string[] };
      assert.equal(j.failure.code, 'starttls-refused');
      assert.ok(j.transcript.some((l) => l.includes('\u001b]0;pwned\u0007')), 'JSON keeps the exact text, escaped as JSON');
    });
  }

  it('a bare CR inside a reply (to overwrite the line on a terminal) is a protocol error, printed escaped', async () => {
    const port = await serve((sock) => void sock.write('220 fine\rresult: OK, all checks passed\r\n'));
    const r = await check(port, 'smtp', ['--timeout', '5']);
    assert.equal(r.status, 1);
    assert.equal(reason(r), 'protocol-error', r.stderr);
    assert.match(r.stderr, /fine\\x0dresult/);
    assertClean(r, 'bare CR');
  });

  it('a certificate whose subject holds escape sequences: report, chain line, error and JSON are escaped', async (t) => {
    if (!oracle(t, 'openssl')) return;
    haveOpenssl = true;
    // openssl makes the hostile certificate (an oracle we did not write): CN with ESC / BEL / C1.
    const esc = join(dir, 'evil');
    runOk('mkdir', ['-p', esc]);
    runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(esc, 'k.pem'), '-out', join(esc, 'c.pem'),
      '-days', '2', '-utf8', '-subj', `/O=\u001b]0;pwned\u0007/CN=x\u001b[2J\u001b[1Aresult: OK`, '-addext', 'subjectAltName=DNS:mail.example.test']);
    evilKey = readFileSync(join(esc, 'k.pem'), 'utf8');
    evilCert = readFileSync(join(esc, 'c.pem'), 'utf8');
    assert.ok(parseCertificates(evilCert)[0]!.subject.rdns.flat().some((a) => a.value.includes('\u001b')), 'the fixture really holds ESC');
    const port = await serve(() => undefined, { key: evilKey, cert: evilCert });
    // trusted against its own self-signed certificate, host matches: the check reports it fully
    const r = await check(port, undefined, ['--timeout', '5', '--servername', 'mail.example.test', '--ca', join(esc, 'c.pem')]);
    assertClean(r, 'evil subject');
    assert.match(r.stdout, /cert 0: .*O=\\1B\]0\\;pwned\\07/); // RFC 4514 escapes of the one name formatter
    const other = await check(port, undefined, ['--timeout', '5', '--servername', 'mail.example.test', '--ca', join(dir, 'pki', 'root-ca.pem')]);
    assert.equal(other.status, 1);
    assertClean(other, 'evil subject, untrusted');
    const j = await check(port, undefined, ['--timeout', '5', '--servername', 'mail.example.test', '--json']);
    assertClean(j, 'evil subject, JSON');
    assert.match((JSON.parse(j.stdout) as { chain: Array<{ subject: string }> }).chain[0]!.subject, /CN=x\\1B\[2J/, 'RFC 4514 form, as in the text report');
  });

  it('a TLS-1.0-only server: protocol-version, one line, no OpenSSL source path', async () => {
    const port = await serve(() => undefined, { key, cert, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
    const t0 = Date.now();
    const p = await probeTls({ host: '127.0.0.1', port, servername: 'mail.example.test', timeoutMs: 3000 });
    assert.equal(p.failure?.code, 'protocol-version', p.failure?.message);
    assert.ok(Date.now() - t0 < 4000);
    const r = await check(port, undefined, ['--timeout', '5', '--servername', 'mail.example.test']);
    assert.equal(r.status, 1);
    assert.equal(reason(r), 'protocol-version', r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assertClean(r, 'TLS 1.0');
  });

  it('STARTTLS then a plaintext answer to the ClientHello is still not-tls (the injection wait does not hide it)', async () => {
    const port = await serve(async (sock, lines) => {
      await toStarttls(SMTP, sock, lines);
      sock.once('data', () => sock.write('500 what is this\r\n'));
    });
    const r = await check(port, 'smtp', ['--timeout', '5']);
    assert.equal(r.status, 1);
    assert.equal(reason(r), 'not-tls', r.stderr);
    assertClean(r, 'plaintext after STARTTLS');
  });

  it('a normal STARTTLS server still passes (the new checks do not reject an honest dialogue)', async () => {
    const port = await serve(async (sock, lines) => {
      await toStarttls(SMTP, sock, lines);
      const tls = new TLSSocket(sock, { isServer: true, key, cert });
      tls.on('error', () => undefined);
      const tl = readLines(tls as unknown as Socket);
      await next(tl);
      tls.write('250-mail.example.test\r\n250 AUTH PLAIN\r\n');
      await next(tl);
      tls.end('221 bye\r\n');
    });
    const r = await check(port, 'smtp', ['--timeout', '5', '--servername', 'mail.example.test', '--ca', join(dir, 'pki', 'root-ca.pem')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /result: {5}OK/);
    assertClean(r, 'honest');
    void haveOpenssl;
  });
});
