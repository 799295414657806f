// Bundled into the keygen-pool browser test's page (test/browser/keygen-pool.test.ts):
// as the page, it exposes globalThis.keygenPoolTest; as a worker made from
// the page's own inline script (blob: URL, as the CSR page does), it serves
// the pool's jobs.
import {
  createWorkerKeygenPool,
  serveKeygenWorker,
  createSeededRandom,
  createCertificateRequest,
  encodePrivateKeyPem,
  isMailPkiError,
  type KeygenWorkerScope,
  type RsaPrivateKey,
} from '../../src/index.js';

export interface PoolKeyResult {
  keyPem: string;
  csrPem: string;
  n: string;
  ms: number;
  started: number;
  sharedMemory: boolean;
}

const SRC = typeof document !== 'undefined' ? (document.currentScript?.textContent ?? '') : '';

function makePool(workers: number) {
  const url = URL.createObjectURL(new Blob([SRC], { type: 'text/javascript' }));
  let started = 0;
  const pool = createWorkerKeygenPool({
    workers,
    createWorker: () => {
      started++;
      return new Worker(url);
    },
  });
  return { pool, started: () => started };
}

async function rsa(workers: number, seed?: string): Promise<PoolKeyResult> {
  const { pool, started } = makePool(workers);
  try {
    const t0 = performance.now();
    const { privateKey } = await pool.generateKeyPair({ type: 'rsa', bits: 2048, ...(seed ? { rng: createSeededRandom(seed) } : {}) });
    const ms = performance.now() - t0;
    const csr = createCertificateRequest({ subject: { CN: 'pool.example.test' }, sans: ['pool.example.test'], privateKey });
    return { keyPem: encodePrivateKeyPem(privateKey), csrPem: csr.pem, n: (privateKey as RsaPrivateKey).n.toString(16), ms, started: started(), sharedMemory: pool.sharedMemory };
  } finally {
    await pool.close();
  }
}

/** Start an RSA-4096 job on 2 workers, abort it after `afterMs`; then make a key on the same pool. */
async function abort(afterMs: number): Promise<{ code: string; ms: number; afterwards: boolean }> {
  const { pool } = makePool(2);
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), afterMs);
    const t0 = performance.now();
    let code = 'resolved';
    try {
      await pool.generateKeyPair({ type: 'rsa', bits: 4096, signal: ac.signal });
    } catch (e) {
      code = isMailPkiError(e) ? e.code : String(e);
    }
    const ms = performance.now() - t0;
    const again = await pool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('after-abort') });
    return { code, ms, afterwards: again.privateKey.type === 'rsa' };
  } finally {
    await pool.close();
  }
}

if (typeof document === 'undefined') serveKeygenWorker(globalThis as unknown as KeygenWorkerScope);
else
  (globalThis as unknown as { keygenPoolTest: unknown }).keygenPoolTest = {
    rsa,
    abort,
    env: () => ({ sharedArrayBuffer: typeof SharedArrayBuffer, crossOriginIsolated: globalThis.crossOriginIsolated, cores: navigator.hardwareConcurrency }),
  };
