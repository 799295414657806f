// RFC 9525 host matching and S/MIME mailbox matching on certificate stubs
// (only the SAN and subject matter to these functions). Expected answers are
// the RFC's rules, cross-checked against OpenSSL/Node in test/interop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpAddress } from '../../src/x509/ip.js';
import { matchesHost, matchesEmail, type Certificate, type GeneralName, OID } from '../../src/index.js';

function stub(sans: GeneralName[] | undefined, cn = 'mail.example.com'): Certificate {
  return {
    subject: { rdns: [[{ oid: OID.commonName, type: 'CN', value: cn }]], der: new Uint8Array() },
    decoded: sans ? { subjectAltName: sans } : {},
  } as unknown as Certificate;
}
const dns = (...v: string[]) => stub(v.map((value) => ({ type: 'dns' as const, value })));
const ips = (...v: string[]) => stub(v.map((value) => ({ type: 'ip' as const, value })));

test('exact DNS names: case-insensitive; a trailing dot on the host is ignored, a SAN with one matches nothing', () => {
  const c = dns('mail.example.com');
  assert.equal(matchesHost(c, 'mail.example.com'), true);
  assert.equal(matchesHost(c, 'MAIL.Example.COM'), true);
  assert.equal(matchesHost(c, 'mail.example.com.'), true);
  // RFC 5280 4.2.1.6 preferred name syntax: no trailing dot in a dNSName (OpenSSL does not match it either)
  assert.equal(matchesHost(dns('mail.example.com.'), 'mail.example.com'), false);
  assert.equal(matchesHost(dns('mail.example.com.'), 'mail.example.com.'), false);
  assert.equal(matchesHost(dns('*.example.com.'), 'a.example.com'), false);
  assert.equal(matchesHost(c, 'example.com'), false);
  assert.equal(matchesHost(c, 'xmail.example.com'), false);
  assert.equal(matchesHost(c, 'mail.example.co'), false);
});

test('wildcards: complete left-most label, exactly one label', () => {
  const c = dns('*.example.com');
  assert.equal(matchesHost(c, 'a.example.com'), true);
  assert.equal(matchesHost(c, 'A.EXAMPLE.com.'), true);
  assert.equal(matchesHost(c, 'example.com'), false);
  assert.equal(matchesHost(c, 'a.b.example.com'), false);
  assert.equal(matchesHost(c, '.example.com'), false);
  assert.equal(matchesHost(dns('f*.example.com'), 'foo.example.com'), false, 'partial wildcards are not supported');
  assert.equal(matchesHost(dns('*o.example.com'), 'foo.example.com'), false);
  assert.equal(matchesHost(dns('a.*.example.com'), 'a.b.example.com'), false, 'wildcard not left-most');
  assert.equal(matchesHost(dns('*.*.example.com'), 'a.b.example.com'), false);
  assert.equal(matchesHost(dns('xn--*.example.com'), 'xn--bcher-kva.example.com'), false, 'no wildcard inside an A-label');
  assert.equal(matchesHost(dns('*.com'), 'example.com'), false, 'no wildcard over a top-level domain');
  assert.equal(matchesHost(dns('*'), 'localhost'), false);
  assert.equal(matchesHost(c, '*.example.com'), false, 'a reference identity is never a pattern');
});

test('IDN: U-label reference matches the A-label SAN', () => {
  const c = dns('xn--bcher-kva.example');
  assert.equal(matchesHost(c, 'xn--bcher-kva.example'), true);
  assert.equal(matchesHost(c, 'bücher.example'), true);
  assert.equal(matchesHost(c, 'bucher.example'), false);
  assert.equal(matchesHost(dns('*.example.com'), 'bücher.example.com'), true);
  // URL syntax in a non-ASCII host is not a way around the comparison
  assert.equal(matchesHost(dns('mail.example.com'), 'ü@mail.example.com'), false);
  assert.equal(matchesHost(dns('xn--bcher-kva.example'), 'bücher.example/x'), false);
  assert.equal(matchesHost(dns('xn--bcher-kva.example'), 'bücher.example:25'), false);
  assert.equal(matchesHost(dns('127.0.0.1'), '１２７.0.0.1'), false, 'full-width digits do not become an address');
});

test('no CN fallback (RFC 9525 6.1)', () => {
  assert.equal(matchesHost(stub(undefined, 'mail.example.com'), 'mail.example.com'), false);
  assert.equal(matchesHost(stub([{ type: 'dns', value: 'other.example.com' }], 'mail.example.com'), 'mail.example.com'), false);
});

test('IP addresses compared as addresses, only against iPAddress SANs', () => {
  assert.equal(matchesHost(ips('192.0.2.1'), '192.0.2.1'), true);
  assert.equal(matchesHost(ips('192.0.2.1'), '192.0.2.10'), false);
  assert.equal(matchesHost(ips('192.0.2.1'), '192.000.2.1'), false, 'leading zeros are not an address');
  assert.equal(matchesHost(dns('192.0.2.1'), '192.0.2.1'), false, 'an IP never matches a dNSName SAN');
  assert.equal(matchesHost(ips('0:0:0:0:0:0:0:1'), '::1'), true);
  assert.equal(matchesHost(ips('::1'), '0:0:0:0:0:0:0:1'), true);
  assert.equal(matchesHost(ips('::1'), '[::1]'), true);
  assert.equal(matchesHost(ips('2001:db8::1'), '2001:DB8:0:0::1'), true);
  assert.equal(matchesHost(ips('2001:db8::1'), '2001:db8::2'), false);
  assert.equal(matchesHost(ips('::ffff:192.0.2.1'), '::ffff:c000:201'), true);
  assert.equal(matchesHost(ips('::ffff:192.0.2.1'), '192.0.2.1'), false, 'IPv4 and IPv4-mapped IPv6 are different addresses');
  assert.equal(matchesHost(ips('192.0.2.1'), '::ffff:192.0.2.1'), false);
});

test('parseIpAddress accepts RFC 4291 forms and refuses the rest', () => {
  assert.deepEqual([...parseIpAddress('::')!], new Array(16).fill(0));
  assert.equal(parseIpAddress('1::2::3'), undefined);
  assert.equal(parseIpAddress('1:2:3:4:5:6:7:8:9'), undefined);
  assert.equal(parseIpAddress('1:2:3:4:5:6:7'), undefined);
  assert.equal(parseIpAddress('12345::'), undefined);
  assert.equal(parseIpAddress('1.2.3'), undefined);
  assert.equal(parseIpAddress('256.1.1.1'), undefined);
  assert.equal(parseIpAddress('fe80::1%eth0'), undefined);
  assert.equal(parseIpAddress('1:2:3:4:5:6:1.2.3.4')!.length, 16);
});

test('bad arguments throw TypeError', () => {
  assert.throws(() => matchesHost(dns('a.example'), ''), TypeError);
  assert.throws(() => matchesHost(dns('a.example'), 42 as unknown as string), TypeError);
  assert.throws(() => matchesEmail(dns('a.example'), 'no-at-sign'), TypeError);
});

test('email: rfc822Name SANs, exact local part, case-insensitive domain', () => {
  const c = stub([{ type: 'email', value: 'Alice@Example.com' }, { type: 'dns', value: 'example.com' }]);
  assert.equal(matchesEmail(c, 'Alice@example.COM'), true);
  assert.equal(matchesEmail(c, 'alice@example.com'), false, 'local part is case-sensitive (RFC 5280 4.2.1.6)');
  assert.equal(matchesEmail(c, 'Alice@example.org'), false);
  assert.equal(matchesEmail(c, 'bob@example.com'), false);
  // the subject emailAddress attribute is not an identity
  const subj = {
    subject: { rdns: [[{ oid: OID.emailAddress, type: 'emailAddress', value: 'bob@example.com' }]], der: new Uint8Array() },
    decoded: {},
  } as unknown as Certificate;
  assert.equal(matchesEmail(subj, 'bob@example.com'), false);
});
