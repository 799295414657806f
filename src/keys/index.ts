/** Public API of src/keys: named re-exports only. */
export { generateKeyPair, type GenerateKeyPairOptions, type GenerateRsaPssKeyPairOptions, type KeygenProgress } from './generate.js';
export { encodeSpki, parseSpki } from './spki.js';
export { encodePkcs8, parsePkcs8 } from './pkcs8.js';
export { encodePkcs1PrivateKey, parsePkcs1PrivateKey, encodePkcs1PublicKey, parsePkcs1PublicKey } from './pkcs1.js';
export { encodeSec1PrivateKey, parseSec1PrivateKey, type EncodeSec1Options } from './sec1.js';
export { encodeEncryptedPkcs8, parseEncryptedPkcs8, parseEncryptedPkcs8Info, type EncryptedPkcs8Info } from './encrypted-pkcs8.js';
export { encodeLegacyEncryptedPem, isLegacyEncryptedPem, type LegacyPemOptions } from './legacy-pem.js';
export { describeDsaPrivateKey, type DsaKeyInfo } from './dsa.js';
export { exportJwk, importJwk, type Jwk } from './jwk.js';
export { guardPrivateKey } from './private-key.js';
export { getPublicKey, publicKeysEqual, keyBits, describeKey } from './public-key.js';
export { checkKey, checkRsaPublicKey, checkRsaPrivateKey, checkEcPublicKey, assertKeyStrength, RSA_READ_LIMITS, type KeyStrengthOptions } from './check.js';
export { parsePrivateKey, parsePublicKey, isEncryptedPrivateKey, encodePrivateKeyPem, encodePrivateKeyDer, encodePublicKeyPem, encodePublicKeyDer, MAX_KEY_INPUT, type ParsePrivateKeyOptions, type EncodePrivateKeyOptions, type EncodePublicKeyOptions } from './key-io.js';
export { encryptPrivateKeyPem, encryptPrivateKeyDer, type EncryptPrivateKeyOptions } from './encrypt.js';
export { checkNewPassphrase, MIN_NEW_PASSPHRASE_LENGTH } from './passphrase.js';
export { DEFAULT_PBKDF2_ITERATIONS, DEFAULT_SCRYPT, PBE_LIMITS, type Pbes2WriteOptions, type Pbes2Params, type Pbes2Kdf, type Pbkdf2Prf, type PbeCipher } from '../crypto/pbe.js';
export { createWorkerKeygenPool, serveKeygenWorker, type WorkerKeygenPool, type WorkerKeygenPoolOptions, type KeygenWorkerPort, type KeygenWorkerScope, type KeygenWorkerEvent } from './keygen-pool.js';
export {
  encodePkcs12,
  parsePkcs12,
  isPkcs12,
  describePkcs12,
  type Pkcs12Outline,
  DEFAULT_PKCS12_ITERATIONS,
  PKCS12_LIMITS,
  type EncodePkcs12Options,
  type ParsePkcs12Options,
  type Pkcs12Contents,
  type Pkcs12BagInfo,
  type Pkcs12MacInfo,
  type Pkcs12CertificateInput,
} from './pkcs12.js';
export type { Pkcs12MacHash, Pkcs12PbeScheme } from '../crypto/pkcs12-pbe.js';
