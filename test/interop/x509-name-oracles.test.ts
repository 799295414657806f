// Distinguished names against the oracles: OpenSSL (`req -subj -utf8`) encodes
// the same names byte for byte, Python cryptography reads our RFC 4514 text
// back to the same DER. Parsing, validation and formatting without external
// tools: test/unit/x509-name.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { parseName, formatNameOpenssl, formatNameRfc4514, toHex } from '../../src/index.js';
import { oracle, runOk, tempDir, PYTHON } from '../helpers/env.js';

/** Subject DER as openssl req -subj -utf8 encodes it (default string_mask utf8only). */
function opensslSubjectDer(subj: string, multivalue = false): string {
  const dir = tempDir();
  const key = join(dir, 'k.pem');
  writeFileSync(key, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const csr = runOk('openssl', ['req', '-new', '-key', key, '-utf8', '-subj', subj, ...(multivalue ? ['-multivalue-rdn'] : [])]);
  // python cuts the subject's DER out of the CSR
  return runOk(PYTHON, ['-c', 'import sys\nfrom cryptography import x509\nr=x509.load_pem_x509_csr(sys.stdin.read().encode())\nprint(r.subject.public_bytes().hex())'], { input: csr }).trim();
}

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
