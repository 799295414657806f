/**
 * DSA keys (FIPS 186-4), read to be *described*, never used: the
 * traditional OpenSSL `DSA PRIVATE KEY` (DSAPrivateKey: version, p, q, g, y,
 * x), PKCS#8 with id-dsa (RFC 5958 / RFC 3279 2.3.2: Dss-Parms in the
 * algorithm, the private value x as an INTEGER), and DSA SubjectPublicKeyInfo
 * (spki.ts makes it an opaque key with L and N). What comes out is the
 * parameter sizes L (bits of p) and N (bits of q) and the public key as an
 * opaque key (its SPKI, to match a certificate); the private value never
 * leaves this module.
 *
 * Bounds: p of 512..16384 bits, q of 160..512 bits, 1 <= x < q, 1 < g < p;
 * computing y = g^x mod p (PKCS#8 does not carry y) is then one modular
 * exponentiation with an exponent of at most 512 bits.
 * Out of scope: DSA signing and verification (refused everywhere with
 * `ERR_KEY_UNSUPPORTED`), DSA parameter files (`DSA PARAMETERS`).
 */
import { MailPkiError, wrapDecode } from '../errors.js';
import {
  type DerNode,
  decodeDer,
  derBitString,
  derInt,
  derOid,
  derSeq,
  encodeDer,
  isUniversal,
  readBigInt,
  readOctetString,
  readOid,
  readSequence,
} from '../encoding/der.js';
import { bitLength } from '../encoding/bytes.js';
import { modPow } from '../crypto/bigint.js';
import { OID } from '../oid.js';
import { parseSpki } from './spki.js';
import type { OpaquePublicKey } from '../crypto/key-types.js';

/**
 * What mailpki tells about a DSA private key: sizes and the public half,
 * never the private value.
 * @public
 */
export interface DsaKeyInfo {
  /** Always `dsa`. */
  readonly type: 'dsa';
  /** Bits of the prime p (1024, 2048, 3072). */
  readonly L: number;
  /** Bits of the subgroup order q (160, 224, 256). */
  readonly N: number;
  /** The public key (an opaque key: described, never used), e.g. to compare its `spki` with a certificate's. */
  readonly publicKey: OpaquePublicKey;
}

const bad = (msg: string): never => {
  throw new MailPkiError('ERR_KEY_INVALID', `DSA key: ${msg}`);
};

function checkDomain(p: bigint, q: bigint, g: bigint): { L: number; N: number } {
  const L = bitLength(p);
  const N = bitLength(q);
  if (L < 512 || L > 16384) bad(`p of ${L} bits (512..16384 read)`);
  if (N < 160 || N > 512) bad(`q of ${N} bits (160..512 read)`);
  if ((p & 1n) === 0n || (q & 1n) === 0n || q >= p) bad('p and q must be odd with q < p');
  if (g <= 1n || g >= p) bad('g must be in 2..p-1');
  return { L, N };
}

function publicKey(p: bigint, q: bigint, g: bigint, y: bigint): OpaquePublicKey {
  const spki = encodeDer(derSeq(derSeq(derOid(OID.dsa), derSeq(derInt(p), derInt(q), derInt(g))), derBitString(encodeDer(derInt(y)))));
  return parseSpki(spki) as OpaquePublicKey;
}

/** Dss-Parms ::= SEQUENCE { p, q, g } (RFC 3279 2.3.2). */
function readDssParms(node: DerNode | undefined): [bigint, bigint, bigint] {
  const [p, q, g] = readSequence(node, 'Dss-Parms', 3, 3);
  return [readBigInt(p, 'DSA p'), readBigInt(q, 'DSA q'), readBigInt(g, 'DSA g')];
}

/**
 * Describe a DSA private key from its DER: OpenSSL's traditional
 * DSAPrivateKey (`DSA PRIVATE KEY` PEM body) or a PKCS#8 PrivateKeyInfo
 * with id-dsa (`PRIVATE KEY`).
 * @throws MailPkiError `ERR_DER_*`, `ERR_ASN1_STRUCTURE` (not a DSA key),
 *   `ERR_KEY_INVALID` (sizes out of bounds, y does not match x).
 * @example
 * ```ts
 * const info = describeDsaPrivateKey(parsePemBlock(text, ['DSA PRIVATE KEY']).der);
 * `DSA L=${info.L} N=${info.N}`;
 * ```
 * @public
 */
export function describeDsaPrivateKey(der: Uint8Array): DsaKeyInfo {
  if (!(der instanceof Uint8Array)) throw new TypeError('describeDsaPrivateKey: der must be a Uint8Array');
  return wrapDecode('ERR_ASN1_STRUCTURE', 'DSA private key', () => {
    const f = readSequence(decodeDer(der, 'DSA private key'), 'DSA private key', 3, 6);
    let p: bigint, q: bigint, g: bigint, x: bigint, y: bigint | undefined;
    if (f.length === 6 && f.every((n) => isUniversal(n, 2))) {
      // DSAPrivateKey ::= SEQUENCE { version 0, p, q, g, y, x } (OpenSSL)
      if (readBigInt(f[0], 'DSAPrivateKey version') !== 0n) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'DSAPrivateKey version must be 0');
      [p, q, g, y, x] = f.slice(1).map((n, i) => readBigInt(n, `DSAPrivateKey field ${i + 1}`)) as [bigint, bigint, bigint, bigint, bigint];
    } else {
      // PrivateKeyInfo with id-dsa; attributes / publicKey after privateKey are ignored.
      if (readBigInt(f[0], 'PrivateKeyInfo version') > 1n) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'PrivateKeyInfo version must be 0 or 1');
      const alg = readSequence(f[1], 'PrivateKeyInfo privateKeyAlgorithm', 2, 2);
      if (readOid(alg[0], 'PrivateKeyInfo privateKeyAlgorithm') !== OID.dsa) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'not a DSA PrivateKeyInfo');
      [p, q, g] = readDssParms(alg[1]);
      x = readBigInt(decodeDer(readOctetString(f[2], 'PrivateKeyInfo privateKey'), 'DSA private value'), 'DSA private value');
    }
    const { L, N } = checkDomain(p, q, g);
    if (x < 1n || x >= q) bad('the private value is out of range');
    const derived = modPow(g, x, p);
    if (y !== undefined && y !== derived) bad('the public value does not match the private value');
    return { type: 'dsa', L, N, publicKey: publicKey(p, q, g, derived) };
  });
}

/**
 * True when DER bytes are a PKCS#8 PrivateKeyInfo for id-dsa (cheap shape
 * check, no validation), so a caller can route them to
 * {@link describeDsaPrivateKey}.
 * @internal
 */
export function isDsaPkcs8(der: Uint8Array): boolean {
  try {
    const f = readSequence(decodeDer(der, 'PrivateKeyInfo'), 'PrivateKeyInfo', 3, 5);
    return readOid(readSequence(f[1], 'algorithm', 1, 2)[0], 'algorithm') === OID.dsa;
  } catch {
    return false;
  }
}
