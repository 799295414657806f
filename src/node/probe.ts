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
 * Time: one overall deadline for the whole check (`timeoutMs`, default 30 s)
 * plus an idle limit for each read (`idleTimeoutMs`, default a third of it
 * but at least 10 s); a server that drips bytes or continuation lines cannot
 * hold the probe past the deadline. Unsolicited replies (a line sent before
 * the client's command, e.g. a `220` before STARTTLS) are protocol errors;
 * after the STARTTLS reply the probe waits 200 ms for stray bytes, so an
 * injection in a separate TCP segment is named as such. TLS library errors
 * become one-line reasons (`protocol-version`, `handshake-failed`, ...).
 * Server text in failure messages is escaped (`escapeTerminal`). The probe
 * never hangs and never throws for a network or protocol problem: it returns
 * `{ ok: false, failure }`. The dialogues live in mail-dialogue.ts (one table
 * entry per protocol), the line reader and its budget in line-conn.ts.
 *
 * Out of scope: authentication, sending mail, revocation (OCSP/CRL), DANE
 * lookups in DNS (the TLSA digest is computed for you to compare).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { mailPortInfo, type MailProtocol } from '../mail/ports.js';
import { tlsaRecord } from '../mail/tlsa.js';
import { parseCertificate } from '../x509/certificate.js';
import { matchesHost } from '../x509/hostname.js';
import { parseIpAddress } from '../x509/ip.js';
import { verifyCertificate, type VerifyFailureCode, type VerifyOptions, type VerifyResult } from '../x509/verify.js';
import type { Crl } from '../x509/crl.js';
import type { Certificate } from '../x509/types.js';
import { Budget, LineConn, MAX_TRANSCRIPT, ProbeFailure } from './line-conn.js';
import { MAIL_DIALOGUES, quotePeer } from './mail-dialogue.js';

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
  /**
   * Overall limit for the whole check (connect, dialogue, handshake, post-TLS dialogue), in ms.
   * Default 30000: a slow but honest server (Postfix postscreen delays its greeting ~6 s) passes.
   */
  readonly timeoutMs?: number;
  /**
   * Limit for each single step (connect, one reply line, the handshake), in ms, always cut
   * at the overall deadline. Default: a third of `timeoutMs`, at least 10000 (at most `timeoutMs`).
   */
  readonly idleTimeoutMs?: number;
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
 * - `timeout`: the overall `timeoutMs` ran out, or one step exceeded `idleTimeoutMs` (`failure.stage` says where)
 * - `connection-closed`: the server closed the connection mid-dialogue
 * - `bad-greeting`: no 220 / `* OK` / `+OK` greeting (IMAP `PREAUTH` too: STARTTLS is then impossible)
 * - `starttls-not-offered`: EHLO / CAPABILITY / CAPA does not list STARTTLS / STLS
 * - `starttls-refused`: the server answered STARTTLS / STLS with an error
 * - `starttls-injection`: bytes arrived after the STARTTLS reply, before the handshake
 * - `protocol-error`: a reply that is not the protocol (or far too long), an unsolicited reply, EHLO refused
 * - `not-tls`: the server answered the TLS handshake with plaintext (no TLS on this port)
 * - `protocol-version`: no common TLS version (the server speaks only TLS 1.1 or older)
 * - `handshake-failed`: the TLS handshake failed otherwise (no common cipher, closed, ...)
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
  | 'protocol-version'
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
  /** The host connected to, as given in the options. */
  readonly host: string;
  /** The TCP port connected to. */
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
  /** mailpki's verification of the chain for `checkedName` (purpose tls-server): trust and name together. */
  readonly verification?: VerifyResult;
  /**
   * The chain's trust alone (purpose tls-server, no name check): `ok` when the chain is
   * trusted even if the name does not match (see `hostMatch`), so a front end can report
   * the two separately.
   */
  readonly chainVerification?: VerifyResult;
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

/** Default overall limit of a check, ms. @public */
export const PROBE_DEFAULT_TIMEOUT_MS = 30_000;
/** Shortest default idle limit per read, ms. @public */
export const PROBE_MIN_IDLE_MS = 10_000;
/** How long to wait for stray bytes after the STARTTLS reply, ms (an honest server sends none). */
const INJECTION_WAIT_MS = 200;

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

function connect(host: string, port: number, budget: Budget): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const sock = net.connect({ host, port });
    sock.on('error', () => {}); // errors are reported through the promise / LineConn
    const timer = setTimeout(() => {
      sock.destroy();
      reject(budget.timeout(`connect to ${host}:${port}`, started));
    }, budget.step());
    sock.once('connect', () => {
      clearTimeout(timer);
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      reject(new ProbeFailure('connect-failed', `connect to ${host}:${port}: ${e.code && !e.message.includes(e.code) ? `${e.code} ` : ''}${e.message.split('\n')[0]}`));
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

const PROTOCOL_VERSION_CODES = new Set([
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_WRONG_SSL_VERSION',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_VERSION_TOO_LOW',
  'ERR_SSL_UNSUPPORTED_SSL_VERSION',
]);

/**
 * One line for a TLS library error: a stable code and a short reason. OpenSSL's
 * message (`C0...:error:0A00042E:SSL routines:...:../deps/openssl/...c:1601:`)
 * is never shown: only its reason text (e.g. `sslv3 alert handshake failure`)
 * or Node's error code.
 * @internal
 */
export function describeTlsError(e: NodeJS.ErrnoException & { reason?: unknown }, what: string): ProbeFailure {
  const code = typeof e.code === 'string' ? e.code : '';
  const reason = typeof e.reason === 'string' && /^[\x20-\x7e]{1,120}$/.test(e.reason) ? e.reason : '';
  if (NOT_TLS_CODES.has(code)) {
    return new ProbeFailure('not-tls', `${what}: the server did not answer with TLS (${reason || code}): is this a plaintext or STARTTLS port?`);
  }
  if (PROTOCOL_VERSION_CODES.has(code)) {
    return new ProbeFailure('protocol-version', `${what}: no common TLS version: the server speaks only versions older than TLS 1.2 (${reason || code})`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /disconnected before secure TLS/i.test(e.message)) {
    return new ProbeFailure('handshake-failed', `${what}: the server closed the connection during the TLS handshake`);
  }
  if (/HANDSHAKE_FAILURE|NO_SHARED_CIPHER|NO_CIPHERS|INSUFFICIENT_SECURITY/.test(code)) {
    return new ProbeFailure('handshake-failed', `${what}: no common cipher suite or group with the server (${reason || code})`);
  }
  if (reason) return new ProbeFailure('handshake-failed', `${what}: ${reason}${code ? ` (${code})` : ''}`);
  if (code) return new ProbeFailure('handshake-failed', `${what}: ${code}`);
  const first = (e.message ?? '').split('\n')[0]!;
  // Drop OpenSSL's "hex:error:hex:lib:func:reason:file:line:" framing if present.
  const m = /:error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+):/.exec(first);
  return new ProbeFailure('handshake-failed', `${what}: ${m ? m[1] : first.replace(/\S*\/\S*\.c:\d+:?/g, '').slice(0, 160)}`);
}

function handshake(sock: net.Socket, servername: string | undefined, budget: Budget, what: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
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
    const timer = setTimeout(() => fail(budget.timeout(what, started)), budget.step());
    s.once('secureConnect', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(s);
    });
    s.on('error', (e: NodeJS.ErrnoException) => fail(describeTlsError(e, what)));
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
  if (o.idleTimeoutMs !== undefined && (!Number.isFinite(o.idleTimeoutMs) || o.idleTimeoutMs <= 0)) throw new RangeError('idleTimeoutMs: expected a positive number');
  if (o.ca !== undefined && (!Array.isArray(o.ca) || !o.ca.every((c) => c !== null && typeof c === 'object' && c.der instanceof Uint8Array && c.spki instanceof Uint8Array))) {
    throw new TypeError('ca: expected an array of parsed certificates (parseCertificates)');
  }
  if (o.ehloName !== undefined && !/^[\x21-\x7e]{1,255}$/.test(o.ehloName)) throw new RangeError('ehloName: expected a domain or address literal');
}

/**
 * Connect to a mail server, start TLS (STARTTLS or implicit) and check it.
 *
 * Never throws for a network, protocol or certificate problem: the result
 * has `ok: false` and `failure: { code, stage, message }`. The whole call
 * ends within `timeoutMs` (plus a few ms to close the sockets).
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
  const overall = options.timeoutMs ?? PROBE_DEFAULT_TIMEOUT_MS;
  const budget = new Budget(overall, options.idleTimeoutMs ?? Math.min(overall, Math.max(PROBE_MIN_IDLE_MS, Math.round(overall / 3))));
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
    raw = await connect(host, port, budget);
    const ehloName = options.ehloName ?? (raw.localAddress && net.isIPv6(raw.localAddress) ? `[IPv6:${raw.localAddress}]` : `[${raw.localAddress ?? '127.0.0.1'}]`);

    // ---- plaintext part (STARTTLS)
    if (starttls !== undefined) {
      const d = MAIL_DIALOGUES[starttls];
      const c = new LineConn(raw, transcript, budget);
      stage = 'greeting';
      await d.greeting(c);
      stage = 'capabilities';
      const caps = await d.capabilities(c, ehloName, false);
      if (caps !== undefined) {
        result.capabilitiesBeforeTls = caps;
        if (!d.offersTls(caps)) throw new ProbeFailure('starttls-not-offered', `${starttls === 'smtp' ? 'EHLO' : starttls === 'imap' ? 'CAPABILITY' : 'CAPA'}: the server does not offer ${d.starttlsCommand} (no TLS on this port)`);
      }
      stage = 'starttls';
      await d.starttls(c);
      // An honest server sends nothing until our ClientHello: wait briefly, so bytes injected
      // in a separate segment are seen here and named, not misread as a failed handshake.
      await c.moreArrives(INJECTION_WAIT_MS);
      const rest = c.detach();
      if (rest.length > 0) {
        throw new ProbeFailure(
          'starttls-injection',
          `${rest.length} byte(s) arrived after the ${d.starttlsCommand} reply and before the TLS handshake (command injection, CVE-2011-0411 class): ${quotePeer(rest.subarray(0, 60).toString('latin1'))}`,
        );
      }
    }

    // ---- TLS
    stage = 'handshake';
    secure = await handshake(raw, servername, budget, 'TLS handshake');
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
    const verifyOptions: VerifyOptions = { trustAnchors: anchors, intermediates: chain.slice(1), purpose: 'tls-server', at, ...(options.crls ? { crls: options.crls } : {}) };
    const chainOnly = verifyCertificate(leaf, verifyOptions);
    result.chainVerification = chainOnly;
    result.hostMatch = matchesHost(leaf, bareName);
    // Trust and name apart: only a trusted chain with a wrong name needs the run with the name (for its host-mismatch message).
    const v = chainOnly.ok && !result.hostMatch ? verifyCertificate(leaf, { ...verifyOptions, host: bareName }) : chainOnly;
    result.verification = v;

    // ---- post-TLS dialogue: capabilities re-read, never trusted from before
    if (application !== 'none') {
      stage = 'post-tls';
      const d = MAIL_DIALOGUES[application];
      const c = new LineConn(secure, transcript, budget);
      try {
        if (starttls === undefined) await d.greeting(c);
        const caps = await d.capabilities(c, ehloName, true);
        if (caps !== undefined) result.capabilities = caps;
        d.goodbye(c);
        // A polite goodbye: wait briefly for the server's answer, whatever it is.
        await c.readLine('goodbye', Math.min(budget.step(), 1000)).catch(() => undefined);
      } catch (e) {
        if (e instanceof ProbeFailure && (e.code === 'bad-greeting' || e.code === 'post-tls-failed' || e.code === 'timeout')) throw e;
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
