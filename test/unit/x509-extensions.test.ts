// Extension encoders/decoders, X.509 Time and serial numbers. OpenSSL
// encoding the same values for comparison: test/interop/x509-extensions-openssl.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyUsageExtension, decodeExtensions } from '../../src/x509/extensions.js';
import { encodeTimeDer, readTime } from '../../src/x509/time.js';
import { generateSerialNumber, checkSerialNumber } from '../../src/x509/serial.js';
import { toGeneralName } from '../../src/x509/general-name.js';
import { createSeededRandom, OID, isMailPkiError } from '../../src/index.js';
import { decodeDer, derUtf8, encodeDer } from '../../src/encoding/der.js';
import { toHex, fromHex } from '../../src/encoding/bytes.js';

test('KU bit strings: minimal (no trailing zero bits), decipherOnly in the second byte; decode round trip', () => {
  assert.equal(toHex(keyUsageExtension(['digitalSignature']).der), '03020780');
  assert.equal(toHex(keyUsageExtension(['keyCertSign', 'cRLSign']).der), '03020106');
  assert.equal(toHex(keyUsageExtension(['digitalSignature', 'decipherOnly']).der), '0303078080');
  const all = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
  assert.deepEqual(decodeExtensions([keyUsageExtension(all)]).keyUsage, [...all]);
  assert.throws(() => keyUsageExtension([]), (e: unknown) => isMailPkiError(e, 'ERR_EXTENSION_INVALID'));
});

test('Time: UTCTime through 2049, GeneralizedTime from 2050, whole seconds, Z; strict reading', () => {
  const text = (d: string) => { const b = encodeTimeDer(new Date(d)); return [b[0], String.fromCharCode(...b.subarray(2))]; };
  assert.deepEqual(text('2049-12-31T23:59:59.999Z'), [0x17, '491231235959Z']);
  assert.deepEqual(text('2050-01-01T00:00:00Z'), [0x18, '20500101000000Z']);
  assert.deepEqual(text('1999-02-03T04:05:06Z'), [0x17, '990203040506Z']);
  const read = (hex: string) => readTime(decodeDer(fromHex(hex), 't'), 't');
  const enc = (tag: number, s: string) => toHex(Uint8Array.of(tag, s.length, ...new TextEncoder().encode(s)));
  assert.equal(read(enc(0x17, '500101000000Z')).toISOString(), '1950-01-01T00:00:00.000Z');
  assert.equal(read(enc(0x17, '491231235959Z')).toISOString(), '2049-12-31T23:59:59.000Z');
  assert.equal(read(enc(0x18, '20500101000000Z')).toISOString(), '2050-01-01T00:00:00.000Z');
  assert.equal(read(enc(0x18, '00010101000000Z')).getUTCFullYear(), 1);
  for (const bad of [enc(0x17, '491231235959'), enc(0x17, '491331235959Z'), enc(0x17, '490230000000Z'), enc(0x18, '2050010100000Z'), enc(0x17, '4912312359+0100'), '0500']) {
    assert.throws(() => read(bad), (e: unknown) => isMailPkiError(e), bad);
  }
});

test('serials: positive, ≥ 64 random bits, ≤ 20 octets, distinct; caller serials checked', () => {
  const seen = new Set<bigint>();
  for (let i = 0; i < 200; i++) {
    const s = generateSerialNumber();
    assert.ok(s >= 1n << 64n && s < 1n << 127n);
    seen.add(s);
  }
  assert.equal(seen.size, 200);
  assert.equal(generateSerialNumber(createSeededRandom('x')), generateSerialNumber(createSeededRandom('x')));
  assert.throws(() => generateSerialNumber(() => new Uint8Array(16)), RangeError);
  assert.throws(() => checkSerialNumber(0n), (e: unknown) => isMailPkiError(e, 'ERR_POLICY'));
  assert.throws(() => checkSerialNumber(-5n), (e: unknown) => isMailPkiError(e, 'ERR_POLICY'));
  assert.throws(() => checkSerialNumber(1n << 159n), (e: unknown) => isMailPkiError(e, 'ERR_POLICY')); // needs a 0x00 sign octet: 21 octets
  checkSerialNumber((1n << 159n) - 1n);
});

test('otherName SAN given as raw DER: the value must be one complete, canonical DER element', () => {
  const good = encodeDer(derUtf8('juergen@example.com'));
  assert.deepEqual(toGeneralName({ type: 'other', oid: OID.smtpUtf8Mailbox, der: good }), { type: 'other', oid: OID.smtpUtf8Mailbox, der: good });
  const bad = [
    Uint8Array.of(0x30, 0x03, 0x02, 0x05, 0x01), // SEQUENCE whose INTEGER claims 5 bytes of 1: the outer header alone looks fine
    Uint8Array.of(0x0c, 0x81, 0x01, 0x41), // non-minimal length
    Uint8Array.of(0x0c, 0x01, 0x41, 0x00), // trailing byte
    new Uint8Array(0),
  ];
  for (const der of bad) {
    assert.throws(
      () => toGeneralName({ type: 'other', oid: OID.smtpUtf8Mailbox, der }),
      (e: unknown) => isMailPkiError(e) && e.code === 'ERR_SAN_INVALID' && /otherName value is not one DER element/.test(e.message),
      toHex(der),
    );
  }
});
