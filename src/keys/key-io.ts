/**
 * One entry point for key files: read any private or public key, PEM or DER,
 * encrypted or not, and write the formats mailpki supports.
 *
 * PEM labels read: `PRIVATE KEY` (PKCS#8), `ENCRYPTED PRIVATE KEY` (PBES2),
 * `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY` (SEC1) — the last two
 * optionally with OpenSSL legacy encryption (`Proc-Type: 4,ENCRYPTED`) —
 * `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1). Other blocks in the same
 * text (certificates, `EC PARAMETERS`) are skipped; the first key block wins,
 * as in OpenSSL.
 * DER is recognised by its shape (PKCS#8, then encrypted PKCS#8, PKCS#1,
 * SEC1), so the error names the format the bytes claim to be.
 * Every key read is checked (check.ts). Inputs above 1 MiB are refused.
 * Out of scope: certificates (x509/), OpenSSH and PuTTY key files (refused
 * with a hint), PKCS#12.
 */
import { MailPkiError } from '../errors.js';
import { type DerNode, decodeDer, isUniversal, readSequence } from '../encoding/der.js';
import { encodePem, latin1, looksLikePem, parsePemBlocks, type PemBlock } from '../encoding/pem.js';
import { parseDecrypted, parseEncryptedPkcs8, parseEncryptedPkcs8Info } from './encrypted-pkcs8.js';
import { decryptLegacyPemBlock, isLegacyEncryptedPem } from './legacy-pem.js';
import { encodePkcs1PrivateKey, encodePkcs1PublicKey, parsePkcs1PrivateKey, parsePkcs1PrivateKeyNode, parsePkcs1PublicKey, parsePkcs1PublicKeyNode } from './pkcs1.js';
import { encodePkcs8, parsePkcs8, parsePkcs8Node } from './pkcs8.js';
import { getPublicKey } from './public-key.js';
import { encodeSec1PrivateKey, parseSec1PrivateKey, parseSec1PrivateKeyNode } from './sec1.js';
import { encodeSpki, parseSpki, parseSpkiNode } from './spki.js';
import type { PrivateKey, PublicKey } from '../crypto/key-types.js';

/**
 * Largest key input we read (PEM text or DER): 1 MiB. Real key files are < 20 KiB.
 * @example
 * ```ts
 * if (file.size > MAX_KEY_INPUT) throw new Error('not a key file');
 * ```
 * @public
 */
export const MAX_KEY_INPUT = 1024 * 1024;

/** Options of {@link parsePrivateKey}. @public */
export interface ParsePrivateKeyOptions {
  /**
   * Passphrase for an encrypted key: a string (UTF-8) or raw bytes. Ignored
   * for unencrypted keys (as OpenSSL does).
   */
  passphrase?: string | Uint8Array;
}

/**
 * Options of {@link encodePrivateKeyPem} / {@link encodePrivateKeyDer}
 * (unencrypted output; to encrypt, use `encryptPrivateKeyPem`, which lives in
 * its own module so that code that never encrypts does not carry PBES2, AES,
 * scrypt and 3DES in a browser bundle).
 * @public
 */
export interface EncodePrivateKeyOptions {
  /**
   * `pkcs8` (default: the one format every tool reads, for every key type),
   * `pkcs1` (RSA only, `RSA PRIVATE KEY`) or `sec1` (EC only, `EC PRIVATE KEY`).
   */
  format?: 'pkcs8' | 'pkcs1' | 'sec1';
}

/** Options of {@link encodePublicKeyPem}. @public */
export interface EncodePublicKeyOptions {
  /** `spki` (default, `PUBLIC KEY`) or `pkcs1` (RSA only, `RSA PUBLIC KEY`). */
  format?: 'spki' | 'pkcs1';
}

const PRIVATE_LABELS = ['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];
const PUBLIC_LABELS = ['PUBLIC KEY', 'RSA PUBLIC KEY'];

type Input = { pem: string } | { der: Uint8Array };

function classifyInput(input: string | Uint8Array, fn: string): Input {
  if (typeof input === 'string') {
    if (input.length > MAX_KEY_INPUT) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `key input is larger than ${MAX_KEY_INPUT} bytes`);
    if (!looksLikePem(input)) throw new MailPkiError('ERR_PEM_NOT_FOUND', 'no PEM block found (pass DER as a Uint8Array)');
    return { pem: input };
  }
  if (!(input instanceof Uint8Array)) throw new TypeError(`${fn}: input must be a string or a Uint8Array`);
  if (input.length > MAX_KEY_INPUT) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `key input is larger than ${MAX_KEY_INPUT} bytes`);
  if (looksLikePem(input)) return { pem: latin1(input) };
  return { der: input };
}

function wrongBlocks(blocks: PemBlock[], wanted: 'private' | 'public'): never {
  const labels = blocks.map((b) => b.label);
  if (labels.includes('OPENSSH PRIVATE KEY')) {
    throw new MailPkiError('ERR_KEY_UNSUPPORTED', 'OpenSSH private key files are not supported; convert with "ssh-keygen -p -m PKCS8 -f FILE"');
  }
  if (labels.includes('DSA PRIVATE KEY')) throw new MailPkiError('ERR_KEY_UNSUPPORTED', 'DSA keys are not supported for signing (RSA, EC, Ed25519 are); describeDsaPrivateKey and "mailpki inspect" describe them');
  const found = labels.map((l) => `"${l}"`).join(', ');
  if (wanted === 'public' && labels.some((l) => PRIVATE_LABELS.includes(l))) {
    throw new MailPkiError('ERR_PEM_LABEL', `expected a public key, found a private key (${found}); use getPublicKey(parsePrivateKey(...))`);
  }
  throw new MailPkiError('ERR_PEM_LABEL', `expected a ${wanted} key PEM block, found ${found}`);
}

const tagIs = (node: DerNode | undefined, tag: number): boolean => isUniversal(node, tag);
const INTEGER = 2;
const BIT_STRING = 3;
const OCTET_STRING = 4;
const SEQUENCE = 16;

type DerKind = 'pkcs8' | 'encrypted-pkcs8' | 'pkcs1' | 'sec1' | 'spki' | 'pkcs1-public' | 'unknown';

function derKind(node: DerNode): DerKind {
  const c = readSequence(node, 'key');
  if (c.length >= 3 && tagIs(c[0], INTEGER) && tagIs(c[1], SEQUENCE)) return 'pkcs8';
  if (c.length === 2 && tagIs(c[0], SEQUENCE) && tagIs(c[1], OCTET_STRING)) return 'encrypted-pkcs8';
  if (c.length >= 9 && tagIs(c[0], INTEGER) && tagIs(c[1], INTEGER)) return 'pkcs1';
  if (c.length >= 2 && tagIs(c[0], INTEGER) && tagIs(c[1], OCTET_STRING)) return 'sec1';
  if (c.length === 2 && tagIs(c[0], SEQUENCE) && tagIs(c[1], BIT_STRING)) return 'spki';
  if (c.length === 2 && tagIs(c[0], INTEGER) && tagIs(c[1], INTEGER)) return 'pkcs1-public';
  return 'unknown';
}

function parsePrivatePemBlock(block: PemBlock, passphrase: string | Uint8Array | undefined): PrivateKey {
  if (block.label === 'ENCRYPTED PRIVATE KEY') return parseEncryptedDer(block.der, passphrase);
  const parse = (der: Uint8Array): PrivateKey =>
    block.label === 'PRIVATE KEY' ? parsePkcs8(der) : block.label === 'RSA PRIVATE KEY' ? parsePkcs1PrivateKey(der) : parseSec1PrivateKey(der);
  if (isLegacyEncryptedPem(block)) {
    const plain = decryptLegacyPemBlock(block, passphrase);
    return parseDecrypted(() => parse(plain));
  }
  return parse(block.der);
}

function parseEncryptedDer(der: Uint8Array, passphrase: string | Uint8Array | undefined): PrivateKey {
  // Validate the structure and parameters first, so a malformed file is
  // reported as such even when no passphrase was given.
  parseEncryptedPkcs8Info(der);
  if (passphrase === undefined) throw new MailPkiError('ERR_KEY_ENCRYPTED', 'the private key is encrypted: a passphrase is needed');
  return parseEncryptedPkcs8(der, passphrase);
}

/**
 * Read a private key from PEM text or DER bytes, in any supported format,
 * decrypting it when it is encrypted.
 *
 * @param input - PEM (string, or bytes holding PEM text) or DER bytes
 * @param options - `passphrase` for encrypted keys
 * @throws MailPkiError `ERR_KEY_ENCRYPTED` (passphrase needed), `ERR_BAD_PASSPHRASE`,
 *   `ERR_PEM_*`, `ERR_DER_*`, `ERR_ASN1_STRUCTURE`, `ERR_KEY_INVALID`, `ERR_KEY_UNSUPPORTED`,
 *   `ERR_ENCRYPTION_UNSUPPORTED`, `ERR_INPUT_TOO_LARGE`
 * @example
 * ```ts
 * const key = parsePrivateKey(readFileSync('ca.key', 'utf8'), { passphrase: 'secret' });
 * describeKey(key); // "EC P-256"
 * ```
 * @public
 */
export function parsePrivateKey(input: string | Uint8Array, options: ParsePrivateKeyOptions = {}): PrivateKey {
  const passphrase = options.passphrase;
  if (passphrase !== undefined && typeof passphrase !== 'string' && !(passphrase instanceof Uint8Array)) {
    throw new TypeError('parsePrivateKey: passphrase must be a string or a Uint8Array');
  }
  const src = classifyInput(input, 'parsePrivateKey');
  if ('pem' in src) {
    const blocks = parsePemBlocks(src.pem);
    const block = blocks.find((b) => PRIVATE_LABELS.includes(b.label));
    if (!block) wrongBlocks(blocks, 'private');
    return parsePrivatePemBlock(block, passphrase);
  }
  const node = decodeDer(src.der, 'private key');
  const kind = derKind(node);
  switch (kind) {
    case 'pkcs8':
      return parsePkcs8Node(node);
    case 'encrypted-pkcs8':
      return parseEncryptedDer(src.der, passphrase);
    case 'pkcs1':
      return parsePkcs1PrivateKeyNode(node);
    case 'sec1':
      return parseSec1PrivateKeyNode(node);
    case 'spki':
    case 'pkcs1-public':
      throw new MailPkiError('ERR_ASN1_STRUCTURE', 'this DER is a public key, not a private key');
    default:
      throw new MailPkiError('ERR_ASN1_STRUCTURE', 'DER is not a PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1 private key');
  }
}

/**
 * Read a public key: SPKI (`PUBLIC KEY`) or PKCS#1 (`RSA PUBLIC KEY`), PEM or DER.
 * (A certificate's key: see x509's parseCertificate.)
 * @throws MailPkiError `ERR_PEM_*`, `ERR_DER_*`, `ERR_ASN1_STRUCTURE`, `ERR_KEY_INVALID`, `ERR_KEY_UNSUPPORTED`, `ERR_INPUT_TOO_LARGE`
 * @example
 * ```ts
 * const pub = parsePublicKey(pemText);
 * publicKeysEqual(pub, privateKey); // true when they belong together
 * ```
 * @public
 */
export function parsePublicKey(input: string | Uint8Array): PublicKey {
  const src = classifyInput(input, 'parsePublicKey');
  if ('pem' in src) {
    const blocks = parsePemBlocks(src.pem);
    const block = blocks.find((b) => PUBLIC_LABELS.includes(b.label));
    if (!block) wrongBlocks(blocks, 'public');
    return block.label === 'PUBLIC KEY' ? parseSpki(block.der) : parsePkcs1PublicKey(block.der);
  }
  const node = decodeDer(src.der, 'public key');
  const kind = derKind(node);
  if (kind === 'spki') return parseSpkiNode(node);
  if (kind === 'pkcs1-public') return parsePkcs1PublicKeyNode(node);
  if (kind === 'unknown') throw new MailPkiError('ERR_ASN1_STRUCTURE', 'DER is not a SubjectPublicKeyInfo or PKCS#1 RSAPublicKey');
  throw new MailPkiError('ERR_ASN1_STRUCTURE', 'this DER is a private key, not a public key');
}

/**
 * True when the input is an encrypted private key (`ENCRYPTED PRIVATE KEY`,
 * legacy `Proc-Type: 4,ENCRYPTED`, or DER EncryptedPrivateKeyInfo), i.e.
 * {@link parsePrivateKey} will need a passphrase. False for anything else,
 * including unreadable input.
 * @example
 * ```ts
 * const key = parsePrivateKey(text, isEncryptedPrivateKey(text) ? { passphrase: await ask() } : {});
 * ```
 * @public
 */
export function isEncryptedPrivateKey(input: string | Uint8Array): boolean {
  try {
    const src = classifyInput(input, 'isEncryptedPrivateKey');
    if ('pem' in src) {
      const block = parsePemBlocks(src.pem).find((b) => PRIVATE_LABELS.includes(b.label));
      return !!block && (block.label === 'ENCRYPTED PRIVATE KEY' || isLegacyEncryptedPem(block));
    }
    return derKind(decodeDer(src.der, 'private key')) === 'encrypted-pkcs8';
  } catch (e) {
    if (e instanceof MailPkiError) return false;
    throw e;
  }
}

/** @internal */
export function checkFormat(key: PrivateKey, format: string): void {
  if (!key || key.kind !== 'private') throw new TypeError('key must be a private key object');
  if (format === 'pkcs1' && key.type !== 'rsa') throw new RangeError('format "pkcs1" is for RSA keys only');
  if (format === 'pkcs1' && key.type === 'rsa' && key.pss) throw new RangeError('format "pkcs1" would drop the RSASSA-PSS restriction of this key: use "pkcs8"');
  if (format === 'sec1' && key.type !== 'ec') throw new RangeError('format "sec1" is for EC keys only');
  if (!['pkcs8', 'pkcs1', 'sec1'].includes(format)) throw new RangeError(`format: must be "pkcs8", "pkcs1" or "sec1", got "${format}"`);
}

/** @internal */
export function plainDer(key: PrivateKey, format: string): Uint8Array {
  if (format === 'pkcs1') return encodePkcs1PrivateKey(key as Extract<PrivateKey, { type: 'rsa' }>);
  if (format === 'sec1') return encodeSec1PrivateKey(key as Extract<PrivateKey, { type: 'ec' }>);
  return encodePkcs8(key);
}

/**
 * Encode a private key as unencrypted DER: PKCS#8 by default, or PKCS#1 /
 * SEC1. Encrypted output: `encryptPrivateKeyDer` / `encryptPrivateKeyPem`.
 * @throws RangeError for a wrong format/key combination; TypeError when a
 *   `passphrase` is passed here (it would silently be ignored otherwise).
 * @example
 * ```ts
 * const der = encodePrivateKeyDer(key); // PKCS#8 PrivateKeyInfo
 * ```
 * @public
 */
export function encodePrivateKeyDer(key: PrivateKey, options: EncodePrivateKeyOptions = {}): Uint8Array {
  const format = options.format ?? 'pkcs8';
  refusePassphrase(options, 'encodePrivateKeyDer');
  checkFormat(key, format);
  return plainDer(key, format);
}

/**
 * Encode a private key as unencrypted PEM: `PRIVATE KEY` (PKCS#8, default),
 * `RSA PRIVATE KEY` or `EC PRIVATE KEY`. Server keys for Postfix must be
 * unencrypted; CA keys should be encrypted with `encryptPrivateKeyPem`.
 * @throws RangeError for a wrong format/key combination; TypeError when a
 *   `passphrase` is passed here.
 * @example
 * ```ts
 * writeFileSync('server.key', encodePrivateKeyPem(key), { mode: 0o600 });
 * ```
 * @public
 */
export function encodePrivateKeyPem(key: PrivateKey, options: EncodePrivateKeyOptions = {}): string {
  const format = options.format ?? 'pkcs8';
  refusePassphrase(options, 'encodePrivateKeyPem');
  checkFormat(key, format);
  const label = format === 'pkcs1' ? 'RSA PRIVATE KEY' : format === 'sec1' ? 'EC PRIVATE KEY' : 'PRIVATE KEY';
  return encodePem(label, plainDer(key, format));
}

function refusePassphrase(options: object, fn: string): void {
  if (options && 'passphrase' in options) {
    throw new TypeError(`${fn}: writes unencrypted keys; use encryptPrivateKey${fn.endsWith('Der') ? 'Der' : 'Pem'}(key, passphrase, options) to encrypt`);
  }
}

/**
 * Encode a public key (or the public half of a private key) as DER: SPKI by
 * default, or PKCS#1 RSAPublicKey.
 * @example
 * ```ts
 * const spkiDer = encodePublicKeyDer(privateKey);
 * ```
 * @public
 */
export function encodePublicKeyDer(key: PublicKey | PrivateKey, options: EncodePublicKeyOptions = {}): Uint8Array {
  const pub = getPublicKey(key);
  const format = options.format ?? 'spki';
  if (format === 'pkcs1') {
    if (pub.type !== 'rsa') throw new RangeError('format "pkcs1" is for RSA keys only');
    if (pub.pss) throw new RangeError('format "pkcs1" would drop the RSASSA-PSS restriction of this key: use "spki"');
    return encodePkcs1PublicKey(pub);
  }
  if (format !== 'spki') throw new RangeError(`format: must be "spki" or "pkcs1", got "${String(format)}"`);
  return encodeSpki(pub);
}

/**
 * Encode a public key (or the public half of a private key) as PEM:
 * `PUBLIC KEY` (SPKI, default) or `RSA PUBLIC KEY` (PKCS#1).
 * @example
 * ```ts
 * encodePublicKeyPem(privateKey); // "-----BEGIN PUBLIC KEY-----\n..."
 * ```
 * @public
 */
export function encodePublicKeyPem(key: PublicKey | PrivateKey, options: EncodePublicKeyOptions = {}): string {
  const der = encodePublicKeyDer(key, options);
  return encodePem((options.format ?? 'spki') === 'pkcs1' ? 'RSA PUBLIC KEY' : 'PUBLIC KEY', der);
}
