/** Public API of src/crypto: named re-exports only. */
export { digest, type DigestName } from './hash.js';
export { sign, verify, defaultSignatureAlgorithm, type HashName, type SignatureAlgorithm, type SignOptions } from './sign.js';
