/** `mailpki verify`: path validation of a certificate against a CA, with host and purpose. */
import { MailPkiError } from '../../errors.js';
import { sha256Fingerprint, verifyCertificate, type VerifyResult } from '../../x509/index.js';
import { displayName } from '../../x509/name.js';
import type { Certificate } from '../../x509/types.js';
import { flag, str, type CommandSpec } from '../args.js';
import { loadCertificates, loadCrls } from '../load.js';
import { escapeTerminal } from '../../encoding/terminal.js';

export const spec: CommandSpec = {
  name: 'verify',
  summary: 'Verify a certificate: signatures, validity, CA constraints, name constraints, purpose, (with --host) the host name and (with --crl) revocation.',
  usage: ['verify CERT --ca FILE [--untrusted FILE] [--crl FILE]... [--revocation off|if-present|require] [--host NAME] [--email ADDR] [--purpose tls-server|tls-client|smime] [--at TIME] [--json]'],
  description: [
    'CERT may hold the leaf followed by intermediates (a chain file); --untrusted adds more. Only the certificates in --ca are trusted.',
    'The host name is matched against the subjectAltNames only, as RFC 9525 and browsers do: a certificate with the name only in its CN fails ' +
      '(openssl s_client and Node accept it, strict clients reject it).',
    'With --crl (repeatable; PEM "X509 CRL" bundles or DER), every certificate of the path whose issuer has a CRL there is checked ' +
      '(RFC 5280 6.3: CRL signature and signer, thisUpdate/nextUpdate, scope, delta CRLs); --revocation require also fails ' +
      'a certificate that no CRL covers (crl-not-found). A revoked certificate is reported with its reason and date (revoked).',
    'Exit 0 when valid; 1 with `error: <reason> (<code>)` otherwise. Names are printed in RFC 4514 form (CN=...,O=...), as everywhere in mailpki.',
    '--json prints {ok, reason, message, certificate, chain: [{subject, issuer, notBefore, notAfter, serial, sha256}]} on standard output, ' +
      'for success and failure alike (on failure "chain" is the path being checked, "certificate" the one that failed); the exit code is the same.',
  ],
  positionals: { min: 1, max: 1, name: 'CERT' },
  options: {
    ca: { type: 'string', required: true, arg: 'FILE', desc: 'trusted CA certificate(s) (PEM bundle or DER)' },
    untrusted: { type: 'string', multiple: true, arg: 'FILE', desc: 'intermediate certificates that may complete the path' },
    host: { type: 'string', arg: 'NAME', desc: 'DNS name or IP address the certificate must be valid for' },
    email: { type: 'string', arg: 'ADDR', desc: 'mailbox an S/MIME certificate must carry' },
    purpose: { type: 'string', choices: ['tls-server', 'tls-client', 'smime'], desc: 'check extendedKeyUsage/keyUsage (default: tls-server with --host)' },
    crl: { type: 'string', multiple: true, arg: 'FILE', desc: 'CRL(s) to check revocation against' },
    revocation: { type: 'string', choices: ['off', 'if-present', 'require'], desc: 'if-present (default): check what the CRLs cover; require: every certificate below the CA needs a CRL' },
    at: { type: 'string', arg: 'TIME', desc: 'verify at this time (ISO 8601, e.g. 2027-01-01T00:00:00Z) instead of now' },
    json: { type: 'boolean', desc: 'print the result as JSON' },
  },
  examples: [
    'mailpki verify mail.crt --ca ca.crt --host mail.example.com',
    'mailpki verify mail.chain.pem --ca root.crt --purpose tls-server',
    'mailpki verify mail.crt --ca root.crt --untrusted ica.crt --crl ica.crl --crl root.crl --revocation require',
    'mailpki verify mail.crt --ca ca.crt --host mail.example.com --json',
  ],
  async run(ctx) {
    const certPath = ctx.positionals[0]!;
    const certs = await loadCertificates(certPath);
    const leaf = certs[0]!;
    const trustAnchors = await loadCertificates(str(ctx, 'ca')!);
    const intermediates: Certificate[] = certs.slice(1);
    for (const f of (ctx.values.untrusted as string[] | undefined) ?? []) intermediates.push(...(await loadCertificates(f)));
    const atText = str(ctx, 'at');
    let at: Date | undefined;
    if (atText !== undefined) {
      at = new Date(atText);
      if (!/^\d{4}-\d{2}-\d{2}/.test(atText) || Number.isNaN(at.getTime())) throw new MailPkiError('ERR_USAGE', `verify: invalid --at ${JSON.stringify(atText.slice(0, 40))} (expected ISO 8601)`);
    }
    const host = str(ctx, 'host');
    const email = str(ctx, 'email');
    const purpose = str(ctx, 'purpose') as 'tls-server' | 'tls-client' | 'smime' | undefined;
    const crls = await loadCrls((ctx.values.crl as string[] | undefined) ?? []);
    const revocation = str(ctx, 'revocation') as 'off' | 'if-present' | 'require' | undefined;
    const r = verifyCertificate(leaf, {
      trustAnchors,
      intermediates,
      ...(at ? { at } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(email !== undefined ? { email } : {}),
      ...(purpose ? { purpose } : {}),
      ...(crls.length ? { crls } : {}),
      ...(revocation ? { revocation } : {}),
    });
    if (flag(ctx, 'json')) ctx.io.out(`${escapeTerminal(JSON.stringify(verifyJson(r), null, 2), 'json')}\n`);
    if (!r.ok) {
      ctx.io.err(`error: ${escapeTerminal(r.message)} (${r.reason})\n`);
      return 1;
    }
    if (flag(ctx, 'json')) return 0;
    ctx.io.out(`${escapeTerminal(certPath)}: OK${host !== undefined ? ` for ${host}` : ''}${purpose ? ` (${purpose})` : ''}${crls.length && revocation !== 'off' ? `, not revoked (${crls.length} CRL${crls.length === 1 ? '' : 's'})` : ''}\n`);
    r.chain.forEach((c, i) => ctx.io.out(`  ${i}: ${escapeTerminal(displayName(c.subject))}  (until ${c.notAfter.toISOString().slice(0, 10)})\n`));
    return 0;
  },
};

function certJson(c: Certificate): Record<string, string> {
  return {
    subject: displayName(c.subject),
    issuer: displayName(c.issuer),
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    serial: c.serialHex,
    sha256: sha256Fingerprint(c),
  };
}

/** The result as JSON: the same fields for success and failure. */
function verifyJson(r: VerifyResult): unknown {
  if (r.ok) return { ok: true, reason: null, message: null, certificate: null, chain: r.chain.map(certJson) };
  return { ok: false, reason: r.reason, message: r.message, certificate: r.certificate ? certJson(r.certificate) : null, chain: (r.chain ?? []).map(certJson) };
}
