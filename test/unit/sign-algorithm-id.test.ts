// Signature AlgorithmIdentifier encode/parse (src/x509/algorithm-id.ts).
// Expected encodings come from the RFCs' own examples/modules and from Go's
// crypto/x509 constants (pssParametersSHA256/384/512), not from our code.
// OpenSSL's encodings are compared in test/interop/openssl-sign.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkAlgorithmMatchesKey,
  encodeSignatureAlgorithmId,
  parseSignatureAlgorithmId,
  signatureAlgorithmInfo,
} from '../../src/x509/algorithm-id.js';
import { decodeDer, encodeDer } from '../../src/encoding/der.js';
import { fromHex, toHex } from '../../src/encoding/bytes.js';
import { type HashName, type SignatureAlgorithm, isMailPkiError } from '../../src/index.js';

const enc = (alg: SignatureAlgorithm): string => toHex(encodeDer(encodeSignatureAlgorithmId(alg)));
const parse = (hex: string) => parseSignatureAlgorithmId(decodeDer(fromHex(hex), 'test'));
const code = (c: string) => (e: unknown) => isMailPkiError(e) && e.code === c;

// Go crypto/x509 x509.go: pssParametersSHA256/384/512 (the full
// RSASSA-PSS-params with NULL hash parameters and saltLength = hash length).
const GO_PSS_PARAMS: Record<HashName, string> = {
  'SHA-256': '3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120',
  'SHA-384': '3034a00f300d06096086480165030402020500a11c301a06092a864886f70d010108300d06096086480165030402020500a203020130',
  'SHA-512': '3034a00f300d06096086480165030402030500a11c301a06092a864886f70d010108300d06096086480165030402030500a203020140',
};

const CASES: { alg: SignatureAlgorithm; hex: string; name: string }[] = [
  // RFC 4055 5 / RFC 8017 A.2.4: NULL parameters.
  { alg: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, hex: '300d06092a864886f70d01010b0500', name: 'sha256WithRSAEncryption' },
  { alg: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' }, hex: '300d06092a864886f70d01010c0500', name: 'sha384WithRSAEncryption' },
  { alg: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' }, hex: '300d06092a864886f70d01010d0500', name: 'sha512WithRSAEncryption' },
  // RFC 5758 3.2: absent parameters.
  { alg: { name: 'ECDSA', hash: 'SHA-256' }, hex: '300a06082a8648ce3d040302', name: 'ecdsa-with-SHA256' },
  { alg: { name: 'ECDSA', hash: 'SHA-384' }, hex: '300a06082a8648ce3d040303', name: 'ecdsa-with-SHA384' },
  { alg: { name: 'ECDSA', hash: 'SHA-512' }, hex: '300a06082a8648ce3d040304', name: 'ecdsa-with-SHA512' },
  // RFC 8410 3 / appendix: 30 05 06 03 2B 65 70.
  { alg: { name: 'Ed25519' }, hex: '300506032b6570', name: 'Ed25519' },
  ...(['SHA-256', 'SHA-384', 'SHA-512'] as const).map((hash) => ({
    alg: { name: 'RSA-PSS', hash, saltLength: { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[hash] } as SignatureAlgorithm,
    hex: '3041' + '06092a864886f70d01010a' + GO_PSS_PARAMS[hash],
    name: 'RSASSA-PSS',
  })),
];

test('encode: exact DER for every supported algorithm; parse gives it back', () => {
  for (const { alg, hex, name } of CASES) {
    assert.equal(enc(alg), hex, JSON.stringify(alg));
    const { info, algorithm } = parse(hex);
    assert.deepEqual(algorithm, alg);
    assert.equal(info.name, name);
    assert.equal(info.hash, 'hash' in alg ? alg.hash : undefined);
    assert.deepEqual(signatureAlgorithmInfo(alg), info);
  }
});

test('encode: PSS salt length 20 (the DEFAULT) is omitted, others written; parse restores it', () => {
  const alg = { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 20 } as const;
  const hex = enc(alg);
  assert.ok(!hex.includes('a203020114'), 'DEFAULT saltLength not encoded (X.690 11.5)');
  assert.deepEqual(parse(hex).algorithm, alg);
  assert.deepEqual(parse(enc({ name: 'RSA-PSS', hash: 'SHA-512', saltLength: 0 })).algorithm, { name: 'RSA-PSS', hash: 'SHA-512', saltLength: 0 });
});

test('parse: RSA PKCS#1 with absent parameters accepted (RFC 4055 5), other parameters rejected', () => {
  assert.deepEqual(parse('300b06092a864886f70d01010b').algorithm, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
  assert.throws(() => parse('300e06092a864886f70d01010b0201 00'.replace(' ', '')), code('ERR_ASN1_STRUCTURE'));
});

test('parse: ECDSA / Ed25519 with parameters are malformed (RFC 5758 3.2, RFC 8410 3)', () => {
  assert.throws(() => parse('300c06082a8648ce3d0403020500'), code('ERR_ASN1_STRUCTURE'));
  assert.throws(() => parse('300706032b65700500'), code('ERR_ASN1_STRUCTURE'));
});

test('parse: weak and unsupported algorithms give info but no algorithm', () => {
  const weak: [string, string, string | undefined][] = [
    ['300d06092a864886f70d0101050500', 'sha1WithRSAEncryption', 'SHA-1'],
    ['300d06092a864886f70d0101040500', 'md5WithRSAEncryption', 'MD5'],
    ['300d06092a864886f70d01010e0500', 'sha224WithRSAEncryption', 'SHA-224'],
    ['300906072a8648ce3d0401', 'ecdsa-with-SHA1', 'SHA-1'],
    ['300a06082a8648ce3d040301', 'ecdsa-with-SHA224', 'SHA-224'],
    ['300506032b6571', 'Ed448', undefined],
  ];
  for (const [hex, name, hash] of weak) {
    const r = parse(hex);
    assert.equal(r.algorithm, undefined, name);
    assert.equal(r.info.name, name);
    assert.equal(r.info.hash, hash);
  }
  // DSA with SHA-256: named (we do not verify DSA), no algorithm; parameters not judged.
  const dsa = parse('300b0609608648016503040302');
  assert.deepEqual(dsa, { info: { oid: '2.16.840.1.101.3.4.3.2', name: 'dsa-with-SHA256' } });
});

test('parse: RSASSA-PSS variants', () => {
  const pssOid = '06092a864886f70d01010a';
  // Empty params = every DEFAULT = SHA-1: weak.
  const empty = parse('300d' + pssOid + '3000');
  assert.equal(empty.algorithm, undefined);
  assert.equal(empty.info.hash, 'SHA-1');
  assert.equal(empty.info.name, 'RSASSA-PSS');
  // Absent params read as the DEFAULTs too (SHA-1).
  assert.equal(parse('300b' + pssOid).algorithm, undefined);
  // Hash algorithm ids with absent parameters are as good as NULL (RFC 4055 2.1).
  const noNull = '3030a00d300b0609608648016503040201a11a301806092a864886f70d010108300b0609608648016503040201a203020120';
  assert.deepEqual(parse('303d' + pssOid + noNull).algorithm, { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 });
  // MGF1 over another hash than the message hash: not supported.
  const mixed = '3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402030500a203020120';
  const m = parse('3041' + pssOid + mixed);
  assert.equal(m.algorithm, undefined);
  assert.equal(m.info.hash, 'SHA-256');
  // trailerField 2: not supported; explicit trailerField 1 is accepted.
  const base = GO_PSS_PARAMS['SHA-256'].slice(4);
  assert.equal(parse('3046' + pssOid + '3039' + base + 'a303020102').algorithm, undefined);
  assert.deepEqual(parse('3046' + pssOid + '3039' + base + 'a303020101').algorithm, { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 });
  // Fields out of order / NULL params: malformed.
  assert.throws(() => parse('3041' + pssOid + '3034' + 'a203020120' + base.slice(0, -10)), code('ERR_ASN1_STRUCTURE'));
  assert.throws(() => parse('300d' + pssOid + '0500'), code('ERR_ASN1_STRUCTURE'));
});

test('parse: structural errors are MailPkiError ERR_ASN1_STRUCTURE', () => {
  for (const hex of ['0500', '3000', '300f06092a864886f70d01010b05000500', '30030201 01'.replace(' ', '')]) {
    assert.throws(() => parse(hex), code('ERR_ASN1_STRUCTURE'), hex);
  }
  // Raw bytes are accepted too.
  assert.deepEqual(parseSignatureAlgorithmId(fromHex('300a06082a8648ce3d040302')).algorithm, { name: 'ECDSA', hash: 'SHA-256' });
});

test('encode: weak, unknown and malformed algorithms refused', () => {
  assert.throws(() => encodeSignatureAlgorithmId({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' as HashName }), code('ERR_WEAK_ALGORITHM'));
  assert.throws(() => encodeSignatureAlgorithmId({ name: 'ECDSA', hash: 'SHA-224' as HashName }), code('ERR_ALGORITHM_UNSUPPORTED'));
  assert.throws(() => encodeSignatureAlgorithmId({ name: 'DSA' } as unknown as SignatureAlgorithm), code('ERR_ALGORITHM_UNSUPPORTED'));
  assert.throws(() => encodeSignatureAlgorithmId({ name: 'RSA-PSS', hash: 'SHA-256', saltLength: -1 }), RangeError);
});

test('checkAlgorithmMatchesKey', () => {
  const rsa = { kind: 'public', type: 'rsa', n: 15n, e: 3n } as const;
  const ec = { kind: 'public', type: 'ec', curve: 'P-256', point: new Uint8Array(65) } as const;
  const ed = { kind: 'public', type: 'ed25519', publicKey: new Uint8Array(32) } as const;
  checkAlgorithmMatchesKey({ name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 }, rsa);
  checkAlgorithmMatchesKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, rsa);
  checkAlgorithmMatchesKey({ name: 'ECDSA', hash: 'SHA-512' }, ec);
  checkAlgorithmMatchesKey({ name: 'Ed25519' }, ed);
  assert.throws(() => checkAlgorithmMatchesKey({ name: 'ECDSA', hash: 'SHA-256' }, rsa), code('ERR_SIGNATURE_INVALID'));
  assert.throws(() => checkAlgorithmMatchesKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, ec), code('ERR_SIGNATURE_INVALID'));
  assert.throws(() => checkAlgorithmMatchesKey({ name: 'Ed25519' }, ec), code('ERR_SIGNATURE_INVALID'));
});

test('fuzz: arbitrary and mutated inputs give a result or a MailPkiError, never another error, quickly', () => {
  const seeds = CASES.map((c) => fromHex(c.hex));
  const check = (bytes: Uint8Array): void => {
    const t0 = performance.now();
    try {
      const r = parseSignatureAlgorithmId(bytes);
      assert.equal(typeof r.info.oid, 'string');
      assert.equal(typeof r.info.name, 'string');
      if (r.algorithm) assert.equal(toHex(encodeDer(encodeSignatureAlgorithmId(r.algorithm))).length > 0, true);
    } catch (e) {
      assert.ok(isMailPkiError(e), `not a MailPkiError: ${String(e)}`);
    }
    assert.ok(performance.now() - t0 < 1000);
  };
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => check(b)), { numRuns: 500 });
  fc.assert(
    fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (seed, edits) => {
      const b = seed.slice();
      for (const [i, v] of edits) b[i % b.length] = v;
      check(b);
    }),
    { numRuns: 1000 },
  );
  check(new Uint8Array(64 * 1024).fill(0x30));
});
