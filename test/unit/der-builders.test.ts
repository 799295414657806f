/**
 * Our DER builders (src/encoding/der.ts) against asn1js, the encoder they
 * replaced (kept as a devDependency for exactly this comparison): the same
 * bytes for random values of every builder, nested, and the tag/length
 * forms at their boundaries. Each output also decodes with our strict reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as asn1js from 'asn1js';
import {
  decodeDer,
  derBitString,
  derBmp,
  derBool,
  derExplicit,
  derIa5,
  derImplicitBytes,
  derImplicitChildren,
  derInt,
  derNull,
  derNumeric,
  derOctets,
  derOid,
  derPrintable,
  derRaw,
  derSeq,
  derSeqBytes,
  derSet,
  derTeletex,
  derUniversal,
  derUtf8,
  derVisible,
  encodeDer,
  rawDer,
} from '../../src/encoding/der.js';

const ber = (n: asn1js.AsnType): Uint8Array => new Uint8Array(n.toBER(false));

test('INTEGER: same bytes as asn1js for random and boundary values, both signs', () => {
  const edges = [0n, 1n, -1n, 127n, 128n, -128n, -129n, 255n, 256n, -256n, -257n, 32767n, 32768n, -32768n, -32769n, (1n << 2047n) + 12345n, -(1n << 2047n), -(1n << 2047n) - 1n];
  for (const v of edges) assert.deepEqual(encodeDer(derInt(v)), ber(asn1js.Integer.fromBigInt(v)), String(v));
  fc.assert(
    fc.property(fc.bigInt({ min: -(1n << 4100n), max: 1n << 4100n }), (v) => {
      const ours = encodeDer(derInt(v));
      assert.deepEqual(ours, ber(asn1js.Integer.fromBigInt(v)));
      assert.equal(decodeDer(ours, 'int').tag, 2);
    }),
    { numRuns: 400 },
  );
  assert.deepEqual(encodeDer(derInt(5)), Uint8Array.of(2, 1, 5));
});

test('OBJECT IDENTIFIER: same bytes as asn1js, big arcs exact, bad strings refused', () => {
  const arb = fc
    .tuple(fc.constantFrom(0, 1, 2), fc.nat({ max: 39 }), fc.array(fc.oneof(fc.nat({ max: 200 }), fc.nat(), fc.constant(2 ** 31), fc.constant(2 ** 53 - 1)), { maxLength: 8 }))
    .map(([a, b, rest]) => [a, b, ...rest].join('.'));
  fc.assert(
    fc.property(arb, (oid) => {
      assert.deepEqual(encodeDer(derOid(oid)), ber(new asn1js.ObjectIdentifier({ value: oid })), oid);
    }),
    { numRuns: 400 },
  );
  // an arc past 2^53 (asn1js garbles these; checked by hand: 2^64 = 0x82 0x80 ... 0x00)
  const big = derOid('1.2.18446744073709551616');
  assert.deepEqual(big.subarray(2), Uint8Array.of(0x2a, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00));
  assert.deepEqual(encodeDer(derOid('2.999.3')), ber(new asn1js.ObjectIdentifier({ value: '2.999.3' })));
  for (const bad of ['', '1', '3.1', '1.40', '1.2.03', '1..2', '1.2.', 'a.b']) assert.throws(() => derOid(bad), TypeError, bad);
});

test('strings, OCTET STRING, BIT STRING, BOOLEAN, NULL: same bytes as asn1js', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary-ascii', maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 7 }), (uni, ascii, bytes, unused) => {
      assert.deepEqual(encodeDer(derUtf8(uni)), ber(new asn1js.Utf8String({ value: uni })));
      assert.deepEqual(encodeDer(derBmp(uni)), ber(new asn1js.BmpString({ value: uni })));
      assert.deepEqual(encodeDer(derUniversal(uni)), ber(new asn1js.UniversalString({ value: uni })));
      assert.deepEqual(encodeDer(derPrintable(ascii)), ber(new asn1js.PrintableString({ value: ascii })));
      assert.deepEqual(encodeDer(derIa5(ascii)), ber(new asn1js.IA5String({ value: ascii })));
      assert.deepEqual(encodeDer(derVisible(ascii)), ber(new asn1js.VisibleString({ value: ascii })));
      assert.deepEqual(encodeDer(derNumeric(ascii)), ber(new asn1js.NumericString({ value: ascii })));
      assert.deepEqual(encodeDer(derTeletex(ascii)), ber(new asn1js.TeletexString({ value: ascii })));
      assert.deepEqual(encodeDer(derOctets(bytes)), ber(new asn1js.OctetString({ valueHex: bytes })));
      const u = bytes.length ? unused : 0;
      assert.deepEqual(encodeDer(derBitString(bytes, u)), ber(new asn1js.BitString({ valueHex: bytes, unusedBits: u })));
    }),
    { numRuns: 200 },
  );
  assert.deepEqual(encodeDer(derBool(true)), ber(new asn1js.Boolean({ value: true })));
  assert.deepEqual(encodeDer(derBool(false)), ber(new asn1js.Boolean({ value: false })));
  assert.deepEqual(encodeDer(derNull()), ber(new asn1js.Null()));
  assert.throws(() => derUtf8('a\ud800b'), TypeError);
  assert.throws(() => derBitString(new Uint8Array(0), 1), RangeError);
  assert.throws(() => derBitString(Uint8Array.of(1), 8), RangeError);
});

test('constructed, tagged and spliced: same bytes as asn1js at every length form', () => {
  // content lengths around the short/long and 1-/2-/3-octet length boundaries
  for (const len of [0, 1, 126, 127, 128, 255, 256, 65535, 65536, 70000]) {
    const content = new Uint8Array(len).fill(0x41);
    const ours = derSeq(derOctets(content), derNull());
    const theirs = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: content }), new asn1js.Null()] });
    assert.deepEqual(encodeDer(ours), ber(theirs), `SEQUENCE around ${len}`);
    assert.deepEqual(encodeDer(derSet(derOctets(content))), ber(new asn1js.Set({ value: [new asn1js.OctetString({ valueHex: content })] })));
    assert.deepEqual(derSeqBytes(encodeDer(derOctets(content)), encodeDer(derNull())), encodeDer(ours));
    for (const tag of [0, 3, 30, 31, 127, 128, 300]) {
      assert.deepEqual(
        encodeDer(derExplicit(tag, derOctets(content))),
        ber(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: tag }, value: [new asn1js.OctetString({ valueHex: content })] })),
        `[${tag}] EXPLICIT, ${len}`,
      );
      assert.deepEqual(encodeDer(derImplicitBytes(tag, content)), ber(new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: tag }, valueHex: content })));
      assert.deepEqual(
        encodeDer(derImplicitChildren(tag, [derNull(), derInt(7)])),
        ber(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: tag }, value: [new asn1js.Null(), asn1js.Integer.fromBigInt(7n)] })),
      );
    }
    // what we build decodes strictly and rawDer gives the same bytes back
    assert.deepEqual(rawDer(decodeDer(encodeDer(ours), 'seq')), encodeDer(ours));
  }
  // derRaw copies: the caller's array can change afterwards
  const src = encodeDer(derInt(5));
  const raw = derRaw(src);
  src[2] = 6;
  assert.deepEqual(encodeDer(derSeq(raw)), Uint8Array.of(0x30, 3, 2, 1, 5));
  // a decoded node is not a built one
  assert.throws(() => derSeq(decodeDer(src, 'x') as never), TypeError);
  assert.throws(() => encodeDer(decodeDer(src, 'x') as never), TypeError);
});
