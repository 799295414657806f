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

test('every code in ERROR_CODES is thrown somewhere in src/; the CLI-only codes only under src/cli/', async () => {
  const { ERROR_CODES } = await import('../../src/errors.js');
  const CLI_ONLY = new Set(['ERR_USAGE', 'ERR_PASSPHRASE_REQUIRED']);
  const files = walk(join(root, 'src'))
    .filter((f) => relative(root, f) !== 'src/errors.ts')
    .map((f) => ({ rel: relative(root, f), text: readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '') }));
  const never: string[] = [];
  const outsideCli: string[] = [];
  for (const code of ERROR_CODES) {
    const users = files.filter((f) => f.text.includes(`'${code}'`));
    if (users.length === 0) never.push(code);
    if (CLI_ONLY.has(code)) outsideCli.push(...users.filter((f) => !f.rel.startsWith('src/cli/')).map((f) => `${code} in ${f.rel}`));
  }
  assert.deepEqual(never, [], 'listed but never used: remove it from src/errors.ts or throw it where it belongs');
  assert.deepEqual(outsideCli, [], 'a CLI-only code used by the library');
  for (const code of CLI_ONLY) assert.ok((ERROR_CODES as readonly string[]).includes(code));
});
