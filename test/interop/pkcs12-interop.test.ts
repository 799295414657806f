// PKCS#12 against oracles we did not write:
// - every file mailpki writes (default and legacy, RSA and EC, with and
//   without a chain) is read by `openssl pkcs12 -info -noout` and by
//   `openssl pkcs12 -nodes` (key and certificates compared), GnuTLS
//   `certtool --p12-info`, Python cryptography's
//   `pkcs12.load_key_and_certificates`, and used by Node's
//   `tls.createSecureContext({ pfx, passphrase })` in a live TLS handshake
//   on loopback;
// - every variant OpenSSL 3 writes (`-export`, `-legacy` (RC2-40 certificate
//   bag), `-certpbe`/`-keypbe` variants, `-nomac`, `-macalg`, `-certpbe NONE`,
//   a chain, `-name`) and what Python cryptography writes is read by mailpki
//   with the same key and certificates;
// - RC2-40 and RC2-128 CBC decryption against `openssl enc` (legacy provider).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import tls from 'node:tls';
import { hasCommand, oracle, run, runOk, tempDir, PYTHON } from '../helpers/env.js';
import { encodePkcs12, parsePkcs12, encodePkcs8, encodePrivateKeyPem, generateKeyPair, getPublicKey, parsePrivateKey, createRootCa, issueCertificate, parseCertificates, spkiSha256, type PrivateKey, type Certificate, toHex } from '../../src/index.js';
import { rc2CbcDecrypt } from '../../src/crypto/rc2.js';

const PW = 'p12 pass phrase';
const dir = tempDir('mailpki-p12-interop-');
const file = (n: string): string => join(dir, n);

interface Fixture {
  key: PrivateKey;
  cert: Certificate;
  root: Certificate;
}
async function fixture(type: 'rsa' | 'ec'): Promise<Fixture> {
  const rootKey = (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
  const root = createRootCa({ subject: 'CN=P12 Interop Root', privateKey: rootKey, days: 30 });
  const key = (type === 'rsa' ? await generateKeyPair({ type: 'rsa', bits: 2048 }) : await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
  // tls-server: the same file then also serves the live TLS handshake
  const cert = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(key), subject: 'CN=localhost', sans: ['localhost'], issuer: root, issuerKey: rootKey, days: 30 });
  return { key, cert, root };
}
const fixtures = { rsa: fixture('rsa'), ec: fixture('ec') };

/** Certificates in PEM text, as DER hex, in order. */
const certsHex = (pem: string): string[] => parseCertificates(pem).map((c) => toHex(c.der));
const pkcs8Hex = (k: PrivateKey): string => toHex(encodePkcs8(k));

for (const type of ['rsa', 'ec'] as const) {
  for (const compatibility of ['default', 'legacy'] as const) {
    for (const withChain of [false, true]) {
      const name = `${type}-${compatibility}${withChain ? '-chain' : ''}`;
      test(`mailpki writes ${name}: openssl, certtool, python, Node TLS read it`, { timeout: 120_000 }, async (t) => {
        const { key, cert, root } = await fixtures[type];
        const p12 = encodePkcs12({ key, certificate: cert, ...(withChain ? { chain: [root] } : {}), passphrase: PW, compatibility, friendlyName: 'Mail Key' });
        const p = file(`${name}.p12`);
        writeFileSync(p, p12);
        const expectCerts = withChain ? [toHex(cert.der), toHex(root.der)] : [toHex(cert.der)];

        if (oracle(t, 'openssl')) {
          const r = run('openssl', ['pkcs12', '-info', '-noout', '-in', p, '-passin', `pass:${PW}`]);
          const text = r.stdout + r.stderr;
          if (compatibility === 'default') {
            assert.match(text, /MAC: sha256, Iteration 2048/);
            assert.match(text, /PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
            assert.match(text, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/);
          } else {
            assert.match(text, /MAC: sha1, Iteration 2048/);
            assert.match(text, /PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/);
            assert.match(text, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/);
          }
          // key and certificates out, compared with what went in
          const pem = runOk('openssl', ['pkcs12', '-in', p, '-passin', `pass:${PW}`, '-nodes']);
          assert.equal(pkcs8Hex(parsePrivateKey(pem)), pkcs8Hex(key));
          assert.deepEqual(certsHex(pem), expectCerts);
          assert.match(pem, /friendlyName: Mail Key/);
          assert.match(pem, /localKeyID: /);
          // wrong passphrase: OpenSSL refuses it too (the MAC is right for the right one only)
          assert.notEqual(run('openssl', ['pkcs12', '-info', '-noout', '-in', p, '-passin', 'pass:wrong']).status, 0);
        }
        if (oracle(t, 'certtool')) {
          const out = runOk('certtool', ['--p12-info', '--inder', '--password', PW, '--infile', p]);
          assert.match(out, compatibility === 'default' ? /MAC: SHA256/ : /MAC: SHA1/);
          assert.match(out, compatibility === 'default' ? /Schema: PBES2-AES256-CBC/ : /Schema: PKCS12-3DES-SHA1/);
          assert.match(out, /Friendly name: Mail Key/);
          assert.deepEqual(certsHex(out), expectCerts);
          const keyPem = /-----BEGIN ENCRYPTED PRIVATE KEY-----[\s\S]+?-----END ENCRYPTED PRIVATE KEY-----/.exec(out);
          assert.ok(keyPem, 'certtool shows the shrouded key bag');
          // GnuTLS decrypts the bag itself: the same key comes out
          writeFileSync(file(`${name}-gnutls.key`), keyPem[0]);
          const plainKey = runOk('certtool', ['-k', '--password', PW, '--infile', file(`${name}-gnutls.key`)]);
          // its "Public Key ID" is the SPKI SHA-256 of the key it decrypted
          assert.match(plainKey, new RegExp(`Public Key ID:\\s+sha256:${spkiSha256(getPublicKey(key))}`));
          // RSA comes out whole (GnuTLS writes EC keys without their curve, which no reader accepts alone)
          if (type === 'rsa') assert.equal(pkcs8Hex(parsePrivateKey(plainKey.slice(plainKey.indexOf('-----BEGIN')))), pkcs8Hex(key));
        }
        if (oracle(t, 'python3-cryptography')) {
          const py = [
            'import sys',
            'from cryptography.hazmat.primitives.serialization import pkcs12, Encoding, PrivateFormat, NoEncryption',
            'p = pkcs12.load_pkcs12(open(sys.argv[1], "rb").read(), sys.argv[2].encode())',
            'print(p.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()).hex())',
            'print(p.cert.certificate.public_bytes(Encoding.DER).hex())',
            'print((p.cert.friendly_name or b"").decode())',
            'print(",".join(c.certificate.public_bytes(Encoding.DER).hex() for c in p.additional_certs))',
            'k, c, extra = pkcs12.load_key_and_certificates(open(sys.argv[1], "rb").read(), sys.argv[2].encode())',
            'print(len(extra))',
          ].join('\n');
          const [k, c, fn, extra, n] = runOk(PYTHON, ['-c', py, p, PW]).trim().split('\n');
          assert.equal(parsePrivateKey(Buffer.from(k!, 'hex')) && pkcs8Hex(parsePrivateKey(Buffer.from(k!, 'hex'))), pkcs8Hex(key));
          assert.equal(c, toHex(cert.der));
          assert.equal(fn, 'Mail Key');
          assert.equal(extra, withChain ? toHex(root.der) : '');
          assert.equal(n, withChain ? '1' : '0');
          assert.notEqual(run(PYTHON, ['-c', py, p, 'wrong']).status, 0);
        }

        // Node (OpenSSL inside): the PFX as a TLS server's key and certificate, a real handshake on loopback.
        const server = tls.createServer({ pfx: Buffer.from(p12), passphrase: PW, minVersion: 'TLSv1.2' }, (s) => s.end('hi'));
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        try {
          const port = (server.address() as { port: number }).port;
          const sock = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: root.pem });
          const timer = setTimeout(() => sock.destroy(new Error('handshake timeout')), 10_000);
          await once(sock, 'secureConnect');
          clearTimeout(timer);
          assert.equal(sock.authorized, true, String(sock.authorizationError));
          assert.equal(toHex(sock.getPeerCertificate().raw), toHex(cert.der));
          const [data] = await once(sock, 'data');
          assert.equal(String(data), 'hi');
          sock.destroy();
        } finally {
          server.close();
        }
        assert.throws(() => tls.createSecureContext({ pfx: Buffer.from(p12), passphrase: 'wrong' }));
      });
    }
  }
}

const OPENSSL_VARIANTS: ReadonlyArray<readonly [string, string[], RegExp]> = [
  ['default', [], /^certificate:PBES2 \(PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC\).*shrouded-key:PBES2/],
  ['-legacy (RC2-40 certificates, 3DES key)', ['-legacy'], /certificate:pbeWithSHAAnd40BitRC2-CBC, 2048 iterations.*shrouded-key:pbeWithSHAAnd3-KeyTripleDES-CBC/],
  ['-legacy -certpbe PBE-SHA1-3DES', ['-legacy', '-certpbe', 'PBE-SHA1-3DES'], /certificate:pbeWithSHAAnd3-KeyTripleDES-CBC.*shrouded-key:pbeWithSHAAnd3-KeyTripleDES-CBC/],
  ['-legacy -certpbe PBE-SHA1-RC2-128 -keypbe PBE-SHA1-2DES', ['-legacy', '-certpbe', 'PBE-SHA1-RC2-128', '-keypbe', 'PBE-SHA1-2DES'], /certificate:pbeWithSHAAnd128BitRC2-CBC.*shrouded-key:pbeWithSHAAnd2-KeyTripleDES-CBC/],
  ['-certpbe AES-128-CBC -keypbe AES-192-CBC', ['-certpbe', 'AES-128-CBC', '-keypbe', 'AES-192-CBC'], /certificate:PBES2 \(PBKDF2-HMAC-SHA256, 2048 iterations, AES-128-CBC\).*shrouded-key:PBES2 \(PBKDF2-HMAC-SHA256, 2048 iterations, AES-192-CBC\)/],
  ['-certpbe NONE (unencrypted certificate bag)', ['-certpbe', 'NONE'], /certificate:none.*shrouded-key:PBES2/],
  ['-keypbe NONE (plain key bag)', ['-keypbe', 'NONE'], /certificate:PBES2.*key:none/],
  ['-nomac (OpenSSL then leaves the certificates unencrypted)', ['-nomac'], /certificate:none.*shrouded-key:PBES2/],
  ['-macalg sha1', ['-macalg', 'sha1'], /./],
  ['-macalg sha384', ['-macalg', 'sha384'], /./],
  ['-macalg sha512 -iter 5000 -maciter', ['-macalg', 'sha512', '-iter', '5000'], /5000 iterations/],
  ['-noiter -nomaciter', ['-noiter', '-nomaciter'], /1 iterations/],
];

for (const type of ['rsa', 'ec'] as const) {
  for (const [label, args, bags] of OPENSSL_VARIANTS) {
    test(`OpenSSL writes ${type} ${label}, with a chain and -name: mailpki reads the same key and certificates`, { timeout: 60_000 }, async (t) => {
      if (!oracle(t, 'openssl')) return;
      const { key, cert, root } = await fixtures[type];
      const kp = file(`o-${type}.key`);
      const cp = file(`o-${type}.crt`);
      const chp = file(`o-${type}-root.crt`);
      writeFileSync(kp, encodePrivateKeyPem(key));
      writeFileSync(cp, cert.pem);
      writeFileSync(chp, root.pem);
      const out = file(`o-${type}-${label.replace(/\W+/g, '_')}.p12`);
      runOk('openssl', ['pkcs12', '-export', '-inkey', kp, '-in', cp, '-certfile', chp, '-name', 'From OpenSSL', '-passout', `pass:${PW}`, '-out', out, ...args]);
      const r = parsePkcs12(readFileSync(out), { passphrase: PW });
      assert.equal(pkcs8Hex(r.key!), pkcs8Hex(key));
      assert.equal(toHex(r.certificate!), toHex(cert.der));
      assert.deepEqual(r.chain.map(toHex), [toHex(root.der)]);
      assert.equal(r.friendlyName, 'From OpenSSL');
      assert.match(r.bags.map((b) => `${b.type}:${b.encryption}`).join(' | '), bags);
      if (args.includes('-nomac')) assert.equal(r.mac, null);
      else {
        const macalg = args[args.indexOf('-macalg') + 1];
        assert.equal(r.mac?.hash, args.includes('-legacy') || macalg === 'sha1' ? 'SHA-1' : macalg === 'sha384' ? 'SHA-384' : macalg === 'sha512' ? 'SHA-512' : 'SHA-256');
      }
      assert.throws(() => parsePkcs12(readFileSync(out), { passphrase: `${PW}x` }), (e: Error & { code?: string }) => e.code === 'ERR_BAD_PASSPHRASE');
    });
  }
}

test('OpenSSL with an empty passphrase (-passout pass:): read with ""', async (t) => {
  if (!oracle(t, 'openssl')) return;
  const { key, cert } = await fixtures.ec;
  writeFileSync(file('e.key'), encodePrivateKeyPem(key));
  writeFileSync(file('e.crt'), cert.pem);
  for (const extra of [[], ['-legacy']]) {
    runOk('openssl', ['pkcs12', '-export', '-inkey', file('e.key'), '-in', file('e.crt'), '-passout', 'pass:', '-out', file('e.p12'), ...extra]);
    const r = parsePkcs12(readFileSync(file('e.p12')), { passphrase: '' });
    assert.equal(pkcs8Hex(r.key!), pkcs8Hex(key));
  }
  // and ours with "" is read by OpenSSL with an empty -passin
  writeFileSync(file('e2.p12'), encodePkcs12({ key, certificate: cert, passphrase: '' }));
  const pem = runOk('openssl', ['pkcs12', '-in', file('e2.p12'), '-passin', 'pass:', '-nodes']);
  assert.equal(pkcs8Hex(parsePrivateKey(pem)), pkcs8Hex(key));
});

test('Python cryptography writes (best available, and legacy PBESv1SHA1And3KeyTripleDESCBC): mailpki reads', async (t) => {
  if (!oracle(t, 'python3-cryptography')) return;
  const { key, cert, root } = await fixtures.rsa;
  writeFileSync(file('py.key'), encodePrivateKeyPem(key));
  writeFileSync(file('py.crt'), cert.pem);
  writeFileSync(file('py-root.crt'), root.pem);
  const py = [
    'import sys',
    'from cryptography import x509',
    'from cryptography.hazmat.primitives import serialization, hashes',
    'from cryptography.hazmat.primitives.serialization import pkcs12, BestAvailableEncryption, PrivateFormat',
    'key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)',
    'cert = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())',
    'root = x509.load_pem_x509_certificate(open(sys.argv[3], "rb").read())',
    'pw = sys.argv[4].encode()',
    'open(sys.argv[5], "wb").write(pkcs12.serialize_key_and_certificates(b"py name", key, cert, [root], BestAvailableEncryption(pw)))',
    'enc = PrivateFormat.PKCS12.encryption_builder().kdf_rounds(1000).key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1()).build(pw)',
    'open(sys.argv[6], "wb").write(pkcs12.serialize_key_and_certificates(b"py name", key, cert, [root], enc))',
  ].join('\n');
  runOk(PYTHON, ['-c', py, file('py.key'), file('py.crt'), file('py-root.crt'), PW, file('py1.p12'), file('py2.p12')]);
  for (const f of ['py1.p12', 'py2.p12']) {
    const r = parsePkcs12(readFileSync(file(f)), { passphrase: PW });
    assert.equal(pkcs8Hex(r.key!), pkcs8Hex(key));
    assert.equal(toHex(r.certificate!), toHex(cert.der));
    assert.deepEqual(r.chain.map(toHex), [toHex(root.der)]);
    assert.equal(r.friendlyName, 'py name');
  }
});

test('RC2-40-CBC and RC2-128-CBC decryption equal `openssl enc` (legacy provider)', (t) => {
  if (!oracle(t, 'openssl')) return;
  const plain = new Uint8Array(61).map((_, i) => (i * 37 + 11) & 0xff);
  writeFileSync(file('rc2.in'), plain);
  for (const [cipher, keyHex, bits] of [['rc2-40-cbc', '0102030405', 40], ['rc2-cbc', '00112233445566778899aabbccddeeff', 128], ['rc2-64-cbc', 'fedcba9876543210', 64]] as const) {
    const iv = '0706050403020100';
    const r = run('openssl', ['enc', `-${cipher}`, '-K', keyHex, '-iv', iv, '-provider', 'legacy', '-provider', 'default', '-in', file('rc2.in'), '-out', file('rc2.out')]);
    if (r.status !== 0) {
      if (process.env.MAILPKI_REQUIRE_ORACLES === '1') assert.fail(`openssl legacy provider: ${r.stderr}`);
      t.skip('OpenSSL legacy provider not available');
      return;
    }
    const ct = new Uint8Array(readFileSync(file('rc2.out')));
    const dec = rc2CbcDecrypt(Buffer.from(keyHex, 'hex'), bits, Buffer.from(iv, 'hex'), ct);
    const pad = dec[dec.length - 1]!;
    assert.equal(toHex(dec.subarray(0, dec.length - pad)), toHex(plain), cipher);
  }
});

test('non-ASCII passphrase (incl. a character beyond U+FFFF): OpenSSL and Python agree with us both ways', async (t) => {
  if (!oracle(t, 'openssl')) return;
  const pw = 'Pässwörd 🔑 密码';
  const { key, cert } = await fixtures.ec;
  writeFileSync(file('u.key'), encodePrivateKeyPem(key));
  writeFileSync(file('u.crt'), cert.pem);
  for (const compatibility of ['default', 'legacy'] as const) {
    const ours = file(`u-ours-${compatibility}.p12`);
    writeFileSync(ours, encodePkcs12({ key, certificate: cert, passphrase: pw, compatibility }));
    assert.equal(pkcs8Hex(parsePrivateKey(runOk('openssl', ['pkcs12', '-in', ours, '-passin', `pass:${pw}`, '-nodes']))), pkcs8Hex(key));
    if (hasCommand('python3-cryptography')) {
      const py = 'import sys\nfrom cryptography.hazmat.primitives.serialization import pkcs12\nk, c, a = pkcs12.load_key_and_certificates(open(sys.argv[1], "rb").read(), sys.argv[2].encode())\nprint(c.serial_number)';
      assert.equal(runOk(PYTHON, ['-c', py, ours, pw]).trim(), BigInt(`0x${cert.serialHex}`).toString());
    }
    const theirs = file(`u-openssl-${compatibility}.p12`);
    runOk('openssl', ['pkcs12', '-export', '-inkey', file('u.key'), '-in', file('u.crt'), '-passout', `pass:${pw}`, '-out', theirs, ...(compatibility === 'legacy' ? ['-legacy'] : [])]);
    assert.equal(pkcs8Hex(parsePkcs12(readFileSync(theirs), { passphrase: pw }).key!), pkcs8Hex(key));
  }
});
