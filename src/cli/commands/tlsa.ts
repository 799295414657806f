/** `mailpki tlsa`: the DANE TLSA record for a certificate. */
import { MailPkiError } from '../../errors.js';
import { tlsaRecord } from '../../mail/index.js';
import { num, str, type CommandSpec } from '../args.js';
import { loadCertificates } from '../load.js';
import { escapeTerminal } from '../../encoding/terminal.js';

export const spec: CommandSpec = {
  name: 'tlsa',
  summary: 'Print the DANE TLSA record (RFC 6698, RFC 7672 for SMTP) for a certificate.',
  usage: ['tlsa CERT [--usage 3|2] [--selector 1|0] [--matching 1|2|0] [--port 25] [--host NAME]'],
  description: [
    '3 1 1 (default): DANE-EE, the SHA-256 of the server\'s SubjectPublicKeyInfo; survives renewals that keep the key. ' +
      '2 1 1: DANE-TA, pins the CA: give the CA certificate, and the server must send it in its chain. ' +
      'DANE for SMTP (RFC 7672) covers port 25 and needs a DNSSEC-signed zone.',
    'With a chain file, usage 3 uses the first certificate and usage 2 the last one.',
    'Host default: the first DNS name of the certificate (usage 3).',
  ],
  positionals: { min: 1, max: 1, name: 'CERT' },
  options: {
    usage: { type: 'string', choices: ['3', '2'], default: '3', desc: 'certificate usage: 3 DANE-EE, 2 DANE-TA' },
    selector: { type: 'string', choices: ['1', '0'], default: '1', desc: '1 SubjectPublicKeyInfo, 0 whole certificate' },
    matching: { type: 'string', choices: ['1', '2', '0'], default: '1', desc: '1 SHA-256, 2 SHA-512, 0 full data' },
    port: { type: 'string', integer: [1, 65535], arg: 'N', default: '25', desc: 'TCP port of the record' },
    host: { type: 'string', arg: 'NAME', desc: 'host name of the record owner' },
  },
  examples: ['mailpki tlsa server.pem --host mail.example.com', 'mailpki tlsa root-ca.pem --usage 2 --host mail.example.com'],
  async run(ctx) {
    const certs = await loadCertificates(ctx.positionals[0]!);
    const usage = Number(str(ctx, 'usage') ?? '3') as 2 | 3;
    const cert = usage === 3 ? certs[0]! : certs[certs.length - 1]!;
    let host = str(ctx, 'host');
    if (host === undefined && usage === 3) {
      const dns = cert.decoded.subjectAltName?.find((g) => g.type === 'dns');
      if (dns && dns.type === 'dns' && !dns.value.startsWith('*')) host = dns.value;
    }
    if (host === undefined) throw new MailPkiError('ERR_USAGE', 'tlsa: give --host NAME (the mail server\'s host name)');
    const r = tlsaRecord(cert, {
      usage,
      selector: Number(str(ctx, 'selector') ?? '1') as 0 | 1,
      matching: Number(str(ctx, 'matching') ?? '1') as 0 | 1 | 2,
      port: num(ctx, 'port') ?? 25,
      host,
    });
    ctx.io.out(`${escapeTerminal(r.record)}\n`); // the owner name may come from the certificate's SAN
  },
};
