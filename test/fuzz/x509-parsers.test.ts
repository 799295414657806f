// Fuzzing every X.509 parser mailpki owns in src/x509 (names, SANs,
// certificates, CSRs; PEM and DER): arbitrary text and bytes, and mutations
// (bit flips, truncations, insertions, deletions, overwrites, length-byte
// changes) of valid encodings, inputs up to 64 KiB.
// Property: a parser either returns a value or throws MailPkiError with a
// known code (never another error type), and no call takes a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { parsePkcs8 } from '../../src/keys/pkcs8.js';
import { getPublicKey } from '../../src/keys/public-key.js';
import { createRootCa, issueCertificate, createIntermediateCa } from '../../src/x509/issue.js';
import { createCertificateRequest, parseCertificateRequest, verifyCertificateRequest } from '../../src/x509/csr.js';
import { parseCertificate, parseCertificates } from '../../src/x509/certificate.js';
import { parseName, decodeName, formatNameRfc4514, formatNameOpenssl } from '../../src/x509/name.js';
import { parseSan } from '../../src/x509/general-name.js';
import { inspectCertificate, certificateToJson } from '../../src/x509/inspect.js';
import { encodePem, latin1 } from '../../src/encoding/pem.js';
import { ERROR_CODES, isMailPkiError } from '../../src/errors.js';
import type { PrivateKey } from '../../src/crypto/key-types.js';

const MAX_MS = 1000;
let slowest = 0;
const codes = new Map<string, number>();

function safely<T>(name: string, fn: () => T): T | undefined {
  const t0 = performance.now();
  try {
    const r = fn();
    codes.set('ok', (codes.get('ok') ?? 0) + 1);
    return r;
  } catch (e) {
    if (!isMailPkiError(e) || !(ERROR_CODES as readonly string[]).includes(e.code)) {
      assert.fail(`${name} threw a non-MailPkiError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
    assert.ok(!/\n/.test(e.message), `${name}: one-line message`);
    codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
    return undefined;
  } finally {
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    assert.ok(ms < MAX_MS, `${name} took ${ms.toFixed(0)} ms`);
  }
}

const mk = (kp: { privateKey: { export(o: object): Buffer | string } }): PrivateKey => parsePkcs8(new Uint8Array(kp.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer));
const rootKey = mk(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const rsaKey = mk(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const edKey = mk(generateKeyPairSync('ed25519'));
const root = createRootCa({
  subject: { C: 'US', O: 'Fuzz', CN: 'Fuzz Root' },
  privateKey: rootKey,
  nameConstraints: { permitted: ['example.com', 'email:example.com', '10.0.0.0/8', '2001:db8::/32'], excluded: ['bad.example.com'] },
  crlDistributionPoints: ['http://crl.example.com/r.crl'],
  ocsp: ['http://ocsp.example.com'],
  policies: [{ oid: '1.3.6.1.4.1.99999.1', cps: ['https://example.com/cps'], userNotice: ['n'] }],
});
const inter = createIntermediateCa({ subject: { CN: 'Fuzz Inter' }, publicKey: getPublicKey(rsaKey), issuer: root, issuerKey: rootKey });
const leaf = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(edKey), subject: { CN: 'mail.example.com', O: 'Ünïcode' }, sans: ['mail.example.com', '*.example.com', '10.1.2.3', '2001:db8::1'], issuer: inter, issuerKey: rsaKey });
const smime = issueCertificate({ profile: 'smime', publicKey: getPublicKey(rootKey), subject: { CN: 'Jane' }, sans: ['jane@example.com'], issuer: root, issuerKey: rootKey });
const csr = createCertificateRequest({ subject: '/C=US/O=Fuzz/CN=csr.example.com+UID=7', sans: ['csr.example.com', '192.0.2.1', 'x@example.com', 'uri:https://example.com/'], privateKey: rsaKey, challengePassword: 'pw' });
const CERT_SEEDS = [root.der, inter.der, leaf.der, smime.der];
const CSR_SEEDS = [csr.der, createCertificateRequest({ subject: { CN: 'e' }, privateKey: edKey }).der];

/** A mutation of a seed: flips, truncation, insertion, deletion, overwrite, length-byte change, growth to 64 KiB. */
const mutated = (seeds: Uint8Array[]) =>
  fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(
        fc.oneof(
          fc.record({ k: fc.constant('flip'), at: fc.nat(), bit: fc.nat(7) }),
          fc.record({ k: fc.constant('trunc'), at: fc.nat() }),
          fc.record({ k: fc.constant('ins'), at: fc.nat(), b: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
          fc.record({ k: fc.constant('del'), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
          fc.record({ k: fc.constant('set'), at: fc.nat(), v: fc.constantFrom(0x00, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, 0x30, 0x31, 0xa0, 0xa3, 0x05) }),
          fc.record({ k: fc.constant('grow'), at: fc.nat(), n: fc.integer({ min: 1, max: 64 * 1024 }) }),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([seed, ops]) => {
      let b = Uint8Array.from(seed);
      for (const op of ops) {
        const at = b.length ? op.at % b.length : 0;
        if (op.k === 'flip') b[at]! ^= 1 << op.bit;
        else if (op.k === 'trunc') b = b.slice(0, at);
        else if (op.k === 'ins') b = Uint8Array.from([...b.subarray(0, at), ...op.b, ...b.subarray(at)]);
        else if (op.k === 'del') b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + op.n)]);
        else if (op.k === 'set') b[at] = op.v;
        else if (op.k === 'grow') {
          const n = Math.min(op.n, 64 * 1024 - b.length);
          if (n <= 0) continue;
          const grown = new Uint8Array(b.length + n);
          grown.set(b.subarray(0, at));
          grown.fill(0x30, at, at + n);
          grown.set(b.subarray(at), at + n);
          b = grown;
        }
      }
      return b;
    });

test('parseCertificate / parseCertificates: mutated certs (DER and PEM), random bytes and text; decoded values are usable', () => {
  fc.assert(
    fc.property(mutated(CERT_SEEDS), fc.boolean(), (bytes, asPem) => {
      const input = asPem ? encodePem('CERTIFICATE', bytes) : bytes;
      const c = safely('parseCertificate', () => parseCertificate(input));
      if (c) {
        safely('inspectCertificate', () => inspectCertificate(c));
        safely('certificateToJson', () => JSON.stringify(certificateToJson(c)));
      }
      safely('parseCertificates', () => parseCertificates(asPem ? `junk\n${input as string}\n${root.pem}` : bytes));
    }),
    { numRuns: 600 },
  );
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 4096 }), fc.string({ maxLength: 2000 })), (x) => {
      safely('parseCertificate(random)', () => parseCertificate(x));
    }),
    { numRuns: 300 },
  );
  // nesting bomb and a PEM with broken base64
  safely('deep nesting', () => parseCertificate(Uint8Array.from([...Array(20000)].flatMap(() => [0x30, 0x80]))));
  safely('bad base64', () => parseCertificate('-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n'));
});

test('parseCertificateRequest + verifyCertificateRequest: mutated CSRs, random input', () => {
  fc.assert(
    fc.property(mutated(CSR_SEEDS), fc.boolean(), (bytes, asPem) => {
      const r = safely('parseCertificateRequest', () => parseCertificateRequest(asPem ? encodePem('CERTIFICATE REQUEST', bytes) : bytes));
      if (r) safely('verifyCertificateRequest', () => verifyCertificateRequest(r));
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 4096 }), fc.string({ maxLength: 2000 }).map((s) => `-----BEGIN CERTIFICATE REQUEST-----\n${s}\n-----END CERTIFICATE REQUEST-----\n`)), (x) => {
      safely('parseCertificateRequest(random)', () => parseCertificateRequest(x));
    }),
    { numRuns: 300 },
  );
});

const nameChars = fc.constantFrom(...'CNOUSTLe=,+/\\#"<>; 0aZ-.\u00e9\u0000\u200b😀2C'.split(/(?:)/u), 'CN=', 'O=', '\\2C', '\\', '#0c03616263', 'emailAddress=', '1.2.3=', 'C=US');
test('parseName: random and hostile strings in both syntaxes; successes re-format and re-parse to the same DER', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: nameChars, maxLength: 60 }), fc.string({ unit: nameChars, maxLength: 60 }).map((s) => '/' + s), fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 })), (s) => {
      const dn = safely('parseName', () => parseName(s));
      if (dn) {
        assert.deepEqual(parseName(formatNameRfc4514(dn)).der, dn.der);
        assert.deepEqual(parseName(formatNameOpenssl(dn)).der, dn.der);
        assert.deepEqual(decodeName(dn.der).der, dn.der);
      }
    }),
    { numRuns: 2000 },
  );
  safely('huge name', () => parseName('CN=' + 'a'.repeat(70000)));
});

test('decodeName: mutated Name DER', () => {
  fc.assert(
    fc.property(mutated([leaf.subject.der, root.subject.der, csr.subject.der]), (b) => {
      const dn = safely('decodeName', () => decodeName(b));
      if (dn) safely('formatNameRfc4514', () => formatNameRfc4514(dn));
    }),
    { numRuns: 500 },
  );
});

const sanChars = fc.constantFrom(...'ab.-*@:/[]0129fF%é日 '.split(/(?:)/u), 'xn--', '::', 'DNS:', 'IP:', 'email:', 'URI:', 'http://', '255', '256', '.');
test('parseSan: random strings; successes are canonical (parse again -> same)', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: sanChars, maxLength: 40 }), fc.string({ maxLength: 300 })), (s) => {
      const g = safely('parseSan', () => parseSan(s));
      if (g && (g.type === 'dns' || g.type === 'ip' || g.type === 'email' || g.type === 'uri')) {
        assert.deepEqual(parseSan(`${g.type === 'dns' ? 'DNS' : g.type === 'ip' ? 'IP' : g.type === 'email' ? 'email' : 'URI'}:${g.value}`), g);
      }
    }),
    { numRuns: 3000 },
  );
});

test('summary: error codes seen and slowest call', (t) => {
  t.diagnostic(`codes: ${JSON.stringify(Object.fromEntries(codes))}; slowest call ${slowest.toFixed(1)} ms`);
  assert.ok((codes.get('ok') ?? 0) > 0);
  assert.ok(codes.size > 5, 'the mutations reach many different checks');
  void latin1;
});
