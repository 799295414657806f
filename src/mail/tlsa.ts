/**
 * DANE TLSA records (RFC 6698 §2, RFC 7671, RFC 7672 for SMTP).
 *
 * `3 1 1` (DANE-EE, SubjectPublicKeyInfo, SHA-256) pins the server's own key
 * and survives renewals that keep the key: what RFC 7671 §5.1 recommends for
 * SMTP. `2 1 1` (DANE-TA) pins the CA's key; the CA certificate must then be
 * in the chain the server sends (RFC 7671 §5.2.2).
 *
 * Out of scope: DNSSEC itself (TLSA records are worthless in an unsigned
 * zone), publishing the record, MTA-STS.
 */
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { toHex } from '../encoding/bytes.js';
import type { Certificate } from '../x509/types.js';
import { checkHostName } from './tls-profile.js';

/** Options of {@link tlsaRecord}. @public */
export interface TlsaOptions {
  /**
   * Certificate usage (RFC 6698 §2.1.1): 3 = DANE-EE (the server's own
   * certificate/key; default, RFC 7672 §3.1), 2 = DANE-TA (the CA that issued it:
   * give the CA certificate).
   */
  readonly usage?: 2 | 3;
  /** Selector (§2.1.2): 1 = SubjectPublicKeyInfo (default: survives renewal with the same key), 0 = whole certificate. */
  readonly selector?: 0 | 1;
  /** Matching type (§2.1.3): 1 = SHA-256 (default), 2 = SHA-512, 0 = the full data. */
  readonly matching?: 0 | 1 | 2;
  /** TCP port the record is for; default 25 (DANE for SMTP, RFC 7672, covers the MX port). */
  readonly port?: number;
  /** The server's host name (the MX name); when absent `owner` and `record` use `HOST` as a placeholder. */
  readonly host?: string;
}

/** A TLSA record. @public */
export interface TlsaRecord {
  /** Certificate usage: 3 = DANE-EE, 2 = DANE-TA (see {@link TlsaOptions.usage}). */
  readonly usage: 2 | 3;
  /** Selector: 1 = SubjectPublicKeyInfo, 0 = whole certificate. */
  readonly selector: 0 | 1;
  /** Matching type: 1 = SHA-256, 2 = SHA-512, 0 = the full data. */
  readonly matching: 0 | 1 | 2;
  /** Certificate association data, lower-case hex. */
  readonly data: string;
  /** `_25._tcp.mail.example.com.` */
  readonly owner: string;
  /** `3 1 1 <hex>`: the RDATA, as `openssl s_client -dane_tlsa_rrdata` takes it. */
  readonly rdata: string;
  /** The zone-file line: `_25._tcp.mail.example.com. IN TLSA 3 1 1 <hex>`. */
  readonly record: string;
}

/**
 * Compute a TLSA record for a certificate (or a bare SubjectPublicKeyInfo).
 *
 * @param input - the server certificate for usage 3, the CA certificate for usage 2;
 *   or the DER of a SubjectPublicKeyInfo (selector 1 only).
 * @param options - usage, selector, matching type, port, host.
 * @returns the record's parts and its zone-file line.
 * @throws TypeError / RangeError for an input of the wrong kind, selector 0 without a
 *   certificate, a bad port or a host that is not a DNS name.
 *
 * @example
 * ```ts
 * const r = tlsaRecord(serverCert, { host: 'mail.example.com' });
 * r.record // "_25._tcp.mail.example.com. IN TLSA 3 1 1 0c72ac70..."
 * ```
 * @public
 */
export function tlsaRecord(input: Certificate | Uint8Array, options: TlsaOptions = {}): TlsaRecord {
  const usage = options.usage ?? 3;
  const selector = options.selector ?? 1;
  const matching = options.matching ?? 1;
  const port = options.port ?? 25;
  if (usage !== 2 && usage !== 3) throw new RangeError('usage: expected 3 (DANE-EE) or 2 (DANE-TA)');
  if (selector !== 0 && selector !== 1) throw new RangeError('selector: expected 1 (SPKI) or 0 (certificate)');
  if (matching !== 0 && matching !== 1 && matching !== 2) throw new RangeError('matching: expected 1 (SHA-256), 2 (SHA-512) or 0 (full)');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError('port: expected an integer 1..65535');

  let selected: Uint8Array;
  if (input instanceof Uint8Array) {
    if (selector !== 1) throw new TypeError('input: selector 0 needs a certificate, not a bare SubjectPublicKeyInfo');
    selected = input;
  } else if (input !== null && typeof input === 'object' && input.spki instanceof Uint8Array && input.der instanceof Uint8Array) {
    selected = selector === 1 ? input.spki : input.der;
  } else {
    throw new TypeError('input: expected a parsed Certificate or SubjectPublicKeyInfo DER bytes');
  }
  const digest = matching === 1 ? sha256(selected) : matching === 2 ? sha512(selected) : selected;
  const data = toHex(digest);

  let owner: string;
  if (options.host === undefined) {
    owner = `_${port}._tcp.HOST.`;
  } else {
    // RFC 1035 §2.3.1 / RFC 1123 §2.1 labels; an IP address has no TLSA owner name.
    const host = checkHostName('host', options.host);
    owner = `_${port}._tcp.${host}.`;
  }
  const rdata = `${usage} ${selector} ${matching} ${data}`;
  return { usage, selector, matching, data, owner, rdata, record: `${owner} IN TLSA ${rdata}` };
}
