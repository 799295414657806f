/**
 * PKCS#1 RSA keys (RFC 8017 appendix A.1): `RSAPublicKey` (`RSA PUBLIC KEY`
 * PEM) and `RSAPrivateKey` (`RSA PRIVATE KEY` PEM, OpenSSL's "traditional"
 * format).
 *
 * Every parsed key is checked ({@link checkPrivateKey}): a key whose numbers
 * do not fit together is `ERR_KEY_INVALID`, never returned.
 * Out of scope: multi-prime keys (version 1, `otherPrimeInfos`): refused with
 * `ERR_KEY_UNSUPPORTED`; legacy PEM encryption (legacy-pem.ts).
 */
import { MailPkiError, wrapDecode } from '../errors.js';
import { type DerNode, decodeDer, derInt, derSeq, encodeDer, readBigInt, readSequence, readUnsignedBigInt } from '../encoding/der.js';
import { checkRsaPrivateKey, checkRsaPublicKey } from './check.js';
import type { RsaPrivateKey, RsaPublicKey } from '../crypto/key-types.js';
import { guardPrivateKey } from './private-key.js';

/**
 * DER RSAPublicKey ::= SEQUENCE { modulus, publicExponent } (RFC 8017 A.1.1).
 * @example
 * ```ts
 * const pem = encodePem('RSA PUBLIC KEY', encodePkcs1PublicKey(rsaKey));
 * ```
 * @public
 */
export function encodePkcs1PublicKey(key: RsaPublicKey | RsaPrivateKey): Uint8Array {
  if (!key || key.type !== 'rsa') throw new TypeError('encodePkcs1PublicKey: key must be an RSA key');
  return encodeDer(derSeq(derInt(key.n), derInt(key.e)));
}

/** Parse a decoded RSAPublicKey node. @internal */
export function parsePkcs1PublicKeyNode(node: DerNode): RsaPublicKey {
  return wrapDecode('ERR_ASN1_STRUCTURE', 'RSAPublicKey', () => {
    const [nNode, eNode] = readSequence(node, 'RSAPublicKey', 2, 2);
    const n = readUnsignedBigInt(nNode, 'RSAPublicKey modulus');
    const e = readUnsignedBigInt(eNode, 'RSAPublicKey publicExponent');
    const key: RsaPublicKey = { kind: 'public', type: 'rsa', n, e };
    checkRsaPublicKey(key);
    return key;
  });
}

/**
 * Parse a DER RSAPublicKey (`RSA PUBLIC KEY` PEM body).
 * @throws MailPkiError `ERR_DER_MALFORMED`, `ERR_ASN1_STRUCTURE`, `ERR_KEY_INVALID`, `ERR_KEY_UNSUPPORTED`
 * @example
 * ```ts
 * const pub = parsePkcs1PublicKey(parsePemBlock(text, ['RSA PUBLIC KEY']).der);
 * ```
 * @public
 */
export function parsePkcs1PublicKey(der: Uint8Array): RsaPublicKey {
  return parsePkcs1PublicKeyNode(decodeDer(der, 'RSAPublicKey'));
}

/**
 * DER RSAPrivateKey (RFC 8017 A.1.2), version 0 (two primes).
 * @example
 * ```ts
 * const pem = encodePem('RSA PRIVATE KEY', encodePkcs1PrivateKey(key));
 * ```
 * @public
 */
export function encodePkcs1PrivateKey(key: RsaPrivateKey): Uint8Array {
  if (!key || key.type !== 'rsa' || key.kind !== 'private') throw new TypeError('encodePkcs1PrivateKey: key must be an RSA private key');
  return encodeDer(
    derSeq(derInt(0), derInt(key.n), derInt(key.e), derInt(key.d), derInt(key.p), derInt(key.q), derInt(key.dp), derInt(key.dq), derInt(key.qi)),
  );
}

/** Parse a decoded RSAPrivateKey node and check it. @internal */
export function parsePkcs1PrivateKeyNode(node: DerNode): RsaPrivateKey {
  return wrapDecode('ERR_ASN1_STRUCTURE', 'RSAPrivateKey', () => {
    const f = readSequence(node, 'RSAPrivateKey', 9, 10);
    const version = readBigInt(f[0], 'RSAPrivateKey version');
    if (version === 1n || f.length === 10) throw new MailPkiError('ERR_KEY_UNSUPPORTED', 'multi-prime RSA keys (RFC 8017 A.1.2 version 1) are not supported');
    if (version !== 0n) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'RSAPrivateKey version must be 0');
    const names = ['modulus', 'publicExponent', 'privateExponent', 'prime1', 'prime2', 'exponent1', 'exponent2', 'coefficient'];
    const v = names.map((n, i) => readUnsignedBigInt(f[i + 1], `RSAPrivateKey ${n}`));
    const key: RsaPrivateKey = {
      kind: 'private',
      type: 'rsa',
      n: v[0]!,
      e: v[1]!,
      d: v[2]!,
      p: v[3]!,
      q: v[4]!,
      dp: v[5]!,
      dq: v[6]!,
      qi: v[7]!,
    };
    checkRsaPrivateKey(key);
    return guardPrivateKey(key);
  });
}

/**
 * Parse a DER RSAPrivateKey (`RSA PRIVATE KEY` PEM body, unencrypted).
 * @throws MailPkiError `ERR_DER_MALFORMED`, `ERR_ASN1_STRUCTURE`, `ERR_KEY_INVALID`, `ERR_KEY_UNSUPPORTED`
 * @example
 * ```ts
 * const key = parsePkcs1PrivateKey(parsePemBlock(text, ['RSA PRIVATE KEY']).der);
 * ```
 * @public
 */
export function parsePkcs1PrivateKey(der: Uint8Array): RsaPrivateKey {
  return parsePkcs1PrivateKeyNode(decodeDer(der, 'RSAPrivateKey'));
}
