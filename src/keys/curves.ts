/**
 * Named-curve OIDs (RFC 5480 2.1.1.1) <-> mailpki curve names, shared by the
 * SPKI, PKCS#8, SEC1 and JWK codecs. Only named curves: explicit curve
 * parameters (RFC 3279 ecParameters) are refused, as RFC 5480 2.1.1 says
 * they MUST NOT be used in PKIX and as Go and BoringSSL do.
 * @internal
 */
import { MailPkiError } from '../errors.js';
import { type DerNode, isNull, isUniversal, readOid } from '../encoding/der.js';
import { OID, oidName } from '../oid.js';
import type { EcCurve } from './types.js';

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
 * ECParameters (RFC 5480 2.1.1): only `namedCurve` is accepted.
 * @throws MailPkiError `ERR_KEY_UNSUPPORTED` for explicit parameters or
 *   implicitCurve, or an unknown curve.
 * @internal
 */
export function readEcParameters(node: DerNode | undefined, what: string): EcCurve {
  if (node === undefined) throw new MailPkiError('ERR_ASN1_STRUCTURE', `${what}: EC key without curve parameters`);
  if (isNull(node)) throw new MailPkiError('ERR_KEY_UNSUPPORTED', `${what}: implicitCurve EC parameters are not supported (use a named curve)`);
  if (isUniversal(node, 16)) {
    throw new MailPkiError('ERR_KEY_UNSUPPORTED', `${what}: explicit EC curve parameters are not supported (RFC 5480 2.1.1: use a named curve)`);
  }
  return curveFromOid(readOid(node, `${what} namedCurve`));
}
