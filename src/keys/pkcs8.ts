/**
 * PKCS#8 PrivateKeyInfo (RFC 5208 5) and OneAsymmetricKey (RFC 5958 2), the
 * `PRIVATE KEY` PEM: RSA (inner RSAPrivateKey, RFC 8017), EC (inner
 * ECPrivateKey, RFC 5915 / RFC 5480 curve in the algorithm), Ed25519 (inner
 * CurvePrivateKey, RFC 8410 7).
 *
 * Reading accepts version 1 (v1) and version 2 (v2, OneAsymmetricKey) with an
 * optional `[1] publicKey`, which must match the private key. Attributes are
 * skipped. We write v1 without attributes, as OpenSSL 3 does.
 * RSASSA-PSS keys (id-RSASSA-PSS, RFC 4055 3.1, with or without parameters)
 * are read into RSA keys with their `pss` restrictions and written back the
 * same way.
 * Out of scope: encryption (encrypted-pkcs8.ts), DSA (described by dsa.ts,
 * never used), X25519/X448 and other algorithms (refused with
 * `ERR_KEY_UNSUPPORTED`).
 */
import { MailPkiError, wrapDecode } from '../errors.js';
import {
  type Asn1Node,
  type DerNode,
  contextTag,
  decodeDer,
  derInt,
  derNull,
  derOctets,
  derOid,
  derSeq,
  encodeDer,
  isNull,
  readBigInt,
  readImplicitBytes,
  readOctetString,
  readOid,
  readSequence,
} from '../encoding/der.js';
import { equalBytes } from '../encoding/bytes.js';
import { ed25519PublicFromSeed } from '../crypto/ec.js';
import { OID, oidName } from '../oid.js';
import { CURVE_OIDS, readEcParameters } from './curves.js';
import { checkKey } from './check.js';
import { encodePkcs1PrivateKey, parsePkcs1PrivateKeyNode, parsePkcs1PublicKey } from './pkcs1.js';
import { pssKeyAlgorithmId, pssKeyParams } from './spki.js';
import { encodeSec1PrivateKey, parseSec1PrivateKeyNode } from './sec1.js';
import type { PrivateKey } from '../crypto/key-types.js';
import { guardPrivateKey } from './private-key.js';

/**
 * DER PrivateKeyInfo (v1) of a private key.
 * @example
 * ```ts
 * const pem = encodePem('PRIVATE KEY', encodePkcs8(key));
 * ```
 * @public
 */
export function encodePkcs8(key: PrivateKey): Uint8Array {
  if (!key || key.kind !== 'private') throw new TypeError('encodePkcs8: key must be a private key');
  let alg: Asn1Node;
  let inner: Uint8Array;
  switch (key.type) {
    case 'rsa':
      alg = key.pss ? pssKeyAlgorithmId(key.pss) : derSeq(derOid(OID.rsaEncryption), derNull());
      inner = encodePkcs1PrivateKey(key);
      break;
    case 'ec':
      alg = derSeq(derOid(OID.ecPublicKey), derOid(CURVE_OIDS[key.curve]));
      inner = encodeSec1PrivateKey(key, { withParameters: false });
      break;
    case 'ed25519':
      alg = derSeq(derOid(OID.ed25519));
      inner = encodeDer(derOctets(key.seed)); // RFC 8410 7: CurvePrivateKey ::= OCTET STRING
      break;
    default:
      throw new TypeError('encodePkcs8: key must be an RSA, EC or Ed25519 private key');
  }
  return encodeDer(derSeq(derInt(0), alg, derOctets(inner)));
}

/** Parse a decoded PrivateKeyInfo / OneAsymmetricKey node. @internal */
export function parsePkcs8Node(node: DerNode): PrivateKey {
  return wrapDecode('ERR_ASN1_STRUCTURE', 'PrivateKeyInfo', () => {
    const f = readSequence(node, 'PrivateKeyInfo', 3, 5);
    const version = readBigInt(f[0], 'PrivateKeyInfo version');
    if (version !== 0n && version !== 1n) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'PrivateKeyInfo version must be 0 (v1) or 1 (v2)');
    const alg = readSequence(f[1], 'PrivateKeyInfo privateKeyAlgorithm', 1, 2);
    const oid = readOid(alg[0], 'PrivateKeyInfo privateKeyAlgorithm');
    const params = alg[1];
    const inner = readOctetString(f[2], 'PrivateKeyInfo privateKey');
    let i = 3;
    if (contextTag(f[i]) === 0) i++; // attributes [0]: skipped
    let publicKey: Uint8Array | undefined;
    if (contextTag(f[i]) === 1) {
      // RFC 5958 2: publicKey [1] IMPLICIT BIT STRING, only in v2.
      if (version !== 1n) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'PrivateKeyInfo v1 must not carry a public key (RFC 5958 2)');
      const raw = readImplicitBytes(f[i++], 1, 'OneAsymmetricKey publicKey');
      if (raw.length < 1 || raw[0] !== 0) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'OneAsymmetricKey publicKey: expected a BIT STRING of whole bytes');
      publicKey = raw.subarray(1);
    }
    if (i !== f.length) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'PrivateKeyInfo: unexpected fields');

    let key: PrivateKey;
    if (oid === OID.rsaEncryption) {
      if (params !== undefined && !isNull(params)) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'RSA PrivateKeyInfo parameters must be NULL');
      key = parsePkcs1PrivateKeyNode(decodeDer(inner, 'RSAPrivateKey'));
      if (publicKey) {
        const pub = parsePkcs1PublicKey(publicKey);
        if (pub.n !== key.n || pub.e !== key.e) throw new MailPkiError('ERR_KEY_INVALID', 'PKCS#8 publicKey does not match the RSA private key');
      }
    } else if (oid === OID.ecPublicKey) {
      const curve = readEcParameters(params, 'EC PrivateKeyInfo');
      key = parseSec1PrivateKeyNode(decodeDer(inner, 'ECPrivateKey'), curve);
      if (publicKey && !equalPoint(publicKey, key.point)) throw new MailPkiError('ERR_KEY_INVALID', 'PKCS#8 publicKey does not match the EC private key');
    } else if (oid === OID.ed25519) {
      if (params !== undefined) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'Ed25519 PrivateKeyInfo parameters must be absent (RFC 8410 3)');
      const seed = readOctetString(decodeDer(inner, 'Ed25519 CurvePrivateKey'), 'Ed25519 CurvePrivateKey');
      if (seed.length !== 32) throw new MailPkiError('ERR_KEY_INVALID', 'Ed25519 private key must be 32 bytes (RFC 8410 7)');
      const derived = ed25519PublicFromSeed(seed);
      if (publicKey && !equalBytes(publicKey, derived)) throw new MailPkiError('ERR_KEY_INVALID', 'PKCS#8 publicKey does not match the Ed25519 private key');
      key = { kind: 'private', type: 'ed25519', seed: seed.slice(), publicKey: derived };
      checkKey(key);
    } else if (oid === OID.rsassaPss) {
      const pss = pssKeyParams(params);
      if (typeof pss === 'string') throw new MailPkiError('ERR_KEY_UNSUPPORTED', `RSASSA-PSS key: ${pss}`);
      const rsa = parsePkcs1PrivateKeyNode(decodeDer(inner, 'RSAPrivateKey'));
      if (publicKey) {
        const pub = parsePkcs1PublicKey(publicKey);
        if (pub.n !== rsa.n || pub.e !== rsa.e) throw new MailPkiError('ERR_KEY_INVALID', 'PKCS#8 publicKey does not match the RSA private key');
      }
      key = { ...rsa, pss };
    } else if (oid === OID.dsa) {
      throw new MailPkiError('ERR_KEY_UNSUPPORTED', 'DSA keys can be inspected but not used: signing and verifying with DSA are not supported (RSA, EC, Ed25519 are)');
    } else {
      throw new MailPkiError('ERR_KEY_UNSUPPORTED', `private key algorithm ${oidName(oid)} is not supported (RSA, EC, Ed25519 are)`);
    }
    return guardPrivateKey(key);
  });
}

function equalPoint(a: Uint8Array, uncompressed: Uint8Array): boolean {
  if (a.length === uncompressed.length) return equalBytes(a, uncompressed);
  // compressed form: same X and the parity of Y
  const len = (uncompressed.length - 1) / 2;
  return a.length === 1 + len && a[0] === 2 + (uncompressed[uncompressed.length - 1]! & 1) && equalBytes(a.subarray(1), uncompressed.subarray(1, 1 + len));
}

/**
 * Parse a DER PrivateKeyInfo / OneAsymmetricKey (`PRIVATE KEY` PEM body).
 * The key is checked (see check.ts) before it is returned.
 * @throws MailPkiError `ERR_DER_MALFORMED`, `ERR_ASN1_STRUCTURE`, `ERR_KEY_UNSUPPORTED`, `ERR_KEY_INVALID`
 * @example
 * ```ts
 * const key = parsePkcs8(parsePemBlock(text, ['PRIVATE KEY']).der);
 * ```
 * @public
 */
export function parsePkcs8(der: Uint8Array): PrivateKey {
  return parsePkcs8Node(decodeDer(der, 'PrivateKeyInfo'));
}
