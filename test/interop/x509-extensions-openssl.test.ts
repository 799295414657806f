// Extension encoders/decoders against OpenSSL: the same values, encoded by
// `openssl req -addext`, must be byte-identical to ours. Time, serials and the
// rest of the extension codec need no external tool:
// test/unit/x509-extensions.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyUsageExtension, basicConstraintsExtension, extKeyUsageExtension, subjectAltNameExtension, decodeExtensions, nameConstraintsExtension } from '../../src/x509/extensions.js';
import { parseSan, parseConstraintName } from '../../src/x509/general-name.js';
import { parseName, parseCertificate, OID, isMailPkiError } from '../../src/index.js';
import { encodeDer, derUtf8 } from '../../src/encoding/der.js';
import { toHex, fromHex } from '../../src/encoding/bytes.js';
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
test('unknown extensions are kept raw with their criticality; malformed known ones are ERR_EXTENSION_INVALID', (t) => {
  if (!oracle(t, 'openssl')) return;
  const o = opensslExtensions(['1.2.3.4.5=critical,DER:01:02:03', '1.2.3.4.6=DER:05:00']);
  assert.deepEqual(o.get('1.2.3.4.5'), { critical: true, der: '010203' });
  assert.deepEqual(o.get('1.2.3.4.6'), { critical: false, der: '0500' });
  assert.throws(() => decodeExtensions([{ oid: OID.basicConstraints, name: 'basicConstraints', critical: true, der: fromHex('3003040100') }]), (e: unknown) => isMailPkiError(e, 'ERR_EXTENSION_INVALID'));
  assert.throws(() => decodeExtensions([{ oid: OID.subjectAltName, name: 'subjectAltName', critical: false, der: fromHex('3003820180') }]), (e: unknown) => isMailPkiError(e, 'ERR_EXTENSION_INVALID'));
});
