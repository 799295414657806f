// PKCS#12 against Java's keytool (an independent implementation, and one of
// the importers the legacy format exists for): keytool reads what mailpki
// writes (default and legacy; the chain comes out as the key entry's chain),
// and mailpki reads what keytool writes (JDK default: PBES2 AES-256 +
// HMAC-SHA256, 10000 iterations; `-J-Dkeystore.pkcs12.legacy`: 3DES key,
// RC2-40 certificates, SHA-1 MAC at 100000 iterations), with the same key as
// OpenSSL extracts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, run, runOk, tempDir } from '../helpers/env.js';
import { encodePkcs12, parsePkcs12, encodePkcs8, parsePrivateKey, generateKeyPair, getPublicKey, createRootCa, issueCertificate, parseCertificates, toHex } from '../../src/index.js';

const dir = tempDir('mailpki-p12-java-');
/** keytool is an oracle like the others (.ci/run installs default-jre-headless): skipped visibly locally, a failure in CI. */
function java(t: import('node:test').TestContext): boolean {
  return oracle(t, 'keytool');
}
const PW = 'javapass';

test('keytool -list reads mailpki PKCS#12 files (default and legacy, with a chain)', { timeout: 120_000 }, async (t) => {
  if (!java(t)) return;
  const caKey = (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
  const ca = createRootCa({ subject: 'CN=Java Interop CA', privateKey: caKey, days: 30 });
  const key = (await generateKeyPair({ type: 'rsa', bits: 2048 })).privateKey;
  const cert = issueCertificate({ profile: 'smime', publicKey: getPublicKey(key), subject: 'CN=Dana', sans: ['dana@example.com'], issuer: ca, issuerKey: caKey, days: 30 });
  for (const compatibility of ['default', 'legacy'] as const) {
    const f = join(dir, `ours-${compatibility}.p12`);
    writeFileSync(f, encodePkcs12({ key, certificate: cert, chain: [ca], passphrase: PW, compatibility, friendlyName: 'dana' }));
    const out = runOk('keytool', ['-list', '-v', '-keystore', f, '-storetype', 'PKCS12', '-storepass', PW]);
    assert.match(out, /Alias name: dana/);
    assert.match(out, /Entry type: PrivateKeyEntry/);
    assert.match(out, /Certificate chain length: 2/);
    assert.match(out, /Owner: CN=Dana/);
    assert.notEqual(run('keytool', ['-list', '-keystore', f, '-storetype', 'PKCS12', '-storepass', 'wrong']).status, 0);
  }
});

test('mailpki reads what keytool writes (JDK default and -Dkeystore.pkcs12.legacy)', { timeout: 120_000 }, (t) => {
  if (!java(t) || !oracle(t, 'openssl')) return;
  for (const [name, keyalg, props, info] of [
    ['jdk-default', ['-keyalg', 'EC', '-groupname', 'secp256r1'], [], /PBES2 \(PBKDF2-HMAC-SHA256, 10000 iterations, AES-256-CBC\)/],
    ['jdk-legacy', ['-keyalg', 'RSA', '-keysize', '2048'], ['-J-Dkeystore.pkcs12.legacy'], /certificate:pbeWithSHAAnd40BitRC2-CBC, 50000 iterations/],
  ] as const) {
    const f = join(dir, `${name}.p12`);
    runOk('keytool', ['-genkeypair', ...props, '-keystore', f, '-storetype', 'PKCS12', '-storepass', PW, ...keyalg, '-alias', name, '-dname', `CN=${name}`, '-validity', '30']);
    const r = parsePkcs12(readFileSync(f), { passphrase: PW });
    const pem = runOk('openssl', ['pkcs12', '-in', f, '-passin', `pass:${PW}`, '-nodes', ...(name === 'jdk-legacy' ? ['-legacy'] : [])]);
    assert.equal(toHex(encodePkcs8(r.key!)), toHex(encodePkcs8(parsePrivateKey(pem))));
    assert.equal(toHex(r.certificate!), toHex(parseCertificates(pem)[0]!.der));
    assert.equal(r.friendlyName, name);
    assert.match(r.bags.map((b) => `${b.type}:${b.encryption}`).join(' | '), info);
    assert.throws(() => parsePkcs12(readFileSync(f), { passphrase: 'wrong' }), (e: Error & { code?: string }) => e.code === 'ERR_BAD_PASSPHRASE');
  }
});
