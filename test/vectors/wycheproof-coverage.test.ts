// Every Wycheproof vector file in test/vectors/wycheproof/ is run by some
// test in this folder (a file added without a test fails here), and the
// licence and provenance notes sit beside them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, VECTORS_DIR } from '../helpers/env.js';

test('every Wycheproof vector file is used by a test', () => {
  const files = readdirSync(VECTORS_DIR).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 24, `${files.length} vector files`);
  assert.ok(existsSync(join(VECTORS_DIR, 'LICENSE')) && existsSync(join(VECTORS_DIR, 'SOURCE.txt')));
  const dir = join(ROOT, 'test/vectors');
  const tests = readdirSync(dir).filter((f) => f.endsWith('.test.ts') && f !== 'wycheproof-coverage.test.ts').map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  const unused = files.filter((f) => !tests.includes(`'${f}'`));
  assert.deepEqual(unused, [], 'vector files no test reads');
});
