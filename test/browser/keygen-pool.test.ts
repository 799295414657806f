// RSA key generation on several Web Workers in Chromium (createWorkerKeygenPool
// + serveKeygenWorker), from a file:// page: not cross-origin isolated, so no
// SharedArrayBuffer; the workers relay their finds as messages. Keys checked
// by openssl (pkey -check, CSR signature, key matches CSR); seeded keys are
// the same with 1 and 2 workers and equal the Node worker_threads pool's;
// abort; the offline CSR page makes its RSA key on more than one worker, and
// falls back to its one job worker when the keygen workers cannot start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT, hasCommand, oracle, runOk, tempDir } from '../helpers/env.js';
import { launchChromium, watch, networkRequests, bundleScript, type NetLog } from '../helpers/chromium.js';
import { buildPage } from '../../web/bundle.mjs';
import { createKeygenPool } from '../../src/node/keygen-workers.js';
import type { PoolKeyResult } from './keygen-pool-page.js';
import { createSeededRandom, type RsaPrivateKey } from '../../src/index.js';

let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page | undefined;
let log: NetLog | undefined;
let workersStarted = 0;
const dir = tempDir('mailpki-browser-pool-');

before(async () => {
  if (!hasCommand('chromium')) return;
  const js = await bundleScript(join(ROOT, 'test/browser/keygen-pool-page.ts'));
  assert.ok(!/<\/script/i.test(js), 'the bundle can be inlined');
  // inline, so the page can start workers from its own source (document.currentScript)
  writeFileSync(join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><title>mailpki keygen pool</title><script>${js}</script>`);
  browser = await launchChromium();
  context = await browser.newContext();
  log = watch(context);
  page = await context.newPage();
  page.on('worker', () => workersStarted++);
  page.setDefaultTimeout(120_000);
  await page.goto(pathToFileURL(join(dir, 'index.html')).href);
});
after(async () => {
  await context?.close();
  await browser?.close();
});

type Api = { rsa: (w: number, seed?: string) => Promise<PoolKeyResult>; abort: (ms: number) => Promise<{ code: string; ms: number; afterwards: boolean }>; env: () => Record<string, unknown> };
const rsaInPage = (workers: number, seed?: string): Promise<PoolKeyResult> =>
  page!.evaluate(([w, s]) => (globalThis as unknown as { keygenPoolTest: Api }).keygenPoolTest.rsa(w, s ?? undefined), [workers, seed ?? null] as const);

function opensslChecks(r: PoolKeyResult, name: string): void {
  const key = join(dir, `${name}.key.pem`);
  const csr = join(dir, `${name}.csr.pem`);
  writeFileSync(key, r.keyPem);
  writeFileSync(csr, r.csrPem);
  assert.match(runOk('openssl', ['pkey', '-check', '-noout', '-in', key]), /Key is valid|key ok/i, 'openssl pkey -check');
  assert.match(runOk('openssl', ['pkey', '-text', '-noout', '-in', key]), /Private-Key: \(2048 bit, 2 primes\)/);
  runOk('openssl', ['req', '-verify', '-noout', '-in', csr]);
  assert.equal(runOk('openssl', ['req', '-noout', '-pubkey', '-in', csr]), runOk('openssl', ['pkey', '-pubout', '-in', key]), 'key matches its CSR');
}

test('Chromium, file:// (no SharedArrayBuffer): RSA-2048 on 2 Web Workers passes openssl pkey -check and matches its CSR', async (t) => {
  if (!oracle(t, 'chromium') || !oracle(t, 'openssl')) return;
  const env = await page!.evaluate(() => (globalThis as unknown as { keygenPoolTest: Api }).keygenPoolTest.env());
  t.diagnostic(`page env: ${JSON.stringify(env)}`);
  assert.equal(env.sharedArrayBuffer, 'undefined', 'a file:// page is not cross-origin isolated: no SharedArrayBuffer');
  const before = workersStarted;
  const r = await rsaInPage(2);
  t.diagnostic(`RSA-2048 on 2 workers: ${r.ms.toFixed(0)} ms`);
  assert.equal(r.sharedMemory, false, 'the message relay was used');
  assert.equal(r.started, 2);
  assert.equal(workersStarted - before, 2, 'Chromium saw two workers start');
  opensslChecks(r, 'two-workers');
});

test('Chromium: a seeded key is the same on 1 and 2 Web Workers and equals the Node worker_threads pool key', async (t) => {
  if (!oracle(t, 'chromium')) return;
  const one = await rsaInPage(1, 'same-key-seed');
  const two = await rsaInPage(2, 'same-key-seed');
  const other = await rsaInPage(2, 'another-seed');
  assert.equal(two.n, one.n, '1 vs 2 workers');
  assert.notEqual(other.n, one.n, 'the seed matters');
  const pool = createKeygenPool({ workers: 2 });
  try {
    const node = (await pool.generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('same-key-seed') })).privateKey as RsaPrivateKey;
    assert.equal(one.n, node.n.toString(16), 'Chromium message relay = Node shared memory');
  } finally {
    await pool.close();
  }
});

test('Chromium: abort rejects with ERR_ABORTED promptly and the pool keeps working', async (t) => {
  if (!oracle(t, 'chromium')) return;
  const r = await page!.evaluate((ms) => (globalThis as unknown as { keygenPoolTest: Api }).keygenPoolTest.abort(ms), 150);
  t.diagnostic(`aborted after ${r.ms.toFixed(0)} ms`);
  assert.equal(r.code, 'ERR_ABORTED');
  assert.ok(r.ms < 2000, `abort took ${r.ms.toFixed(0)} ms`);
  assert.equal(r.afterwards, true);
  assert.deepEqual(log!.pageErrors, []);
  assert.deepEqual(networkRequests(log!), []);
});

let csrPageUrl = '';
/** A machine-independent core count for the page (as source text: tsx would wrap a function's getter in a helper the page does not have). */
const coresScript = (n: number): string => `Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => ${n}, configurable: true });`;

/**
 * The CSR page (built as `npm run build` builds it) in a fresh context with
 * `initScript`: an RSA-2048 key and CSR for `host`, then `check(page,
 * workers started)`; no page error, CSP violation or network request.
 */
async function rsaOnCsrPage(initScript: string, host: string, check: (p: Page, started: number) => Promise<void>): Promise<void> {
  if (!csrPageUrl) csrPageUrl = pathToFileURL((await buildPage({ outDir: tempDir('mailpki-web-pool-') })).file).href;
  const ctx = await browser!.newContext({ acceptDownloads: true });
  try {
    await ctx.addInitScript({ content: initScript });
    const plog = watch(ctx);
    const p = await ctx.newPage();
    let started = 0;
    p.on('worker', () => started++);
    p.setDefaultTimeout(20_000);
    await p.goto(csrPageUrl);
    await p.waitForSelector('html[data-ready="true"]');
    await p.getByLabel('Host names', { exact: true }).fill(host);
    await p.getByLabel('Key type').selectOption('rsa-2048');
    await p.getByRole('button', { name: 'Generate key and CSR' }).click();
    await p.locator('#result:not([hidden])').waitFor({ timeout: 120_000 });
    await check(p, started);
    assert.deepEqual(plog.pageErrors, []);
    assert.deepEqual(plog.cspViolations, [], 'worker-src blob: covers every worker');
    assert.deepEqual(networkRequests(plog), []);
  } finally {
    await ctx.close();
  }
}

test('CSR page: the RSA path makes the key on min(hardwareConcurrency, 4) workers, then the CSR; openssl checks both', async (t) => {
  if (!oracle(t, 'chromium') || !oracle(t, 'openssl')) return;
  await rsaOnCsrPage(coresScript(3), 'rsa-pool.example.test', async (p, started) => {
    assert.equal(await p.evaluate(() => document.documentElement.dataset.keyWorkers), '3', 'key made on 3 workers');
    assert.equal(await p.evaluate(() => document.documentElement.dataset.engine), 'worker');
    assert.equal(started, 4, '3 keygen workers + the job worker');
    assert.match((await p.locator('#status').textContent()) ?? '', /key made on 3 threads/);
    const [dl] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download key' }).click()]);
    const key = join(dir, 'page.key.pem');
    await dl.saveAs(key);
    const csr = join(dir, 'page.csr.pem');
    writeFileSync(csr, await p.locator('#csr-pem').inputValue());
    assert.match(runOk('openssl', ['pkey', '-check', '-noout', '-in', key]), /Key is valid|key ok/i);
    runOk('openssl', ['req', '-verify', '-noout', '-in', csr]);
    assert.equal(runOk('openssl', ['req', '-noout', '-pubkey', '-in', csr]), runOk('openssl', ['pkey', '-pubout', '-in', key]));
    assert.match(readFileSync(key, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
  });
});

test('CSR page: when the keygen workers cannot start, the job worker makes the RSA key (as before)', async (t) => {
  if (!oracle(t, 'chromium') || !oracle(t, 'openssl')) return;
  // the first Worker the page constructs (a keygen worker) is refused, as a browser policy might; later ones start
  const refuseFirst =
    "{ const W = Worker; let n = 0; globalThis.Worker = class extends W { constructor(...a) { if (n++ === 0) throw new DOMException('refused (test)', 'SecurityError'); super(...a); } }; }";
  await rsaOnCsrPage(coresScript(2) + refuseFirst, 'fallback-rsa.example.test', async (p, started) => {
    assert.equal(await p.evaluate(() => document.documentElement.dataset.keyWorkers), '1', 'the key was made by the job worker');
    assert.equal(await p.evaluate(() => document.documentElement.dataset.engine), 'worker');
    assert.equal(started, 1, 'only the job worker started');
    const csr = join(dir, 'fallback.csr.pem');
    writeFileSync(csr, await p.locator('#csr-pem').inputValue());
    runOk('openssl', ['req', '-verify', '-noout', '-in', csr]);
    assert.match(runOk('openssl', ['req', '-noout', '-text', '-in', csr]), /Public-Key: \(2048 bit\)/);
  });
});
