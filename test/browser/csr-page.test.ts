// The offline CSR page (web/), built exactly as `npm run build` builds it but
// into a temp dir, opened from file:// in Chromium: validation messages,
// an EC P-256 and an RSA-2048 (passphrase-protected) key + CSR downloaded
// through the page's buttons, each checked by openssl and by mailpki; cancel;
// no network request at all; screenshots (desktop and 375px phone width).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT, hasCommand, oracle, run, runOk, tempDir } from '../helpers/env.js';
import { launchChromium, watch, networkRequests, testOutputDir, type NetLog } from '../helpers/chromium.js';
import { buildPage } from '../../web/bundle.mjs';
import { parseCertificateRequest, verifyCertificateRequest, parsePrivateKey, getPublicKey, publicKeysEqual, keyBits } from '../../src/index.js';

let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page | undefined;
let log: NetLog | undefined;
let pageUrl = '';
const downloads = tempDir('mailpki-csr-downloads-');

before(async () => {
  if (!hasCommand('chromium')) return;
  const dir = tempDir('mailpki-web-');
  const r = await buildPage({ outDir: dir });
  pageUrl = pathToFileURL(r.file).href;
  browser = await launchChromium();
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1000, height: 900 } });
  await context.addInitScript(() => {
    const w = globalThis as unknown as { __csp: string[]; __maxGap: number };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    // Longest time the main thread was blocked (the page must not freeze while making a key).
    // Every status line and progress value shown, to check the progress display.
    const ws = globalThis as unknown as { __statuses: string[]; __progress: number[] };
    ws.__statuses = [];
    ws.__progress = [];
    document.addEventListener('DOMContentLoaded', () => {
      const status = document.getElementById('status');
      const bar = document.getElementById('progress') as HTMLProgressElement | null;
      if (!status || !bar) return;
      new MutationObserver(() => ws.__statuses.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
      new MutationObserver(() => bar.hasAttribute('value') && ws.__progress.push(bar.value)).observe(bar, { attributes: true });
    });
    w.__maxGap = 0;
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      w.__maxGap = Math.max(w.__maxGap, now - last);
      last = now;
    }, 20);
  });
  log = watch(context);
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(pageUrl);
  await page.waitForSelector('html[data-ready="true"]');
});
after(async () => {
  await context?.close();
  await browser?.close();
});

async function fill(p: Page, fields: Record<string, string>): Promise<void> {
  for (const [label, value] of Object.entries(fields)) await p.getByLabel(label, { exact: true }).fill(value);
}

/** Open the collapsed "More subject fields" section (as a user would: click its summary). */
async function openMore(p: Page): Promise<void> {
  if (!(await p.locator('#more-subject').evaluate((d) => (d as HTMLDetailsElement).open))) await p.getByText('More subject fields (optional)').click();
}

async function generate(p: Page, keyType: string, timeout = 240_000): Promise<void> {
  await p.getByLabel('Key type').selectOption(keyType);
  await p.evaluate(() => ((globalThis as unknown as { __maxGap: number }).__maxGap = 0));
  // Keyboard: focus the button and press Enter (the form submits).
  await p.getByRole('button', { name: 'Generate key and CSR' }).focus();
  await p.keyboard.press('Enter');
  // A fresh result: visible and not marked as made from earlier entries.
  await p.locator('#result:not([hidden]):not([data-outdated])').waitFor({ timeout });
}

async function save(p: Page, button: string): Promise<{ path: string; name: string }> {
  const [dl] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: button }).click()]);
  const path = join(downloads, dl.suggestedFilename());
  await dl.saveAs(path);
  return { path, name: dl.suggestedFilename() };
}

function checkCsrAndKey(csrPath: string, keyPath: string, expect: { bits: number; type: string; sans: string[]; passphrase?: string }): void {
  // openssl: the signature, and the same public key in both files.
  runOk('openssl', ['req', '-verify', '-noout', '-in', csrPath]);
  const pass = expect.passphrase ? ['-passin', `pass:${expect.passphrase}`] : [];
  assert.equal(runOk('openssl', ['req', '-noout', '-pubkey', '-in', csrPath]), runOk('openssl', ['pkey', '-pubout', '-in', keyPath, ...pass]), 'openssl: key matches CSR');
  const text = runOk('openssl', ['req', '-noout', '-text', '-in', csrPath]);
  for (const s of expect.sans) assert.ok(text.includes(s), `openssl sees ${s}`);
  // mailpki: parse, verify, compare keys.
  const csr = parseCertificateRequest(readFileSync(csrPath, 'utf8'));
  verifyCertificateRequest(csr);
  const key = parsePrivateKey(readFileSync(keyPath, 'utf8'), expect.passphrase ? { passphrase: expect.passphrase } : {});
  assert.ok(publicKeysEqual(getPublicKey(key), csr.publicKey), 'mailpki: key matches CSR');
  assert.equal(csr.publicKey.type, expect.type);
  assert.equal(keyBits(csr.publicKey), expect.bits);
  if (expect.passphrase) {
    assert.match(readFileSync(keyPath, 'utf8'), /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    assert.notEqual(run('openssl', ['pkey', '-noout', '-in', keyPath, '-passin', 'pass:wrong passphrase']).status, 0, 'wrong passphrase refused');
  } else assert.match(readFileSync(keyPath, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
}

test('CSR page: validation messages next to the fields', async (t) => {
  if (!oracle(t, 'chromium')) return;
  const p = page!;
  await p.getByRole('button', { name: 'Generate key and CSR' }).click();
  const sansErr = p.locator('#sans-error');
  await sansErr.waitFor({ state: 'visible' });
  assert.match((await sansErr.textContent()) ?? '', /at least one host name/);
  assert.equal(await p.getByLabel('Host names').getAttribute('aria-invalid'), 'true');
  assert.match((await p.getByLabel('Host names').getAttribute('aria-describedby')) ?? '', /\bsans-error\b/);

  await fill(p, { 'Host names': 'mail.example.test\nbad_host!.example' });
  await p.getByRole('button', { name: 'Generate key and CSR' }).click();
  assert.match((await sansErr.textContent()) ?? '', /"bad_host!\.example" is not a valid host name/);
  await fill(p, { 'Host names': 'mail.example.test:25' });
  await p.getByRole('button', { name: 'Generate key and CSR' }).click();
  assert.match((await sansErr.textContent()) ?? '', /it is a name with a port\): did you mean mail\.example\.test\?/);
  await fill(p, { 'Host names': 'https://mail.example.test/' });
  await p.getByRole('button', { name: 'Generate key and CSR' }).click();
  assert.match((await sansErr.textContent()) ?? '', /it is a URL\): did you mean mail\.example\.test\?/);

  // The optional subject fields sit in a collapsed <details>: open, fill, close again.
  const more = p.getByText('More subject fields (optional)');
  await more.click();
  await fill(p, { 'Host names': 'mail.example.test', 'Country (C)': 'D1', 'Passphrase': 'short', 'Repeat passphrase': 'other' });
  await more.click();
  assert.equal(await p.getByLabel('Country (C)', { exact: true }).isVisible(), false);
  await p.getByRole('button', { name: 'Generate key and CSR' }).click();
  assert.equal(await sansErr.isVisible(), false, 'a fixed field loses its message');
  assert.match((await p.locator('#c-error').textContent()) ?? '', /two-letter code/);
  assert.equal(await p.locator('#c-error').isVisible(), true, 'the subject details open to show the error');
  assert.match((await p.locator('#passphrase-error').textContent()) ?? '', /at least 8 characters/);
  assert.match((await p.locator('#passphrase2-error').textContent()) ?? '', /differ/);
  assert.equal(await p.locator('#result').isVisible(), false, 'nothing generated with invalid input');
  await fill(p, { 'Country (C)': '', 'Passphrase': '', 'Repeat passphrase': '' });
});

test('CSR page: keyboard order follows the form, every control has a label', async (t) => {
  if (!oracle(t, 'chromium')) return;
  const p = page!;
  await openMore(p);
  await p.getByLabel('Key type').focus();
  const order: string[] = [];
  for (let i = 0; i < 14; i++) {
    order.push(await p.evaluate(() => document.activeElement?.id || document.activeElement?.tagName.toLowerCase() || ''));
    await p.keyboard.press('Tab');
  }
  assert.deepEqual(order, ['key-type', 'sans', 'cn', 'summary', 'o', 'ou', 'l', 'st', 'c', 'email', 'passphrase', 'passphrase2', 'generate', 'a']);
  const unlabelled = await p.evaluate(() =>
    Array.from(document.querySelectorAll('input, select, textarea'))
      .filter((el) => !(el as HTMLInputElement).labels?.length)
      .map((el) => el.id),
  );
  assert.deepEqual(unlabelled, []);
});

test('CSR page: EC P-256 key + CSR from file://, downloaded and checked by openssl and mailpki', async (t) => {
  if (!oracle(t, 'chromium') || !oracle(t, 'openssl')) return;
  const p = page!;
  await openMore(p);
  await fill(p, {
    'Host names': 'mail.example.test, smtp.example.test\nimap.example.test\n192.0.2.25\nbücher.example.test',
    'Common name (CN)': '',
    'Organization (O)': 'Example GmbH',
    'Country (C)': 'de',
  });
  await generate(p, 'ec-P-256');
  assert.match((await p.locator('#preview-subject').textContent()) ?? '', /^CN=mail\.example\.test,O=Example GmbH,C=DE$/);
  assert.match((await p.locator('#preview-key').textContent()) ?? '', /EC P-256/);
  assert.match((await p.locator('#preview-sig').textContent()) ?? '', /ecdsa-with-SHA256/i);
  const sans = await p.locator('#preview-sans li').allTextContents();
  // The IDN went in as its A-label (converted by the page).
  assert.deepEqual(sans, ['DNS: mail.example.test', 'DNS: smtp.example.test', 'DNS: imap.example.test', 'IP: 192.0.2.25', 'DNS: xn--bcher-kva.example.test']);
  const key = await save(p, 'Download key');
  const csr = await save(p, 'Download CSR');
  assert.equal(key.name, 'mail.example.test.key.pem');
  assert.equal(csr.name, 'mail.example.test.csr.pem');
  assert.equal(readFileSync(csr.path, 'utf8'), await p.locator('#csr-pem').inputValue(), 'the shown CSR is the downloaded one');
  checkCsrAndKey(csr.path, key.path, { bits: 256, type: 'ec', sans: ['DNS:mail.example.test', 'DNS:smtp.example.test', 'DNS:imap.example.test', 'IP Address:192.0.2.25', 'DNS:xn--bcher-kva.example.test'] });
  const out = testOutputDir();
  await p.screenshot({ path: join(out, 'csr-page-ec.png'), fullPage: true });
  assert.ok(existsSync(join(out, 'csr-page-ec.png')));
  // The README's screenshot: refreshed only on request, then committed.
  if (process.env.MAILPKI_UPDATE_DOCS_SCREENSHOT === '1') {
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    copyFileSync(join(out, 'csr-page-ec.png'), join(ROOT, 'docs/csr-page.png'));
  }
});

test('CSR page: RSA-2048 with a passphrase, visible progress, page stays responsive', async (t) => {
  if (!oracle(t, 'chromium') || !oracle(t, 'openssl')) return;
  const p = page!;
  await openMore(p);
  await fill(p, { 'Host names': 'mx.example.test', 'Organization (O)': '', 'Country (C)': '', 'Passphrase': 'a good passphrase', 'Repeat passphrase': 'a good passphrase' });
  await p.getByLabel('Key type').selectOption('rsa-2048');
  await p.evaluate(() => ((globalThis as unknown as { __maxGap: number }).__maxGap = 0));
  await p.getByRole('button', { name: 'Generate key and CSR' }).click();
  // Progress is shown while the key is made (the status names the key).
  await p.waitForFunction(() => /RSA 2048/.test(document.getElementById('status')?.textContent ?? '') || !document.getElementById('result')?.hidden, null, { timeout: 60_000 });
  await p.locator('#result:not([hidden]):not([data-outdated])').waitFor({ timeout: 240_000 });
  const maxGap = await p.evaluate(() => (globalThis as unknown as { __maxGap: number }).__maxGap);
  t.diagnostic(`longest main-thread block during RSA-2048 keygen + CSR + key encryption: ${maxGap.toFixed(0)} ms`);
  assert.equal(await p.evaluate(() => document.documentElement.dataset.engine), 'worker', 'the work ran in a Web Worker');
  const statuses = await p.evaluate(() => (globalThis as unknown as { __statuses: string[] }).__statuses);
  const fractions = await p.evaluate(() => (globalThis as unknown as { __progress: number[] }).__progress);
  for (const phase of ['finding the first prime', 'finding the second prime', 'Encrypting the key']) {
    assert.ok(statuses.some((st) => st.includes(phase)), `status showed "${phase}": ${JSON.stringify([...new Set(statuses)])}`);
  }
  assert.ok(fractions.some((f) => f > 0 && f < 1), `the progress bar moved: ${JSON.stringify(fractions.slice(0, 20))}`);
  assert.ok(maxGap < 1500, `the page froze for ${maxGap.toFixed(0)} ms`);
  assert.match((await p.locator('#preview-key').textContent()) ?? '', /RSA 2048/);
  assert.match((await p.locator('#preview-sig').textContent()) ?? '', /sha256WithRSAEncryption/i);
  assert.match((await p.locator('#preview-keyfile').textContent()) ?? '', /encrypted/);
  const key = await save(p, 'Download key');
  const csr = await save(p, 'Download CSR');
  assert.equal(csr.name, 'mx.example.test.csr.pem');
  checkCsrAndKey(csr.path, key.path, { bits: 2048, type: 'rsa', sans: ['DNS:mx.example.test'], passphrase: 'a good passphrase' });

  // Copy CSR: either the clipboard API or the select-and-copy fallback reports success.
  await p.getByRole('button', { name: 'Copy CSR' }).click();
  await p.waitForFunction(() => (document.getElementById('copy-status')?.textContent ?? '') !== '');
  assert.match((await p.locator('#copy-status').textContent()) ?? '', /copied|selected/);

  const out = testOutputDir();
  await p.screenshot({ path: join(out, 'csr-page.png'), fullPage: true });
  // Phone width: nothing wider than the screen.
  await p.setViewportSize({ width: 375, height: 812 });
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than a 375px screen`);
  await p.screenshot({ path: join(out, 'csr-page-375.png'), fullPage: true });
  await p.setViewportSize({ width: 1000, height: 900 });
});

test('CSR page: Cancel stops an RSA-4096 key generation', async (t) => {
  if (!oracle(t, 'chromium')) return;
  const p = page!;
  await fill(p, { 'Passphrase': '', 'Repeat passphrase': '' });
  await p.getByLabel('Key type').selectOption('rsa-4096');
  await p.getByRole('button', { name: 'Generate key and CSR' }).click();
  const cancel = p.getByRole('button', { name: 'Cancel' });
  await cancel.waitFor({ state: 'visible' });
  assert.equal(await p.locator('#progress-box').isVisible(), true, 'progress is visible while generating');
  const t0 = Date.now();
  await cancel.click();
  await p.waitForFunction(() => /Cancelled/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 30_000 });
  t.diagnostic(`cancelled after ${Date.now() - t0} ms`);
  // The RSA-2048 result of the test before is still there (nothing lost) but marked outdated.
  assert.equal(await p.locator('#result').getAttribute('data-outdated'), 'true');
  assert.match((await p.locator('#result-outdated').textContent()) ?? '', /^Outdated: the new attempt was cancelled\./);
  assert.equal(await p.getByRole('button', { name: 'Download key', exact: true }).count(), 0);
  assert.equal(await p.getByRole('button', { name: 'Download previous key' }).isVisible(), true);
  assert.equal(await p.getByRole('button', { name: 'Generate key and CSR' }).isEnabled(), true, 'the form is usable again');
});

test('CSR page: a shown result is marked outdated on any edit and on a failed submit, and a new one clears the mark', async (t) => {
  if (!oracle(t, 'chromium')) return;
  const ctx = await browser!.newContext({ acceptDownloads: true });
  try {
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    await p.goto(pageUrl);
    await p.waitForSelector('html[data-ready="true"]');
    await fill(p, { 'Host names': 'first.example.test' });
    await generate(p, 'ec-P-256');
    const notice = p.locator('#result-outdated');
    assert.equal(await notice.isVisible(), false, 'a fresh result has no notice');
    assert.equal(await p.getByRole('button', { name: 'Download CSR', exact: true }).isVisible(), true);

    // 1. Editing the names marks the result at once (before any submit).
    await p.getByLabel('Host names').fill('second.example.test');
    await notice.waitFor({ state: 'visible' });
    assert.match((await notice.textContent()) ?? '', /^Outdated: the form changed since they were made\. .*first\.example\.test/);
    assert.equal(await p.locator('#result').getAttribute('data-outdated'), 'true');
    assert.equal(await p.getByRole('button', { name: 'Download CSR', exact: true }).count(), 0, 'no unmarked download of the stale CSR');
    // The previous files stay downloadable, under a name that says what they are.
    const [dl] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: 'Download previous CSR' }).click()]);
    assert.equal(dl.suggestedFilename(), 'first.example.test.csr.pem');

    // 2. A new result clears the mark.
    await generate(p, 'ec-P-256');
    assert.equal(await notice.isVisible(), false);
    assert.deepEqual(await p.locator('#preview-sans li').allTextContents(), ['DNS: second.example.test']);

    // 3. A failed submit (a name with a port) marks it too, and the error says why.
    await p.getByLabel('Host names').fill('second.example.test');
    await p.evaluate(() => {
      // Reset the mark the edit above set, to see the failed submit set it on its own.
      const r = document.getElementById('result')!;
      delete r.dataset.outdated;
      document.getElementById('result-outdated')!.hidden = true;
    });
    await p.getByLabel('Host names').evaluate((el) => ((el as HTMLTextAreaElement).value = 'mail.example.test:587'));
    await p.getByRole('button', { name: 'Generate key and CSR' }).click();
    await notice.waitFor({ state: 'visible' });
    assert.match((await notice.textContent()) ?? '', /^Outdated: the last attempt failed\./);
    assert.match((await p.locator('#sans-error').textContent()) ?? '', /"mail\.example\.test:587" is not a host name \(it is a name with a port\): did you mean mail\.example\.test\?/);
    assert.match((await p.locator('#status').textContent()) ?? '', /correct the marked fields/);
  } finally {
    await ctx.close();
  }
});

test('CSR page: without Web Workers it still works (in the page)', async (t) => {
  if (!oracle(t, 'chromium') || !oracle(t, 'openssl')) return;
  const ctx = await browser!.newContext({ acceptDownloads: true });
  try {
    await ctx.addInitScript(() => {
      // An old or locked-down browser on a plain-http page: no workers, no WebCrypto.
      delete (globalThis as { Worker?: unknown }).Worker;
      delete (Crypto.prototype as { subtle?: unknown }).subtle;
    });
    const nolog = watch(ctx);
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    await p.goto(pageUrl);
    await fill(p, { 'Host names': 'fallback.example.test' });
    await generate(p, 'ec-P-384');
    assert.equal(await p.evaluate(() => document.documentElement.dataset.engine), 'page');
    assert.equal(await p.evaluate(() => typeof (crypto as { subtle?: unknown }).subtle), 'undefined');
    assert.match((await p.locator('#preview-key').textContent()) ?? '', /EC P-384/);
    const key = await save(p, 'Download key');
    const csr = await save(p, 'Download CSR');
    checkCsrAndKey(csr.path, key.path, { bits: 384, type: 'ec', sans: ['DNS:fallback.example.test'] });
    assert.deepEqual(networkRequests(nolog), []);
    assert.deepEqual(nolog.pageErrors, []);
  } finally {
    await ctx.close();
  }
});

test('CSR page: also works from a static web server (http://, only the page itself is fetched)', async (t) => {
  if (!oracle(t, 'chromium')) return;
  const html = readFileSync(fileURLToPath(pageUrl));
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url === '/' ? html : 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const ctx = await browser!.newContext();
  try {
    const httpLog = watch(ctx);
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    await p.goto(url);
    await fill(p, { 'Host names': 'static.example.test' });
    await generate(p, 'ec-P-256');
    assert.match((await p.locator('#preview-sans').textContent()) ?? '', /static\.example\.test/);
    assert.deepEqual(httpLog.pageErrors, []);
    assert.deepEqual(httpLog.requests.filter((u) => u !== url && !/^(data|blob):/.test(u)), [], 'nothing but the page itself');
  } finally {
    await ctx.close();
    server.close();
  }
});

test('CSR page: made no network request and broke no CSP rule', async (t) => {
  if (!oracle(t, 'chromium')) return;
  const csp = await page!.evaluate(() => (globalThis as unknown as { __csp: string[] }).__csp);
  assert.deepEqual(csp, [], 'CSP violations (attempted loads)');
  assert.deepEqual(log!.cspViolations, []);
  assert.deepEqual(log!.pageErrors, []);
  assert.ok(log!.requests.some((u) => u === pageUrl), `the request log works (saw ${log!.requests.length} requests)`);
  assert.deepEqual(networkRequests(log!), [], 'only file:, data: and blob: URLs');
});

test('web/app.ts and the in-page suite typecheck (esbuild does not)', () => {
  const r = run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(ROOT, 'web/tsconfig.json')], { cwd: ROOT });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
