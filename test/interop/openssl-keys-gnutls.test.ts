// A second, independent oracle for key files: GnuTLS certtool (its own
// PKCS#8 / PBES2 / PKCS#1 / SEC1 code, not OpenSSL's). Keys mailpki writes are
// loaded by certtool and give the same public key; keys certtool writes
// (PBES2 with PBKDF2-HMAC-SHA256 at 600,000 iterations, AES-128/256 or 3DES)
// are read by mailpki with the same public key. certtool does not read
// scrypt, so scrypt is covered by the OpenSSL interop test only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, runOk, tempDir } from '../helpers/env.js';
import { encodePrivateKeyPem, encryptPrivateKeyPem, encodePublicKeyPem, isEncryptedPrivateKey, parsePkcs8, parsePrivateKey, type EncryptPrivateKeyOptions, type PrivateKey } from '../../src/index.js';

const PW = 'gnutls pass';

function certtoolPublic(file: string, password?: string): string {
  const out = runOk('certtool', ['--load-privkey', file, '--pubkey-info', ...(password ? ['--password', password] : [])]);
  const m = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----\n/.exec(out);
  assert.ok(m, 'certtool printed a public key');
  return m[0];
}

test('keys mailpki writes (plain, PBES2-PBKDF2, legacy PEM) are loaded by GnuTLS certtool with the same public key', (t) => {
  if (!oracle(t, 'certtool')) return;
  const dir = tempDir('mailpki-keys-gnutls-');
  const keys: PrivateKey[] = [
    parsePkcs8(new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer)),
    ...(['P-256', 'P-384', 'P-521'] as const).map((c) => parsePkcs8(new Uint8Array(generateKeyPairSync('ec', { namedCurve: c }).privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer))),
    parsePkcs8(new Uint8Array(generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer)),
  ];
  let n = 0;
  for (const key of keys) {
    const variants: Array<EncryptPrivateKeyOptions & { passphrase?: string }> = [{}, { passphrase: PW, iterations: 2048 }, { passphrase: PW, iterations: 1000, cipher: 'aes-128-cbc' }];
    if (key.type === 'rsa') variants.push({ format: 'pkcs1' }, { format: 'pkcs1', passphrase: PW, legacyCipher: 'aes-128-cbc' }, { format: 'pkcs1', passphrase: PW, legacyCipher: 'des-ede3-cbc' });
    if (key.type === 'ec') variants.push({ format: 'sec1' }, { format: 'sec1', passphrase: PW, legacyCipher: 'aes-256-cbc' });
    for (const v of variants) {
      const file = join(dir, `k${n++}.pem`);
      writeFileSync(file, v.passphrase !== undefined ? encryptPrivateKeyPem(key, v.passphrase, v) : encodePrivateKeyPem(key, v));
      assert.equal(certtoolPublic(file, v.passphrase as string | undefined), encodePublicKeyPem(key), `${key.type} ${JSON.stringify(v)}`);
    }
  }
  assert.ok(n >= 20);
});

test('keys GnuTLS certtool writes (PBES2 AES-256/AES-128/3DES, 600k iterations; plain) are read by mailpki', (t) => {
  if (!oracle(t, 'certtool')) return;
  const dir = tempDir('mailpki-keys-gnutls-');
  const cases: Array<[string, string[], string | undefined]> = [
    ['ecdsa P-384 aes-256', ['--key-type', 'ecdsa', '--curve', 'secp384r1', '--pkcs8', '--password', PW, '--pkcs-cipher', 'aes-256'], PW],
    ['ed25519 aes-128', ['--key-type', 'ed25519', '--pkcs8', '--password', PW, '--pkcs-cipher', 'aes-128'], PW],
    ['rsa 3des', ['--key-type', 'rsa', '--bits', '2048', '--pkcs8', '--password', PW, '--pkcs-cipher', '3des'], PW],
    ['rsa plain', ['--key-type', 'rsa', '--bits', '2048'], undefined],
    ['ecdsa P-256 plain', ['--key-type', 'ecdsa', '--curve', 'secp256r1'], undefined],
  ];
  for (const [name, args, pw] of cases) {
    const file = join(dir, `${name.replace(/\W/g, '_')}.pem`);
    runOk('certtool', ['--generate-privkey', ...args, '--outfile', file]);
    const text = readFileSync(file, 'utf8'); // certtool puts a text dump before the PEM block
    assert.equal(isEncryptedPrivateKey(text), pw !== undefined, name);
    const key = parsePrivateKey(text, pw ? { passphrase: pw } : {});
    assert.equal(encodePublicKeyPem(key), certtoolPublic(file, pw), name);
  }
});
