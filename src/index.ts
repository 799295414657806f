/**
 * mailpki: the runtime-agnostic core. Named re-exports only; each area keeps
 * its own barrel (src/<area>/index.ts) so areas can grow independently.
 * Works unchanged in Node.js and browsers: no `node:*` imports below here.
 * @packageDocumentation
 */
export { MailPkiError, isMailPkiError, ERROR_CODES } from './errors.js';
export type { MailPkiErrorCode } from './errors.js';
export { OID, PKCS12_OID } from './oid.js';
export { parsePemBlocks, parsePemBlock, encodePem, looksLikePem, MAX_PEM_INPUT } from './encoding/pem.js';
export type { PemBlock } from './encoding/pem.js';
export { toHex } from './encoding/bytes.js';
export { escapeTerminal } from './encoding/terminal.js';
export type { TerminalEscapeMode } from './encoding/terminal.js';
export { systemRandom, createSeededRandom } from './crypto/random.js';
export type { RandomSource } from './crypto/random.js';
export type {
  KeyType,
  EcCurve,
  RsaPublicKey,
  RsaPrivateKey,
  EcPublicKey,
  EcPrivateKey,
  Ed25519PublicKey,
  Ed25519PrivateKey,
  PublicKey,
  PrivateKey,
  OpaquePublicKey,
  RsaPssKeyParams,
  UsablePublicKey,
  KeyPair,
} from './crypto/key-types.js';
export type {
  NameAttribute,
  DistinguishedName,
  NameInput,
  GeneralName,
  SanInput,
  KeyUsageName,
  NameConstraints,
  Extension,
  DecodedExtensions,
  SignatureAlgorithmInfo,
  Certificate,
  CertificateRequest,
} from './x509/types.js';
export * from './crypto/index.js';
export * from './keys/index.js';
export * from './x509/index.js';
export * from './x509/profiles/index.js';
export * from './mail/index.js';
