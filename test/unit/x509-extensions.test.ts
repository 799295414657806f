// Extension encoders/decoders, X.509 Time and serial numbers; OpenSSL
// encodes the same values for comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyUsageExtension, basicConstraintsExtension, extKeyUsageExtension, subjectAltNameExtension, decodeExtensions, nameConstraintsExtension } from '../../src/x509/extensions.js';
import { encodeTimeDer, readTime } from '../../src/x509/time.js';
import { generateSerialNumber, checkSerialNumber } from '../../src/x509/serial.js';
import { parseSan, parseConstraintName, toGeneralName } from '../../src/x509/general-name.js';
import { parseName } from '../../src/x509/name.js';
import { encodeDer, derUtf8 } from '../../src/encoding/der.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { decodeDer } from '../../src/encoding/der.js';
import { toHex, fromHex } from '../../src/encoding/bytes.js';
import { createSeededRandom } from '../../src/crypto/random.js';
import { OID } from '../../src/oid.js';
import { isMailPkiError } from '../../src/errors.js';
import { oracle, runOk, tempDir } from '../helpers/env.js';

/** Extension values as openssl writes them (-addext on a self-signed cert). */
function opensslExtensions(addext: string[], config = ''): Map<string, { critical: boolean; der: string }> {
  const dir = tempDir();
  const cnf = join(dir, 'req.cnf');
  writeFileSync(cnf, `[req]\ndistinguished_name=dn\nstring_mask=utf8only\n[dn]\n${config.replace(/\\n/g, '\n')}`);
  const key = join(dir, 'k.pem');
  writeFileSync(key, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const pem = runOk('openssl', ['req', '-x509', '-new', '-key', key, '-subj', '/CN=t', '-days', '1', '-config', cnf, '-utf8', ...addext.flatMap((e) => ['-addext', e])]);
  const cert = parseCertificate(pem);
  return new Map(cert.extensions.map((e) => [e.oid, { critical: e.critical, der: toHex(e.der) }]));
}

test('KU, BC, EKU, SAN, name constraints encode exactly as OpenSSL does', (t) => {
  if (!oracle(t, 'openssl')) return;
  const o = opensslExtensions([
    'keyUsage=critical,keyCertSign,cRLSign',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    'extendedKeyUsage=serverAuth,clientAuth',
    'subjectAltName=DNS:a.example.com,IP:192.0.2.1,IP:2001:db8::1,email:x@example.com,URI:https://example.com/',
    'nameConstraints=critical,permitted;DNS:example.com,permitted;IP:10.0.0.0/255.0.0.0,excluded;email:bad.example.com',
  ]);
  assert.deepEqual({ critical: true, der: toHex(keyUsageExtension(['keyCertSign', 'cRLSign']).der) }, o.get(OID.keyUsage));
  assert.deepEqual({ critical: true, der: toHex(basicConstraintsExtension({ ca: true, pathLen: 0 }).der) }, o.get(OID.basicConstraints));
  assert.equal(toHex(extKeyUsageExtension([OID.serverAuth, OID.clientAuth]).der), o.get(OID.extKeyUsage)!.der);
  const sans = ['a.example.com', '192.0.2.1', '2001:db8::1', 'x@example.com', 'uri:https://example.com/'].map(parseSan);
  assert.equal(toHex(subjectAltNameExtension(sans).der), o.get(OID.subjectAltName)!.der);
  const nc = nameConstraintsExtension({ permitted: [parseConstraintName('example.com'), parseConstraintName('10.0.0.0/8')], excluded: [parseConstraintName('email:bad.example.com')] });
  assert.deepEqual({ critical: true, der: toHex(nc.der) }, o.get(OID.nameConstraints));
  const ku2 = opensslExtensions(['keyUsage=digitalSignature,keyEncipherment', 'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,decipherOnly'].slice(0, 2));
  assert.equal(toHex(keyUsageExtension(['digitalSignature', 'keyEncipherment']).der), ku2.get(OID.keyUsage)!.der);
  assert.equal(toHex(basicConstraintsExtension({ ca: false }).der), ku2.get(OID.basicConstraints)!.der);
});

test('SAN with otherName, registeredID, directoryName and IPs: round trip, and openssl prints the same names', (t) => {
  const dn = parseName('/O=Example/CN=dir');
  const other = { type: 'other' as const, oid: OID.smtpUtf8Mailbox, der: encodeDer(derUtf8('juergen@example.com')) };
  const names = [parseSan('a.example.com'), other, { type: 'registeredId' as const, value: '1.2.3.4' }, { type: 'dn' as const, value: dn }, parseSan('::1'), parseSan('10.0.0.1')];
  const ext = subjectAltNameExtension(names);
  const back = decodeExtensions([ext]).subjectAltName!;
  assert.deepEqual(back[0], names[0]);
  assert.deepEqual(back[1], other);
  assert.deepEqual(back[2], names[2]);
  assert.equal((back[3] as { value: { der: Uint8Array } }).value.der.length, dn.der.length);
  assert.deepEqual(back.slice(4), [{ type: 'ip', value: '::1' }, { type: 'ip', value: '10.0.0.1' }]);
  if (!oracle(t, 'openssl')) return;
  const o = opensslExtensions([`subjectAltName=DNS:a.example.com,otherName:${OID.smtpUtf8Mailbox};UTF8:juergen@example.com,RID:1.2.3.4,dirName:dir_sect,IP:::1,IP:10.0.0.1`], '[dir_sect]\nO=Example\nCN=dir\n');
  assert.equal(o.get(OID.subjectAltName)!.der, toHex(ext.der));
});

test('KU bit strings: minimal (no trailing zero bits), decipherOnly in the second byte; decode round trip', () => {
  assert.equal(toHex(keyUsageExtension(['digitalSignature']).der), '03020780');
  assert.equal(toHex(keyUsageExtension(['keyCertSign', 'cRLSign']).der), '03020106');
  assert.equal(toHex(keyUsageExtension(['digitalSignature', 'decipherOnly']).der), '0303078080');
  const all = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;
  assert.deepEqual(decodeExtensions([keyUsageExtension(all)]).keyUsage, [...all]);
  assert.throws(() => keyUsageExtension([]), (e: unknown) => isMailPkiError(e, 'ERR_EXTENSION_INVALID'));
});

test('unknown extensions are kept raw with their criticality; malformed known ones are ERR_EXTENSION_INVALID', (t) => {
  if (!oracle(t, 'openssl')) return;
  const o = opensslExtensions(['1.2.3.4.5=critical,DER:01:02:03', '1.2.3.4.6=DER:05:00']);
  assert.deepEqual(o.get('1.2.3.4.5'), { critical: true, der: '010203' });
  assert.deepEqual(o.get('1.2.3.4.6'), { critical: false, der: '0500' });
  assert.throws(() => decodeExtensions([{ oid: OID.basicConstraints, name: 'basicConstraints', critical: true, der: fromHex('3003040100') }]), (e: unknown) => isMailPkiError(e, 'ERR_EXTENSION_INVALID'));
  assert.throws(() => decodeExtensions([{ oid: OID.subjectAltName, name: 'subjectAltName', critical: false, der: fromHex('3003820180') }]), (e: unknown) => isMailPkiError(e, 'ERR_EXTENSION_INVALID'));
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
