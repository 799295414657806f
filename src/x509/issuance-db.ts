/**
 * What a CA issued: the record kept for every certificate it signs, and the
 * {@link IssuanceDatabase} interface that stores those records.
 *
 * Issuance stays pure (issue.ts does no I/O): a caller that issues a
 * certificate makes its record with {@link issuanceRecordOf} and hands it to
 * a database of its choice. `mailpki/node` has the file implementation
 * (`openIssuanceDatabase`: an append-only journal with a lock file, used by
 * the CLI); {@link createMemoryIssuanceDatabase} is the in-memory one (tests,
 * short-lived tools), and tools that keep their own database implement the
 * four methods.
 *
 * Serials are keyed in one canonical form ({@link normalizeSerial}):
 * lowercase hex of the positive integer, no leading zeros, so `0A:1B`,
 * `0x0a1b` and `a1b` name the same certificate.
 *
 * Out of scope: CRL encoding (crl.ts), storage (src/node/issuance-db.ts).
 */
import { MailPkiError } from '../errors.js';
import { OID } from '../oid.js';
import { formatNameRfc4514 } from './name.js';
import { formatGeneralName } from './general-name.js';
import type { Certificate } from './types.js';
import { CRL_REASONS, type CrlReason } from './crl.js';

/** A revocation reason name `revoke` accepts (RFC 5280 5.3.1): a CRLReason other than `removeFromCRL`. @public */
export type RevocationReason = Exclude<CrlReason, 'removeFromCRL'>;

/**
 * The revocation reasons `revoke` accepts: RFC 5280 5.3.1 CRLReason names
 * (in code order) without `removeFromCRL` (delta CRLs only).
 * @public
 */
export const REVOCATION_REASONS: readonly RevocationReason[] = CRL_REASONS.filter((r): r is RevocationReason => r !== undefined && r !== 'removeFromCRL');

/** Everything recorded about one issued certificate except the certificate itself. @public */
export interface IssuanceSummary {
  /** Serial number in canonical form (lowercase hex, no leading zeros; see {@link normalizeSerial}). */
  readonly serial: string;
  /** Subject, RFC 4514 string (`CN=mail.example.com,O=Example`); empty when the subject is empty. */
  readonly subject: string;
  /** subjectAltNames as `DNS:x`, `IP:x`, `email:x`, `URI:x`. */
  readonly names: readonly string[];
  /** How it was issued: `tls-server`, `tls-client`, `smime`, `intermediate-ca`, or a caller's own label. */
  readonly profile: string;
  /** The certificate's notBefore. */
  readonly notBefore: Date;
  /** The certificate's notAfter (inclusive). */
  readonly notAfter: Date;
  /** When it was recorded. */
  readonly issuedAt: Date;
  /** `revoked` once {@link IssuanceDatabase.revoke} was called for it. */
  readonly status: 'valid' | 'revoked';
  /** Revocation time (with `status: 'revoked'`). */
  readonly revokedAt?: Date;
  /** Revocation reason (with `status: 'revoked'`). */
  readonly revocationReason?: RevocationReason;
}

/** A full record: the summary and the certificate (DER). @public */
export interface IssuanceRecord extends IssuanceSummary {
  /** The certificate as issued, DER. */
  readonly certificate: Uint8Array;
}

/**
 * Where a CA keeps its records. Implementations must make `add` and `revoke`
 * durable before they resolve, and refuse a serial recorded twice.
 * @public
 */
export interface IssuanceDatabase {
  /**
   * Record an issued certificate.
   * @throws MailPkiError `ERR_DB_DUPLICATE` when the serial is already recorded.
   */
  add(record: IssuanceRecord): Promise<void>;
  /**
   * Mark a certificate revoked.
   * @param serial - any form {@link normalizeSerial} accepts
   * @param at - revocation time (default now)
   * @returns the updated summary
   * @throws MailPkiError `ERR_SERIAL_UNKNOWN` (no such record), `ERR_POLICY` (already revoked).
   */
  revoke(serial: string | bigint, reason: RevocationReason, at?: Date): Promise<IssuanceSummary>;
  /** The full record of one serial, or undefined. */
  get(serial: string | bigint): Promise<IssuanceRecord | undefined>;
  /** Every summary, in the order they were recorded. */
  list(): Promise<IssuanceSummary[]>;
  /**
   * Reserve the cRLNumber of the next CRL (RFC 5280 5.2.3: increasing):
   * one more than the last one reserved, 1 for the first, recorded durably
   * before it resolves so no two CRLs of the CA share a number.
   */
  allocateCrlNumber(at?: Date): Promise<bigint>;
}

/**
 * The canonical form of a serial number: lowercase hex of the positive
 * integer without leading zeros. Accepts a bigint or hex text with optional
 * `0x`, colons or spaces (as `openssl x509 -serial` and `-text` print them).
 * @throws RangeError for text that is not hex (at most 64 digits) or a value that is not positive.
 * @example
 * ```ts
 * normalizeSerial('0A:1B'); // 'a1b'
 * ```
 * @public
 */
export function normalizeSerial(serial: string | bigint): string {
  if (typeof serial === 'bigint') {
    if (serial <= 0n) throw new RangeError('serial must be positive');
    return serial.toString(16);
  }
  if (typeof serial !== 'string') throw new TypeError('serial: a hex string or a bigint is expected');
  const hex = serial.trim().replace(/^0x/i, '').replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{1,64}$/.test(hex)) throw new RangeError(`serial ${JSON.stringify(serial.slice(0, 80))} is not a hex number`);
  const stripped = hex.replace(/^0+/, '');
  if (stripped === '') throw new RangeError('serial must be positive');
  return stripped;
}

/**
 * The record of a certificate just issued (pure: no I/O).
 * @param cert - the issued certificate
 * @param profile - how it was issued (e.g. `tls-server`, `intermediate-ca`)
 * @param issuedAt - default now
 * @example
 * ```ts
 * const cert = issueCertificate({ profile: 'tls-server', csr, issuer, issuerKey });
 * await db.add(issuanceRecordOf(cert, 'tls-server'));
 * ```
 * @public
 */
export function issuanceRecordOf(cert: Certificate, profile: string, issuedAt: Date = new Date()): IssuanceRecord {
  if (!cert || !(cert.der instanceof Uint8Array)) throw new TypeError('cert: a parsed Certificate is required');
  if (typeof profile !== 'string' || profile === '') throw new TypeError('profile: a non-empty string is required');
  return {
    serial: normalizeSerial(cert.serialNumber),
    subject: cert.subject.rdns.length ? formatNameRfc4514(cert.subject) : '',
    names: (cert.decoded.subjectAltName ?? []).map((g) => formatGeneralName(g)),
    profile,
    notBefore: new Date(cert.notBefore.getTime()),
    notAfter: new Date(cert.notAfter.getTime()),
    issuedAt: new Date(issuedAt.getTime()),
    status: 'valid',
    certificate: Uint8Array.from(cert.der),
  };
}

/** The profile label of an issued certificate, from its extensions (for records made after the fact). @public */
export function profileOf(cert: Certificate): string {
  if (cert.decoded.basicConstraints?.ca) return 'intermediate-ca';
  const eku = cert.decoded.extKeyUsage ?? [];
  if (eku.includes(OID.serverAuth)) return 'tls-server';
  if (eku.includes(OID.clientAuth)) return 'tls-client';
  if (eku.includes(OID.emailProtection)) return 'smime';
  return 'other';
}

/** Refuse a second revocation, saying when and why the first one was. @internal */
export function alreadyRevoked(s: IssuanceSummary): MailPkiError {
  return new MailPkiError('ERR_POLICY', `serial ${s.serial} is already revoked (${s.revocationReason ?? 'unspecified'}, ${s.revokedAt?.toISOString() ?? '?'})`);
}

/** No record with that serial. @internal */
export function unknownSerial(serial: string): MailPkiError {
  return new MailPkiError('ERR_SERIAL_UNKNOWN', `no certificate with serial ${serial} in the issuance database`);
}

/**
 * An in-memory {@link IssuanceDatabase} (tests, short-lived tools). Records
 * are copied in and out, so callers cannot change them behind its back.
 * @example
 * ```ts
 * const db = createMemoryIssuanceDatabase();
 * await db.add(issuanceRecordOf(cert, 'tls-server'));
 * await db.revoke(cert.serialNumber, 'keyCompromise');
 * ```
 * @public
 */
export function createMemoryIssuanceDatabase(): IssuanceDatabase {
  const records = new Map<string, IssuanceRecord>();
  let crlNumber = 0n;
  const copy = (r: IssuanceRecord): IssuanceRecord => ({ ...r, names: [...r.names], certificate: Uint8Array.from(r.certificate) });
  const summary = (r: IssuanceRecord): IssuanceSummary => {
    const { certificate: _c, ...s } = r;
    return { ...s, names: [...s.names] };
  };
  return {
    async add(record) {
      const serial = normalizeSerial(record.serial);
      if (records.has(serial)) throw new MailPkiError('ERR_DB_DUPLICATE', `serial ${serial} is already recorded`);
      records.set(serial, copy({ ...record, serial }));
    },
    async revoke(serial, reason, at = new Date()) {
      if (!REVOCATION_REASONS.includes(reason)) throw new RangeError(`reason must be one of ${REVOCATION_REASONS.join(', ')}`);
      const key = normalizeSerial(serial);
      const r = records.get(key);
      if (!r) throw unknownSerial(key);
      if (r.status === 'revoked') throw alreadyRevoked(r);
      const next: IssuanceRecord = { ...r, status: 'revoked', revokedAt: new Date(at.getTime()), revocationReason: reason };
      records.set(key, next);
      return summary(next);
    },
    async get(serial) {
      const r = records.get(normalizeSerial(serial));
      return r && copy(r);
    },
    async list() {
      return [...records.values()].map(summary);
    },
    async allocateCrlNumber() {
      crlNumber += 1n;
      return crlNumber;
    },
  };
}
