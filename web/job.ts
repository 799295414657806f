/**
 * The work of the CSR page: make a key, a CSR, and the key's PEM (encrypted
 * when a passphrase is given). It runs in a Web Worker made from the page's
 * own inline script (a blob: URL; nothing is fetched), so neither RSA key
 * generation nor the deliberately slow passphrase KDF can freeze the page.
 * An RSA key is made first on several workers from the same script (up to
 * min(navigator.hardwareConcurrency, 4), with mailpki's
 * createWorkerKeygenPool: no SharedArrayBuffer needed, so it works from
 * file://), then handed to the job worker for the CSR and the PEM. Where
 * those workers cannot start, the job worker makes the key itself; where no
 * worker starts at all, everything runs in the page (generateKeyPair
 * yields every ~20 ms there; only the passphrase KDF then blocks for a
 * moment).
 */
import {
  generateKeyPair,
  createCertificateRequest,
  encodePrivateKeyPem,
  encryptPrivateKeyPem,
  createWorkerKeygenPool,
  serveKeygenWorker,
  type GenerateKeyPairOptions,
  type KeygenWorkerScope,
  type PrivateKey,
} from '../src/index.js';
import type { parseSan } from '../src/index.js';

type GeneralName = ReturnType<typeof parseSan>;

/** The key choices the page offers. */
export type KeyChoice = 'ec-P-256' | 'ec-P-384' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096';

export interface Job {
  key: KeyChoice;
  subject: Record<string, string>;
  sans: GeneralName[];
  passphrase?: string;
  /** A key made beforehand (on the keygen workers): the job then only signs and encodes. */
  privateKey?: PrivateKey;
}
export interface JobProgress {
  phase: string;
  fraction?: number;
}
export interface JobResult {
  keyPem: string;
  csrPem: string;
  /** Where it ran: 'worker' (normal) or 'page' (fallback). */
  engine: 'worker' | 'page';
  /** Threads that made the key: the keygen workers' count, 1 (the job worker) or 0 (the page). */
  keyWorkers: number;
}

type ToPage =
  | { kind: 'ready' }
  | { kind: 'progress'; progress: JobProgress }
  | { kind: 'done'; keyPem: string; csrPem: string }
  | { kind: 'error'; message: string };

function keyOptions(key: KeyChoice, signal: AbortSignal | undefined, onProgress: (p: JobProgress) => void): GenerateKeyPairOptions {
  const [type, param] = key.split('-', 2) as [string, string];
  if (type === 'rsa') {
    const bits = Number(param) as 2048 | 3072 | 4096;
    // Prime search time is random: the fraction is an estimate, the phase is exact.
    const phases: Record<string, string> = { 'prime-p': 'finding the first prime', 'prime-q': 'finding the second prime', key: 'assembling the key', done: 'done' };
    return {
      type: 'rsa',
      bits,
      ...(signal ? { signal } : {}),
      onProgress: (p) => onProgress({ phase: `making an RSA ${bits} key: ${phases[p.phase] ?? p.phase}`, ...(p.fraction === undefined ? {} : { fraction: p.fraction }) }),
    };
  }
  return { type: 'ec', curve: key.slice(3) as 'P-256' | 'P-384', ...(signal ? { signal } : {}) };
}

/** Do the job right here (in the worker, or in the page as a fallback). */
export async function runJobHere(job: Job, onProgress: (p: JobProgress) => void, signal?: AbortSignal): Promise<{ keyPem: string; csrPem: string }> {
  let privateKey = job.privateKey;
  if (!privateKey) {
    onProgress({ phase: 'making the key' });
    privateKey = (await generateKeyPair(keyOptions(job.key, signal, onProgress))).privateKey;
  }
  signal?.throwIfAborted();
  onProgress({ phase: 'signing the request', fraction: 1 });
  const csr = createCertificateRequest({ subject: job.subject, sans: job.sans, privateKey });
  if (job.passphrase) onProgress({ phase: 'encrypting the key with your passphrase', fraction: 1 });
  await new Promise((r) => setTimeout(r, 0)); // let the page paint the new status
  const keyPem = job.passphrase ? encryptPrivateKeyPem(privateKey, job.passphrase) : encodePrivateKeyPem(privateKey);
  signal?.throwIfAborted();
  return { keyPem, csrPem: csr.pem };
}

// The inline script's own text, read while it first runs (document.currentScript is null later).
const SELF_SOURCE: string =
  typeof document !== 'undefined' && document.currentScript && !(document.currentScript as HTMLScriptElement).src
    ? (document.currentScript.textContent ?? '')
    : '';

/** Entry point when this script runs inside a worker: the page's jobs and the keygen pool's. */
export function workerMain(): void {
  const post = (m: ToPage): void => (globalThis as unknown as { postMessage: (m: ToPage) => void }).postMessage(m);
  serveKeygenWorker(globalThis as unknown as KeygenWorkerScope);
  globalThis.addEventListener('message', (ev: Event) => {
    const m = (ev as MessageEvent<{ kind?: unknown; job?: Job }>).data;
    if (m?.kind !== 'job' || !m.job) return; // a keygen pool message (served above)
    runJobHere(m.job, (progress) => post({ kind: 'progress', progress }))
      .then((r) => post({ kind: 'done', ...r }))
      .catch((e: unknown) => post({ kind: 'error', message: e instanceof Error ? e.message : String(e) }));
  });
  post({ kind: 'ready' });
}

class AbortedError extends Error {
  override name = 'AbortError';
}

/**
 * An RSA key made on min(navigator.hardwareConcurrency, 4) workers running
 * this script (the pool's default count), with that count. Undefined on a
 * one-core machine (the job worker alone is as fast), or when the workers
 * cannot start or fail: the caller then makes the key the old way. Rejects
 * only when cancelled.
 */
async function rsaKeyOnWorkers(job: Job, url: string, signal: AbortSignal, onProgress: (p: JobProgress) => void): Promise<{ privateKey: PrivateKey; workers: number } | undefined> {
  const pool = createWorkerKeygenPool({ createWorker: () => new Worker(url) });
  try {
    if (pool.size < 2) return undefined;
    const { privateKey } = await pool.generateKeyPair(keyOptions(job.key, signal, onProgress));
    return { privateKey, workers: pool.size };
  } catch {
    if (signal.aborted) throw new AbortedError('cancelled');
    return undefined;
  } finally {
    await pool.close();
  }
}

/**
 * Run the job in a worker when one can start, otherwise in the page; an
 * RSA key is made first on several workers when the machine has the cores.
 * Cancelling terminates the workers at once (or aborts generateKeyPair).
 */
export async function startJob(job: Job, signal: AbortSignal, onProgress: (p: JobProgress) => void): Promise<JobResult> {
  let keyWorkers = 0;
  const inPage = (): Promise<JobResult> => runJobHere(job, onProgress, signal).then((r) => ({ ...r, engine: 'page' as const, keyWorkers }));
  if (!SELF_SOURCE || typeof Worker !== 'function' || typeof Blob !== 'function') return inPage();
  let url: string;
  try {
    url = URL.createObjectURL(new Blob([SELF_SOURCE], { type: 'text/javascript' }));
  } catch {
    return inPage();
  }
  try {
    const pooled = job.key.startsWith('rsa-') ? await rsaKeyOnWorkers(job, url, signal, onProgress) : undefined;
    if (pooled) {
      job = { ...job, privateKey: pooled.privateKey };
      keyWorkers = pooled.workers;
    }
    return await inJobWorker(job, url, signal, onProgress, inPage, keyWorkers || 1);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The job in one worker (falls back to the page when that worker does not start); `keyWorkers`: threads that make or made the key. */
function inJobWorker(job: Job, url: string, signal: AbortSignal, onProgress: (p: JobProgress) => void, inPage: () => Promise<JobResult>, keyWorkers: number): Promise<JobResult> {
  let worker: Worker;
  try {
    worker = new Worker(url);
  } catch {
    return inPage();
  }
  return new Promise<JobResult>((resolve, reject) => {
    let ready = false;
    let settled = false;
    const finish = (): void => {
      settled = true;
      worker.terminate();
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      if (settled) return;
      finish();
      reject(new AbortedError('cancelled'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    worker.addEventListener('message', (ev: MessageEvent<ToPage>) => {
      const m = ev.data;
      if (settled) return;
      if (m.kind === 'ready') {
        ready = true;
        worker.postMessage({ kind: 'job', job });
      } else if (m.kind === 'progress') onProgress(m.progress);
      else if (m.kind === 'done') {
        finish();
        resolve({ keyPem: m.keyPem, csrPem: m.csrPem, engine: 'worker', keyWorkers });
      } else if (m.kind === 'error') {
        finish();
        reject(new Error(m.message));
      }
    });
    worker.addEventListener('error', (ev) => {
      if (settled) return;
      ev.preventDefault();
      finish();
      // A worker that never started (blocked by the browser): do it in the page instead.
      if (!ready) inPage().then(resolve, reject);
      else reject(new Error(ev.message || 'the key generation worker failed'));
    });
  });
}
