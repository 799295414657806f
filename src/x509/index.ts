/** Public API of src/x509: named re-exports only. */
export {};
export { matchesHost, matchesEmail } from './hostname.js';
export { checkNameConstraints, type NameConstraintViolation } from './name-constraints.js';
export { parseName, formatNameOpenssl, formatNameRfc4514 } from './name.js';
export { parseSan } from './general-name.js';
export { computeKeyIdentifier } from './extensions.js';
export { generateSerialNumber, SERIAL_RANDOM_BYTES } from './serial.js';
export { createCertificateRequest, parseCertificateRequest, parseCertificateRequestTolerant, verifyCertificateRequest, type CreateCertificateRequestOptions } from './csr.js';
export { parseCertificate, parseCertificates, parseCertificateTolerant } from './certificate.js';
export type { ParseProblem } from './problems.js';
export { createRootCa, createIntermediateCa, issueCertificate, NOT_BEFORE_BACKDATE_MS, type IssuedCertificate, type CommonIssueOptions, type NameConstraintsInput, type CreateRootCaOptions, type CreateIntermediateCaOptions, type IssueCertificateOptions } from './issue.js';
export { inspectCertificate, inspectCertificateRequest, certificateToJson, certificateRequestToJson, sha256Fingerprint, sha1Fingerprint, spkiSha256, formatProblems, signatureNotCheckedReason, type InspectOptions } from './inspect.js';
export { buildChain, encodeChainPem, encodeKeyAndChainPem, type ChainInput, type BuildChainOptions, type BuiltChain } from './chain.js';
export { verifyCertificate, VERIFY_FAILURE_CODES, MAX_PATH_LENGTH, type VerifyFailureCode, type VerifyOptions, type VerifyPurpose, type VerifyResult } from './verify.js';
