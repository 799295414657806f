/**
 * SubjectPublicKeyInfo (RFC 5280 4.1.2.7): RSA (RFC 3279 2.3.1 / RFC 8017
 * A.1.1), EC on named curves (RFC 5480 2), Ed25519 (RFC 8410 4).
 *
 * Parsing validates the key itself: RSA modulus odd and of a sane size, e odd
 * and at least 3; EC point on the curve (compressed points are accepted and
 * stored uncompressed); Ed25519 point decodes.
 * Out of scope: RSASSA-PSS-restricted keys (id-RSASSA-PSS SPKI), X25519/X448,
 * explicit EC parameters — all refused with `ERR_KEY_UNSUPPORTED`.
 */
import { MailPkiError, wrapDecode } from '../errors.js';
import {
  type Asn1Node,
  type DerNode,
  decodeDer,
  derBitString,
  derNull,
  derOid,
  derSeq,
  encodeDer,
  isNull,
  readBitStringBytes,
  readOid,
  readSequence,
} from '../encoding/der.js';
import { ecUncompressPoint, ed25519IsValidPublic } from '../crypto/ec.js';
import { OID, oidName } from '../oid.js';
import { CURVE_OIDS, readEcParameters } from './curves.js';
import { encodePkcs1PublicKey, parsePkcs1PublicKeyNode } from './pkcs1.js';
import type { PublicKey } from './types.js';

/**
 * The SubjectPublicKeyInfo of a public key as an ASN.1 node (to embed in a
 * certificate or CSR).
 * @internal
 */
export function encodeSpkiNode(key: PublicKey): Asn1Node {
  switch (key.type) {
    case 'rsa':
      // RFC 3279 2.3.1: parameters MUST be NULL.
      return derSeq(derSeq(derOid(OID.rsaEncryption), derNull()), derBitString(encodePkcs1PublicKey(key)));
    case 'ec':
      return derSeq(derSeq(derOid(OID.ecPublicKey), derOid(CURVE_OIDS[key.curve])), derBitString(key.point));
    case 'ed25519':
      // RFC 8410 3: parameters MUST be absent.
      return derSeq(derSeq(derOid(OID.ed25519)), derBitString(key.publicKey));
    default:
      throw new TypeError('encodeSpki: key must be an RSA, EC or Ed25519 public key');
  }
}

/**
 * DER SubjectPublicKeyInfo of a public key.
 * @example
 * ```ts
 * const der = encodeSpki(getPublicKey(privateKey));
 * ```
 * @public
 */
export function encodeSpki(key: PublicKey): Uint8Array {
  if (!key || (key as { kind?: string }).kind !== 'public') throw new TypeError('encodeSpki: key must be a public key (use getPublicKey)');
  return encodeDer(encodeSpkiNode(key));
}

/**
 * Parse a decoded SubjectPublicKeyInfo node (from a certificate, CSR, or
 * {@link parseSpki}). Internal because its argument is a decoded DerNode.
 * @throws MailPkiError `ERR_ASN1_STRUCTURE`, `ERR_KEY_UNSUPPORTED`, `ERR_KEY_INVALID`
 * @internal
 */
export function parseSpkiNode(node: DerNode): PublicKey {
  return wrapDecode('ERR_ASN1_STRUCTURE', 'SubjectPublicKeyInfo', () => {
    const [algId, bits] = readSequence(node, 'SubjectPublicKeyInfo', 2, 2);
    const alg = readSequence(algId, 'SubjectPublicKeyInfo algorithm', 1, 2);
    const oid = readOid(alg[0], 'SubjectPublicKeyInfo algorithm');
    const params = alg[1];
    const keyBytes = readBitStringBytes(bits, 'SubjectPublicKeyInfo subjectPublicKey');
    if (oid === OID.rsaEncryption) {
      // RFC 3279 2.3.1 says NULL; absent parameters are tolerated on input.
      if (params !== undefined && !isNull(params)) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'RSA SubjectPublicKeyInfo parameters must be NULL');
      return parsePkcs1PublicKeyNode(decodeDer(keyBytes, 'RSAPublicKey'));
    }
    if (oid === OID.ecPublicKey) {
      const curve = readEcParameters(params, 'EC SubjectPublicKeyInfo');
      if (keyBytes.length === 0) throw new MailPkiError('ERR_KEY_INVALID', `${curve} public key is empty`);
      return { kind: 'public', type: 'ec', curve, point: ecUncompressPoint(curve, keyBytes) };
    }
    if (oid === OID.ed25519) {
      if (params !== undefined) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'Ed25519 SubjectPublicKeyInfo parameters must be absent (RFC 8410 3)');
      if (keyBytes.length !== 32 || !ed25519IsValidPublic(keyBytes)) throw new MailPkiError('ERR_KEY_INVALID', 'Ed25519 public key is not a valid 32-byte point');
      return { kind: 'public', type: 'ed25519', publicKey: keyBytes.slice() };
    }
    if (oid === OID.rsassaPss) throw new MailPkiError('ERR_KEY_UNSUPPORTED', 'RSASSA-PSS-restricted RSA keys (id-RSASSA-PSS) are not supported; use rsaEncryption keys');
    throw new MailPkiError('ERR_KEY_UNSUPPORTED', `public key algorithm ${oidName(oid)} is not supported (RSA, EC, Ed25519 are)`);
  });
}

/**
 * Parse a DER SubjectPublicKeyInfo (`PUBLIC KEY` PEM body).
 * @throws MailPkiError `ERR_DER_MALFORMED`, `ERR_ASN1_STRUCTURE`, `ERR_KEY_UNSUPPORTED`, `ERR_KEY_INVALID`
 * @example
 * ```ts
 * const pub = parseSpki(der);
 * ```
 * @public
 */
export function parseSpki(der: Uint8Array): PublicKey {
  return parseSpkiNode(decodeDer(der, 'SubjectPublicKeyInfo'));
}

