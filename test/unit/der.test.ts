// The strict DER reader (src/encoding/der.ts): headers (tags >= 31, long and
// non-minimal lengths, indefinite lengths), limits, every truncation of a real
// certificate, and the typed readers' rules (INTEGER minimality, OID
// subidentifiers, BOOLEAN, BIT STRING unused bits). The `openssl asn1parse`
// oracle over openssl-made certificates is test/interop/der-openssl.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DerNode,
  contentBytes,
  contextTag,
  decodeDer,
  decodePrimitiveDer,
  derNull,
  derOid,
  derRaw,
  derSeq,
  encodeDer,
  isNull,
  rawDer,
  readBigInt,
  readBitString,
  readBitStringBytes,
  readBoolean,
  readExplicit,
  readImplicitBytes,
  readImplicitChildren,
  readOctetString,
  readOid,
  readSequence,
  readSet,
  readSmallInt,
  readString,
  readUnsignedBigInt,
} from '../../src/encoding/der.js';
import { concatBytes, fromHex, toHex } from '../../src/encoding/bytes.js';
import {
  isMailPkiError,
  type MailPkiErrorCode,
  generateKeyPair,
  createRootCa,
  issueCertificate,
  createCertificateRequest,
  parseCertificate,
} from '../../src/index.js';

const d = (hex: string, strict = true): DerNode => decodeDer(fromHex(hex.replace(/\s/g, '')), 't', { strict });
/** The code decodeDer (then `read`, if given) fails with, or 'ok'. */
function outcome(hex: string, strict = true, read?: (n: DerNode) => unknown): MailPkiErrorCode | 'ok' {
  try {
    const n = d(hex, strict);
    read?.(n);
    return 'ok';
  } catch (e) {
    assert.ok(isMailPkiError(e), `only MailPkiError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), 'one-line message');
    return e.code;
  }
}

test('headers: tag numbers >= 31, classes, constructed bit', () => {
  const a = d('bf1f020500'); // [31] constructed { NULL }
  assert.deepEqual([a.cls, a.tag, a.constructed, (a.contentStart - a.start)], [2, 31, true, 3]);
  assert.equal(isNull(readExplicit(a, 31, 'x')), true);
  const b = d('9f814801aa'); // [200] primitive (200 = 1*128 + 72)
  assert.deepEqual([b.cls, b.tag, b.constructed, (b.contentStart - b.start)], [2, 200, false, 4]);
  assert.deepEqual([...readImplicitBytes(b, 200, 'x')], [0xaa]);
  const c = d('5f8f7f00'); // [APPLICATION 2047]
  assert.deepEqual([c.cls, c.tag], [1, 2047]);
  assert.deepEqual([d('c100').cls, d('c100').tag], [3, 1]); // [PRIVATE 1]
  assert.equal(contextTag(c), -1);
  assert.equal(outcome('9f80814801aa'), 'ERR_DER_MALFORMED', 'tag number with a leading 0x80 octet (X.690 8.1.2.4.2 c)');
  assert.equal(outcome('9f1e00'), 'ERR_DER_MALFORMED', 'tag 30 in the long form');
  assert.equal(outcome('9f8080808001', false), 'ERR_DER_MALFORMED', 'tag number of 5 octets');
  assert.equal(outcome('9f81'), 'ERR_DER_MALFORMED', 'truncated tag number');
});

test('lengths: long form, non-minimal refused in strict only, 0xFF and >8 octets refused', () => {
  const body = new Uint8Array(300).fill(7);
  const long = concatBytes(Uint8Array.of(0x04, 0x82, 0x01, 0x2c), body);
  const n = decodeDer(long, 't');
  assert.equal((n.contentStart - n.start), 4);
  assert.deepEqual(readOctetString(n, 'x'), body);
  assert.deepEqual(rawDer(n), long);
  for (const hex of ['0481050102030405', '04820005 0102030405', '0483000005 0102030405', '3081020500']) {
    assert.equal(outcome(hex), 'ERR_DER_NOT_CANONICAL', hex);
    assert.equal(outcome(hex, false), 'ok', hex);
  }
  assert.deepEqual([...readOctetString(d('04820005 0102030405', false), 'x')], [1, 2, 3, 4, 5]);
  assert.equal(outcome('04ff00', false), 'ERR_DER_MALFORMED', 'length octet 0xFF');
  assert.equal(outcome('0489000000000000000001ff', false), 'ERR_DER_MALFORMED', '9 length octets');
  assert.equal(outcome('048201'), 'ERR_DER_MALFORMED', 'truncated length octets');
  assert.equal(outcome('0405010203'), 'ERR_DER_MALFORMED', 'content beyond the end');
  assert.equal(outcome('3003 0402 0102'), 'ERR_DER_MALFORMED', 'child beyond its parent');
  // structural errors win over canonical ones, as before (asn1js ran first)
  assert.equal(outcome('30810404050102'), 'ERR_DER_MALFORMED');
  assert.equal(outcome('048105010203040500'), 'ERR_DER_TRAILING_DATA');
});

test('indefinite lengths: BER only; end-of-contents required; never on a primitive', () => {
  const hex = '3080 0500 3080 0201 05 0000 0000';
  assert.equal(outcome(hex), 'ERR_DER_NOT_CANONICAL');
  const n = d(hex, false);
  const [nul, inner] = readSequence(n, 'x', 2, 2);
  assert.equal(isNull(nul), true);
  assert.equal(readSmallInt(readSequence(inner, 'y', 1, 1)[0], 'z'), 5);
  assert.deepEqual(rawDer(n), fromHex(hex.replace(/\s/g, '')), 'rawDer of an indefinite element includes its end-of-contents');
  assert.deepEqual([n.end, inner!.end], [13, 11]);
  assert.equal(outcome('30800500', false), 'ERR_DER_MALFORMED', 'missing end-of-contents');
  assert.equal(outcome('0480 0000', false), 'ERR_DER_MALFORMED', 'indefinite primitive');
  assert.equal(outcome('3002 0000', false), 'ERR_DER_MALFORMED', 'end-of-contents inside a definite length');
  assert.equal(outcome('2480 0401aa 0000'), 'ERR_DER_NOT_CANONICAL');
  // a constructed string is BER: readable as a structure, refused by the typed reader
  assert.equal(outcome('2403 0401aa', false, (x) => readOctetString(x, 'x')), 'ERR_ASN1_STRUCTURE');
  assert.equal(outcome('2403 0401aa'), 'ERR_DER_NOT_CANONICAL', 'constructed OCTET STRING (X.690 10.2)');
});

test('trailing data, empty input, reserved and mis-constructed universal types', () => {
  assert.equal(outcome('050000'), 'ERR_DER_TRAILING_DATA');
  assert.throws(() => decodeDer(new Uint8Array(0), 't'), (e: unknown) => isMailPkiError(e, 'ERR_DER_MALFORMED'));
  assert.throws(() => decodeDer('3000' as unknown as Uint8Array, 't'), TypeError);
  for (const [hex, why] of [
    ['0000', 'end-of-contents at top level'],
    ['0f00', '[UNIVERSAL 15]'],
    ['1f2500', '[UNIVERSAL 37]'],
    ['2203 020101', 'constructed INTEGER'],
    ['2600', 'constructed OBJECT IDENTIFIER'],
    ['3700', 'constructed UTCTime'],
    ['1000', 'primitive SEQUENCE'],
    ['1100', 'primitive SET'],
    ['050100', 'NULL with content'],
    ['0300', 'BIT STRING without its unused-bits octet'],
    ['030101', 'empty BIT STRING with unused bits'],
    ['03020800', 'BIT STRING with 8 unused bits'],
    ['060181', 'OBJECT IDENTIFIER ending inside a subidentifier'],
    ['1e0320ac00', 'BMPString of an odd number of octets'],
    ['1c03000041', 'UniversalString not of whole 4-octet characters'],
  ] as const) {
    assert.equal(outcome(hex, false), 'ERR_DER_MALFORMED', why);
  }
});

test('limits: 64 levels of nesting, 200,000 elements, 20,000-deep bomb fails fast without a stack overflow', () => {
  const nest = (levels: number): Uint8Array => {
    let b: Uint8Array = Uint8Array.of(0x05, 0x00);
    for (let i = 0; i < levels; i++) {
      const len = b.length;
      const head = len < 0x80 ? [0x30, len] : len < 0x100 ? [0x30, 0x81, len] : [0x30, 0x82, len >> 8, len & 0xff];
      b = concatBytes(Uint8Array.from(head), b);
    }
    return b;
  };
  assert.equal(decodeDer(nest(64), 't').tag, 16, '64 levels are fine');
  assert.throws(() => decodeDer(nest(65), 't'), (e: unknown) => isMailPkiError(e, 'ERR_DER_MALFORMED') && /nested deeper than 64/.test(e.message));
  // 20,000 levels, as the CLI's bad-input fixture, with lengths as long as needed
  let bomb: Uint8Array = new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let inner = 0;
  for (let i = 0; i < 20_000; i++) {
    const head = inner < 0x80 ? [0x30, inner] : inner < 0x100 ? [0x30, 0x81, inner] : inner < 0x10000 ? [0x30, 0x82, inner >> 8, inner & 0xff] : [0x30, 0x83, inner >> 16, (inner >> 8) & 0xff, inner & 0xff];
    parts.push(Uint8Array.from(head));
    inner += head.length;
  }
  bomb = concatBytes(...parts.reverse());
  const t0 = performance.now();
  assert.throws(() => decodeDer(bomb, 't', { strict: false }), (e: unknown) => isMailPkiError(e, 'ERR_DER_MALFORMED'));
  assert.ok(performance.now() - t0 < 1000, 'the bomb is refused in well under a second');
  // 200,000 NULLs fit; one more does not (the SEQUENCE itself is the first element)
  const nulls = (count: number): Uint8Array => {
    const len = count * 2;
    return concatBytes(Uint8Array.of(0x30, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff), new Uint8Array(len).map((_, i) => (i % 2 ? 0 : 5)));
  };
  assert.equal(readSequence(decodeDer(nulls(199_999), 't'), 'x').length, 199_999);
  assert.throws(() => decodeDer(nulls(200_000), 't'), (e: unknown) => isMailPkiError(e, 'ERR_DER_MALFORMED') && /200000 elements/.test(e.message));
});

test('INTEGER: two\'s complement, X.690 8.3.2 minimal encoding, readSmallInt / readUnsignedBigInt bounds', () => {
  const int = (hex: string) => readBigInt(d(hex), 'i');
  assert.equal(int('020100'), 0n);
  assert.equal(int('02017f'), 127n);
  assert.equal(int('02020080'), 128n);
  assert.equal(int('020180'), -128n);
  assert.equal(int('0202ff7f'), -129n);
  assert.equal(int('0206800000000000'), -(2n ** 47n));
  assert.equal(int('0207008000000000 00'.replace(' ', '')), 2n ** 47n);
  assert.equal(int('0209 00ffffffffffffffff'.replace(' ', '')), 2n ** 64n - 1n);
  assert.equal(int('0209 ff0000000000000000'.replace(' ', '')), -(2n ** 64n));
  for (const bad of ['0200', '0202007f', '02020000', '0202ff80', '0202ffff', '0403010203']) {
    assert.equal(outcome(bad, true, (n) => readBigInt(n, 'i')), 'ERR_ASN1_STRUCTURE', bad);
  }
  assert.equal(readSmallInt(d('020203e8'), 'i', 1000), 1000);
  assert.equal(outcome('020203e9', true, (n) => readSmallInt(n, 'i', 1000)), 'ERR_ASN1_STRUCTURE');
  assert.equal(outcome('0201ff', true, (n) => readSmallInt(n, 'i')), 'ERR_ASN1_STRUCTURE');
  assert.equal(outcome('0201ff', true, (n) => readUnsignedBigInt(n, 'i')), 'ERR_ASN1_STRUCTURE');
  // random values against BigInt's own arithmetic
  for (let i = 0; i < 300; i++) {
    const len = 1 + (i % 40);
    const b = new Uint8Array(len).map(() => (Math.random() * 256) | 0);
    if (len > 1 && ((b[0] === 0 && b[1]! < 0x80) || (b[0] === 0xff && b[1]! >= 0x80))) continue;
    const u = BigInt('0x' + toHex(b));
    const want = b[0]! & 0x80 ? u - (1n << BigInt(8 * len)) : u;
    assert.equal(readBigInt(decodeDer(concatBytes(Uint8Array.of(2, len), b), 'i'), 'i'), want, toHex(b));
  }
});

test('OBJECT IDENTIFIER: first-arc split, big arcs exact, non-minimal and empty refused', () => {
  const oid = (hex: string) => readOid(d(hex), 'o');
  assert.equal(oid('060100'), '0.0');
  assert.equal(oid('060127'), '0.39');
  assert.equal(oid('060128'), '1.0');
  assert.equal(oid('06014f'), '1.39');
  assert.equal(oid('060150'), '2.0');
  assert.equal(oid('06027f01'), '2.47.1');
  assert.equal(oid('0603883703'), '2.999.3');
  assert.equal(oid('06092a864886f70d01010b'), '1.2.840.113549.1.1.11');
  assert.equal(oid('060c883781abaaaab1ced8fc9552'), '2.999.12345678901234567890');
  assert.equal(oid('060b 2a 81808080808080808001'.replace(/ /g, '')), `1.2.${2n ** 63n + 1n}`);
  assert.equal(oid('060a 8180808080808080 8050'.replace(/ /g, '')), `2.${2n ** 63n}`); // first subidentifier >= 80 is 2.(v - 80)
  for (const bad of ['0600', '0602 8001'.replace(' ', ''), '06032a8001', '0500']) {
    assert.equal(outcome(bad, true, (n) => readOid(n, 'o')), 'ERR_ASN1_STRUCTURE', bad);
  }
  // round trip through the asn1js builder for a spread of arcs
  for (const s of ['1.2.3', '2.5.29.17', '1.3.6.1.4.1.311.60.2.1.3', '2.16.840.1.101.3.4.2.1', '0.9.2342.19200300.100.1.25', '2.999.' + (2 ** 53 - 1)]) {
    assert.equal(readOid(decodeDer(encodeDer(derOid(s)), 'o'), 'o'), s);
  }
});

test('BOOLEAN: 0x00 / 0xFF; other values a DER violation (strict) or true (BER); one octet only', () => {
  assert.equal(readBoolean(d('0101ff'), 'b'), true);
  assert.equal(readBoolean(d('010100'), 'b'), false);
  assert.equal(outcome('010101'), 'ERR_DER_NOT_CANONICAL');
  assert.equal(readBoolean(d('010101', false), 'b'), true);
  assert.equal(outcome('0102ffff', true, (n) => readBoolean(n, 'b')), 'ERR_ASN1_STRUCTURE');
  assert.equal(outcome('0100', true, (n) => readBoolean(n, 'b')), 'ERR_ASN1_STRUCTURE');
  assert.equal(outcome('2103 0101ff', false), 'ERR_DER_MALFORMED', 'constructed BOOLEAN');
});

test('BIT STRING: unused bits 0..7 (0 when empty); readBitStringBytes wants whole bytes', () => {
  assert.deepEqual(readBitString(d('030100'), 'b'), { bytes: new Uint8Array(0), unusedBits: 0 });
  assert.deepEqual(readBitString(d('03020780'), 'b'), { bytes: Uint8Array.of(0x80), unusedBits: 7 });
  assert.deepEqual(readBitStringBytes(d('030300abcd'), 'b'), Uint8Array.of(0xab, 0xcd));
  assert.equal(outcome('03020780', true, (n) => readBitStringBytes(n, 'b')), 'ERR_ASN1_STRUCTURE');
  // an IMPLICIT-tagged BIT STRING is read as bytes by the caller; a context tag is not a BIT STRING
  assert.equal(outcome('8102 0000'.replace(' ', ''), true, (n) => readBitString(n, 'b')), 'ERR_ASN1_STRUCTURE');
});

test('strings: types by tag, UTF-8 checked, BMP / Universal widths, Latin-1 for the 8-bit ones', () => {
  assert.deepEqual(readString(d('0c03e282ac'), 's'), { value: '€', type: 'UTF8String' });
  assert.deepEqual(readString(d('1302 4142'.replace(' ', '')), 's'), { value: 'AB', type: 'PrintableString' });
  assert.deepEqual(readString(d('1601 7a'.replace(' ', '')), 's'), { value: 'z', type: 'IA5String' });
  assert.deepEqual(readString(d('1401e9'), 's'), { value: 'é', type: 'TeletexString' });
  assert.deepEqual(readString(d('1e04 20ac 0041'.replace(/ /g, '')), 's'), { value: '€A', type: 'BMPString' });
  assert.deepEqual(readString(d('1c08 0001f600 00110000'.replace(/ /g, '')), 's'), { value: '😀\ufffd', type: 'UniversalString' });
  assert.deepEqual(readString(d('1a0141'), 's').type, 'VisibleString');
  assert.deepEqual(readString(d('120131'), 's').type, 'NumericString');
  // the small one-primitive reader (RFC 4514 #hex values)
  assert.deepEqual(readString(decodePrimitiveDer(fromHex('0c03616263'), 'h'), 'h'), { value: 'abc', type: 'UTF8String' });
  for (const [hex, code] of [['0c8103616263', 'ERR_DER_MALFORMED'], ['0c0361626364', 'ERR_DER_MALFORMED'], ['0c036162', 'ERR_DER_MALFORMED'], ['', 'ERR_DER_MALFORMED'], ['3000', 'ERR_ASN1_STRUCTURE'], ['1f2000', 'ERR_ASN1_STRUCTURE']] as const) {
    assert.throws(() => decodePrimitiveDer(fromHex(hex), 'h'), (e: unknown) => isMailPkiError(e, code), hex);
  }
  for (const bad of ['0c02c328', '0401aa', '3000']) {
    assert.equal(outcome(bad, true, (n) => readString(n, 's')), 'ERR_ASN1_STRUCTURE', bad);
  }
});

test('readers: structure errors name the field; SET, EXPLICIT, IMPLICIT', () => {
  const n = d('310a 0201 01 a003 0201 02 8100'.replace(/ /g, ''));
  const [i, e, p] = readSet(n, 'set', 3);
  assert.equal(readSmallInt(i, 'i'), 1);
  assert.equal(readSmallInt(readExplicit(e, 0, 'e'), 'e'), 2);
  assert.deepEqual(readImplicitChildren(e, 0, 'e').length, 1);
  assert.deepEqual(readImplicitBytes(p, 1, 'p'), new Uint8Array(0));
  assert.throws(() => readSequence(n, 'my field'), (err: unknown) => isMailPkiError(err, 'ERR_ASN1_STRUCTURE') && err.message === 'my field: expected SEQUENCE');
  assert.throws(() => readSet(n, 's', 4), (err: unknown) => isMailPkiError(err, 'ERR_ASN1_STRUCTURE'));
  assert.throws(() => readExplicit(p, 1, 'p'), (err: unknown) => isMailPkiError(err, 'ERR_ASN1_STRUCTURE'));
  assert.throws(() => readImplicitBytes(e, 0, 'e'), (err: unknown) => isMailPkiError(err, 'ERR_ASN1_STRUCTURE'));
  assert.throws(() => readSequence(undefined, 'missing'), (err: unknown) => isMailPkiError(err, 'ERR_ASN1_STRUCTURE'));
  // zero copy inside, copies out: mutating the input does not change what was returned
  const input = fromHex('0403010203');
  const node = decodeDer(input, 't');
  const got = readOctetString(node, 'o');
  const raw = rawDer(node);
  input[2] = 0xff;
  assert.deepEqual([...got, ...raw], [1, 2, 3, 4, 3, 1, 2, 3]);
  assert.equal(contentBytes(node)[0], 0xff, 'contentBytes is a view');
});

test('decoded and built nodes are different types (compile time and run time); derRaw splices checked bytes', () => {
  // @ts-expect-error a built asn1js node is not a DerNode
  assert.throws(() => readSequence(derSeq(derNull()), 'x'), TypeError);
  // @ts-expect-error a decoded DerNode cannot be encoded (rawDer gives its bytes)
  assert.throws(() => encodeDer(d('3000')), TypeError);
  // @ts-expect-error rawDer takes a decoded node only
  assert.throws(() => rawDer(derNull()), TypeError);
  const inner = fromHex('0603550403');
  const built = encodeDer(derSeq(derRaw(inner), derNull()));
  inner[0] = 0x04;
  assert.equal(toHex(built), '3007060355040305' + '00');
  assert.equal(toHex(encodeDer(derSeq(derRaw(fromHex('0603550403'))))), '30050603550403', 'raw bytes unchanged after the source was mutated');
  assert.throws(() => derRaw(fromHex('0605550403')), (e: unknown) => isMailPkiError(e, 'ERR_DER_MALFORMED'));
  assert.throws(() => derRaw(fromHex('05000500')), (e: unknown) => isMailPkiError(e, 'ERR_DER_MALFORMED'), 'two elements');
  assert.throws(() => derRaw(fromHex('3080050000 00'.replace(' ', ''))), (e: unknown) => isMailPkiError(e, 'ERR_DER_MALFORMED'), 'indefinite length');
});

async function ourCertificate(): Promise<Uint8Array> {
  const ca = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const leaf = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const root = createRootCa({ subject: { CN: 'DER test root', O: 'mailpki' }, privateKey: ca.privateKey, days: 30 });
  const csr = createCertificateRequest({ subject: { CN: 'mail.example.test' }, sans: ['mail.example.test', '192.0.2.1'], privateKey: leaf.privateKey });
  return issueCertificate({ profile: 'tls-server', csr, issuer: root, issuerKey: ca.privateKey, days: 30 }).der;
}

test('truncation at every byte of a real certificate is ERR_DER_MALFORMED (and a MailPkiError from parseCertificate)', async () => {
  const der = await ourCertificate();
  assert.equal(rawDer(decodeDer(der, 'cert')).length, der.length, 'the whole certificate decodes');
  for (let k = 0; k < der.length; k++) {
    const cut = der.subarray(0, k);
    assert.equal(outcome(toHex(cut)), k === 0 ? 'ERR_DER_MALFORMED' : 'ERR_DER_MALFORMED', `prefix of ${k} bytes`);
    assert.throws(() => parseCertificate(cut), (e: unknown) => isMailPkiError(e), `parseCertificate of ${k} bytes`);
  }
});
