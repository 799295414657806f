// Rules the whole tree must keep: every import points down the layers, the
// core imports nothing from node:*, never touches crypto.subtle, and the
// committed API reports match the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const NODE_ONLY = /^src\/(node|cli)\//;

// The layers of src/, lowest first (docs/DESIGN.md §2). A module imports from
// its own layer and the ones below, never from above; type-only imports
// count too (they say who owns a concept). src/index.ts is the core's barrel:
// it sits with mail/, the top of the runtime-agnostic core.
const LAYERS: readonly (readonly string[])[] = [['errors', 'oid'], ['encoding'], ['crypto'], ['keys'], ['x509'], ['mail'], ['node'], ['cli']];

/** The layer of a file under src/ (index in LAYERS), or undefined for a file outside every layer. */
function layerOf(rel: string): number | undefined {
  if (rel === 'src/index.ts') return LAYERS.findIndex((l) => l.includes('mail'));
  const m = /^src\/([^/]+?)(?:\.ts|\/)/.exec(rel);
  if (!m) return undefined;
  const i = LAYERS.findIndex((l) => l.includes(m[1]!));
  return i < 0 ? undefined : i;
}

/** Relative specifiers of every static, type-only, re-export, side-effect and dynamic import in `text`. */
function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
}

/** `from -> to` for each import in `files` (repo-relative path -> text) that points to a higher layer or out of the layers. */
function layerViolations(files: ReadonlyMap<string, string>): { edges: number; violations: string[] } {
  let edges = 0;
  const violations: string[] = [];
  for (const [rel, text] of files) {
    const from = layerOf(rel);
    if (from === undefined) { violations.push(`${rel}: not in any layer (add its folder to LAYERS)`); continue; }
    for (const spec of importsOf(text)) {
      edges++;
      const target = relative(root, resolve(root, dirname(rel), spec)).replace(/\.js$/, '.ts');
      const to = layerOf(target);
      if (to === undefined) violations.push(`${rel} -> ${target}: outside the layers`);
      else if (to > from) violations.push(`${rel} (${LAYERS[from]!.join('/')}) -> ${target} (${LAYERS[to]!.join('/')})`);
    }
  }
  return { edges, violations };
}

test('layers: every import in src/ points to its own layer or a lower one (errors/oid -> encoding -> crypto -> keys -> x509 -> mail -> node -> cli)', () => {
  const files = new Map(walk(join(root, 'src')).map((f) => [relative(root, f), readFileSync(f, 'utf8')] as const));
  const { edges, violations } = layerViolations(files);
  assert.ok(edges > 300, `only ${edges} imports found in src/: the import reader is broken`);
  assert.deepEqual(violations, [], 'an import from a higher layer: move the shared piece down instead');
});

test('layers: the rule sees type-only, re-export, side-effect and dynamic imports, and files outside the layers', () => {
  const { violations } = layerViolations(new Map([
    ['src/crypto/a.ts', "import type { X } from '../x509/types.js';\nimport { y } from './hash.js';"],
    ['src/keys/b.ts', "export { Z } from '../mail/index.js';\n// import { no } from '../cli/main.js';"],
    ['src/encoding/c.ts', "import '../crypto/random.js';\nconst m = await import('../node/probe.js');"],
    ['src/x509/d.ts', "import { OID } from '../oid.js';\nimport { e } from '../errors.js';\nimport { k } from '../keys/spki.js';"],
    ['src/index.ts', "export * from './mail/index.js';\nexport * from './node/index.js';"],
    ['src/lint/e.ts', "import { OID } from '../oid.js';"],
  ]));
  assert.deepEqual(violations, [
    'src/crypto/a.ts (crypto) -> src/x509/types.ts (x509)',
    'src/keys/b.ts (keys) -> src/mail/index.ts (mail)',
    'src/encoding/c.ts (encoding) -> src/crypto/random.ts (crypto)',
    'src/encoding/c.ts (encoding) -> src/node/probe.ts (node)',
    'src/index.ts (mail) -> src/node/index.ts (node)',
    'src/lint/e.ts: not in any layer (add its folder to LAYERS)',
  ]);
});

// test/unit/ runs with no external tool: oracles (openssl, GnuTLS certtool,
// Python cryptography, Java keytool, doveconf) are asked in test/interop/.
const ORACLE_CALL = [
  /\b(?:oracle|hasCommand)\s*\(/,
  /\b(?:spawn|spawnSync|execFile|execFileSync|exec|execSync|run|runOk|sh|shStatus)\s*\(\s*(?:PYTHON\b|['"`](?:openssl|certtool|(?:\/usr\/bin\/)?python3?|keytool|java|doveconf|dovecot|postfix)\b)/,
  /\b(?:PYTHON|OpensslPki|opensslVerify|makeFixtures)\b/,
];
const oracleCalls = (text: string): string[] =>
  text.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '').split('\n').filter((l) => ORACLE_CALL.some((re) => re.test(l))).map((l) => l.trim());

test('test/unit/ asks no oracle: no oracle(), no openssl/certtool/python3/keytool/doveconf process (those tests live in test/interop/)', () => {
  const offenders = walk(join(root, 'test/unit')).filter((f) => !f.endsWith('repo-rules.test.ts')).flatMap((f) => oracleCalls(readFileSync(f, 'utf8')).map((l) => `${relative(root, f)}: ${l.slice(0, 120)}`));
  assert.deepEqual(offenders, [], 'move the test to test/interop/');
  // the check sees what it is meant to see
  assert.deepEqual(oracleCalls([
    "if (!oracle(t, 'openssl')) return;",
    "runOk('openssl', ['req', '-verify']);",
    "const r = spawnSync('openssl', ['enc']);",
    "sh('certtool', ['-i']);",
    'run(PYTHON, [\'-c\', code]);',
    "run('keytool', ['-list']);",
    "const pki = new OpensslPki();",
    "// runOk('openssl', []) in a comment",
    "run('doveconfig', []); // another word",
    "spawn(process.execPath, ['-e', '1']);",
  ].join('\n')).length, 7);
  const interop = walk(join(root, 'test/interop')).filter((f) => oracleCalls(readFileSync(f, 'utf8')).length > 0);
  assert.ok(interop.length >= 20, `only ${interop.length} interop files ask an oracle: the check is broken`);
});

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
