/** `mailpki ca list`: what a CA issued and when each certificate expires, from its issuance database. */
import { MailPkiError } from '../../errors.js';
import type { IssuanceSummary } from '../../x509/issuance-db.js';
import { defaultIssuanceDatabasePath, openIssuanceDatabase } from '../../node/issuance-db.js';
import { flag, num, str, type CommandSpec } from '../args.js';
import { DB_OPTION, printable } from '../ca-db.js';
import { loadCertificates } from '../load.js';

const DAY_MS = 86_400_000;

export const spec: CommandSpec = {
  name: 'ca list',
  summary: 'List the certificates a CA issued (from its issuance database): serial, status, expiry, names.',
  usage: ['ca list (--ca CERT | --db PATH) [--expiring DAYS] [--json]'],
  description: [
    'Reads the database that sign, ca intermediate, mail init and mail renew keep next to the CA certificate ' +
      '(root-ca.pem -> root-ca.issued.jsonl), or the one given with --db. Status is valid, expired or revoked; ' +
      '--expiring DAYS keeps the valid certificates that expire within DAYS days (exit 0 either way: use --json for scripts).',
    'A damaged database is one error line (ERR_DB_CORRUPT) naming the line; a torn last line left by a killed writer is ignored.',
  ],
  positionals: { min: 0, max: 0, name: 'argument' },
  options: {
    ca: { type: 'string', arg: 'CERT', desc: 'the CA certificate (its database is found next to it)' },
    ...DB_OPTION,
    expiring: { type: 'string', integer: [0, 36500], arg: 'DAYS', desc: 'only valid certificates that expire within DAYS days' },
    json: { type: 'boolean', desc: 'print JSON (one object per certificate)' },
  },
  examples: ['mailpki ca list --ca ./mailpki-out/root-ca.pem', 'mailpki ca list --ca root-ca.pem --expiring 30 --json'],
  async run(ctx) {
    const caPath = str(ctx, 'ca');
    const dbPath = str(ctx, 'db') ?? (caPath !== undefined ? defaultIssuanceDatabasePath(caPath) : undefined);
    if (dbPath === undefined) throw new MailPkiError('ERR_USAGE', 'ca list: give --ca CERT (the database next to it) or --db PATH');
    if (caPath !== undefined) await loadCertificates(caPath); // a mistyped --ca is an error, not an empty list
    const db = openIssuanceDatabase(dbPath);
    const now = Date.now();
    const within = num(ctx, 'expiring');
    let rows = await db.list();
    if (within !== undefined) rows = rows.filter((r) => r.status === 'valid' && r.notAfter.getTime() > now && r.notAfter.getTime() <= now + within * DAY_MS);
    if (flag(ctx, 'json')) {
      ctx.io.out(`${JSON.stringify(rows.map((r) => toJson(r, now)), null, 1)}\n`);
      return 0;
    }
    ctx.io.out(table(rows, now));
    ctx.io.out(`${rows.length} certificate${rows.length === 1 ? '' : 's'}${within !== undefined ? ` expiring within ${within} days` : ''} (${db.path})\n`);
    return 0;
  },
};

function status(r: IssuanceSummary, now: number): string {
  return r.status === 'revoked' ? 'revoked' : r.notAfter.getTime() <= now ? 'expired' : 'valid';
}

function toJson(r: IssuanceSummary, now: number): unknown {
  return {
    serial: r.serial,
    status: status(r, now),
    subject: r.subject,
    names: r.names,
    profile: r.profile,
    notBefore: r.notBefore.toISOString(),
    notAfter: r.notAfter.toISOString(),
    daysLeft: Math.floor((r.notAfter.getTime() - now) / DAY_MS),
    issuedAt: r.issuedAt.toISOString(),
    revokedAt: r.revokedAt?.toISOString() ?? null,
    revocationReason: r.revocationReason ?? null,
  };
}

function table(rows: readonly IssuanceSummary[], now: number): string {
  const head = ['SERIAL', 'STATUS', 'NOT AFTER', 'DAYS', 'PROFILE', 'SUBJECT / NAMES'];
  const body = rows.map((r) => [
    r.serial.toUpperCase(),
    status(r, now) + (r.status === 'revoked' ? ` (${r.revocationReason})` : ''),
    r.notAfter.toISOString().slice(0, 10),
    String(Math.floor((r.notAfter.getTime() - now) / DAY_MS)),
    printable(r.profile, 16),
    printable([r.subject, ...r.names.filter((n) => !r.subject.includes(n.replace(/^DNS:/, '')))].filter(Boolean).join(' ') || '(empty)', 100),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${[fmt(head), ...body.map(fmt)].join('\n')}\n`;
}
