/** `mailpki check`: the STARTTLS-aware replacement for `openssl s_client`. */
import { MailPkiError } from '../../errors.js';
import { mailPortInfo } from '../../mail/index.js';
import { probeTls, type ProbeResult } from '../../node/probe.js';
import { formatNameOpenssl } from '../../x509/index.js';
import { flag, num, str, type CommandSpec } from '../args.js';
import { note } from '../io.js';
import { loadCertificates } from '../load.js';

export const spec: CommandSpec = {
  name: 'check',
  summary: 'Connect to a mail server, start TLS (STARTTLS or implicit), and check the certificate chain, host name and expiry.',
  usage: ['check HOST:PORT [--starttls smtp|imap|pop3 | --implicit] [--ca FILE] [--servername NAME] [--json]'],
  description: [
    'On 25 and 587 (SMTP), 143 (IMAP) and 110 (POP3) STARTTLS is used by default; 465, 993 and 995 are implicit TLS. ' +
      'Every reply code is checked, STARTTLS must be offered, bytes sent by the server between its STARTTLS reply and the handshake ' +
      'are an error (the STARTTLS command-injection class), SNI is sent, and EHLO / CAPABILITY are re-issued after TLS.',
    'The chain is verified by mailpki against --ca (else the Mozilla roots bundled with Node), and the name is matched against the ' +
      'SANs only (RFC 9525): a certificate that names the host only in its CN fails, unlike with openssl s_client and Node.',
    'Reports TLS version, cipher, the chain, host match, days until expiry and the TLSA 3 1 1 digest. Exit 0 only when everything passes.',
  ],
  positionals: { min: 1, max: 1, name: 'HOST:PORT' },
  options: {
    starttls: { type: 'string', choices: ['smtp', 'imap', 'pop3'], desc: 'upgrade with STARTTLS for this protocol (default: from the port)' },
    implicit: { type: 'boolean', desc: 'implicit TLS (handshake at once) even on a STARTTLS port' },
    ca: { type: 'string', arg: 'FILE', desc: 'trusted CA certificate(s) (default: the Mozilla roots in Node)' },
    servername: { type: 'string', arg: 'NAME', desc: 'name for SNI and the certificate check (default: HOST)' },
    timeout: { type: 'string', integer: [1, 300], arg: 'SECONDS', default: '10', desc: 'limit for each step' },
    json: { type: 'boolean', desc: 'print the result as JSON' },
    transcript: { type: 'boolean', desc: 'also print the protocol dialogue' },
    'warn-days': { type: 'string', integer: [0, 36500], arg: 'N', desc: 'fail (exit 1, reason expires-soon) when the certificate expires within N days (monitoring)' },
  },
  exclusive: [['starttls', 'implicit']],
  examples: [
    'mailpki check mail.example.com:587 --ca root-ca.pem',
    'mailpki check mail.example.com:993 --ca root-ca.pem --warn-days 21     # for monitoring: exit 1 three weeks before expiry',
    'mailpki check mail.example.com:993',
    'mailpki check 192.0.2.10:25 --starttls smtp --servername mail.example.com --json',
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
    if (!starttls && !flag(ctx, 'implicit') && info?.tls === 'starttls') starttls = info.protocol;
    const caPath = str(ctx, 'ca');
    const ca = caPath ? await loadCertificates(caPath) : undefined;
    const servername = str(ctx, 'servername');
    const r = await probeTls({
      host,
      port,
      ...(starttls ? { starttls } : {}),
      ...(servername ? { servername } : {}),
      ...(ca ? { ca } : {}),
      timeoutMs: (num(ctx, 'timeout') ?? 10) * 1000,
    });
    if (flag(ctx, 'json')) {
      ctx.io.out(`${JSON.stringify(toJson(r, flag(ctx, 'transcript')), null, 2)}\n`);
    } else {
      ctx.io.out(report(r, caPath));
      if (flag(ctx, 'transcript')) ctx.io.out(`Transcript:\n${r.transcript.map((l) => `  ${l}`).join('\n')}\n`);
    }
    if (!r.ok) {
      const f = r.failure;
      const msg = (f?.message ?? 'check failed').replace(/[\r\n]+/g, ' ');
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

function report(r: ProbeResult, caPath: string | undefined): string {
  const lines: string[] = [];
  const how = r.mode === 'implicit' ? 'implicit TLS' : `STARTTLS (${r.mode})`;
  lines.push(`${r.host}:${r.port}  ${how}${r.servername ? `, SNI ${r.servername}` : ''}`);
  if (r.tlsVersion) lines.push(`  TLS:        ${r.tlsVersion}, ${r.cipher?.standardName ?? r.cipher?.name ?? '?'}`);
  r.chain.forEach((c, i) => {
    lines.push(`  cert ${i}:     ${formatNameOpenssl(c.subject)}  (issuer ${formatNameOpenssl(c.issuer)}, until ${c.notAfter.toISOString().slice(0, 10)})`);
  });
  if (r.verification) {
    lines.push(`  chain:      ${r.verification.ok ? 'trusted' : `NOT trusted: ${r.verification.message}`} (against ${caPath ?? 'the Mozilla roots'})`);
  }
  if (r.hostMatch !== undefined) lines.push(`  host:       ${r.checkedName} ${r.hostMatch ? 'matches a SAN' : 'is NOT in the SANs'}`);
  if (r.daysUntilExpiry !== undefined) lines.push(`  expires in: ${r.daysUntilExpiry} days`);
  if (r.tlsa311) lines.push(`  TLSA:       ${r.tlsa311}`);
  if (r.capabilities?.length) lines.push(`  after TLS:  ${r.capabilities.join(' ')}`);
  lines.push(r.ok ? '  result:     OK' : `  result:     FAILED at ${r.failure?.stage ?? '?'}: ${r.failure?.code ?? ''}`);
  return `${lines.join('\n')}\n`;
}

function toJson(r: ProbeResult, transcript: boolean): unknown {
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
      subject: formatNameOpenssl(c.subject),
      issuer: formatNameOpenssl(c.issuer),
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      serial: c.serialHex,
    })),
    verified: r.verification ? r.verification.ok : null,
    verifyError: r.verification && !r.verification.ok ? { reason: r.verification.reason, message: r.verification.message } : null,
    hostMatch: r.hostMatch ?? null,
    daysUntilExpiry: r.daysUntilExpiry ?? null,
    tlsa311: r.tlsa311 ?? null,
    capabilitiesBeforeTls: r.capabilitiesBeforeTls ?? [],
    capabilities: r.capabilities ?? [],
    ...(transcript ? { transcript: r.transcript } : {}),
  };
}
