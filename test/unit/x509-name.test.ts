// Distinguished names and SAN values: parsing, validation, string types,
// formatting. OpenSSL and Python cryptography as the oracles for encoding and
// RFC 4514 output: test/interop/x509-name-oracles.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName, formatNameOpenssl, isMailPkiError, MailPkiError } from '../../src/index.js';
import { parseSan, toGeneralName } from '../../src/x509/general-name.js';
import { toHex, fromHex } from '../../src/encoding/bytes.js';

const throwsCode = (fn: () => unknown, code: string): void => {
  assert.throws(fn, (e: unknown) => isMailPkiError(e) && e.code === code);
};

test('object form: usual order, string types per RFC 5280 (C Printable, email IA5, rest UTF8)', () => {
  const dn = parseName({ CN: 'mail.example.com', O: 'Example', C: 'US', emailAddress: 'pm@example.com', OU: ['a', 'b'] });
  assert.equal(formatNameOpenssl(dn), '/C=US/O=Example/OU=a/OU=b/CN=mail.example.com/emailAddress=pm@example.com');
  const types = dn.rdns.map((r) => r[0]!.stringType);
  assert.deepEqual(types, ['PrintableString', 'UTF8String', 'UTF8String', 'UTF8String', 'UTF8String', 'IA5String']);
  // DER tags: 0x13 PrintableString, 0x0c UTF8String, 0x16 IA5String appear in the encoding
  const hex = toHex(dn.der);
  assert.ok(hex.includes('13025553'), 'C as PrintableString "US"');
  assert.ok(hex.includes('160e706d406578616d706c652e636f6d'), 'emailAddress as IA5String');
});

test('bad names are ERR_NAME_INVALID with a reason', () => {
  throwsCode(() => parseName({ C: 'USA' }), 'ERR_NAME_INVALID');
  throwsCode(() => parseName({ C: 'U1' }), 'ERR_NAME_INVALID');
  throwsCode(() => parseName({ emailAddress: 'jö@example.com' }), 'ERR_NAME_INVALID');
  throwsCode(() => parseName({ CN: 'x'.repeat(65) }), 'ERR_NAME_INVALID');
  throwsCode(() => parseName({ CN: '' }), 'ERR_NAME_INVALID');
  throwsCode(() => parseName({ FOO: 'x' }), 'ERR_NAME_INVALID');
  throwsCode(() => parseName('/CN'), 'ERR_NAME_INVALID');
  throwsCode(() => parseName('CN=a\\'), 'ERR_NAME_INVALID');
  throwsCode(() => parseName('CN=a"b'), 'ERR_NAME_INVALID');
  throwsCode(() => parseName('CN=#zz'), 'ERR_NAME_INVALID');
  throwsCode(() => parseName('CN=\\FF'), 'ERR_NAME_INVALID'); // not UTF-8
  throwsCode(() => parseName('=x'), 'ERR_NAME_INVALID');
  assert.throws(() => parseName({ CN: 5 as unknown as string }), TypeError);
  assert.equal(parseName('').rdns.length, 0);
  assert.deepEqual(parseName('').der, fromHex('3000'));
});

test('parseSan: auto-typing and canonical forms', () => {
  assert.deepEqual(parseSan('Mail.Example.COM'), { type: 'dns', value: 'mail.example.com' });
  assert.deepEqual(parseSan('*.example.com'), { type: 'dns', value: '*.example.com' });
  assert.deepEqual(parseSan('xn--bcher-kva.example'), { type: 'dns', value: 'xn--bcher-kva.example' });
  assert.deepEqual(parseSan('192.0.2.1'), { type: 'ip', value: '192.0.2.1' });
  assert.deepEqual(parseSan('2001:DB8:0:0:0:0:0:1'), { type: 'ip', value: '2001:db8::1' });
  assert.deepEqual(parseSan('2001:db8:0:0:1:0:0:1'), { type: 'ip', value: '2001:db8::1:0:0:1' }); // RFC 5952 4.2.3: first of equal runs
  assert.deepEqual(parseSan('::ffff:192.0.2.1'), { type: 'ip', value: '::ffff:192.0.2.1' });
  assert.deepEqual(parseSan('::'), { type: 'ip', value: '::' });
  assert.deepEqual(parseSan('postmaster@Example.com'), { type: 'email', value: 'postmaster@example.com' });
  assert.deepEqual(parseSan('uri:https://example.com/x'), { type: 'uri', value: 'https://example.com/x' });
  assert.deepEqual(parseSan('URI:mailto:a@example.com'), { type: 'uri', value: 'mailto:a@example.com' });
  assert.deepEqual(parseSan('DNS:localhost'), { type: 'dns', value: 'localhost' });
  assert.deepEqual(parseSan('IP:10.0.0.1'), { type: 'ip', value: '10.0.0.1' });
  assert.deepEqual(parseSan('email:a@b.example'), { type: 'email', value: 'a@b.example' });
});

test('parseSan: a host typed with a port or as a URL is refused with the host it probably meant; URIs only when asked for', () => {
  const cases: Array<[string, RegExp]> = [
    ['mail.example.com:587', /^"mail\.example\.com:587" is not a host name \(it is a name with a port\): did you mean mail\.example\.com\?$/],
    ['Mail.Example.com.:25', /did you mean mail\.example\.com\.\?$/],
    ['192.0.2.1:25', /did you mean 192\.0\.2\.1\?$/],
    ['[2001:db8::1]:993', /an address with a port\): did you mean 2001:db8::1\?$/],
    ['https://mail.example.com/', /\(it is a URL\): did you mean mail\.example\.com\? \(a URI subjectAltName must be asked for explicitly: uri:https:\/\/mail\.example\.com\/\)$/],
    ['smtp://user@MX.example.com:25/x', /did you mean mx\.example\.com\?/],
    ['http://[2001:db8::2]:8080/', /did you mean 2001:db8::2\?/],
    ['mailto:a@example.com', /did you mean a@example\.com\?/],
    ['urn:example:thing', /looks like a URI with the scheme urn:/],
    ['http://', /a URL without a host/],
  ];
  for (const [v, re] of cases) {
    assert.throws(() => parseSan(v), (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_SAN_INVALID' && re.test(e.message), v);
  }
  // The same values, asked for as URIs, are URIs where they are valid ones.
  assert.deepEqual(parseSan('uri:urn:example:thing'), { type: 'uri', value: 'urn:example:thing' });
  assert.deepEqual(toGeneralName({ type: 'uri', value: 'https://mail.example.com/' }), { type: 'uri', value: 'https://mail.example.com/' });
  // IPv6 without brackets stays an address, not a "port".
  assert.deepEqual(parseSan('2001:db8::25'), { type: 'ip', value: '2001:db8::25' });
});

test('parseSan: bad values are ERR_SAN_INVALID and say why', () => {
  for (const v of ['a.*.example.com', 'ex*.example.com', '*.com', '-a.example', 'a..b', 'bücher.example', 'a_b.example', '256.1.1.1', '01.2.3.4', '1:2:3:4:5:6:7:8:9', 'x'.repeat(64) + '.com', '', 'a b@example.com', 'jö@example.com', 'URI:no-scheme', 'IP:1.2.3', 'example.com.']) {
    assert.throws(() => parseSan(v), (e: unknown) => isMailPkiError(e, 'ERR_SAN_INVALID') && e.message.length > 10, v);
  }
  assert.throws(() => parseSan('bücher.example'), /A-label/);
  assert.throws(() => parseSan(1 as unknown as string), TypeError);
});
