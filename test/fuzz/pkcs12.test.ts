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
import { byteMutation, fuzzRunner, mutateBytes } from '../helpers/fuzz.js';

const PW = 'pw';
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

const fuzz = fuzzRunner({ noKeyMaterial: true });
const { codes: tally, safely } = fuzz;
function all(b: Uint8Array): void {
  safely('isPkcs12', () => {
    if (typeof isPkcs12(b) !== 'boolean') throw new Error('isPkcs12 must return a boolean');
  });
  safely('describePkcs12', () => describePkcs12(b));
  safely('parsePkcs12', () => parsePkcs12(b, { passphrase: PW }));
  safely('parsePkcs12 (wrong passphrase)', () => parsePkcs12(b, { passphrase: 'wrong' }));
}

test('mutated PKCS#12 files: typed errors or a result, bounded time', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(byteMutation, { minLength: 1, maxLength: 3 }), (i, ms) => all(mutateBytes(SEEDS[i]![1], ms))),
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
  console.log(`pkcs12 fuzz: slowest call ${fuzz.slowest.toFixed(1)} ms; outcomes ${JSON.stringify(Object.fromEntries(tally))}`);
});
