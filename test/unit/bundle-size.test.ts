// Browser bundle budget (issue 6, DESIGN.md §1 principle 4): the gzip size of
// a browser app that imports a few named exports of `mailpki`, measured from
// the built package exactly as an npm user gets it (scripts/bundle-size.mjs),
// and also straight from src/ so a regression shows up before a build.
// That the CSR-only bundle runs where only crypto.getRandomValues exists (and
// openssl accepts its CSR): test/interop/csr-bundle-openssl.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENTRIES, measureEntry, problems, formatReport, kb, ROOT, type BundleResult } from '../../scripts/bundle-size.mjs';

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
