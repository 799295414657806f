/**
 * EC domain parameters (RFC 5480 2.1.1) <-> mailpki curve names, shared by
 * the SPKI, PKCS#8, SEC1 and JWK codecs. Named curves P-256/384/521 are the
 * keys we use. Explicit curve parameters (RFC 3279 2.3.5 SpecifiedECDomain,
 * what `openssl ... -param_enc explicit` writes) are read and mapped to the
 * named curve when p, a, b, G and n are exactly those of P-256/384/521
 * (and the cofactor absent or 1); RFC 5480 2.1.1 says they MUST NOT be used
 * in PKIX, but old tools wrote them. Anything else (other named curves,
 * other explicit curves, implicitCurve) is not a curve we use:
 * {@link readEcParametersOrReason} says why, so a certificate's key becomes
 * an opaque key, and private keys are refused with `ERR_KEY_UNSUPPORTED`.
 * @internal
 */
import { MailPkiError } from '../errors.js';
import { type DerNode, isNull, isUniversal, readBigInt, readOctetString, readOid, readSequence } from '../encoding/der.js';
import { bytesToBigInt, equalBytes } from '../encoding/bytes.js';
import { ecUncompressPoint, nobleCurve } from '../crypto/ec.js';
import { OID, oidName } from '../oid.js';
import type { EcCurve } from '../crypto/key-types.js';

/** Curve name -> OID. @internal */
export const CURVE_OIDS: Readonly<Record<EcCurve, string>> = {
  'P-256': OID.secp256r1,
  'P-384': OID.secp384r1,
  'P-521': OID.secp521r1,
};

/** OID -> curve name, or ERR_KEY_UNSUPPORTED. @internal */
export function curveFromOid(oid: string): EcCurve {
  for (const [name, o] of Object.entries(CURVE_OIDS)) if (o === oid) return name as EcCurve;
  throw new MailPkiError('ERR_KEY_UNSUPPORTED', `elliptic curve ${oidName(oid)} is not supported (P-256, P-384, P-521 are)`);
}

/**
 * SpecifiedECDomain (RFC 3279 2.3.5 / SEC 1 C.2) equal to one of our named
 * curves: the curve, or a reason why not. Structure errors throw
 * `ERR_ASN1_STRUCTURE`.
 */
function explicitCurve(node: DerNode, what: string): EcCurve | { reason: string; details: string } {
  const f = readSequence(node, `${what} SpecifiedECDomain`, 5, 7);
  const version = readBigInt(f[0], `${what} SpecifiedECDomain version`);
  if (version < 1n || version > 3n) throw new MailPkiError('ERR_ASN1_STRUCTURE', `${what}: SpecifiedECDomain version must be 1..3`);
  const [fieldType, prime] = readSequence(f[1], `${what} fieldID`, 2, 2);
  const ft = readOid(fieldType, `${what} fieldType`);
  if (ft !== OID.primeField) return { reason: `explicit EC parameters over a ${ft === '1.2.840.10045.1.2' ? 'binary' : 'non-prime'} field are not supported`, details: 'explicit parameters (binary field)' };
  const p = readBigInt(prime, `${what} prime-p`);
  const c = readSequence(f[2], `${what} curve`, 2, 3);
  const a = bytesToBigInt(readOctetString(c[0], `${what} curve a`));
  const b = bytesToBigInt(readOctetString(c[1], `${what} curve b`));
  const base = readOctetString(f[3], `${what} base`);
  const n = readBigInt(f[4], `${what} order`);
  const h = f[5] !== undefined && isUniversal(f[5], 2) ? readBigInt(f[5], `${what} cofactor`) : 1n;
  for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
    const C = nobleCurve(curve).Point.CURVE();
    if (p !== C.p || a !== C.a || b !== C.b || n !== C.n || h !== 1n) continue;
    let g: Uint8Array;
    try {
      g = ecUncompressPoint(curve, base);
    } catch {
      break;
    }
    const G = nobleCurve(curve).Point.BASE.toBytes(false);
    if (equalBytes(g, G)) return curve;
    break;
  }
  const bits = p > 0n ? p.toString(2).length : 0;
  return { reason: 'explicit EC parameters that are not P-256, P-384 or P-521 are not supported', details: `explicit parameters, ${bits}-bit prime field` };
}

/**
 * ECParameters (RFC 5480 2.1.1): a named curve we use, explicit parameters
 * equal to one, or the reason the key cannot be used (and the curve's name
 * when it has one).
 * @throws MailPkiError `ERR_ASN1_STRUCTURE` for absent or malformed parameters.
 * @internal
 */
export function readEcParametersOrReason(node: DerNode | undefined, what: string): EcCurve | { reason: string; details: string } {
  if (node === undefined) throw new MailPkiError('ERR_ASN1_STRUCTURE', `${what}: EC key without curve parameters`);
  if (isNull(node)) return { reason: 'implicitCurve EC parameters are not supported (use a named curve)', details: 'implicitCurve' };
  if (isUniversal(node, 16)) return explicitCurve(node, what);
  const oid = readOid(node, `${what} namedCurve`);
  for (const [name, o] of Object.entries(CURVE_OIDS)) if (o === oid) return name as EcCurve;
  const name = oidName(oid);
  return { reason: `elliptic curve ${name} is not supported (P-256, P-384, P-521 are)`, details: name };
}

/**
 * ECParameters (RFC 5480 2.1.1) of a key we must use: a named curve or
 * explicit parameters equal to one.
 * @throws MailPkiError `ERR_KEY_UNSUPPORTED` for other curves, explicit
 *   parameters of another curve, implicitCurve; `ERR_ASN1_STRUCTURE`.
 * @internal
 */
export function readEcParameters(node: DerNode | undefined, what: string): EcCurve {
  const r = readEcParametersOrReason(node, what);
  if (typeof r === 'string') return r;
  throw new MailPkiError('ERR_KEY_UNSUPPORTED', `${what}: ${r.reason}`);
}
