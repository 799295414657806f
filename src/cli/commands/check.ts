/** `mailpki check`: the STARTTLS-aware replacement for `openssl s_client`. */
import { MailPkiError } from '../../errors.js';
import { mailPortInfo } from '../../mail/index.js';
import { escapeTerminal } from '../../encoding/terminal.js';
import { PROBE_DEFAULT_TIMEOUT_MS, probeTls, type ProbeResult } from '../../node/probe.js';
import { parseIpAddress } from '../../x509/ip.js';
import { displayName } from '../../x509/name.js';
import { flag, num, str, type CommandSpec } from '../args.js';
import { note } from '../io.js';
import { loadCertificates, loadCrls } from '../load.js';

export const spec: CommandSpec = {
  name: 'check',
  summary: 'Connect to a mail server, start TLS (STARTTLS or implicit), and check the certificate chain, host name and expiry.',
  usage: ['check HOST:PORT [--starttls smtp|imap|pop3 | --implicit] [--protocol smtp|imap|pop3] [--ca FILE] [--crl FILE]... [--servername NAME] [--json]'],
  description: [
    'On 25 and 587 (SMTP), 143 (IMAP) and 110 (POP3) STARTTLS is used by default; 465, 993 and 995 are implicit TLS. ' +
      'Every reply code is checked, STARTTLS must be offered, bytes sent by the server between its STARTTLS reply and the handshake ' +
      'are an error (the STARTTLS command-injection class), SNI is sent, and EHLO / CAPABILITY are re-issued after TLS.',
    'The chain is verified by mailpki against --ca (else the Mozilla roots bundled with Node), and the name is matched against the ' +
      'SANs only (RFC 9525): a certificate that names the host only in its CN fails, unlike with openssl s_client and Node.',
    '--protocol is implicit TLS on a port of your choice (e.g. IMAPS on 10993): after the handshake the greeting and EHLO / CAPABILITY / CAPA ' +
      'of that protocol are checked, as on 465, 993 and 995.',
    'Reports TLS version, cipher, the chain, days until expiry and the TLSA 3 1 1 digest; chain trust and the name match are reported ' +
      'separately ("chain:" and "name:"; in --json "verified" is the chain alone, "hostMatch" the name). Exit 0 only when everything passes; ' +
      'else 1 with the reason code of the first failure (host-mismatch when only the name is wrong).',
    `--timeout bounds the whole check (default ${PROBE_DEFAULT_TIMEOUT_MS / 1000} s: enough for a slow but honest server, e.g. Postfix postscreen's ~6 s ` +
      'greeting delay); each single read or the handshake may take a third of it (at least 10 s). A server that drips bytes cannot stretch it. ' +
      'A TLS version or cipher mismatch is reported as one line (protocol-version, handshake-failed). Text sent by the server is printed escaped.',
  ],
  positionals: { min: 1, max: 1, name: 'HOST:PORT' },
  options: {
    starttls: { type: 'string', choices: ['smtp', 'imap', 'pop3'], desc: 'upgrade with STARTTLS for this protocol (default: from the port)' },
    implicit: { type: 'boolean', desc: 'implicit TLS (handshake at once) even on a STARTTLS port' },
    protocol: { type: 'string', choices: ['smtp', 'imap', 'pop3'], desc: 'implicit TLS, then check this protocol\'s dialogue (default: from the port)' },
    ca: { type: 'string', arg: 'FILE', desc: 'trusted CA certificate(s) (default: the Mozilla roots in Node)' },
    crl: { type: 'string', multiple: true, arg: 'FILE', desc: 'CRL(s): the served chain must not be revoked' },
    servername: { type: 'string', arg: 'NAME', desc: 'name for SNI and the certificate check (default: HOST)' },
    timeout: { type: 'string', integer: [1, 300], arg: 'SECONDS', default: String(PROBE_DEFAULT_TIMEOUT_MS / 1000), desc: 'overall limit for the whole check' },
    json: { type: 'boolean', desc: 'print the result as JSON' },
    transcript: { type: 'boolean', desc: 'also print the protocol dialogue' },
    'warn-days': { type: 'string', integer: [0, 36500], arg: 'N', desc: 'fail (exit 1, reason expires-soon) when the certificate expires within N days (monitoring)' },
  },
  exclusive: [['starttls', 'implicit'], ['starttls', 'protocol']],
  examples: [
    'mailpki check mail.example.com:587 --ca root-ca.pem',
    'mailpki check mail.example.com:993 --ca root-ca.pem --warn-days 21     # for monitoring: exit 1 three weeks before expiry',
    'mailpki check mail.example.com:993',
    'mailpki check mail.example.com:465 --ca root-ca.pem --crl ca.crl',
    'mailpki check mail.example.com:10993 --protocol imap --ca root-ca.pem     # IMAPS on a non-standard port',
    'mailpki check 192.0.2.10:25 --starttls smtp --servername mail.example.com --json',
    'mailpki check mail.example.com:25 --timeout 90     # a server that tarpits its greeting',
  ],
  async run(ctx) {
    const target = ctx.positionals[0]!;
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(target);
    if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) {
      throw new MailPkiError('ERR_USAGE', `check: expected HOST:PORT (e.g. mail.example.com:587, [2001:db8::1]:993), got ${JSON.stringify(target.slice(0, 80))}`);
    }
    const host = m[1] ?? m[2]!;
    const port = Number(m[3]);
    let starttls = str(ctx, 'starttls') as 'smtp' | 'imap' | 'pop3' | undefined;
    const info = mailPortInfo(port);
    const protocol = str(ctx, 'protocol') as 'smtp' | 'imap' | 'pop3' | undefined;
    if (!starttls && !flag(ctx, 'implicit') && !protocol && info?.tls === 'starttls') starttls = info.protocol;
    const caPath = str(ctx, 'ca');
    const ca = caPath ? await loadCertificates(caPath) : undefined;
    const servername = str(ctx, 'servername');
    const crls = await loadCrls((ctx.values.crl as string[] | undefined) ?? []);
    const r = await probeTls({
      ...(crls.length ? { crls } : {}),
      host,
      port,
      ...(starttls ? { starttls } : {}),
      ...(protocol ? { protocol } : {}),
      ...(servername ? { servername } : {}),
      ...(ca ? { ca } : {}),
      timeoutMs: (num(ctx, 'timeout') ?? PROBE_DEFAULT_TIMEOUT_MS / 1000) * 1000,
    });
    if (flag(ctx, 'json')) {
      ctx.io.out(`${escapeTerminal(JSON.stringify(toJson(r, flag(ctx, 'transcript'), servername), null, 2), 'json')}\n`);
    } else {
      ctx.io.out(report(r, caPath, servername));
      if (flag(ctx, 'transcript')) ctx.io.out(`Transcript:\n${r.transcript.map((l) => `  ${escapeTerminal(l)}`).join('\n')}\n`);
    }
    if (!r.ok) {
      const f = r.failure;
      const hint = f?.code === 'host-mismatch' ? nameCheck(r, servername)?.suggestion : undefined;
      const msg = escapeTerminal(`${f?.message ?? 'check failed'}${hint ? `; name the host with ${hint}` : ''}`);
      const where = `${host}:${port}`;
      ctx.io.err(`error: ${msg.startsWith(`connect to ${where}`) ? msg : `${where}: ${msg}`} (${f?.code ?? 'failed'})\n`);
      return 1;
    }
    const warnDays = num(ctx, 'warn-days');
    if (warnDays !== undefined && r.daysUntilExpiry !== undefined && r.daysUntilExpiry <= warnDays) {
      ctx.io.err(`error: ${host}:${port}: the certificate expires in ${r.daysUntilExpiry} days, on ${r.chain[0]?.notAfter.toISOString().slice(0, 10)} (--warn-days ${warnDays}) (expires-soon)\n`);
      return 1;
    }
    if (r.daysUntilExpiry !== undefined && r.daysUntilExpiry < 30) note(ctx.io, `the certificate expires in ${r.daysUntilExpiry} days`);
    return 0;
  },
};

/** The report; every value from the server (names, messages, capabilities) goes through escapeTerminal. */
function report(r: ProbeResult, caPath: string | undefined, servername: string | undefined): string {
  const e = escapeTerminal;
  const lines: string[] = [];
  const how = r.mode === 'implicit' ? 'implicit TLS' : `STARTTLS (${r.mode})`;
  lines.push(`${e(r.host)}:${r.port}  ${how}${r.servername ? `, SNI ${e(r.servername)}` : ''}`);
  if (r.tlsVersion) lines.push(`  TLS:        ${e(r.tlsVersion)}, ${e(r.cipher?.standardName ?? r.cipher?.name ?? '?')}`);
  r.chain.forEach((c, i) => {
    lines.push(`  cert ${i}:     ${e(displayName(c.subject))}  (issuer ${e(displayName(c.issuer))}, until ${c.notAfter.toISOString().slice(0, 10)})`);
  });
  lines.push(...trustLines(r, caPath, servername));
  if (r.daysUntilExpiry !== undefined) lines.push(`  expires in: ${r.daysUntilExpiry} days`);
  if (r.tlsa311) lines.push(`  TLSA:       ${r.tlsa311}`);
  if (r.capabilities?.length) lines.push(`  after TLS:  ${e(r.capabilities.join(' '))}`);
  lines.push(r.ok ? '  result:     OK' : `  result:     FAILED at ${r.failure?.stage ?? '?'}: ${r.failure?.code ?? ''}`);
  return `${lines.join('\n')}\n`;
}

function toJson(r: ProbeResult, transcript: boolean, servername: string | undefined): unknown {
  const n = nameCheck(r, servername);
  return {
    ok: r.ok,
    host: r.host,
    port: r.port,
    mode: r.mode,
    application: r.application,
    servername: r.servername ?? null,
    checkedName: r.checkedName,
    failure: r.failure ?? null,
    tlsVersion: r.tlsVersion ?? null,
    cipher: r.cipher ?? null,
    chain: r.chain.map((c) => ({
      subject: displayName(c.subject),
      issuer: displayName(c.issuer),
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      serial: c.serialHex,
    })),
    verified: r.chainVerification ? r.chainVerification.ok : null,
    verifyError: r.chainVerification && !r.chainVerification.ok ? { reason: r.chainVerification.reason, message: r.chainVerification.message } : null,
    hostMatch: r.hostMatch ?? null,
    sans: n?.sans ?? [],
    suggestion: n?.suggestion ?? null,
    daysUntilExpiry: r.daysUntilExpiry ?? null,
    tlsa311: r.tlsa311 ?? null,
    capabilitiesBeforeTls: r.capabilitiesBeforeTls ?? [],
    capabilities: r.capabilities ?? [],
    ...(transcript ? { transcript: r.transcript } : {}),
  };
}

/** The leaf's DNS and IP SANs, and `--servername NAME` to suggest when an IP address was checked without one. */
function nameCheck(r: ProbeResult, servername: string | undefined): { sans: string[]; suggestion?: string } | undefined {
  const leaf = r.chain[0];
  if (!leaf || r.hostMatch === undefined) return undefined;
  const sans = (leaf.decoded.subjectAltName ?? []).flatMap((g) => (g.type === 'dns' || g.type === 'ip' ? [g.value] : []));
  if (r.hostMatch || servername !== undefined || !parseIpAddress(r.checkedName)) return { sans };
  const dns = (leaf.decoded.subjectAltName ?? []).flatMap((g) => (g.type === 'dns' && !g.value.startsWith('*') ? [g.value] : []))[0];
  return { sans, suggestion: `--servername ${dns ?? 'NAME'}` };
}

/** `chain:` (trust alone) and `name:` (the SAN match alone) lines, plus a hint for an IP address checked without --servername. */
function trustLines(r: ProbeResult, caPath: string | undefined, servername: string | undefined): string[] {
  const e = escapeTerminal;
  const lines: string[] = [];
  const v = r.chainVerification;
  if (v) lines.push(`  chain:      ${v.ok ? 'trusted' : `NOT trusted: ${e(v.message)}`} (against ${e(caPath ?? 'the Mozilla roots')})`);
  const n = nameCheck(r, servername);
  if (n) {
    const sans = n.sans.length ? `SAN: ${n.sans.join(', ')}` : 'no DNS or IP SAN';
    lines.push(`  name:       ${r.hostMatch ? `matches ${e(r.checkedName)}` : `does not match ${e(r.checkedName)} (${e(sans)})`}`);
    if (n.suggestion) lines.push(`  hint:       ${e(r.checkedName)} is an IP address: name the host the certificate is for with ${e(n.suggestion)}`);
  }
  return lines;
}
