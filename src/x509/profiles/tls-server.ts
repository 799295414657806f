/** TLS server (mail server: SMTP, IMAP, POP3, submission) leaf profile. */
import { OID } from '../../oid.js';
import type { CertificateProfile } from './types.js';

/**
 * TLS server leaf: SAN (DNS/IP) required, KU digitalSignature
 * (+ keyEncipherment for RSA) critical, EKU serverAuth, BC CA:false, SKI,
 * AKI; 397 days; refused over 825 days without `allowLongValidity`; a
 * warning over 200 days.
 * @public
 */
export const TLS_SERVER_PROFILE: CertificateProfile = {
  name: 'tls-server',
  ca: false,
  keyUsage: (t) => (t === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']),
  extKeyUsage: [OID.serverAuth],
  requireSan: 'dns-or-ip',
  sanTypes: ['dns', 'ip'],
  defaultDays: 397,
  maxDays: 825,
  warnDays: 200,
  reasons: {
    san: 'RFC 9525 / CA/B BR 7.1.4.2: clients match the SAN only, never the CN; a server cert without SAN fails everywhere',
    keyUsage: 'digitalSignature for (EC)DHE handshakes; keyEncipherment only for RSA (TLS 1.2 RSA key transport); critical (CA/B BR 7.1.2.7.11)',
    extKeyUsage: 'serverAuth: RFC 5280 4.2.1.12; Apple and Chrome require it',
    basicConstraints: 'CA:false, so the leaf cannot sign certificates (RFC 5280 4.2.1.9)',
    defaultDays: '397 days: the longest public TLS certs had before CA/B SC-081; Apple accepts it',
    maxDays: 'Apple rejects any TLS server cert valid over 825 days, private roots included (HT210176)',
    warnDays: 'CA/B SC-081: public TLS certs ≤ 200 days from 2026-03-15 (100 from 2027, 47 from 2029)',
  },
};
