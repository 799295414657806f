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
import { parseName, decodeName, formatNameRfc4514, formatNameOpenssl } from '../../src/x509/name.js';
import { encodePem, latin1 } from '../../src/encoding/pem.js';
import { NESTING_BOMB, randomBytesOrText, fuzzRunner, mutatedDer } from '../helpers/fuzz.js';
import { parsePkcs8, getPublicKey, createRootCa, issueCertificate, createIntermediateCa, createCertificateRequest, parseCertificateRequest, verifyCertificateRequest, parseCertificate, parseCertificates, parseSan, inspectCertificate, certificateToJson, type PrivateKey } from '../../src/index.js';

const fuzz = fuzzRunner({ oneLine: true });
const { codes, safely } = fuzz;

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
const mutated = (seeds: Uint8Array[]) => mutatedDer(seeds, { setBytes: [0x00, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, 0x30, 0x31, 0xa0, 0xa3, 0x05] });

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
    fc.property(randomBytesOrText, (x) => {
      safely('parseCertificate(random)', () => parseCertificate(x));
    }),
    { numRuns: 300 },
  );
  // nesting bomb and a PEM with broken base64
  safely('deep nesting', () => parseCertificate(NESTING_BOMB));
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
  t.diagnostic(`codes: ${JSON.stringify(Object.fromEntries(codes))}; slowest call ${fuzz.slowest.toFixed(1)} ms`);
  assert.ok((codes.get('ok') ?? 0) > 0);
  assert.ok(codes.size > 5, 'the mutations reach many different checks');
  void latin1;
});
