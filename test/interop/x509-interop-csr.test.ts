// Interop beyond the key-type matrix: CSRs made by `openssl req` (with and
// without SAN, with challengePassword) signed by mailpki; a certificate valid
// past 2050 (GeneralizedTime); S/MIME and TLS client leaves; a mailpki root
// with name constraints, judged the same way by openssl and verifyCertificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, run, runOk, tempDir } from '../helpers/env.js';
import { nodeKey, assertOpensslVerifies, assertOpensslDerIdentical, assertNodeAccepts, pythonInspect } from './x509-interop-helpers.js';
import { createRootCa, createIntermediateCa, issueCertificate, verifyCertificate, parseCertificateRequest, OID, isMailPkiError, getPublicKey, type Certificate } from '../../src/index.js';

const dir = tempDir('mailpki-interop-csr-');
const rootKey = nodeKey('p256').key;
const root = createRootCa({ subject: { O: 'mailpki interop', CN: 'CSR Interop Root' }, privateKey: rootKey });
const rootPath = join(dir, 'root.pem');
writeFileSync(rootPath, root.pem);

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function opensslCsr(name: string, opts: { keyType: 'rsa2048' | 'p256'; cn: string; san?: string; challenge?: string }): string {
  const key = write(`${name}.key`, nodeKey(opts.keyType).pem);
  const cfg = write(
    `${name}.cnf`,
    ['[req]', 'distinguished_name=dn', 'prompt=no', ...(opts.challenge ? ['attributes=attrs'] : []), '[dn]', `CN=${opts.cn}`, 'O=Example Mail', ...(opts.challenge ? ['[attrs]', `challengePassword=${opts.challenge}`] : []), ''].join('\n'),
  );
  const args = ['req', '-new', '-key', key, '-config', cfg, '-sha256'];
  if (opts.san) args.push('-addext', `subjectAltName=${opts.san}`);
  return runOk('openssl', args);
}

function certtoolVerify(leaf: Certificate, host: string): void {
  const p = write(`ct-${leaf.serialHex}.pem`, leaf.pem);
  const r = run('certtool', ['--verify', '--load-ca-certificate', rootPath, '--infile', p, '--verify-hostname', host, '--verify-purpose', OID.serverAuth]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Chain verification output: Verified/);
}

test('CSRs made by openssl req (with SAN, without SAN, with challengePassword) are signed and verify everywhere', (t) => {
  const openssl = oracle(t, 'openssl');
  const certtool = oracle(t, 'certtool');
  const python = oracle(t, 'python3-cryptography');
  if (!openssl) return;
  const cases = [
    { name: 'san', keyType: 'p256' as const, cn: 'csr-san.example.com', san: 'DNS:csr-san.example.com,DNS:imap.example.com,IP:192.0.2.9', dns: ['csr-san.example.com', 'imap.example.com'], ip: ['192.0.2.9'] },
    { name: 'nosan', keyType: 'rsa2048' as const, cn: 'csr-nosan.example.com', dns: ['csr-nosan.example.com'], ip: [] },
    { name: 'challenge', keyType: 'p256' as const, cn: 'csr-pw.example.com', san: 'DNS:csr-pw.example.com', challenge: 'not-printed-1', dns: ['csr-pw.example.com'], ip: [] },
  ];
  for (const c of cases) {
    const csrPem = opensslCsr(c.name, c);
    if (c.challenge) assert.equal(parseCertificateRequest(csrPem).challengePassword, c.challenge);
    const leaf = issueCertificate({ profile: 'tls-server', csr: csrPem, issuer: root, issuerKey: rootKey });
    if (c.challenge) assert.ok(!Buffer.from(leaf.der).includes(c.challenge), 'the challengePassword never reaches the certificate');
    const leafPath = write(`${c.name}.pem`, leaf.pem);
    assertOpensslVerifies(rootPath, leafPath, c.cn);
    assertOpensslDerIdentical(leaf, dir);
    assertNodeAccepts(leaf, root, c.cn);
    const ours = verifyCertificate(leaf, { trustAnchors: [root], host: c.cn });
    assert.ok(ours.ok, !ours.ok ? ours.message : '');
    if (certtool) certtoolVerify(leaf, c.cn);
    if (python) {
      const [p] = pythonInspect([{ cert: leafPath, issuer: rootPath }]);
      assert.equal(p!.sig, true);
      assert.deepEqual(p!.san?.dns, c.dns, `${c.name}: SANs copied from the CSR (or the CN when there is none)`);
      assert.deepEqual(p!.san?.ip, c.ip);
      assert.equal(p!.subject, `O=Example Mail,CN=${c.cn}`);
      assert.deepEqual(p!.eku?.oids, [OID.serverAuth]);
    }
  }
});

test('a certificate valid past 2050 uses GeneralizedTime and passes every oracle', (t) => {
  const openssl = oracle(t, 'openssl');
  const certtool = oracle(t, 'certtool');
  const python = oracle(t, 'python3-cryptography');
  const key = nodeKey('p256').key;
  const longRoot = createRootCa({ subject: { CN: 'Long Root 2050' }, privateKey: key, days: 365 * 30 });
  const leafKey = nodeKey('p256').key;
  const leaf = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(leafKey), subject: { CN: 'far.example.com' }, sans: ['far.example.com'], issuer: longRoot, issuerKey: key, days: 365 * 26, allowLongValidity: true });
  assert.ok(leaf.notAfter.getUTCFullYear() >= 2050, `notAfter ${leaf.notAfter.toISOString()}`);
  const ours = verifyCertificate(leaf, { trustAnchors: [longRoot], host: 'far.example.com' });
  assert.ok(ours.ok, !ours.ok ? ours.message : '');
  const x = new X509Certificate(leaf.pem);
  assert.equal(new Date(x.validTo).getTime(), leaf.notAfter.getTime());
  assert.equal(x.checkHost('far.example.com', { subject: 'never' }), 'far.example.com');
  assert.equal(x.verify(new X509Certificate(longRoot.pem).publicKey), true);
  if (!openssl) return;
  const rp = write('long-root.pem', longRoot.pem);
  const lp = write('long-leaf.pem', leaf.pem);
  const asn = runOk('openssl', ['asn1parse', '-in', lp]);
  // notBefore (now) is UTCTime, notAfter (≥ 2050) GeneralizedTime: RFC 5280 4.1.2.5
  assert.match(asn, /UTCTIME\s*:\d{12}Z[\s\S]*GENERALIZEDTIME\s*:20[5-9]\d{11}Z/);
  assertOpensslVerifies(rp, lp, 'far.example.com');
  assertOpensslDerIdentical(leaf, dir);
  assertOpensslDerIdentical(longRoot, dir);
  if (certtool) {
    const r = run('certtool', ['--verify', '--load-ca-certificate', rp, '--infile', lp, '--verify-hostname', 'far.example.com']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  }
  if (python) {
    const [p, pr] = pythonInspect([{ cert: lp, issuer: rp }, { cert: rp, issuer: rp }]);
    assert.equal(p!.sig, true);
    assert.ok(p!.notAfterYear >= 2050);
    assert.ok(pr!.notAfterYear >= 2050);
  }
});

test('S/MIME and TLS client leaves: openssl purposes and email check agree with verifyCertificate', (t) => {
  if (!oracle(t, 'openssl')) return;
  const icaKey = nodeKey('p384').key;
  const ica = createIntermediateCa({ subject: { CN: 'CSR Interop Int' }, publicKey: icaKey, issuer: root, issuerKey: rootKey });
  const icaPath = write('p-ica.pem', ica.pem);
  const smime = issueCertificate({ profile: 'smime', publicKey: getPublicKey(nodeKey('rsa2048').key), subject: { CN: 'Alice' }, sans: ['alice@example.com'], issuer: ica, issuerKey: icaKey });
  const client = issueCertificate({ profile: 'tls-client', publicKey: getPublicKey(nodeKey('p256').key), subject: { CN: 'client.example.com' }, sans: ['client.example.com'], issuer: ica, issuerKey: icaKey });
  const sp = write('smime.pem', smime.pem);
  const cp = write('client.pem', client.pem);
  const ov = (leaf: string, purpose: string, extra: string[] = []) =>
    run('openssl', ['verify', '-x509_strict', '-auth_level', '2', '-purpose', purpose, ...extra, '-CAfile', rootPath, '-untrusted', icaPath, leaf]).status === 0;
  const mk = (leaf: Certificate, o: Parameters<typeof verifyCertificate>[1]) => verifyCertificate(leaf, o).ok;
  const base = { trustAnchors: [root], intermediates: [ica] };
  const pairs: Array<[string, boolean, boolean]> = [
    ['smime as smimesign', ov(sp, 'smimesign', ['-verify_email', 'alice@example.com']), mk(smime, { ...base, email: 'alice@example.com' })],
    ['smime, wrong email', ov(sp, 'smimesign', ['-verify_email', 'bob@example.com']), mk(smime, { ...base, email: 'bob@example.com' })],
    ['smime as sslserver', ov(sp, 'sslserver'), mk(smime, { ...base, purpose: 'tls-server' })],
    ['client as sslclient', ov(cp, 'sslclient'), mk(client, { ...base, purpose: 'tls-client' })],
    ['client as sslserver', ov(cp, 'sslserver'), mk(client, { ...base, purpose: 'tls-server' })],
  ];
  assert.deepEqual(pairs.map(([l, o]) => [l, o]), pairs.map(([l, , m]) => [l, m]), 'openssl and mailpki disagree');
  assert.deepEqual(pairs.map(([, o]) => o), [true, false, false, true, false], 'unexpected openssl verdicts');
});

test('a mailpki root with name constraints: openssl and verifyCertificate judge leaves the same way', (t) => {
  if (!oracle(t, 'openssl')) return;
  const key = nodeKey('p256').key;
  const nc = createRootCa({
    subject: { CN: 'Constrained Root' },
    privateKey: key,
    nameConstraints: { permitted: ['example.com', 'email:example.com', '192.0.2.0/24'], excluded: ['secret.example.com'] },
  });
  const ncPath = write('nc-root.pem', nc.pem);
  const leaves: Array<[string, string[], boolean]> = [
    ['in.example.com', ['in.example.com', '192.0.2.80'], true],
    ['out.example.org', ['out.example.org'], false],
    ['x.secret.example.com', ['x.secret.example.com'], false],
    ['ip.example.com', ['ip.example.com', '198.51.100.1'], false],
  ];
  // Issuance refuses a name outside the constraints (ERR_NAME_CONSTRAINTS); the leaves that must fail
  // verification come from a twin of the root with the same name and key and no constraints.
  const twin = createRootCa({ subject: { CN: 'Constrained Root' }, privateKey: key });
  for (const [host, sans, expected] of leaves) {
    const args = { profile: 'tls-server' as const, publicKey: getPublicKey(nodeKey('p256').key), subject: { CN: host }, sans, issuerKey: key };
    if (!expected) assert.throws(() => issueCertificate({ ...args, issuer: nc }), (e: unknown) => isMailPkiError(e, 'ERR_NAME_CONSTRAINTS'), host);
    const leaf = issueCertificate({ ...args, issuer: expected ? nc : twin });
    const lp = write(`nc-${host}.pem`, leaf.pem);
    const o = run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-verify_hostname', host, '-CAfile', ncPath, lp]);
    const ours = verifyCertificate(leaf, { trustAnchors: [nc], host });
    assert.equal(o.status === 0, expected, `${host}: openssl ${o.stdout}${o.stderr}`);
    assert.equal(ours.ok, expected, `${host}: ${!ours.ok ? ours.message : 'accepted'}`);
    if (!ours.ok) assert.equal(ours.reason, 'name-constraint-violation');
  }
});
