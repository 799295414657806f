/**
 * PKCS#12 (RFC 7292): the `.p12` / `.pfx` file that Thunderbird, Outlook,
 * Apple Mail, iOS, Android, Windows and macOS import a key with its
 * certificate from.
 *
 * Write ({@link encodePkcs12}): as OpenSSL 3 writes by default: the
 * certificates in an EncryptedData and the key in a pkcs8ShroudedKeyBag,
 * both PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), and an HMAC-SHA256 MAC;
 * or, with `compatibility: 'legacy'` (macOS before 15, older Windows,
 * Android, Java before 8u301 / 11.0.12), pbeWithSHAAnd3-KeyTripleDES-CBC for both
 * and an HMAC-SHA1 MAC. Iterations: 2048 for the PBE and the MAC, what
 * `openssl pkcs12 -export` (3.0) writes. The key bag and the leaf
 * certificate bag carry the same localKeyId (SHA-1 of the certificate, as
 * OpenSSL) and a friendlyName.
 *
 * Read ({@link parsePkcs12}): password-integrity mode with a MAC over
 * SHA-1/224/256/384/512 (checked in constant time before anything is
 * decrypted) or no MAC (`-nomac`, reported as `mac: null`); PBES2 and the
 * PKCS#12 PBEs (3DES, 2-key 3DES, RC2-128, RC2-40 decrypt only); key bags
 * plain or shrouded; certificate bags encrypted or not; BER as some tools
 * write it. A wrong passphrase is `ERR_BAD_PASSPHRASE`, never garbage.
 * Bounded work: iteration counts capped as for encrypted PKCS#8
 * (PBE_LIMITS), the total across the file capped too, at most
 * {@link PKCS12_LIMITS} containers and bags.
 *
 * Certificates are carried as DER (this module sits in the keys layer, below
 * x509): pass them to `parseCertificate`.
 *
 * Out of scope: public-key integrity and privacy modes (signedData /
 * envelopedData: `ERR_ENCRYPTION_UNSUPPORTED`), PBMAC1 (RFC 9579), RC4
 * PBEs, CRL and secret bags (listed in `bags`, not decoded), more than one
 * private key per file (`ERR_KEY_UNSUPPORTED`).
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { MailPkiError, isMailPkiError } from '../errors.js';
import { concatBytes, fromUtf8, utf8 } from '../encoding/bytes.js';
import {
  type Asn1Node,
  type DerNode,
  contentBytes,
  decodeDer,
  derBmp,
  derExplicit,
  derImplicitBytes,
  derInt,
  derNull,
  derOctets,
  derOid,
  derSeq,
  derSet,
  encodeDer,
  isNull,
  readExplicit,
  readOid,
  readSequence,
  readSet,
  readSmallInt,
  readString,
  readUnsignedBigInt,
  TAG_CLASS,
} from '../encoding/der.js';
import { OID, PKCS12_OID as P12, oidName as baseOidName } from '../oid.js';
import { encodePbes2AlgorithmId, newPbes2Params, parsePbes2Params, pbes2Decrypt, pbes2Encrypt, PBE_LIMITS } from '../crypto/pbe.js';
import {
  pkcs12Mac,
  pkcs12MacLength,
  pkcs12PasswordBytes,
  pkcs12PbeBlocks,
  pkcs12PbeDecrypt,
  pkcs12PbeEncrypt3Des,
  type Pkcs12MacHash,
  type Pkcs12PbeScheme,
} from '../crypto/pkcs12-pbe.js';
import { systemRandom, type RandomSource } from '../crypto/random.js';
import { parseDecrypted } from './encrypted-pkcs8.js';
import { encodePkcs8, parsePkcs8Node } from './pkcs8.js';
import { getPublicKey, publicKeysEqual } from './public-key.js';
import { parseSpkiNode } from './spki.js';
import type { PrivateKey, PublicKey } from '../crypto/key-types.js';

/**
 * Iterations written by default, for the PBEs and the MAC: 2048, what
 * OpenSSL 3.0 `pkcs12 -export` writes (its PKCS12_DEFAULT_ITER), so files
 * cost importers what OpenSSL's cost them. Measured here (2 shared cores,
 * Node 20): writing an EC key + certificate takes a few ms of key
 * derivation. Pass `iterations` for more.
 * @public
 */
export const DEFAULT_PKCS12_ITERATIONS = 2048;

/**
 * Caps when reading a PKCS#12 (hostile input):
 * - each iteration count at most PBE_LIMITS.maxPbkdf2Iterations (10,000,000);
 * - the work of the MAC and every decryption together at most
 *   `maxTotalIterations` (10,000,000, counted in hash iterations: a PKCS#12
 *   PBE counts its iterations once per derived block, 3 for 3DES; scrypt
 *   counts N*r*p), so a file cannot multiply the per-item cap by its number
 *   of bags: the worst case costs about what the worst encrypted PKCS#8 does;
 * - at most `maxContainers` ContentInfos in the AuthenticatedSafe and
 *   `maxBags` safe bags in all, nested SafeContents at most `maxNesting` deep.
 * @public
 */
export const PKCS12_LIMITS = {
  maxTotalIterations: 10_000_000, // = PBE_LIMITS.maxPbkdf2Iterations (a literal: see macHashes)
  maxContainers: 64,
  maxBags: 512,
  maxNesting: 4,
} as const;

/** A certificate as DER, or any object with its DER in `der` (a parsed `Certificate`). @public */
export type Pkcs12CertificateInput = Uint8Array | { readonly der: Uint8Array };

/** Options of {@link encodePkcs12}. @public */
export interface EncodePkcs12Options {
  /** The private key; must belong to `certificate` (`ERR_KEY_MISMATCH` otherwise). */
  key: PrivateKey;
  /** The end-entity certificate of `key`. */
  certificate: Pkcs12CertificateInput;
  /** Intermediate (and optionally root) CA certificates, in order; default none. */
  chain?: readonly Pkcs12CertificateInput[];
  /**
   * Name shown by key stores (Keychain, Windows certificate manager,
   * Thunderbird): set on the key bag and the leaf certificate bag. Default:
   * the certificate subject's commonName, else its emailAddress, else none.
   */
  friendlyName?: string;
  /**
   * Passphrase (UTF-8 for PBES2, BMPString for the PKCS#12 KDF, as OpenSSL).
   * `''` writes a file protected by the empty passphrase (what
   * `openssl pkcs12 -export -passout pass:` writes): anyone can open it.
   */
  passphrase: string;
  /**
   * `'default'`: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) and an HMAC-SHA256
   * MAC, as OpenSSL 3. `'legacy'`: pbeWithSHAAnd3-KeyTripleDES-CBC and an
   * HMAC-SHA1 MAC, for macOS before 15, older Windows, Android and old Java.
   */
  compatibility?: 'default' | 'legacy';
  /** PBE and MAC iteration count; default {@link DEFAULT_PKCS12_ITERATIONS}. */
  iterations?: number;
  /** Random source for salts and IVs (tests only); default the system CSPRNG. */
  rng?: RandomSource;
}

/** The MAC of a PKCS#12 (password-integrity mode). @public */
export interface Pkcs12MacInfo {
  /** HMAC digest. */
  hash: Pkcs12MacHash;
  /** Iterations of the PKCS#12 key derivation for the MAC key. */
  iterations: number;
  /** MAC salt length in bytes. */
  saltLength: number;
}

/** One safe bag as read, for describing a file. @public */
export interface Pkcs12BagInfo {
  /** keyBag (plain PKCS#8), pkcs8ShroudedKeyBag, an X.509 certBag, crlBag, secretBag, anything else. */
  type: 'key' | 'shrouded-key' | 'certificate' | 'crl' | 'secret' | 'other';
  /** The bag type OID's name (for `other` and non-X.509 certificate bags). */
  bagType: string;
  /** The bag's friendlyName attribute (PKCS#9), when present. */
  friendlyName?: string;
  /** The bag's localKeyId attribute bytes (pairs a key with its certificate; OpenSSL writes the SHA-1 of the certificate), when present. */
  localKeyId?: Uint8Array;
  /**
   * How the bag was protected: e.g. `PBES2 (PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC)`,
   * `pbeWithSHAAnd40BitRC2-CBC, 2048 iterations`, or `none`.
   */
  encryption: string;
}

/** A decoded PKCS#12. @public */
export interface Pkcs12Contents {
  /** The private key, when the file holds one. */
  key?: PrivateKey;
  /** DER of the certificate of `key` (by public key); without a key, the first certificate. */
  certificate?: Uint8Array;
  /** DER of every other certificate, in file order. */
  chain: Uint8Array[];
  /** friendlyName of the key bag (else of the certificate bag). */
  friendlyName?: string;
  /** localKeyId of the key bag (else of the certificate bag). */
  localKeyId?: Uint8Array;
  /** The MAC that was verified; `null` when the file has none (`-nomac`: no integrity check). */
  mac: Pkcs12MacInfo | null;
  /** Every bag in file order. */
  bags: Pkcs12BagInfo[];
}

/** Options of {@link parsePkcs12}. @public */
export interface ParsePkcs12Options {
  /** The passphrase (`''` for a file written without one). */
  passphrase: string | Uint8Array;
}

// Tables as functions, not top-level arrays: a top-level `[OID.x, ...]` is a property read a bundler
// must keep, which would put this file's tables (and PKCS12_OID) into bundles that never use PKCS#12.
const macHashes = (): ReadonlyArray<readonly [Pkcs12MacHash, string]> => [
  ['SHA-1', OID.sha1],
  ['SHA-224', OID.sha224],
  ['SHA-256', OID.sha256],
  ['SHA-384', OID.sha384],
  ['SHA-512', OID.sha512],
];
const pbeSchemes = (): ReadonlyArray<readonly [Pkcs12PbeScheme, string]> => [
  ['pbeWithSHAAnd3-KeyTripleDES-CBC', P12.pbeWithSHAAnd3KeyTripleDESCBC],
  ['pbeWithSHAAnd2-KeyTripleDES-CBC', P12.pbeWithSHAAnd2KeyTripleDESCBC],
  ['pbeWithSHAAnd128BitRC2-CBC', P12.pbeWithSHAAnd128BitRC2CBC],
  ['pbeWithSHAAnd40BitRC2-CBC', P12.pbeWithSHAAnd40BitRC2CBC],
];

/** Names for messages: the PKCS#12 OIDs first, then the common table. */
function oidName(oid: string): string {
  for (const [k, v] of Object.entries(P12)) if (v === oid) return k;
  return baseOidName(oid);
}

const structure = (what: string): never => {
  throw new MailPkiError('ERR_ASN1_STRUCTURE', `PKCS#12: ${what}`);
};
const unsupported = (what: string): never => {
  throw new MailPkiError('ERR_ENCRYPTION_UNSUPPORTED', `PKCS#12: ${what}`);
};

// ------------------------------------------------------------------ helpers

function certDer(c: Pkcs12CertificateInput, what: string): Uint8Array {
  const der = c instanceof Uint8Array ? c : c && typeof c === 'object' && c.der instanceof Uint8Array ? c.der : undefined;
  if (!der) throw new TypeError(`${what}: expected the certificate's DER (Uint8Array) or an object with a der field`);
  return der;
}

/** TBSCertificate fields of a certificate's DER (BER tolerated, as in x509/certificate.ts). */
function tbsFields(der: Uint8Array, what: string): DerNode[] {
  let root: DerNode;
  try {
    root = decodeDer(der, what);
  } catch (e) {
    if (isMailPkiError(e, 'ERR_DER_NOT_CANONICAL')) root = decodeDer(der, what, { strict: false });
    else throw e;
  }
  const [tbs] = readSequence(root, `${what}: Certificate`, 3, 3);
  const f = readSequence(tbs, `${what}: TBSCertificate`, 6, 10);
  return f[0]?.cls === TAG_CLASS.context && f[0].tag === 0 ? f.slice(1) : f;
}

/** The public key of a certificate given as DER (RFC 5280 4.1: the 6th TBS field after the optional version). */
function certPublicKey(der: Uint8Array, what: string): PublicKey {
  return parseSpkiNode(tbsFields(der, what)[5]!);
}

/** Default friendlyName: the subject's last commonName, else its emailAddress. */
function subjectLabel(der: Uint8Array): string | undefined {
  try {
    const subject = tbsFields(der, 'certificate')[4];
    let cn: string | undefined;
    let email: string | undefined;
    for (const rdn of readSequence(subject, 'subject')) {
      for (const atv of readSet(rdn, 'RDN')) {
        const [t, v] = readSequence(atv, 'AttributeTypeAndValue', 2, 2);
        const oid = readOid(t, 'attribute type');
        if (oid === OID.commonName) cn = readString(v, 'commonName').value;
        else if (oid === OID.emailAddress) email = readString(v, 'emailAddress').value;
      }
    }
    return cn ?? email;
  } catch {
    return undefined;
  }
}

/** DER SET OF: elements sorted by their encodings (X.690 11.6). */
function setOf(items: Asn1Node[]): Asn1Node {
  const sorted = [...items].sort((a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  });
  return derSet(...sorted);
}

function bagAttributes(friendlyName: string | undefined, localKeyId: Uint8Array | undefined): Asn1Node[] {
  const attrs: Asn1Node[] = [];
  if (friendlyName !== undefined) attrs.push(derSeq(derOid(P12.friendlyName), derSet(derBmp(friendlyName))));
  if (localKeyId !== undefined) attrs.push(derSeq(derOid(P12.localKeyId), derSet(derOctets(localKeyId))));
  return attrs.length ? [setOf(attrs)] : [];
}

/** The value of an OCTET STRING, primitive or (BER) constructed. */
function octets(node: DerNode | undefined, what: string, implicitTag?: number): Uint8Array {
  const ok = node !== undefined && (implicitTag === undefined ? node.cls === TAG_CLASS.universal && node.tag === 4 : node.cls === TAG_CLASS.context && node.tag === implicitTag);
  if (!ok) return structure(`${what}: expected an OCTET STRING`);
  if (!node.constructed) return contentBytes(node);
  // BER constructed string (X.690 8.7.3): the concatenation of its primitive segments.
  const parts: Uint8Array[] = [];
  for (const c of node.children!) parts.push(octets(c, what));
  return concatBytes(...parts);
}

/** DER first, BER when only the DER rules fail (Windows, Java and NSS write BER). */
function decodeTolerant(der: Uint8Array, what: string): DerNode {
  try {
    return decodeDer(der, what);
  } catch (e) {
    if (isMailPkiError(e, 'ERR_DER_NOT_CANONICAL')) return decodeDer(der, what, { strict: false });
    throw e;
  }
}

/** Constant-time comparison (the MAC): every byte is looked at whatever the first difference. */
function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

// ------------------------------------------------------------------ writing

function checkIterations(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > PBE_LIMITS.maxPbkdf2Iterations) throw new RangeError(`iterations: must be an integer in 1..${PBE_LIMITS.maxPbkdf2Iterations}`);
  return n;
}

/**
 * Write a PKCS#12 holding `key`, its `certificate` and an optional `chain`.
 *
 * @returns the DER of the PFX (a `.p12` / `.pfx` file).
 * @throws MailPkiError `ERR_KEY_MISMATCH` when the key is not the
 *   certificate's; `ERR_DER_MALFORMED` / `ERR_ASN1_STRUCTURE` when a
 *   certificate is not DER. RangeError / TypeError for bad options.
 * @example
 * ```ts
 * const p12 = encodePkcs12({ key, certificate: cert, chain: [intermediate], passphrase: 'import me' });
 * const legacy = encodePkcs12({ key, certificate: cert, passphrase: 'pw', compatibility: 'legacy' });
 * ```
 * @public
 */
export function encodePkcs12(options: EncodePkcs12Options): Uint8Array {
  if (!options || typeof options !== 'object') throw new TypeError('encodePkcs12: options object required');
  const { key, passphrase } = options;
  if (typeof passphrase !== 'string') throw new TypeError('passphrase: must be a string (use "" for no passphrase)');
  const compatibility = options.compatibility ?? 'default';
  if (compatibility !== 'default' && compatibility !== 'legacy') throw new RangeError(`compatibility: must be "default" or "legacy", got "${String(compatibility)}"`);
  const iterations = checkIterations(options.iterations ?? DEFAULT_PKCS12_ITERATIONS);
  const rng = options.rng ?? systemRandom;
  const leaf = certDer(options.certificate, 'certificate');
  const chain = (options.chain ?? []).map((c, i) => certDer(c, `chain[${i}]`));
  if (options.friendlyName !== undefined && typeof options.friendlyName !== 'string') throw new TypeError('friendlyName: must be a string');

  if (!publicKeysEqual(getPublicKey(key), certPublicKey(leaf, 'certificate'))) {
    throw new MailPkiError('ERR_KEY_MISMATCH', 'the private key does not belong to the certificate');
  }
  for (let i = 0; i < chain.length; i++) certPublicKey(chain[i]!, `chain[${i}]`); // each must at least be a certificate
  const friendlyName = options.friendlyName ?? subjectLabel(leaf);
  // OpenSSL's choice: localKeyId = SHA-1 of the certificate's DER.
  const localKeyId = sha1(leaf);
  const attrs = bagAttributes(friendlyName, localKeyId);

  const certBag = (der: Uint8Array, a: Asn1Node[]): Asn1Node =>
    derSeq(derOid(P12.certBag), derExplicit(0, derSeq(derOid(P12.x509Certificate), derExplicit(0, derOctets(der)))), ...a);
  const certContents = encodeDer(derSeq(certBag(leaf, attrs), ...chain.map((c) => certBag(c, []))));

  const pwUtf8 = utf8(passphrase);
  const pwBmp = pkcs12PasswordBytes(passphrase);
  const encrypt = (plain: Uint8Array): [Asn1Node, Uint8Array] => {
    if (compatibility === 'legacy') {
      const salt = rng(8);
      const alg = derSeq(derOid(P12.pbeWithSHAAnd3KeyTripleDESCBC), derSeq(derOctets(salt), derInt(iterations)));
      return [alg, pkcs12PbeEncrypt3Des(pwBmp, salt, iterations, plain)];
    }
    const params = newPbes2Params({ iterations, rng });
    return [encodePbes2AlgorithmId(params), pbes2Encrypt(params, pwUtf8, plain)];
  };

  // Certificates: EncryptedData (RFC 2315 13) holding the SafeContents.
  const [certAlg, certCipher] = encrypt(certContents);
  const certInfo = derSeq(
    derOid(P12.pkcs7EncryptedData),
    derExplicit(0, derSeq(derInt(0), derSeq(derOid(P12.pkcs7Data), certAlg, derImplicitBytes(0, certCipher)))),
  );
  // Key: pkcs8ShroudedKeyBag (an EncryptedPrivateKeyInfo) in a Data ContentInfo.
  const [keyAlg, keyCipher] = encrypt(encodePkcs8(key));
  const keyBag = derSeq(derOid(P12.pkcs8ShroudedKeyBag), derExplicit(0, derSeq(keyAlg, derOctets(keyCipher))), ...attrs);
  const keyInfo = derSeq(derOid(P12.pkcs7Data), derExplicit(0, derOctets(encodeDer(derSeq(keyBag)))));

  const authSafe = encodeDer(derSeq(certInfo, keyInfo));
  const macHash: Pkcs12MacHash = compatibility === 'legacy' ? 'SHA-1' : 'SHA-256';
  const macSalt = rng(compatibility === 'legacy' ? 8 : 16);
  const mac = pkcs12Mac(macHash, pwBmp, macSalt, iterations, authSafe);
  const macOid = macHashes().find(([h]) => h === macHash)![1];
  const macData = derSeq(derSeq(derSeq(derOid(macOid), derNull()), derOctets(mac)), derOctets(macSalt), derInt(iterations));
  return encodeDer(derSeq(derInt(3), derSeq(derOid(P12.pkcs7Data), derExplicit(0, derOctets(authSafe))), macData));
}

// ------------------------------------------------------------------ reading

interface ReadState {
  pwUtf8: Uint8Array;
  pwBmp: Uint8Array;
  work: number;
  bags: number;
  keys: Array<{ key: PrivateKey; friendlyName?: string; localKeyId?: Uint8Array }>;
  certs: Array<{ der: Uint8Array; friendlyName?: string; localKeyId?: Uint8Array }>;
  info: Pkcs12BagInfo[];
}

function spend(st: ReadState, iterations: number): void {
  st.work += iterations;
  if (st.work > PKCS12_LIMITS.maxTotalIterations) {
    throw new MailPkiError('ERR_INPUT_TOO_LARGE', `PKCS#12: key derivations need more than ${PKCS12_LIMITS.maxTotalIterations} iterations in all (limit)`);
  }
}

function iterationCount(node: DerNode | undefined, what: string): number {
  const v = readUnsignedBigInt(node, what);
  if (v < 1n) structure(`${what} must be at least 1`);
  if (v > BigInt(PBE_LIMITS.maxPbkdf2Iterations)) unsupported(`${what} ${v > 10n ** 15n ? 'is huge' : v.toString()}: above the limit of ${PBE_LIMITS.maxPbkdf2Iterations}`);
  return Number(v);
}

/** Decrypt `data` with the AlgorithmIdentifier `alg` (PBES2 or a PKCS#12 PBE); returns the plaintext and a description. */
function pbes2Description(p: ReturnType<typeof parsePbes2Params>): string {
  return p.kdf.type === 'pbkdf2'
    ? `PBES2 (PBKDF2-HMAC-${p.kdf.prf.replace('hmacWith', '')}, ${p.kdf.iterations} iterations, ${p.cipher.toUpperCase()})`
    : `PBES2 (scrypt N=${p.kdf.N} r=${p.kdf.r} p=${p.kdf.p}, ${p.cipher.toUpperCase()})`;
}

function decrypt(st: ReadState, alg: DerNode | undefined, data: Uint8Array, what: string): [Uint8Array, string] {
  const [oidNode, params] = readSequence(alg, `${what} algorithm`, 1, 2);
  const oid = readOid(oidNode, `${what} algorithm`);
  if (oid === OID.pbes2) {
    const p = parsePbes2Params(params);
    if (p.kdf.type === 'pbkdf2') spend(st, p.kdf.iterations);
    else spend(st, Math.min(PKCS12_LIMITS.maxTotalIterations, p.kdf.N * p.kdf.r * p.kdf.p));
    return [pbes2Decrypt(p, st.pwUtf8, data), pbes2Description(p)];
  }
  const scheme = pbeSchemes().find(([, o]) => o === oid)?.[0];
  if (!scheme) {
    return unsupported(`${what} is encrypted with ${oidName(oid)}, which is not supported (PBES2, pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd2-KeyTripleDES-CBC, pbeWithSHAAnd128BitRC2-CBC, pbeWithSHAAnd40BitRC2-CBC are)`);
  }
  // RFC 7292 C: pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }
  const [saltNode, iterNode] = readSequence(params, `${what} pkcs-12PbeParams`, 2, 2);
  const salt = octets(saltNode, `${what} salt`);
  const iterations = iterationCount(iterNode, `${what} iteration count`);
  spend(st, iterations * pkcs12PbeBlocks(scheme));
  return [pkcs12PbeDecrypt(scheme, st.pwBmp, salt, iterations, data), `${scheme}, ${iterations} iterations`];
}

/** Decode decrypted bytes; a failure means a wrong passphrase (the padding check lets ~1/256 through). */
function decodeDecrypted(plain: Uint8Array, what: string): DerNode {
  try {
    return decodeTolerant(plain, what);
  } catch (e) {
    throw new MailPkiError('ERR_BAD_PASSPHRASE', `PKCS#12: wrong passphrase or corrupted file (decrypted ${what} does not decode)`, { cause: e });
  }
}

function readAttributes(node: DerNode | undefined, what: string): { friendlyName?: string; localKeyId?: Uint8Array } {
  const out: { friendlyName?: string; localKeyId?: Uint8Array } = {};
  if (node === undefined) return out;
  for (const attr of readSet(node, `${what} bagAttributes`)) {
    const [t, values] = readSequence(attr, `${what} attribute`, 2, 2);
    const oid = readOid(t, `${what} attribute type`);
    const vs = readSet(values, `${what} attribute values`);
    if (oid === P12.friendlyName && vs.length >= 1) out.friendlyName = readString(vs[0], `${what} friendlyName`).value;
    else if (oid === P12.localKeyId && vs.length >= 1) out.localKeyId = octets(vs[0], `${what} localKeyId`).slice();
  }
  return out;
}

function readSafeContents(st: ReadState, node: DerNode, encryption: string, depth: number): void {
  if (depth > PKCS12_LIMITS.maxNesting) structure(`SafeContents nested more than ${PKCS12_LIMITS.maxNesting} deep`);
  for (const bag of readSequence(node, 'SafeContents')) {
    if (++st.bags > PKCS12_LIMITS.maxBags) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `PKCS#12: more than ${PKCS12_LIMITS.maxBags} bags`);
    const [idNode, valueNode, attrNode] = readSequence(bag, 'SafeBag', 2, 3);
    const bagId = readOid(idNode, 'SafeBag bagId');
    const value = readExplicit(valueNode, 0, 'SafeBag bagValue');
    const attrs = readAttributes(attrNode, 'SafeBag');
    const base = { bagType: oidName(bagId), ...attrs };
    if (bagId === P12.keyBag) {
      st.keys.push({ key: parsePkcs8Node(value), ...attrs });
      st.info.push({ type: 'key', ...base, encryption });
    } else if (bagId === P12.pkcs8ShroudedKeyBag) {
      // EncryptedPrivateKeyInfo (RFC 5958 3), PBES2 or a PKCS#12 PBE.
      const [alg, data] = readSequence(value, 'pkcs8ShroudedKeyBag', 2, 2);
      const [plain, how] = decrypt(st, alg, octets(data, 'pkcs8ShroudedKeyBag encryptedData'), 'pkcs8ShroudedKeyBag');
      const key = parseDecrypted(() => parsePkcs8Node(decodeDer(plain, 'PrivateKeyInfo')));
      st.keys.push({ key, ...attrs });
      st.info.push({ type: 'shrouded-key', ...base, encryption: how });
    } else if (bagId === P12.certBag) {
      const [certId, certValue] = readSequence(value, 'CertBag', 2, 2);
      const certType = readOid(certId, 'CertBag certId');
      if (certType === P12.x509Certificate) {
        const der = octets(readExplicit(certValue, 0, 'CertBag certValue'), 'CertBag x509Certificate').slice();
        certPublicKey(der, 'PKCS#12 certificate bag'); // a certificate, or an error now
        st.certs.push({ der, ...attrs });
        st.info.push({ type: 'certificate', ...base, encryption });
      } else {
        st.info.push({ type: 'other', ...base, bagType: `certBag ${oidName(certType)}`, encryption });
      }
    } else if (bagId === P12.safeContentsBag) {
      readSafeContents(st, value, encryption, depth + 1);
    } else {
      st.info.push({ type: bagId === P12.crlBag ? 'crl' : bagId === P12.secretBag ? 'secret' : 'other', ...base, encryption });
    }
  }
}

/** The ContentInfo of the authSafe: contentType data, its OCTET STRING content. */
function dataContent(node: DerNode | undefined, what: string): Uint8Array {
  const [typeNode, content] = readSequence(node, what, 1, 2);
  const type = readOid(typeNode, `${what} contentType`);
  if (type === P12.pkcs7SignedData) unsupported('public-key integrity mode (signedData) is not supported: only password integrity (a MAC) is');
  if (type !== P12.pkcs7Data) structure(`${what}: contentType ${oidName(type)}, expected data`);
  return octets(readExplicit(content, 0, `${what} content`), `${what} content`);
}

function macHashOf(alg: DerNode | undefined): Pkcs12MacHash {
  const [oidNode, params] = readSequence(alg, 'MacData digestAlgorithm', 1, 2);
  const oid = readOid(oidNode, 'MacData digestAlgorithm');
  if (params !== undefined && !isNull(params)) structure('MacData digestAlgorithm parameters must be NULL or absent');
  const h = macHashes().find(([, o]) => o === oid)?.[0];
  if (!h) return unsupported(`MAC digest ${oidName(oid)} is not supported (SHA-1, SHA-224, SHA-256, SHA-384, SHA-512 are)`);
  return h;
}

/**
 * Read a PKCS#12 (`.p12` / `.pfx`, DER or BER): verify its MAC (when it has
 * one; constant time, before anything is decrypted), decrypt its bags and
 * return the key, its certificate and the other certificates.
 *
 * @param der - the file's bytes.
 * @param options - `passphrase` (`''` for a file written without one).
 * @throws MailPkiError `ERR_BAD_PASSPHRASE` (wrong passphrase or a corrupted
 *   file: MAC mismatch, bad padding, undecodable plaintext);
 *   `ERR_ENCRYPTION_UNSUPPORTED` (an algorithm we do not read, an iteration
 *   count above the cap); `ERR_INPUT_TOO_LARGE` (total work, bag count);
 *   `ERR_DER_MALFORMED`, `ERR_DER_TRAILING_DATA`, `ERR_ASN1_STRUCTURE`;
 *   `ERR_KEY_INVALID`, `ERR_KEY_UNSUPPORTED` (the key inside);
 *   `ERR_KEY_UNSUPPORTED` for more than one private key.
 * @example
 * ```ts
 * const { key, certificate, chain, mac } = parsePkcs12(bytes, { passphrase: 'import me' });
 * const cert = parseCertificate(certificate!);
 * ```
 * @public
 */
export function parsePkcs12(der: Uint8Array, options: ParsePkcs12Options): Pkcs12Contents {
  if (!(der instanceof Uint8Array)) throw new TypeError('parsePkcs12: expected a Uint8Array');
  if (!options || typeof options !== 'object') throw new TypeError('parsePkcs12: options { passphrase } required');
  const pw = options.passphrase;
  let password: string;
  if (typeof pw === 'string') password = pw;
  else if (pw instanceof Uint8Array) {
    try {
      password = fromUtf8(pw);
    } catch {
      throw new TypeError('passphrase: bytes must be UTF-8');
    }
  } else throw new TypeError('passphrase: must be a string or UTF-8 bytes');

  const root = decodeTolerant(der, 'PKCS#12');
  const f = readSequence(root, 'PKCS#12 PFX', 2, 3);
  const version = readSmallInt(f[0], 'PFX version', 1000);
  if (version !== 3) structure(`PFX version ${version}, expected 3 (RFC 7292 4)`);
  const authSafe = dataContent(f[1], 'PFX authSafe');

  const st: ReadState = { pwUtf8: utf8(password), pwBmp: pkcs12PasswordBytes(password), work: 0, bags: 0, keys: [], certs: [], info: [] };

  // RFC 7292 5.1 / 4: the MAC over the authSafe content, before any decryption.
  let mac: Pkcs12MacInfo | null = null;
  if (f[2] !== undefined) {
    const m = readSequence(f[2], 'MacData', 2, 3);
    const [algNode, digestNode] = readSequence(m[0], 'MacData mac (DigestInfo)', 2, 2);
    const hash = macHashOf(algNode);
    const expected = octets(digestNode, 'MacData digest');
    const salt = octets(m[1], 'MacData macSalt');
    const iterations = m[2] !== undefined ? iterationCount(m[2], 'MacData iterations') : 1; // DEFAULT 1
    if (expected.length !== pkcs12MacLength(hash)) structure(`MAC is ${expected.length} bytes, expected ${pkcs12MacLength(hash)} for HMAC-${hash}`);
    spend(st, iterations);
    let ok = equalConstantTime(pkcs12Mac(hash, st.pwBmp, salt, iterations, authSafe), expected);
    if (!ok && password === '') {
      // An empty passphrase is also written as no password bytes at all (OpenSSL tries both).
      spend(st, iterations);
      ok = equalConstantTime(pkcs12Mac(hash, new Uint8Array(0), salt, iterations, authSafe), expected);
      if (ok) st.pwBmp = new Uint8Array(0);
    }
    if (!ok) throw new MailPkiError('ERR_BAD_PASSPHRASE', 'PKCS#12: wrong passphrase or corrupted file (MAC check failed)');
    mac = { hash, iterations, saltLength: salt.length };
  }

  const infos = readSequence(decodeTolerant(authSafe, 'PKCS#12 AuthenticatedSafe'), 'AuthenticatedSafe');
  if (infos.length > PKCS12_LIMITS.maxContainers) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `PKCS#12: more than ${PKCS12_LIMITS.maxContainers} ContentInfos`);
  for (const ci of infos) {
    const [typeNode, content] = readSequence(ci, 'AuthenticatedSafe ContentInfo', 1, 2);
    const type = readOid(typeNode, 'ContentInfo contentType');
    if (type === P12.pkcs7Data) {
      const bytes = octets(readExplicit(content, 0, 'ContentInfo content'), 'data content');
      readSafeContents(st, decodeTolerant(bytes, 'SafeContents'), 'none', 0);
    } else if (type === P12.pkcs7EncryptedData) {
      // RFC 2315 13: EncryptedData ::= SEQUENCE { version, EncryptedContentInfo }
      const [v, eci] = readSequence(readExplicit(content, 0, 'ContentInfo content'), 'EncryptedData', 2, 2);
      readSmallInt(v, 'EncryptedData version', 2);
      const [ctype, alg, enc] = readSequence(eci, 'EncryptedContentInfo', 2, 3);
      readOid(ctype, 'EncryptedContentInfo contentType');
      if (enc === undefined) structure('EncryptedContentInfo has no encryptedContent');
      const [plain, how] = decrypt(st, alg, octets(enc, 'encryptedContent', 0), 'EncryptedData');
      readSafeContents(st, decodeDecrypted(plain, 'SafeContents'), how, 0);
    } else if (type === P12.pkcs7EnvelopedData) {
      unsupported('public-key privacy mode (envelopedData) is not supported');
    } else {
      structure(`AuthenticatedSafe ContentInfo of type ${oidName(type)}`);
    }
  }

  if (st.keys.length > 1) throw new MailPkiError('ERR_KEY_UNSUPPORTED', `PKCS#12 holds ${st.keys.length} private keys; only one per file is supported`);
  const k = st.keys[0];
  let leafIndex = -1;
  if (k) {
    const pub = getPublicKey(k.key);
    leafIndex = st.certs.findIndex((c) => publicKeysEqual(pub, certPublicKey(c.der, 'PKCS#12 certificate bag')));
  } else if (st.certs.length) leafIndex = 0;
  const leaf = leafIndex >= 0 ? st.certs[leafIndex] : undefined;
  const friendlyName = k?.friendlyName ?? leaf?.friendlyName;
  const localKeyId = k?.localKeyId ?? leaf?.localKeyId;
  return {
    ...(k ? { key: k.key } : {}),
    ...(leaf ? { certificate: leaf.der } : {}),
    chain: st.certs.filter((_, i) => i !== leafIndex).map((c) => c.der),
    ...(friendlyName !== undefined ? { friendlyName } : {}),
    ...(localKeyId !== undefined ? { localKeyId } : {}),
    mac,
    bags: st.info,
  };
}

/** True when `der` looks like a PKCS#12 PFX (SEQUENCE { INTEGER 3, ContentInfo ... }), without a passphrase. @public */
export function isPkcs12(der: Uint8Array): boolean {
  try {
    const f = readSequence(decodeTolerant(der, 'PKCS#12'), 'PFX', 2, 3);
    if (readSmallInt(f[0], 'version', 1000) !== 3) return false;
    const [t] = readSequence(f[1], 'authSafe', 1, 2);
    const oid = readOid(t, 'contentType');
    return oid === P12.pkcs7Data || oid === P12.pkcs7SignedData;
  } catch {
    return false;
  }
}

/** What {@link describePkcs12} sees without the passphrase. @public */
export interface Pkcs12Outline {
  /** The MAC's parameters (not verified: that needs the passphrase); `null` when there is none. */
  mac: Pkcs12MacInfo | null;
  /** One entry per ContentInfo of the AuthenticatedSafe, in order. */
  containers: Array<{
    /** `data`: bags in the clear (a key bag in it is still shrouded); `encrypted`: bags inside an EncryptedData. */
    type: 'data' | 'encrypted' | 'enveloped' | 'other';
    /** The container's encryption (`none` for data), or `unsupported: <algorithm>`. */
    encryption: string;
    /** The bags of a `data` container (an encrypted one hides them). */
    bags?: Array<Pick<Pkcs12BagInfo, 'type' | 'bagType' | 'encryption' | 'friendlyName'>>;
  }>;
}

/** An algorithm's description without decrypting anything; never throws for an unknown one. */
function describeAlgorithm(alg: DerNode | undefined, what: string): string {
  const [oidNode, params] = readSequence(alg, `${what} algorithm`, 1, 2);
  const oid = readOid(oidNode, `${what} algorithm`);
  try {
    if (oid === OID.pbes2) return pbes2Description(parsePbes2Params(params));
    const scheme = pbeSchemes().find(([, o]) => o === oid)?.[0];
    if (!scheme) return `unsupported: ${oidName(oid)}`;
    const [, iterNode] = readSequence(params, `${what} pkcs-12PbeParams`, 2, 2);
    return `${scheme}, ${iterationCount(iterNode, `${what} iteration count`)} iterations`;
  } catch (e) {
    if (isMailPkiError(e, 'ERR_ENCRYPTION_UNSUPPORTED') || isMailPkiError(e, 'ERR_INPUT_TOO_LARGE')) return `unsupported: ${e.message}`;
    throw e;
  }
}

/**
 * Describe a PKCS#12 without its passphrase: the MAC's parameters, each
 * container's encryption, and the bags that are in the clear (a key bag's
 * own encryption is visible there). Nothing is decrypted or verified; no key
 * derivation runs, so hostile parameters cost nothing.
 * @throws MailPkiError `ERR_DER_MALFORMED`, `ERR_DER_TRAILING_DATA`, `ERR_ASN1_STRUCTURE`, `ERR_INPUT_TOO_LARGE`
 * @example
 * ```ts
 * describePkcs12(bytes).containers.map((c) => c.encryption); // ['PBES2 (PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC)', 'none']
 * ```
 * @public
 */
export function describePkcs12(der: Uint8Array): Pkcs12Outline {
  if (!(der instanceof Uint8Array)) throw new TypeError('describePkcs12: expected a Uint8Array');
  const f = readSequence(decodeTolerant(der, 'PKCS#12'), 'PKCS#12 PFX', 2, 3);
  const version = readSmallInt(f[0], 'PFX version', 1000);
  if (version !== 3) structure(`PFX version ${version}, expected 3 (RFC 7292 4)`);
  const authSafe = dataContent(f[1], 'PFX authSafe');
  let mac: Pkcs12MacInfo | null = null;
  if (f[2] !== undefined) {
    const m = readSequence(f[2], 'MacData', 2, 3);
    const [algNode] = readSequence(m[0], 'MacData mac (DigestInfo)', 2, 2);
    mac = { hash: macHashOf(algNode), iterations: m[2] !== undefined ? iterationCount(m[2], 'MacData iterations') : 1, saltLength: octets(m[1], 'MacData macSalt').length };
  }
  const infos = readSequence(decodeTolerant(authSafe, 'PKCS#12 AuthenticatedSafe'), 'AuthenticatedSafe');
  if (infos.length > PKCS12_LIMITS.maxContainers) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `PKCS#12: more than ${PKCS12_LIMITS.maxContainers} ContentInfos`);
  let bagCount = 0;
  const containers: Pkcs12Outline['containers'] = infos.map((ci) => {
    const [typeNode, content] = readSequence(ci, 'AuthenticatedSafe ContentInfo', 1, 2);
    const type = readOid(typeNode, 'ContentInfo contentType');
    if (type === P12.pkcs7EncryptedData) {
      const [, eci] = readSequence(readExplicit(content, 0, 'ContentInfo content'), 'EncryptedData', 2, 2);
      const [, alg] = readSequence(eci, 'EncryptedContentInfo', 2, 3);
      return { type: 'encrypted' as const, encryption: describeAlgorithm(alg, 'EncryptedData') };
    }
    if (type === P12.pkcs7EnvelopedData) return { type: 'enveloped' as const, encryption: 'unsupported: envelopedData (public-key privacy mode)' };
    if (type !== P12.pkcs7Data) return { type: 'other' as const, encryption: `unsupported: ${oidName(type)}` };
    const bytes = octets(readExplicit(content, 0, 'ContentInfo content'), 'data content');
    const bags = readSequence(decodeTolerant(bytes, 'SafeContents'), 'SafeContents').map((bag) => {
      if (++bagCount > PKCS12_LIMITS.maxBags) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `PKCS#12: more than ${PKCS12_LIMITS.maxBags} bags`);
      const [idNode, valueNode, attrNode] = readSequence(bag, 'SafeBag', 2, 3);
      const bagId = readOid(idNode, 'SafeBag bagId');
      const { friendlyName } = readAttributes(attrNode, 'SafeBag');
      const t: Pkcs12BagInfo['type'] =
        bagId === P12.keyBag ? 'key' : bagId === P12.pkcs8ShroudedKeyBag ? 'shrouded-key' : bagId === P12.certBag ? 'certificate' : bagId === P12.crlBag ? 'crl' : bagId === P12.secretBag ? 'secret' : 'other';
      const encryption = t === 'shrouded-key' ? describeAlgorithm(readSequence(readExplicit(valueNode, 0, 'SafeBag bagValue'), 'pkcs8ShroudedKeyBag', 2, 2)[0], 'pkcs8ShroudedKeyBag') : 'none';
      return { type: t, bagType: oidName(bagId), encryption, ...(friendlyName !== undefined ? { friendlyName } : {}) };
    });
    return { type: 'data' as const, encryption: 'none', bags };
  });
  return { mac, containers };
}
