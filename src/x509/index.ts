/** Public API of src/x509: named re-exports only. */
export {};
export { matchesHost, matchesEmail } from './hostname.js';
export { checkNameConstraints, MAX_NAME_CONSTRAINT_COMPARISONS, type NameConstraintViolation } from './name-constraints.js';
export { parseName, formatNameOpenssl, formatNameRfc4514 } from './name.js';
export { parseSan } from './general-name.js';
export { computeKeyIdentifier } from './extensions.js';
export { generateSerialNumber, SERIAL_RANDOM_BYTES } from './serial.js';
export { createCertificateRequest, parseCertificateRequest, parseCertificateRequestTolerant, verifyCertificateRequest, type CreateCertificateRequestOptions } from './csr.js';
export { parseCertificate, parseCertificates, parseCertificateTolerant } from './certificate.js';
export type { ParseProblem } from './problems.js';
export { createRootCa, createIntermediateCa, issueCertificate, issueFromTemplate, cnAsSan, NOT_BEFORE_BACKDATE_MS, type CertificateTemplate, type IssueFromTemplateOptions, type IssuedCertificate, type CommonIssueOptions, type NameConstraintsInput, type CreateRootCaOptions, type CreateIntermediateCaOptions, type IssueCertificateOptions } from './issue.js';
export { inspectCertificate, inspectCertificateRequest, certificateToJson, certificateRequestToJson, sha256Fingerprint, sha1Fingerprint, spkiSha256, formatProblems, signatureNotCheckedReason, inspectCrl, crlToJson, type InspectOptions, type InspectCrlOptions } from './inspect.js';
export { buildChain, encodeChainPem, encodeKeyAndChainPem, type ChainInput, type BuildChainOptions, type BuiltChain } from './chain.js';
export { verifyCertificate, VERIFY_FAILURE_CODES, MAX_PATH_LENGTH, MAX_PRESENTED_CERTIFICATES, VERIFY_BUDGET, type VerifyFailureCode, type VerifyOptions, type VerifyProfile, type VerifyPurpose, type VerifyResult } from './verify.js';
export { REVOCATION_REASONS, normalizeSerial, issuanceRecordOf, profileOf, createMemoryIssuanceDatabase, type RevocationReason, type IssuanceSummary, type IssuanceRecord, type IssuanceDatabase } from './issuance-db.js';
export { createCrl, parseCrl, parseCrls, findCrlEntry, checkCrlSignature, DEFAULT_CRL_DAYS, type Crl, type CrlEntry, type CrlEntryInput, type CrlReason, type CreateCrlOptions, type CrlSignatureCheck, type DistributionPoint, type DistributionPointName, type IssuingDistributionPoint } from './crl.js';
export { MAX_CRL_SIGNATURE_CHECKS, MAX_SIGNER_DEPTH, type RevocationMode } from './revocation.js';
