// Keys and certificates made by OpenSSL (and Python cryptography) that
// mailpki reads but does not use, or uses with restrictions (issue 11):
// - DSA: `genpkey -algorithm dsa` (PKCS#8), `-traditional` (DSA PRIVATE KEY),
//   a self-signed DSA certificate and CSR, the SPKI -> described (L, N),
//   signatures "not checked", never an error.
// - RSA-PSS: `genpkey -algorithm rsa-pss` with and without parameters, a
//   PSS-signed chain (root with restrictions -> leaf) verified by mailpki;
//   mailpki issuing with the PSS root, verified by openssl.
// - explicit EC parameters (`-param_enc explicit`): P-256 read as P-256 and
//   usable; secp256k1 explicit and brainpoolP256r1 named -> opaque.
// - X25519 in a certificate (Python cryptography) -> opaque.
// `mailpki inspect --json` is checked on each: valid JSON, expected fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, oracle, runOk, run, tempDir } from '../helpers/env.js';
import { cli } from '../helpers/cli.js';
import { describeKey, encodePrivateKeyPem, encodePublicKeyPem, generateKeyPair, getPublicKey, parsePrivateKey, parsePublicKey, publicKeysEqual, sign, verify, createRootCa, issueCertificate, parseCertificate, parseCertificateRequest, verifyCertificate, verifyCertificateRequest, spkiSha256, isMailPkiError } from '../../src/index.js';

const why = (r: { ok: boolean; reason?: string; message?: string }): string => (r.ok ? 'ok' : `${r.reason}: ${r.message}`);
const sha256Der = (dir: string, args: string[]): string => runOk('sh', ['-c', `openssl ${args.join(' ')} -outform DER | sha256sum`], { cwd: dir }).split(' ')[0]!;

async function inspectJson(file: string): Promise<Array<Record<string, unknown>>> {
  const r = await cli(['inspect', file, '--json'], { timeoutMs: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
}

test('DSA (openssl): PKCS#8, DSA PRIVATE KEY, SPKI, certificate and CSR are read and described; never used', async (t) => {
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  const o = (...a: string[]): string => runOk('openssl', a, { cwd: dir });
  o('genpkey', '-genparam', '-algorithm', 'dsa', '-pkeyopt', 'dsa_paramgen_bits:2048', '-pkeyopt', 'dsa_paramgen_q_bits:256', '-out', 'p.pem');
  o('genpkey', '-paramfile', 'p.pem', '-out', 'k8.pem');
  o('pkey', '-in', 'k8.pem', '-traditional', '-out', 'kt.pem');
  o('pkey', '-in', 'k8.pem', '-pubout', '-out', 'pub.pem');
  o('req', '-x509', '-key', 'k8.pem', '-subj', '/CN=dsa.example', '-days', '3', '-addext', 'keyUsage=critical,keyCertSign', '-out', 'c.pem');
  // A leaf (P-256 key) issued by the DSA CA: its signature is dsa-with-SHA256.
  o('genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'leaf.key');
  o('req', '-new', '-key', 'leaf.key', '-subj', '/CN=leaf.example', '-out', 'leaf.csr');
  o('x509', '-req', '-in', 'leaf.csr', '-CA', 'c.pem', '-CAkey', 'k8.pem', '-set_serial', '5', '-days', '2', '-out', 'leaf.pem');
  o('req', '-new', '-key', 'k8.pem', '-subj', '/CN=dsa.example', '-out', 'r.csr');
  assert.match(readFileSync(join(dir, 'kt.pem'), 'utf8'), /BEGIN DSA PRIVATE KEY/);
  const spkiHash = sha256Der(dir, ['pkey', '-in', 'k8.pem', '-pubout']);

  const pub = parsePublicKey(readFileSync(join(dir, 'pub.pem'), 'utf8'));
  assert.ok(pub.type === 'opaque' && pub.algorithm === 'DSA' && pub.bits === 2048 && pub.details === 'L=2048, N=256', 'check at line 49');
  const cert = parseCertificate(readFileSync(join(dir, 'c.pem'), 'utf8'));
  assert.ok(publicKeysEqual(cert.publicKey, pub), 'check at line 51');
  assert.equal(spkiSha256(cert), spkiHash);
  assert.equal(cert.signatureAlgorithm.name, 'dsa-with-SHA256');
  // Path validation of a leaf the DSA CA signed: unsupported, not "bad signature".
  const leaf = parseCertificate(readFileSync(join(dir, 'leaf.pem'), 'utf8'));
  const v = verifyCertificate(leaf, { trustAnchors: [cert] });
  assert.ok(!v.ok && v.reason === 'unsupported-algorithm', why(v));
  const csr = parseCertificateRequest(readFileSync(join(dir, 'r.csr'), 'utf8'));
  assert.throws(() => verifyCertificateRequest(csr), (e) => isMailPkiError(e, 'ERR_KEY_UNSUPPORTED'));
  assert.throws(() => parsePrivateKey(readFileSync(join(dir, 'kt.pem'), 'utf8')), (e) => isMailPkiError(e, 'ERR_KEY_UNSUPPORTED'));

  for (const f of ['k8.pem', 'kt.pem']) {
    const [item] = await inspectJson(join(dir, f));
    assert.equal(item!.kind, 'private-key');
    assert.equal(item!.algorithm, 'DSA');
    assert.equal(item!.L, 2048);
    assert.equal(item!.N, 256);
    assert.equal(item!.supported, false);
    assert.equal(item!.spkiSha256, spkiHash, `${f}: public half derived from the private key`);
    const text = (await cli(['inspect', join(dir, f)])).stdout;
    assert.match(text, /DSA 2048 \(L=2048, N=256\)/);
  }
  const [c] = await inspectJson(join(dir, 'c.pem'));
  const key = c!.publicKey as Record<string, unknown>;
  assert.equal(key.type, 'opaque');
  assert.equal(key.algorithm, 'DSA');
  assert.equal(key.bits, 2048);
  assert.deepEqual(c!.problems, []);
  const [r] = await inspectJson(join(dir, 'r.csr'));
  assert.equal(r!.signatureStatus, 'not checked');
  assert.equal(r!.signatureValid, null);
  const text = (await cli(['inspect', join(dir, 'r.csr')])).stdout;
  assert.match(text, /Proof of possession: not checked \(DSA keys are not supported\)/);
});

test('RSA-PSS (openssl): keys with and without parameters; PSS chains verify both ways', async (t) => {
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  const o = (...a: string[]): string => runOk('openssl', a, { cwd: dir });
  o('genpkey', '-algorithm', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_pss_keygen_md:sha256', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha256', '-pkeyopt', 'rsa_pss_keygen_saltlen:32', '-out', 'ca.key');
  o('genpkey', '-algorithm', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'leaf.key');
  o('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=PSS Root', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-sigopt', 'rsa_padding_mode:pss', '-out', 'ca.pem');
  o('req', '-new', '-key', 'leaf.key', '-subj', '/CN=leaf.example', '-sigopt', 'rsa_padding_mode:pss', '-out', 'leaf.csr');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:leaf.example\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  o('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '10', '-extfile', 'ext.cnf', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-out', 'leaf.pem');

  const caKey = parsePrivateKey(readFileSync(join(dir, 'ca.key'), 'utf8'));
  assert.ok(caKey.type === 'rsa', 'check at line 98');
  assert.deepEqual(caKey.pss, { hash: 'SHA-256', mgf1Hash: 'SHA-256', saltLength: 32 });
  const leafKey = parsePrivateKey(readFileSync(join(dir, 'leaf.key'), 'utf8'));
  assert.ok(leafKey.type === 'rsa', 'check at line 101');
  assert.deepEqual(leafKey.pss, {});
  const ca = parseCertificate(readFileSync(join(dir, 'ca.pem'), 'utf8'));
  const leaf = parseCertificate(readFileSync(join(dir, 'leaf.pem'), 'utf8'));
  assert.ok(publicKeysEqual(ca.publicKey, caKey) && publicKeysEqual(leaf.publicKey, leafKey), 'check at line 105');
  assert.equal(spkiSha256(getPublicKey(caKey)), sha256Der(dir, ['pkey', '-in', 'ca.key', '-pubout']), 'our SPKI of the PSS key = openssl\'s');
  verifyCertificateRequest(parseCertificateRequest(readFileSync(join(dir, 'leaf.csr'), 'utf8')));
  const r = verifyCertificate(leaf, { trustAnchors: [ca], host: 'leaf.example', purpose: 'tls-server' });
  assert.ok(r.ok, !r.ok ? `${r.reason}: ${r.message}` : '');

  // mailpki issues with the PSS root (the key's restrictions choose the algorithm); openssl verifies.
  const issued = issueCertificate({ profile: 'tls-server', issuer: ca, issuerKey: caKey, publicKey: getPublicKey(leafKey), sans: ['mail.example'], subject: { CN: 'mail.example' } });
  assert.equal(issued.signatureAlgorithm.name, 'RSASSA-PSS');
  writeFileSync(join(dir, 'ours.pem'), issued.pem);
  const ov = run('openssl', ['verify', '-x509_strict', '-CAfile', 'ca.pem', 'ours.pem'], { cwd: dir });
  assert.equal(ov.status, 0, ov.stderr + ov.stdout);
  const text = runOk('openssl', ['x509', '-in', 'ours.pem', '-noout', '-text'], { cwd: dir });
  assert.match(text, /Signature Algorithm: rsassaPss[\s\S]*Salt Length: 0x20/);
  assert.match(text, /Public Key Algorithm: rsassaPss/, 'the subject key stays a PSS key');
  assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature\n/, 'RFC 4055 1.2: no keyEncipherment for a PSS key');

  const [k] = await inspectJson(join(dir, 'ca.key'));
  assert.equal(k!.key, describeKey(caKey));
  assert.equal(describeKey(caKey), 'RSA-PSS 2048 (SHA-256, MGF1-SHA-256, salt >= 32)');
  const [c] = await inspectJson(join(dir, 'leaf.pem'));
  assert.deepEqual((c!.publicKey as Record<string, unknown>).pss, { hash: null, mgf1Hash: null, saltLength: null });
  assert.equal((c!.signatureAlgorithm as Record<string, unknown>).name, 'RSASSA-PSS');
});

test('explicit EC parameters (openssl -param_enc explicit): P-256 is P-256; other curves are opaque', async (t) => {
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  const o = (...a: string[]): string => runOk('openssl', a, { cwd: dir });
  o('ecparam', '-name', 'prime256v1', '-param_enc', 'explicit', '-genkey', '-noout', '-out', 'p256x.pem');
  o('pkcs8', '-topk8', '-nocrypt', '-in', 'p256x.pem', '-out', 'p256x8.pem');
  o('req', '-x509', '-key', 'p256x.pem', '-subj', '/CN=explicit', '-days', '2', '-out', 'p256x-cert.pem');
  assert.match(o('pkey', '-in', 'p256x8.pem', '-noout', '-text'), /Field Type: prime-field/, 'openssl wrote explicit parameters');
  for (const f of ['p256x.pem', 'p256x8.pem']) {
    const k = parsePrivateKey(readFileSync(join(dir, f), 'utf8'));
    assert.ok(k.type === 'ec' && k.curve === 'P-256', f);
  }
  const cert = parseCertificate(readFileSync(join(dir, 'p256x-cert.pem'), 'utf8'));
  assert.ok(cert.publicKey.type === 'ec' && cert.publicKey.curve === 'P-256', 'check at line 142');
  // The key from explicit parameters verifies: a leaf signed by it checks out.
  o('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'l.key');
  o('req', '-new', '-key', 'l.key', '-subj', '/CN=l.example', '-out', 'l.csr');
  writeFileSync(join(dir, 'l.cnf'), 'subjectAltName=DNS:l.example\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  o('x509', '-req', '-in', 'l.csr', '-CA', 'p256x-cert.pem', '-CAkey', 'p256x.pem', '-set_serial', '3', '-days', '2', '-extfile', 'l.cnf', '-out', 'l.pem');
  const v = verifyCertificate(parseCertificate(readFileSync(join(dir, 'l.pem'), 'utf8')), { trustAnchors: [cert], host: 'l.example' });
  assert.ok(v.ok, why(v));
  assert.ok(publicKeysEqual(cert.publicKey, parsePrivateKey(readFileSync(join(dir, 'p256x.pem'), 'utf8'))));

  o('ecparam', '-name', 'secp256k1', '-param_enc', 'explicit', '-genkey', '-noout', '-out', 'k1x.pem');
  o('req', '-x509', '-key', 'k1x.pem', '-subj', '/CN=k1', '-days', '2', '-out', 'k1x-cert.pem');
  o('ecparam', '-name', 'brainpoolP256r1', '-genkey', '-noout', '-out', 'bp.pem');
  o('req', '-x509', '-key', 'bp.pem', '-subj', '/CN=bp', '-days', '2', '-addext', 'keyUsage=critical,keyCertSign', '-out', 'bp-cert.pem');
  // A leaf signed by the brainpool CA with ecdsa-with-SHA256: a supported algorithm, an opaque issuer key.
  o('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'leaf.key');
  o('req', '-new', '-key', 'leaf.key', '-subj', '/CN=leaf.example', '-out', 'leaf.csr');
  o('x509', '-req', '-in', 'leaf.csr', '-CA', 'bp-cert.pem', '-CAkey', 'bp.pem', '-set_serial', '9', '-days', '2', '-out', 'bp-leaf.pem');
  const k1 = parseCertificate(readFileSync(join(dir, 'k1x-cert.pem'), 'utf8'));
  assert.ok(k1.publicKey.type === 'opaque' && /explicit EC parameters/.test(k1.publicKey.reason) && k1.publicKey.bits === 256, 'check at line 161');
  const bp = parseCertificate(readFileSync(join(dir, 'bp-cert.pem'), 'utf8'));
  assert.ok(bp.publicKey.type === 'opaque' && bp.publicKey.details === 'curve brainpoolP256r1', 'check at line 163');
  const vb = verifyCertificate(parseCertificate(readFileSync(join(dir, 'bp-leaf.pem'), 'utf8')), { trustAnchors: [bp] });
  assert.ok(!vb.ok && vb.reason === 'unsupported-algorithm', why(vb));
  const [j] = await inspectJson(join(dir, 'bp-cert.pem'));
  const key = j!.publicKey as Record<string, unknown>;
  assert.equal(key.type, 'opaque');
  assert.equal(key.parameters, '06092b2403030208010107', 'the namedCurve OID, as DER hex');
  assert.equal((j!.fingerprints as Record<string, unknown>).spkiSha256, sha256Der(dir, ['x509', '-in', 'bp-cert.pem', '-noout', '-pubkey', '|', 'openssl', 'pkey', '-pubin']));
  const [pk] = await inspectJson(join(dir, 'bp.pem'));
  assert.equal(pk!.supported, false);
  assert.match(String(pk!.reason), /brainpoolP256r1 is not supported/);
});

test('X25519 key in a certificate (Python cryptography): opaque, shown, not used', async (t) => {
  if (!oracle(t, 'python3-cryptography')) return;
  const dir = tempDir();
  runOk(PYTHON, ['-c', `
import datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x25519
ca = ec.generate_private_key(ec.SECP256R1())
subj = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x25519.example")])
now = datetime.datetime.now(datetime.timezone.utc)
c = (x509.CertificateBuilder().subject_name(subj).issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ca")]))
     .public_key(x25519.X25519PrivateKey.generate().public_key()).serial_number(7)
     .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=2)).sign(ca, hashes.SHA256()))
open("x.pem", "wb").write(c.public_bytes(serialization.Encoding.PEM))
`], { cwd: dir });
  const cert = parseCertificate(readFileSync(join(dir, 'x.pem'), 'utf8'));
  assert.ok(cert.publicKey.type === 'opaque' && cert.publicKey.algorithm === 'X25519', 'check at line 194');
  const [j] = await inspectJson(join(dir, 'x.pem'));
  assert.equal((j!.publicKey as Record<string, unknown>).algorithm, 'X25519');
  assert.equal((j!.subject as Record<string, unknown>).rfc4514, 'CN=x25519.example');
});

test('generateKeyPair({ type: "rsa-pss" }): openssl reads the key with its restrictions and verifies its signatures', async (t) => {
  if (!oracle(t, 'openssl')) return;
  const dir = tempDir();
  const { privateKey, publicKey } = await generateKeyPair({ type: 'rsa-pss', bits: 2048, hash: 'SHA-384' });
  assert.deepEqual(publicKey.type === 'rsa' && publicKey.pss, { hash: 'SHA-384', mgf1Hash: 'SHA-384', saltLength: 48 });
  writeFileSync(join(dir, 'k.pem'), encodePrivateKeyPem(privateKey));
  writeFileSync(join(dir, 'pub.pem'), encodePublicKeyPem(publicKey));
  // (the public half only: a private key's text must not end up in test output)
  const text = runOk('openssl', ['pkey', '-pubin', '-in', 'pub.pem', '-noout', '-text'], { cwd: dir });
  assert.ok(/PSS parameter restrictions:\s+Hash Algorithm: SHA2-384\s+Mask Algorithm: MGF1 with SHA2-384\s+Minimum Salt Length: (48|0x30)/.test(text), 'openssl reads the restrictions');
  runOk('openssl', ['pkey', '-in', 'k.pem', '-noout'], { cwd: dir }); // and reads the private key
  const data = new TextEncoder().encode('pss key from mailpki');
  writeFileSync(join(dir, 'data'), data);
  writeFileSync(join(dir, 'sig'), sign(privateKey, data));
  const v = run('openssl', ['dgst', '-sha384', '-verify', 'pub.pem', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48', '-signature', 'sig', 'data'], { cwd: dir });
  assert.equal(v.status, 0, v.stderr + v.stdout);
  // and the other way: openssl signs with the key it read from our file
  runOk('openssl', ['dgst', '-sha384', '-sign', 'k.pem', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48', '-out', 'osig', 'data'], { cwd: dir });
  assert.equal(verify(publicKey, data, new Uint8Array(readFileSync(join(dir, 'osig')))), true);
  // a self-signed CA with it: openssl accepts mailpki's PSS certificate and key
  const ca = createRootCa({ subject: { CN: 'PSS made by mailpki' }, privateKey });
  writeFileSync(join(dir, 'ca.pem'), ca.pem);
  const ov = run('openssl', ['verify', '-x509_strict', '-CAfile', 'ca.pem', 'ca.pem'], { cwd: dir });
  assert.equal(ov.status, 0, ov.stderr + ov.stdout);
  await assert.rejects(generateKeyPair({ type: 'rsa-pss', bits: 2048, hash: 'SHA-1' as never }), RangeError);
});
