/** TLS client-authentication leaf profile (e.g. a relay authenticating to a smarthost). */
import { OID } from '../../oid.js';
import type { CertificateProfile } from './types.js';

/**
 * TLS client leaf: KU digitalSignature (+ keyEncipherment for RSA) critical,
 * EKU clientAuth, BC CA:false, SKI, AKI; SANs optional; 397 days; refused
 * over 825 days without `allowLongValidity`.
 * @public
 */
export const TLS_CLIENT_PROFILE: CertificateProfile = {
  name: 'tls-client',
  ca: false,
  keyUsage: (t) => (t === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']),
  extKeyUsage: [OID.clientAuth],
  sanTypes: ['dns', 'ip', 'email', 'uri'],
  defaultDays: 397,
  maxDays: 825,
  reasons: {
    keyUsage: 'digitalSignature signs the CertificateVerify; keyEncipherment for RSA keys; critical',
    extKeyUsage: 'clientAuth only (RFC 5280 4.2.1.12): a client cert must not pass as a server cert',
    basicConstraints: 'CA:false (RFC 5280 4.2.1.9)',
    defaultDays: '397 days, as for servers',
    maxDays: '825 days, the same ceiling as TLS server certs, so a lost client key does not stay valid for years',
  },
};
