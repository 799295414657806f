/**
 * Encrypted PKCS#8: EncryptedPrivateKeyInfo (RFC 5958 3), the `ENCRYPTED
 * PRIVATE KEY` PEM, with PBES2 (RFC 8018 6.2).
 *
 * Write: PBKDF2-HMAC-SHA256 + AES-256-CBC by default (DESIGN.md §4), or
 * scrypt + AES-256-CBC; work factors cost about a second (see pbe.ts).
 * Read: PBES2 with PBKDF2 (HMAC-SHA1/224/256/384/512) or scrypt, AES-CBC or
 * DES-EDE3-CBC, with caps on hostile parameters.
 * A wrong passphrase is `ERR_BAD_PASSPHRASE` (padding failure, or decrypted
 * bytes that are not a PrivateKeyInfo); the decrypted key is checked like
 * every key we read, so a garbage key is never returned.
 * Out of scope: PBES1 / PKCS#12 PBE schemes (`ERR_ENCRYPTION_UNSUPPORTED`).
 */
import { MailPkiError, isMailPkiError, wrapDecode } from '../errors.js';
import { decodeDer, derOctets, derSeq, encodeDer, readOctetString, readOid, readSequence } from '../encoding/der.js';
import { OID, oidName } from '../oid.js';
import {
  encodePbes2AlgorithmId,
  newPbes2Params,
  parsePbes2Params,
  passphraseBytes,
  pbes2Decrypt,
  pbes2Encrypt,
  type Pbes2Params,
  type Pbes2WriteOptions,
} from '../crypto/pbe.js';
import { encodePkcs8, parsePkcs8 } from './pkcs8.js';
import type { PrivateKey } from '../crypto/key-types.js';

/** Decoded EncryptedPrivateKeyInfo before decryption. @public */
export interface EncryptedPkcs8Info {
  /** The PBES2 parameters of encryptionAlgorithm (KDF, cipher, IV). */
  params: Pbes2Params;
  /** The encrypted PrivateKeyInfo (ciphertext bytes of the encryptedData OCTET STRING). */
  encryptedData: Uint8Array;
}

/**
 * Decode an EncryptedPrivateKeyInfo without decrypting it (to show its
 * parameters, or check them before asking for a passphrase).
 * @throws MailPkiError `ERR_DER_MALFORMED`, `ERR_ASN1_STRUCTURE`, `ERR_ENCRYPTION_UNSUPPORTED`, `ERR_INPUT_TOO_LARGE`
 * @example
 * ```ts
 * const { params } = parseEncryptedPkcs8Info(der); // params.kdf.type === 'scrypt'
 * ```
 * @public
 */
export function parseEncryptedPkcs8Info(der: Uint8Array): EncryptedPkcs8Info {
  const node = decodeDer(der, 'EncryptedPrivateKeyInfo');
  return wrapDecode('ERR_ASN1_STRUCTURE', 'EncryptedPrivateKeyInfo', () => {
    const [algId, data] = readSequence(node, 'EncryptedPrivateKeyInfo', 2, 2);
    const alg = readSequence(algId, 'EncryptedPrivateKeyInfo encryptionAlgorithm', 1, 2);
    const oid = readOid(alg[0], 'EncryptedPrivateKeyInfo encryptionAlgorithm');
    if (oid !== OID.pbes2) {
      throw new MailPkiError('ERR_ENCRYPTION_UNSUPPORTED', `key encryption scheme ${oidName(oid)} is not supported (only PBES2); re-encrypt with "openssl pkcs8 -topk8 -v2 aes-256-cbc"`);
    }
    const params = parsePbes2Params(alg[1]);
    return { params, encryptedData: readOctetString(data, 'EncryptedPrivateKeyInfo encryptedData') };
  });
}

/**
 * Decrypt and parse a DER EncryptedPrivateKeyInfo.
 * @param passphrase - string (UTF-8, as OpenSSL reads it from a terminal or file) or raw bytes
 * @throws MailPkiError `ERR_BAD_PASSPHRASE`, `ERR_ENCRYPTION_UNSUPPORTED`, `ERR_INPUT_TOO_LARGE`,
 *   `ERR_DER_MALFORMED`, `ERR_ASN1_STRUCTURE`, `ERR_KEY_INVALID`, `ERR_KEY_UNSUPPORTED`
 * @example
 * ```ts
 * const key = parseEncryptedPkcs8(der, 'correct horse battery staple');
 * ```
 * @public
 */
export function parseEncryptedPkcs8(der: Uint8Array, passphrase: string | Uint8Array): PrivateKey {
  const { params, encryptedData } = parseEncryptedPkcs8Info(der);
  const plain = pbes2Decrypt(params, passphraseBytes(passphrase), encryptedData);
  return parseDecrypted(() => parsePkcs8(plain));
}

/**
 * Run a parser over freshly decrypted bytes: if they do not even decode as
 * the expected structure, the passphrase was wrong (the padding check lets a
 * wrong key through about 1 time in 256). Key checks (`ERR_KEY_INVALID`,
 * `ERR_KEY_UNSUPPORTED`) pass through: those bytes did decrypt.
 * @internal
 */
export function parseDecrypted<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isMailPkiError(e) && (e.code === 'ERR_KEY_INVALID' || e.code === 'ERR_KEY_UNSUPPORTED')) throw e;
    throw new MailPkiError('ERR_BAD_PASSPHRASE', 'wrong passphrase or corrupted key (decrypted data is not a private key)', { cause: e });
  }
}

/**
 * Encrypt a private key as a DER EncryptedPrivateKeyInfo (PBES2).
 * @param options - `kdf` (`pbkdf2` default, or `scrypt`), `iterations` / `N` to
 *   trade safety for speed, `cipher` (default `aes-256-cbc`).
 * @throws RangeError for an empty passphrase or bad options.
 * @example
 * ```ts
 * const der = encodeEncryptedPkcs8(key, 'pw', { kdf: 'scrypt' });
 * ```
 * @public
 */
export function encodeEncryptedPkcs8(key: PrivateKey, passphrase: string | Uint8Array, options: Pbes2WriteOptions = {}): Uint8Array {
  const pw = passphraseBytes(passphrase);
  if (pw.length === 0) throw new RangeError('passphrase: must not be empty');
  const params = newPbes2Params(options);
  const data = pbes2Encrypt(params, pw, encodePkcs8(key));
  return encodeDer(derSeq(encodePbes2AlgorithmId(params), derOctets(data)));
}
