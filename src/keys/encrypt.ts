/**
 * Writing encrypted private keys: PKCS#8 `ENCRYPTED PRIVATE KEY` (PBES2,
 * RFC 8018: PBKDF2-HMAC-SHA256 or scrypt, AES-CBC) and, for old software,
 * OpenSSL's legacy PEM encryption of `RSA PRIVATE KEY` / `EC PRIVATE KEY`.
 *
 * Kept apart from key-io.ts so that `encodePrivateKeyPem` (unencrypted) does
 * not pull PBES2, AES, scrypt and 3DES into a browser bundle that never
 * encrypts. Reading encrypted keys: `parsePrivateKey(input, { passphrase })`.
 */
import { encodePem } from '../encoding/pem.js';
import type { PbeCipher, Pbes2WriteOptions } from '../crypto/pbe.js';
import { encodeEncryptedPkcs8 } from './encrypted-pkcs8.js';
import { checkFormat, plainDer } from './key-io.js';
import { encodeLegacyEncryptedPem } from './legacy-pem.js';
import type { PrivateKey } from '../crypto/key-types.js';

/** Options of {@link encryptPrivateKeyPem} / {@link encryptPrivateKeyDer}. @public */
export interface EncryptPrivateKeyOptions extends Pbes2WriteOptions {
  /**
   * `pkcs8` (default: PBES2, `ENCRYPTED PRIVATE KEY`, read by every current
   * tool); `pkcs1` / `sec1` use OpenSSL's legacy PEM encryption (one MD5
   * round as KDF: weak; only for software that reads nothing else).
   */
  format?: 'pkcs8' | 'pkcs1' | 'sec1';
  /** Cipher for legacy PEM encryption; default `aes-256-cbc`. */
  legacyCipher?: PbeCipher;
}

/**
 * Encrypt a private key as DER `EncryptedPrivateKeyInfo` (PKCS#8 + PBES2;
 * PBKDF2-HMAC-SHA256 with AES-256-CBC unless `kdf: 'scrypt'`; the default
 * work factor costs about a second, see `DEFAULT_PBKDF2_ITERATIONS`).
 * @throws RangeError for an empty passphrase, `pkcs1`/`sec1` (legacy
 *   encryption exists only as PEM) or out-of-range KDF options.
 * @example
 * ```ts
 * const der = encryptPrivateKeyDer(key, 'correct horse', { kdf: 'scrypt' });
 * ```
 * @public
 */
export function encryptPrivateKeyDer(key: PrivateKey, passphrase: string | Uint8Array, options: EncryptPrivateKeyOptions = {}): Uint8Array {
  const format = options.format ?? 'pkcs8';
  checkFormat(key, format);
  if (format !== 'pkcs8') throw new RangeError(`format: "${format}" DER cannot be encrypted (legacy encryption is PEM only); use "pkcs8"`);
  return encodeEncryptedPkcs8(key, passphrase, options);
}

/**
 * Encrypt a private key as PEM: `ENCRYPTED PRIVATE KEY` (default), or
 * `RSA PRIVATE KEY` / `EC PRIVATE KEY` with `Proc-Type: 4,ENCRYPTED`.
 * Use it for CA keys; Postfix cannot read encrypted server keys.
 * @throws RangeError for an empty passphrase or a wrong format/key combination
 * @example
 * ```ts
 * writeFileSync('ca.key', encryptPrivateKeyPem(caKey, passphrase), { mode: 0o600 });
 * ```
 * @public
 */
export function encryptPrivateKeyPem(key: PrivateKey, passphrase: string | Uint8Array, options: EncryptPrivateKeyOptions = {}): string {
  const format = options.format ?? 'pkcs8';
  checkFormat(key, format);
  if (format === 'pkcs8') return encodePem('ENCRYPTED PRIVATE KEY', encodeEncryptedPkcs8(key, passphrase, options));
  return encodeLegacyEncryptedPem(format === 'pkcs1' ? 'RSA PRIVATE KEY' : 'EC PRIVATE KEY', plainDer(key, format), passphrase, {
    cipher: options.legacyCipher ?? 'aes-256-cbc',
    ...(options.rng ? { rng: options.rng } : {}),
  });
}
