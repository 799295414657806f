// Unit tests for src/keys (formats, JWK, checks, key-io) and the PBES2 /
// legacy-PEM paths of src/crypto/pbe.ts. Oracle: node:crypto (OpenSSL
// underneath), which parses and writes PKCS#8, PKCS#1, SEC1, SPKI, JWK and
// both kinds of encrypted PEM; nothing here compares against bytes we made
// ourselves except round trips (encode -> parse -> encode).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { ecPointFromPrivate, ed25519PublicFromSeed } from '../../src/crypto/ec.js';
import { encodePbes2AlgorithmId, pbes2Encrypt, type Pbes2Params } from '../../src/crypto/pbe.js';
import { derBitString, derExplicit, derImplicitBytes, derInt, derOctets, derOid, derSeq, encodeDer } from '../../src/encoding/der.js';
import { concatBytes, equalBytes, fromBase64 } from '../../src/encoding/bytes.js';
import { assertKeyStrength, checkKey, describeKey, encodePkcs1PrivateKey, encodePkcs1PublicKey, encodePkcs8, encodePrivateKeyDer, encodePrivateKeyPem, encryptPrivateKeyPem, encryptPrivateKeyDer, encodePublicKeyPem, encodeSec1PrivateKey, encodeSpki, exportJwk, getPublicKey, importJwk, isEncryptedPrivateKey, keyBits, parseEncryptedPkcs8, parseEncryptedPkcs8Info, parsePkcs1PrivateKey, parsePkcs1PublicKey, parsePkcs8, parsePrivateKey, parsePublicKey, parseSec1PrivateKey, parseSpki, publicKeysEqual, encodePem, OID, isMailPkiError, type MailPkiErrorCode, type EcCurve, type PrivateKey, type RsaPrivateKey } from '../../src/index.js';

const u8 = (b: Buffer | string): Uint8Array => new Uint8Array(typeof b === 'string' ? Buffer.from(b) : b);

function throwsCode(fn: () => unknown, code: MailPkiErrorCode | MailPkiErrorCode[]): void {
  const codes = Array.isArray(code) ? code : [code];
  assert.throws(fn, (e: unknown) => {
    assert.ok(isMailPkiError(e), `expected MailPkiError, got ${String(e)}`);
    assert.ok(codes.includes(e.code), `expected ${codes.join('|')}, got ${e.code}: ${e.message}`);
    return true;
  });
}

interface Fixture {
  name: string;
  node: KeyObject;
  pub: KeyObject;
}
const FIX: Fixture[] = [];
{
  const r = generateKeyPairSync('rsa', { modulusLength: 2048 });
  FIX.push({ name: 'RSA 2048', node: r.privateKey, pub: r.publicKey });
  for (const curve of ['P-256', 'P-384', 'P-521'] as EcCurve[]) {
    const k = generateKeyPairSync('ec', { namedCurve: curve });
    FIX.push({ name: `EC ${curve}`, node: k.privateKey, pub: k.publicKey });
  }
  const e = generateKeyPairSync('ed25519');
  FIX.push({ name: 'Ed25519', node: e.privateKey, pub: e.publicKey });
}
const nodeDer = (k: KeyObject, type: 'pkcs8' | 'pkcs1' | 'sec1' | 'spki'): Uint8Array => u8(k.export({ format: 'der', type } as never) as Buffer);
const nodeJwk = (k: KeyObject): Record<string, string> => k.export({ format: 'jwk' }) as Record<string, string>;
/** Compare a key of ours with a node KeyObject through node's own JWK export. */
function sameAsNode(ours: PrivateKey, node: KeyObject): void {
  const want = nodeJwk(node);
  const got = exportJwk(ours) as Record<string, unknown>;
  for (const [k, v] of Object.entries(want)) assert.equal(got[k], v, `JWK member ${k}`);
}

for (const f of FIX) {
  test(`${f.name}: PKCS#8 and SPKI read from node:crypto, written back identically and read by node`, () => {
    const der = nodeDer(f.node, 'pkcs8');
    const key = parsePkcs8(der);
    sameAsNode(key, f.node);
    assert.ok(equalBytes(encodePkcs8(key), der), 'our PKCS#8 equals OpenSSL\'s bytes');
    const back = createPrivateKey({ key: Buffer.from(encodePkcs8(key)), format: 'der', type: 'pkcs8' });
    assert.deepEqual(nodeJwk(back), nodeJwk(f.node));
    const spki = nodeDer(f.pub, 'spki');
    const pub = parseSpki(spki);
    assert.ok(publicKeysEqual(pub, key));
    assert.ok(equalBytes(encodeSpki(getPublicKey(key)), spki));
    // PEM through key-io, DER through key-io
    assert.ok(publicKeysEqual(parsePrivateKey(f.node.export({ format: 'pem', type: 'pkcs8' }) as string), key));
    assert.ok(publicKeysEqual(parsePrivateKey(der), key));
    assert.ok(publicKeysEqual(parsePublicKey(f.pub.export({ format: 'pem', type: 'spki' }) as string), key));
    assert.ok(publicKeysEqual(parsePublicKey(spki), key));
    assert.equal(encodePublicKeyPem(key), f.pub.export({ format: 'pem', type: 'spki' }));
    assert.equal(encodePrivateKeyPem(key), f.node.export({ format: 'pem', type: 'pkcs8' }));
  });

  test(`${f.name}: JWK import/export agrees with node:crypto`, () => {
    const priv = importJwk(nodeJwk(f.node) as never);
    assert.equal(priv.kind, 'private');
    sameAsNode(priv as PrivateKey, f.node);
    const pub = importJwk(JSON.stringify(nodeJwk(f.pub)));
    assert.equal(pub.kind, 'public');
    assert.ok(publicKeysEqual(pub, priv));
    const viaNode = createPrivateKey({ key: exportJwk(priv) as never, format: 'jwk' });
    assert.ok(equalBytes(nodeDer(viaNode, 'pkcs8'), nodeDer(f.node, 'pkcs8')));
    assert.deepEqual(exportJwk(getPublicKey(priv)), nodeJwk(f.pub));
  });
}

const RSA_F = FIX[0]!;
const RSA = parsePkcs8(nodeDer(RSA_F.node, 'pkcs8')) as RsaPrivateKey;
const EC256 = parsePkcs8(nodeDer(FIX[1]!.node, 'pkcs8'));
const ED = parsePkcs8(nodeDer(FIX[4]!.node, 'pkcs8'));

test('PKCS#1 private/public and SEC1 agree with node:crypto both ways', () => {
  const p1 = nodeDer(RSA_F.node, 'pkcs1');
  assert.ok(equalBytes(encodePkcs1PrivateKey(parsePkcs1PrivateKey(p1)), p1));
  assert.ok(publicKeysEqual(parsePrivateKey(p1), RSA)); // DER auto-detect
  assert.ok(publicKeysEqual(parsePrivateKey(RSA_F.node.export({ format: 'pem', type: 'pkcs1' }) as string), RSA));
  const pub1 = nodeDer(RSA_F.pub, 'pkcs1');
  assert.ok(equalBytes(encodePkcs1PublicKey(RSA), pub1));
  assert.ok(publicKeysEqual(parsePublicKey(pub1), RSA));
  assert.equal(encodePublicKeyPem(RSA, { format: 'pkcs1' }), RSA_F.pub.export({ format: 'pem', type: 'pkcs1' }));
  assert.equal(encodePrivateKeyPem(RSA, { format: 'pkcs1' }), RSA_F.node.export({ format: 'pem', type: 'pkcs1' }));
  for (const f of FIX.slice(1, 4)) {
    const sec1 = nodeDer(f.node, 'sec1');
    const k = parseSec1PrivateKey(sec1);
    sameAsNode(k, f.node);
    assert.ok(equalBytes(encodeSec1PrivateKey(k as never), sec1), `${f.name} SEC1 bytes`);
    assert.equal(encodePrivateKeyPem(k, { format: 'sec1' }), f.node.export({ format: 'pem', type: 'sec1' }));
    assert.ok(publicKeysEqual(parsePrivateKey(sec1), k));
    const back = createPrivateKey({ key: Buffer.from(encodePrivateKeyDer(k, { format: 'sec1' })), format: 'der', type: 'sec1' });
    assert.deepEqual(nodeJwk(back), nodeJwk(f.node));
  }
});

test('describeKey, keyBits, assertKeyStrength (RSA-1024 readable, refused for new keys)', () => {
  assert.deepEqual(FIX.map((f) => describeKey(parsePkcs8(nodeDer(f.node, 'pkcs8')))), ['RSA 2048', 'EC P-256', 'EC P-384', 'EC P-521', 'Ed25519']);
  assert.deepEqual(FIX.map((f) => keyBits(parsePkcs8(nodeDer(f.node, 'pkcs8')))), [2048, 256, 384, 521, 256]);
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  const k = parsePrivateKey(small.export({ format: 'pem', type: 'pkcs8' }) as string);
  assert.equal(keyBits(k), 1024);
  throwsCode(() => assertKeyStrength(k), 'ERR_KEY_TOO_SMALL');
  throwsCode(() => assertKeyStrength(getPublicKey(k)), 'ERR_KEY_TOO_SMALL');
  assertKeyStrength(k, { minRsaBits: 1024 });
  assertKeyStrength(RSA);
  assertKeyStrength(EC256);
  assertKeyStrength(ED);
});

const FAST = { iterations: 1000 };
const FAST_SCRYPT = { kdf: 'scrypt' as const, N: 1024, p: 1 };

test('encrypted PKCS#8 we write is read by node:crypto (PBKDF2 and scrypt, all key types); node\'s is read by us', () => {
  for (const f of FIX) {
    const key = parsePkcs8(nodeDer(f.node, 'pkcs8'));
    for (const opts of [FAST, FAST_SCRYPT, { ...FAST, cipher: 'aes-128-cbc' as const }]) {
      const pem = encryptPrivateKeyPem(key, 'pässwörd', opts);
      assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
      assert.ok(isEncryptedPrivateKey(pem));
      const viaNode = createPrivateKey({ key: pem, format: 'pem', passphrase: 'pässwörd' });
      assert.deepEqual(nodeJwk(viaNode), nodeJwk(f.node), `${f.name} ${JSON.stringify(opts)}`);
      assert.ok(publicKeysEqual(parsePrivateKey(pem, { passphrase: 'pässwörd' }), key));
      throwsCode(() => parsePrivateKey(pem, { passphrase: 'password' }), 'ERR_BAD_PASSPHRASE');
      throwsCode(() => parsePrivateKey(pem), 'ERR_KEY_ENCRYPTED');
    }
    for (const cipher of ['aes-256-cbc', 'aes-128-cbc', 'des-ede3-cbc']) {
      const pem = f.node.export({ format: 'pem', type: 'pkcs8', cipher, passphrase: 'secret' }) as string;
      sameAsNode(parsePrivateKey(pem, { passphrase: 'secret' }), f.node);
      throwsCode(() => parsePrivateKey(pem, { passphrase: 'Secret' }), 'ERR_BAD_PASSPHRASE');
      const der = u8(f.node.export({ format: 'der', type: 'pkcs8', cipher, passphrase: 'secret' }) as Buffer);
      assert.ok(isEncryptedPrivateKey(der));
      sameAsNode(parsePrivateKey(der, { passphrase: u8('secret') }), f.node);
    }
  }
});

test('legacy PEM encryption (Proc-Type/DEK-Info): node-written keys read, ours read by node', () => {
  for (const [f, type] of [[RSA_F, 'pkcs1'], [FIX[2]!, 'sec1']] as const) {
    for (const cipher of ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', 'des-ede3-cbc']) {
      const pem = f.node.export({ format: 'pem', type, cipher, passphrase: 'legacy pw' }) as string;
      assert.match(pem, /Proc-Type: 4,ENCRYPTED/);
      assert.ok(isEncryptedPrivateKey(pem));
      sameAsNode(parsePrivateKey(pem, { passphrase: 'legacy pw' }), f.node);
      throwsCode(() => parsePrivateKey(pem, { passphrase: 'legacy pW' }), 'ERR_BAD_PASSPHRASE');
      throwsCode(() => parsePrivateKey(pem), 'ERR_KEY_ENCRYPTED');
      const key = parsePrivateKey(pem, { passphrase: 'legacy pw' });
      const ours = encryptPrivateKeyPem(key, 'legacy pw', { format: type, legacyCipher: cipher as never });
      assert.match(ours, new RegExp(`DEK-Info: ${cipher.toUpperCase()},`));
      assert.deepEqual(nodeJwk(createPrivateKey({ key: ours, format: 'pem', passphrase: 'legacy pw' })), nodeJwk(f.node));
    }
  }
  assert.equal(isEncryptedPrivateKey(RSA_F.node.export({ format: 'pem', type: 'pkcs1' }) as string), false);
  assert.equal(isEncryptedPrivateKey('garbage'), false);
});

test('wrong passphrase whose padding happens to pass: decrypted non-key -> ERR_BAD_PASSPHRASE', () => {
  const params: Pbes2Params = { kdf: { type: 'pbkdf2', salt: new Uint8Array(8), iterations: 10, prf: 'hmacWithSHA256' }, cipher: 'aes-128-cbc', iv: new Uint8Array(16) };
  const data = pbes2Encrypt(params, u8('pw'), u8('not a DER private key at all'));
  const der = encodeDer(derSeq(encodePbes2AlgorithmId(params), derOctets(data)));
  throwsCode(() => parseEncryptedPkcs8(der, 'pw'), 'ERR_BAD_PASSPHRASE');
  // and a well-formed PrivateKeyInfo whose key is inconsistent is reported as such
  const bad = encodePkcs8({ ...RSA, dp: RSA.dp + 1n });
  const der2 = encodeDer(derSeq(encodePbes2AlgorithmId(params), derOctets(pbes2Encrypt(params, u8('pw'), bad))));
  throwsCode(() => parseEncryptedPkcs8(der2, 'pw'), 'ERR_KEY_INVALID');
});

test('hostile PBES2 parameters are refused before any work', () => {
  const mk = (kdf: Pbes2Params['kdf']): Uint8Array =>
    encodeDer(derSeq(encodePbes2AlgorithmId({ kdf, cipher: 'aes-256-cbc', iv: new Uint8Array(16) }), derOctets(new Uint8Array(32))));
  const t0 = performance.now();
  throwsCode(() => parsePrivateKey(mk({ type: 'pbkdf2', salt: new Uint8Array(8), iterations: 2_000_000_000, prf: 'hmacWithSHA256' }), { passphrase: 'x' }), 'ERR_ENCRYPTION_UNSUPPORTED');
  throwsCode(() => parsePrivateKey(mk({ type: 'pbkdf2', salt: new Uint8Array(8), iterations: 10_000_001, prf: 'hmacWithSHA1' })), 'ERR_ENCRYPTION_UNSUPPORTED');
  throwsCode(() => parsePrivateKey(mk({ type: 'scrypt', salt: new Uint8Array(8), N: 2 ** 21, r: 8, p: 1 }), { passphrase: 'x' }), 'ERR_INPUT_TOO_LARGE');
  throwsCode(() => parsePrivateKey(mk({ type: 'scrypt', salt: new Uint8Array(8), N: 2 ** 14, r: 8, p: 1000 }), { passphrase: 'x' }), 'ERR_ENCRYPTION_UNSUPPORTED');
  throwsCode(() => parsePrivateKey(mk({ type: 'scrypt', salt: new Uint8Array(8), N: 1000, r: 8, p: 1 }), { passphrase: 'x' }), 'ERR_ASN1_STRUCTURE');
  throwsCode(() => parsePrivateKey(mk({ type: 'pbkdf2', salt: new Uint8Array(8), iterations: 0, prf: 'hmacWithSHA1' }), { passphrase: 'x' }), 'ERR_ASN1_STRUCTURE');
  assert.ok(performance.now() - t0 < 500, 'caps are checked before deriving');
  // unknown scheme (PBES1 / PKCS#12 PBE OID) and unknown cipher
  const pkcs12 = encodeDer(derSeq(derSeq(derOid('1.2.840.113549.1.12.1.3'), derSeq(derOctets(new Uint8Array(8)), derInt(2048))), derOctets(new Uint8Array(16))));
  throwsCode(() => parsePrivateKey(pkcs12, { passphrase: 'x' }), 'ERR_ENCRYPTION_UNSUPPORTED');
});

test('truncated and malformed input get precise codes', () => {
  const pem = encodePrivateKeyPem(EC256);
  throwsCode(() => parsePrivateKey(pem.slice(0, pem.length - 20)), 'ERR_PEM_MALFORMED'); // END line cut
  const lines = pem.split('\n');
  throwsCode(() => parsePrivateKey([...lines.slice(0, 2), ...lines.slice(3)].join('\n')), ['ERR_PEM_MALFORMED', 'ERR_DER_MALFORMED', 'ERR_ASN1_STRUCTURE']);
  const der = encodePkcs8(EC256);
  for (const cut of [1, 5, der.length - 1]) throwsCode(() => parsePrivateKey(der.subarray(0, cut)), 'ERR_DER_MALFORMED');
  throwsCode(() => parsePrivateKey(concatBytes(der, Uint8Array.of(0))), 'ERR_DER_TRAILING_DATA');
  throwsCode(() => parsePrivateKey('hello'), 'ERR_PEM_NOT_FOUND');
  throwsCode(() => parsePrivateKey(new Uint8Array(0)), 'ERR_DER_MALFORMED');
  throwsCode(() => parsePrivateKey(encodePublicKeyPem(EC256)), 'ERR_PEM_LABEL');
  throwsCode(() => parsePrivateKey(encodeSpki(getPublicKey(EC256))), 'ERR_ASN1_STRUCTURE');
  throwsCode(() => parsePublicKey(pem), 'ERR_PEM_LABEL');
  throwsCode(() => parsePrivateKey('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n'), 'ERR_KEY_UNSUPPORTED');
  throwsCode(() => parsePrivateKey('x'.repeat(2 * 1024 * 1024)), 'ERR_INPUT_TOO_LARGE');
  // encrypted and truncated by whole cipher blocks -> padding fails; partial block -> invalid length
  const enc = u8(RSA_F.node.export({ format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'p' }) as Buffer);
  throwsCode(() => parsePrivateKey(enc.subarray(0, enc.length - 16), { passphrase: 'p' }), 'ERR_DER_MALFORMED'); // outer DER cut
  const info = parseEncryptedPkcs8Info(enc);
  const rewrap = (data: Uint8Array): Uint8Array => encodeDer(derSeq(encodePbes2AlgorithmId(info.params), derOctets(data)));
  assert.ok(publicKeysEqual(parsePrivateKey(rewrap(info.encryptedData), { passphrase: 'p' }), RSA));
  const ct = info.encryptedData;
  throwsCode(() => parsePrivateKey(rewrap(ct.subarray(0, ct.length - 16)), { passphrase: 'p' }), 'ERR_BAD_PASSPHRASE'); // whole blocks cut
  throwsCode(() => parsePrivateKey(rewrap(ct.subarray(0, ct.length - 5)), { passphrase: 'p' }), 'ERR_KEY_INVALID'); // partial block
  // a key with an EC PARAMETERS block first (openssl ecparam -genkey) still reads
  const withParams = encodePem('EC PARAMETERS', encodeDer(derOid(OID.secp256r1))) + encodePrivateKeyPem(EC256, { format: 'sec1' });
  assert.ok(publicKeysEqual(parsePrivateKey(withParams), EC256));
});

test('consistency checks: tampered keys are ERR_KEY_INVALID, never returned', () => {
  const variants: Array<[string, RsaPrivateKey]> = [
    ['d', { ...RSA, d: RSA.d + 2n }],
    ['dp', { ...RSA, dp: RSA.dp ^ 2n }],
    ['dq', { ...RSA, dq: RSA.dq + 1n }],
    ['qi', { ...RSA, qi: (RSA.qi + 1n) % RSA.p }],
    ['n', { ...RSA, n: RSA.n + 2n }],
    ['p/q', { ...RSA, p: RSA.q, q: RSA.p }], // qi no longer q^-1 mod p
    ['e even', { ...RSA, e: 65536n }],
  ];
  for (const [what, k] of variants) {
    throwsCode(() => parsePkcs1PrivateKey(encodePkcs1PrivateKey(k)), 'ERR_KEY_INVALID');
    throwsCode(() => parsePrivateKey(encodePrivateKeyPem(k)), 'ERR_KEY_INVALID');
    throwsCode(() => importJwk(exportJwk(k)), 'ERR_KEY_INVALID');
    assert.ok(what);
  }
  const ec2 = parsePkcs8(nodeDer(FIX[1]!.node, 'pkcs8'));
  const other = parsePkcs8(nodeDer(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'pkcs8'));
  if (ec2.type !== 'ec' || other.type !== 'ec') throw new Error('fixture');
  const mixed = { ...ec2, point: other.point };
  throwsCode(() => parseSec1PrivateKey(encodeSec1PrivateKey(mixed)), 'ERR_KEY_INVALID');
  throwsCode(() => checkKey(mixed), 'ERR_KEY_INVALID');
  const offCurve = concatBytes(ec2.point.subarray(0, 64), Uint8Array.of(ec2.point[64]! ^ 1));
  throwsCode(() => parseSpki(encodeDer(derSeq(derSeq(derOid(OID.ecPublicKey), derOid(OID.secp256r1)), derBitString(offCurve)))), 'ERR_KEY_INVALID');
  if (ED.type !== 'ed25519') throw new Error('fixture');
  throwsCode(() => importJwk({ ...exportJwk(ED), x: exportJwk(parsePkcs8(nodeDer(generateKeyPairSync('ed25519').privateKey, 'pkcs8'))).x }), 'ERR_KEY_INVALID');
  // malformed explicit EC parameters are a structure error (well-formed ones: test/unit/keys-opaque.test.ts)
  const explicit = encodeDer(derSeq(derSeq(derOid(OID.ecPublicKey), derSeq(derInt(1))), derBitString(ec2.point)));
  throwsCode(() => parseSpki(explicit), 'ERR_ASN1_STRUCTURE');
});

test('RFC 8410 10.3 example: OneAsymmetricKey v2 with attributes and public key', () => {
  // From RFC 8410 section 10.3 (an encoding we did not produce).
  const b64 = 'MHICAQEwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhCoB8wHQYKKoZIhvcNAQkJFDEPDA1DdXJkbGUgQ2hhaXJzgSEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=';
  const der = fromBase64(b64)!;
  const k = parsePrivateKey(der);
  assert.equal(describeKey(k), 'Ed25519');
  const node = createPublicKey({ key: Buffer.from(encodeSpki(getPublicKey(k))), format: 'der', type: 'spki' });
  assert.equal(nodeJwk(node).x, exportJwk(getPublicKey(k)).x);
  assert.equal(Buffer.from(exportJwk(getPublicKey(k)).x!, 'base64url').toString('hex'), '19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1');
  // the same structure with a public key that does not belong to the seed
  if (k.type !== 'ed25519' || ED.type !== 'ed25519') throw new Error('fixture');
  const forged = encodeDer(derSeq(derInt(1), derSeq(derOid(OID.ed25519)), derOctets(encodeDer(derOctets(k.seed))), derImplicitBytes(1, concatBytes(Uint8Array.of(0), ED.publicKey))));
  throwsCode(() => parsePrivateKey(forged), 'ERR_KEY_INVALID');
  const v1WithPub = encodeDer(derSeq(derInt(0), derSeq(derOid(OID.ed25519)), derOctets(encodeDer(derOctets(k.seed))), derImplicitBytes(1, concatBytes(Uint8Array.of(0), k.publicKey))));
  throwsCode(() => parsePrivateKey(v1WithPub), 'ERR_ASN1_STRUCTURE');
  assert.ok(derExplicit);
});

test('JWK validation', () => {
  const good = exportJwk(EC256);
  throwsCode(() => importJwk('{'), 'ERR_JWK_INVALID');
  throwsCode(() => importJwk('[]'), 'ERR_JWK_INVALID');
  throwsCode(() => importJwk({ ...good, x: good.x + 'A' }), 'ERR_JWK_INVALID'); // wrong length
  throwsCode(() => importJwk({ ...good, y: 'a+b/' }), 'ERR_JWK_INVALID'); // not base64url
  throwsCode(() => importJwk({ ...good, d: 1 as never }), 'ERR_JWK_INVALID');
  throwsCode(() => importJwk({ kty: 'EC', crv: 'secp256k1', x: good.x, y: good.y }), 'ERR_KEY_UNSUPPORTED');
  throwsCode(() => importJwk({ kty: 'oct', k: 'AAAA' }), 'ERR_KEY_UNSUPPORTED');
  throwsCode(() => importJwk({ kty: 'OKP', crv: 'X25519', x: good.x }), 'ERR_KEY_UNSUPPORTED');
  const rsa = exportJwk(RSA);
  const { p: _p, ...noP } = rsa;
  throwsCode(() => importJwk(noP), 'ERR_JWK_INVALID');
  throwsCode(() => importJwk({ kty: 'RSA', n: rsa.n, e: rsa.e, d: rsa.d }), 'ERR_KEY_UNSUPPORTED');
  assert.ok(publicKeysEqual(importJwk({ kty: 'RSA', n: rsa.n, e: rsa.e, kid: 'x', use: 'sig', alg: 'RS256' }), RSA));
});

test('argument errors are TypeError/RangeError', () => {
  assert.throws(() => encodePrivateKeyPem(EC256, { format: 'pkcs1' }), RangeError);
  assert.throws(() => encryptPrivateKeyDer(RSA, 'x', { format: 'pkcs1' }), RangeError);
  assert.throws(() => encryptPrivateKeyPem(RSA, ''), RangeError);
  assert.throws(() => encryptPrivateKeyPem(RSA, 'x', { kdf: 'argon2' as never }), RangeError);
  assert.throws(() => encryptPrivateKeyPem(RSA, 'x', { kdf: 'scrypt', N: 1000 }), RangeError);
  // the unencrypted encoders refuse a passphrase rather than silently ignore it
  assert.throws(() => encodePrivateKeyPem(RSA, { passphrase: 'x' } as never), /encryptPrivateKeyPem/);
  assert.throws(() => encodePrivateKeyDer(RSA, { passphrase: 'x' } as never), /encryptPrivateKeyDer/);
  assert.throws(() => parsePrivateKey(42 as never), TypeError);
  assert.throws(() => encodeSpki(RSA as never), TypeError);
});

test('edge cases: RSA size/exponent limits, SEC1 d with a leading zero octet', () => {
  const big = generateKeyPairSync('rsa', { modulusLength: 4096 }).publicKey;
  const n = BigInt('0x' + Buffer.from(nodeJwk(big).n!, 'base64url').toString('hex'));
  const spki = (nn: bigint, e: bigint): Uint8Array => encodeSpki({ kind: 'public', type: 'rsa', n: nn, e });
  assert.equal(keyBits(parseSpki(spki(n, 65537n))), 4096);
  // Sizes beyond what we use: read as opaque keys (shown, never used).
  const bigE = parseSpki(spki(n, (1n << 65n) + 1n)); // e > 64 bits above 3072-bit n
  assert.equal(bigE.type, 'opaque');
  assert.equal(keyBits(bigE), 4096);
  throwsCode(() => checkKey(bigE), 'ERR_KEY_UNSUPPORTED');
  throwsCode(() => parsePkcs1PublicKey(encodePkcs1PublicKey({ kind: 'public', type: 'rsa', n, e: (1n << 65n) + 1n })), 'ERR_KEY_UNSUPPORTED');
  assert.equal(keyBits(parseSpki(spki(RSA.n, (1n << 65n) + 1n))), 2048); // allowed at 2048 bits
  const tiny = parseSpki(spki((1n << 255n) + 1n, 65537n)); // 256-bit modulus
  assert.ok(tiny.type === 'opaque' && tiny.bits === 256 && /smaller than the 512 bits/.test(tiny.reason));
  throwsCode(() => parseSpki(spki(RSA.n, 1n)), 'ERR_KEY_INVALID');
  throwsCode(() => parseSpki(spki(RSA.n + 1n, 65537n)), 'ERR_KEY_INVALID'); // even modulus
  if (EC256.type !== 'ec') throw new Error('fixture');
  const padded = encodeDer(derSeq(derInt(1), derOctets(concatBytes(Uint8Array.of(0), EC256.d)), derExplicit(0, derOid(OID.secp256r1))));
  const k = parseSec1PrivateKey(padded);
  assert.ok(k.type === 'ec' && equalBytes(k.d, EC256.d) && equalBytes(k.point, EC256.point), 'public point computed from d when absent');
});

test('PBES2 optional fields: default PRF (HMAC-SHA1, omitted) and an explicit keyLength, checked by node:crypto', () => {
  const key = EC256;
  for (const [kdf, cipher] of [
    [{ type: 'pbkdf2', salt: new Uint8Array(8).fill(3), iterations: 1000, prf: 'hmacWithSHA1', keyLength: 32 }, 'aes-256-cbc'],
    [{ type: 'pbkdf2', salt: new Uint8Array(8).fill(4), iterations: 1000, prf: 'hmacWithSHA512' }, 'des-ede3-cbc'],
    [{ type: 'scrypt', salt: new Uint8Array(8).fill(5), N: 1024, r: 8, p: 1, keyLength: 16 }, 'aes-128-cbc'],
  ] as Array<[Pbes2Params['kdf'], Pbes2Params['cipher']]>) {
    const params: Pbes2Params = { kdf, cipher, iv: new Uint8Array(cipher === 'des-ede3-cbc' ? 8 : 16).fill(9) };
    const der = encodeDer(derSeq(encodePbes2AlgorithmId(params), derOctets(pbes2Encrypt(params, u8('pw'), encodePkcs8(key)))));
    const viaNode = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8', passphrase: 'pw' });
    sameAsNode(key, viaNode);
    assert.ok(publicKeysEqual(parseEncryptedPkcs8(der, 'pw'), key));
  }
  // keyLength that contradicts the cipher
  const params: Pbes2Params = { kdf: { type: 'pbkdf2', salt: new Uint8Array(8), iterations: 10, prf: 'hmacWithSHA256', keyLength: 16 }, cipher: 'aes-256-cbc', iv: new Uint8Array(16) };
  const der = encodeDer(derSeq(encodePbes2AlgorithmId(params), derOctets(new Uint8Array(32))));
  throwsCode(() => parseEncryptedPkcs8(der, 'pw'), 'ERR_ASN1_STRUCTURE');
});

test('round trips (property): encode -> parse -> encode is the identity for random EC and Ed25519 keys, every format', () => {
  const curves: EcCurve[] = ['P-256', 'P-384', 'P-521'];
  const LEN = { 'P-256': 32, 'P-384': 48, 'P-521': 66 } as const;
  const keyArb: fc.Arbitrary<PrivateKey | null> = fc.oneof(
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((seed): PrivateKey => ({ kind: 'private', type: 'ed25519', seed, publicKey: ed25519PublicFromSeed(seed) })),
    fc.tuple(fc.constantFrom(...curves), fc.uint8Array({ minLength: 66, maxLength: 66 })).map(([curve, raw]): PrivateKey | null => {
      const d = raw.slice(0, LEN[curve]);
      if (curve === 'P-521') d[0]! &= 1;
      try {
        return { kind: 'private', type: 'ec', curve, d, point: ecPointFromPrivate(curve, d) };
      } catch {
        return null; // d = 0 or >= n
      }
    }),
  );
  fc.assert(
    fc.property(keyArb, (key) => {
      if (!key) return;
      const pem = encodePrivateKeyPem(key);
      assert.equal(encodePrivateKeyPem(parsePrivateKey(pem)), pem);
      const spki = encodeSpki(getPublicKey(key));
      assert.ok(equalBytes(encodeSpki(parseSpki(spki)), spki));
      assert.deepEqual(exportJwk(importJwk(exportJwk(key))), exportJwk(key));
      if (key.type === 'ec') {
        const sec1 = encodePrivateKeyPem(key, { format: 'sec1' });
        assert.equal(encodePrivateKeyPem(parsePrivateKey(sec1), { format: 'sec1' }), sec1);
      }
    }),
    { numRuns: 60 },
  );
});
