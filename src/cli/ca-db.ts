/**
 * The CA's issuance database as the CLI uses it: where it lives (`--db PATH`,
 * else next to the CA certificate), recording what a command issued, and the
 * "was this certificate issued by that CA" check shared by renew and revoke.
 */
import { MailPkiError } from '../errors.js';
import { issuanceRecordOf } from '../x509/issuance-db.js';
import { checkSignature, couldIssue, describeCert, describeName } from '../x509/chain.js';
import type { Certificate } from '../x509/types.js';
import { defaultIssuanceDatabasePath, openIssuanceDatabase, type FileIssuanceDatabase } from '../node/issuance-db.js';
import { str, type CommandContext, type OptionSpec } from './args.js';

/** The `--db` option of every command that issues or reads records. */
export const DB_OPTION: Readonly<Record<string, OptionSpec>> = {
  db: { type: 'string', arg: 'PATH', desc: 'issuance database (default: <CA certificate name>.issued.jsonl next to the CA certificate; created on first use)' },
};

/**
 * The lock wait, in ms: 30 s, or MAILPKI_DB_LOCK_TIMEOUT_MS (tests; a
 * monitoring job that must not hang behind a long-running issuer).
 */
function lockTimeout(ctx: CommandContext): number {
  const v = ctx.io.env.MAILPKI_DB_LOCK_TIMEOUT_MS;
  return v !== undefined && /^\d{1,7}$/.test(v) ? Number(v) : 30_000;
}

/** The database of the CA whose certificate is at `caPath` (or `--db`). */
export function caDatabase(ctx: CommandContext, caPath: string): FileIssuanceDatabase {
  return openIssuanceDatabase(str(ctx, 'db') ?? defaultIssuanceDatabasePath(caPath), { lockTimeoutMs: lockTimeout(ctx) });
}

/**
 * Record `cert` before any file of it is published, so a certificate on disk
 * always has its record (a crash in between leaves a record without files,
 * which `ca list` shows and `revoke` can still revoke).
 */
export async function recordIssued(ctx: CommandContext, caPath: string, cert: Certificate, profile: string): Promise<string> {
  const db = caDatabase(ctx, caPath);
  await db.add(issuanceRecordOf(cert, profile));
  return db.path;
}

/** ERR_WRONG_ISSUER unless `ca` issued `cert` (names, key identifiers and the signature). */
export function assertIssuedBy(cert: Certificate, ca: Certificate, what: string): void {
  if (!couldIssue(ca, cert) || !checkSignature(cert, ca).ok) {
    throw new MailPkiError('ERR_WRONG_ISSUER', `${what} (${describeCert(cert)}, issuer ${describeName(cert.issuer)}) was not issued by the CA ${describeCert(ca)}`);
  }
}

/** Text from a database or certificate, safe for a terminal: control and bidi characters become '?', long values are cut. */
export function printable(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
}
