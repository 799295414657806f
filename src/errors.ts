/**
 * Errors for bad data and failed checks.
 *
 * Two tiers (DESIGN.md §3): wrong *arguments* (a number where a string
 * belongs, an unknown option value) throw `TypeError`/`RangeError` naming the
 * argument; bad *data* (malformed PEM/DER, a wrong passphrase, a signature
 * that fails, a policy refusal) throws {@link MailPkiError} with a stable
 * `code`. Messages are one line and never contain key material.
 */

/**
 * Every stable error code. Grouped by area; append new codes to the group
 * they belong to. Codes are part of the public contract: never rename one.
 * Every listed code is thrown somewhere (a test keeps it so). `ERR_USAGE`
 * and `ERR_PASSPHRASE_REQUIRED` come from the CLI only; the CLI also prints
 * `ERR_INTERNAL` for an unexpected exception (a bug), which is no
 * `MailPkiError` and not listed here.
 * @public
 */
export const ERROR_CODES = [
  // encoding
  'ERR_PEM_MALFORMED', // not PEM, bad base64, BEGIN/END mismatch
  'ERR_PEM_NOT_FOUND', // no PEM block of the wanted kind
  'ERR_PEM_LABEL', // a PEM block of an unexpected kind
  'ERR_DER_MALFORMED', // not decodable as DER at all, or truncated
  'ERR_DER_TRAILING_DATA', // bytes after the single top-level element
  'ERR_DER_NOT_CANONICAL', // BER where DER is required
  'ERR_ASN1_STRUCTURE', // decodes, but is not the expected ASN.1 structure
  'ERR_INPUT_TOO_LARGE', // input beyond a documented size limit
  // keys
  'ERR_KEY_UNSUPPORTED', // algorithm, curve or key size we do not handle
  'ERR_KEY_INVALID', // inconsistent RSA key, point not on curve, ...
  'ERR_KEY_TOO_SMALL', // RSA < 2048 bits where policy requires more
  'ERR_KEY_ENCRYPTED', // a passphrase is needed to read this key
  'ERR_BAD_PASSPHRASE', // decryption failed: wrong passphrase (or corrupt data)
  'ERR_ENCRYPTION_UNSUPPORTED', // cipher, PRF or KDF we do not read
  'ERR_KEY_MISMATCH', // private key does not belong to the certificate/CSR
  'ERR_JWK_INVALID',
  // signatures
  'ERR_ALGORITHM_UNSUPPORTED',
  'ERR_WEAK_ALGORITHM', // SHA-1, MD5, ... refused
  'ERR_SIGNATURE_INVALID',
  'ERR_SIGNATURE_FAULT', // a freshly computed RSA-CRT signature did not verify
  // x509
  'ERR_NAME_INVALID', // distinguished name cannot be parsed or encoded
  'ERR_SAN_INVALID', // a subjectAltName value is not a valid DNS/IP/email/URI
  'ERR_CSR_SIGNATURE', // CSR proof of possession failed
  'ERR_CERT_MALFORMED',
  'ERR_EXTENSION_INVALID',
  'ERR_POLICY', // refused by a profile or CA policy (no SAN, too long, ...)
  'ERR_ISSUER_NOT_CA', // issuer lacks CA:true or keyCertSign
  'ERR_VALIDITY', // bad validity window (notAfter before notBefore, outlives issuer)
  'ERR_NAME_CONSTRAINTS', // a name the issuer's (or its chain's) name constraints do not permit
  'ERR_WRONG_ISSUER', // a certificate was not issued by the given CA (e.g. renewing another CA's certificate)
  'ERR_CRL_MALFORMED', // a CRL that is not a well-formed RFC 5280 CertificateList
  // chains and verification
  'ERR_CHAIN_INCOMPLETE', // an intermediate is missing
  'ERR_CHAIN_BROKEN', // a link does not match (name, AKI/SKI, signature)
  'ERR_NO_CERTIFICATE',
  // runtime / control
  'ERR_ABORTED', // an AbortSignal fired
  // node adapters, files, network
  'ERR_FILE_NOT_FOUND',
  'ERR_FILE_EXISTS',
  'ERR_FILE_UNSAFE', // symlink, wrong owner, ...
  'ERR_LOCKED', // another mailpki run holds the output directory's lock
  'ERR_IO',
  // issuance database
  'ERR_DB_CORRUPT', // a record in the middle of the database cannot be read (a torn last line is not corruption)
  'ERR_DB_LOCKED', // another live process holds the database lock past the wait limit
  'ERR_DB_DUPLICATE', // a serial number is already recorded
  'ERR_SERIAL_UNKNOWN', // no record with that serial number
  // (network and TLS failures of probeTls are results, not errors: see ProbeFailureCode)
  // cli: thrown only by the mailpki command line, never by the library
  // (test/unit/repo-rules.test.ts keeps both facts true: every code here is
  // thrown somewhere in src/, and these two only under src/cli/)
  'ERR_USAGE', // a bad command line (exit 2)
  'ERR_PASSPHRASE_REQUIRED', // an encrypted key and no passphrase source (no terminal to ask)
] as const;

/** A stable error code. @public */
export type MailPkiErrorCode = (typeof ERROR_CODES)[number];

/**
 * The error thrown for bad data and failed checks.
 *
 * @example
 * ```ts
 * try { parsePrivateKey(text) } catch (e) {
 *   if (e instanceof MailPkiError && e.code === 'ERR_BAD_PASSPHRASE') { ... }
 * }
 * ```
 * @public
 */
export class MailPkiError extends Error {
  /** Stable machine-readable code. */
  readonly code: MailPkiErrorCode;
  /** Structured facts about the failure, for front ends that word it themselves (absent when there are none). */
  readonly details?: MailPkiErrorDetails;

  constructor(code: MailPkiErrorCode, message: string, options?: { cause?: unknown; details?: MailPkiErrorDetails }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'MailPkiError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

/**
 * Structured facts of a {@link MailPkiError}. The message is worded for
 * library callers ("pass allowLongValidity: true to override"); a front end
 * (the CLI, a web form) names its own control for `option` instead, using
 * `summary` (the message without the library's hint).
 * @public
 */
export interface MailPkiErrorDetails {
  /** The message without the library-worded hint. */
  readonly summary?: string;
  /** The library option that changes the outcome, e.g. `allowLongValidity`, `leaf`. */
  readonly option?: string;
  /** The input field concerned, e.g. `validity`, `certificates`. */
  readonly field?: string;
  /** The rule that refused the input, e.g. `Apple: at most 825 days for TLS certificates`. */
  readonly rule?: string;
}

/**
 * A MailPkiError whose message is `summary` plus a hint naming the library
 * option `option` (`; pass allowLongValidity: true to override`);
 * `details.summary` and `details.option` let front ends word the hint their way.
 * @internal
 */
export function errorWithOption(code: MailPkiErrorCode, summary: string, option: string, libraryHint: string, extra?: Omit<MailPkiErrorDetails, 'summary' | 'option'>): MailPkiError {
  return new MailPkiError(code, `${summary}; ${libraryHint}`, { details: { ...extra, summary, option } });
}

/** True when `e` is a {@link MailPkiError}, optionally with the given code. @public */
export function isMailPkiError(e: unknown, code?: MailPkiErrorCode): e is MailPkiError {
  return e instanceof MailPkiError && (code === undefined || e.code === code);
}

/**
 * Run `fn`; turn any non-MailPkiError thrown inside (decoder surprises, stack
 * overflow on hostile nesting, bigint RangeErrors) into a MailPkiError with
 * `code`. Use at the boundary of every decoder so callers see one error type.
 * @internal
 */
export function wrapDecode<T>(code: MailPkiErrorCode, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MailPkiError) throw e;
    throw new MailPkiError(code, `${what}: ${describe(e)}`, { cause: e });
  }
}

function describe(e: unknown): string {
  if (e instanceof RangeError && /call stack/i.test(e.message)) return 'structure nested too deeply';
  if (e instanceof Error) return e.message.split('\n')[0] ?? 'invalid';
  return 'invalid';
}
