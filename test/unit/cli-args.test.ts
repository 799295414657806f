// CLI framework, in process: option parsing, usage errors, help, version,
// one-line errors and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/env.js';
import { formatHelp, parseCommandArgs, type CliIo, type CommandSpec } from '../../src/cli/args.js';
import { main } from '../../src/cli/main.js';
import { isMailPkiError } from '../../src/index.js';

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
  for (const c of ['mail init', 'key new', 'ca new', 'ca intermediate', 'csr new', 'sign', 'chain', 'pkcs12', 'smime new', 'inspect', 'verify', 'config', 'check', 'tlsa']) {
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

test('choices are matched case-insensitively and through aliases; the command sees the canonical spelling', () => {
  const s: CommandSpec = { ...spec, options: { ...spec.options, curve: { type: 'string', choices: ['P-256', 'P-384'], aliases: { prime256v1: 'P-256', secp384r1: 'P-384' }, desc: 'curve' } } };
  assert.equal(parseCommandArgs(s, ['x', '--out', 'o', '--type', 'RSA']).values.type, 'rsa');
  assert.equal(parseCommandArgs(s, ['x', '--out', 'o', '--curve', 'p-256']).values.curve, 'P-256');
  assert.equal(parseCommandArgs(s, ['x', '--out', 'o', '--curve', 'PRIME256V1']).values.curve, 'P-256');
  assert.equal(parseCommandArgs(s, ['x', '--out', 'o', '--curve', 'secp384r1']).values.curve, 'P-384');
  assert.throws(() => parseCommandArgs(s, ['x', '--out', 'o', '--curve', 'secp256k1']), (e) => isMailPkiError(e, 'ERR_USAGE') && /expected P-256, P-384/.test(e.message));
  // An alias table is looked up by own keys only.
  assert.throws(() => parseCommandArgs(s, ['x', '--out', 'o', '--curve', 'constructor']), (e) => isMailPkiError(e, 'ERR_USAGE'));
});

test('an unknown option suggests the nearest known one, and only a near one', () => {
  usage(['x', '--out', 'o', '--dyas', '5'], /unknown option --dyas \(did you mean --days\?\)$/);
  usage(['x', '--ot', 'o'], /unknown option --ot \(did you mean --out\?\)$/);
  usage(['x', '--out', 'o', '--sans', 'a'], /did you mean --san\?/);
  usage(['x', '--out', 'o', '--frobnicate'], /^demo cmd: unknown option --frobnicate$/);
});

test('--version with a stray argument is a usage error, not ignored', async () => {
  const io = captureIo();
  assert.equal(await main(['--version', 'extra'], io), 2);
  assert.match(io.stderr, /^error: --version: unexpected argument "extra" \(ERR_USAGE\)\n$/);
});

test('`config postfix --help` shows the postfix help only, `config dovecot --help` the dovecot one', async () => {
  let io = captureIo();
  assert.equal(await main(['config', 'postfix', '--help'], io), 0);
  assert.match(io.stdout, /^Usage: mailpki config postfix /);
  assert.ok(!io.stdout.includes('config dovecot'), io.stdout);
  assert.match(io.stdout, /--chain-file/);
  io = captureIo();
  assert.equal(await main(['config', 'Dovecot', '--help'], io), 0);
  assert.match(io.stdout, /^Usage: mailpki config dovecot /);
  assert.ok(!io.stdout.includes('config postfix') && !io.stdout.includes('--chain-file') && !io.stdout.includes('--part'), io.stdout);
  // Without a variant: both.
  io = captureIo();
  assert.equal(await main(['config', '--help'], io), 0);
  assert.ok(io.stdout.includes('config postfix') && io.stdout.includes('config dovecot'));
});

test('library errors carry structured details; the CLI words the hint with its own flag (chain with two possible leaves)', async () => {
  const { generateKeyPair, createRootCa, issueCertificate, buildChain, getPublicKey, MailPkiError } = await import('../../src/index.js');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const ca = (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
  const root = createRootCa({ subject: { CN: 'Hint Root' }, privateKey: ca });
  const leaf = async (host: string) =>
    issueCertificate({ profile: 'tls-server', publicKey: getPublicKey((await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey), sans: [host], issuer: root, issuerKey: ca });
  const [a, b] = [await leaf('a.example.test'), await leaf('b.example.test')];
  // Library: the message speaks to library callers, details say which option.
  assert.throws(
    () => buildChain([a, b, root]),
    (e: unknown) => e instanceof MailPkiError && /several certificates could be the leaf.*; pass options\.leaf$/.test(e.message) && e.details?.option === 'leaf' && !e.details.summary!.includes('options.leaf'),
  );
  // CLI: the same failure names --leaf FILE.
  const dir = mkdtempSync(join(tmpdir(), 'mailpki-hint-'));
  writeFileSync(join(dir, 'all.pem'), a.pem + b.pem + root.pem);
  const io = captureIo();
  assert.equal(await main(['chain', join(dir, 'all.pem'), '--out', join(dir, 'out.pem')], io), 1);
  assert.match(io.stderr, /^error: several certificates could be the leaf: .*; name the leaf with --leaf FILE \(ERR_CHAIN_BROKEN\)\n$/);
  assert.doesNotMatch(io.stderr, /options\.leaf/);
});
