/**
 * OpenSSL's legacy ("traditional") PEM encryption, RFC 1421 style headers:
 *
 *     -----BEGIN RSA PRIVATE KEY-----
 *     Proc-Type: 4,ENCRYPTED
 *     DEK-Info: AES-256-CBC,<hex IV>
 *
 * as written by OpenSSL 1.x `genrsa -aes256`, `openssl rsa|ec -des3`, 3.x with
 * `-traditional`, the step CLI and many guides. Key = EVP_BytesToKey(MD5,
 * salt = first 8 IV bytes, 1 iteration): a weak KDF, read for compatibility;
 * mailpki writes it only when asked (tests, old software).
 * Ciphers: DES-EDE3-CBC, AES-128/192/256-CBC.
 * Out of scope: other DEK-Info ciphers (DES-CBC, IDEA, ...: `ERR_ENCRYPTION_UNSUPPORTED`).
 */
import { MailPkiError } from '../errors.js';
import { encodePem, type PemBlock } from '../encoding/pem.js';
import { legacyPemDecrypt, legacyPemEncrypt, parseDekInfo, passphraseBytes, type PbeCipher } from '../crypto/pbe.js';
import type { RandomSource } from '../crypto/random.js';

/**
 * True when a PEM block carries `Proc-Type: 4,ENCRYPTED`.
 * @example
 * ```ts
 * isLegacyEncryptedPem(parsePemBlock(text, ['RSA PRIVATE KEY'])); // true for Proc-Type: 4,ENCRYPTED
 * ```
 * @public
 */
export function isLegacyEncryptedPem(block: PemBlock): boolean {
  return block.headers.some(([k, v]) => k.toLowerCase() === 'proc-type' && /^\s*4\s*,\s*ENCRYPTED\s*$/i.test(v));
}

/**
 * Decrypt a legacy-encrypted PEM block's body (the DER inside).
 * @throws MailPkiError `ERR_KEY_ENCRYPTED` (no passphrase), `ERR_BAD_PASSPHRASE`,
 *   `ERR_ENCRYPTION_UNSUPPORTED`, `ERR_PEM_MALFORMED` (headers)
 * @internal
 */
export function decryptLegacyPemBlock(block: PemBlock, passphrase: string | Uint8Array | undefined): Uint8Array {
  const dek = block.headers.find(([k]) => k.toLowerCase() === 'dek-info');
  if (!dek) throw new MailPkiError('ERR_PEM_MALFORMED', `encrypted PEM "${block.label}" has no DEK-Info header`);
  const { cipher, iv } = parseDekInfo(dek[1]);
  if (passphrase === undefined) throw new MailPkiError('ERR_KEY_ENCRYPTED', `the "${block.label}" is encrypted: a passphrase is needed`);
  return legacyPemDecrypt(cipher, iv, passphraseBytes(passphrase), block.der);
}

/** Options of {@link encodeLegacyEncryptedPem}. @public */
export interface LegacyPemOptions {
  /** Default `aes-256-cbc`. */
  cipher?: PbeCipher;
  /** Random source for the IV (tests only). */
  rng?: RandomSource;
}

/**
 * Encrypt DER the legacy OpenSSL way and wrap it as PEM with `Proc-Type` and
 * `DEK-Info` headers. Prefer encrypted PKCS#8: this KDF is one MD5 round.
 * @throws RangeError for an empty passphrase.
 * @example
 * ```ts
 * const pem = encodeLegacyEncryptedPem('RSA PRIVATE KEY', encodePkcs1PrivateKey(key), 'pw', { cipher: 'des-ede3-cbc' });
 * ```
 * @public
 */
export function encodeLegacyEncryptedPem(label: string, der: Uint8Array, passphrase: string | Uint8Array, options: LegacyPemOptions = {}): string {
  const pw = passphraseBytes(passphrase);
  if (pw.length === 0) throw new RangeError('passphrase: must not be empty');
  const { dekInfo, data } = legacyPemEncrypt(options.cipher ?? 'aes-256-cbc', pw, der, options.rng);
  return encodePem(label, data, [
    ['Proc-Type', '4,ENCRYPTED'],
    ['DEK-Info', dekInfo],
  ]);
}
