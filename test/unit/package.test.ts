// The published package (issue 6): passes publint on the packed tarball, and
// its types resolve for TypeScript consumers under moduleResolution node16
// and bundler (a tiny consumer project in a temp dir, `mailpki` linked to
// this repo, compiled with the repo's tsc). Needs dist/: `npm test` builds first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { ROOT, run, runOk, tempDir } from '../helpers/env.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, { types?: string; default?: string } | string>;
};

function requireDist(): void {
  const missing = Object.values(pkg.exports)
    .flatMap((v) => (typeof v === 'string' ? [] : [v.types, v.default]))
    .filter((f): f is string => !!f && !existsSync(join(ROOT, f)));
  assert.deepEqual(missing, [], `built files missing (${missing.join(', ')}): run \`npm run build\` first (npm test does)`);
}

test('publint: the packed package has no errors or warnings', async () => {
  requireDist();
  const dir = tempDir('mailpki-pack-');
  // The real tarball `npm publish` would upload (files, exports, bin...).
  const out = runOk('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT });
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  assert.ok(info, 'npm pack printed no result');
  const paths = info.files.map((f) => f.path);
  assert.ok(paths.includes('dist/index.js') && paths.includes('dist/index.d.ts'), `tarball lacks dist: ${paths.join(', ')}`);
  assert.ok(!paths.some((p) => p.startsWith('src/') || p.startsWith('test/')), 'tarball must not ship src/ or test/');
  assert.ok(paths.includes('LICENSE'), `tarball lacks LICENSE: ${paths.join(', ')}`);
  const tarball = readFileSync(join(dir, info.filename));
  const ab = tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength);
  const { messages, pkg: packed } = await publint({ pack: { tarball: ab }, level: 'warning', strict: true });
  const text = messages.map((m) => `${m.type}: ${formatMessage(m, packed) ?? m.code}`);
  assert.deepEqual(text, [], `publint:\n${text.join('\n')}`);

  // Control: the same lint on a copy whose exports point at a file that is not packed must complain.
  const broken = { ...packed, exports: { ...packed.exports, './missing': './dist/missing.js' } };
  const control = await publint({ pkgDir: '/p', pack: { files: [{ name: '/p/package.json', data: JSON.stringify(broken) }] }, level: 'warning' });
  assert.ok(control.messages.some((m) => m.code === 'FILE_DOES_NOT_EXIST'), 'publint control case found nothing');
});

const CONSUMER_OK = `
import { MailPkiError, isMailPkiError, encodePem, parsePemBlock, type PemBlock, type KeyPair, type PrivateKey } from 'mailpki';
import * as mailpkiNode from 'mailpki/node';

const pem: string = encodePem('CERTIFICATE', new Uint8Array([48, 0]));
const block: PemBlock = parsePemBlock(pem, ['CERTIFICATE']);
const der: Uint8Array = block.der;
const err = new MailPkiError('ERR_PEM_MALFORMED', 'x');
const same: boolean = isMailPkiError(err) && err.code === 'ERR_PEM_MALFORMED';
declare const kp: KeyPair;
const priv: PrivateKey = kp.privateKey;
export { der, same, priv, mailpkiNode };
`;

// Proves the types are real (not `any` from an unresolved module): each line must be a type error.
const CONSUMER_BAD = `
import { encodePem, MailPkiError } from 'mailpki';
const n: number = encodePem('CERTIFICATE', new Uint8Array(0));
new MailPkiError('ERR_NOT_A_CODE_AT_ALL', 'x');
export { n };
`;

const SETTINGS = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
} as const;

function consumerProject(setting: keyof typeof SETTINGS): string {
  const dir = tempDir(`mailpki-consumer-${setting}-`);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { mailpki: `file:${ROOT}` } }));
  mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules/mailpki'), 'dir');
  symlinkSync(join(ROOT, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'), 'dir');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        ...SETTINGS[setting],
        target: 'es2022',
        lib: ['es2022', 'dom'],
        strict: true,
        noEmit: true,
        // Check our .d.ts files too (not only the consumer's code).
        skipLibCheck: false,
        types: ['node'],
      },
      files: ['ok.ts', 'bad.ts'],
    }),
  );
  writeFileSync(join(dir, 'ok.ts'), CONSUMER_OK);
  writeFileSync(join(dir, 'bad.ts'), CONSUMER_BAD);
  return dir;
}

for (const setting of Object.keys(SETTINGS) as Array<keyof typeof SETTINGS>) {
  test(`types resolve for a TypeScript consumer (moduleResolution ${setting}): mailpki and mailpki/node`, () => {
    requireDist();
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const dir = consumerProject(setting);
    const r = run(process.execPath, [tsc, '-p', dir, '--listFiles'], { cwd: dir });
    const errors = r.stdout.split('\n').filter((l) => /error TS/.test(l));
    // ok.ts compiles cleanly, against the built declarations (through package.json exports)...
    assert.deepEqual(errors.filter((l) => !l.startsWith('bad.ts')), [], `tsc (${setting}):\n${errors.join('\n')}`);
    const files = r.stdout.split('\n').map((l) => l.trim());
    assert.ok(files.some((f) => f.endsWith('/dist/index.d.ts')), 'mailpki resolved to dist/index.d.ts');
    assert.ok(files.some((f) => f.endsWith('/dist/node/index.d.ts')), 'mailpki/node resolved to dist/node/index.d.ts');
    // ...and bad.ts fails exactly where the real types say it must (they are not `any`).
    assert.deepEqual(
      errors.map((l) => /^(bad\.ts\(\d+,\d+\): error TS\d+)/.exec(l)?.[1]),
      ['bad.ts(3,7): error TS2322', 'bad.ts(4,18): error TS2345'],
      errors.join('\n'),
    );
  });
}
