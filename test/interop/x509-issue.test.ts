// Issuance end to end: root -> intermediate -> leaf, CSRs, and what the
// oracles (openssl, python cryptography, node:crypto X509Certificate) say
// about what we emit. Policy and refusals without external tools:
// test/unit/x509-issue.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  encodePkcs8,
  encodeSpki,
  getPublicKey,
  createRootCa,
  issueCertificate,
  createCertificateRequest,
  parseCertificateRequest,
  verifyCertificateRequest,
  parseCertificate,
  parseCertificates,
  OID,
  encodePem,
  toHex,
} from '../../src/index.js';
import { oracle, run, runOk, tempDir, PYTHON } from '../helpers/env.js';
import { code, key, other, pki, type KT } from '../helpers/issue-pki.js';

test('root CA: profile extensions, SKI per RFC 7093 m1, signature hash per curve, canonical DER (openssl re-encode identical)', (t) => {
  const { root } = pki('p384');
  assert.equal(root.version, 3);
  assert.deepEqual(root.decoded.basicConstraints, { ca: true });
  assert.deepEqual(root.decoded.keyUsage, ['keyCertSign', 'cRLSign']);
  assert.equal(root.extensions.find((e) => e.oid === OID.basicConstraints)!.critical, true);
  assert.equal(root.extensions.find((e) => e.oid === OID.keyUsage)!.critical, true);
  assert.equal(root.signatureAlgorithm.name, 'ecdsa-with-SHA384');
  assert.equal(Math.round((root.notAfter.getTime() - root.notBefore.getTime()) / 86400000), 1825);
  assert.ok(Date.now() - root.notBefore.getTime() >= 5 * 60 * 1000 - 2000, 'backdated 5 minutes');
  assert.ok(root.serialNumber > 0n && root.serialNumber >= 1n << 64n);
  assert.equal(root.notBefore.getUTCMilliseconds(), 0);
  // node:crypto as the oracle: self-signature verifies, CA flag
  const x = new X509Certificate(root.pem);
  assert.ok(x.verify(x.publicKey));
  assert.equal(x.ca, true);
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  writeFileSync(join(dir, 'r.pem'), root.pem);
  const der = runOk('openssl', ['x509', '-in', join(dir, 'r.pem'), '-outform', 'DER', '-out', join(dir, 'r.der')]);
  void der;
  const reenc = runOk('openssl', ['x509', '-inform', 'DER', '-in', join(dir, 'r.der'), '-outform', 'PEM']);
  assert.equal(reenc.trim(), root.pem.trim(), 'openssl re-emits our DER byte-identically');
  // SKI = leftmost 160 bits of SHA-256(subjectPublicKey) (RFC 7093 2 method 1): compute with python
  if (!oracle(t, 'python3-cryptography')) return;
  const ski = runOk(PYTHON, ['-c', 'import sys,hashlib\nfrom cryptography import x509\nfrom cryptography.hazmat.primitives.serialization import Encoding, PublicFormat\nc=x509.load_pem_x509_certificate(sys.stdin.read().encode())\nraw=c.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)\nprint(hashlib.sha256(raw).hexdigest()[:40], c.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest.hex())'], { input: root.pem }).trim().split(' ');
  assert.equal(ski[1], ski[0]);
});

test('every key type: CSR (openssl req -verify), issue chain root -> intermediate -> leaf, openssl verify -x509_strict, node checkHost/verify', (t) => {
  const hasOpenssl = oracle(t, 'openssl');
  const dir = tempDir();
  for (const [rootKt, interKt, leafKt] of [['p384', 'rsa2048', 'p256'], ['rsa2048', 'p256', 'rsa2048'], ['p256', 'p384', 'ed25519'], ['p521', 'p256', 'p521'], ['ed25519', 'ed25519', 'p384']] as Array<[KT, KT, KT]>) {
    const { root, inter, interKey } = pki(rootKt, interKt);
    const csr = createCertificateRequest({ subject: { O: 'Example', CN: 'mail.example.com' }, sans: ['mail.example.com', 'smtp.example.com', '192.0.2.25', '2001:db8::25'], privateKey: key(leafKt) });
    verifyCertificateRequest(csr);
    // the object createCertificateRequest returns (built, not parsed) equals what parsing its DER gives
    const reparsed = parseCertificateRequest(csr.der);
    assert.deepEqual({ ...csr, publicKey: null }, { ...reparsed, publicKey: null });
    assert.deepEqual(getPublicKey(csr.publicKey as never), getPublicKey(reparsed.publicKey as never));
    const leaf = issueCertificate({ profile: 'tls-server', csr: csr.pem, issuer: inter, issuerKey: interKey });
    assert.deepEqual(leaf.decoded.subjectAltName, [
      { type: 'dns', value: 'mail.example.com' }, { type: 'dns', value: 'smtp.example.com' }, { type: 'ip', value: '192.0.2.25' }, { type: 'ip', value: '2001:db8::25' },
    ]);
    assert.deepEqual(leaf.decoded.keyUsage, leafKt.startsWith('rsa') ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']);
    assert.deepEqual(leaf.decoded.extKeyUsage, [OID.serverAuth]);
    assert.deepEqual(leaf.decoded.basicConstraints, { ca: false });
    assert.deepEqual(leaf.decoded.authorityKeyIdentifier?.keyIdentifier, inter.decoded.subjectKeyIdentifier);
    assert.deepEqual(inter.decoded.basicConstraints, { ca: true, pathLen: 0 });
    assert.equal(Math.round((leaf.notAfter.getTime() - leaf.notBefore.getTime()) / 86400000), 397);
    const expectedHash = interKt === 'p384' ? 'SHA-384' : interKt === 'p521' ? 'SHA-512' : interKt === 'ed25519' ? undefined : 'SHA-256';
    assert.equal(leaf.signatureAlgorithm.hash, expectedHash);
    const x = new X509Certificate(leaf.pem);
    assert.equal(x.checkHost('smtp.example.com', { subject: 'never' }), 'smtp.example.com');
    assert.equal(x.checkIP('2001:db8::25'), '2001:db8::25');
    assert.ok(x.verify(new X509Certificate(inter.pem).publicKey), 'node verifies the leaf signature with the intermediate key');
    if (!hasOpenssl) continue;
    const tag = `${rootKt}-${interKt}-${leafKt}`;
    writeFileSync(join(dir, `${tag}-root.pem`), root.pem);
    writeFileSync(join(dir, `${tag}-inter.pem`), inter.pem);
    writeFileSync(join(dir, `${tag}-leaf.pem`), leaf.pem);
    writeFileSync(join(dir, `${tag}.csr`), csr.pem);
    runOk('openssl', ['req', '-verify', '-noout', '-in', join(dir, `${tag}.csr`)]);
    const v = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', 'mail.example.com', '-CAfile', join(dir, `${tag}-root.pem`), '-untrusted', join(dir, `${tag}-inter.pem`), join(dir, `${tag}-leaf.pem`)]);
    assert.equal(v.status, 0, `${tag}: ${v.stdout}${v.stderr}`);
    for (const part of ['inter', 'leaf']) {
      const again = runOk('openssl', ['x509', '-in', join(dir, `${tag}-${part}.pem`)]);
      assert.equal(again.trim(), (part === 'leaf' ? leaf : inter).pem.trim(), `${tag} ${part}: openssl re-emits our DER byte-identically`);
    }
  }
});

test('CSRs made by openssl req (with/without SAN, challengePassword) parse, verify and get signed', (t) => {
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  const { root, rootKey } = pki('p256', 'p256');
  const keyFile = join(dir, 'k.pem');
  writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const withSan = runOk('openssl', ['req', '-new', '-key', keyFile, '-subj', '/C=US/O=Example/CN=mail.example.com', '-addext', 'subjectAltName=DNS:mail.example.com,DNS:imap.example.com,IP:192.0.2.7']);
  const noSan = runOk('openssl', ['req', '-new', '-key', keyFile, '-subj', '/CN=mx.example.com']);
  const cfg = join(dir, 'req.cnf');
  writeFileSync(cfg, '[req]\ndistinguished_name=dn\nattributes=attrs\nprompt=no\n[dn]\nCN=pw.example.com\n[attrs]\nchallengePassword=s3cret pass\n');
  const withPw = runOk('openssl', ['req', '-new', '-key', keyFile, '-config', cfg]);
  const a = parseCertificateRequest(withSan);
  verifyCertificateRequest(a);
  assert.deepEqual(a.decoded.subjectAltName, [{ type: 'dns', value: 'mail.example.com' }, { type: 'dns', value: 'imap.example.com' }, { type: 'ip', value: '192.0.2.7' }]);
  assert.equal(a.subject.rdns.length, 3);
  const b = parseCertificateRequest(noSan);
  verifyCertificateRequest(b);
  assert.equal(b.extensions.length, 0);
  const sha1 = parseCertificateRequest(runOk('openssl', ['req', '-new', '-sha1', '-key', keyFile, '-subj', '/CN=old.example.com']));
  assert.throws(() => verifyCertificateRequest(sha1), code('ERR_CSR_SIGNATURE', /sha1WithRSAEncryption/));
  const c = parseCertificateRequest(withPw);
  verifyCertificateRequest(c);
  assert.equal(c.challengePassword, 's3cret pass');
  // DER input too
  writeFileSync(join(dir, 'a.csr'), withSan);
  runOk('openssl', ['req', '-in', join(dir, 'a.csr'), '-outform', 'DER', '-out', join(dir, 'a.der')]);
  assert.deepEqual(parseCertificateRequest(new Uint8Array(readFileSync(join(dir, 'a.der')))).der, a.der);
  // sign them: the CN becomes the SAN when the CSR has none
  const leafB = issueCertificate({ profile: 'tls-server', csr: b, issuer: root, issuerKey: rootKey });
  assert.deepEqual(leafB.decoded.subjectAltName, [{ type: 'dns', value: 'mx.example.com' }]);
  assert.ok(leafB.warnings.some((w) => w.code === 'cn-added-as-san' && /CN/.test(w.message)));
  const leafA = issueCertificate({ profile: 'tls-server', csr: withSan, issuer: root, issuerKey: rootKey, sanAllowList: ['mail.example.com', '192.0.2.7'] });
  assert.deepEqual(leafA.decoded.subjectAltName, [{ type: 'dns', value: 'mail.example.com' }, { type: 'ip', value: '192.0.2.7' }]);
  assert.ok(leafA.warnings.some((w) => w.code === 'san-dropped' && /imap\.example\.com.*allow-list/.test(w.message)));
  const leafSub = issueCertificate({ profile: 'tls-server', csr: withSan, issuer: root, issuerKey: rootKey, sanAllowList: ['.example.com'] });
  assert.equal(leafSub.decoded.subjectAltName!.length, 2, 'suffix rule keeps DNS names under example.com, drops the IP');
  for (const [i, cert] of [leafA, leafB].entries()) {
    writeFileSync(join(dir, `root.pem`), root.pem);
    writeFileSync(join(dir, `l${i}.pem`), cert.pem);
    const host = i === 0 ? 'mail.example.com' : 'mx.example.com';
    const v = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', host, '-CAfile', join(dir, 'root.pem'), join(dir, `l${i}.pem`)]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
  }
});

test('RSA-PSS: CSR and certificate signed with PSS pass openssl req -verify / openssl verify', (t) => {
  const rootKey = key('rsa2048');
  const pss = { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 } as const;
  const root = createRootCa({ subject: { CN: 'PSS root' }, privateKey: rootKey, signatureAlgorithm: pss });
  assert.equal(root.signatureAlgorithm.name, 'RSASSA-PSS');
  const csr = createCertificateRequest({ subject: { CN: 'pss.example.com' }, sans: ['pss.example.com'], privateKey: key('rsa2048'), signatureAlgorithm: pss });
  verifyCertificateRequest(parseCertificateRequest(csr.der));
  const leaf = issueCertificate({ profile: 'tls-server', csr, issuer: root, issuerKey: rootKey, signatureAlgorithm: pss, allowLongValidity: false });
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  writeFileSync(join(dir, 'r.pem'), root.pem);
  writeFileSync(join(dir, 'l.pem'), leaf.pem);
  writeFileSync(join(dir, 'c.csr'), csr.pem);
  runOk('openssl', ['req', '-verify', '-noout', '-in', join(dir, 'c.csr')]);
  const v = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', 'pss.example.com', '-CAfile', join(dir, 'r.pem'), join(dir, 'l.pem')]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
});

test('past 2049: GeneralizedTime, and openssl/python/node accept it', (t) => {
  const rootKey = key('p256');
  const now = new Date('2049-06-01T00:00:00Z');
  const root = createRootCa({ subject: { CN: 'Root 2049' }, privateKey: rootKey, now, days: 3650 });
  const leaf = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(other()), sans: ['far.example.com'], issuer: root, issuerKey: rootKey, now, days: 397 });
  assert.ok(toHex(leaf.tbs).includes('170d3439'), 'notBefore 2049 as UTCTime');
  assert.ok(toHex(leaf.tbs).includes('180f32303530'), 'notAfter 2050 as GeneralizedTime');
  assert.equal(leaf.notAfter.getUTCFullYear(), 2050);
  assert.equal(new X509Certificate(leaf.pem).validTo, 'Jul  2 23:55:00 2050 GMT');
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  writeFileSync(join(dir, 'r.pem'), root.pem);
  writeFileSync(join(dir, 'l.pem'), leaf.pem);
  const at = String(Math.floor(new Date('2050-01-01T00:00:00Z').getTime() / 1000));
  const v = run('openssl', ['verify', '-x509_strict', '-attime', at, '-purpose', 'sslserver', '-verify_hostname', 'far.example.com', '-CAfile', join(dir, 'r.pem'), join(dir, 'l.pem')]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  if (!oracle(t, 'python3-cryptography')) return;
  const out = runOk(PYTHON, ['-c', 'import sys\nfrom cryptography import x509\nc=x509.load_pem_x509_certificate(sys.stdin.read().encode())\nprint(c.not_valid_after.isoformat())'], { input: leaf.pem }).trim();
  assert.equal(out, '2050-07-02T23:55:00');
});

test('root with name constraints and extras: python reads every extension value as intended', (t) => {
  const rootKey = key('p256');
  const root = createRootCa({
    subject: { CN: 'Constrained root' },
    privateKey: rootKey,
    pathLen: 1,
    nameConstraints: { permitted: ['example.com', 'email:example.com', '192.168.0.0/16', '2001:db8::/32'], excluded: ['bad.example.com'] },
    crlDistributionPoints: ['http://crl.example.com/root.crl'],
    ocsp: ['http://ocsp.example.com'],
    caIssuers: ['http://ca.example.com/root.crt'],
    policies: [{ oid: '1.3.6.1.4.1.99999.1', cps: ['https://example.com/cps'], userNotice: ['Test only'] }],
  });
  assert.deepEqual(root.decoded.nameConstraints, {
    permitted: [{ type: 'dns', value: 'example.com' }, { type: 'email', value: 'example.com' }, { type: 'ip', value: '192.168.0.0/16' }, { type: 'ip', value: '2001:db8::/32' }],
    excluded: [{ type: 'dns', value: 'bad.example.com' }],
  });
  assert.deepEqual(root.decoded.basicConstraints, { ca: true, pathLen: 1 });
  assert.deepEqual(root.decoded.crlDistributionPoints, [{ type: 'uri', value: 'http://crl.example.com/root.crl' }]);
  assert.deepEqual(root.decoded.authorityInfoAccess, [
    { method: OID.ocsp, location: { type: 'uri', value: 'http://ocsp.example.com' } },
    { method: OID.caIssuers, location: { type: 'uri', value: 'http://ca.example.com/root.crt' } },
  ]);
  assert.deepEqual(root.decoded.certificatePolicies, [{ oid: '1.3.6.1.4.1.99999.1', cps: ['https://example.com/cps'], userNotice: ['Test only'] }]);
  if (!oracle(t, 'python3-cryptography')) return;
  const py = `import sys,json
from cryptography import x509
c=x509.load_pem_x509_certificate(sys.stdin.read().encode())
e=c.extensions
nc=e.get_extension_for_class(x509.NameConstraints)
bc=e.get_extension_for_class(x509.BasicConstraints)
ku=e.get_extension_for_class(x509.KeyUsage).value
print(json.dumps({
 'ncCritical': nc.critical,
 'permitted': [str(n.value) for n in nc.value.permitted_subtrees],
 'excluded': [str(n.value) for n in nc.value.excluded_subtrees],
 'bc': [bc.critical, bc.value.ca, bc.value.path_length],
 'ku': [ku.key_cert_sign, ku.crl_sign, ku.digital_signature],
 'crl': [n.value for dp in e.get_extension_for_class(x509.CRLDistributionPoints).value for n in dp.full_name],
 'aia': [[a.access_method.dotted_string, a.access_location.value] for a in e.get_extension_for_class(x509.AuthorityInformationAccess).value],
 'pol': [[p.policy_identifier.dotted_string, [q if isinstance(q,str) else q.explicit_text for q in p.policy_qualifiers]] for p in e.get_extension_for_class(x509.CertificatePolicies).value],
}))`;
  const got = JSON.parse(runOk(PYTHON, ['-c', py], { input: root.pem }));
  assert.deepEqual(got, {
    ncCritical: true,
    permitted: ['example.com', 'example.com', '192.168.0.0/16', '2001:db8::/32'],
    excluded: ['bad.example.com'],
    bc: [true, true, 1],
    ku: [true, true, false],
    crl: ['http://crl.example.com/root.crl'],
    aia: [[OID.ocsp, 'http://ocsp.example.com'], [OID.caIssuers, 'http://ca.example.com/root.crt']],
    pol: [['1.3.6.1.4.1.99999.1', ['https://example.com/cps', 'Test only']]],
  });
});

test('parseCertificates: PEM bundle with a key mixed in, DER, v1 certificate from openssl', (t) => {
  const { root, inter } = pki('p256', 'p256');
  const keyPem = encodePem('PRIVATE KEY', encodePkcs8(key('p256')));
  const bundle = `junk\n${keyPem}${inter.pem}text between\n${root.pem}`;
  const certs = parseCertificates(bundle);
  assert.equal(certs.length, 2);
  assert.equal(certs[0]!.serialNumber, inter.serialNumber);
  assert.deepEqual(parseCertificate(root.der).der, root.der);
  assert.deepEqual(parseCertificate(new TextEncoder().encode(bundle)).der, inter.der);
  assert.throws(() => parseCertificates(keyPem), code('ERR_NO_CERTIFICATE'));
  assert.deepEqual(root.spki, encodeSpki(getPublicKey(key('p256'))));
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  const k = join(dir, 'k.pem');
  writeFileSync(k, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const csr = runOk('openssl', ['req', '-new', '-key', k, '-subj', '/CN=v1.example.com']);
  writeFileSync(join(dir, 'c.csr'), csr);
  const v1 = runOk('openssl', ['x509', '-req', '-in', join(dir, 'c.csr'), '-signkey', k, '-days', '10', '-set_serial', '1234']);
  const c = parseCertificate(v1);
  assert.equal(c.version, 1, 'openssl 3.0 x509 -req without extensions writes v1');
  assert.equal(c.extensions.length, 0);
  assert.equal(c.serialNumber, 1234n);
  assert.equal(c.subject.rdns[0]![0]!.value, 'v1.example.com');
  assert.equal(toHex(c.spki), toHex(new Uint8Array(createPublicKey(v1).export({ type: 'spki', format: 'der' }))));
});
