/** Root CA profile (self-signed trust anchor). */
import type { CertificateProfile } from './types.js';

/**
 * Root CA: BC CA:true critical, KU keyCertSign + cRLSign critical, SKI,
 * 1,825 days.
 * @public
 */
export const ROOT_CA_PROFILE: CertificateProfile = {
  name: 'root-ca',
  ca: true,
  pathLen: undefined,
  keyUsage: () => ['keyCertSign', 'cRLSign'],
  extKeyUsage: [],
  sanTypes: [],
  defaultDays: 1825,
  reasons: {
    ca: 'RFC 5280 4.2.1.9: a CA certificate asserts cA TRUE in a critical basicConstraints',
    pathLen: 'none by default: a private root usually signs an intermediate; set pathLen to limit depth',
    keyUsage: 'RFC 5280 4.2.1.3: keyCertSign to sign certificates, cRLSign to sign CRLs; critical',
    extKeyUsage: 'none: an EKU on a root restricts every chain below it in some clients (CA/B BR 7.1.2.1)',
    defaultDays: '1,825 days (5 years), as in the classic OpenSSL procedure; a root is replaced rarely',
    authorityKeyIdentifier: 'omitted: RFC 5280 4.2.1.1 allows it to be absent in a self-signed certificate',
  },
};
