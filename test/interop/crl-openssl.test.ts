// CRLs both ways with OpenSSL: ours are accepted by `openssl crl -verify`
// and applied by `openssl verify -crl_check` (revoked refused, others
// accepted); OpenSSL's (`openssl ca -gencrl`, minimal config in a temp dir)
// are read by parseCrl and applied by verifyCertificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, run, runOk, tempDir } from '../helpers/env.js';
import { parsePkcs8, type PrivateKey, createRootCa, createIntermediateCa, issueCertificate, parseCertificate, createCrl, parseCrl, findCrlEntry, checkCrlSignature, verifyCertificate } from '../../src/index.js';

function key(kind: 'rsa' | 'p256' | 'p384' | 'ed25519'): PrivateKey {
  const kp =
    kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : kind === 'ed25519' ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('ec', { namedCurve: kind === 'p256' ? 'P-256' : 'P-384' });
  return parsePkcs8(new Uint8Array(kp.privateKey.export({ type: 'pkcs8', format: 'der' })));
}

const NOW = new Date();

for (const kind of ['rsa', 'p256', 'p384', 'ed25519'] as const) {
  test(`our ${kind} CRL: openssl crl -verify accepts it, openssl verify -crl_check applies it`, (t) => {
    if (!oracle(t, 'openssl')) return;
    const rootKey = key(kind);
    const root = createRootCa({ subject: { O: 'CRL Test', CN: `CRL Root ${kind}` }, privateKey: rootKey });
    const icaKey = key(kind);
    const ica = createIntermediateCa({ subject: { O: 'CRL Test', CN: `CRL Intermediate ${kind}` }, publicKey: icaKey, issuer: root, issuerKey: rootKey });
    const leafKey = key('p256');
    const good = issueCertificate({ profile: 'tls-server', sans: ['good.example'], publicKey: leafKey as never, issuer: ica, issuerKey: icaKey });
    const bad = issueCertificate({ profile: 'tls-server', sans: ['bad.example'], publicKey: leafKey as never, issuer: ica, issuerKey: icaKey });
    const icaCrl = createCrl({
      issuerCertificate: ica,
      issuerKey: icaKey,
      crlNumber: 7n,
      entries: [
        { serial: bad, revocationDate: new Date(NOW.getTime() - 60_000), reason: 'keyCompromise', invalidityDate: new Date(NOW.getTime() - 3_600_000) },
        { serial: 12345n, revocationDate: new Date(NOW.getTime() - 60_000) },
      ],
    });
    const rootCrl = createCrl({ issuerCertificate: root, issuerKey: rootKey, crlNumber: 1n });
    const dir = tempDir();
    const f = (n: string, s: string) => (writeFileSync(join(dir, n), s), join(dir, n));
    const rootPem = f('root.pem', root.pem);
    const icaPem = f('ica.pem', ica.pem);
    const crls = f('crls.pem', icaCrl.pem + rootCrl.pem);
    const icaCrlPem = f('ica.crl', icaCrl.pem);
    const chain = f('chain.pem', root.pem + ica.pem);
    const out = run('openssl', ['crl', '-in', icaCrlPem, '-noout', '-verify', '-CAfile', chain]);
    assert.match(out.stderr + out.stdout, /verify OK/, out.stderr);
    const text = runOk('openssl', ['crl', '-in', icaCrlPem, '-noout', '-text']);
    assert.match(text, /X509v3 CRL Number:\s*\n\s*7/);
    assert.match(text, /Key Compromise/);
    assert.match(text, /Invalidity Date/);
    assert.match(text, /Serial Number: 3039/i);
    const v = (c: string) => run('openssl', ['verify', '-crl_check_all', '-CAfile', rootPem, '-untrusted', icaPem, '-CRLfile', crls, c]);
    const okOut = v(f('good.pem', good.pem));
    assert.equal(okOut.status, 0, okOut.stderr + okOut.stdout);
    const revOut = v(f('bad.pem', bad.pem));
    assert.notEqual(revOut.status, 0);
    assert.match(revOut.stderr + revOut.stdout, /certificate revoked/);
    // ... and we agree.
    const ours = (c: typeof good) => verifyCertificate(c, { trustAnchors: [root], intermediates: [ica], crls: [icaCrl, rootCrl], revocation: 'require' });
    assert.equal(ours(good).ok, true);
    const r = ours(bad);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.reason, 'revoked');
      assert.equal(r.revocationReason, 'keyCompromise');
      assert.match(r.message, /keyCompromise/);
    }
  });
}

test('OpenSSL-made CRLs (openssl ca -gencrl) are read and applied', (t) => {
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  const p = (n: string) => join(dir, n);
  mkdirSync(p('newcerts'));
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('crlnumber'), '1000\n');
  writeFileSync(p('serial'), '10\n');
  writeFileSync(
    p('ca.cnf'),
    [
      '[ ca ]',
      'default_ca = CA_default',
      '[ CA_default ]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir/newcerts',
      'certificate = $dir/ca.pem',
      'private_key = $dir/ca.key',
      'serial = $dir/serial',
      'crlnumber = $dir/crlnumber',
      'default_md = sha256',
      'default_days = 30',
      'default_crl_days = 30',
      'policy = policy_any',
      'crl_extensions = crl_ext',
      'copy_extensions = none',
      'unique_subject = no',
      '[ policy_any ]',
      'commonName = supplied',
      '[ crl_ext ]',
      'authorityKeyIdentifier = keyid:always',
      '[ req ]',
      'distinguished_name = dn',
      '[ dn ]',
      '[ v3_ca ]',
      'basicConstraints = critical, CA:true',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
      '[ leaf ]',
      'basicConstraints = CA:false',
      'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = serverAuth',
      'subjectAltName = DNS:$ENV::SAN',
      'authorityKeyIdentifier = keyid',
    ].join('\n') + '\n',
  );
  const env = (san = 'unused.example') => ({ env: { ...process.env, SAN: san } });
  runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-subj', '/CN=OpenSSL CRL CA', '-days', '30', '-config', p('ca.cnf'), '-extensions', 'v3_ca'], env());
  const issue = (name: string) => {
    runOk('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${name}.example`, '-config', p('ca.cnf')], env());
    runOk('openssl', ['ca', '-batch', '-config', p('ca.cnf'), '-extensions', 'leaf', '-in', p(`${name}.csr`), '-out', p(`${name}.pem`)], env(`${name}.example`));
    return parseCertificate(readFileSync(p(`${name}.pem`), 'utf8'));
  };
  const good = issue('good');
  const bad = issue('bad');
  runOk('openssl', ['ca', '-batch', '-config', p('ca.cnf'), '-revoke', p('bad.pem'), '-crl_reason', 'superseded'], env());
  runOk('openssl', ['ca', '-batch', '-config', p('ca.cnf'), '-gencrl', '-out', p('ca.crl')], env());
  const crl = parseCrl(readFileSync(p('ca.crl'), 'utf8'));
  const ca = parseCertificate(readFileSync(p('ca.pem'), 'utf8'));
  assert.equal(crl.version, 2);
  assert.equal(crl.crlNumber, 0x1000n);
  assert.equal(crl.revokedCount, 1);
  assert.deepEqual(checkCrlSignature(crl, ca), { ok: true });
  assert.equal(findCrlEntry(crl, bad)?.reason, 'superseded');
  assert.equal(findCrlEntry(crl, good), undefined);
  // DER form too.
  runOk('openssl', ['crl', '-in', p('ca.crl'), '-outform', 'DER', '-out', p('ca.crl.der')]);
  assert.equal(parseCrl(new Uint8Array(readFileSync(p('ca.crl.der')))).revokedCount, 1);
  const opts = { trustAnchors: [ca], crls: [crl], revocation: 'require' as const };
  assert.equal(verifyCertificate(good, opts).ok, true);
  const r = verifyCertificate(bad, opts);
  assert.equal(r.ok ? 'ok' : r.reason, 'revoked');
  // Our CRL for the same CA, signed with OpenSSL's key, and OpenSSL agrees.
  const caKey = parsePkcs8(new Uint8Array(Buffer.from(readFileSync(p('ca.key'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64')));
  const ours = createCrl({ issuerCertificate: ca, issuerKey: caKey, crlNumber: 0x1001n, entries: [{ serial: good, revocationDate: NOW, reason: 'cessationOfOperation' }] });
  writeFileSync(p('ours.crl'), ours.pem);
  const vr = run('openssl', ['verify', '-crl_check', '-CAfile', p('ca.pem'), '-CRLfile', p('ours.crl'), p('good.pem')]);
  assert.match(vr.stderr + vr.stdout, /certificate revoked/);
  assert.equal(run('openssl', ['verify', '-crl_check', '-CAfile', p('ca.pem'), '-CRLfile', p('ours.crl'), p('bad.pem')]).status, 0);
});

test('a CA without keyUsage (the classic openssl req -x509 recipe) may sign CRLs; OpenSSL applies ours', (t) => {
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  const p = (n: string) => join(dir, n);
  runOk('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-subj', '/CN=Classic CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE']);
  const ca = parseCertificate(readFileSync(p('ca.pem'), 'utf8'));
  assert.equal(ca.decoded.keyUsage, undefined, 'the recipe writes no keyUsage');
  runOk('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('leaf.key'), '-out', p('leaf.csr'), '-subj', '/CN=leaf.example']);
  runOk('openssl', ['x509', '-req', '-in', p('leaf.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-set_serial', '4660', '-days', '10', '-out', p('leaf.pem')]);
  const leaf = parseCertificate(readFileSync(p('leaf.pem'), 'utf8'));
  const caKey = parsePkcs8(new Uint8Array(Buffer.from(readFileSync(p('ca.key'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64')));
  const crl = createCrl({ issuerCertificate: ca, issuerKey: caKey, crlNumber: 1n, entries: [{ serial: leaf, revocationDate: NOW, reason: 'affiliationChanged' }] });
  writeFileSync(p('ca.crl'), crl.pem);
  const v = run('openssl', ['verify', '-crl_check', '-CAfile', p('ca.pem'), '-CRLfile', p('ca.crl'), p('leaf.pem')]);
  assert.match(v.stderr + v.stdout, /certificate revoked/);
  const r = verifyCertificate(leaf, { trustAnchors: [ca], crls: [crl] });
  assert.equal(r.ok ? 'ok' : `${r.reason} ${r.revocationReason}`, 'revoked affiliationChanged');
});
