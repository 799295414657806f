// RFC 5280 4.2.1.10 name constraints matching on certificate stubs. The
// expected answers follow the RFC text (and OpenSSL's documented leading-dot
// semantics); test/interop/x509-verify-bad.test.ts checks agreement with
// `openssl verify` on real certificates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNameConstraints, nameWithinSubtree } from '../../src/x509/name-constraints.js';
import { parseIpRange } from '../../src/x509/ip.js';
import { type Certificate, type GeneralName, type NameAttribute, OID } from '../../src/index.js';

const attr = (oid: string, type: string, value: string): NameAttribute => ({ oid, type, value });
function stub(sans: GeneralName[] | undefined, subject: NameAttribute[][] = [[attr(OID.commonName, 'CN', 'x')]]): Certificate {
  return { subject: { rdns: subject, der: new Uint8Array() }, decoded: sans ? { subjectAltName: sans } : {} } as unknown as Certificate;
}
const dns = (value: string): GeneralName => ({ type: 'dns', value });
const email = (value: string): GeneralName => ({ type: 'email', value });
const ip = (value: string): GeneralName => ({ type: 'ip', value });
const uri = (value: string): GeneralName => ({ type: 'uri', value });
const ok = (permitted: GeneralName[], excluded: GeneralName[], names: GeneralName[]) =>
  checkNameConstraints({ permitted, excluded }, stub(names)) === undefined;

test('permitted DNS without a leading dot: the name itself and every subdomain', () => {
  const p = [dns('example.com')];
  assert.equal(ok(p, [], [dns('example.com')]), true);
  assert.equal(ok(p, [], [dns('mail.example.com')]), true);
  assert.equal(ok(p, [], [dns('a.b.EXAMPLE.com')]), true);
  assert.equal(ok(p, [], [dns('*.example.com')]), true);
  assert.equal(ok(p, [], [dns('badexample.com')]), false, 'label boundary');
  assert.equal(ok(p, [], [dns('example.org')]), false);
  assert.equal(ok(p, [], [dns('mail.example.com'), dns('evil.test')]), false, 'every name must be permitted');
});

test('permitted DNS with a leading dot: subdomains only', () => {
  const p = [dns('.example.com')];
  assert.equal(ok(p, [], [dns('mail.example.com')]), true);
  assert.equal(ok(p, [], [dns('example.com')]), false);
  assert.equal(ok(p, [], [dns('xexample.com')]), false);
});

test('excluded DNS wins over permitted; wildcards that reach into an excluded subtree', () => {
  const p = [dns('example.com')];
  const e = [dns('secret.example.com')];
  assert.equal(ok(p, e, [dns('mail.example.com')]), true);
  assert.equal(ok(p, e, [dns('secret.example.com')]), false);
  assert.equal(ok(p, e, [dns('a.secret.example.com')]), false);
  assert.equal(ok(p, e, [dns('*.example.com')]), false, '*.example.com would match secret.example.com');
  assert.equal(ok([], [dns('.example.com')], [dns('example.com')]), true);
  assert.equal(ok([], [dns('.example.com')], [dns('a.example.com')]), false);
  const v = checkNameConstraints({ permitted: p, excluded: e }, stub([dns('secret.example.com')]));
  assert.deepEqual(v, { kind: 'excluded', name: 'DNS:secret.example.com', subtrees: ['DNS:secret.example.com'] });
});

test('constraints of one form leave other forms alone', () => {
  assert.equal(ok([dns('example.com')], [], [email('a@evil.test'), ip('192.0.2.1')]), true);
  assert.equal(ok([email('example.com')], [], [dns('evil.test')]), true);
});

test('email: mailbox, host and domain forms', () => {
  assert.equal(ok([email('example.com')], [], [email('alice@example.com')]), true);
  assert.equal(ok([email('example.com')], [], [email('alice@EXAMPLE.com')]), true);
  assert.equal(ok([email('example.com')], [], [email('alice@mail.example.com')]), false, 'host form: that host only');
  assert.equal(ok([email('.example.com')], [], [email('alice@mail.example.com')]), true);
  assert.equal(ok([email('.example.com')], [], [email('alice@example.com')]), false);
  assert.equal(ok([email('alice@example.com')], [], [email('alice@example.com')]), true);
  assert.equal(ok([email('alice@example.com')], [], [email('bob@example.com')]), false);
  assert.equal(ok([email('alice@example.com')], [], [email('Alice@example.com')]), false, 'local part compared exactly');
  assert.equal(ok([], [email('evil.test')], [email('x@evil.test')]), false);
});

test('email constraints apply to the subject emailAddress attribute too', () => {
  const c = stub(undefined, [[attr(OID.commonName, 'CN', 'Bob')], [attr(OID.emailAddress, 'emailAddress', 'bob@evil.test')]]);
  const v = checkNameConstraints({ permitted: [email('example.com')], excluded: [] }, c);
  assert.equal(v?.kind, 'not-permitted');
  assert.equal(v?.name, 'email:bob@evil.test');
  const good = stub(undefined, [[attr(OID.emailAddress, 'emailAddress', 'bob@example.com')]]);
  assert.equal(checkNameConstraints({ permitted: [email('example.com')], excluded: [] }, good), undefined);
});

test('IP ranges (IPv4 and IPv6, prefix or mask form)', () => {
  assert.equal(ok([ip('192.168.0.0/16')], [], [ip('192.168.44.1')]), true);
  assert.equal(ok([ip('192.168.0.0/255.255.0.0')], [], [ip('192.168.44.1')]), true);
  assert.equal(ok([ip('192.168.0.0/16')], [], [ip('192.169.0.1')]), false);
  assert.equal(ok([ip('10.0.0.0/8')], [ip('10.1.0.0/16')], [ip('10.1.2.3')]), false);
  assert.equal(ok([ip('10.0.0.0/8')], [ip('10.1.0.0/16')], [ip('10.2.2.3')]), true);
  assert.equal(ok([ip('2001:db8::/32')], [], [ip('2001:db8:1::5')]), true);
  assert.equal(ok([ip('2001:db8::/32')], [], [ip('2001:db9::5')]), false);
  assert.equal(ok([ip('192.168.0.0/16')], [], [ip('::1')]), false, 'an IPv6 name is outside IPv4-only permitted subtrees');
  assert.equal(ok([], [ip('0.0.0.0/0')], [ip('2001:db8::1')]), true, 'an IPv4 exclusion does not catch IPv6');
  assert.equal(parseIpRange('10.0.0.0/33'), undefined);
  assert.deepEqual([...parseIpRange('10.0.0.0/12')!.mask], [255, 240, 0, 0]);
});

test('URI constraints apply to the host part', () => {
  assert.equal(ok([uri('.example.com')], [], [uri('https://www.example.com/x')]), true);
  assert.equal(ok([uri('.example.com')], [], [uri('https://example.com/x')]), false);
  assert.equal(ok([uri('example.com')], [], [uri('https://user@example.com:8443/x')]), true);
  assert.equal(ok([uri('example.com')], [], [uri('urn:isbn:123')]), false, 'no host: not provably inside');
});

test('directoryName constraints: RDN prefix, case-insensitive values', () => {
  const base: GeneralName = { type: 'dn', value: { rdns: [[attr(OID.countryName, 'C', 'US')], [attr(OID.organizationName, 'O', 'Example Inc')]], der: new Uint8Array() } };
  const inside = stub(undefined, [[attr(OID.countryName, 'C', 'US')], [attr(OID.organizationName, 'O', 'example  inc')], [attr(OID.commonName, 'CN', 'x')]]);
  const outside = stub(undefined, [[attr(OID.countryName, 'C', 'US')], [attr(OID.organizationName, 'O', 'Other')], [attr(OID.commonName, 'CN', 'x')]]);
  assert.equal(checkNameConstraints({ permitted: [base], excluded: [] }, inside), undefined);
  assert.equal(checkNameConstraints({ permitted: [base], excluded: [] }, outside)?.kind, 'not-permitted');
  assert.equal(checkNameConstraints({ permitted: [], excluded: [base] }, inside)?.kind, 'excluded');
});

test('a host-like CN is constrained as a DNS name when there is no dNSName SAN', () => {
  const cn = (v: string, sans?: GeneralName[]) => stub(sans, [[attr(OID.commonName, 'CN', v)]]);
  const nc = { permitted: [dns('example.com')], excluded: [] };
  assert.equal(checkNameConstraints(nc, cn('evil.test'))?.name, 'DNS:evil.test');
  assert.equal(checkNameConstraints(nc, cn('mail.example.com')), undefined);
  assert.equal(checkNameConstraints(nc, cn('Jane Doe')), undefined, 'not a host name');
  assert.equal(checkNameConstraints(nc, cn('evil.test', [dns('mail.example.com')])), undefined, 'with a dNSName SAN the CN is not a name');
});

test('an ip GeneralName carries its octets (and a constraint its mask) beside the text; printing, JSON and equality see the text only', async () => {
  const { parseSan, parseConstraintName } = await import('../../src/x509/general-name.js');
  const g = parseSan('2001:DB8::7') as { type: 'ip'; value: string; bytes?: Uint8Array };
  assert.deepEqual(g, { type: 'ip', value: '2001:db8::7' });
  assert.equal(g.bytes?.length, 16);
  assert.equal(g.bytes?.[15], 7);
  assert.equal(JSON.stringify(g), '{"type":"ip","value":"2001:db8::7"}');
  const c = parseConstraintName('10.0.0.0/8') as { type: 'ip'; value: string; bytes?: Uint8Array; mask?: Uint8Array };
  assert.deepEqual([...c.bytes!], [10, 0, 0, 0]);
  assert.deepEqual([...c.mask!], [255, 0, 0, 0]);
  // A hand-built name (no octets) still compares: its text is parsed once.
  assert.equal(nameWithinSubtree({ type: 'ip', value: '10.1.2.3' }, c), true);
  assert.equal(nameWithinSubtree(parseSan('10.1.2.3'), c), true);
  assert.equal(nameWithinSubtree(parseSan('11.1.2.3'), c), false);
});
