// Distinguished names and SAN values: parsing, validation, string types,
// formatting; OpenSSL and Python cryptography are the oracles for encoding
// and RFC 4514 output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { parseName, formatNameOpenssl, formatNameRfc4514 } from '../../src/x509/name.js';
import { parseSan, toGeneralName } from '../../src/x509/general-name.js';
import { isMailPkiError, MailPkiError } from '../../src/errors.js';
import { toHex, fromHex } from '../../src/encoding/bytes.js';
import { oracle, runOk, tempDir, PYTHON } from '../helpers/env.js';

const throwsCode = (fn: () => unknown, code: string): void => {
  assert.throws(fn, (e: unknown) => isMailPkiError(e) && e.code === code);
};

/** Subject DER as openssl req -subj -utf8 encodes it (default string_mask utf8only). */
function opensslSubjectDer(subj: string, multivalue = false): string {
  const dir = tempDir();
  const key = join(dir, 'k.pem');
  writeFileSync(key, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const csr = runOk('openssl', ['req', '-new', '-key', key, '-utf8', '-subj', subj, ...(multivalue ? ['-multivalue-rdn'] : [])]);
  // python cuts the subject's DER out of the CSR
  return runOk(PYTHON, ['-c', 'import sys\nfrom cryptography import x509\nr=x509.load_pem_x509_csr(sys.stdin.read().encode())\nprint(r.subject.public_bytes().hex())'], { input: csr }).trim();
}

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

test('OpenSSL form equals openssl req -subj encoding byte for byte', (t) => {
  if (!oracle(t, 'openssl') || !oracle(t, 'python3-cryptography')) return;
  for (const subj of ['/C=US/ST=NY/L=New York/O=Example Inc./OU=Mail/CN=mail.example.com/emailAddress=pm@example.com', '/CN=Zürich Ωmega 日本', '/O=a\\/b/CN=x']) {
    assert.equal(toHex(parseName(subj).der), opensslSubjectDer(subj), subj);
  }
  assert.equal(toHex(parseName('/O=Ex/CN=a+UID=b').der), opensslSubjectDer('/O=Ex/CN=a+UID=b', true), 'multi-valued RDN (SET OF sorted)');
});

test('RFC 4514: reversed order, escapes (\\, \\2C, leading #, spaces), #hex values; formatting agrees with Python', (t) => {
  const a = parseName('CN=mail.example.com,O=Example,C=US');
  assert.equal(formatNameOpenssl(a), '/C=US/O=Example/CN=mail.example.com');
  assert.deepEqual(a.der, parseName('/C=US/O=Example/CN=mail.example.com').der);
  const b = parseName('CN=Smith\\, John,O=A\\2CB,OU=\\#hash,L=\\ lead');
  assert.equal(b.rdns[3]![0]!.value, 'Smith, John');
  assert.equal(b.rdns[2]![0]!.value, 'A,B');
  assert.equal(b.rdns[1]![0]!.value, '#hash');
  assert.equal(b.rdns[0]![0]!.value, ' lead');
  const c = parseName('CN=#0c03616263'); // UTF8String "abc"
  assert.equal(c.rdns[0]![0]!.value, 'abc');
  // a #hex value takes the attribute's standard string type (fuzz counterexample:
  // a UTF8String emailAddress re-formatted as text came back as IA5String)
  const e = parseName('emailAddress=#0c03616263');
  assert.equal(e.rdns[0]![0]!.stringType, 'IA5String');
  assert.deepEqual(parseName(formatNameRfc4514(e)).der, e.der);
  assert.deepEqual(parseName(formatNameOpenssl(e)).der, e.der);
  assert.deepEqual(parseName('C=#13025553').der, parseName('C=US').der); // PrintableString kept for C
  const d = parseName('CN=caf\\C3\\A9');
  assert.equal(d.rdns[0]![0]!.value, 'café');
  const multi = parseName('CN=a+UID=b,O=x');
  assert.equal(multi.rdns[1]!.length, 2);
  // round trip through our own formatter
  for (const dn of [a, b, c, d, multi]) assert.deepEqual(parseName(formatNameRfc4514(dn)).der, dn.der);
  if (!oracle(t, 'python3-cryptography')) return;
  for (const dn of [a, b, d]) {
    const der = toHex(dn.der);
    const rfc = runOk(PYTHON, ['-c', 'import sys\nimport cryptography.x509 as X\nn=X.Name.from_rfc4514_string(sys.argv[2])\nprint(n.public_bytes().hex()==sys.argv[1])', der, formatNameRfc4514(dn)]).trim();
    assert.equal(rfc, 'True', `python reads our RFC 4514 text back to the same DER: ${formatNameRfc4514(dn)}`);
  }
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
