/**
 * The plaintext side of SMTP, IMAP and POP3 as the probe speaks it, one
 * table entry per protocol: read the greeting, list the capabilities, start
 * TLS, say goodbye. Every reply is checked (220 / `* OK` / `+OK`), a reply
 * code may not change inside a multi-line reply, long replies are cut at
 * {@link MAX_REPLY_LINES}, and text from the server is quoted escaped in
 * messages ({@link quotePeer}). Reads run under the connection's time budget.
 *
 * Out of scope: TLS itself and the chain check (probe.ts), authentication,
 * mail transactions.
 * @internal
 */
import type { MailProtocol } from '../mail/ports.js';
import { escapeTerminal } from '../encoding/terminal.js';
import { LineConn, ProbeFailure } from './line-conn.js';
import type { ProbeFailureCode } from './probe.js';

/** Most lines in one reply (EHLO, CAPA) or untagged responses before a tagged one. */
export const MAX_REPLY_LINES = 200;

/** Peer text for a message: at most 80 characters, escaped, in quotes. @internal */
export function quotePeer(s: string): string {
  return `"${escapeTerminal(s.length > 80 ? `${s.slice(0, 80)}...` : s)}"`;
}

/** One protocol's plaintext dialogue. @internal */
export interface MailDialogue {
  /** The command that starts TLS, for messages. */
  readonly starttlsCommand: 'STARTTLS' | 'STLS';
  /** Read and check the greeting. */
  greeting(c: LineConn): Promise<void>;
  /**
   * Ask for the capabilities (upper-cased). `afterTls` selects the failure code
   * (`post-tls-failed`) and the IMAP tag. Undefined: the server cannot list them (POP3 without CAPA).
   */
  capabilities(c: LineConn, ehloName: string, afterTls: boolean): Promise<string[] | undefined>;
  /** Whether the capabilities offer TLS. */
  offersTls(caps: readonly string[]): boolean;
  /** Send the STARTTLS command and check its reply. */
  starttls(c: LineConn): Promise<void>;
  /** Say goodbye (the answer, if any, is read by the caller briefly). */
  goodbye(c: LineConn): void;
}

// ---------------------------------------------------------------- SMTP

interface SmtpReply {
  code: number;
  lines: string[];
}

/** Read a (multi-line) SMTP reply: `250-...` continues, `250 ...` ends (RFC 5321 4.2.1). */
async function smtpReply(c: LineConn, what: string): Promise<SmtpReply> {
  const lines: string[] = [];
  let code = -1;
  for (;;) {
    const line = await c.readLine(what);
    const m = /^(\d{3})([ -]|$)(.*)$/.exec(line);
    if (!m) throw new ProbeFailure('protocol-error', `${what}: not an SMTP reply: ${quotePeer(line)}`);
    const n = Number(m[1]);
    if (code !== -1 && n !== code) throw new ProbeFailure('protocol-error', `${what}: reply code changed from ${code} to ${n} inside one reply`);
    code = n;
    lines.push(m[3] ?? '');
    if (m[2] !== '-') return { code, lines };
    if (lines.length >= MAX_REPLY_LINES) throw new ProbeFailure('protocol-error', `${what}: reply longer than ${MAX_REPLY_LINES} lines`);
  }
}

const smtpText = (r: SmtpReply): string => `${r.code}${r.lines[0] ? ` ${quotePeer(r.lines[0])}` : ''}`;

const SMTP: MailDialogue = {
  starttlsCommand: 'STARTTLS',
  async greeting(c) {
    const g = await smtpReply(c, 'SMTP greeting');
    if (g.code !== 220) throw new ProbeFailure('bad-greeting', `SMTP greeting: expected 220, got ${smtpText(g)}`);
  },
  async capabilities(c, ehloName, afterTls) {
    const what = afterTls ? 'EHLO after TLS' : 'EHLO';
    c.write(`EHLO ${ehloName}`, what);
    const r = await smtpReply(c, what);
    if (r.code !== 250) throw new ProbeFailure(afterTls ? 'post-tls-failed' : 'protocol-error', `${what}: EHLO answered ${smtpText(r)}`);
    // The first line is the greeting name; the others are "KEYWORD [params]" (RFC 5321 4.1.1.1).
    return r.lines.slice(1).map((l) => l.trim().toUpperCase()).filter((l) => l.length > 0);
  },
  offersTls: (caps) => hasKeyword(caps, 'STARTTLS'),
  async starttls(c) {
    c.write('STARTTLS', 'STARTTLS');
    const r = await smtpReply(c, 'STARTTLS');
    if (r.code !== 220) throw new ProbeFailure('starttls-refused', `STARTTLS: expected 220, got ${smtpText(r)}`);
  },
  goodbye: (c) => c.writeAnyway('QUIT'),
};

// ---------------------------------------------------------------- IMAP

interface ImapTagged {
  status: string;
  text: string;
  untagged: string[];
}

/** Read IMAP responses up to the tagged completion of `tag` (RFC 9051 7.1). */
async function imapTagged(c: LineConn, tag: string, what: string): Promise<ImapTagged> {
  const untagged: string[] = [];
  for (;;) {
    const line = await c.readLine(what);
    if (line.startsWith('* ')) {
      untagged.push(line.slice(2));
      if (untagged.length > MAX_REPLY_LINES) throw new ProbeFailure('protocol-error', `${what}: more than ${MAX_REPLY_LINES} untagged responses`);
      continue;
    }
    const m = /^(\S+) (OK|NO|BAD)\b ?(.*)$/i.exec(line);
    if (m && m[1] === tag) return { status: m[2]!.toUpperCase(), text: m[3] ?? '', untagged };
    throw new ProbeFailure('protocol-error', `${what}: unexpected IMAP response ${quotePeer(line)}`);
  }
}

const IMAP: MailDialogue = {
  starttlsCommand: 'STARTTLS',
  async greeting(c) {
    const g = await c.readLine('IMAP greeting');
    if (/^\* OK\b/i.test(g)) return;
    if (/^\* PREAUTH\b/i.test(g)) throw new ProbeFailure('bad-greeting', 'IMAP greeting: PREAUTH (already authenticated), STARTTLS is then not allowed (RFC 9051 6.2.1)');
    throw new ProbeFailure('bad-greeting', `IMAP greeting: expected "* OK", got ${quotePeer(g)}`);
  },
  async capabilities(c, _ehloName, afterTls) {
    const tag = afterTls ? 'a3' : 'a1';
    const what = afterTls ? 'CAPABILITY after TLS' : 'CAPABILITY';
    const failCode: ProbeFailureCode = afterTls ? 'post-tls-failed' : 'protocol-error';
    c.write(`${tag} CAPABILITY`, what);
    const r = await imapTagged(c, tag, what);
    if (r.status !== 'OK') throw new ProbeFailure(failCode, `${what}: CAPABILITY answered ${r.status} ${quotePeer(r.text)}`);
    const caps = r.untagged.find((u) => /^CAPABILITY\b/i.test(u));
    if (caps === undefined) throw new ProbeFailure(failCode, `${what}: no CAPABILITY response`);
    return caps.split(/\s+/).slice(1).map((s) => s.toUpperCase());
  },
  offersTls: (caps) => caps.includes('STARTTLS'),
  async starttls(c) {
    c.write('a2 STARTTLS', 'STARTTLS');
    const r = await imapTagged(c, 'a2', 'STARTTLS');
    if (r.untagged.length > 0) throw new ProbeFailure('starttls-injection', `STARTTLS: untagged response before the tagged OK: ${quotePeer(r.untagged[0]!)}`);
    if (r.status !== 'OK') throw new ProbeFailure('starttls-refused', `STARTTLS: expected "a2 OK", got ${r.status} ${quotePeer(r.text)}`);
  },
  goodbye: (c) => c.writeAnyway('a4 LOGOUT'),
};

// ---------------------------------------------------------------- POP3

async function pop3Status(c: LineConn, what: string): Promise<{ ok: boolean; text: string }> {
  const line = await c.readLine(what);
  if (/^\+OK\b/.test(line)) return { ok: true, text: line.slice(3).trim() };
  if (/^-ERR\b/.test(line)) return { ok: false, text: line.slice(4).trim() };
  throw new ProbeFailure('protocol-error', `${what}: not a POP3 status line: ${quotePeer(line)}`);
}

const POP3: MailDialogue = {
  starttlsCommand: 'STLS',
  async greeting(c) {
    const s = await pop3Status(c, 'POP3 greeting');
    if (!s.ok) throw new ProbeFailure('bad-greeting', `POP3 greeting: -ERR ${quotePeer(s.text)}`);
  },
  /** CAPA (RFC 2449 5): undefined when the server does not support it. */
  async capabilities(c, _ehloName, afterTls) {
    const what = afterTls ? 'CAPA after TLS' : 'CAPA';
    c.write('CAPA', what);
    const s = await pop3Status(c, what);
    if (!s.ok) return undefined;
    const caps: string[] = [];
    for (;;) {
      const line = await c.readLine(what);
      if (line === '.') return caps;
      caps.push(line.replace(/^\.\./, '.').trim().toUpperCase());
      if (caps.length > MAX_REPLY_LINES) throw new ProbeFailure('protocol-error', `${what}: CAPA longer than ${MAX_REPLY_LINES} lines`);
    }
  },
  offersTls: (caps) => hasKeyword(caps, 'STLS'),
  async starttls(c) {
    c.write('STLS', 'STLS');
    const s = await pop3Status(c, 'STLS');
    if (!s.ok) throw new ProbeFailure('starttls-refused', `STLS: -ERR ${quotePeer(s.text)}`);
  },
  goodbye: (c) => c.writeAnyway('QUIT'),
};

const hasKeyword = (caps: readonly string[], kw: string): boolean => caps.some((c) => c === kw || c.startsWith(`${kw} `));

/** The dialogue of each mail protocol. @internal */
export const MAIL_DIALOGUES: Readonly<Record<MailProtocol, MailDialogue>> = { smtp: SMTP, imap: IMAP, pop3: POP3 };
