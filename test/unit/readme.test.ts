// The README's code blocks marked `ts readme-test` run as written (with
// 'mailpki' resolved to this checkout's sources) and print what they claim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, run, tempDir } from '../helpers/env.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts readme-test\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('README has runnable examples', () => {
  assert.ok(blocks.length >= 2, `expected at least 2 readme-test blocks, found ${blocks.length}`);
});

blocks.forEach((code, i) => {
  test(`README example ${i + 1} runs and prints what its comments say`, () => {
    const dir = tempDir();
    const file = join(dir, `example-${i}.mts`);
    writeFileSync(file, code.replace(/from 'mailpki(\/node)?'/g, (_m, sub) => `from '${join(ROOT, sub ? 'src/node/index.ts' : 'src/index.ts')}'`));
    const r = run(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    // every `console.log(...); // expected` comment must match its output line
    const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/\s*(.+)$/gm)].map((m) => m[1]!.trim());
    const lines = r.stdout.trim().split('\n');
    for (const exp of expected) {
      assert.ok(lines.some((l) => l.trim() === exp || l.trim().startsWith(exp)), `output lacks "${exp}":\n${r.stdout}`);
    }
  });
});
