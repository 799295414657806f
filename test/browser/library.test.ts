// The library's shared test subset (test/browser/in-page-suite.ts: keys,
// signatures, PEM, CSRs) runs inside Chromium from a file:// page: once as
// is, once with crypto.subtle deleted before any script runs (a plain-http
// intranet page has no WebCrypto, only getRandomValues). The CSRs and keys
// made in the page are then checked with openssl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { ROOT, hasCommand, oracle, runOk, tempDir } from '../helpers/env.js';
import { launchChromium, watch, networkRequests, bundleScript } from '../helpers/chromium.js';
import { CASE_NAMES, type SuiteReport } from './in-page-suite.js';

let browser: Browser | undefined;
let pageUrl = '';

before(async () => {
  if (!hasCommand('chromium')) return;
  const dir = tempDir('mailpki-browser-lib-');
  const js = await bundleScript(join(ROOT, 'test/browser/in-page-suite.ts'));
  writeFileSync(join(dir, 'suite.js'), js);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>mailpki in-page suite</title><script src="suite.js"></script>');
  pageUrl = pathToFileURL(join(dir, 'index.html')).href;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

async function runInPage(deleteSubtle: boolean): Promise<{ report: SuiteReport; requests: string[]; errors: string[] }> {
  const context = await browser!.newContext();
  try {
    if (deleteSubtle) {
      await context.addInitScript(() => {
        // Before the bundle loads: no WebCrypto at all, only getRandomValues.
        delete (Crypto.prototype as { subtle?: unknown }).subtle;
        delete (globalThis.crypto as { subtle?: unknown }).subtle;
      });
    }
    const log = watch(context);
    const page = await context.newPage();
    await page.goto(pageUrl);
    const report = await page.evaluate(() => (globalThis as unknown as { mailpkiSuite: { runSuite: () => Promise<SuiteReport> } }).mailpkiSuite.runSuite());
    return { report, requests: networkRequests(log), errors: log.pageErrors };
  } finally {
    await context.close();
  }
}

function checkReport(report: SuiteReport): void {
  const failed = report.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.error}`);
  assert.deepEqual(failed, [], `in-page failures:\n${failed.join('\n')}`);
  assert.deepEqual(report.results.map((r) => r.name), [...CASE_NAMES], 'every case ran, in order');
  assert.equal(report.results.length, 17);
}

function checkPemsWithOpenssl(t: { diagnostic: (s: string) => void }, report: SuiteReport): void {
  if (!hasCommand('openssl')) return;
  const dir = tempDir('mailpki-browser-pem-');
  for (const k of ['rsa', 'ec', 'ed']) {
    const csr = join(dir, `csr-${k}.pem`);
    const key = join(dir, `key-${k}.pem`);
    writeFileSync(csr, report.pems[`csr-${k}`] ?? '');
    writeFileSync(key, report.pems[`key-${k}`] ?? '');
    runOk('openssl', ['req', '-verify', '-noout', '-in', csr]);
    assert.equal(runOk('openssl', ['req', '-noout', '-pubkey', '-in', csr]), runOk('openssl', ['pkey', '-pubout', '-in', key]), `${k}: key matches CSR`);
  }
  const enc = join(dir, 'key-ec-encrypted.pem');
  writeFileSync(enc, report.pems['key-ec-encrypted'] ?? '');
  assert.equal(
    runOk('openssl', ['pkey', '-pubout', '-in', enc, '-passin', 'pass:correct horse battery']),
    runOk('openssl', ['pkey', '-pubout', '-in', join(dir, 'key-ec.pem')]),
    'openssl decrypts the encrypted PKCS#8 key made in the page',
  );
  t.diagnostic('openssl accepted the CSRs and keys made in the page');
}

test('library subset in Chromium (WebCrypto present)', async (t) => {
  if (!oracle(t, 'chromium')) return;
  const { report, requests, errors } = await runInPage(false);
  t.diagnostic(`env: ${JSON.stringify(report.env)}`);
  t.diagnostic(report.results.map((r) => `${r.ok ? 'ok ' : 'FAIL'} ${r.name} (${r.ms.toFixed(0)} ms)`).join('\n'));
  // file:// is a secure context in Chromium: WebCrypto is there (and unused), so the next run differs.
  assert.equal(report.env.subtle, 'object');
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [], 'no network requests');
  checkReport(report);
  checkPemsWithOpenssl(t, report);
});

test('library subset in Chromium with crypto.subtle deleted (only getRandomValues)', async (t) => {
  if (!oracle(t, 'chromium')) return;
  const { report, requests, errors } = await runInPage(true);
  t.diagnostic(`env: ${JSON.stringify(report.env)}`);
  t.diagnostic(report.results.map((r) => `${r.ok ? 'ok ' : 'FAIL'} ${r.name} (${r.ms.toFixed(0)} ms)`).join('\n'));
  assert.equal(report.env.subtle, 'undefined', 'crypto.subtle was really gone');
  assert.equal(report.env.getRandomValues, 'function');
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [], 'no network requests');
  checkReport(report);
  checkPemsWithOpenssl(t, report);
});
