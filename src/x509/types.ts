/**
 * The shapes of parsed X.509 objects (certificates, CSRs, names, extensions).
 * Parsers in this folder produce them; builders accept the `*Input` types.
 * Parsed objects keep their raw DER next to the decoded fields (DESIGN.md §3).
 */
import type { PublicKey } from '../crypto/key-types.js';

/** One attribute of a relative distinguished name. @public */
export interface NameAttribute {
  /** Dotted OID. */
  readonly oid: string;
  /** Short name when known (`CN`, `O`, `emailAddress`, ...), else the OID. */
  readonly type: string;
  /** The decoded text; for a non-string value of an unknown attribute type, `#` + hex of its DER (RFC 4514 style). */
  readonly value: string;
  /** ASN.1 string type it was (or will be) encoded with, e.g. `UTF8String`. */
  readonly stringType?: string;
}

/**
 * A distinguished name: RDNs in encoding order (most significant first, as
 * OpenSSL's `/C=.../CN=...` prints it); each RDN has one or more attributes.
 * @public
 */
export interface DistinguishedName {
  /** The RDNs, most significant first; each holds its attributes in encoding order (usually one). */
  readonly rdns: ReadonlyArray<ReadonlyArray<NameAttribute>>;
  /** DER of the Name, exactly as read (or as encoded). */
  readonly der: Uint8Array;
}

/**
 * A name as callers give it: an object (`{ C: 'US', O: 'Example', CN: 'x' }`,
 * arrays for repeated attributes, in the order C, ST, L, O, OU, CN,
 * emailAddress), an OpenSSL string (`/C=US/O=Example/CN=x`), an RFC 4514
 * string (`CN=x,O=Example`), or a parsed name.
 * @public
 */
export type NameInput = string | DistinguishedName | Readonly<Record<string, string | readonly string[]>>;

/** A GeneralName (RFC 5280 4.2.1.6) as mailpki models it. @public */
export type GeneralName =
  | { readonly type: 'dns'; readonly value: string }
  | {
      readonly type: 'ip';
      /** Dotted IPv4 or RFC 5952 IPv6 text; a name-constraint base is `address/prefix`. */
      readonly value: string;
      /**
       * The 4 or 16 address octets, set by mailpki's parsers beside the text
       * (not enumerable: printing, JSON and deep equality see the text only);
       * absent on a GeneralName built by hand.
       */
      readonly bytes?: Uint8Array;
      /** For a name-constraint base: the mask octets (same length as `bytes`). */
      readonly mask?: Uint8Array;
    }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'dn'; readonly value: DistinguishedName }
  | { readonly type: 'other'; readonly oid: string; readonly der: Uint8Array }
  | { readonly type: 'registeredId'; readonly value: string };

/** A SAN as callers give it: a string typed automatically (DNS, IP, email, URI) or explicit. @public */
export type SanInput = string | GeneralName;

/** Key usage bit names (RFC 5280 4.2.1.3). @public */
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** Name constraints subtree set (RFC 5280 4.2.1.10). @public */
export interface NameConstraints {
  /** Bases of the permittedSubtrees (minimum / maximum are not kept); empty when absent. */
  readonly permitted: readonly GeneralName[];
  /** Bases of the excludedSubtrees (minimum / maximum are not kept); empty when absent. */
  readonly excluded: readonly GeneralName[];
}

/** A decoded extension. Unknown ones keep only `der`. @public */
export interface Extension {
  /** Dotted OID of the extension (extnID). */
  readonly oid: string;
  /** Short name when known (`subjectAltName`, ...), else the OID. */
  readonly name: string;
  /** The critical flag (false when the DEFAULT FALSE was left out). */
  readonly critical: boolean;
  /** extnValue contents (the DER inside the OCTET STRING). */
  readonly der: Uint8Array;
}

/** Extensions decoded into fields; absent ones are undefined. @public */
export interface DecodedExtensions {
  /** subjectAltName entries, in order. */
  readonly subjectAltName?: readonly GeneralName[];
  /** Names of the keyUsage bits that are set, in bit order. */
  readonly keyUsage?: readonly KeyUsageName[];
  /** Dotted OIDs. */
  readonly extKeyUsage?: readonly string[];
  /** basicConstraints: `ca` (false when absent from the extension) and pathLenConstraint when present. */
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLen?: number };
  /** subjectKeyIdentifier bytes. */
  readonly subjectKeyIdentifier?: Uint8Array;
  /** authorityKeyIdentifier: keyIdentifier bytes, authorityCertIssuer names and authorityCertSerialNumber, each when present. */
  readonly authorityKeyIdentifier?: {
    readonly keyIdentifier?: Uint8Array;
    readonly issuer?: readonly GeneralName[];
    readonly serial?: bigint;
  };
  /** nameConstraints subtrees (see {@link NameConstraints}). */
  readonly nameConstraints?: NameConstraints;
  /** Distribution point URIs / names, flattened. */
  readonly crlDistributionPoints?: readonly GeneralName[];
  /** authorityInfoAccess descriptions: `method` is the dotted accessMethod OID (OCSP, caIssuers, ...), `location` the GeneralName. */
  readonly authorityInfoAccess?: ReadonlyArray<{ readonly method: string; readonly location: GeneralName }>;
  /** certificatePolicies: each policy's dotted OID with its CPS URI and userNotice explicitText qualifiers, when present. */
  readonly certificatePolicies?: ReadonlyArray<{ readonly oid: string; readonly cps?: readonly string[]; readonly userNotice?: readonly string[] }>;
}

/** Signature algorithm as found in a certificate or CSR. @public */
export interface SignatureAlgorithmInfo {
  /** Dotted OID of the AlgorithmIdentifier. */
  readonly oid: string;
  /** e.g. `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `RSASSA-PSS`, `Ed25519`. */
  readonly name: string;
  /** Hash used, when there is one. */
  readonly hash?: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' | 'MD5' | string;
}

/** A parsed certificate. @public */
export interface Certificate {
  /** 1 or 3 (2 is read but never written). */
  readonly version: number;
  /** Serial number as a signed integer (certificates mailpki issues have a positive one, at most 20 octets). */
  readonly serialNumber: bigint;
  /** Serial as colon-free lower-case hex of its DER content. */
  readonly serialHex: string;
  /** The outer signatureAlgorithm (the strict reader refuses one that differs from TBSCertificate.signature). */
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  /** Issuer name. */
  readonly issuer: DistinguishedName;
  /** Subject name (may have no RDNs when the names are in the SAN). */
  readonly subject: DistinguishedName;
  /** Start of the validity period (UTC, second precision). */
  readonly notBefore: Date;
  /** End of the validity period, inclusive (RFC 5280 4.1.2.5; UTC, second precision). */
  readonly notAfter: Date;
  /** The subject public key, decoded (`opaque` for an algorithm mailpki cannot use). */
  readonly publicKey: PublicKey;
  /** DER of the SubjectPublicKeyInfo, as read. */
  readonly spki: Uint8Array;
  /** Every extension, in order, with raw DER. */
  readonly extensions: readonly Extension[];
  /** The known extensions, decoded. */
  readonly decoded: DecodedExtensions;
  /** DER of the TBSCertificate, as read (what the signature covers). */
  readonly tbs: Uint8Array;
  /** signatureValue bytes (the BIT STRING contents; for ECDSA the DER Ecdsa-Sig-Value). */
  readonly signature: Uint8Array;
  /** The whole certificate, as read. */
  readonly der: Uint8Array;
  /** PEM of `der`. */
  readonly pem: string;
}

/** A parsed PKCS#10 certification request. @public */
export interface CertificateRequest {
  /** 1 for v1, encoded as 0 (RFC 2986 4.1); the strict reader accepts no other. */
  readonly version: number;
  /** Subject name (may have no RDNs). */
  readonly subject: DistinguishedName;
  /** The public key to certify, decoded (`opaque` for an algorithm mailpki cannot use). */
  readonly publicKey: PublicKey;
  /** DER of the SubjectPublicKeyInfo, as read. */
  readonly spki: Uint8Array;
  /** Extensions from the extensionRequest attribute (empty when none). */
  readonly extensions: readonly Extension[];
  /** The known requested extensions, decoded. */
  readonly decoded: DecodedExtensions;
  /** challengePassword attribute when present (never printed by inspect). */
  readonly challengePassword?: string;
  /** Other attributes, raw. */
  readonly attributes: ReadonlyArray<{ readonly oid: string; readonly der: Uint8Array }>;
  /** Algorithm of the self-signature (proof of possession). */
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  /** DER of CertificationRequestInfo, as read. */
  readonly tbs: Uint8Array;
  /** signature bytes (the BIT STRING contents; for ECDSA the DER Ecdsa-Sig-Value). */
  readonly signature: Uint8Array;
  /** The whole request, as read (or as built). */
  readonly der: Uint8Array;
  /** PEM (`CERTIFICATE REQUEST`) of `der`. */
  readonly pem: string;
}
