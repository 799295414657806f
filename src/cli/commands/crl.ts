/** `mailpki crl`: publish a CRL of what the CA's issuance database says is revoked. */
import { createCrl, DEFAULT_CRL_DAYS } from '../../x509/crl.js';
import { checkWritable, writeFilesAtomic } from '../../node/file-store.js';
import { flag, num, str, type CommandSpec } from '../args.js';
import { note } from '../io.js';
import { loadMailCa } from '../mail-ca.js';
import { DB_OPTION, caDatabase } from '../ca-db.js';
import { passphraseOptions } from '../load.js';

const CA_PASS = { fileFlag: 'ca-passphrase-file', envFlag: 'ca-passphrase-env', what: 'CA key' };

export const spec: CommandSpec = {
  name: 'crl',
  summary: 'Sign a CRL (v2, RFC 5280) listing every certificate revoked in the CA\'s issuance database.',
  usage: ['crl --ca CERT --ca-key KEY --out FILE [--days N] [--der] [--db PATH] [--ca-passphrase-file F] [--force]'],
  description: [
    'Reads the database next to --ca (or --db), reserves the next cRLNumber in it (numbers only increase), and writes the CRL signed by the CA: ' +
      'issuer, AKI, cRLNumber, thisUpdate = now, nextUpdate = now + N days (default 7), and per revoked certificate its serial, revocation date and reason.',
    'Publish it where clients look (a cRLDistributionPoints URL, or `openssl verify -crl_check -CRLfile`) and make a new one before nextUpdate: ' +
      'a CRL past its nextUpdate makes strict clients refuse every certificate of the CA. A CA made by the classic OpenSSL recipe (no keyUsage) may sign CRLs; ' +
      'one whose keyUsage lacks cRLSign may not (ERR_ISSUER_NOT_CA).',
  ],
  positionals: { min: 0, max: 0, name: 'argument' },
  options: {
    ca: { type: 'string', required: true, arg: 'CERT', desc: 'the CA certificate' },
    'ca-key': { type: 'string', required: true, arg: 'KEY', desc: 'the CA private key' },
    ...passphraseOptions('ca-', 'passphrase of --ca-key'),
    out: { type: 'string', required: true, arg: 'FILE', desc: 'where to write the CRL (PEM, or DER with --der)' },
    days: { type: 'string', integer: [1, 3650], arg: 'N', default: String(DEFAULT_CRL_DAYS), desc: 'days until nextUpdate' },
    der: { type: 'boolean', desc: 'write DER instead of PEM (what HTTP distribution points usually serve)' },
    force: { type: 'boolean', desc: 'replace an existing --out (atomically)' },
    ...DB_OPTION,
  },
  exclusive: [['ca-passphrase-file', 'ca-passphrase-env']],
  examples: [
    'mailpki crl --ca root-ca.pem --ca-key root-ca.key --ca-passphrase-file ca.pass --out root-ca.crl --force',
    'openssl verify -crl_check -CAfile root-ca.pem -CRLfile root-ca.crl server.pem     # check a certificate against it',
  ],
  async run(ctx) {
    const out = str(ctx, 'out')!;
    const force = flag(ctx, 'force');
    await checkWritable([out], { force });
    const ca = await loadMailCa(ctx, { certPath: str(ctx, 'ca')!, keyPath: str(ctx, 'ca-key')! }, CA_PASS);
    const db = caDatabase(ctx, ca.certPath);
    const revoked = (await db.list()).filter((r) => r.status === 'revoked');
    const entries = revoked.map((r) => ({
      serial: BigInt(`0x${r.serial}`),
      revocationDate: r.revokedAt!,
      ...(r.revocationReason && r.revocationReason !== 'unspecified' ? { reason: r.revocationReason } : {}),
    }));
    const thisUpdate = new Date();
    // Check everything createCrl checks before a number is reserved: a refused CA (keyUsage without cRLSign) reserves none.
    createCrl({ issuerCertificate: ca.issuer, issuerKey: ca.key, entries: [], crlNumber: 1n, thisUpdate, days: num(ctx, 'days') ?? DEFAULT_CRL_DAYS });
    const crlNumber = await db.allocateCrlNumber(thisUpdate);
    const crl = createCrl({ issuerCertificate: ca.issuer, issuerKey: ca.key, entries, crlNumber, thisUpdate, days: num(ctx, 'days') ?? DEFAULT_CRL_DAYS });
    await writeFilesAtomic([{ path: out, data: flag(ctx, 'der') ? crl.der : crl.pem, kind: 'cert' }], { force });
    ctx.io.out(`wrote ${out}: CRL number ${crlNumber}, ${entries.length} revoked certificate${entries.length === 1 ? '' : 's'}, next update ${crl.nextUpdate?.toISOString().slice(0, 16).replace('T', ' ')} UTC\n`);
    if (!ca.issuer.decoded.keyUsage) note(ctx.io, 'the CA certificate has no keyUsage extension: RFC 5280 lets it sign CRLs, strict verifiers (openssl -x509_strict) refuse such a CA');
  },
};
