// Test helper (not a test): certificates with exactly the defect a test
// needs, assembled with mailpki's own DER codec and signer. The issuing API
// (issue.ts) refuses to make most of these on purpose (serial 0, critical AKI,
// unlimited CA depth, ...), so tests build the TBSCertificate here, field by
// field, sign it with the issuer's key and parse the result back.
import { derBitString, derExplicit, derInt, derRaw, derSeq, encodeDer } from '../../src/encoding/der.js';
import {
  defaultSignatureAlgorithm,
  sign,
  encodeSpki,
  getPublicKey,
  type PrivateKey,
  parseSan,
  parseCertificate,
  OID,
  type Certificate,
  type Extension,
  type NameInput,
} from '../../src/index.js';
import { encodeSignatureAlgorithmId } from '../../src/x509/algorithm-id.js';
import { encodeName, parseName } from '../../src/x509/name.js';
import { encodeTime } from '../../src/x509/time.js';
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  computeKeyIdentifier,
  encodeExtensions,
  extKeyUsageExtension,
  keyUsageExtension,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
} from '../../src/x509/extensions.js';

const DAY = 86_400_000;
let serialCounter = 1000n;

export interface ForgeOptions {
  /** Subject name (`/CN=x`, `{ CN: 'x' }`, '' for an empty subject). */
  readonly subject: NameInput;
  /** The subject's key (its public half goes into the certificate). */
  readonly key: PrivateKey;
  /** Issuer certificate and key; absent = self-signed with `key`. */
  readonly issuer?: { readonly cert: Certificate; readonly key: PrivateKey };
  /** Issuer name to write when there is no issuer certificate (self-issued by another key). */
  readonly issuerName?: NameInput;
  /** Signing key when `issuer` is absent (default `key`). */
  readonly signer?: PrivateKey;
  /** Serial: a number, or the raw INTEGER content octets (for zero, negative, too long). */
  readonly serial?: bigint | Uint8Array;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Every extension, in order (see caExtensions / leafExtensions). */
  readonly extensions: readonly Extension[];
}

/** Build, sign and parse one certificate. */
export function forge(o: ForgeOptions): Certificate {
  const pub = getPublicKey(o.key);
  const signer = o.issuer ? o.issuer.key : (o.signer ?? o.key);
  const alg = defaultSignatureAlgorithm(signer);
  const algId = encodeSignatureAlgorithmId(alg);
  const subject = parseName(o.subject);
  const issuerName = o.issuer ? o.issuer.cert.subject : o.issuerName !== undefined ? parseName(o.issuerName) : subject;
  const serial =
    o.serial instanceof Uint8Array ? derRaw(Uint8Array.of(0x02, o.serial.length, ...o.serial)) : derInt(o.serial ?? ++serialCounter);
  const notBefore = o.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - DAY);
  const notAfter = o.notAfter ?? new Date(notBefore.getTime() + 365 * DAY);
  const tbsNode = derSeq(
    derExplicit(0, derInt(2)),
    serial,
    algId,
    encodeName(issuerName),
    derSeq(encodeTime(notBefore), encodeTime(notAfter)),
    encodeName(subject),
    derRaw(encodeSpki(pub)),
    ...(o.extensions.length ? [derExplicit(3, encodeExtensions(o.extensions))] : []),
  );
  const tbs = encodeDer(tbsNode);
  const sig = sign(signer, tbs, alg);
  return parseCertificate(encodeDer(derSeq(derRaw(tbs), algId, derBitString(sig))));
}

export const keyId = (key: PrivateKey): Uint8Array => computeKeyIdentifier(encodeSpki(getPublicKey(key)));

/** CA extensions: basicConstraints CA:TRUE (critical), keyUsage keyCertSign+cRLSign, SKI, and AKI of `issuerKey` when given. */
export function caExtensions(key: PrivateKey, issuerKey?: PrivateKey, opts: { pathLen?: number } = {}): Extension[] {
  return [
    basicConstraintsExtension(opts.pathLen === undefined ? { ca: true } : { ca: true, pathLen: opts.pathLen }),
    keyUsageExtension(['keyCertSign', 'cRLSign']),
    subjectKeyIdentifierExtension(keyId(key)),
    ...(issuerKey ? [authorityKeyIdentifierExtension(keyId(issuerKey))] : []),
  ];
}

/** TLS server leaf extensions: CA:FALSE, digitalSignature, EKU serverAuth, SKI, AKI, SAN (DNS/IP). */
export function leafExtensions(key: PrivateKey, issuerKey: PrivateKey, sans: readonly string[], opts: { eku?: readonly string[] } = {}): Extension[] {
  return [
    basicConstraintsExtension({ ca: false }),
    keyUsageExtension(['digitalSignature']),
    extKeyUsageExtension(opts.eku ?? [OID.serverAuth]),
    subjectKeyIdentifierExtension(keyId(key)),
    authorityKeyIdentifierExtension(keyId(issuerKey)),
    ...(sans.length ? [subjectAltNameExtension(sans.map((s) => parseSan(s)))] : []),
  ];
}

/** The same extension list with one extension's criticality changed. */
export function withCritical(exts: readonly Extension[], oid: string, critical: boolean): Extension[] {
  return exts.map((e) => (e.oid === oid ? { ...e, critical } : e));
}

/** The same extension list without the extensions of these OIDs. */
export function without(exts: readonly Extension[], ...oids: string[]): Extension[] {
  return exts.filter((e) => !oids.includes(e.oid));
}
