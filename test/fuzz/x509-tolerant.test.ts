// Fuzzing the tolerant readers (parseCertificateTolerant,
// parseCertificateRequestTolerant: what `mailpki inspect` uses), the SPKI
// reader's opaque-key paths (DSA parameters, RSASSA-PSS parameters, explicit
// EC parameters, unknown OIDs) and describeDsaPrivateKey, with the bounds
// of the strict readers: mutations of valid and rule-bending encodings and
// random bytes, up to 64 KiB.
// Properties: only MailPkiError with a known code (one line), never
// another error; every call under a second; when the strict parser reads
// an input, the tolerant one reads the same object with no problems; the
// problem list is bounded; inspect's text and JSON of every result work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { MAX_PROBLEMS } from '../../src/x509/problems.js';
import { derBitString, derBool, derExplicit, derImplicitBytes, derInt, derNull, derOctets, derOid, derRaw, derSeq, derSet, derUtf8, encodeDer, type Asn1Node } from '../../src/encoding/der.js';
import { NESTING_BOMB, randomBytesOrText, fuzzRunner, mutatedDer } from '../helpers/fuzz.js';
import { parsePkcs8, getPublicKey, encodeSpki, parseSpki, describeDsaPrivateKey, sign, createRootCa, issueCertificate, createCertificateRequest, parseCertificateRequest, parseCertificateRequestTolerant, parseCertificate, parseCertificateTolerant, certificateRequestToJson, certificateToJson, formatProblems, inspectCertificate, inspectCertificateRequest, encodePem, OID, isMailPkiError, type PrivateKey } from '../../src/index.js';

const fuzz = fuzzRunner({ oneLine: true });
const { codes, safely } = fuzz;

const mk = (kp: { privateKey: { export(o: object): Buffer | string } }): PrivateKey => parsePkcs8(new Uint8Array(kp.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer));
const ecKey = mk(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const root = createRootCa({ subject: { CN: 'Fuzz Root' }, privateKey: ecKey, policies: [{ oid: '1.3.6.1.4.1.99999.1', cps: ['https://example.com/cps'] }] });
const leaf = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(ecKey), subject: { CN: 'mail.example.com' }, sans: ['mail.example.com'], issuer: root, issuerKey: ecKey });

const dsa = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
const DSA_SPKI = new Uint8Array(dsa.publicKey.export({ type: 'spki', format: 'der' }) as Buffer);
const DSA_PKCS8 = new Uint8Array(dsa.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer);
const PSS_SPKI = new Uint8Array(generateKeyPairSync('rsa-pss', { modulusLength: 1024, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 } as { modulusLength: number }).publicKey.export({ type: 'spki', format: 'der' }) as Buffer);
const ecPoint = (getPublicKey(ecKey) as { point: Uint8Array }).point;
const EXPLICIT_SPKI = encodeDer(
  derSeq(
    derSeq(derOid(OID.ecPublicKey), derSeq(derInt(1), derSeq(derOid(OID.primeField), derInt(2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n)), derSeq(derOctets(new Uint8Array(32)), derOctets(new Uint8Array(32))), derOctets(ecPoint), derInt(7))),
    derBitString(ecPoint),
  ),
);
const UNKNOWN_SPKI = encodeDer(derSeq(derSeq(derOid('1.2.643.7.1.1.1.1'), derSeq(derOid('1.2.643.7.1.2.1.1.1'))), derBitString(new Uint8Array(66).fill(4))));

const name = (cn: string): Asn1Node => derSeq(derSet(derSeq(derOid(OID.commonName), derUtf8(cn))));
const UTC = (s: string): Asn1Node => derRaw(Uint8Array.of(0x17, s.length, ...new TextEncoder().encode(s)));
const ext = (oid: string, value: Uint8Array): Asn1Node => derSeq(derOid(oid), derBool(true), derOctets(value));
function bent(spki: Uint8Array, exts: Asn1Node[], outer = derSeq(derOid(OID.ecdsaWithSHA256))): Uint8Array {
  const tbs = encodeDer(derSeq(derExplicit(0, derInt(2)), derInt(9), derSeq(derOid(OID.ecdsaWithSHA256)), name('ca'), derSeq(UTC('250101000000Z'), UTC('350101000000Z')), name('x'), derRaw(spki), derExplicit(3, derSeq(...exts))));
  return encodeDer(derSeq(derRaw(tbs), outer, derBitString(sign(ecKey, tbs, { name: 'ECDSA', hash: 'SHA-256' }))));
}
const BC = encodeDer(derSeq());
const CERT_SEEDS = [
  root.der,
  leaf.der,
  bent(DSA_SPKI, [ext(OID.basicConstraints, BC), ext(OID.basicConstraints, BC)]),
  bent(PSS_SPKI, [ext(OID.certificatePolicies, encodeDer(derSeq(derSeq(derInt(5)))))]),
  bent(EXPLICIT_SPKI, [ext(OID.subjectAltName, encodeDer(derSeq(derImplicitBytes(2, Uint8Array.of(0x61, 0xe9, 0x2e, 0x78)))))], derSeq(derOid(OID.ecdsaWithSHA384))),
  bent(UNKNOWN_SPKI, [ext(OID.keyUsage, encodeDer(derNull()))]),
];
const csr = createCertificateRequest({ subject: { CN: 'csr.example.com' }, sans: ['csr.example.com'], privateKey: ecKey, challengePassword: 'pw' });
const CSR_SEEDS = [csr.der];

/** Mutations as in x509-parsers.test.ts, and a tail of random bytes appended. */
const mutated = (seeds: Uint8Array[]) => mutatedDer(seeds, { setBytes: [0x00, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, 0x30, 0x31, 0xa0, 0xa3, 0x05], tail: true });

const strictOk = <T>(fn: () => T): T | undefined => {
  try {
    return fn();
  } catch (e) {
    if (isMailPkiError(e)) return undefined;
    throw e;
  }
};

test('parseCertificateTolerant: typed errors only, < 1 s, bounded problems, equal to the strict reading when that succeeds', () => {
  for (const seed of CERT_SEEDS) assert.ok(parseCertificateTolerant(seed).certificate, 'every seed reads tolerantly');
  fc.assert(
    fc.property(mutated(CERT_SEEDS), fc.boolean(), (bytes, asPem) => {
      const input = asPem ? encodePem('CERTIFICATE', bytes) : bytes;
      const r = safely('parseCertificateTolerant', () => parseCertificateTolerant(input));
      const strict = strictOk(() => parseCertificate(input));
      if (strict) {
        assert.ok(r, 'what the strict parser reads, the tolerant one reads');
        if (r.problems.length === 0) assert.deepEqual(r.certificate, strict);
        else assert.ok(r.problems.every((p) => /X\.690 10 \(DER\)|RFC 5280 4\.1$/.test(p.rule)), `strict-readable input: only encoding notes (${JSON.stringify(r.problems)})`);
      }
      if (r) {
        assert.ok(r.problems.length <= MAX_PROBLEMS + 1);
        safely('inspectCertificate', () => inspectCertificate(r.certificate) + formatProblems(r.problems));
        safely('certificateToJson', () => JSON.stringify(certificateToJson(r.certificate)));
        assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(formatProblems(r.problems)), 'problem text is terminal-safe');
      }
    }),
    { numRuns: 700 },
  );
  fc.assert(
    fc.property(randomBytesOrText, (x) => {
      safely('parseCertificateTolerant(random)', () => parseCertificateTolerant(x));
    }),
    { numRuns: 300 },
  );
  safely('deep nesting', () => parseCertificateTolerant(NESTING_BOMB));
  safely('deep nesting + trailing', () => parseCertificateTolerant(Uint8Array.from([...NESTING_BOMB, 1, 2])));
});

test('parseCertificateRequestTolerant: typed errors only, < 1 s, equal to the strict reading when that succeeds', () => {
  fc.assert(
    fc.property(mutated(CSR_SEEDS), (bytes) => {
      const r = safely('parseCertificateRequestTolerant', () => parseCertificateRequestTolerant(bytes));
      const strict = strictOk(() => parseCertificateRequest(bytes));
      if (strict && r && r.problems.length === 0) assert.deepEqual(r.request, strict);
      if (strict) assert.ok(r, 'what the strict parser reads, the tolerant one reads');
      if (r) {
        safely('inspectCertificateRequest', () => inspectCertificateRequest(r.request) + formatProblems(r.problems));
        safely('certificateRequestToJson', () => JSON.stringify(certificateRequestToJson(r.request)));
      }
    }),
    { numRuns: 500 },
  );
});

test('parseSpki (opaque paths: DSA, RSASSA-PSS and explicit EC parameters, unknown OIDs) and describeDsaPrivateKey: mutated input', () => {
  fc.assert(
    fc.property(mutated([DSA_SPKI, PSS_SPKI, EXPLICIT_SPKI, UNKNOWN_SPKI, encodeSpki(getPublicKey(ecKey))]), (b) => {
      const k = safely('parseSpki', () => parseSpki(b));
      if (k?.type === 'opaque') assert.ok(k.reason.length > 0 && !/\n/.test(k.reason));
    }),
    { numRuns: 800 },
  );
  fc.assert(
    fc.property(mutated([DSA_PKCS8]), (b) => {
      safely('describeDsaPrivateKey', () => describeDsaPrivateKey(b));
    }),
    { numRuns: 300 },
  );
  // hostile sizes are refused before any modular exponentiation
  const huge = encodeDer(derSeq(derInt(0), derInt((1n << 20000n) + 1n), derInt((1n << 255n) + 1n), derInt(2n), derInt(5n), derInt(3n)));
  safely('DSA p of 20000 bits', () => describeDsaPrivateKey(huge));
});

test('summary: error codes seen and slowest call', (t) => {
  t.diagnostic(`codes: ${JSON.stringify(Object.fromEntries(codes))}; slowest call ${fuzz.slowest.toFixed(1)} ms`);
  assert.ok((codes.get('ok') ?? 0) > 0);
  assert.ok(codes.size > 4, 'the mutations reach many different checks');
});
