// Our CRLs read by two more oracles: Python cryptography (strict DER
// parser: signature valid with the CA key, entries, reason codes,
// invalidity dates, CRL number, AKI) and GnuTLS certtool (--crl-info,
// --verify-crl against the CA).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, run, runOk, tempDir, PYTHON } from '../helpers/env.js';
import { parsePkcs8, type PrivateKey, createRootCa, createCrl, toHex } from '../../src/index.js';

const key = (kind: 'rsa' | 'p384' | 'ed25519'): PrivateKey =>
  parsePkcs8(
    new Uint8Array(
      (kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-384' })).privateKey.export({ type: 'pkcs8', format: 'der' }),
    ),
  );

const PY = `
import sys, json
from cryptography import x509
ca = x509.load_pem_x509_certificate(open(sys.argv[1], 'rb').read())
crl = x509.load_der_x509_crl(open(sys.argv[2], 'rb').read())
try:
  valid = crl.is_signature_valid(ca.public_key())
except TypeError:
  valid = 'unsupported'  # cryptography 38 cannot check Ed25519 CRL signatures
out = {
  'valid': valid,
  'issuer_ok': crl.issuer == ca.subject,
  'number': crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number,
  'aki': crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier.hex(),
  'next': crl.next_update.isoformat(),
  'entries': [],
}
for r in crl:
  e = {'serial': format(r.serial_number, 'x'), 'date': r.revocation_date.isoformat()}
  for ext in r.extensions:
    if isinstance(ext.value, x509.CRLReason): e['reason'] = ext.value.reason.value
    if isinstance(ext.value, x509.InvalidityDate): e['invalidity'] = ext.value.invalidity_date.isoformat()
  out['entries'].append(e)
print(json.dumps(out))
`;

for (const kind of ['rsa', 'p384', 'ed25519'] as const) {
  test(`our ${kind} CRL read by Python cryptography and GnuTLS certtool`, (t) => {
    if (!oracle(t, 'python3-cryptography') || !oracle(t, 'certtool')) return;
    const k = key(kind);
    const ca = createRootCa({ subject: { O: 'Oracle', CN: `Oracle CRL CA ${kind}` }, privateKey: k });
    const d = new Date('2026-03-01T10:00:00Z');
    const crl = createCrl({
      issuerCertificate: ca,
      issuerKey: k,
      crlNumber: 42n,
      thisUpdate: new Date('2026-03-02T00:00:00Z'),
      days: 10,
      entries: [
        { serial: 0x0123456789abcdefn, revocationDate: d, reason: 'superseded' },
        { serial: 7n, revocationDate: d, reason: 'keyCompromise', invalidityDate: new Date('2026-02-27T08:00:00Z') },
        { serial: 8n, revocationDate: d },
      ],
    });
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.pem'), ca.pem);
    writeFileSync(join(dir, 'crl.der'), crl.der);
    writeFileSync(join(dir, 'crl.pem'), crl.pem);
    const py = JSON.parse(runOk(PYTHON, ['-c', PY, join(dir, 'ca.pem'), join(dir, 'crl.der')]));
    // Debian's cryptography (38) checks RSA and ECDSA CRL signatures, not Ed25519 ones (openssl does, in crl-openssl.test.ts).
    assert.equal(py.valid, kind === 'ed25519' ? 'unsupported' : true);
    assert.equal(py.issuer_ok, true);
    assert.equal(py.number, 42);
    assert.equal(py.aki, toHex(ca.decoded.subjectKeyIdentifier!));
    assert.equal(py.next, '2026-03-12T00:00:00');
    assert.deepEqual(py.entries, [
      { serial: '123456789abcdef', date: '2026-03-01T10:00:00', reason: 'superseded' },
      { serial: '7', date: '2026-03-01T10:00:00', reason: 'keyCompromise', invalidity: '2026-02-27T08:00:00' },
      { serial: '8', date: '2026-03-01T10:00:00' },
    ]);
    const info = runOk('certtool', ['--crl-info', '--infile', join(dir, 'crl.pem')]);
    assert.match(info, /Revoked certificates \(3\)/);
    assert.match(info, /CRL Number \(not critical\): 2a/);
    // certtool --verify-crl also checks the times against now: a CRL current today, same entries.
    const fresh = createCrl({ issuerCertificate: ca, issuerKey: k, crlNumber: 43n, entries: [{ serial: 7n, revocationDate: d, reason: 'keyCompromise' }] });
    writeFileSync(join(dir, 'fresh.pem'), fresh.pem);
    const v = run('certtool', ['--verify-crl', '--load-ca-certificate', join(dir, 'ca.pem'), '--infile', join(dir, 'fresh.pem')]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout + v.stderr, /Verified/);
  });
}
