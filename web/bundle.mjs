// Builds the offline CSR page into ONE self-contained HTML file: the app
// (web/app.ts and the parts of mailpki it uses, bundled from src/ by esbuild
// as a classic IIFE script: module scripts do not run from file://) and the
// CSS are inlined; a Content-Security-Policy with their SHA-256 hashes allows
// nothing else to load or connect. Used by web/build.mjs (npm run build ->
// dist/web/index.html) and by the browser tests (into a temp dir).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = dirname(fileURLToPath(import.meta.url));

const cspHash = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Bundle web/app.ts (or another entry) into a self-contained page.
 * @param {{ outDir: string, entry?: string, fileName?: string, minify?: boolean }} options
 * @returns {Promise<{ file: string, bytes: number, gzipBytes: number, scriptBytes: number }>}
 */
export async function buildPage({ outDir, entry = join(WEB, 'app.ts'), fileName = 'index.html', minify = true }) {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    minify,
    treeShaking: true,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const js = out.outputFiles[0].text.trim();
  const css = readFileSync(join(WEB, 'style.css'), 'utf8').trim();
  // The HTML tokenizer would end or confuse the inline script at these.
  for (const bad of ['</script', '<!--']) {
    if (js.toLowerCase().includes(bad)) throw new Error(`web bundle contains "${bad}": cannot inline it safely`);
  }
  if (css.includes('</style')) throw new Error('style.css contains "</style"');
  const template = readFileSync(join(WEB, 'index.html'), 'utf8');
  const values = { '%SCRIPT_HASH%': cspHash(js), '%STYLE_HASH%': cspHash(css), '%STYLE%': css, '%SCRIPT%': js };
  const html = template.replace(/%(SCRIPT_HASH|STYLE_HASH|STYLE|SCRIPT)%/g, (m) => values[m]);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, fileName);
  writeFileSync(file, html);
  return { file, bytes: Buffer.byteLength(html), gzipBytes: gzipSync(html, { level: 9 }).length, scriptBytes: Buffer.byteLength(js) };
}
