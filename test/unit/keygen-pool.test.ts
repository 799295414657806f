// The runtime-agnostic worker pool (src/keys/keygen-pool.ts) with fake
// in-process workers: the message relay (no SharedArrayBuffer, as on a
// file:// page) gives the same seeded key as the worker_threads pool with
// shared memory, for 1, 2 and 3 workers; finds are relayed; abort, worker
// failures (at start and mid-job), validation, EC on the calling thread.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createKeygenPool } from '../../src/node/keygen-workers.js';
import { assertRsaKey } from '../helpers/keygen-check.js';
import { createWorkerKeygenPool, serveKeygenWorker, type KeygenWorkerEvent, type KeygenWorkerPort, createSeededRandom, MailPkiError, type RsaPrivateKey, type EcPrivateKey } from '../../src/index.js';

type Listener = (ev: KeygenWorkerEvent) => void;

/**
 * A "worker" in this thread: serveKeygenWorker on a scope whose messages
 * are structured-cloned and delivered as separate tasks (setImmediate),
 * both ways, as a real worker's would be. Records what it receives.
 */
function fakeWorker(sent?: { type: string }[]): KeygenWorkerPort & { fail(message: string): void; terminated: boolean } {
  const toPool = new Map<string, Set<Listener>>([
    ['message', new Set()],
    ['error', new Set()],
  ]);
  const toWorker: ((ev: { data?: unknown }) => void)[] = [];
  let terminated = false;
  const log: { type: string }[] = [];
  serveKeygenWorker({
    postMessage: (m) => {
      const data = structuredClone(m);
      setImmediate(() => !terminated && toPool.get('message')!.forEach((l) => l({ data })));
    },
    addEventListener: (_type, l) => void toWorker.push(l),
  });
  return {
    get terminated() {
      return terminated;
    },
    postMessage(m) {
      const data = structuredClone(m);
      log.push(data as { type: string });
      sent?.push(data as { type: string });
      setImmediate(() => !terminated && toWorker.forEach((l) => l({ data })));
    },
    addEventListener: (type, l) => void toPool.get(type)!.add(l),
    removeEventListener: (type, l) => void toPool.get(type)!.delete(l),
    terminate() {
      // a real worker dies here; this one is told to stop each job it got (a stop message of the protocol)
      for (const m of log.filter((x) => x.type === 'job')) toWorker.forEach((l) => l({ data: { ...m, type: 'stop' } }));
      terminated = true;
    },
    fail(message) {
      setImmediate(() => toPool.get('error')!.forEach((l) => l({ message })));
    },
  };
}

const nodePool = createKeygenPool({ workers: 2 });
after(() => nodePool.close());

test('message relay: the seeded key equals the worker_threads (shared memory) pool key, for 1, 2 and 3 workers', async () => {
  const ref = (await nodePool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('relay') })).privateKey as RsaPrivateKey;
  assertRsaKey(ref, 2048);
  for (const workers of [1, 2, 3]) {
    const sent: { type: string }[] = [];
    const pool = createWorkerKeygenPool({ workers, sharedMemory: false, createWorker: () => fakeWorker(sent) });
    assert.equal(pool.sharedMemory, false);
    const progress: { phase: string; fraction?: number }[] = [];
    const k = (await pool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('relay'), onProgress: (p) => progress.push(p) })).privateKey as RsaPrivateKey;
    assert.equal(k.n, ref.n, `${workers} workers: same key as the shared-memory pool`);
    assert.equal(k.d, ref.d);
    // phases in order (repeated while candidates are tested), fractions never go back and move between the phase marks
    // (a prime found within a few tests reports none: seed 'relay' finds p that way)
    assert.deepEqual(progress.map((p) => p.phase).filter((ph, i, a) => ph !== a[i - 1]), ['prime-p', 'prime-q', 'done']);
    const fr = progress.map((p) => p.fraction!);
    assert.ok(fr.every((f, i) => i === 0 || f >= fr[i - 1]!), `fractions never decrease: ${fr.join(' ')}`);
    assert.ok(fr.some((f) => f > 0 && f < 1 && f !== 0.5), `tested candidates move the fraction: ${fr.join(' ')}`);
    // every job message carries no shared buffer; finds are relayed to the other workers; the job ends with a stop
    const jobs = sent.filter((m) => m.type === 'job') as unknown as { cells?: unknown; of: number }[];
    assert.equal(jobs.length, workers);
    assert.ok(jobs.every((j) => j.cells === undefined && j.of === workers));
    if (workers > 1) assert.ok(sent.some((m) => m.type === 'found'), 'a find was relayed');
    else assert.ok(!sent.some((m) => m.type === 'found'), 'nothing to relay with one worker');
    assert.equal(sent.filter((m) => m.type === 'stop').length, workers);
    await pool.close();
  }
});

test('shared-memory mode with in-process workers gives the same key too; unseeded keys pass every check', async () => {
  const pool = createWorkerKeygenPool({ workers: 2, sharedMemory: true, createWorker: () => fakeWorker() });
  assert.equal(pool.sharedMemory, true);
  const k = (await pool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('relay') })).privateKey as RsaPrivateKey;
  const ref = (await nodePool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('relay') })).privateKey as RsaPrivateKey;
  assert.equal(k.n, ref.n);
  await pool.close();
  const relay = createWorkerKeygenPool({ workers: 2, sharedMemory: false, createWorker: () => fakeWorker() });
  const { privateKey, publicKey } = await relay.generateKeyPair({ type: 'rsa', bits: 2048 });
  assertRsaKey(privateKey as RsaPrivateKey, 2048);
  assert.equal((publicKey as { n: bigint }).n, (privateKey as RsaPrivateKey).n);
  await relay.close();
});

test('abort: ERR_ABORTED at once, the workers are told to stop, the pool keeps working', async () => {
  const sent: { type: string }[] = [];
  const pool = createWorkerKeygenPool({ workers: 2, sharedMemory: false, createWorker: () => fakeWorker(sent) });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 30);
  const t0 = performance.now();
  await assert.rejects(pool.generateKeyPair({ type: 'rsa', bits: 4096, signal: ac.signal }), (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_ABORTED');
  assert.ok(performance.now() - t0 < 1000);
  assert.equal(sent.filter((m) => m.type === 'stop').length, 2);
  await assert.rejects(pool.generateKeyPair({ type: 'rsa', bits: 2048, signal: AbortSignal.abort() }), (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_ABORTED');
  const k = (await pool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('after-abort') })).privateKey as RsaPrivateKey;
  assertRsaKey(k, 2048);
  await pool.close();
  await assert.rejects(pool.generateKeyPair({ type: 'rsa', bits: 2048 }), (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_ABORTED');
});

test('worker failures: cannot start -> ERR_IO; an error mid-job -> ERR_IO, then a fresh set of workers', async () => {
  const broken = createWorkerKeygenPool({
    workers: 2,
    createWorker: () => {
      throw new Error('blocked by CSP');
    },
  });
  await assert.rejects(broken.generateKeyPair({ type: 'rsa', bits: 2048 }), (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_IO' && /blocked by CSP/.test(e.message));

  const made: ReturnType<typeof fakeWorker>[] = [];
  const pool = createWorkerKeygenPool({
    workers: 2,
    sharedMemory: false,
    createWorker: () => {
      const w = fakeWorker();
      made.push(w);
      return w;
    },
  });
  const job = pool.generateKeyPair({ type: 'rsa', bits: 4096 });
  setTimeout(() => made[1]!.fail('out of memory'), 20);
  await assert.rejects(job, (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_IO' && /out of memory/.test(e.message));
  assert.ok(made[1]!.terminated, 'the failed worker was terminated');
  const k = (await pool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('fresh') })).privateKey as RsaPrivateKey;
  assertRsaKey(k, 2048);
  assert.equal(made.length, 4, 'a fresh set of two');
  assert.ok(made[0]!.terminated, 'the survivor of the old set was terminated');
  await pool.close();
  assert.ok(made.every((w) => w.terminated));
});

test('validation; EC and Ed25519 keys on the calling thread (no worker started)', async () => {
  assert.throws(() => createWorkerKeygenPool({} as never), TypeError);
  assert.throws(() => createWorkerKeygenPool({ createWorker: () => fakeWorker(), workers: 0 }), RangeError);
  assert.throws(() => createWorkerKeygenPool({ createWorker: () => fakeWorker(), workers: 1.5 }), RangeError);
  let started = 0;
  const pool = createWorkerKeygenPool({ createWorker: () => (started++, fakeWorker()) });
  assert.ok(pool.size >= 1 && pool.size <= 4);
  await assert.rejects(pool.generateKeyPair({ type: 'rsa', bits: 1024 as never }), RangeError);
  await assert.rejects(pool.generateKeyPair({ type: 'ec', curve: 'P-999' as never }), RangeError);
  const ec = (await pool.generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey as EcPrivateKey;
  assert.equal(ec.d.length, 32);
  const ed = await pool.generateKeyPair({ type: 'ed25519', rng: createSeededRandom('ed') });
  assert.equal(ed.privateKey.type, 'ed25519');
  assert.equal(started, 0);
  await pool.close();
});
