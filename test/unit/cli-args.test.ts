// CLI framework, in process: option parsing, usage errors, help, version,
// one-line errors and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/env.js';
import { formatHelp, parseCommandArgs, type CliIo, type CommandSpec } from '../../src/cli/args.js';
import { main } from '../../src/cli/main.js';
import { isMailPkiError } from '../../src/errors.js';

const spec: CommandSpec = {
  name: 'demo cmd',
  summary: 'A demo.',
  usage: ['demo cmd FILE --out FILE'],
  positionals: { min: 1, max: 2, name: 'FILE' },
  options: {
    out: { type: 'string', required: true, arg: 'FILE', desc: 'output' },
    san: { type: 'string', multiple: true, arg: 'NAME', desc: 'names' },
    type: { type: 'string', choices: ['rsa', 'ec'], desc: 'kind' },
    days: { type: 'string', integer: [1, 825], arg: 'N', desc: 'days' },
    a: { type: 'boolean', desc: 'a' },
    b: { type: 'boolean', desc: 'b' },
  },
  exclusive: [['a', 'b']],
  examples: ['mailpki demo cmd x --out y'],
  run: async () => 0,
};

const usage = (args: string[], re: RegExp) =>
  assert.throws(() => parseCommandArgs(spec, args), (e) => isMailPkiError(e, 'ERR_USAGE') && re.test(e.message) && !e.message.includes('\n'));

test('parses repeated flags, integers, positionals', () => {
  const r = parseCommandArgs(spec, ['in.pem', '--out', 'o', '--san', 'a.example', '--san=b.example', '--days', '397', '--type', 'ec']);
  assert.deepEqual(r.positionals, ['in.pem']);
  assert.deepEqual(r.values.san, ['a.example', 'b.example']);
  assert.equal(r.values.days, 397);
  assert.equal(r.values.type, 'ec');
});

test('usage errors: unknown option, bad choice, bad integer, missing value, missing required, exclusive, positionals', () => {
  usage(['x', '--out', 'o', '--bogus'], /unknown option --bogus/);
  usage(['x', '--out', 'o', '--type', 'dsa'], /invalid value "dsa" for --type \(expected rsa, ec\)/);
  usage(['x', '--out', 'o', '--days', '826'], /--days.*1 to 825/);
  usage(['x', '--out', 'o', '--days', '-5'], /--days/);
  usage(['x', '--out', 'o', '--days', '1e3'], /--days/);
  usage(['x', '--out'], /--out needs a value/);
  usage(['x'], /--out is required/);
  usage(['x', '--out', 'o', '--a', '--b'], /--a and --b cannot be used together/);
  usage(['--out', 'o'], /missing FILE/);
  usage(['x', 'y', 'z', '--out', 'o'], /unexpected argument "z"/);
  usage(['x', '--out', ''], /non-empty/);
  usage(['x', '--out', 'o', '--a=yes'], /--a does not take a value/);
});

test('--help wins over missing required options', () => {
  assert.equal(parseCommandArgs(spec, ['--help']).values.help, true);
});

test('help text lists every option, the choices, and the examples', () => {
  const h = formatHelp(spec);
  for (const s of ['Usage: mailpki demo cmd', '--out FILE', '--type rsa|ec', '(required)', '(repeatable)', 'Examples:', 'mailpki demo cmd x --out y', '--debug', '--help']) {
    assert.ok(h.includes(s), `help lacks ${s}`);
  }
});

function captureIo(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    stderrIsTTY: false,
    stdinIsTTY: false,
    env: {},
  };
  return io;
}

test('--version prints the package.json version', async () => {
  const io = captureIo();
  assert.equal(await main(['--version'], io), 0);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(io.stdout, `${pkg.version}\n`);
});

test('mailpki --help lists every command; no arguments is a usage error', async () => {
  let io = captureIo();
  assert.equal(await main(['--help'], io), 0);
  for (const c of ['mail init', 'key new', 'ca new', 'ca intermediate', 'csr new', 'sign', 'chain', 'inspect', 'verify', 'config', 'check', 'tlsa']) {
    assert.match(io.stdout, new RegExp(`\\n  ${c} `), `--help lacks ${c}`);
  }
  io = captureIo();
  assert.equal(await main([], io), 2);
});

test('unknown command and missing subcommand: one line, exit 2', async () => {
  for (const [args, re] of [
    [['frobnicate'], /^error: unknown command "frobnicate" \(see mailpki --help\) \(ERR_USAGE\)\n$/],
    [['key'], /^error: key: expected a subcommand: key new \(ERR_USAGE\)\n$/],
    [['ca', 'old'], /^error: ca: expected a subcommand: ca new, ca intermediate, ca list \(ERR_USAGE\)\n$/],
  ] as const) {
    const io = captureIo();
    assert.equal(await main([...args], io), 2, args.join(' '));
    assert.match(io.stderr, re);
    assert.equal(io.stdout, '');
  }
});

test('a command group with --help lists its subcommands', async () => {
  for (const args of [['ca', '--help'], ['help', 'ca']]) {
    const io = captureIo();
    assert.equal(await main(args, io), 0, args.join(' '));
    assert.match(io.stdout, /Usage: mailpki ca <subcommand>[\s\S]*ca new[\s\S]*ca intermediate/);
  }
});

test('error lines never carry control characters (escape sequences in names)', async () => {
  const io = captureIo();
  await main(['\u001b[31mevil\nline'], io);
  assert.equal(io.stderr.split('\n').length, 2);
  assert.ok(!/\u001b/.test(io.stderr.replace(/\\u001b/g, '')));
});
