// The page (and worker) script of the browser benchmark (bench/browser.ts):
// the page keeps one warm pool per worker count; as a worker made from the
// page's own inline script (blob: URL), it serves the pool's jobs.
import { createWorkerKeygenPool, serveKeygenWorker, createSeededRandom, type KeygenWorkerScope, type RsaPrivateKey, type WorkerKeygenPool } from '../src/index.js';

export interface BenchKeyResult {
  bits: number;
  sharedMemory: boolean;
}
export interface BenchEnv {
  userAgent: string;
  cores: number;
  sharedArrayBuffer: string;
}

if (typeof document === 'undefined') serveKeygenWorker(globalThis as unknown as KeygenWorkerScope);
else {
  const url = URL.createObjectURL(new Blob([document.currentScript?.textContent ?? ''], { type: 'text/javascript' }));
  const pools = new Map<number, WorkerKeygenPool>();
  const g = globalThis as unknown as { benchKeygen: unknown; benchEnv: unknown };
  g.benchKeygen = async (workers: number, seed: string | null): Promise<BenchKeyResult> => {
    let pool = pools.get(workers);
    if (!pool) pools.set(workers, (pool = createWorkerKeygenPool({ workers, createWorker: () => new Worker(url) })));
    const { privateKey } = await pool.generateKeyPair({ type: 'rsa', bits: 2048, ...(seed ? { rng: createSeededRandom(seed) } : {}) });
    return { bits: (privateKey as RsaPrivateKey).n.toString(2).length, sharedMemory: pool.sharedMemory };
  };
  g.benchEnv = (): BenchEnv => ({ userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency, sharedArrayBuffer: typeof SharedArrayBuffer });
}
