/** `mailpki revoke`: mark a certificate revoked in its CA's issuance database (publish with `mailpki crl`). */
import { MailPkiError } from '../../errors.js';
import { REVOCATION_REASONS, normalizeSerial, type RevocationReason } from '../../x509/issuance-db.js';
import { str, type CommandSpec } from '../args.js';
import { note } from '../io.js';
import { loadCertificates } from '../load.js';
import { DB_OPTION, assertIssuedBy, caDatabase, printable } from '../ca-db.js';

export const spec: CommandSpec = {
  name: 'revoke',
  summary: 'Mark a certificate revoked in the CA\'s issuance database; `mailpki crl` then publishes it.',
  usage: ['revoke (SERIAL | --cert FILE) --ca CERT --reason REASON [--db PATH]'],
  description: [
    'SERIAL is hex as `mailpki ca list` or `openssl x509 -serial` print it (colons and leading zeros are ignored). ' +
      'With --cert, the certificate must have been issued by --ca (its signature is checked). Nothing is written for a serial the database does not know ' +
      '(ERR_SERIAL_UNKNOWN) or a certificate already revoked.',
    'Reasons (RFC 5280 5.3.1): keyCompromise when the private key may be known to someone else, superseded when it was replaced, ' +
      'cessationOfOperation when the server is gone, affiliationChanged, privilegeWithdrawn, cACompromise, certificateHold, unspecified.',
  ],
  positionals: { min: 0, max: 1, name: 'SERIAL' },
  options: {
    cert: { type: 'string', arg: 'FILE', desc: 'the certificate to revoke (instead of SERIAL)' },
    ca: { type: 'string', required: true, arg: 'CERT', desc: 'the issuing CA certificate (its database is next to it)' },
    reason: { type: 'string', required: true, choices: REVOCATION_REASONS, desc: 'why (RFC 5280 CRLReason)' },
    ...DB_OPTION,
  },
  examples: [
    'mailpki revoke 5F3A09C1D2E4B6A8 --ca root-ca.pem --reason superseded',
    'mailpki revoke --cert old/server.pem --ca root-ca.pem --reason keyCompromise && mailpki crl --ca root-ca.pem --ca-key root-ca.key --out ca.crl --force',
  ],
  async run(ctx) {
    const certPath = str(ctx, 'cert');
    const serialArg = ctx.positionals[0];
    if ((certPath === undefined) === (serialArg === undefined)) throw new MailPkiError('ERR_USAGE', 'revoke: give either SERIAL or --cert FILE');
    const caPath = str(ctx, 'ca')!;
    const ca = (await loadCertificates(caPath))[0]!;
    let serial: string;
    if (certPath !== undefined) {
      const cert = (await loadCertificates(certPath))[0]!;
      assertIssuedBy(cert, ca, certPath);
      serial = normalizeSerial(cert.serialNumber);
    } else {
      try {
        serial = normalizeSerial(serialArg!);
      } catch (e) {
        throw new MailPkiError('ERR_USAGE', `revoke: ${(e as Error).message}`);
      }
    }
    const reason = str(ctx, 'reason') as RevocationReason;
    const db = caDatabase(ctx, caPath);
    const r = await db.revoke(serial, reason);
    ctx.io.out(`revoked ${r.serial.toUpperCase()} (${printable(r.subject || r.names.join(', ') || 'no subject', 120)}): ${reason}, recorded in ${db.path}\n`);
    note(ctx.io, `publish it: mailpki crl --ca ${caPath} --ca-key <CA key> --out <file.crl> --force`);
  },
};
