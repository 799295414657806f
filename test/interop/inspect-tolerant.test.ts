// Files that bend the rules (issue 11 point 4): OpenSSL (and, where it does,
// Python cryptography) loads them; the strict parsers refuse them (they are
// never trusted); `mailpki inspect` shows them with a `problems` list, each
// with its rule, exit 0, and exit 1 with --strict.
// The files are built here: DER assembled with our builders and signed with
// a fresh P-256 key (a real signature, so only the bent rule is wrong).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, hasCommand, oracle, run, tempDir } from '../helpers/env.js';
import { cli } from '../helpers/cli.js';
import { derBitString, derBool, derExplicit, derImplicitBytes, derInt, derOctets, derOid, derPrintable, derRaw, derSeq, derSet, derUtf8, encodeDer, type Asn1Node } from '../../src/encoding/der.js';
import { concatBytes } from '../../src/encoding/bytes.js';
import { generateKeyPair, encodeSpki, sign, encodePem, OID, parseCertificate, parseCertificateRequest, parseCertificateTolerant, parseCertificateRequestTolerant, isMailPkiError } from '../../src/index.js';

const { privateKey, publicKey } = await generateKeyPair({ type: 'ec', curve: 'P-256' });
const SPKI = derRaw(encodeSpki(publicKey));
const ECDSA256 = derSeq(derOid(OID.ecdsaWithSHA256));
const ECDSA384 = derSeq(derOid(OID.ecdsaWithSHA384));
const name = (cn: string): Asn1Node => derSeq(derSet(derSeq(derOid(OID.commonName), derUtf8(cn))));
const ext = (oid: string, value: Uint8Array, critical = false): Asn1Node => derSeq(derOid(oid), ...(critical ? [derBool(true)] : []), derOctets(value));
const BC = encodeDer(derSeq()); // basicConstraints CA:FALSE (all DEFAULT)
const UTC = (s: string): Asn1Node => derRaw(Uint8Array.of(0x17, s.length, ...new TextEncoder().encode(s)));

function certificate(o: { exts?: Asn1Node[]; v1?: boolean; inner?: Asn1Node; outer?: Asn1Node }): Uint8Array {
  const tbs = encodeDer(
    derSeq(
      ...(o.v1 ? [] : [derExplicit(0, derInt(2))]),
      derInt(0x1234),
      o.inner ?? ECDSA256,
      name('Bent CA'),
      derSeq(UTC('250101000000Z'), UTC('350101000000Z')),
      name('bent.example'),
      SPKI,
      ...(o.exts ? [derExplicit(3, derSeq(...o.exts))] : []),
    ),
  );
  const sig = sign(privateKey, tbs, { name: 'ECDSA', hash: 'SHA-256' });
  return encodeDer(derSeq(derRaw(tbs), o.outer ?? ECDSA256, derBitString(sig)));
}

interface Case {
  file: string;
  /** The bytes written (PEM text or DER). */
  data: string | Uint8Array;
  kind: 'certificate' | 'csr';
  /** Every problem expected: [rule, message pattern]. */
  problems: Array<[string, RegExp]>;
  /** The strict parser refuses it (false: it reads it, the problem is only reported by inspect). */
  strictRefuses: boolean;
  /** Python cryptography loads it (and, for certificates, its extensions when listed). */
  python: boolean;
}

function cases(): Case[] {
  const dup = certificate({ exts: [ext(OID.basicConstraints, BC, true), ext(OID.basicConstraints, BC, true)] });
  // certificatePolicies whose policyIdentifier is an INTEGER, not an OID.
  const badPolicies = certificate({ exts: [ext(OID.certificatePolicies, encodeDer(derSeq(derSeq(derInt(5)))))] });
  // dNSName (IA5String, [2]) with the byte 0xE9 ("café" in Latin-1).
  const nonAscii = certificate({ exts: [ext(OID.subjectAltName, encodeDer(derSeq(derImplicitBytes(2, Uint8Array.from([...'caf', 0xe9, ...'.example'].map((c) => (typeof c === 'number' ? c : c.charCodeAt(0))))))))] });
  const v1Differ = certificate({ v1: true, inner: ECDSA256, outer: ECDSA384 });
  const good = certificate({ exts: [ext(OID.basicConstraints, BC, true)] });
  // CSR: a challengePassword attribute whose SEQUENCE length is in the long form (0x81 0x..) though under 128.
  const attrBody = concatBytes(encodeDer(derOid(OID.challengePassword)), encodeDer(derSet(derPrintable('secret123'))));
  const longAttr = Uint8Array.of(0x30, 0x81, attrBody.length, ...attrBody);
  const attrs = Uint8Array.of(0xa0, longAttr.length, ...longAttr);
  const cri = encodeDer(derSeq(derInt(0), name('csr.example'), SPKI, derRaw(attrs)));
  const csr = encodeDer(derSeq(derRaw(cri), ECDSA256, derBitString(sign(privateKey, cri, { name: 'ECDSA', hash: 'SHA-256' }))));
  return [
    { file: 'dup.pem', data: encodePem('CERTIFICATE', dup), kind: 'certificate', problems: [['RFC 5280 4.2', /^extension basicConstraints appears twice/]], strictRefuses: true, python: true },
    { file: 'policies.pem', data: encodePem('CERTIFICATE', badPolicies), kind: 'certificate', problems: [['RFC 5280 4.2.1.4', /certificatePolicies/]], strictRefuses: true, python: true },
    { file: 'nonascii.pem', data: encodePem('CERTIFICATE', nonAscii), kind: 'certificate', problems: [['RFC 5280 4.2.1.6', /subjectAltName/]], strictRefuses: true, python: true },
    { file: 'v1-algs.pem', data: encodePem('CERTIFICATE', v1Differ), kind: 'certificate', problems: [['RFC 5280 4.1.1.2', /signatureAlgorithm differs/]], strictRefuses: true, python: true },
    { file: 'garbage-after.pem', data: encodePem('CERTIFICATE', good) + 'trailing garbage \u0001\u00ff\n-----BEGIN junk\n', kind: 'certificate', problems: [], strictRefuses: false, python: true },
    { file: 'der-trailing.pem', data: encodePem('CERTIFICATE', concatBytes(good, Uint8Array.of(0, 0, 0xde, 0xad))), kind: 'certificate', problems: [['RFC 5280 4.1', /4 bytes after the certificate/]], strictRefuses: true, python: false },
    { file: 'long-attr.csr', data: encodePem('CERTIFICATE REQUEST', csr), kind: 'csr', problems: [['X.690 10 (DER)', /BER, not DER: non-minimal DER length/]], strictRefuses: false, python: false },
  ];
}

const PY_LOAD = `
import sys
from cryptography import x509
data = open(sys.argv[2], 'rb').read()
if sys.argv[1] == 'certificate':
    c = x509.load_pem_x509_certificate(data)
    print(c.subject.rfc4514_string())
else:
    r = x509.load_pem_x509_csr(data)
    print(r.subject.rfc4514_string())
`;

test('rule-bending certificates and CSRs: openssl loads them, strict parsing refuses, inspect shows them with their problems', async (t) => {
  const openssl = oracle(t, 'openssl');
  const dir = tempDir();
  for (const c of cases()) {
    const path = join(dir, c.file);
    writeFileSync(path, c.data);
    if (openssl) {
      const r = run('openssl', [c.kind === 'csr' ? 'req' : 'x509', '-in', path, '-noout', '-subject'], { cwd: dir });
      assert.equal(r.status, 0, `${c.file}: openssl loads it (${r.stderr})`);
    }
    if (hasCommand('python3-cryptography')) {
      const py = run(PYTHON, ['-c', PY_LOAD, c.kind, path]);
      assert.equal(py.status === 0, c.python, `${c.file}: Python cryptography ${c.python ? 'loads' : 'refuses'} it (${py.stderr.trim().split('\n').pop()})`);
    }
    // Strict parsing (used to verify and issue): refuses what breaks a rule it enforces.
    const strict = (): unknown => (c.kind === 'csr' ? parseCertificateRequest(c.data as string) : parseCertificate(c.data as string));
    if (c.strictRefuses) assert.throws(strict, (e) => isMailPkiError(e), `${c.file}: strict parse refuses`);
    else assert.doesNotThrow(strict, `${c.file}: strict parse reads it`);
    // The library's tolerant reading.
    const { problems } = c.kind === 'csr' ? parseCertificateRequestTolerant(c.data as string) : parseCertificateTolerant(c.data as string);
    assert.equal(problems.length, c.problems.length, `${c.file}: ${JSON.stringify(problems)}`);
    c.problems.forEach(([rule, re], i) => {
      assert.equal(problems[i]!.rule, rule, c.file);
      assert.match(problems[i]!.message, re, c.file);
    });
    // The CLI: JSON, text, exit codes.
    const j = await cli(['inspect', path, '--json'], { timeoutMs: 30_000 });
    assert.equal(j.status, 0, `${c.file}: ${j.stderr}`);
    const items = JSON.parse(j.stdout) as Array<{ kind: string; problems: Array<{ rule: string; message: string }>; subject: { rfc4514: string } }>;
    assert.equal(items.length, 1, c.file);
    assert.equal(items[0]!.kind, c.kind);
    assert.deepEqual(items[0]!.problems, problems, `${c.file}: JSON problems`);
    assert.match(items[0]!.subject.rfc4514, /^CN=(bent|csr)\.example$/);
    const text = await cli(['inspect', path], { timeoutMs: 30_000 });
    assert.equal(text.status, 0);
    for (const p of problems) assert.ok(text.stdout.includes(`Problem: ${p.rule}: ${p.message}`), `${c.file}: text shows the problem`);
    const strictCli = await cli(['inspect', '--strict', path], { timeoutMs: 30_000 });
    assert.equal(strictCli.status, problems.length ? 1 : 0, `${c.file}: --strict exit status`);
    if (problems.length) assert.match(strictCli.stderr, /problems? found \(--strict\)/);
  }
});

test('the tolerant reading of a clean certificate equals the strict one, with no problems', () => {
  const der = certificate({ exts: [ext(OID.basicConstraints, BC, true), ext(OID.subjectAltName, encodeDer(derSeq(derImplicitBytes(2, new TextEncoder().encode('ok.example')))))] });
  const { certificate: tol, problems } = parseCertificateTolerant(der);
  assert.deepEqual(problems, []);
  assert.deepEqual(tol, parseCertificate(der));
});
