// Fuzzing parseCrl (PEM and DER) and what uses a parsed CRL (entries,
// findCrlEntry, inspectCrl, crlToJson, checkCrlSignature, verifyCertificate
// with the CRL): mutations (bit flips, truncations, insertions, deletions,
// overwrites, length-byte changes, growth) of CRLs made here (reasons,
// invalidity dates, no entries) and, when installed, of the PKITS CRLs
// with IDP, delta and indirect extensions; random bytes and text.
// Property: a value or a MailPkiError with a known one-line message, never
// another error type, every call under a second; verifyCertificate returns
// a result value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { PKITS_DIR } from '../helpers/env.js';
import { NESTING_BOMB, fuzzRunner, mutatedDer } from '../helpers/fuzz.js';
import { parsePkcs8, createRootCa, issueCertificate, createCrl, parseCrl, findCrlEntry, checkCrlSignature, inspectCrl, crlToJson, verifyCertificate, VERIFY_FAILURE_CODES, encodePem } from '../../src/index.js';

const fuzz = fuzzRunner({ oneLine: true });
const { codes, safely } = fuzz;

const key = parsePkcs8(new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' })));
const ca = createRootCa({ subject: { CN: 'Fuzz CRL CA' }, privateKey: key });
const leaf = issueCertificate({ profile: 'tls-server', sans: ['x.example'], publicKey: key as never, issuer: ca, issuerKey: key });
const d = new Date();
const SEEDS = [
  createCrl({ issuerCertificate: ca, issuerKey: key, crlNumber: 1n }).der,
  createCrl({
    issuerCertificate: ca,
    issuerKey: key,
    crlNumber: 2n,
    entries: [
      { serial: leaf, revocationDate: d, reason: 'keyCompromise', invalidityDate: d },
      { serial: 1n, revocationDate: d },
      { serial: 255n, revocationDate: d, reason: 'certificateHold' },
    ],
  }).der,
];
if (existsSync(PKITS_DIR)) {
  for (const f of ['indirectCRLCA3cRLIssuerCRL.crl', 'deltaCRLCA1deltaCRL.crl', 'onlySomeReasonsCA1compromiseCRL.crl', 'distributionPoint2CACRL.crl', 'UnknownCRLEntryExtensionCACRL.crl']) {
    const p = join(PKITS_DIR, 'crls', f);
    if (existsSync(p)) SEEDS.push(new Uint8Array(readFileSync(p)));
  }
}

const mutated = mutatedDer(SEEDS, { setBytes: [0x00, 0x01, 0x07, 0x0a, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, 0x30, 0x31, 0xa0, 0x17, 0x18, 0x02] });

test('parseCrl: mutated CRLs (DER and PEM); what parses is usable end to end', () => {
  fc.assert(
    fc.property(mutated, fc.boolean(), (bytes, asPem) => {
      const crl = safely('parseCrl', () => parseCrl(asPem ? encodePem('X509 CRL', bytes) : bytes));
      if (!crl) return;
      safely('entries', () => crl.entries.length);
      safely('findCrlEntry', () => findCrlEntry(crl, leaf));
      safely('inspectCrl', () => inspectCrl(crl));
      safely('crlToJson', () => JSON.stringify(crlToJson(crl)));
      safely('checkCrlSignature', () => checkCrlSignature(crl, ca));
      const r = safely('verifyCertificate', () => verifyCertificate(leaf, { trustAnchors: [ca], crls: [crl], revocation: 'require' }));
      if (r && !r.ok) assert.ok(VERIFY_FAILURE_CODES.includes(r.reason));
    }),
    { numRuns: 800 },
  );
});

test('parseCrl: random bytes and text', () => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 4096 }), fc.string({ maxLength: 2000 }), fc.string({ maxLength: 500 }).map((s) => `-----BEGIN X509 CRL-----\n${s}\n-----END X509 CRL-----\n`)), (x) => {
      safely('parseCrl(random)', () => parseCrl(x));
    }),
    { numRuns: 400 },
  );
  safely('deep nesting', () => parseCrl(NESTING_BOMB));
});

test('summary: error codes seen and slowest call', (t) => {
  t.diagnostic(`codes: ${JSON.stringify(Object.fromEntries(codes))}; slowest call ${fuzz.slowest.toFixed(1)} ms`);
  assert.ok((codes.get('ok') ?? 0) > 0);
  assert.ok(codes.size > 4, 'the mutations reach many different checks');
});
