/**
 * SubjectPublicKeyInfo (RFC 5280 4.1.2.7): RSA (RFC 3279 2.3.1 / RFC 8017
 * A.1.1), RSASSA-PSS keys (id-RSASSA-PSS, RFC 4055 3.1, with or without
 * parameters), EC on P-256/384/521 (RFC 5480 2; explicit parameters equal to
 * one of them are mapped to it), Ed25519 (RFC 8410 4).
 *
 * Parsing validates the keys we use: RSA modulus odd and of a sane size, e
 * odd and at least 3; EC point on the curve (compressed points are accepted
 * and stored uncompressed); Ed25519 point decodes. Any other well-formed
 * SubjectPublicKeyInfo (DSA, X25519/X448, Ed448, GOST, SM2, EC on other
 * curves, unknown OIDs) becomes an {@link OpaquePublicKey}: described
 * (algorithm, parameters, size where derivable), never used.
 * Out of scope: using opaque keys (sign.ts refuses them).
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
  isUniversal,
  rawDer,
  readBigInt,
  readBitStringBytes,
  readOid,
  readSequence,
} from '../encoding/der.js';
import { bitLength } from '../encoding/bytes.js';
import { ecUncompressPoint, ed25519IsValidPublic } from '../crypto/ec.js';
import { encodePssParams, readPssParams } from './pss-params.js';
import { isHashName } from '../crypto/hash.js';
import { OID, oidName } from '../oid.js';
import { CURVE_OIDS, readEcParametersOrReason } from './curves.js';
import { encodePkcs1PublicKey, parsePkcs1PublicKeyNode } from './pkcs1.js';
import type { OpaquePublicKey, PublicKey, RsaPssKeyParams, RsaPublicKey } from '../crypto/key-types.js';

/**
 * The AlgorithmIdentifier of an RSASSA-PSS key: no parameters when the key
 * has no restrictions, full RSASSA-PSS-params otherwise (RFC 4055 3.1).
 * @internal
 */
export function pssKeyAlgorithmId(pss: RsaPssKeyParams): Asn1Node {
  if (pss.hash === undefined && pss.mgf1Hash === undefined && pss.saltLength === undefined) return derSeq(derOid(OID.rsassaPss));
  const hash = pss.hash ?? 'SHA-256';
  const mgf1Hash = pss.mgf1Hash ?? hash;
  if (!isHashName(hash) || !isHashName(mgf1Hash)) throw new MailPkiError('ERR_ALGORITHM_UNSUPPORTED', `RSASSA-PSS key parameters with ${hash}/${mgf1Hash} are not written (SHA-256/384/512 are)`);
  return derSeq(derOid(OID.rsassaPss), encodePssParams(hash, mgf1Hash, pss.saltLength ?? 20));
}

/**
 * The SubjectPublicKeyInfo of a public key as an ASN.1 node (to embed in a
 * certificate or CSR).
 * @throws MailPkiError `ERR_KEY_UNSUPPORTED` for an opaque key.
 * @internal
 */
export function encodeSpkiNode(key: PublicKey): Asn1Node {
  switch (key.type) {
    case 'rsa':
      // RFC 3279 2.3.1: parameters MUST be NULL.
      if (key.pss) return derSeq(pssKeyAlgorithmId(key.pss), derBitString(encodePkcs1PublicKey(key)));
      return derSeq(derSeq(derOid(OID.rsaEncryption), derNull()), derBitString(encodePkcs1PublicKey(key)));
    case 'ec':
      return derSeq(derSeq(derOid(OID.ecPublicKey), derOid(CURVE_OIDS[key.curve])), derBitString(key.point));
    case 'ed25519':
      // RFC 8410 3: parameters MUST be absent.
      return derSeq(derSeq(derOid(OID.ed25519)), derBitString(key.publicKey));
    case 'opaque':
      throw new MailPkiError('ERR_KEY_UNSUPPORTED', `${key.algorithm} keys are not supported: ${key.reason}`);
    default:
      throw new TypeError('encodeSpki: key must be an RSA, EC or Ed25519 public key');
  }
}

/**
 * DER SubjectPublicKeyInfo of a public key.
 * @throws MailPkiError `ERR_KEY_UNSUPPORTED` for an opaque key (its `spki`
 *   holds the bytes it was read from).
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

/** Name of an algorithm we recognise but do not use (a function, not a table: no work at import, DESIGN.md §3). */
function opaqueName(oid: string): string {
  switch (oid) {
    case OID.dsa:
      return 'DSA';
    case OID.x25519:
      return 'X25519';
    case OID.x448:
      return 'X448';
    case OID.ed448:
      return 'Ed448';
    case OID.dhPublicNumber:
      return 'DH';
    case OID.gost2001:
      return 'GOST R 34.10-2001';
    case OID.gost2012_256:
      return 'GOST R 34.10-2012 (256)';
    case OID.gost2012_512:
      return 'GOST R 34.10-2012 (512)';
    case OID.sm2:
      return 'SM2';
    case OID.ecPublicKey:
      return 'EC';
    case OID.rsassaPss:
      return 'RSASSA-PSS';
    case OID.rsaEncryption:
      return 'RSA';
    default:
      return oidName(oid);
  }
}

/** Key size and details of a DSA key from its Dss-Parms (RFC 3279 2.3.2), when present and readable. */
function dsaSize(params: DerNode | undefined): { bits?: number; details?: string } {
  if (params === undefined || !isUniversal(params, 16)) return {};
  const f = readSequence(params, 'Dss-Parms', 3, 3);
  const L = bitLength(readBigInt(f[0], 'DSA p'));
  const N = bitLength(readBigInt(f[1], 'DSA q'));
  return { bits: L, details: `L=${L}, N=${N}` };
}

function opaque(node: DerNode, oid: string, params: DerNode | undefined, reason: string, extra: { bits?: number; details?: string } = {}): OpaquePublicKey {
  return {
    kind: 'public',
    type: 'opaque',
    oid,
    algorithm: opaqueName(oid),
    ...(extra.bits !== undefined ? { bits: extra.bits } : {}),
    ...(extra.details !== undefined ? { details: extra.details } : {}),
    ...(params !== undefined ? { parameters: rawDer(params).slice() } : {}),
    reason,
    spki: rawDer(node).slice(),
  };
}

/**
 * An opaque key for a SubjectPublicKeyInfo that does not validate (for
 * inspection: the key is shown with `reason`, never used).
 * @throws MailPkiError `ERR_ASN1_STRUCTURE` when not even the algorithm can be read.
 * @internal
 */
export function opaqueFromSpkiNode(node: DerNode, reason: string): OpaquePublicKey {
  return wrapDecode('ERR_ASN1_STRUCTURE', 'SubjectPublicKeyInfo', () => {
    const [algId] = readSequence(node, 'SubjectPublicKeyInfo', 2, 2);
    const alg = readSequence(algId, 'SubjectPublicKeyInfo algorithm', 1, 2);
    return opaque(node, readOid(alg[0], 'SubjectPublicKeyInfo algorithm'), alg[1], reason);
  });
}

/** An RSA key, or an opaque one when its size is beyond what we read (RSA_READ_LIMITS): still shown, never used. */
function rsaOrOpaque(node: DerNode, oid: string, params: DerNode | undefined, keyBytes: Uint8Array): RsaPublicKey | OpaquePublicKey {
  try {
    return parsePkcs1PublicKeyNode(decodeDer(keyBytes, 'RSAPublicKey'));
  } catch (e) {
    if (!(e instanceof MailPkiError && e.code === 'ERR_KEY_UNSUPPORTED')) throw e;
    const n = readBigInt(readSequence(decodeDer(keyBytes, 'RSAPublicKey'), 'RSAPublicKey', 2, 2)[0], 'RSAPublicKey modulus');
    return opaque(node, oid, params, e.message, { bits: bitLength(n) });
  }
}

/** Key restrictions from an id-RSASSA-PSS key's parameters, or the reason mailpki cannot use them. @internal */
export function pssKeyParams(params: DerNode | undefined): RsaPssKeyParams | string {
  if (params === undefined) return {};
  // RFC 4055 3.1 allows no NULL here, but some encoders wrote one: same as absent.
  if (isNull(params)) return {};
  const p = readPssParams(params);
  if (p.mgf !== 'MGF1') return `mask generation ${oidName(p.mgf)} is not supported (MGF1 is)`;
  if (p.trailer !== 1) return `trailerField ${p.trailer} is not supported (RFC 4055 3.1: 1)`;
  if (/^\d/.test(p.hash) || /^\d/.test(p.mgfHash ?? '')) return `hash ${p.hash} is not known`;
  return { hash: p.hash, mgf1Hash: p.mgfHash!, saltLength: p.saltLength };
}

/**
 * Parse a decoded SubjectPublicKeyInfo node (from a certificate, CSR, or
 * {@link parseSpki}). Internal because its argument is a decoded DerNode.
 * @throws MailPkiError `ERR_ASN1_STRUCTURE`, `ERR_KEY_INVALID`, `ERR_KEY_UNSUPPORTED`
 *   (an RSA key beyond the sizes we read)
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
      return rsaOrOpaque(node, oid, params, keyBytes);
    }
    if (oid === OID.rsassaPss) {
      const pss = pssKeyParams(params);
      const key = rsaOrOpaque(node, oid, params, keyBytes);
      if (key.type === 'opaque') return key;
      if (typeof pss === 'string') return opaque(node, oid, params, `RSASSA-PSS key: ${pss}`, { bits: bitLength(key.n) });
      return { ...key, pss };
    }
    if (oid === OID.ecPublicKey) {
      const curve = readEcParametersOrReason(params, 'EC SubjectPublicKeyInfo');
      if (typeof curve !== 'string') {
        const named = params !== undefined && isUniversal(params, 6);
        const size = /^(?:secp|prime|brainpoolP)(\d+)/.exec(curve.details)?.[1] ?? /(\d+)-bit prime field/.exec(curve.details)?.[1];
        return opaque(node, oid, params, curve.reason, { details: named ? `curve ${curve.details}` : curve.details, ...(size ? { bits: Number(size) } : {}) });
      }
      if (keyBytes.length === 0) throw new MailPkiError('ERR_KEY_INVALID', `${curve} public key is empty`);
      return { kind: 'public', type: 'ec', curve, point: ecUncompressPoint(curve, keyBytes) };
    }
    if (oid === OID.ed25519) {
      if (params !== undefined) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'Ed25519 SubjectPublicKeyInfo parameters must be absent (RFC 8410 3)');
      if (keyBytes.length !== 32 || !ed25519IsValidPublic(keyBytes)) throw new MailPkiError('ERR_KEY_INVALID', 'Ed25519 public key is not a valid 32-byte point');
      return { kind: 'public', type: 'ed25519', publicKey: keyBytes.slice() };
    }
    if (oid === OID.dsa) return opaque(node, oid, params, 'DSA signatures are not supported (RSA, EC, Ed25519 are)', dsaSize(params));
    if (oid === OID.x25519 || oid === OID.x448) return opaque(node, oid, params, 'key-agreement keys cannot sign', { bits: oid === OID.x25519 ? 255 : 448 });
    if (oid === OID.ed448) return opaque(node, oid, params, 'Ed448 is not supported (Ed25519 is)', { bits: 448 });
    return opaque(node, oid, params, `public key algorithm ${opaqueName(oid)} is not supported (RSA, EC, Ed25519 are)`);
  });
}

/**
 * Parse a DER SubjectPublicKeyInfo (`PUBLIC KEY` PEM body). Algorithms
 * mailpki does not use come back as an {@link OpaquePublicKey}.
 * @throws MailPkiError `ERR_DER_MALFORMED`, `ERR_ASN1_STRUCTURE`, `ERR_KEY_UNSUPPORTED`, `ERR_KEY_INVALID`
 * @example
 * ```ts
 * const pub = parseSpki(der);
 * if (pub.type === 'opaque') console.log(`${pub.algorithm}: ${pub.reason}`);
 * ```
 * @public
 */
export function parseSpki(der: Uint8Array): PublicKey {
  return parseSpkiNode(decodeDer(der, 'SubjectPublicKeyInfo'));
}
