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
import { parsePkcs8 } from '../../src/keys/pkcs8.js';
import { createRootCa, issueCertificate } from '../../src/x509/issue.js';
import { createCrl, parseCrl, findCrlEntry, checkCrlSignature } from '../../src/x509/crl.js';
import { inspectCrl, crlToJson } from '../../src/x509/inspect.js';
import { verifyCertificate, VERIFY_FAILURE_CODES } from '../../src/x509/verify.js';
import { encodePem } from '../../src/encoding/pem.js';
import { ERROR_CODES, isMailPkiError } from '../../src/errors.js';
import { PKITS_DIR } from '../helpers/env.js';

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

const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(
      fc.oneof(
        fc.record({ k: fc.constant('flip'), at: fc.nat(), bit: fc.nat(7) }),
        fc.record({ k: fc.constant('trunc'), at: fc.nat() }),
        fc.record({ k: fc.constant('ins'), at: fc.nat(), b: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
        fc.record({ k: fc.constant('del'), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
        fc.record({ k: fc.constant('set'), at: fc.nat(), v: fc.constantFrom(0x00, 0x01, 0x07, 0x0a, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff, 0x30, 0x31, 0xa0, 0x17, 0x18, 0x02) }),
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
  safely('deep nesting', () => parseCrl(Uint8Array.from([...Array(20000)].flatMap(() => [0x30, 0x80]))));
});

test('summary: error codes seen and slowest call', (t) => {
  t.diagnostic(`codes: ${JSON.stringify(Object.fromEntries(codes))}; slowest call ${slowest.toFixed(1)} ms`);
  assert.ok((codes.get('ok') ?? 0) > 0);
  assert.ok(codes.size > 4, 'the mutations reach many different checks');
});
