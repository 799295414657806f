/**
 * issue.ts builds the returned Certificate object from the values it encoded
 * instead of parsing the new DER. This checks that object against the parser
 * (parseCertificate of the same bytes) for every key type and profile, roots
 * and intermediates, with and without a CSR, empty subjects, clamped
 * validity and the optional extensions; and the DER against node:crypto's
 * X509Certificate as an independent reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { generateKeyPair, type KeyPair, createRootCa, createIntermediateCa, issueCertificate, type IssuedCertificate, createCertificateRequest, parseCertificateRequest, parseCertificate, createSeededRandom } from '../../src/index.js';

function same(c: IssuedCertificate): void {
  const { warnings, ...built } = c;
  assert.ok(Array.isArray(warnings));
  assert.deepEqual(built, parseCertificate(c.der));
  assert.deepEqual(parseCertificate(c.pem), parseCertificate(c.der));
  const x = new X509Certificate(c.der);
  assert.equal(x.serialNumber.toLowerCase().replace(/^0+/, ''), c.serialNumber.toString(16));
  assert.equal(new Date(x.validTo).getTime(), c.notAfter.getTime());
}

const TYPES = [
  { type: 'rsa', bits: 2048 },
  { type: 'ec', curve: 'P-256' },
  { type: 'ec', curve: 'P-384' },
  { type: 'ec', curve: 'P-521' },
  { type: 'ed25519' },
] as const;

test('issued certificates deep-equal their parse: every key type, profile and CA kind', async () => {
  const keys: KeyPair[] = [];
  for (const o of TYPES) keys.push(await generateKeyPair(o as Parameters<typeof generateKeyPair>[0]));
  const now = new Date('2026-03-01T12:00:00Z');
  for (let i = 0; i < keys.length; i++) {
    const caKey = keys[i]!;
    const leafKey = keys[(i + 1) % keys.length]!;
    const root = createRootCa({ subject: { C: 'US', O: 'Example', CN: 'Root ' + i }, privateKey: caKey.privateKey, now, days: 400, nameConstraints: { permitted: ['example.com', 'email:example.com'], excluded: ['10.0.0.0/8'] }, pathLen: 2 });
    same(root);
    const inter = createIntermediateCa({ subject: { CN: 'Inter ' + i }, publicKey: leafKey.privateKey, issuer: root, issuerKey: caKey.privateKey, now, ocsp: ['http://ocsp.example.com'], caIssuers: ['http://ca.example.com/r.crt'], crlDistributionPoints: ['http://crl.example.com/r.crl'], policies: [{ oid: '2.23.140.1.2.1', cps: ['https://example.com/cps'], userNotice: ['hi'] }], serialNumber: 0x7fn });
    same(inter); // clamped to the root: a warning
    assert.ok(inter.warnings.length > 0);
    const csr = createCertificateRequest({ subject: { CN: 'mail.example.com', emailAddress: 'a@example.com' }, sans: ['mail.example.com', 'IP:192.0.2.1', 'a@example.com', 'IP:2001:db8::1'], privateKey: leafKey.privateKey });
    for (const profile of ['tls-server', 'tls-client', 'smime'] as const) {
      same(issueCertificate({ profile, csr: csr.pem, issuer: root, issuerKey: caKey.privateKey, now, days: 90, rng: createSeededRandom('s' + i) }));
      same(issueCertificate({ profile, csr: parseCertificateRequest(csr.der), issuer: root, issuerKey: caKey.privateKey, now, days: 300 }));
      same(issueCertificate({ profile, publicKey: leafKey.publicKey, subject: '', sans: profile === 'smime' ? ['b@example.com'] : ['x.example.com'], issuer: root, issuerKey: caKey.privateKey, now, days: 30 }));
    }
  }
});

test('a serial with the high bit set (leading 00 octet) and a 20-octet serial read back the same', async () => {
  const { privateKey } = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  same(createRootCa({ subject: { CN: 'r' }, privateKey, serialNumber: 0x80n }));
  same(createRootCa({ subject: { CN: 'r' }, privateKey, serialNumber: (1n << 159n) - 1n }));
  same(createRootCa({ subject: { CN: 'r' }, privateKey, serialNumber: 1n }));
});
