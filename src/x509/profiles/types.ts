/**
 * The shape of a certificate profile: the template fragment the CA applies
 * whatever the request asks for (DESIGN.md §4: the CA, not the CSR, decides
 * key usage, extended key usage and basic constraints). Every value carries
 * its reason in `reasons`.
 */
import type { KeyType } from '../../crypto/key-types.js';
import type { KeyUsageName } from '../types.js';

/** Profile names. @public */
export type ProfileName = 'root-ca' | 'intermediate-ca' | 'tls-server' | 'tls-client' | 'smime';

/** Leaf profile names accepted by `issueCertificate`. @public */
export type LeafProfileName = 'tls-server' | 'tls-client' | 'smime';

/** A certificate profile: fixed extension values plus validity policy. @public */
export interface CertificateProfile {
  /** Which profile this is (`root-ca`, `tls-server`, ...). */
  readonly name: ProfileName;
  /** basicConstraints cA (always written, critical). */
  readonly ca: boolean;
  /** Default pathLenConstraint for CAs (undefined: none). */
  readonly pathLen?: number;
  /** keyUsage bits for a subject key of this type (always critical). */
  readonly keyUsage: (keyType: KeyType) => readonly KeyUsageName[];
  /** extKeyUsage purposes (dotted OIDs); empty for CAs. */
  readonly extKeyUsage: readonly string[];
  /** SAN requirement: `dns-or-ip` (TLS server), `email` (S/MIME), or none. */
  readonly requireSan?: 'dns-or-ip' | 'email';
  /** SAN types this profile may carry. */
  readonly sanTypes: ReadonlyArray<'dns' | 'ip' | 'email' | 'uri'>;
  /** Default validity in days. */
  readonly defaultDays: number;
  /** Refused above this many days unless the caller passes `allowLongValidity: true`. */
  readonly maxDays?: number;
  /** A warning is returned above this many days. */
  readonly warnDays?: number;
  /** Why each value is what it is. */
  readonly reasons: Readonly<Record<string, string>>;
}
