/**
 * The TLS / STARTTLS probe behind `mailpki check`: connect to a mail server,
 * upgrade with STARTTLS (SMTP, IMAP, POP3) or start TLS at once (implicit TLS:
 * 465 / 993 / 995), and report the protocol, the cipher, the chain the server
 * sent, whether mailpki itself trusts that chain for the host (SAN only), the
 * days left and the TLSA 3 1 1 digest.
 *
 * Better than `openssl s_client -starttls` (shared/MAIL-TLS.md): every reply
 * code is checked (220 / `* OK` / `+OK`), STARTTLS must be advertised, bytes
 * that arrive after the STARTTLS reply and before the handshake fail the
 * probe (the CVE-2011-0411 "STARTTLS command injection" class: an attacker's
 * plaintext would be read as if it came through TLS), SNI is always sent
 * (Node sends none unless told), and EHLO / CAPABILITY are re-issued after the
 * handshake (RFC 3207 §4.2, RFC 2595 §3.1: pre-TLS capabilities are untrusted).
 * The chain is verified by mailpki's own `verifyCertificate` (Node's check is
 * switched off) so a failure names exactly what is wrong.
 *
 * Every step has a timeout; the probe never hangs and never throws for a
 * network or protocol problem: it returns `{ ok: false, failure }`.
 *
 * Out of scope: authentication, sending mail, revocation (OCSP/CRL), DANE
 * lookups in DNS (the TLSA digest is computed for you to compare).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { mailPortInfo, type MailProtocol } from '../mail/ports.js';
import { tlsaRecord } from '../mail/tlsa.js';
import { parseCertificate } from '../x509/certificate.js';
import { matchesHost, parseIpAddress } from '../x509/hostname.js';
import { verifyCertificate, type VerifyFailureCode, type VerifyResult } from '../x509/verify.js';
import type { Crl } from '../x509/crl.js';
import type { Certificate } from '../x509/types.js';

/** Options of {@link probeTls}. @public */
export interface ProbeOptions {
  /** Host name or IP address to connect to. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /**
   * Upgrade a plaintext session with STARTTLS (`smtp`: RFC 3207, `imap`: RFC 9051 / 2595,
   * `pop3`: STLS, RFC 2595). Absent: implicit TLS, the handshake starts at once.
   */
  readonly starttls?: MailProtocol;
  /**
   * For implicit TLS: the protocol spoken inside, whose greeting is read and checked after
   * the handshake (and EHLO / CAPABILITY / CAPA issued). Default: from the well-known port
   * (465 smtp, 993 imap, 995 pop3), else `none` (handshake only). Ignored with `starttls`.
   */
  readonly protocol?: MailProtocol | 'none';
  /**
   * Name sent as SNI and checked against the certificate's SANs. Default: `host`.
   * SNI is sent whenever this is a DNS name (RFC 6066 §3 forbids IP addresses there).
   */
  readonly servername?: string;
  /** Trust anchors. Default: Node's bundled Mozilla roots (`tls.rootCertificates`). */
  readonly ca?: readonly Certificate[];
  /** CRLs the served chain is checked against (verifyCertificate `crls`, revocation 'if-present'). */
  readonly crls?: readonly Crl[];
  /** Limit for each step (connect, each reply, the handshake), in ms. Default 10000. */
  readonly timeoutMs?: number;
  /** Time to verify the chain at; default now. */
  readonly at?: Date;
  /** Name to send in EHLO; default the local address as an RFC 5321 address literal. */
  readonly ehloName?: string;
}

/**
 * Why a probe failed. Network and protocol codes, plus every
 * `VerifyFailureCode` of the chain check (`unknown-issuer`, `expired`,
 * `host-mismatch`, ...):
 * - `connect-failed`: refused, unreachable, unknown host
 * - `timeout`: a step took longer than `timeoutMs` (`failure.stage` says which)
 * - `connection-closed`: the server closed the connection mid-dialogue
 * - `bad-greeting`: no 220 / `* OK` / `+OK` greeting (IMAP `PREAUTH` too: STARTTLS is then impossible)
 * - `starttls-not-offered`: EHLO / CAPABILITY / CAPA does not list STARTTLS / STLS
 * - `starttls-refused`: the server answered STARTTLS / STLS with an error
 * - `starttls-injection`: bytes arrived after the STARTTLS reply, before the handshake
 * - `protocol-error`: a reply that is not the protocol (or far too long), EHLO refused
 * - `not-tls`: the server answered the TLS handshake with plaintext (no TLS on this port)
 * - `handshake-failed`: the TLS handshake failed otherwise
 * - `no-certificate`: the server sent no certificate
 * - `bad-certificate`: a certificate the server sent cannot be parsed
 * - `post-tls-failed`: EHLO / CAPABILITY after the handshake failed
 * - `internal-error`: an unexpected exception inside the probe (a bug: please report it)
 * @public
 */
export type ProbeFailureCode =
  | 'connect-failed'
  | 'timeout'
  | 'connection-closed'
  | 'bad-greeting'
  | 'starttls-not-offered'
  | 'starttls-refused'
  | 'starttls-injection'
  | 'protocol-error'
  | 'not-tls'
  | 'handshake-failed'
  | 'no-certificate'
  | 'bad-certificate'
  | 'post-tls-failed'
  | 'internal-error'
  | VerifyFailureCode;

/** Where the probe was when it failed. @public */
export type ProbeStage = 'connect' | 'greeting' | 'capabilities' | 'starttls' | 'handshake' | 'post-tls' | 'verify';

/** Result of {@link probeTls}. @public */
export interface ProbeResult {
  /** True when TLS came up, the dialogue was correct and the chain verified for the name. */
  readonly ok: boolean;
  readonly host: string;
  readonly port: number;
  /** How TLS was started: the STARTTLS protocol, or `implicit`. */
  readonly mode: MailProtocol | 'implicit';
  /** Application protocol spoken (`none`: implicit TLS with no known protocol). */
  readonly application: MailProtocol | 'none';
  /** SNI sent (undefined when the name is an IP address). */
  readonly servername?: string;
  /** The name checked against the certificate. */
  readonly checkedName: string;
  /** The first failure, when `ok` is false. */
  readonly failure?: { readonly code: ProbeFailureCode; readonly stage: ProbeStage; readonly message: string };
  /** Negotiated TLS version, e.g. `TLSv1.3`. */
  readonly tlsVersion?: string;
  /** Negotiated cipher suite: OpenSSL name and IANA name. */
  readonly cipher?: { readonly name: string; readonly standardName: string };
  /** The certificates the server sent, leaf first, parsed by mailpki. */
  readonly chain: readonly Certificate[];
  /** mailpki's verification of the chain for `checkedName` (purpose tls-server). */
  readonly verification?: VerifyResult;
  /** Whether the leaf's SANs name `checkedName` (RFC 9525; CN is never consulted). */
  readonly hostMatch?: boolean;
  /** Whole days until the leaf's notAfter (negative when expired). */
  readonly daysUntilExpiry?: number;
  /** `3 1 1 <sha256 of the leaf's SPKI>`: compare with the published TLSA record. */
  readonly tlsa311?: string;
  /** Capabilities before TLS (EHLO keywords, IMAP capabilities, POP3 CAPA), upper-cased. */
  readonly capabilitiesBeforeTls?: readonly string[];
  /** Capabilities re-read after TLS: the ones to trust. */
  readonly capabilities?: readonly string[];
  /** The plaintext and post-TLS dialogue (`C:` / `S:` lines, long lines cut), for debugging. */
  readonly transcript: readonly string[];
}

const DEFAULT_TIMEOUT = 10_000;
const MAX_LINE = 8192; // RFC 5321 §4.5.3.1.5: reply lines are ≤ 512 octets; generous for IMAP CAPABILITY
const MAX_REPLY_LINES = 200;
const MAX_TRANSCRIPT = 400;

class ProbeFailure extends Error {
  constructor(
    readonly code: ProbeFailureCode,
    message: string,
  ) {
    super(message);
  }
}

/** A socket read line by line, with a deadline on every read. */
class LineConn {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private err: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (d: Buffer): void => {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    this.notify();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (e: Error): void => {
    this.err = e;
    this.notify();
  };

  constructor(
    readonly sock: net.Socket,
    private readonly transcript: string[],
  ) {
    sock.on('data', this.onData);
    sock.on('end', this.onEnd);
    sock.on('close', this.onEnd);
    sock.on('error', this.onError);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  log(line: string): void {
    if (this.transcript.length < MAX_TRANSCRIPT) this.transcript.push(line.length > 300 ? `${line.slice(0, 300)}...` : line);
  }

  async readLine(timeoutMs: number, what: string): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.buf.indexOf(0x0a);
      if (i >= 0 && i <= MAX_LINE) {
        const raw = this.buf.subarray(0, i > 0 && this.buf[i - 1] === 0x0d ? i - 1 : i);
        this.buf = this.buf.subarray(i + 1);
        const line = raw.toString('latin1');
        this.log(`S: ${line}`);
        return line;
      }
      if (this.buf.length > MAX_LINE) throw new ProbeFailure('protocol-error', `${what}: a reply line longer than ${MAX_LINE} bytes`);
      if (this.err) throw new ProbeFailure('connection-closed', `${what}: ${this.err.message}`);
      if (this.ended) throw new ProbeFailure('connection-closed', `${what}: the server closed the connection`);
      const left = deadline - Date.now();
      if (left <= 0) throw new ProbeFailure('timeout', `${what}: no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  write(line: string): void {
    this.log(`C: ${line}`);
    this.sock.write(`${line}\r\n`);
  }

  /** Stop reading (before the TLS handshake); returns whatever arrived and was not consumed. */
  detach(): Buffer {
    this.sock.pause();
    this.sock.off('data', this.onData);
    this.sock.off('end', this.onEnd);
    this.sock.off('close', this.onEnd);
    this.sock.off('error', this.onError);
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }
}

// ---------------------------------------------------------------- protocols

interface SmtpReply {
  code: number;
  lines: string[];
}

/** Read a (multi-line) SMTP reply: `250-...` continues, `250 ...` ends (RFC 5321 §4.2.1). */
async function smtpReply(c: LineConn, t: number, what: string): Promise<SmtpReply> {
  const lines: string[] = [];
  let code = -1;
  for (;;) {
    const line = await c.readLine(t, what);
    const m = /^(\d{3})([ -]|$)(.*)$/.exec(line);
    if (!m) throw new ProbeFailure('protocol-error', `${what}: not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`);
    const n = Number(m[1]);
    if (code !== -1 && n !== code) throw new ProbeFailure('protocol-error', `${what}: reply code changed from ${code} to ${n} inside one reply`);
    code = n;
    lines.push(m[3] ?? '');
    if (m[2] !== '-') return { code, lines };
    if (lines.length > MAX_REPLY_LINES) throw new ProbeFailure('protocol-error', `${what}: reply longer than ${MAX_REPLY_LINES} lines`);
  }
}

function ehloKeywords(r: SmtpReply): string[] {
  // The first line is the greeting name; the others are "KEYWORD [params]" (RFC 5321 §4.1.1.1).
  return r.lines.slice(1).map((l) => l.trim().toUpperCase()).filter((l) => l.length > 0);
}

async function smtpEhlo(c: LineConn, t: number, name: string, what: string, failCode: ProbeFailureCode): Promise<string[]> {
  c.write(`EHLO ${name}`);
  const r = await smtpReply(c, t, what);
  if (r.code !== 250) throw new ProbeFailure(failCode, `${what}: EHLO answered ${r.code} ${r.lines[0] ?? ''}`.trim());
  return ehloKeywords(r);
}

async function smtpGreeting(c: LineConn, t: number): Promise<void> {
  const g = await smtpReply(c, t, 'SMTP greeting');
  if (g.code !== 220) throw new ProbeFailure('bad-greeting', `SMTP greeting: expected 220, got ${g.code} ${g.lines[0] ?? ''}`.trim());
}

interface ImapTagged {
  status: string;
  text: string;
  untagged: string[];
}

/** Read IMAP responses up to the tagged completion of `tag` (RFC 9051 §7.1). */
async function imapTagged(c: LineConn, t: number, tag: string, what: string): Promise<ImapTagged> {
  const untagged: string[] = [];
  for (;;) {
    const line = await c.readLine(t, what);
    if (line.startsWith('* ')) {
      untagged.push(line.slice(2));
      if (untagged.length > MAX_REPLY_LINES) throw new ProbeFailure('protocol-error', `${what}: more than ${MAX_REPLY_LINES} untagged responses`);
      continue;
    }
    const m = /^(\S+) (OK|NO|BAD)\b ?(.*)$/i.exec(line);
    if (m && m[1] === tag) return { status: m[2]!.toUpperCase(), text: m[3] ?? '', untagged };
    throw new ProbeFailure('protocol-error', `${what}: unexpected IMAP response ${JSON.stringify(line.slice(0, 80))}`);
  }
}

async function imapCapability(c: LineConn, t: number, tag: string, what: string, failCode: ProbeFailureCode): Promise<string[]> {
  c.write(`${tag} CAPABILITY`);
  const r = await imapTagged(c, t, tag, what);
  if (r.status !== 'OK') throw new ProbeFailure(failCode, `${what}: CAPABILITY answered ${r.status} ${r.text}`.trim());
  const caps = r.untagged.find((u) => /^CAPABILITY\b/i.test(u));
  if (caps === undefined) throw new ProbeFailure(failCode, `${what}: no CAPABILITY response`);
  return caps.split(/\s+/).slice(1).map((s) => s.toUpperCase());
}

async function imapGreeting(c: LineConn, t: number): Promise<void> {
  const g = await c.readLine(t, 'IMAP greeting');
  if (/^\* OK\b/i.test(g)) return;
  if (/^\* PREAUTH\b/i.test(g)) throw new ProbeFailure('bad-greeting', 'IMAP greeting: PREAUTH (already authenticated), STARTTLS is then not allowed (RFC 9051 §6.2.1)');
  throw new ProbeFailure('bad-greeting', `IMAP greeting: expected "* OK", got ${JSON.stringify(g.slice(0, 80))}`);
}

async function pop3Status(c: LineConn, t: number, what: string): Promise<{ ok: boolean; text: string }> {
  const line = await c.readLine(t, what);
  if (/^\+OK\b/.test(line)) return { ok: true, text: line.slice(3).trim() };
  if (/^-ERR\b/.test(line)) return { ok: false, text: line.slice(4).trim() };
  throw new ProbeFailure('protocol-error', `${what}: not a POP3 status line: ${JSON.stringify(line.slice(0, 80))}`);
}

/** CAPA (RFC 2449 §5): undefined when the server does not support it. */
async function pop3Capa(c: LineConn, t: number, what: string): Promise<string[] | undefined> {
  c.write('CAPA');
  const s = await pop3Status(c, t, what);
  if (!s.ok) return undefined;
  const caps: string[] = [];
  for (;;) {
    const line = await c.readLine(t, what);
    if (line === '.') return caps;
    caps.push(line.replace(/^\.\./, '.').trim().toUpperCase());
    if (caps.length > MAX_REPLY_LINES) throw new ProbeFailure('protocol-error', `${what}: CAPA longer than ${MAX_REPLY_LINES} lines`);
  }
}

async function pop3Greeting(c: LineConn, t: number): Promise<void> {
  const s = await pop3Status(c, t, 'POP3 greeting');
  if (!s.ok) throw new ProbeFailure('bad-greeting', `POP3 greeting: -ERR ${s.text}`.trim());
}

const hasKeyword = (caps: readonly string[], kw: string): boolean => caps.some((c) => c === kw || c.startsWith(`${kw} `));

// ---------------------------------------------------------------- trust anchors

let systemRoots: Certificate[] | undefined;
/** Node's bundled Mozilla roots, parsed once (roots mailpki cannot parse are skipped). */
function nodeRoots(): Certificate[] {
  if (!systemRoots) {
    const out: Certificate[] = [];
    for (const pem of tls.rootCertificates) {
      try {
        out.push(parseCertificate(pem));
      } catch {
        // a root we cannot parse cannot anchor a chain we verify: skip it
      }
    }
    systemRoots = out;
  }
  return systemRoots;
}

// ---------------------------------------------------------------- the probe

function connect(host: string, port: number, t: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    sock.on('error', () => {}); // errors are reported through the promise / LineConn
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new ProbeFailure('timeout', `connect to ${host}:${port}: no answer within ${t} ms`));
    }, t);
    sock.once('connect', () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      reject(new ProbeFailure('connect-failed', `connect to ${host}:${port}: ${e.code && !e.message.includes(e.code) ? `${e.code} ` : ''}${e.message}`));
    });
  });
}

const NOT_TLS_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_RECORD_LENGTH_MISMATCH',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_UNKNOWN_PROTOCOL',
]);

function handshake(sock: net.Socket, servername: string | undefined, t: number, what: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      socket: sock,
      ...(servername !== undefined ? { servername } : {}),
      // mailpki verifies the chain itself (verifyCertificate) to say exactly why it fails.
      rejectUnauthorized: false,
      // An empty CA list: Node would otherwise append a root from its own store to the
      // "peer" chain, and we want exactly what the server sent.
      ca: [],
    });
    let done = false;
    const fail = (f: ProbeFailure): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      reject(f);
    };
    const timer = setTimeout(() => fail(new ProbeFailure('timeout', `${what}: TLS handshake not finished within ${t} ms`)), t);
    s.once('secureConnect', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(s);
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? '';
      if (NOT_TLS_CODES.has(code)) {
        fail(new ProbeFailure('not-tls', `${what}: the server did not answer with TLS (${code}): is this a plaintext or STARTTLS port?`));
      } else if (code === 'ECONNRESET' || /disconnected before secure TLS/i.test(e.message)) {
        fail(new ProbeFailure('handshake-failed', `${what}: the server closed the connection during the TLS handshake`));
      } else {
        fail(new ProbeFailure('handshake-failed', `${what}: ${e.message.split('\n')[0]}`));
      }
    });
    s.once('close', () => fail(new ProbeFailure('handshake-failed', `${what}: the connection closed during the TLS handshake`)));
  });
}

/** The chain as the server sent it, leaf first (DER). */
function peerChainDer(s: tls.TLSSocket): Uint8Array[] {
  const out: Uint8Array[] = [];
  let c = s.getPeerCertificate(true) as tls.DetailedPeerCertificate | Record<string, never>;
  const seen = new Set<string>();
  while (c && 'raw' in c && c.raw && out.length < 20) {
    const key = c.raw.toString('base64');
    if (seen.has(key)) break;
    seen.add(key);
    out.push(new Uint8Array(c.raw));
    const next = c.issuerCertificate;
    if (!next || next === c) break;
    c = next;
  }
  return out;
}

function checkOptions(o: ProbeOptions): void {
  if (o === null || typeof o !== 'object') throw new TypeError('options: expected an object');
  if (typeof o.host !== 'string' || o.host.length === 0 || o.host.length > 253) throw new TypeError('host: expected a host name or IP address');
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new RangeError('port: expected an integer 1..65535');
  if (o.starttls !== undefined && !['smtp', 'imap', 'pop3'].includes(o.starttls)) throw new RangeError('starttls: expected "smtp", "imap" or "pop3"');
  if (o.protocol !== undefined && !['smtp', 'imap', 'pop3', 'none'].includes(o.protocol)) throw new RangeError('protocol: expected "smtp", "imap", "pop3" or "none"');
  if (o.servername !== undefined && (typeof o.servername !== 'string' || o.servername.length === 0)) throw new TypeError('servername: expected a non-empty string');
  if (o.timeoutMs !== undefined && (!Number.isFinite(o.timeoutMs) || o.timeoutMs <= 0)) throw new RangeError('timeoutMs: expected a positive number');
  if (o.ca !== undefined && (!Array.isArray(o.ca) || !o.ca.every((c) => c !== null && typeof c === 'object' && c.der instanceof Uint8Array && c.spki instanceof Uint8Array))) {
    throw new TypeError('ca: expected an array of parsed certificates (parseCertificates)');
  }
  if (o.ehloName !== undefined && !/^[\x21-\x7e]{1,255}$/.test(o.ehloName)) throw new RangeError('ehloName: expected a domain or address literal');
}

/**
 * Connect to a mail server, start TLS (STARTTLS or implicit) and check it.
 *
 * Never throws for a network, protocol or certificate problem: the result
 * has `ok: false` and `failure: { code, stage, message }`. Every step is
 * bounded by `timeoutMs`.
 *
 * @param options - host, port, `starttls` protocol, SNI name, trust anchors, timeout.
 * @returns what was negotiated, the chain, its verification and the first failure.
 * @throws TypeError / RangeError only for invalid options.
 *
 * @example
 * ```ts
 * import { probeTls } from 'mailpki/node';
 * const r = await probeTls({ host: 'mail.example.com', port: 587, starttls: 'smtp', ca: [myRoot] });
 * if (!r.ok) console.error(`${r.failure!.code}: ${r.failure!.message}`);
 * else console.log(r.tlsVersion, r.cipher?.standardName, r.daysUntilExpiry, r.tlsa311);
 * ```
 * @public
 */
export async function probeTls(options: ProbeOptions): Promise<ProbeResult> {
  checkOptions(options);
  const { host, port } = options;
  const t = options.timeoutMs ?? DEFAULT_TIMEOUT;
  const name = options.servername ?? host;
  const bareName = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  // RFC 6066 §3: SNI carries a DNS name, never an IP address.
  const servername = parseIpAddress(bareName) ? undefined : name.replace(/\.$/, '');
  const starttls = options.starttls;
  const application: MailProtocol | 'none' = starttls ?? (options.protocol ?? mailPortInfo(port)?.protocol ?? 'none');
  const transcript: string[] = [];

  let stage: ProbeStage = 'connect';
  const result: {
    -readonly [K in keyof ProbeResult]: ProbeResult[K];
  } = {
    ok: false,
    host,
    port,
    mode: starttls ?? 'implicit',
    application,
    checkedName: bareName,
    chain: [],
    transcript,
    ...(servername !== undefined ? { servername } : {}),
  };

  let raw: net.Socket | undefined;
  let secure: tls.TLSSocket | undefined;
  try {
    raw = await connect(host, port, t);
    const ehloName = options.ehloName ?? (raw.localAddress && net.isIPv6(raw.localAddress) ? `[IPv6:${raw.localAddress}]` : `[${raw.localAddress ?? '127.0.0.1'}]`);

    // ---- plaintext part (STARTTLS)
    if (starttls !== undefined) {
      const c = new LineConn(raw, transcript);
      stage = 'greeting';
      if (starttls === 'smtp') {
        await smtpGreeting(c, t);
        stage = 'capabilities';
        const caps = await smtpEhlo(c, t, ehloName, 'EHLO', 'protocol-error');
        result.capabilitiesBeforeTls = caps;
        if (!hasKeyword(caps, 'STARTTLS')) throw new ProbeFailure('starttls-not-offered', 'EHLO: the server does not offer STARTTLS (no TLS on this port)');
        stage = 'starttls';
        c.write('STARTTLS');
        const r = await smtpReply(c, t, 'STARTTLS');
        if (r.code !== 220) throw new ProbeFailure('starttls-refused', `STARTTLS: expected 220, got ${r.code} ${r.lines[0] ?? ''}`.trim());
      } else if (starttls === 'imap') {
        await imapGreeting(c, t);
        stage = 'capabilities';
        const caps = await imapCapability(c, t, 'a1', 'CAPABILITY', 'protocol-error');
        result.capabilitiesBeforeTls = caps;
        if (!caps.includes('STARTTLS')) throw new ProbeFailure('starttls-not-offered', 'CAPABILITY: the server does not offer STARTTLS (no TLS on this port)');
        stage = 'starttls';
        c.write('a2 STARTTLS');
        const r = await imapTagged(c, t, 'a2', 'STARTTLS');
        if (r.untagged.length > 0) throw new ProbeFailure('starttls-injection', `STARTTLS: untagged response before the tagged OK: ${JSON.stringify(r.untagged[0]!.slice(0, 80))}`);
        if (r.status !== 'OK') throw new ProbeFailure('starttls-refused', `STARTTLS: expected "a2 OK", got ${r.status} ${r.text}`.trim());
      } else {
        await pop3Greeting(c, t);
        stage = 'capabilities';
        const caps = await pop3Capa(c, t, 'CAPA');
        if (caps !== undefined) {
          result.capabilitiesBeforeTls = caps;
          if (!hasKeyword(caps, 'STLS')) throw new ProbeFailure('starttls-not-offered', 'CAPA: the server does not offer STLS (no TLS on this port)');
        }
        stage = 'starttls';
        c.write('STLS');
        const s = await pop3Status(c, t, 'STLS');
        if (!s.ok) throw new ProbeFailure('starttls-refused', `STLS: -ERR ${s.text}`.trim());
      }
      const rest = c.detach();
      if (rest.length > 0) {
        throw new ProbeFailure(
          'starttls-injection',
          `${rest.length} byte(s) arrived after the ${starttls === 'pop3' ? 'STLS' : 'STARTTLS'} reply and before the TLS handshake (command injection, CVE-2011-0411 class): ${JSON.stringify(rest.subarray(0, 60).toString('latin1'))}`,
        );
      }
    }

    // ---- TLS
    stage = 'handshake';
    secure = await handshake(raw, servername, t, 'TLS handshake');
    if (transcript.length < MAX_TRANSCRIPT) transcript.push('-- TLS handshake done --');
    if (raw.readableLength > 0) {
      throw new ProbeFailure('starttls-injection', 'plaintext bytes arrived after the STARTTLS reply and were left unread before the TLS handshake');
    }
    result.tlsVersion = secure.getProtocol() ?? undefined;
    const cipher = secure.getCipher();
    result.cipher = { name: cipher.name, standardName: cipher.standardName ?? cipher.name };

    const ders = peerChainDer(secure);
    if (ders.length === 0) throw new ProbeFailure('no-certificate', 'the server sent no certificate');
    const chain: Certificate[] = [];
    for (const [i, der] of ders.entries()) {
      try {
        chain.push(parseCertificate(der));
      } catch (e) {
        throw new ProbeFailure('bad-certificate', `certificate ${i} of the server's chain cannot be parsed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    result.chain = chain;
    const leaf = chain[0]!;
    const at = options.at ?? new Date();
    result.daysUntilExpiry = Math.floor((leaf.notAfter.getTime() - at.getTime()) / 86_400_000);
    result.tlsa311 = tlsaRecord(leaf, { usage: 3, selector: 1, matching: 1 }).rdata;

    // ---- verification by mailpki (reported in full even when the dialogue below fails)
    const anchors = options.ca ?? nodeRoots();
    const v = verifyCertificate(leaf, { trustAnchors: anchors, intermediates: chain.slice(1), host: bareName, purpose: 'tls-server', at, ...(options.crls ? { crls: options.crls } : {}) });
    result.verification = v;
    result.hostMatch = matchesHost(leaf, bareName);

    // ---- post-TLS dialogue: capabilities re-read, never trusted from before
    if (application !== 'none') {
      stage = 'post-tls';
      const c = new LineConn(secure, transcript);
      try {
        if (application === 'smtp') {
          if (starttls === undefined) await smtpGreeting(c, t);
          result.capabilities = await smtpEhlo(c, t, ehloName, 'EHLO after TLS', 'post-tls-failed');
          c.write('QUIT');
        } else if (application === 'imap') {
          if (starttls === undefined) await imapGreeting(c, t);
          result.capabilities = await imapCapability(c, t, 'a3', 'CAPABILITY after TLS', 'post-tls-failed');
          c.write('a4 LOGOUT');
        } else {
          if (starttls === undefined) await pop3Greeting(c, t);
          const caps = await pop3Capa(c, t, 'CAPA after TLS');
          if (caps !== undefined) result.capabilities = caps;
          c.write('QUIT');
        }
        // A polite goodbye: wait briefly for the server's answer, whatever it is.
        await c.readLine(Math.min(t, 1000), 'goodbye').catch(() => undefined);
      } catch (e) {
        if (e instanceof ProbeFailure && (e.code === 'bad-greeting' || e.code === 'post-tls-failed')) throw e;
        if (e instanceof ProbeFailure) throw new ProbeFailure('post-tls-failed', e.message);
        throw e;
      }
    }

    // ---- a failed verification is reported after the dialogue (which comes first on the wire)
    if (!v.ok) {
      stage = 'verify';
      throw new ProbeFailure(v.reason, v.message);
    }
    result.ok = true;
  } catch (e) {
    if (!(e instanceof ProbeFailure)) {
      result.failure = { code: 'internal-error', stage, message: e instanceof Error ? e.message : String(e) };
    } else {
      result.failure = { code: e.code, stage, message: e.message };
    }
  } finally {
    secure?.end();
    secure?.destroy();
    raw?.destroy();
  }
  return result;
}
