// Browser bundle budget (issue 6, DESIGN.md §1 principle 4): the gzip size of
// a browser app that imports a few named exports of `mailpki`, measured from
// the built package exactly as an npm user gets it (scripts/bundle-size.mjs),
// and also straight from src/ so a regression shows up before a build.
// Also: the CSR-only bundle runs where only crypto.getRandomValues exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { webcrypto } from 'node:crypto';
import { build } from 'esbuild';
import { ENTRIES, measureEntry, problems, formatReport, kb, ROOT, type BundleResult } from '../../scripts/bundle-size.mjs';
import { oracle, runOk, tempDir } from '../helpers/env.js';

function newestMtime(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    t = Math.max(t, f.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

for (const from of ['package', 'src'] as const) {
  test(`bundle budgets, measured from ${from === 'package' ? 'the built package (dist/)' : 'src/'}`, async (t) => {
    if (from === 'package') {
      assert.ok(existsSync(join(ROOT, 'dist/index.js')), 'dist/index.js is missing: run `npm run build` first (npm test does)');
      assert.ok(
        statSync(join(ROOT, 'dist/index.js')).mtimeMs >= newestMtime(join(ROOT, 'src')) - 1000,
        'dist/ is older than src/: run `npm run build` first (npm test does)',
      );
    }
    const results: BundleResult[] = [];
    for (const entry of ENTRIES) {
      await t.test(entry.name, async () => {
        const r = await measureEntry(entry, { from });
        results.push(r);
        const p = problems(r);
        t.diagnostic(`${entry.name}: ${r.error ? 'ERROR ' + r.error : `${kb(r.gzipBytes)} gz (budget ${kb(r.budget)})`}`);
        assert.deepEqual(p, [], `${formatReport([r])}\n${p.join('\n')}`);
        // A bundle this small means the entry is broken, not tiny.
        assert.ok(r.gzipBytes > 2000, `${entry.name}: suspiciously small bundle (${r.gzipBytes} bytes)`);
      });
    }
    console.log(`bundle sizes [${from}]:\n${formatReport(results)}`);
  });
}

test('the CSR-only bundle works with nothing but crypto.getRandomValues (no WebCrypto, no Node)', async (t) => {
  if (!oracle(t, 'openssl')) return;
  const out = await build({
    stdin: {
      contents: `import { generateKeyPair, createCertificateRequest, encodePrivateKeyPem } from 'mailpki';
        globalThis.result = (async () => {
          const kp = await generateKeyPair({ type: 'ec', curve: 'P-256' });
          const csr = createCertificateRequest({ subject: { CN: 'mail.example.test' }, sans: ['mail.example.test', '192.0.2.7'], privateKey: kp.privateKey });
          return { key: encodePrivateKeyPem(kp.privateKey), csr: csr.pem };
        })();`,
      resolveDir: ROOT,
      loader: 'js',
    },
    alias: { mailpki: join(ROOT, 'src/index.ts') },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    minify: true,
    logLevel: 'silent',
  });
  // A bare context: no require, no process, no Buffer; crypto has only getRandomValues.
  const getRandomValues = <T extends ArrayBufferView>(a: T): T => webcrypto.getRandomValues(a as never) as T;
  const sandbox: Record<string, unknown> = { crypto: { getRandomValues }, TextEncoder, TextDecoder, console };
  sandbox.globalThis = sandbox;
  runInNewContext(new TextDecoder().decode(out.outputFiles[0]!.contents), sandbox);
  const { key, csr } = (await sandbox.result) as { key: string; csr: string };
  const dir = tempDir();
  writeFileSync(join(dir, 'csr.pem'), csr);
  writeFileSync(join(dir, 'key.pem'), key);
  runOk('openssl', ['req', '-verify', '-noout', '-in', join(dir, 'csr.pem')]);
  const a = runOk('openssl', ['req', '-noout', '-pubkey', '-in', join(dir, 'csr.pem')]);
  const b = runOk('openssl', ['pkey', '-pubout', '-in', join(dir, 'key.pem')]);
  assert.equal(a, b, 'the key and the CSR carry the same public key');
  const text = runOk('openssl', ['req', '-noout', '-text', '-in', join(dir, 'csr.pem')]);
  assert.match(text, /DNS:mail\.example\.test/);
  assert.match(text, /IP Address:192\.0\.2\.7/);
});
