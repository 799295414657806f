// Shared helpers for the browser tests: launch Debian's chromium through
// playwright-core (never a downloaded browser), log every request a page
// makes, bundle a TypeScript entry into a classic script with esbuild.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './env.js';

export const CHROMIUM = '/usr/bin/chromium';
export const TEST_OUTPUT = join(ROOT, 'test-output');

export async function launchChromium(): Promise<Browser> {
  // chromium.launch() starts from a fresh temporary user-data dir every time.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Every URL the context requested (pages, workers, downloads), plus CSP violations and page errors. */
export interface NetLog {
  requests: string[];
  cspViolations: string[];
  pageErrors: string[];
}

export function watch(context: BrowserContext): NetLog {
  const log: NetLog = { requests: [], cspViolations: [], pageErrors: [] };
  context.on('request', (r) => log.requests.push(r.url()));
  context.on('page', (p) => watchPage(p, log));
  return log;
}

function watchPage(page: Page, log: NetLog): void {
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) log.cspViolations.push(m.text());
  });
}

/** Requests to anything but the local file itself, data: or blob: URLs. */
export function networkRequests(log: NetLog): string[] {
  return log.requests.filter((u) => !/^(file|data|blob):/.test(u));
}

/** Bundle a TS entry (and the parts of src/ it imports) into a classic IIFE script. */
export async function bundleScript(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    charset: 'utf8',
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

export function testOutputDir(): string {
  mkdirSync(TEST_OUTPUT, { recursive: true });
  return TEST_OUTPUT;
}
