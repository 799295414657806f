/**
 * X.509 signature AlgorithmIdentifier <-> {@link SignatureAlgorithm}.
 *
 * Written (canonical DER):
 * - RSASSA-PKCS1-v1_5: `sha{256,384,512}WithRSAEncryption` with NULL
 *   parameters (RFC 4055 5: "the parameters MUST be NULL").
 * - ECDSA: `ecdsa-with-SHA{256,384,512}` with absent parameters (RFC 5758 3.2).
 * - Ed25519: `id-Ed25519` with absent parameters (RFC 8410 3).
 * - RSASSA-PSS: `id-RSASSA-PSS` with full RSASSA-PSS-params (RFC 4055 3.1):
 *   hash, MGF1 over the same hash, the salt length; trailerField is the
 *   DEFAULT and so omitted (X.690 11.5). Hash AlgorithmIdentifiers carry NULL
 *   parameters, as OpenSSL and Go write them (RFC 4055 2.1 allows both).
 *
 * Read: the above (absent or NULL parameters accepted where RFC 4055 says
 * both are legal), plus weak or unsupported algorithms (SHA-1, MD5,
 * SHA-224, Ed448, any unknown OID) which come back with a descriptive `info`
 * and no `algorithm`, so that callers can say *why* they refuse.
 *
 * Out of scope: public-key AlgorithmIdentifiers (keys/spki.ts); the
 * RSASSA-PSS-params codec itself (keys/pss-params.ts, shared with spki.ts).
 */
import { MailPkiError } from '../errors.js';
import { OID } from '../oid.js';
import { decodeDer, derNull, derOid, derSeq, isNull, readOid, readSequence, type Asn1Node, type DerNode } from '../encoding/der.js';
import type { PrivateKey, PublicKey } from '../crypto/key-types.js';
import type { SignatureAlgorithmInfo } from './types.js';
import { DIGEST_LENGTH, isHashName, type HashName } from '../crypto/hash.js';
import type { SignatureAlgorithm } from '../crypto/sign.js';
import { encodePssParams, readPssParams } from '../keys/pss-params.js';

type Family = 'pkcs1' | 'ecdsa' | 'eddsa' | 'pss';
interface Entry {
  readonly family: Family;
  readonly name: string;
  readonly hash?: string;
}

const BY_OID: Readonly<Record<string, Entry>> = {
  [OID.sha256WithRSAEncryption]: { family: 'pkcs1', name: 'sha256WithRSAEncryption', hash: 'SHA-256' },
  [OID.sha384WithRSAEncryption]: { family: 'pkcs1', name: 'sha384WithRSAEncryption', hash: 'SHA-384' },
  [OID.sha512WithRSAEncryption]: { family: 'pkcs1', name: 'sha512WithRSAEncryption', hash: 'SHA-512' },
  [OID.sha224WithRSAEncryption]: { family: 'pkcs1', name: 'sha224WithRSAEncryption', hash: 'SHA-224' },
  [OID.sha1WithRSAEncryption]: { family: 'pkcs1', name: 'sha1WithRSAEncryption', hash: 'SHA-1' },
  [OID.md5WithRSAEncryption]: { family: 'pkcs1', name: 'md5WithRSAEncryption', hash: 'MD5' },
  [OID.ecdsaWithSHA256]: { family: 'ecdsa', name: 'ecdsa-with-SHA256', hash: 'SHA-256' },
  [OID.ecdsaWithSHA384]: { family: 'ecdsa', name: 'ecdsa-with-SHA384', hash: 'SHA-384' },
  [OID.ecdsaWithSHA512]: { family: 'ecdsa', name: 'ecdsa-with-SHA512', hash: 'SHA-512' },
  [OID.ecdsaWithSHA224]: { family: 'ecdsa', name: 'ecdsa-with-SHA224', hash: 'SHA-224' },
  [OID.ecdsaWithSHA1]: { family: 'ecdsa', name: 'ecdsa-with-SHA1', hash: 'SHA-1' },
  [OID.ed25519]: { family: 'eddsa', name: 'Ed25519' },
  [OID.ed448]: { family: 'eddsa', name: 'Ed448' },
  [OID.rsassaPss]: { family: 'pss', name: 'RSASSA-PSS' },
};

/** Signature algorithms we name but do not verify (no parameters are checked for them). */
const OTHER_NAMES: Readonly<Record<string, string>> = {
  [OID.dsaWithSHA1]: 'dsa-with-SHA1',
  [OID.dsaWithSHA256]: 'dsa-with-SHA256',
};

const PKCS1_OID: Readonly<Record<HashName, string>> = {
  'SHA-256': OID.sha256WithRSAEncryption,
  'SHA-384': OID.sha384WithRSAEncryption,
  'SHA-512': OID.sha512WithRSAEncryption,
};
const ECDSA_OID: Readonly<Record<HashName, string>> = {
  'SHA-256': OID.ecdsaWithSHA256,
  'SHA-384': OID.ecdsaWithSHA384,
  'SHA-512': OID.ecdsaWithSHA512,
};
function checkAlg(alg: SignatureAlgorithm): void {
  if (typeof alg !== 'object' || alg === null) throw new TypeError('alg: expected a SignatureAlgorithm object');
  if (alg.name === 'Ed25519') return;
  if (alg.name !== 'RSASSA-PKCS1-v1_5' && alg.name !== 'RSA-PSS' && alg.name !== 'ECDSA') {
    throw new MailPkiError('ERR_ALGORITHM_UNSUPPORTED', `unsupported signature algorithm: ${String((alg as { name?: unknown }).name)}`);
  }
  if (!isHashName(alg.hash)) {
    const weak = typeof alg.hash === 'string' && /^(SHA-?1|MD5)$/i.test(alg.hash);
    throw new MailPkiError(weak ? 'ERR_WEAK_ALGORITHM' : 'ERR_ALGORITHM_UNSUPPORTED', `unsupported signature hash: ${String(alg.hash)}`);
  }
  if (alg.name === 'RSA-PSS' && (!Number.isSafeInteger(alg.saltLength) || alg.saltLength < 0)) {
    throw new RangeError('alg.saltLength: expected a non-negative integer');
  }
}

/**
 * The AlgorithmIdentifier node for a signature algorithm (to place in a
 * TBSCertificate, a Certificate, a CertificationRequest).
 *
 * @param alg - the algorithm (as passed to `sign`).
 * @returns the built element; `encodeDer` gives its bytes.
 * @throws MailPkiError `ERR_ALGORITHM_UNSUPPORTED` / `ERR_WEAK_ALGORITHM`;
 *   RangeError for a bad PSS salt length.
 * @example
 * ```ts
 * encodeDer(encodeSignatureAlgorithmId({ name: 'ECDSA', hash: 'SHA-256' }));
 * // 30 0a 06 08 2a 86 48 ce 3d 04 03 02
 * ```
 * @internal
 */
export function encodeSignatureAlgorithmId(alg: SignatureAlgorithm): Asn1Node {
  checkAlg(alg);
  switch (alg.name) {
    case 'RSASSA-PKCS1-v1_5':
      return derSeq(derOid(PKCS1_OID[alg.hash]), derNull());
    case 'ECDSA':
      return derSeq(derOid(ECDSA_OID[alg.hash]));
    case 'Ed25519':
      return derSeq(derOid(OID.ed25519));
    case 'RSA-PSS':
      return derSeq(derOid(OID.rsassaPss), encodePssParams(alg.hash, alg.hash, alg.saltLength));
  }
}

/**
 * Describe a signature algorithm the way {@link parseSignatureAlgorithmId}
 * would after reading its encoding (for objects we create).
 * @internal
 */
export function signatureAlgorithmInfo(alg: SignatureAlgorithm): SignatureAlgorithmInfo {
  checkAlg(alg);
  switch (alg.name) {
    case 'RSASSA-PKCS1-v1_5':
      return { oid: PKCS1_OID[alg.hash], name: BY_OID[PKCS1_OID[alg.hash]]!.name, hash: alg.hash };
    case 'ECDSA':
      return { oid: ECDSA_OID[alg.hash], name: BY_OID[ECDSA_OID[alg.hash]]!.name, hash: alg.hash };
    case 'Ed25519':
      return { oid: OID.ed25519, name: 'Ed25519' };
    case 'RSA-PSS':
      return { oid: OID.rsassaPss, name: 'RSASSA-PSS', hash: alg.hash };
  }
}

function structure(what: string): never {
  throw new MailPkiError('ERR_ASN1_STRUCTURE', `signature AlgorithmIdentifier: ${what}`);
}

/**
 * Read a signature AlgorithmIdentifier.
 *
 * @param node - the decoded `AlgorithmIdentifier` (or its DER bytes).
 * @returns `info` always (OID, a name like `sha256WithRSAEncryption`,
 *   `ecdsa-with-SHA256`, `RSASSA-PSS`, `Ed25519`, or the dotted OID when
 *   unknown; the hash when there is one); `algorithm` only when mailpki can
 *   verify with it: undefined for SHA-1, MD5 (weak), SHA-224, Ed448, PSS with
 *   another mask generation or MGF hash, or a trailer other than 1, and
 *   unknown OIDs.
 * @throws MailPkiError `ERR_ASN1_STRUCTURE` when the structure is malformed,
 *   including parameters that RFC 4055/5758/8410 forbid for a known OID.
 * @example
 * ```ts
 * const { info, algorithm } = parseSignatureAlgorithmId(node);
 * if (!algorithm) throw new MailPkiError('ERR_WEAK_ALGORITHM', `${info.name} is not accepted`);
 * ```
 * @internal
 */
export function parseSignatureAlgorithmId(node: DerNode | Uint8Array): { info: SignatureAlgorithmInfo; algorithm?: SignatureAlgorithm } {
  const n = node instanceof Uint8Array ? decodeDer(node, 'signature AlgorithmIdentifier') : node;
  const items = readSequence(n, 'signature AlgorithmIdentifier', 1, 2);
  const oid = readOid(items[0], 'signature AlgorithmIdentifier algorithm');
  const params = items[1];
  const entry = BY_OID[oid];
  if (!entry) return { info: { oid, name: OTHER_NAMES[oid] ?? oid } };
  switch (entry.family) {
    case 'pkcs1': {
      // RFC 4055 5: parameters MUST be NULL; implementations MUST accept absent.
      if (params !== undefined && !isNull(params)) structure(`${entry.name} parameters must be NULL`);
      const info: SignatureAlgorithmInfo = { oid, name: entry.name, hash: entry.hash! };
      return isHashName(entry.hash) ? { info, algorithm: { name: 'RSASSA-PKCS1-v1_5', hash: entry.hash } } : { info };
    }
    case 'ecdsa': {
      // RFC 5758 3.2: the encoding MUST omit the parameters field.
      if (params !== undefined) structure(`${entry.name} must have no parameters`);
      const info: SignatureAlgorithmInfo = { oid, name: entry.name, hash: entry.hash! };
      return isHashName(entry.hash) ? { info, algorithm: { name: 'ECDSA', hash: entry.hash } } : { info };
    }
    case 'eddsa': {
      // RFC 8410 3: the parameters MUST be absent.
      if (params !== undefined) structure(`${entry.name} must have no parameters`);
      const info: SignatureAlgorithmInfo = { oid, name: entry.name };
      return entry.name === 'Ed25519' ? { info, algorithm: { name: 'Ed25519' } } : { info };
    }
    case 'pss': {
      const p = readPssParams(params);
      const info: SignatureAlgorithmInfo = { oid, name: entry.name, hash: p.hash };
      if (!isHashName(p.hash) || p.mgf !== 'MGF1' || p.mgfHash !== p.hash || p.trailer !== 1) return { info };
      return { info, algorithm: { name: 'RSA-PSS', hash: p.hash, saltLength: p.saltLength } };
    }
  }
}

/**
 * Check that a signature algorithm can be used with a key (RSA algorithms
 * with RSA keys, ECDSA with EC keys, Ed25519 with Ed25519 keys), e.g. a
 * certificate's signatureAlgorithm against its issuer's key.
 *
 * @throws MailPkiError `ERR_SIGNATURE_INVALID` naming both sides when not.
 * @internal
 */
export function checkAlgorithmMatchesKey(alg: SignatureAlgorithm, key: PublicKey | PrivateKey): void {
  if (key.type === 'opaque') throw new MailPkiError('ERR_KEY_UNSUPPORTED', `${key.algorithm} keys are not supported: ${key.reason}`);
  if (key.type === 'rsa' && key.pss && alg.name !== 'RSA-PSS') {
    throw new MailPkiError('ERR_SIGNATURE_INVALID', `signature algorithm ${alg.name} does not match the RSASSA-PSS key (RFC 4055 3.1: PSS only)`);
  }
  const want = alg.name === 'ECDSA' ? 'ec' : alg.name === 'Ed25519' ? 'ed25519' : 'rsa';
  if (key.type !== want) {
    throw new MailPkiError('ERR_SIGNATURE_INVALID', `signature algorithm ${alg.name} does not match the ${key.type === 'ec' ? 'EC' : key.type === 'rsa' ? 'RSA' : 'Ed25519'} key`);
  }
}

/** Hash length of a PSS algorithm: the salt length X.509 uses (RFC 4055 3.1). @internal */
export function pssSaltLengthFor(hash: HashName): number {
  return DIGEST_LENGTH[hash];
}
