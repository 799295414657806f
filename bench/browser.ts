/**
 * Browser group of the benchmark (`npm run bench -- --only browser`, wired in
 * run.ts): RSA-2048 key generation by mailpki inside headless Debian chromium
 * (playwright-core, /usr/bin/chromium, never a downloaded browser) on 1 and
 * on 2 Web Workers, interleaved with node:crypto in this process, so the
 * ratios come from one run like the other rows.
 *
 * The page is a file:// page (not cross-origin isolated: no
 * SharedArrayBuffer), as the offline CSR page is, so the pool relays the
 * workers' finds as messages (createWorkerKeygenPool). One warm pool per
 * worker count (workers started and one key made before timing). A sample
 * is the time of one `pool.generateKeyPair` call as seen from Node, i.e.
 * including one DevTools round trip (~1 ms, under 1% of a key).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateKeyPair as nodeGenerateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, bundleScript, CHROMIUM } from '../test/helpers/chromium.js';
import { tempDir } from '../test/helpers/env.js';
import type { BenchEnv, BenchKeyResult } from './browser-page.js';

const HERE = dirname(fileURLToPath(import.meta.url));

interface Contender {
  name: string;
  run: (i: number) => Promise<unknown>;
}

const nodeGenAsync = promisify(nodeGenerateKeyPair) as unknown as (type: string, opts: object) => Promise<unknown>;

/**
 * Start chromium with the benchmark page. `contenders()` gives run.ts's
 * interleaved contenders (node:crypto, 1 worker, 2 workers); `note` is a
 * line for the report; `close()` ends the browser.
 */
export async function startBrowserBench(opts: { seed: string | null }): Promise<{ contenders: () => Contender[]; note: string; close: () => Promise<void> }> {
  const dir = tempDir('mailpki-bench-browser-');
  const js = await bundleScript(join(HERE, 'browser-page.ts'));
  if (/<\/script/i.test(js)) throw new Error('bench page script cannot be inlined');
  writeFileSync(join(dir, 'index.html'), `<!doctype html><meta charset="utf-8"><title>mailpki bench</title><script>${js}</script>`);
  const browser: Browser = await launchChromium();
  const page: Page = await browser.newPage();
  page.setDefaultTimeout(600_000);
  await page.goto(pathToFileURL(join(dir, 'index.html')).href);
  const env = await page.evaluate(() => (globalThis as unknown as { benchEnv: () => BenchEnv }).benchEnv());
  const version = /Chrome\/([\d.]+)/.exec(env.userAgent)?.[1] ?? 'unknown';
  const key = (workers: number, seed: string | null): Promise<BenchKeyResult> =>
    page.evaluate(([w, s]) => (globalThis as unknown as { benchKeygen: (w: number, s: string | null) => Promise<BenchKeyResult> }).benchKeygen(w, s), [workers, seed] as const);
  // warm-up (not timed): start both pools' workers, JIT, small-prime tables
  for (const w of [1, 2]) {
    const r = await key(w, null);
    if (r.bits !== 2048 || r.sharedMemory) throw new Error(`bench page: unexpected ${JSON.stringify(r)}`);
  }
  console.error(`browser: ${CHROMIUM} (Chromium ${version}), ${env.cores} cores seen by the page, SharedArrayBuffer ${env.sharedArrayBuffer}`);
  // fixed-seed mode: round i makes the same key on 1 and on 2 workers (same work; the pool's result depends only on the seed)
  const seedOf = (i: number): string | null => (opts.seed ? `${opts.seed}-chromium-${i}` : null);
  return {
    contenders: () => [
      { name: 'node:crypto', run: () => nodeGenAsync('rsa', { modulusLength: 2048, publicExponent: 65537 }) },
      { name: 'mailpki, Chromium (1 Web Worker)', run: (i) => key(1, seedOf(i)) },
      { name: 'mailpki, Chromium (2 Web Workers)', run: (i) => key(2, seedOf(i)) },
    ],
    note:
      `"RSA-2048 (Chromium)": mailpki \`createWorkerKeygenPool\` in headless Chromium ${version} (Debian, ${CHROMIUM}) from a file:// page ` +
      '(not cross-origin isolated: no SharedArrayBuffer, the workers relay finds as messages), warm pools; ' +
      'a sample includes one DevTools round trip (~1 ms). node:crypto runs in the Node process, interleaved with them.',
    close: () => browser.close(),
  };
}
