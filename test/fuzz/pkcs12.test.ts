// Fuzzing the PKCS#12 reader (fast-check): arbitrary bytes, and mutations
// (bit flips, truncations, insertions, deletions, overwrites) of valid files
// (EC and RSA keys, default and legacy encryption, with and without a MAC,
// with plain bags). Property: parsePkcs12 (and isPkcs12, describePkcs12) either return or
// throw a MailPkiError with a known code, never another error, never a
// message carrying key material, and no call takes a second.
// Seeds use one iteration (a one-byte INTEGER: a single mutation cannot make
// the work expensive; the caps for hostile counts are unit-tested).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { encodePkcs12, parsePkcs12, isPkcs12, describePkcs12, parsePkcs8, getPublicKey, createRootCa, issueCertificate, encodePkcs8, PKCS12_OID, type PrivateKey } from '../../src/index.js';
import { decodeDer, derExplicit, derInt, derOctets, derOid, derSeq, encodeDer, readSequence, type Asn1Node } from '../../src/encoding/der.js';
import { ERROR_CODES, isMailPkiError } from '../../src/errors.js';

const PW = 'pw';
const MAX_MS = 1000;
const fromNode = (k: import('node:crypto').KeyObject): PrivateKey => parsePkcs8(new Uint8Array(k.export({ format: 'der', type: 'pkcs8' }) as Buffer));
const RSA = fromNode(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
const EC = fromNode(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const root = createRootCa({ subject: 'CN=Fuzz Root', privateKey: EC, days: 30 });
const rsaLeaf = issueCertificate({ profile: 'smime', publicKey: getPublicKey(RSA), subject: 'CN=Fuzz', sans: ['fuzz@example.com'], issuer: root, issuerKey: EC, days: 30 });

const stripMac = (p12: Uint8Array): Uint8Array => {
  const [v, a] = readSequence(decodeDer(p12, 'p12'), 'p12');
  return encodeDer(derSeq(p12.slice(v!.start, v!.end) as Asn1Node, p12.slice(a!.start, a!.end) as Asn1Node));
};
const certBag = (der: Uint8Array): Asn1Node => derSeq(derOid(PKCS12_OID.certBag), derExplicit(0, derSeq(derOid(PKCS12_OID.x509Certificate), derExplicit(0, derOctets(der)))));
const dataInfo = (bags: Asn1Node[]): Asn1Node => derSeq(derOid(PKCS12_OID.pkcs7Data), derExplicit(0, derOctets(encodeDer(derSeq(...bags)))));
const keyBag = derSeq(derOid(PKCS12_OID.keyBag), derExplicit(0, encodePkcs8(EC) as Asn1Node));
const authSafe = encodeDer(derSeq(dataInfo([certBag(root.der), keyBag])));
const plain = encodeDer(derSeq(derInt(3), derSeq(derOid(PKCS12_OID.pkcs7Data), derExplicit(0, derOctets(authSafe)))));

const SEEDS: Array<[string, Uint8Array]> = [['plain bags, no MAC', plain]];
for (const [name, key, cert] of [['ec', EC, root], ['rsa', RSA, rsaLeaf]] as const) {
  for (const compatibility of ['default', 'legacy'] as const) {
    const p12 = encodePkcs12({ key, certificate: cert, chain: cert === rsaLeaf ? [root] : [], passphrase: PW, compatibility, iterations: 1 });
    SEEDS.push([`${name} ${compatibility}`, p12], [`${name} ${compatibility} no MAC`, stripMac(p12)]);
  }
}

test('fuzz seeds are valid PKCS#12 files', () => {
  for (const [name, der] of SEEDS) {
    assert.ok(isPkcs12(der), name);
    const r = parsePkcs12(der, { passphrase: PW });
    assert.ok(r.key && r.certificate, name);
  }
});

let slowest = 0;
const tally = new Map<string, number>();
function safely(name: string, fn: () => unknown): void {
  const t0 = performance.now();
  try {
    fn();
    tally.set('ok', (tally.get('ok') ?? 0) + 1);
  } catch (e) {
    if (!isMailPkiError(e) || !(ERROR_CODES as readonly string[]).includes(e.code)) {
      assert.fail(`${name} threw a non-MailPkiError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
    tally.set(e.code, (tally.get(e.code) ?? 0) + 1);
    assert.ok(!/[0-9a-f]{64}/i.test(e.message), `${name}: message looks like it carries key material: ${e.message}`);
  } finally {
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    assert.ok(ms < MAX_MS, `${name} took ${ms.toFixed(0)} ms`);
  }
}
function all(b: Uint8Array): void {
  safely('isPkcs12', () => {
    if (typeof isPkcs12(b) !== 'boolean') throw new Error('isPkcs12 must return a boolean');
  });
  safely('describePkcs12', () => describePkcs12(b));
  safely('parsePkcs12', () => parsePkcs12(b, { passphrase: PW }));
  safely('parsePkcs12 (wrong passphrase)', () => parsePkcs12(b, { passphrase: 'wrong' }));
}

type Mutation =
  | { kind: 'flip'; pos: number; bit: number }
  | { kind: 'truncate'; pos: number }
  | { kind: 'insert'; pos: number; bytes: Uint8Array }
  | { kind: 'delete'; pos: number; len: number }
  | { kind: 'overwrite'; pos: number; byte: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), pos: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
);
function mutate(b: Uint8Array, ms: Mutation[]): Uint8Array {
  let out = b.slice();
  for (const m of ms) {
    const p = out.length ? m.pos % (out.length + 1) : 0;
    if (m.kind === 'flip' && out.length) out[p % out.length] = out[p % out.length]! ^ (1 << m.bit);
    else if (m.kind === 'truncate') out = out.slice(0, p);
    else if (m.kind === 'insert') out = new Uint8Array([...out.subarray(0, p), ...m.bytes, ...out.subarray(p)]);
    else if (m.kind === 'delete') out = new Uint8Array([...out.subarray(0, p), ...out.subarray(p + m.len)]);
    else if (m.kind === 'overwrite' && out.length) out[p % out.length] = m.byte;
  }
  return out;
}

test('mutated PKCS#12 files: typed errors or a result, bounded time', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, ms) => all(mutate(SEEDS[i]![1], ms))),
    { numRuns: 600 },
  );
  assert.ok(tally.size > 2, `expected several outcomes, got ${[...tally.keys()].join(', ')}`);
});

test('arbitrary bytes, and bytes behind a PFX header', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => all(b)), { numRuns: 300 });
  // a valid outer header around random content, so the inner readers get exercised
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      all(encodeDer(derSeq(derInt(3), derSeq(derOid(PKCS12_OID.pkcs7Data), derExplicit(0, derOctets(b))))));
      all(encodeDer(derSeq(derInt(3), derSeq(derOid(PKCS12_OID.pkcs7Data), derExplicit(0, derOctets(encodeDer(derSeq(derSeq(derOid(PKCS12_OID.pkcs7Data), derExplicit(0, derOctets(b)))))))))));
    }),
    { numRuns: 300 },
  );
  console.log(`pkcs12 fuzz: slowest call ${slowest.toFixed(1)} ms; outcomes ${JSON.stringify(Object.fromEntries(tally))}`);
});
