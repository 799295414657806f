// probeTls against small scripted servers on 127.0.0.1: the STARTTLS dialogues
// of SMTP, IMAP and POP3, implicit TLS, and every failure with its reason code
// (missing 220, no STARTTLS, injected bytes after the STARTTLS reply, a port
// without TLS, a certificate that does not name the host, an unknown CA,
// timeouts, closed connections, oversized replies).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { createHash, X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { probeTls, type ProbeOptions } from '../../src/node/probe.js';
import { generateKeyPair, encodePrivateKeyPem, createRootCa, createIntermediateCa, issueCertificate, type Certificate } from '../../src/index.js';

const HOST = 'mail.example.test';
let root: Certificate;
let otherRoot: Certificate;
let ctxLeaf: tls.SecureContext; // leaf only
let ctxChain: tls.SecureContext; // leaf + intermediate
let leafCert: Certificate;
const servers: net.Server[] = [];

before(async () => {
  const rootKey = (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
  root = createRootCa({ subject: { CN: 'Probe Test Root' }, privateKey: rootKey, days: 30 });
  otherRoot = createRootCa({ subject: { CN: 'Some Other Root' }, privateKey: (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey, days: 30 });
  const leafKeys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  leafCert = issueCertificate({ profile: 'tls-server', publicKey: leafKeys.publicKey, sans: [HOST], issuer: root, issuerKey: rootKey, days: 20 });
  ctxLeaf = tls.createSecureContext({ key: encodePrivateKeyPem(leafKeys.privateKey), cert: leafCert.pem });
  const interKeys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const inter = createIntermediateCa({ subject: { CN: 'Probe Test Intermediate' }, publicKey: interKeys.publicKey, issuer: root, issuerKey: rootKey, days: 25 });
  const leaf2Keys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const leaf2 = issueCertificate({ profile: 'tls-server', publicKey: leaf2Keys.publicKey, sans: [HOST], issuer: inter, issuerKey: interKeys.privateKey, days: 20 });
  ctxChain = tls.createSecureContext({ key: encodePrivateKeyPem(leaf2Keys.privateKey), cert: leaf2.pem + inter.pem });
});

after(() => {
  for (const s of servers) s.close();
});

/** Line reader for the server side of a scripted dialogue. */
class Lines {
  private buf = '';
  private waiters: Array<(l: string | null) => void> = [];
  private closed = false;
  constructor(private readonly sock: net.Socket) {
    sock.on('data', this.onData);
    sock.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(null);
    });
    sock.on('error', () => {});
  }
  private onData = (d: Buffer): void => {
    this.buf += d.toString('latin1');
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0 && this.waiters.length > 0) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      this.waiters.shift()!(line);
    }
  };
  next(): Promise<string | null> {
    const i = this.buf.indexOf('\n');
    if (i >= 0) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      return Promise.resolve(line);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((r) => this.waiters.push(r));
  }
  detach(): void {
    this.sock.off('data', this.onData);
  }
}

interface Seen {
  servername?: string | false;
  lines: string[];
}

/** Upgrade the server side to TLS; resolves when the handshake is done. */
function serverTls(sock: net.Socket, ctx: tls.SecureContext, seen: Seen): Promise<tls.TLSSocket> {
  return new Promise((resolve) => {
    const s = new tls.TLSSocket(sock, { isServer: true, secureContext: ctx });
    s.on('error', () => {});
    s.once('secure', () => {
      seen.servername = (s as tls.TLSSocket & { servername?: string | false }).servername;
      resolve(s);
    });
  });
}

async function fakeServer(script: (sock: net.Socket, seen: Seen) => Promise<void>): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const srv = net.createServer((sock) => {
    const s: Seen = { lines: [] };
    seen.push(s);
    sock.on('error', () => {});
    script(sock, s).catch(() => sock.destroy());
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return { port: (srv.address() as net.AddressInfo).port, seen };
}

interface SmtpScript {
  greeting?: string;
  ehlo?: string;
  starttlsReply?: string;
  ctx?: () => tls.SecureContext;
  afterTls?: (s: tls.TLSSocket, lines: Lines) => Promise<void>;
}

function smtpServer(o: SmtpScript = {}): Promise<{ port: number; seen: Seen[] }> {
  return fakeServer(async (sock, seen) => {
    const lines = new Lines(sock);
    sock.write(o.greeting ?? `220-${HOST} ESMTP test\r\n220 ready\r\n`);
    for (;;) {
      const l = await lines.next();
      if (l === null) return;
      seen.lines.push(l);
      if (/^EHLO /i.test(l)) sock.write(o.ehlo ?? `250-${HOST}\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n`);
      else if (/^STARTTLS$/i.test(l)) {
        lines.detach();
        sock.write(o.starttlsReply ?? '220 2.0.0 go ahead\r\n');
        if (o.starttlsReply && !o.starttlsReply.startsWith('220')) return;
        const s = await serverTls(sock, (o.ctx ?? (() => ctxLeaf))(), seen);
        const tl = new Lines(s);
        if (o.afterTls) return o.afterTls(s, tl);
        for (;;) {
          const m = await tl.next();
          if (m === null) return;
          seen.lines.push(`tls: ${m}`);
          if (/^EHLO /i.test(m)) s.write(`250-${HOST}\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n`);
          else if (/^QUIT/i.test(m)) return void s.end('221 bye\r\n');
        }
      } else if (/^QUIT/i.test(l)) return void sock.end('221 bye\r\n');
      else sock.write('502 unknown\r\n');
    }
  });
}

const opts = (port: number, extra: Partial<ProbeOptions> = {}): ProbeOptions => ({ host: '127.0.0.1', port, servername: HOST, ca: [root], timeoutMs: 3000, ...extra });

// ------------------------------------------------------------------ SMTP

test('SMTP STARTTLS: greeting, EHLO, STARTTLS, handshake with SNI, EHLO again; chain verified by mailpki', async () => {
  const { port, seen } = await smtpServer();
  const r = await probeTls(opts(port, { starttls: 'smtp' }));
  assert.equal(r.ok, true, JSON.stringify(r.failure));
  assert.equal(r.mode, 'smtp');
  assert.equal(r.servername, HOST);
  assert.equal(seen[0]!.servername, HOST, 'SNI sent');
  assert.deepEqual(r.capabilitiesBeforeTls, ['PIPELINING', 'SIZE 10240000', 'STARTTLS']);
  assert.deepEqual(r.capabilities, ['AUTH PLAIN LOGIN', '8BITMIME'], 'capabilities re-read after TLS');
  // the client really re-issued EHLO inside TLS, and said goodbye
  assert.ok(seen[0]!.lines.some((l) => /^tls: EHLO /.test(l)));
  assert.match(r.tlsVersion!, /^TLSv1\.[23]$/);
  assert.ok(r.cipher!.standardName.startsWith('TLS_'));
  assert.equal(r.chain.length, 1, 'exactly what the server sent: no root appended from any store');
  assert.equal(r.verification?.ok, true);
  assert.equal(r.hostMatch, true);
  assert.ok(r.daysUntilExpiry! >= 19 && r.daysUntilExpiry! <= 20, String(r.daysUntilExpiry));
  // TLSA 3 1 1 = SHA-256 of the leaf's SPKI (oracle: node:crypto on the DER Node extracts)
  const x = new X509Certificate(leafCert.der);
  const spki = x.publicKey.export({ type: 'spki', format: 'der' });
  assert.equal(r.tlsa311, `3 1 1 ${createHash('sha256').update(spki).digest('hex')}`);
});

test('SMTP: a greeting that is not 220 fails with bad-greeting; not SMTP at all with protocol-error', async () => {
  const a = await smtpServer({ greeting: '554 5.3.2 no service for you\r\n' });
  const r = await probeTls(opts(a.port, { starttls: 'smtp' }));
  assert.equal(r.ok, false);
  assert.deepEqual([r.failure?.code, r.failure?.stage], ['bad-greeting', 'greeting']);
  assert.match(r.failure!.message, /expected 220, got 554/);
  const b = await smtpServer({ greeting: 'HTTP/1.1 400 Bad Request\r\n\r\n' });
  const r2 = await probeTls(opts(b.port, { starttls: 'smtp' }));
  assert.equal(r2.failure?.code, 'protocol-error');
  // a multi-line reply whose code changes mid-way is not SMTP either
  const c = await smtpServer({ greeting: '220-first\r\n250 second\r\n' });
  assert.equal((await probeTls(opts(c.port, { starttls: 'smtp' }))).failure?.code, 'protocol-error');
});

test('SMTP: EHLO without STARTTLS fails with starttls-not-offered (and STARTTLS is never sent)', async () => {
  const { port, seen } = await smtpServer({ ehlo: `250-${HOST}\r\n250-PIPELINING\r\n250 8BITMIME\r\n` });
  const r = await probeTls(opts(port, { starttls: 'smtp' }));
  assert.deepEqual([r.failure?.code, r.failure?.stage], ['starttls-not-offered', 'capabilities']);
  assert.ok(!seen[0]!.lines.includes('STARTTLS'));
  assert.equal(r.tlsVersion, undefined);
});

test('SMTP: STARTTLS answered 454 fails with starttls-refused', async () => {
  const { port } = await smtpServer({ starttlsReply: '454 4.7.0 TLS not available\r\n' });
  const r = await probeTls(opts(port, { starttls: 'smtp' }));
  assert.deepEqual([r.failure?.code, r.failure?.stage], ['starttls-refused', 'starttls']);
  assert.match(r.failure!.message, /454/);
});

test('SMTP: bytes after the STARTTLS reply (command injection class) fail with starttls-injection, before any handshake', async () => {
  const { port, seen } = await smtpServer({ starttlsReply: '220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n' });
  const r = await probeTls(opts(port, { starttls: 'smtp' }));
  assert.deepEqual([r.failure?.code, r.failure?.stage], ['starttls-injection', 'starttls']);
  assert.match(r.failure!.message, /arrived after the STARTTLS reply/);
  assert.equal(seen[0]!.servername, undefined, 'no handshake was attempted');
});

test('SMTP: EHLO after TLS refused fails with post-tls-failed', async () => {
  const { port } = await smtpServer({
    afterTls: async (s, tl) => {
      await tl.next();
      s.write('554 go away\r\n');
    },
  });
  const r = await probeTls(opts(port, { starttls: 'smtp' }));
  assert.deepEqual([r.failure?.code, r.failure?.stage], ['post-tls-failed', 'post-tls']);
  assert.ok(r.tlsVersion, 'TLS itself came up');
  assert.equal(r.verification?.ok, true, 'the chain is still verified and reported');
  assert.equal(r.hostMatch, true);
});

// ------------------------------------------------------------------ certificates

test('a certificate that does not name the host fails with host-mismatch (SAN only), with the chain still reported', async () => {
  const { port } = await smtpServer();
  const r = await probeTls(opts(port, { starttls: 'smtp', servername: 'other.example.test' }));
  assert.deepEqual([r.failure?.code, r.failure?.stage], ['host-mismatch', 'verify']);
  assert.equal(r.hostMatch, false);
  assert.equal(r.verification?.ok, false);
  assert.equal(r.chainVerification?.ok, true, 'the chain alone is trusted: only the name is wrong');
  assert.match(r.failure!.message, /other\.example\.test/);
  assert.equal(r.chain.length, 1);
  assert.ok(r.tlsa311);
});

test('a chain from an unknown CA fails with the verifier\'s reason; the default trust store is Node\'s roots', async () => {
  const { port } = await smtpServer();
  const r = await probeTls(opts(port, { starttls: 'smtp', ca: [otherRoot] }));
  assert.equal(r.ok, false);
  assert.equal(r.failure?.stage, 'verify');
  assert.ok(['unknown-issuer', 'self-signed-untrusted'].includes(r.failure!.code), r.failure!.code);
  assert.equal(r.hostMatch, true, 'the name is fine, the issuer is not');
  assert.equal(r.chainVerification?.ok, false);
  assert.equal(r.chainVerification?.ok === false && r.chainVerification.reason, r.failure!.code);
  const { ca: _ca, ...noCa } = opts(port, { starttls: 'smtp' });
  const r2 = await probeTls(noCa);
  assert.equal(r2.failure?.stage, 'verify');
  assert.ok(['unknown-issuer', 'self-signed-untrusted'].includes(r2.failure!.code));
});

test('a chain with an intermediate: both certificates reported, verified against the root', async () => {
  const { port } = await smtpServer({ ctx: () => ctxChain });
  const r = await probeTls(opts(port, { starttls: 'smtp' }));
  assert.equal(r.ok, true, JSON.stringify(r.failure));
  assert.equal(r.chain.length, 2);
  assert.equal(r.verification?.ok && r.verification.chain.length, 3, 'leaf, intermediate, root');
});

test('verification time: `at` after notAfter gives expired and negative days', async () => {
  const { port } = await smtpServer();
  const r = await probeTls(opts(port, { starttls: 'smtp', at: new Date(Date.now() + 40 * 86_400_000) }));
  assert.equal(r.failure?.code, 'expired');
  assert.ok(r.daysUntilExpiry! < 0);
});

// ------------------------------------------------------------------ no TLS, timeouts, closed

test('implicit TLS against a plaintext port fails with not-tls', async () => {
  const { port } = await smtpServer();
  const r = await probeTls(opts(port));
  assert.deepEqual([r.failure?.code, r.failure?.stage], ['not-tls', 'handshake']);
  assert.match(r.failure!.message, /did not answer with TLS/);
});

test('timeouts: a silent server (greeting) and a server that never finishes the handshake', async () => {
  const silent = await fakeServer(async () => {});
  let t0 = Date.now();
  const r = await probeTls(opts(silent.port, { starttls: 'imap', timeoutMs: 300 }));
  assert.deepEqual([r.failure?.code, r.failure?.stage], ['timeout', 'greeting']);
  assert.ok(Date.now() - t0 < 3000);
  t0 = Date.now();
  const r2 = await probeTls(opts(silent.port, { timeoutMs: 300 }));
  assert.deepEqual([r2.failure?.code, r2.failure?.stage], ['timeout', 'handshake']);
  assert.ok(Date.now() - t0 < 3000);
});

test('connect failures: refused port gives connect-failed', async () => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  const r = await probeTls(opts(port, { starttls: 'smtp' }));
  assert.deepEqual([r.failure?.code, r.failure?.stage], ['connect-failed', 'connect']);
  assert.match(r.failure!.message, /ECONNREFUSED/);
});

test('a server that hangs up after the greeting gives connection-closed; an endless line gives protocol-error', async () => {
  const { port } = await fakeServer(async (sock) => {
    sock.end('220 bye already\r\n');
  });
  const r = await probeTls(opts(port, { starttls: 'smtp' }));
  assert.deepEqual([r.failure?.code, r.failure?.stage], ['connection-closed', 'capabilities']);
  const big = await fakeServer(async (sock) => {
    sock.write(`220-${'x'.repeat(20000)}`);
  });
  const r2 = await probeTls(opts(big.port, { starttls: 'smtp' }));
  assert.equal(r2.failure?.code, 'protocol-error');
  assert.match(r2.failure!.message, /longer than/);
});

test('the reported chain is what the server sent: no root appended from Node\'s store (NODE_EXTRA_CA_CERTS child)', async () => {
  const { port } = await smtpServer();
  const dir = mkdtempSync(join(tmpdir(), 'mailpki-probe-'));
  try {
    const rootFile = join(dir, 'root.pem');
    writeFileSync(rootFile, root.pem);
    const probeUrl = new URL('../../src/node/probe.ts', import.meta.url).href;
    const code = `const { probeTls } = await import(${JSON.stringify(probeUrl)});
      const r = await probeTls({ host: '127.0.0.1', port: ${port}, starttls: 'smtp', servername: '${HOST}', ca: [], timeoutMs: 3000 });
      console.log(JSON.stringify({ n: r.chain.length, tls: r.tlsVersion }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: rootFile },
      timeout: 30_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as { n: number; tls?: string };
    assert.ok(out.tls, 'TLS came up in the child');
    assert.equal(out.n, 1, 'Node would append the root it finds in its store; the probe must not');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------ IMAP

function imapServer(o: { greeting?: string; caps?: string; starttls?: string; implicit?: boolean } = {}): Promise<{ port: number; seen: Seen[] }> {
  return fakeServer(async (sock, seen) => {
    let s: net.Socket = sock;
    if (o.implicit) s = await serverTls(sock, ctxLeaf, seen);
    let lines = new Lines(s);
    s.write(o.greeting ?? '* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n');
    let tlsUp = !!o.implicit;
    for (;;) {
      const l = await lines.next();
      if (l === null) return;
      seen.lines.push(`${tlsUp ? 'tls: ' : ''}${l}`);
      const [tag, cmd] = l.split(' ');
      if (/^CAPABILITY$/i.test(cmd ?? '')) {
        s.write(tlsUp ? `* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n` : `* CAPABILITY ${o.caps ?? 'IMAP4rev1 STARTTLS LOGINDISABLED'}\r\n${tag} OK done\r\n`);
      } else if (/^STARTTLS$/i.test(cmd ?? '')) {
        lines.detach();
        s.write((o.starttls ?? `${tag} OK Begin TLS\r\n`).replace('TAG', tag!));
        if (o.starttls && !/^TAG OK/.test(o.starttls)) return;
        s = await serverTls(s, ctxLeaf, seen);
        lines = new Lines(s);
        tlsUp = true;
      } else if (/^LOGOUT$/i.test(cmd ?? '')) {
        return void s.end(`* BYE\r\n${tag} OK bye\r\n`);
      } else s.write(`${tag} BAD unknown\r\n`);
    }
  });
}

test('IMAP STARTTLS: * OK greeting, CAPABILITY with STARTTLS, STARTTLS -> OK, handshake, CAPABILITY again', async () => {
  const { port, seen } = await imapServer();
  const r = await probeTls(opts(port, { starttls: 'imap' }));
  assert.equal(r.ok, true, JSON.stringify(r.failure));
  assert.deepEqual(r.capabilitiesBeforeTls, ['IMAP4REV1', 'STARTTLS', 'LOGINDISABLED']);
  assert.deepEqual(r.capabilities, ['IMAP4REV1', 'AUTH=PLAIN']);
  assert.ok(seen[0]!.lines.some((l) => /^tls: \S+ CAPABILITY$/.test(l)), 'CAPABILITY re-issued inside TLS');
  assert.equal(seen[0]!.servername, HOST);
});

test('IMAP failures: PREAUTH, BYE, no STARTTLS, NO to STARTTLS, injected untagged data and bytes after OK', async () => {
  const cases: Array<[Parameters<typeof imapServer>[0], string]> = [
    [{ greeting: '* PREAUTH logged in already\r\n' }, 'bad-greeting'],
    [{ greeting: '* BYE too busy\r\n' }, 'bad-greeting'],
    [{ caps: 'IMAP4rev1 AUTH=PLAIN' }, 'starttls-not-offered'],
    [{ starttls: 'TAG NO not now\r\n' }, 'starttls-refused'],
    [{ starttls: '* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nTAG OK Begin TLS\r\n' }, 'starttls-injection'],
    [{ starttls: 'TAG OK Begin TLS\r\n* OK injected\r\n' }, 'starttls-injection'],
  ];
  for (const [o, code] of cases) {
    const { port } = await imapServer(o);
    const r = await probeTls(opts(port, { starttls: 'imap' }));
    assert.equal(r.failure?.code, code, `${JSON.stringify(o)}: ${JSON.stringify(r.failure)}`);
  }
});

test('IMAPS (implicit TLS): handshake first, then the greeting and CAPABILITY inside TLS', async () => {
  const { port, seen } = await imapServer({ implicit: true });
  const r = await probeTls(opts(port, { protocol: 'imap' }));
  assert.equal(r.ok, true, JSON.stringify(r.failure));
  assert.equal(r.mode, 'implicit');
  assert.equal(r.application, 'imap');
  assert.deepEqual(r.capabilities, ['IMAP4REV1', 'AUTH=PLAIN']);
  assert.equal(seen[0]!.servername, HOST);
  // with no protocol on an unknown port: the handshake only
  const r2 = await probeTls(opts(port));
  assert.equal(r2.ok, true, JSON.stringify(r2.failure));
  assert.equal(r2.application, 'none');
  assert.equal(r2.capabilities, undefined);
});

// ------------------------------------------------------------------ POP3

function pop3Server(o: { capa?: string | null; stls?: string } = {}): Promise<{ port: number; seen: Seen[] }> {
  return fakeServer(async (sock, seen) => {
    let s: net.Socket = sock;
    let lines = new Lines(s);
    s.write('+OK POP3 ready\r\n');
    let tlsUp = false;
    for (;;) {
      const l = await lines.next();
      if (l === null) return;
      seen.lines.push(`${tlsUp ? 'tls: ' : ''}${l}`);
      if (l === 'CAPA') {
        if (o.capa === null && !tlsUp) s.write('-ERR unknown command\r\n');
        else s.write(tlsUp ? '+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n' : `+OK\r\n${o.capa ?? 'USER\r\nSTLS\r\nUIDL'}\r\n.\r\n`);
      } else if (l === 'STLS') {
        lines.detach();
        s.write(o.stls ?? '+OK Begin TLS\r\n');
        if (o.stls && !o.stls.startsWith('+OK')) return;
        if (o.stls && o.stls !== '+OK Begin TLS\r\n') return;
        s = await serverTls(s, ctxLeaf, seen);
        lines = new Lines(s);
        tlsUp = true;
      } else if (l === 'QUIT') return void s.end('+OK bye\r\n');
      else s.write('-ERR unknown\r\n');
    }
  });
}

test('POP3 STLS: +OK greeting, CAPA lists STLS, STLS -> +OK, handshake, CAPA again', async () => {
  const { port, seen } = await pop3Server();
  const r = await probeTls(opts(port, { starttls: 'pop3' }));
  assert.equal(r.ok, true, JSON.stringify(r.failure));
  assert.deepEqual(r.capabilitiesBeforeTls, ['USER', 'STLS', 'UIDL']);
  assert.deepEqual(r.capabilities, ['USER', 'SASL PLAIN']);
  assert.ok(seen[0]!.lines.includes('tls: CAPA'));
});

test('POP3: no CAPA support still tries STLS; CAPA without STLS, -ERR to STLS and injected bytes fail', async () => {
  const noCapa = await pop3Server({ capa: null });
  const r0 = await probeTls(opts(noCapa.port, { starttls: 'pop3' }));
  assert.equal(r0.ok, true, JSON.stringify(r0.failure));
  assert.equal(r0.capabilitiesBeforeTls, undefined);
  const cases: Array<[Parameters<typeof pop3Server>[0], string]> = [
    [{ capa: 'USER\r\nUIDL' }, 'starttls-not-offered'],
    [{ stls: '-ERR not now\r\n' }, 'starttls-refused'],
    [{ stls: '+OK Begin TLS\r\n+OK injected\r\n' }, 'starttls-injection'],
  ];
  for (const [o, code] of cases) {
    const { port } = await pop3Server(o);
    const r = await probeTls(opts(port, { starttls: 'pop3' }));
    assert.equal(r.failure?.code, code, `${JSON.stringify(o)}: ${JSON.stringify(r.failure)}`);
  }
});

// ------------------------------------------------------------------ SNI and arguments

test('SNI: not sent for an IP address (RFC 6066 §3), and the IP is what gets checked', async () => {
  const { port, seen } = await smtpServer();
  const { servername: _s, ...o } = opts(port, { starttls: 'smtp' });
  const r = await probeTls(o);
  assert.equal(r.servername, undefined);
  assert.equal(r.checkedName, '127.0.0.1');
  assert.equal(seen[0]!.servername, false, 'no SNI on the wire');
  assert.equal(r.failure?.code, 'host-mismatch', 'the cert has no IP SAN');
});

test('bad options throw TypeError / RangeError; network problems never throw', async () => {
  await assert.rejects(probeTls({ host: '', port: 25 }), TypeError);
  await assert.rejects(probeTls({ host: 'x', port: 0 }), RangeError);
  await assert.rejects(probeTls({ host: 'x', port: 70000 }), RangeError);
  await assert.rejects(probeTls({ host: 'x', port: 25, starttls: 'ftp' as 'smtp' }), RangeError);
  await assert.rejects(probeTls({ host: 'x', port: 25, timeoutMs: -1 }), RangeError);
  await assert.rejects(probeTls({ host: 'x', port: 25, ehloName: 'a b' }), RangeError);
  await assert.rejects(probeTls({ host: 'x', port: 25, ca: ['-----BEGIN CERTIFICATE-----' as never] }), TypeError);
  const r = await probeTls({ host: 'no-such-host.invalid', port: 25, timeoutMs: 3000 });
  assert.equal(r.ok, false);
  assert.ok(['connect-failed', 'timeout'].includes(r.failure!.code));
});
