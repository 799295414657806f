// Unit tests for src/crypto/{hash,rsa,sign}.ts: round trips, the RSA-CRT
// fault check, strictness of verification, argument errors. Keys come from
// node:crypto (fast keygen, an implementation we did not write); node:crypto
// also serves as the oracle for digests and signatures here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { defaultSignatureAlgorithm, parseEcdsaDer, sign, verify, type HashName, type SignatureAlgorithm } from '../../src/crypto/sign.js';
import { encodeDigestInfo, rsaModulusBytes } from '../../src/crypto/rsa.js';
import { nobleCurve } from '../../src/crypto/ec.js';
import { bigIntToBytes, bytesToBigInt, concatBytes, fromHex, toHex, utf8 } from '../../src/encoding/bytes.js';
import { digest, createSeededRandom, isMailPkiError, MailPkiError, type EcCurve, type EcPrivateKey, type EcPublicKey, type Ed25519PrivateKey, type Ed25519PublicKey, type PrivateKey, type RsaPrivateKey, type RsaPublicKey } from '../../src/index.js';

const b64u = (s: string | undefined): Uint8Array => new Uint8Array(Buffer.from(s ?? '', 'base64url'));
const big = (s: string | undefined): bigint => bytesToBigInt(b64u(s));
const jwkOf = (k: KeyObject): Record<string, string> => k.export({ format: 'jwk' }) as Record<string, string>;

function rsaFromNode(k: KeyObject): RsaPrivateKey {
  const j = jwkOf(k);
  return { kind: 'private', type: 'rsa', n: big(j.n), e: big(j.e), d: big(j.d), p: big(j.p), q: big(j.q), dp: big(j.dp), dq: big(j.dq), qi: big(j.qi) };
}
function ecFromNode(k: KeyObject, curve: EcCurve): EcPrivateKey {
  const j = jwkOf(k);
  return { kind: 'private', type: 'ec', curve, d: b64u(j.d), point: concatBytes(Uint8Array.of(4), b64u(j.x), b64u(j.y)) };
}
function edFromNode(k: KeyObject): Ed25519PrivateKey {
  const j = jwkOf(k);
  return { kind: 'private', type: 'ed25519', seed: b64u(j.d), publicKey: b64u(j.x) };
}
const rsaPub = (k: RsaPrivateKey): RsaPublicKey => ({ kind: 'public', type: 'rsa', n: k.n, e: k.e });
const ecPub = (k: EcPrivateKey): EcPublicKey => ({ kind: 'public', type: 'ec', curve: k.curve, point: k.point });
const edPub = (k: Ed25519PrivateKey): Ed25519PublicKey => ({ kind: 'public', type: 'ed25519', publicKey: k.publicKey });

const rsaNode = generateKeyPairSync('rsa', { modulusLength: 2048 });
const RSA = rsaFromNode(rsaNode.privateKey);
const EC: Record<EcCurve, { node: KeyObject; key: EcPrivateKey }> = {} as never;
for (const [curve, named] of [['P-256', 'prime256v1'], ['P-384', 'secp384r1'], ['P-521', 'secp521r1']] as const) {
  const node = generateKeyPairSync('ec', { namedCurve: named }).privateKey;
  EC[curve] = { node, key: ecFromNode(node, curve) };
}
const edNode = generateKeyPairSync('ed25519').privateKey;
const ED = edFromNode(edNode);
const MSG = utf8('mailpki: the quick brown fox jumps over the lazy dog');
const HASHES: HashName[] = ['SHA-256', 'SHA-384', 'SHA-512'];
const nodeHash = (h: HashName): string => h.replace('-', '').toLowerCase();

const code = (c: string) => (e: unknown) => isMailPkiError(e) && e.code === c;

// ------------------------------------------------------------------ hashes

test('digest: SHA-256 of "abc" is the FIPS 180-4 example value; all digests match node:crypto', () => {
  assert.equal(toHex(digest('SHA-256', utf8('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
      for (const [ours, theirs] of [['SHA-1', 'sha1'], ['SHA-224', 'sha224'], ['SHA-256', 'sha256'], ['SHA-384', 'sha384'], ['SHA-512', 'sha512']] as const) {
        assert.equal(toHex(digest(ours, data)), createHash(theirs).update(data).digest('hex'));
      }
    }),
    { numRuns: 50 },
  );
  assert.throws(() => digest('MD5' as never, MSG), code('ERR_ALGORITHM_UNSUPPORTED'));
  assert.throws(() => digest('SHA-256', 'abc' as never), TypeError);
});

test('DigestInfo encodings are exactly those of RFC 8017 9.2 note 1', () => {
  const prefixes: Record<string, string> = {
    'SHA-1': '3021300906052b0e03021a05000414',
    'SHA-224': '302d300d06096086480165030402040500041c',
    'SHA-256': '3031300d060960864801650304020105000420',
    'SHA-384': '3041300d060960864801650304020205000430',
    'SHA-512': '3051300d060960864801650304020305000440',
  };
  for (const [h, prefix] of Object.entries(prefixes)) {
    const d = digest(h as HashName, MSG);
    assert.equal(toHex(encodeDigestInfo(h as HashName, d)), prefix + toHex(d), h);
  }
});

// ------------------------------------------------------------------ defaults

test('defaultSignatureAlgorithm: RSA -> PKCS#1 v1.5 SHA-256, curves -> matching hash, Ed25519', () => {
  assert.deepEqual(defaultSignatureAlgorithm(RSA), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
  assert.deepEqual(defaultSignatureAlgorithm(rsaPub(RSA)), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
  assert.deepEqual(defaultSignatureAlgorithm(EC['P-256'].key), { name: 'ECDSA', hash: 'SHA-256' });
  assert.deepEqual(defaultSignatureAlgorithm(EC['P-384'].key), { name: 'ECDSA', hash: 'SHA-384' });
  assert.deepEqual(defaultSignatureAlgorithm(ecPub(EC['P-521'].key)), { name: 'ECDSA', hash: 'SHA-512' });
  assert.deepEqual(defaultSignatureAlgorithm(ED), { name: 'Ed25519' });
  assert.throws(() => defaultSignatureAlgorithm({} as never), TypeError);
});

// ------------------------------------------------------------------ RSA

test('RSA PKCS#1 v1.5: deterministic, equal to node:crypto, verifies both ways, per hash', () => {
  for (const hash of HASHES) {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash } as const;
    const sig = sign(RSA, MSG, alg);
    assert.equal(sig.length, 256);
    const theirs = nodeSign(nodeHash(hash), MSG, rsaNode.privateKey);
    assert.equal(toHex(sig), theirs.toString('hex'), `${hash}: PKCS#1 v1.5 is deterministic, so ours equals OpenSSL's`);
    assert.equal(verify(rsaPub(RSA), MSG, sig, alg), true);
    assert.equal(verify(RSA, MSG, sig, alg), true, 'a private key verifies with its public half');
    assert.equal(verify(rsaPub(RSA), utf8('other'), sig, alg), false);
    const other = HASHES.find((h) => h !== hash)!;
    assert.equal(verify(rsaPub(RSA), MSG, sig, { name: 'RSASSA-PKCS1-v1_5', hash: other }), false, 'wrong hash');
  }
  assert.equal(verify(rsaPub(RSA), MSG, sign(RSA, MSG)), true, 'default algorithm');
});

test('RSA-PSS: random salt, verifies both ways with node:crypto, salt length enforced', () => {
  for (const hash of HASHES) {
    const hLen = digest(hash, MSG).length;
    const alg = { name: 'RSA-PSS', hash, saltLength: hLen } as const;
    const a = sign(RSA, MSG, alg);
    const b = sign(RSA, MSG, alg);
    assert.notEqual(toHex(a), toHex(b), 'fresh salt each time');
    assert.equal(verify(rsaPub(RSA), MSG, a, alg), true);
    assert.equal(nodeVerify(nodeHash(hash), MSG, { key: rsaNode.publicKey, padding: 6, saltLength: hLen }, a), true, `${hash}: node:crypto verifies ours`);
    const theirs = nodeSign(nodeHash(hash), MSG, { key: rsaNode.privateKey, padding: 6, saltLength: hLen });
    assert.equal(verify(rsaPub(RSA), MSG, theirs, alg), true, `${hash}: we verify node:crypto's`);
    assert.equal(verify(rsaPub(RSA), MSG, a, { ...alg, saltLength: hLen - 1 }), false, 'other salt length');
    assert.equal(verify(rsaPub(RSA), MSG, a, { name: 'RSASSA-PKCS1-v1_5', hash }), false, 'PSS is not PKCS#1 v1.5');
  }
  // saltLength 0 and a seeded rng give a deterministic signature.
  const zero = { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 0 } as const;
  assert.equal(toHex(sign(RSA, MSG, zero)), toHex(sign(RSA, MSG, zero)));
  assert.equal(verify(RSA, MSG, sign(RSA, MSG, zero), zero), true);
  const seeded = { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 } as const;
  assert.equal(toHex(sign(RSA, MSG, seeded, { rng: createSeededRandom('x') })), toHex(sign(RSA, MSG, seeded, { rng: createSeededRandom('x') })));
});

test('RSA with odd modulus sizes (emLen = k - 1 when modBits = 8j + 1): PSS and PKCS#1 agree with node:crypto', () => {
  for (const bits of [1025, 1031, 1032, 1033]) {
    const node = generateKeyPairSync('rsa', { modulusLength: bits });
    const key = rsaFromNode(node.privateKey);
    assert.equal(key.n.toString(2).length, bits);
    for (const saltLength of [0, 32]) {
      const alg = { name: 'RSA-PSS', hash: 'SHA-256', saltLength } as const;
      const ours = sign(key, MSG, alg);
      assert.equal(ours.length, Math.ceil(bits / 8));
      assert.equal(nodeVerify('sha256', MSG, { key: node.publicKey, padding: 6, saltLength }, ours), true, `${bits} bits, salt ${saltLength}: node verifies ours`);
      const theirs = nodeSign('sha256', MSG, { key: node.privateKey, padding: 6, saltLength });
      assert.equal(verify(rsaPub(key), MSG, theirs, alg), true, `${bits} bits, salt ${saltLength}: we verify node's`);
    }
    assert.equal(toHex(sign(key, MSG)), nodeSign('sha256', MSG, node.privateKey).toString('hex'), `${bits} bits PKCS#1 v1.5`);
  }
});

test('RSA verify: signature length must be k, integer must be < n; bad bytes give false, never a throw', () => {
  const pub = rsaPub(RSA);
  const sig = sign(RSA, MSG);
  const k = rsaModulusBytes(RSA);
  assert.equal(verify(pub, MSG, concatBytes(Uint8Array.of(0), sig), undefined), false, 'k+1 bytes with a leading zero');
  assert.equal(verify(pub, MSG, sig.subarray(1)), false, 'k-1 bytes');
  assert.equal(verify(pub, MSG, bigIntToBytes(RSA.n, k)), false, 's = n');
  // s + n is congruent to s mod n, so only the range check rejects it (when it fits in k bytes).
  const sPlusN = bytesToBigInt(sig) + RSA.n;
  if (sPlusN < 1n << BigInt(8 * k)) assert.equal(verify(pub, MSG, bigIntToBytes(sPlusN, k)), false, 's + n');
  assert.equal(verify(pub, MSG, new Uint8Array(k).fill(0xff)), false);
  assert.equal(verify(pub, MSG, new Uint8Array(0)), false);
  for (let i = 0; i < 8; i++) {
    const flipped = sig.slice();
    flipped[(i * 37) % k]! ^= 1 << i % 8;
    assert.equal(verify(pub, MSG, flipped), false, `bit flip ${i}`);
  }
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
      for (const alg of [{ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 }] as const) {
        assert.equal(verify(pub, MSG, bytes, alg), false);
      }
    }),
    { numRuns: 100 },
  );
});

test('RSA-CRT fault check: a corrupted dp (or qi) gives ERR_SIGNATURE_FAULT and no signature', () => {
  for (const [field, corrupt] of [['dp', RSA.dp ^ 2n], ['dq', RSA.dq + 1n], ['qi', RSA.qi ^ 1n]] as const) {
    const faulty = { ...RSA, [field]: corrupt } as RsaPrivateKey;
    for (const alg of [{ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 }] as const) {
      let out: Uint8Array | undefined;
      assert.throws(
        () => {
          out = sign(faulty, MSG, alg);
        },
        (e) => e instanceof MailPkiError && e.code === 'ERR_SIGNATURE_FAULT' && !/[0-9a-f]{32}/i.test(e.message),
        `${field} / ${alg.name}`,
      );
      assert.equal(out, undefined, 'nothing was returned');
    }
  }
  // Why this matters (Boneh-DeMillo-Lipton): the unchecked faulty signature
  // s' is right mod q and wrong mod p, so gcd(s'^e - m, n) = q. Compute s'
  // the way the signer would without the check, and watch the factor fall out.
  const faulty = { ...RSA, dp: RSA.dp ^ 2n };
  const m = bytesToBigInt(encodeDigestInfo('SHA-256', digest('SHA-256', MSG))); // any m < n shows it
  const powmod = (b: bigint, e: bigint, n: bigint): bigint => { let r = 1n; b %= n; while (e) { if (e & 1n) r = (r * b) % n; b = (b * b) % n; e >>= 1n; } return r; };
  const m1 = powmod(m % faulty.p, faulty.dp, faulty.p);
  const m2 = powmod(m % faulty.q, faulty.dq, faulty.q);
  const h = (((faulty.qi * (m1 - m2)) % faulty.p) + faulty.p) % faulty.p;
  const sBad = m2 + h * faulty.q;
  const gcd = (a: bigint, b: bigint): bigint => { while (b) [a, b] = [b, a % b]; return a; };
  const diff = (powmod(sBad, RSA.e, RSA.n) - m + RSA.n) % RSA.n;
  assert.equal(gcd(diff, RSA.n), RSA.q, 'an unchecked faulty signature reveals q');
});

test('RSA: SHA-1 refused, key too small for the hash refused, broken key objects rejected', () => {
  assert.throws(() => sign(RSA, MSG, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' as HashName }), code('ERR_WEAK_ALGORITHM'));
  assert.throws(() => sign(RSA, MSG, { name: 'RSA-PSS', hash: 'SHA-1' as HashName, saltLength: 20 }), code('ERR_WEAK_ALGORITHM'));
  assert.throws(() => verify(RSA, MSG, new Uint8Array(256), { name: 'RSASSA-PKCS1-v1_5', hash: 'MD5' as HashName }), code('ERR_WEAK_ALGORITHM'));
  const small = rsaFromNode(generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey);
  assert.throws(() => sign(small, MSG, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' }), code('ERR_KEY_TOO_SMALL'));
  assert.throws(() => sign(small, MSG, { name: 'RSA-PSS', hash: 'SHA-512', saltLength: 64 }), code('ERR_KEY_TOO_SMALL'));
  assert.equal(verify(rsaPub(small), MSG, new Uint8Array(64), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' }), false);
  assert.throws(() => sign({ ...RSA, p: 0n }, MSG), code('ERR_KEY_INVALID'));
  // RFC 8017 3.1 public exponent: odd, 3 <= e <= n - 1. With e = 1 anyone could "sign".
  const sig = sign(RSA, MSG);
  for (const e of [1n, 2n, 65536n, RSA.n, RSA.n + 2n]) {
    assert.throws(() => verify({ ...rsaPub(RSA), e }, MSG, sig), code('ERR_KEY_INVALID'), `e = ${e}`);
  }
  const huge: RsaPublicKey = { kind: 'public', type: 'rsa', n: (1n << 16384n) + 1n, e: 65537n };
  assert.throws(() => verify(huge, MSG, new Uint8Array(2049)), code('ERR_KEY_UNSUPPORTED'));
  const bigE: RsaPublicKey = { kind: 'public', type: 'rsa', n: (1n << 4095n) + 1n, e: (1n << 65n) + 1n };
  assert.throws(() => verify(bigE, MSG, new Uint8Array(512)), code('ERR_KEY_UNSUPPORTED'));
});

// ------------------------------------------------------------------ ECDSA

test('ECDSA: DER, low-S, verifies with node:crypto and back, each curve and hash', () => {
  for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
    const { node, key } = EC[curve];
    const n = nobleCurve(curve).Point.Fn.ORDER;
    const nodePub = createPublicKey(node);
    for (const hash of HASHES) {
      const alg = { name: 'ECDSA', hash } as const;
      for (let i = 0; i < 4; i++) {
        const sig = sign(key, MSG, alg);
        const rs = parseEcdsaDer(sig, n);
        assert.ok(rs, 'strict DER');
        assert.ok(rs.s <= n / 2n, 'low-S');
        assert.equal(verify(ecPub(key), MSG, sig, alg), true);
        assert.equal(nodeVerify(nodeHash(hash), MSG, nodePub, sig), true, `${curve}/${hash}: node:crypto verifies ours`);
      }
      const theirs = nodeSign(nodeHash(hash), MSG, node);
      assert.equal(verify(ecPub(key), MSG, theirs, alg), true, `${curve}/${hash}: we verify node:crypto's`);
      assert.equal(verify(ecPub(key), utf8('other'), theirs, alg), false);
    }
    // A seeded rng makes the (hedged RFC 6979) signature reproducible.
    assert.equal(toHex(sign(key, MSG, undefined, { rng: createSeededRandom('s') })), toHex(sign(key, MSG, undefined, { rng: createSeededRandom('s') })));
  }
});

test('ECDSA verify: high-S accepted (X.509 practice), BER and junk rejected without throwing', () => {
  const { key } = EC['P-256'];
  const n = nobleCurve('P-256').Point.Fn.ORDER;
  const sig = sign(key, MSG);
  const { r, s } = parseEcdsaDer(sig, n)!;
  const derInt = (v: bigint): Uint8Array => {
    let b = bigIntToBytes(v);
    if (b[0]! & 0x80) b = concatBytes(Uint8Array.of(0), b);
    return concatBytes(Uint8Array.of(2, b.length), b);
  };
  const der = (...parts: Uint8Array[]): Uint8Array => { const body = concatBytes(...parts); return concatBytes(Uint8Array.of(0x30, body.length), body); };
  assert.equal(toHex(der(derInt(r), derInt(s))), toHex(sig), 'our DER rebuilder matches');
  assert.equal(verify(ecPub(key), MSG, der(derInt(r), derInt(n - s))), true, 'high-S (n - s) accepted');
  // BER: long-form length where short form fits; padded integer; trailing byte.
  const body = concatBytes(derInt(r), derInt(s));
  assert.equal(verify(ecPub(key), MSG, concatBytes(Uint8Array.of(0x30, 0x81, body.length), body)), false, 'non-minimal length');
  const rb = bigIntToBytes(r);
  const padded = concatBytes(rb[0]! & 0x80 ? Uint8Array.of(0, 0) : Uint8Array.of(0), rb);
  assert.equal(verify(ecPub(key), MSG, der(concatBytes(Uint8Array.of(2, padded.length), padded), derInt(s))), false, 'zero-padded r');
  assert.equal(verify(ecPub(key), MSG, concatBytes(sig, Uint8Array.of(0))), false, 'trailing byte');
  assert.equal(verify(ecPub(key), MSG, der(derInt(r), derInt(s + n))), false, 's >= n');
  assert.equal(verify(ecPub(key), MSG, der(derInt(0n), derInt(s))), false, 'r = 0');
  const compact = concatBytes(bigIntToBytes(r, 32), bigIntToBytes(s, 32));
  assert.equal(verify(ecPub(key), MSG, compact), false, 'raw r||s is not DER');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      assert.equal(verify(ecPub(key), MSG, bytes), false);
    }),
    { numRuns: 200 },
  );
  // Mutations of a valid signature: never a throw, and true only if untouched.
  fc.assert(
    fc.property(fc.nat(sig.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
      const m = sig.slice();
      m[i]! ^= x;
      assert.equal(verify(ecPub(key), MSG, m), false);
    }),
    { numRuns: 200 },
  );
  // A point not on the curve: false, not a throw.
  const badPoint = key.point.slice();
  badPoint[10]! ^= 1;
  assert.equal(verify({ ...ecPub(key), point: badPoint }, MSG, sig), false);
});

// ------------------------------------------------------------------ Ed25519

test('Ed25519: RFC 8032 7.1 test 1, node:crypto both ways, strict (non-canonical S rejected)', () => {
  const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const pub = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const expected = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
  const rfcKey: Ed25519PrivateKey = { kind: 'private', type: 'ed25519', seed, publicKey: pub };
  assert.equal(toHex(sign(rfcKey, new Uint8Array(0))), expected);
  assert.equal(verify(edPub(rfcKey), new Uint8Array(0), fromHex(expected)), true);

  const sig = sign(ED, MSG);
  assert.equal(sig.length, 64);
  assert.equal(nodeVerify(null, MSG, createPublicKey(edNode), sig), true, 'node:crypto verifies ours');
  assert.equal(verify(edPub(ED), MSG, nodeSign(null, MSG, edNode)), true, "we verify node:crypto's");
  assert.equal(verify(edPub(ED), utf8('x'), sig), false);
  // S + L: same value mod L, but non-canonical: RFC 8032 5.1.7 requires rejecting it.
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const S = bytesToBigInt(sig.slice(32).reverse());
  const sPlusL = bigIntToBytes(S + L, 32).reverse();
  assert.equal(verify(edPub(ED), MSG, concatBytes(sig.subarray(0, 32), sPlusL)), false, 'non-canonical S');
  assert.equal(verify(edPub(ED), MSG, sig.subarray(0, 63)), false);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (b) => assert.equal(verify(edPub(ED), MSG, b), false)), { numRuns: 100 });
});

// ------------------------------------------------------------------ arguments

test('argument errors: TypeError / RangeError; unknown algorithms: ERR_ALGORITHM_UNSUPPORTED', () => {
  const ecKey = EC['P-256'].key;
  assert.throws(() => sign(rsaPub(RSA) as unknown as PrivateKey, MSG), TypeError, 'public key to sign');
  assert.throws(() => sign(RSA, 'text' as never), TypeError);
  assert.throws(() => sign(null as never, MSG), TypeError);
  assert.throws(() => sign(RSA, MSG, { name: 'ECDSA', hash: 'SHA-256' }), TypeError, 'ECDSA with an RSA key');
  assert.throws(() => sign(ecKey, MSG, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }), TypeError);
  assert.throws(() => sign(ED, MSG, { name: 'ECDSA', hash: 'SHA-256' }), TypeError);
  assert.throws(() => verify(ecPub(ecKey), MSG, new Uint8Array(8), { name: 'Ed25519' }), TypeError);
  assert.throws(() => verify(ecPub(ecKey), MSG, 'sig' as never), TypeError);
  assert.throws(() => sign(RSA, MSG, { name: 'RSA-PSS', hash: 'SHA-256', saltLength: -1 }), RangeError);
  assert.throws(() => sign(RSA, MSG, { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 1.5 }), RangeError);
  assert.throws(() => sign(RSA, MSG, { name: 'RSA-OAEP', hash: 'SHA-256' } as unknown as SignatureAlgorithm), code('ERR_ALGORITHM_UNSUPPORTED'));
  assert.throws(() => sign(ecKey, MSG, { name: 'ECDSA', hash: 'SHA3-256' as HashName }), code('ERR_ALGORITHM_UNSUPPORTED'));
  assert.throws(() => sign(ecKey, MSG, { name: 'ECDSA', hash: 'SHA-1' as HashName }), code('ERR_WEAK_ALGORITHM'));
  assert.throws(() => sign({ ...ecKey, curve: 'P-192' as EcCurve }, MSG, { name: 'ECDSA', hash: 'SHA-256' }), (e) => isMailPkiError(e));
});
