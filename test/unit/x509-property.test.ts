// Property tests (fast-check): random templates -> issue -> parse -> the same
// template; name strings round-trip through both formatters; CSRs round-trip.
// A few pre-made keys of every type keep it fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { parsePkcs8, getPublicKey, publicKeysEqual, type PrivateKey, createRootCa, issueCertificate, createCertificateRequest, parseCertificateRequest, verifyCertificateRequest, parseCertificate, parseName, formatNameOpenssl, formatNameRfc4514, parseSan, OID, type GeneralName } from '../../src/index.js';

const mk = (kp: { privateKey: { export(o: object): Buffer | string } }): PrivateKey => parsePkcs8(new Uint8Array(kp.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer));
const KEYS: PrivateKey[] = [
  mk(generateKeyPairSync('rsa', { modulusLength: 2048 })),
  mk(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  mk(generateKeyPairSync('ec', { namedCurve: 'P-384' })),
  mk(generateKeyPairSync('ec', { namedCurve: 'P-521' })),
  mk(generateKeyPairSync('ed25519')),
];
const caKey = KEYS[1]!;
const ca = createRootCa({ subject: { O: 'Property CA', CN: 'Root' }, privateKey: caKey, days: 3650 });

// ----------------------------------------------------------------- arbitraries
const unicodeText = (max: number) =>
  fc.string({ unit: fc.oneof(fc.constantFrom(...'abcXYZ 019-.,+=/\\#"<>;éßΩ日本😀'.split(/(?:)/u)), fc.constantFrom('a', 'b', 'c')), minLength: 1, maxLength: max })
    .filter((s) => s.trim().length > 0 && [...s].length <= max);
const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split(''));
const label = fc.tuple(letter, fc.string({ unit: fc.constantFrom(...'abcxyz0129-'.split('')), maxLength: 12 }), letter).map(([a, m, b]) => a + m + b);
const dnsName = fc.tuple(fc.boolean(), fc.array(label, { minLength: 2, maxLength: 4 })).map(([wild, ls]) => (wild ? ['*', ...ls] : ls).join('.'));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
const ipv6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));
const email = fc.tuple(fc.string({ unit: fc.constantFrom(...'abcz09._+-'.split('')), minLength: 1, maxLength: 10 }), fc.array(label, { minLength: 2, maxLength: 3 }))
  .filter(([l]) => /^[^.].*[^.]$|^[^.]$/.test(l) && !l.includes('..'))
  .map(([l, d]) => `${l}@${d.join('.')}`);
const uri = fc.tuple(fc.constantFrom('https', 'http', 'urn', 'spiffe'), dnsName.filter((d) => !d.startsWith('*'))).map(([s, h]) => (s === 'urn' ? `uri:urn:x:${h}` : `uri:${s}://${h}/p`));
const country = fc.tuple(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''))).map(([a, b]) => a + b);
const nameObj = fc.record(
  { C: country, ST: unicodeText(20), O: unicodeText(30), OU: fc.array(unicodeText(20), { minLength: 1, maxLength: 3 }), CN: unicodeText(40) },
  { requiredKeys: ['CN'] },
);

const norm = (g: GeneralName): string => (g.type === 'dn' || g.type === 'other' ? g.type : `${g.type}:${g.value}`);

test('names: object -> DER -> OpenSSL string and RFC 4514 string -> same DER', () => {
  fc.assert(
    fc.property(nameObj, (obj) => {
      const dn = parseName(obj);
      assert.deepEqual(parseName(formatNameOpenssl(dn)).der, dn.der);
      assert.deepEqual(parseName(formatNameRfc4514(dn)).der, dn.der);
      // the values survive exactly
      const cn = dn.rdns.flat().find((a) => a.type === 'CN')!.value;
      assert.equal(cn, obj.CN);
    }),
    { numRuns: 300 },
  );
});

test('random templates -> issue -> parse -> the same template (every key type, every SAN type)', () => {
  fc.assert(
    fc.property(
      fc.constantFrom<'tls-server' | 'tls-client' | 'smime'>('tls-server', 'tls-client', 'smime'),
      fc.nat(KEYS.length - 1),
      nameObj,
      fc.array(fc.oneof(dnsName, ipv4, ipv6, email, uri), { minLength: 1, maxLength: 12 }),
      fc.array(email, { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 825 }),
      (profile, ki, subject, mixedSans, emails, days) => {
        const sans = profile === 'smime' ? emails : profile === 'tls-server' ? mixedSans.filter((s) => !s.includes('@') && !s.includes('/') && !s.startsWith('uri:')) : mixedSans;
        if (profile === 'tls-server' && sans.length === 0) sans.push('fallback.example.com');
        // A server certificate's CN must be one of its SANs (CA/B BR 7.1.4.3): issuance adds a host-name CN
        // missing from them and refuses any other CN (x509-issue.test.ts); here the CN is one of the names.
        if (profile === 'tls-server') subject = { ...subject, CN: sans[0]! };
        const key = KEYS[ki]!;
        const csr = createCertificateRequest({ subject, sans, privateKey: key });
        const parsedCsr = parseCertificateRequest(csr.pem);
        verifyCertificateRequest(parsedCsr);
        const cert = issueCertificate({ profile, csr: parsedCsr, issuer: ca, issuerKey: caKey, days });
        const back = parseCertificate(cert.der);
        // subject: same attributes, same order
        assert.deepEqual(back.subject.der, parseName(subject).der);
        assert.deepEqual(back.subject.rdns.map((r) => r.map((a) => [a.type, a.value])), parseName(subject).rdns.map((r) => r.map((a) => [a.type, a.value])));
        // SANs: the canonical forms, duplicates removed, order kept
        const want = [...new Map(sans.map((s) => parseSan(s)).map((g) => [norm(g), g])).values()].map(norm);
        assert.deepEqual(back.decoded.subjectAltName!.map(norm), want);
        assert.ok(publicKeysEqual(back.publicKey, getPublicKey(key)));
        assert.equal(Math.round((back.notAfter.getTime() - back.notBefore.getTime()) / 86400000), days);
        assert.deepEqual(back.decoded.extKeyUsage, [profile === 'tls-server' ? OID.serverAuth : profile === 'tls-client' ? OID.clientAuth : OID.emailProtection]);
        assert.deepEqual(back.decoded.keyUsage, key.type === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : key.type === 'ec' && profile === 'smime' ? ['digitalSignature', 'keyAgreement'] : ['digitalSignature']);
        assert.deepEqual(back.decoded.basicConstraints, { ca: false });
        assert.deepEqual(back.issuer.der, ca.subject.der);
        assert.deepEqual(back.der, cert.der);
      },
    ),
    { numRuns: 60 },
  );
});

test('node X509Certificate reads random issued certs with the same SANs and subject', () => {
  fc.assert(
    fc.property(nameObj, fc.array(fc.oneof(dnsName, ipv4), { minLength: 1, maxLength: 6 }), (subject0, sans) => {
      const subject = { ...subject0, CN: sans[sans.length - 1]! }; // a server certificate's CN is one of its SANs
      const cert = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(KEYS[2]!), subject, sans, issuer: ca, issuerKey: caKey, days: 90 });
      const x = new X509Certificate(cert.der);
      assert.ok(x.verify(new X509Certificate(ca.der).publicKey));
      const want = [...new Set(sans.map((s) => { const g = parseSan(s) as { type: string; value: string }; return g.type === 'ip' ? `IP Address:${g.value}` : `DNS:${g.value}`; }))];
      assert.deepEqual(x.subjectAltName!.split(', '), want);
    }),
    { numRuns: 40 },
  );
});
