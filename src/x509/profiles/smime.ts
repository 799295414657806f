/** S/MIME (signed / encrypted mail for one address) leaf profile. */
import { OID } from '../../oid.js';
import type { CertificateProfile } from './types.js';

/**
 * S/MIME leaf (CA/B Forum S/MIME BR): SAN rfc822Name required, EKU
 * emailProtection only (never serverAuth), KU critical and "dual use" (sign
 * and receive encrypted mail, S/MIME BR 7.1.2.3 e): digitalSignature +
 * keyEncipherment for RSA, digitalSignature + keyAgreement for EC (ECDH
 * key agreement is how mail is encrypted to an EC key, RFC 5753),
 * digitalSignature only for Ed25519 (signing only); BC CA:false, SKI, AKI;
 * 397 days, at most 825.
 * @public
 */
export const SMIME_PROFILE: CertificateProfile = {
  name: 'smime',
  ca: false,
  keyUsage: (t) => (t === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : t === 'ec' ? ['digitalSignature', 'keyAgreement'] : ['digitalSignature']),
  extKeyUsage: [OID.emailProtection],
  requireSan: 'email',
  sanTypes: ['email'],
  defaultDays: 397,
  maxDays: 825,
  reasons: {
    san: 'S/MIME BR 7.1.2.3: the mailbox is an rfc822Name SAN; mail clients match the From address against it',
    extKeyUsage: 'emailProtection only: S/MIME BR forbids serverAuth, codeSigning, timeStamping and anyExtendedKeyUsage, so the mail-server cert and a user cert stay separate',
    keyUsage: 'S/MIME BR 7.1.2.3 e dual use: digitalSignature to sign, keyEncipherment (RSA) or keyAgreement (EC) to receive encrypted mail; critical',
    maxDays: 'S/MIME BR 6.3.2: at most 825 days',
  },
};
