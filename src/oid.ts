/**
 * Every OBJECT IDENTIFIER mailpki uses, as a named constant with its source.
 * OIDs appear nowhere else in the code (DESIGN.md §3). Append, never rename.
 */
export const OID = {
  // --- public key algorithms
  rsaEncryption: '1.2.840.113549.1.1.1', // RFC 8017 A.1
  rsassaPss: '1.2.840.113549.1.1.10', // RFC 8017 A.2.3 / RFC 4055
  mgf1: '1.2.840.113549.1.1.8', // RFC 8017 B.2.1
  ecPublicKey: '1.2.840.10045.2.1', // RFC 5480 2.1.1
  ed25519: '1.3.101.112', // RFC 8410 3
  x25519: '1.3.101.110', // RFC 8410 3 (recognised, not supported)
  ed448: '1.3.101.113', // RFC 8410 3 (recognised, not supported)
  // --- named curves (RFC 5480 2.1.1.1)
  secp256r1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  // --- signature algorithms
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5', // RFC 8017 A.2.4 (read only, refused)
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  md5WithRSAEncryption: '1.2.840.113549.1.1.4', // recognised, refused
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14', // RFC 4055 5 (recognised, not supported)
  ecdsaWithSHA1: '1.2.840.10045.4.1', // recognised, refused
  ecdsaWithSHA256: '1.2.840.10045.4.3.2', // RFC 5758 3.2
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  ecdsaWithSHA224: '1.2.840.10045.4.3.1', // RFC 5758 3.2 (recognised, not supported)
  // --- hashes (RFC 8017 A.2.4, NIST CSOR)
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  // --- password-based encryption (RFC 8018, RFC 7914)
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  scrypt: '1.3.6.1.4.1.11591.4.11', // RFC 7914 7
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA224: '1.2.840.113549.2.8',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
  aes128Cbc: '2.16.840.1.101.3.4.1.2', // NIST CSOR
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7', // RFC 8018 B.2.2
  // --- PKCS#9 / PKCS#10 attributes (RFC 2985)
  emailAddress: '1.2.840.113549.1.9.1',
  challengePassword: '1.2.840.113549.1.9.7',
  extensionRequest: '1.2.840.113549.1.9.14',
  unstructuredName: '1.2.840.113549.1.9.2',
  // --- X.520 attribute types (RFC 5280 A.1)
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  title: '2.5.4.12',
  postalCode: '2.5.4.17',
  givenName: '2.5.4.42',
  initials: '2.5.4.43',
  generationQualifier: '2.5.4.44',
  dnQualifier: '2.5.4.46',
  pseudonym: '2.5.4.65',
  organizationIdentifier: '2.5.4.97',
  domainComponent: '0.9.2342.19200300.100.1.25', // RFC 4519
  userId: '0.9.2342.19200300.100.1.1',
  // --- certificate extensions (RFC 5280 4.2)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  // --- CRL and CRL entry extensions (RFC 5280 5.2, 5.3)
  crlReason: '2.5.29.21',
  holdInstructionCode: '2.5.29.23',
  invalidityDate: '2.5.29.24',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  freshestCrl: '2.5.29.46',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  anyPolicy: '2.5.29.32.0',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  subjectInfoAccess: '1.3.6.1.5.5.7.1.11',
  tlsFeature: '1.3.6.1.5.5.7.1.24', // RFC 7633 (OCSP must-staple)
  ctPrecertificateScts: '1.3.6.1.4.1.11129.2.4.2', // RFC 6962
  // --- access methods (RFC 5280 4.2.2.1)
  ocsp: '1.3.6.1.5.5.7.48.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
  // --- extended key usages (RFC 5280 4.2.1.12)
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  // --- policy qualifiers (RFC 5280 4.2.1.4)
  cps: '1.3.6.1.5.5.7.2.1',
  userNotice: '1.3.6.1.5.5.7.2.2',
  // --- other names (RFC 8398)
  smtpUtf8Mailbox: '1.3.6.1.5.5.7.8.9',
  // --- public key algorithms read but not used (opaque keys; issue 11)
  dsa: '1.2.840.10040.4.1', // RFC 3279 2.3.2
  dsaWithSHA1: '1.2.840.10040.4.3', // RFC 3279 2.2.2 (recognised, not supported)
  dsaWithSHA256: '2.16.840.1.101.3.4.3.2', // RFC 5758 3.1 (recognised, not supported)
  x448: '1.3.101.111', // RFC 8410 3 (recognised, not supported)
  dhPublicNumber: '1.2.840.10046.2.1', // RFC 3279 2.3.3
  gost2001: '1.2.643.2.2.19', // RFC 4491 2.3.1
  gost2012_256: '1.2.643.7.1.1.1.1', // RFC 9215 4
  gost2012_512: '1.2.643.7.1.1.1.2', // RFC 9215 4
  sm2: '1.2.156.10197.1.301', // GM/T 0006
  primeField: '1.2.840.10045.1.1', // RFC 3279 2.3.5 (explicit EC parameters)
  secp256k1: '1.3.132.0.10', // SEC 2
  brainpoolP256r1: '1.3.36.3.3.2.8.1.1.7', // RFC 5639
  brainpoolP384r1: '1.3.36.3.3.2.8.1.1.11',
  brainpoolP512r1: '1.3.36.3.3.2.8.1.1.13',
} as const;

/**
 * The PKCS#12 and PKCS#7 OIDs (RFC 7292, RFC 2315, RFC 2985), apart from
 * {@link OID} so that bundles which never touch PKCS#12 (the browser CSR
 * bundle) do not carry them. Append, never rename.
 * @public
 */
export const PKCS12_OID = {
  // --- PKCS#7 / CMS content types (RFC 5652 / RFC 2315), as PKCS#12 uses them
  pkcs7Data: '1.2.840.113549.1.7.1',
  pkcs7SignedData: '1.2.840.113549.1.7.2', // recognised, not supported (public-key integrity mode)
  pkcs7EnvelopedData: '1.2.840.113549.1.7.3', // recognised, not supported
  pkcs7EncryptedData: '1.2.840.113549.1.7.6',
  // --- PKCS#12 (RFC 7292)
  pbeWithSHAAnd128BitRC4: '1.2.840.113549.1.12.1.1', // appendix C (recognised, not supported)
  pbeWithSHAAnd40BitRC4: '1.2.840.113549.1.12.1.2', // recognised, not supported
  pbeWithSHAAnd3KeyTripleDESCBC: '1.2.840.113549.1.12.1.3',
  pbeWithSHAAnd2KeyTripleDESCBC: '1.2.840.113549.1.12.1.4',
  pbeWithSHAAnd128BitRC2CBC: '1.2.840.113549.1.12.1.5',
  pbeWithSHAAnd40BitRC2CBC: '1.2.840.113549.1.12.1.6',
  keyBag: '1.2.840.113549.1.12.10.1.1', // RFC 7292 4.2
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  crlBag: '1.2.840.113549.1.12.10.1.4',
  secretBag: '1.2.840.113549.1.12.10.1.5',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1', // RFC 7292 4.2.3 certTypes
  sdsiCertificate: '1.2.840.113549.1.9.22.2',
  friendlyName: '1.2.840.113549.1.9.20', // RFC 2985 5.5.1
  localKeyId: '1.2.840.113549.1.9.21', // RFC 2985 5.5.2
  pbmac1: '1.2.840.113549.1.5.14', // RFC 9579 (recognised, not supported)
} as const;

let OID_NAMES: Map<string, string> | undefined;

/** Name of a known OID, or the dotted string itself (the first name when an OID has two). @internal */
export function oidName(oid: string): string {
  if (!OID_NAMES) {
    OID_NAMES = new Map();
    for (const [k, v] of Object.entries(OID)) if (!OID_NAMES.has(v)) OID_NAMES.set(v, k);
  }
  return OID_NAMES.get(oid) ?? oid;
}
