/**
 * SEC1 EC private keys (RFC 5915 3 / SEC1 C.4): `ECPrivateKey`, the body of
 * `EC PRIVATE KEY` PEM (OpenSSL "traditional") and the inner key of an EC
 * PKCS#8 PrivateKeyInfo.
 *
 * Named curves only (explicit parameters: `ERR_KEY_UNSUPPORTED`). The public
 * point is optional on input (computed from d when absent) and always written.
 * The parsed key is checked: d in range, d·G equals the stored point.
 * Out of scope: legacy PEM encryption (legacy-pem.ts), `EC PARAMETERS`
 * blocks (ignored by key-io.ts).
 */
import { MailPkiError, wrapDecode } from '../errors.js';
import {
  type Asn1Node,
  type DerNode,
  contextTag,
  decodeDer,
  derBitString,
  derExplicit,
  derInt,
  derOctets,
  derOid,
  derSeq,
  encodeDer,
  readBigInt,
  readBitStringBytes,
  readExplicit,
  readOctetString,
  readSequence,
} from '../encoding/der.js';
import { ecPointFromPrivate, ecUncompressPoint } from '../crypto/ec.js';
import { CURVE_OIDS, readEcParameters } from './curves.js';
import { checkKey } from './check.js';
import { CURVE_BYTES, type EcCurve, type EcPrivateKey } from '../crypto/key-types.js';
import { guardPrivateKey } from './private-key.js';

/** Options of {@link encodeSec1PrivateKey}. @public */
export interface EncodeSec1Options {
  /**
   * Write the `[0]` curve parameters. Default true (a standalone SEC1 key
   * must name its curve); PKCS#8 passes false because the curve is in the
   * outer AlgorithmIdentifier, as OpenSSL does.
   */
  withParameters?: boolean;
}

/** ECPrivateKey as an ASN.1 node. @internal */
export function encodeSec1PrivateKeyNode(key: EcPrivateKey, options: EncodeSec1Options = {}): Asn1Node {
  if (!key || key.type !== 'ec' || key.kind !== 'private') throw new TypeError('encodeSec1PrivateKey: key must be an EC private key');
  const fields: Asn1Node[] = [derInt(1), derOctets(key.d)];
  if (options.withParameters !== false) fields.push(derExplicit(0, derOid(CURVE_OIDS[key.curve])));
  fields.push(derExplicit(1, derBitString(key.point)));
  return derSeq(...fields);
}

/**
 * DER ECPrivateKey (RFC 5915): version 1, d (full curve length), curve
 * parameters (unless `withParameters: false`) and public point.
 * @example
 * ```ts
 * const pem = encodePem('EC PRIVATE KEY', encodeSec1PrivateKey(ecKey));
 * ```
 * @public
 */
export function encodeSec1PrivateKey(key: EcPrivateKey, options: EncodeSec1Options = {}): Uint8Array {
  return encodeDer(encodeSec1PrivateKeyNode(key, options));
}

/**
 * Parse a decoded ECPrivateKey; `outerCurve` is the curve named by an
 * enclosing PKCS#8 AlgorithmIdentifier (then `[0]` may be absent but must
 * agree when present).
 * @internal
 */
export function parseSec1PrivateKeyNode(node: DerNode, outerCurve?: EcCurve): EcPrivateKey {
  return wrapDecode('ERR_ASN1_STRUCTURE', 'ECPrivateKey', () => {
    const f = readSequence(node, 'ECPrivateKey', 2, 4);
    if (readBigInt(f[0], 'ECPrivateKey version') !== 1n) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'ECPrivateKey version must be 1 (RFC 5915 3)');
    let dRaw = readOctetString(f[1], 'ECPrivateKey privateKey');
    let i = 2;
    let curve = outerCurve;
    if (contextTag(f[i]) === 0) {
      const inner = readEcParameters(readExplicit(f[i++], 0, 'ECPrivateKey parameters'), 'ECPrivateKey');
      if (curve !== undefined && inner !== curve) throw new MailPkiError('ERR_KEY_INVALID', `ECPrivateKey names ${inner} but the PKCS#8 algorithm names ${curve}`);
      curve = inner;
    }
    let pub: Uint8Array | undefined;
    if (contextTag(f[i]) === 1) pub = readBitStringBytes(readExplicit(f[i++], 1, 'ECPrivateKey publicKey'), 'ECPrivateKey publicKey');
    if (i !== f.length) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'ECPrivateKey: unexpected fields');
    if (curve === undefined) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'ECPrivateKey does not name its curve');
    const len = CURVE_BYTES[curve];
    // RFC 5915 3: d is ceiling(log2(n)/8) octets; some writers drop leading zeros.
    while (dRaw.length > len && dRaw[0] === 0) dRaw = dRaw.subarray(1);
    if (dRaw.length > len || dRaw.length === 0) throw new MailPkiError('ERR_KEY_INVALID', `${curve} private key has the wrong length`);
    const d = new Uint8Array(len);
    d.set(dRaw, len - dRaw.length);
    const point = pub ? ecUncompressPoint(curve, pub) : ecPointFromPrivate(curve, d);
    const key: EcPrivateKey = { kind: 'private', type: 'ec', curve, d, point };
    checkKey(key);
    return guardPrivateKey(key);
  });
}

/**
 * Parse a DER ECPrivateKey (`EC PRIVATE KEY` PEM body, unencrypted).
 * @throws MailPkiError `ERR_DER_MALFORMED`, `ERR_ASN1_STRUCTURE`, `ERR_KEY_UNSUPPORTED`, `ERR_KEY_INVALID`
 * @example
 * ```ts
 * const key = parseSec1PrivateKey(parsePemBlock(text, ['EC PRIVATE KEY']).der);
 * ```
 * @public
 */
export function parseSec1PrivateKey(der: Uint8Array): EcPrivateKey {
  return parseSec1PrivateKeyNode(decodeDer(der, 'ECPrivateKey'));
}
