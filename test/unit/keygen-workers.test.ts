// Worker-thread RSA key generation (mailpki/node): keys pass the same
// independent checks as the one-thread path, seeded determinism, abort,
// EC pass-through, pool lifecycle.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createKeygenPool } from '../../src/node/keygen-workers.js';
import { assertRsaKey } from '../helpers/keygen-check.js';
import { createSeededRandom, MailPkiError, type RsaPrivateKey, type EcPrivateKey } from '../../src/index.js';

const pool = createKeygenPool({ workers: 2 });
after(() => pool.close());

test('workers: RSA 2048 keys pass every check; the main thread stays free', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    for (let i = 0; i < 2; i++) {
      const { privateKey, publicKey } = await pool.generateKeyPair({ type: 'rsa', bits: 2048 });
      assertRsaKey(privateKey as RsaPrivateKey, 2048);
      assert.equal((publicKey as { n: bigint }).n, (privateKey as RsaPrivateKey).n);
    }
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks > 0);
});

test('workers: seeded rng gives the same key every run, progress reported', async () => {
  const phases: string[] = [];
  const a = (await pool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('w'), onProgress: (p) => phases.push(p.phase) })).privateKey as RsaPrivateKey;
  const b = (await pool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('w') })).privateKey as RsaPrivateKey;
  const c = (await pool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('w2') })).privateKey as RsaPrivateKey;
  assert.equal(a.n, b.n);
  assert.notEqual(a.n, c.n);
  assertRsaKey(a, 2048);
  assert.equal(phases[0], 'prime-p');
  assert.equal(phases.at(-1), 'done');
});

test('workers: abort rejects with ERR_ABORTED and the pool keeps working', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 20);
  const t0 = performance.now();
  await assert.rejects(pool.generateKeyPair({ type: 'rsa', bits: 4096, signal: ac.signal }), (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_ABORTED');
  assert.ok(performance.now() - t0 < 1000);
  await assert.rejects(pool.generateKeyPair({ type: 'rsa', bits: 2048, signal: AbortSignal.abort() }), (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_ABORTED');
  const { privateKey } = await pool.generateKeyPair({ type: 'rsa', bits: 2048 });
  assertRsaKey(privateKey as RsaPrivateKey, 2048);
});

test('workers: EC keys, validation, closed pool', async () => {
  const { privateKey } = await pool.generateKeyPair({ type: 'ec', curve: 'P-256' });
  assert.equal((privateKey as EcPrivateKey).d.length, 32);
  await assert.rejects(pool.generateKeyPair({ type: 'rsa', bits: 1024 as never }), RangeError);
  assert.throws(() => createKeygenPool({ workers: 0 }), RangeError);
  const p2 = createKeygenPool({ workers: 1 });
  const k = (await p2.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('one') })).privateKey as RsaPrivateKey;
  assertRsaKey(k, 2048);
  // the cooperative search takes the first prime in candidate order: the key depends on the seed only, not on the worker count
  const k2 = (await pool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('one') })).privateKey as RsaPrivateKey;
  assert.equal(k2.n, k.n);
  await p2.close();
  await assert.rejects(p2.generateKeyPair({ type: 'rsa', bits: 2048 }), (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_ABORTED');
});
