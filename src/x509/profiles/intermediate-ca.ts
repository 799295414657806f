/** Intermediate CA profile. */
import type { CertificateProfile } from './types.js';

/**
 * Intermediate CA: BC CA:true pathLen 0 critical, KU keyCertSign + cRLSign
 * critical, SKI + AKI, 1,095 days (clamped to the issuer).
 * @public
 */
export const INTERMEDIATE_CA_PROFILE: CertificateProfile = {
  name: 'intermediate-ca',
  ca: true,
  pathLen: 0,
  keyUsage: () => ['keyCertSign', 'cRLSign'],
  extKeyUsage: [],
  sanTypes: [],
  defaultDays: 1095,
  reasons: {
    ca: 'RFC 5280 4.2.1.9: cA TRUE in a critical basicConstraints',
    pathLen: 'pathLen 0: this CA signs leaves only, so a stolen intermediate key cannot mint further CAs (RFC 5280 4.2.1.9)',
    keyUsage: 'RFC 5280 4.2.1.3: keyCertSign + cRLSign; critical',
    defaultDays: '1,095 days (3 years): shorter than the root so it can be rotated while the root stays; never past the issuer (clamped)',
  },
};
