// Rules the whole tree must keep: the core imports nothing from node:*,
// never touches crypto.subtle, and the committed API reports match the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const NODE_ONLY = /^src\/(node|cli)\//;

test('node:* and Node builtins are imported only under src/node/ and src/cli/', () => {
  const offenders: string[] = [];
  for (const f of walk(join(root, 'src'))) {
    const rel = relative(root, f);
    if (NODE_ONLY.test(rel)) continue;
    const src = readFileSync(f, 'utf8');
    if (/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](node:|fs['"]|path['"]|crypto['"]|os['"]|worker_threads['"])/.test(src)) offenders.push(rel);
  }
  assert.deepEqual(offenders, []);
});

test('the core never uses crypto.subtle (only crypto.getRandomValues)', () => {
  const offenders = walk(join(root, 'src'))
    .filter((f) => !NODE_ONLY.test(relative(root, f)))
    .filter((f) => /\bsubtle\b/.test(readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
    .map((f) => relative(root, f));
  assert.deepEqual(offenders, []);
});

test('committed API reports (etc/) match the public API of the build', () => {
  assert.ok(existsSync(join(root, 'dist/index.d.ts')), 'dist/index.d.ts missing: run `npm run build` first');
  for (const cfg of ['api-extractor.json', 'api-extractor.node.json']) {
    const r = spawnSync(join(root, 'node_modules/.bin/api-extractor'), ['run', '-c', cfg], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `${cfg}: public API changed without updating etc/ (run \`npm run build && npm run api\` and commit etc/):\n${r.stdout.slice(-2000)}`);
  }
});
