// Keys mailpki reads but does not use (opaque keys), explicit EC parameters,
// RSASSA-PSS keys (RFC 4055) and DSA private keys. Fixtures are built here
// with our DER builders from published constants (noble's curve parameters)
// or made by node:crypto (an implementation we did not write).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createPublicKey, verify as nodeVerify, constants, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import {
  decodeDer,
  derBitString,
  derExplicit,
  derInt,
  derNull,
  derOctets,
  derOid,
  derSeq,
  encodeDer,
  readBigInt,
  readBitStringBytes,
  readOctetString,
  readSequence,
  type Asn1Node,
} from '../../src/encoding/der.js';
import { bigIntToBytes, toHex } from '../../src/encoding/bytes.js';
import { assertKeyStrength, checkKey, describeDsaPrivateKey, describeKey, encodePkcs8, encodePrivateKeyDer, encodeSpki, exportJwk, generateKeyPair, getPublicKey, keyBits, parsePkcs8, parsePrivateKey, parsePublicKey, parseSpki, publicKeysEqual, defaultSignatureAlgorithm, sign, verify, OID, isMailPkiError, type MailPkiErrorCode, type PublicKey, type RsaPrivateKey } from '../../src/index.js';

const code = (c: MailPkiErrorCode) => (e: unknown): boolean => isMailPkiError(e, c);
const spkiOf = (alg: Asn1Node, key: Uint8Array): Uint8Array => encodeDer(derSeq(alg, derBitString(key)));
const der = (k: { export(o: object): unknown }, type: 'spki' | 'pkcs8'): Uint8Array => new Uint8Array(k.export({ format: 'der', type }) as Buffer);

test('opaque keys: unknown, X25519, Ed448, GOST and DSA SubjectPublicKeyInfo are read, described, never used', () => {
  const unknown = spkiOf(derSeq(derOid('1.2.3.4.5'), derNull()), Uint8Array.of(1, 2, 3));
  const k = parseSpki(unknown);
  assert.ok(k.type === 'opaque', 'check at line 55');
  assert.equal(k.oid, '1.2.3.4.5');
  assert.equal(k.algorithm, '1.2.3.4.5');
  assert.equal(toHex(k.parameters!), '0500');
  assert.deepEqual(k.spki, unknown);
  assert.equal(keyBits(k), 0);
  assert.equal(describeKey(k), '1.2.3.4.5');
  // Never used: verify, checkKey, issuance policy, SPKI encoding all refuse with ERR_KEY_UNSUPPORTED.
  assert.throws(() => verify(k, new Uint8Array(1), new Uint8Array(64)), code('ERR_KEY_UNSUPPORTED'));
  assert.throws(() => checkKey(k), code('ERR_KEY_UNSUPPORTED'));
  assert.throws(() => assertKeyStrength(k), code('ERR_KEY_UNSUPPORTED'));
  assert.throws(() => encodeSpki(k), code('ERR_KEY_UNSUPPORTED'));
  assert.throws(() => defaultSignatureAlgorithm(k), code('ERR_KEY_UNSUPPORTED'));
  assert.equal(getPublicKey(k), k);
  assert.ok(publicKeysEqual(k, parseSpki(unknown)), 'check at line 69');
  assert.ok(!publicKeysEqual(k, parseSpki(spkiOf(derSeq(derOid('1.2.3.4.5'), derNull()), Uint8Array.of(1, 2, 4)))), 'check at line 70');

  const x = parsePublicKey(der(generateKeyPairSync('x25519').publicKey, 'spki'));
  assert.ok(x.type === 'opaque' && x.algorithm === 'X25519' && x.bits === 255 && x.parameters === undefined, 'check at line 73');
  assert.equal(describeKey(x), 'X25519');
  const ed448 = parsePublicKey(der(generateKeyPairSync('ed448').publicKey, 'spki'));
  assert.ok(ed448.type === 'opaque' && ed448.algorithm === 'Ed448', 'check at line 76');
  const gost = parseSpki(spkiOf(derSeq(derOid(OID.gost2012_256), derSeq(derOid('1.2.643.7.1.2.1.1.1'))), encodeDer(derOctets(new Uint8Array(64).fill(7)))));
  assert.ok(gost.type === 'opaque' && gost.algorithm === 'GOST R 34.10-2012 (256)', 'check at line 78');

  const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
  const d = parseSpki(der(dsa.publicKey, 'spki'));
  assert.ok(d.type === 'opaque' && d.algorithm === 'DSA', 'check at line 82');
  assert.equal(d.bits, 1024);
  assert.equal(describeKey(d), 'DSA 1024 (L=1024, N=160)');
  assert.match(d.reason, /DSA signatures are not supported/);
});

test('DSA private keys: PKCS#8 and traditional DSAPrivateKey are described (L, N, public half), never returned as usable keys', () => {
  const { privateKey, publicKey } = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
  const pkcs8 = der(privateKey, 'pkcs8');
  const info = describeDsaPrivateKey(pkcs8);
  assert.equal(info.L, 2048);
  assert.equal(info.N, 256);
  assert.deepEqual(info.publicKey.spki, der(publicKey, 'spki'), 'y = g^x mod p, SPKI equal to node:crypto\'s');
  assert.ok(!JSON.stringify(info.publicKey, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v)).includes('"x"'), 'check at line 95');
  // The traditional form (OpenSSL "DSA PRIVATE KEY"): SEQUENCE { 0, p, q, g, y, x }, from node's PKCS#8 and SPKI numbers.
  const p8 = dsaNumbers(pkcs8);
  const y = dsaY(der(publicKey, 'spki'));
  const trad = encodeDer(derSeq(derInt(0), derInt(p8.p), derInt(p8.q), derInt(p8.g), derInt(y), derInt(p8.x)));
  const t2 = describeDsaPrivateKey(trad);
  assert.deepEqual(t2.publicKey.spki, info.publicKey.spki);
  // a y that does not match x is refused
  assert.throws(() => describeDsaPrivateKey(encodeDer(derSeq(derInt(0), derInt(p8.p), derInt(p8.q), derInt(p8.g), derInt(y + 1n), derInt(p8.x)))), code('ERR_KEY_INVALID'));
  // x out of range, tiny p: refused before any work
  assert.throws(() => describeDsaPrivateKey(encodeDer(derSeq(derInt(0), derInt(p8.p), derInt(p8.q), derInt(p8.g), derInt(y), derInt(p8.q)))), code('ERR_KEY_INVALID'));
  assert.throws(() => describeDsaPrivateKey(encodeDer(derSeq(derInt(0), derInt(23n), derInt(11n), derInt(2n), derInt(4n), derInt(3n)))), code('ERR_KEY_INVALID'));
  // The usable-key API refuses DSA with a clear message.
  assert.throws(() => parsePkcs8(pkcs8), (e) => isMailPkiError(e, 'ERR_KEY_UNSUPPORTED') && /DSA/.test((e as Error).message));
  assert.throws(() => parsePrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string), code('ERR_KEY_UNSUPPORTED'));
});

/** p, q, g, x of a DSA PrivateKeyInfo { 0, { id-dsa, { p, q, g } }, OCTET STRING { INTEGER x } }. */
function dsaNumbers(pkcs8: Uint8Array): { p: bigint; q: bigint; g: bigint; x: bigint } {
  const f = readSequence(decodeDer(pkcs8, 't'), 't');
  const [, params] = readSequence(f[1], 'alg');
  const [p, q, g] = readSequence(params, 'params').map((n) => readBigInt(n, 'n'));
  return { p: p!, q: q!, g: g!, x: readBigInt(decodeDer(readOctetString(f[2], 'x'), 'x'), 'x') };
}
/** y of a DSA SubjectPublicKeyInfo. */
function dsaY(spki: Uint8Array): bigint {
  const [, bits] = readSequence(decodeDer(spki, 't'), 't');
  return readBigInt(decodeDer(readBitStringBytes(bits, 'b'), 'y'), 'y');
}

test('explicit EC parameters: equal to P-256 -> the named curve (both base point forms); anything else -> opaque', () => {
  const C = p256.Point.CURVE();
  const G = p256.Point.BASE;
  const field = (n: bigint): Uint8Array => bigIntToBytes(n, 32);
  const explicit = (o: { b?: bigint; base?: Uint8Array; fieldOid?: string; n?: bigint; h?: bigint } = {}): Asn1Node =>
    derSeq(
      derInt(1),
      derSeq(derOid(o.fieldOid ?? OID.primeField), derInt(C.p)),
      derSeq(derOctets(field(C.a)), derOctets(field(o.b ?? C.b)), derBitString(new Uint8Array(20))),
      derOctets(o.base ?? G.toBytes(false)),
      derInt(o.n ?? C.n),
      ...(o.h !== undefined ? [derInt(o.h)] : [derInt(1)]),
    );
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const named = parseSpki(der(publicKey, 'spki'));
  assert.ok(named.type === 'ec', 'check at line 140');
  const point = named.point;
  const withParams = (params: Asn1Node): PublicKey => parseSpki(spkiOf(derSeq(derOid(OID.ecPublicKey), params), point));
  assert.deepEqual(withParams(explicit()), named);
  assert.deepEqual(withParams(explicit({ base: G.toBytes(true) })), named, 'compressed base point');
  for (const [what, params] of [
    ['another b', explicit({ b: C.b + 1n })],
    ['another base point', explicit({ base: G.double().toBytes(false) })],
    ['another order', explicit({ n: C.n + 2n })],
    ['cofactor 2', explicit({ h: 2n })],
    ['a binary field', explicit({ fieldOid: '1.2.840.10045.1.2' })],
  ] as const) {
    const k = withParams(params);
    assert.ok(k.type === 'opaque' && k.algorithm === 'EC', what);
    assert.match(k.reason, /explicit EC parameters/, what);
  }
  const implicit = withParams(derNull());
  assert.ok(implicit.type === 'opaque' && /implicitCurve/.test(implicit.reason), 'check at line 157');
  const k1 = parsePublicKey(der(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey, 'spki'));
  assert.ok(k1.type === 'opaque', 'check at line 159');
  assert.equal(describeKey(k1), 'EC 256 (curve secp256k1)');
  // Private keys with explicit P-256 parameters: test/interop/keys-opaque-openssl.test.ts (made by openssl).
});

test('RSASSA-PSS keys (RFC 4055): read with and without parameters, written back, restrictions enforced', () => {
  const gen = generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384', saltLength: 48 } as { modulusLength: number });
  const priv = parsePrivateKey(gen.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  assert.ok(priv.type === 'rsa', 'check at line 167');
  assert.deepEqual(priv.pss, { hash: 'SHA-384', mgf1Hash: 'SHA-384', saltLength: 48 });
  assert.deepEqual(encodePkcs8(priv), der(gen.privateKey, 'pkcs8'), 'PKCS#8 re-encodes byte for byte');
  const pub = parseSpki(der(gen.publicKey, 'spki'));
  assert.ok(publicKeysEqual(pub, priv), 'check at line 171');
  assert.deepEqual(encodeSpki(getPublicKey(priv)), der(gen.publicKey, 'spki'));
  assert.equal(describeKey(priv), 'RSA-PSS 2048 (SHA-384, MGF1-SHA-384, salt >= 48)');
  assert.deepEqual(defaultSignatureAlgorithm(priv), { name: 'RSA-PSS', hash: 'SHA-384', saltLength: 48 });

  const data = new TextEncoder().encode('restricted');
  const sig = sign(priv, data);
  assert.ok(verify(pub, data, sig), 'check at line 178');
  // node:crypto (OpenSSL) verifies it, reading the key from our SPKI encoding.
  const nodePub = createPublicKey({ key: Buffer.from(encodeSpki(pub)), format: 'der', type: 'spki' });
  assert.ok(nodeVerifyPss(nodePub, data, sig, 48), 'check at line 181');
  // RFC 4055 3.1: PSS only, the key's hash, a salt at least the key's.
  assert.throws(() => sign(priv, data, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' }), code('ERR_ALGORITHM_UNSUPPORTED'));
  assert.throws(() => sign(priv, data, { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 48 }), code('ERR_ALGORITHM_UNSUPPORTED'));
  assert.throws(() => sign(priv, data, { name: 'RSA-PSS', hash: 'SHA-384', saltLength: 20 }), code('ERR_ALGORITHM_UNSUPPORTED'));
  assert.ok(verify(pub, data, sign(priv, data, { name: 'RSA-PSS', hash: 'SHA-384', saltLength: 64 }), { name: 'RSA-PSS', hash: 'SHA-384', saltLength: 64 }), 'a longer salt is allowed');
  // Formats that cannot carry the restriction refuse rather than drop it.
  assert.throws(() => encodePrivateKeyDer(priv, { format: 'pkcs1' }), RangeError);
  assert.throws(() => exportJwk(priv), code('ERR_KEY_UNSUPPORTED'));

  // Without parameters: PSS only, any hash.
  const free = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
  const fk = parsePrivateKey(free.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string) as RsaPrivateKey;
  assert.deepEqual(fk.pss, {});
  assert.equal(describeKey(fk), 'RSA-PSS 2048 (no parameter restrictions)');
  assert.deepEqual(encodeSpki(getPublicKey(fk)), der(free.publicKey, 'spki'));
  assert.deepEqual(defaultSignatureAlgorithm(fk), { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 });
  const s512 = sign(fk, data, { name: 'RSA-PSS', hash: 'SHA-512', saltLength: 64 });
  assert.ok(verify(getPublicKey(fk), data, s512, { name: 'RSA-PSS', hash: 'SHA-512', saltLength: 64 }));
  assert.throws(() => verify(getPublicKey(fk), data, s512, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }), code('ERR_ALGORITHM_UNSUPPORTED'));
  // An rsaEncryption key and a PSS key with the same numbers are different keys.
  const plain = { ...fk, pss: undefined };
  delete (plain as { pss?: unknown }).pss;
  assert.ok(!publicKeysEqual(plain, fk), 'check at line 204');

  // MGF other than MGF1, or a trailer other than 1: opaque (shown, never used).
  const pkcs1 = encodeDer(derSeq(derInt(fk.n), derInt(fk.e)));
  const badMgf = spkiOf(derSeq(derOid(OID.rsassaPss), derSeq(derExplicit(1, derSeq(derOid('1.2.3.4'))))), pkcs1);
  const o = parseSpki(badMgf);
  assert.ok(o.type === 'opaque' && o.algorithm === 'RSASSA-PSS' && o.bits === 2048 && /mask generation/.test(o.reason), 'check at line 210');
  const badTrailer = spkiOf(derSeq(derOid(OID.rsassaPss), derSeq(derExplicit(3, derInt(2)))), pkcs1);
  assert.ok(parseSpki(badTrailer).type === 'opaque', 'check at line 212');
});

test('generateKeyPair({ type: "rsa-pss" }): options are checked before any work', async () => {
  await assert.rejects(generateKeyPair({ type: 'rsa-pss', bits: 2048, hash: 'SHA-1' as never }), RangeError);
  await assert.rejects(generateKeyPair({ type: 'rsa-pss', bits: 2048, saltLength: 2048 / 8 - 32 - 1 }), RangeError);
  await assert.rejects(generateKeyPair({ type: 'rsa-pss', bits: 2048, saltLength: -1 }), RangeError);
  await assert.rejects(generateKeyPair({ type: 'rsa-pss', bits: 1024 as never }), RangeError);
  // (a real RSA-PSS key pair is made, written and checked by openssl in test/interop/keys-opaque-openssl.test.ts)
});

function nodeVerifyPss(key: KeyObject, data: Uint8Array, sig: Uint8Array, saltLength: number): boolean {
  return nodeVerify('sha384', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, sig);
}
