// Keys from every generateKeyPair path (one thread, worker threads; RSA
// 2048/3072, EC P-256/384/521, Ed25519), written as PKCS#8 PEM by mailpki,
// pass `openssl pkey -check`, and OpenSSL's view of the key (modulus / public
// half) matches ours. RSA primes are also re-checked with `openssl prime`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, runOk, tempDir } from '../helpers/env.js';
import { createKeygenPool } from '../../src/node/keygen-workers.js';
import { generateKeyPair, encodePrivateKeyPem, encodePublicKeyPem, createSeededRandom, type KeyPair, type RsaPrivateKey } from '../../src/index.js';

const dir = tempDir('mailpki-keygen-');
const pool = createKeygenPool({ workers: 2 });
after(() => pool.close());

function opensslCheck(name: string, kp: KeyPair): void {
  const file = join(dir, `${name}.pem`);
  writeFileSync(file, encodePrivateKeyPem(kp.privateKey), { mode: 0o600 });
  const out = runOk('openssl', ['pkey', '-in', file, '-check', '-noout']);
  assert.match(out, /valid/i, `${name}: ${out}`);
  // OpenSSL's public half equals ours
  const pub = runOk('openssl', ['pkey', '-in', file, '-pubout']);
  assert.equal(pub.trim(), encodePublicKeyPem(kp.publicKey).trim(), `${name}: public key`);
  if (kp.privateKey.type === 'rsa') {
    const k = kp.privateKey as RsaPrivateKey;
    const mod = runOk('openssl', ['rsa', '-in', file, '-noout', '-modulus']).trim();
    assert.equal(BigInt('0x' + mod.replace(/^Modulus=/, '')), k.n);
    for (const p of [k.p, k.q]) assert.match(runOk('openssl', ['prime', p.toString()]), /is prime/, `${name}: openssl prime`);
  }
}

test('one-thread RSA 2048 and seeded 3072 pass openssl pkey -check', async (t) => {
  if (!oracle(t, 'openssl')) return;
  opensslCheck('rsa2048', await generateKeyPair({ type: 'rsa', bits: 2048 }));
  opensslCheck('rsa3072', await generateKeyPair({ type: 'rsa', bits: 3072, rng: createSeededRandom('interop-3072') }));
});

test('worker RSA 2048 (system rng and seeded) pass openssl pkey -check', async (t) => {
  if (!oracle(t, 'openssl')) return;
  opensslCheck('rsa2048-workers', await pool.generateKeyPair({ type: 'rsa', bits: 2048 }));
  opensslCheck('rsa2048-workers-seeded', await pool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('interop-w') }));
});

test('EC P-256/384/521 and Ed25519 (direct and through the pool) pass openssl pkey -check', async (t) => {
  if (!oracle(t, 'openssl')) return;
  for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
    opensslCheck(`ec-${curve}`, await generateKeyPair({ type: 'ec', curve }));
    opensslCheck(`ec-${curve}-pool`, await pool.generateKeyPair({ type: 'ec', curve }));
  }
  opensslCheck('ed25519', await generateKeyPair({ type: 'ed25519' }));
  opensslCheck('ed25519-pool', await pool.generateKeyPair({ type: 'ed25519' }));
});
