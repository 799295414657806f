// Hardening details that need no server or signal: the one terminal-escaping
// function, private key objects that do not print their secrets, strict Name
// strings, TLS error reasons without OpenSSL paths, the stdin time limit. CLI
// outputs of file text with escape sequences (openssl makes the certificate):
// test/interop/harden-openssl.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { PassThrough } from 'node:stream';
import {
  escapeTerminal,
  generateKeyPair,
  parsePrivateKey,
  encodePrivateKeyPem,
  importJwk,
  exportJwk,
  guardPrivateKey,
  type PrivateKey,
  createRootCa,
  parseCertificate,
  parseName,
  isMailPkiError,
} from '../../src/index.js';
import { decodeName } from '../../src/x509/name.js';
import { fromHex, toHex } from '../../src/encoding/bytes.js';
import { describeTlsError } from '../../src/node/probe.js';
import { readStdin } from '../../src/cli/io.js';

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('escapeTerminal: C0, DEL, C1 and bidi/invisible marks escaped; printable text (non-ASCII too) unchanged', () => {
  assert.equal(escapeTerminal('OK\u001b]0;t\u0007'), 'OK\\x1b]0;t\\x07');
  assert.equal(escapeTerminal('a\nb\tc\rd'), 'a\\x0ab\\x09c\\x0dd');
  assert.equal(escapeTerminal('a\nb\tc\rd', 'text'), 'a\nb\tc\\x0dd');
  assert.equal(escapeTerminal('\u009b31m\u007f'), '\\x9b31m\\x7f');
  assert.equal(escapeTerminal('evil\u202egnp.exe\u2066\u200b\u2028'), 'evil\\u202egnp.exe\\u2066\\u200b\\u2028');
  assert.equal(escapeTerminal('Zürich 東京 ü€'), 'Zürich 東京 ü€');
  for (let c = 0; c < 0x3000; c++) {
    const out = escapeTerminal(String.fromCharCode(c));
    assert.equal(RAW_CONTROL.test(out), false, `U+${c.toString(16)}`);
  }
  // json mode: still valid JSON with the same value
  const v = { s: 'x\u001b\u009b\u202e\u007fy' };
  const j = escapeTerminal(JSON.stringify(v), 'json');
  assert.equal(RAW_CONTROL.test(j), false);
  assert.deepEqual(JSON.parse(j), v);
  assert.throws(() => escapeTerminal(1 as unknown as string), TypeError);
});

test('private keys: util.inspect / console.log show type and size only; JSON.stringify throws a TypeError naming the exports', async () => {
  const cases = [
    [{ type: 'ec', curve: 'P-256' }, "PrivateKey { type: 'ec', curve: 'P-256' }"],
    [{ type: 'ed25519' }, "PrivateKey { type: 'ed25519' }"],
    [{ type: 'rsa', bits: 2048 }, "PrivateKey { type: 'rsa', bits: 2048 }"],
  ] as const;
  for (const [opts, shown] of cases) {
    const { privateKey } = await generateKeyPair(opts as Parameters<typeof generateKeyPair>[0]);
    const pem = encodePrivateKeyPem(privateKey);
    for (const k of [privateKey, parsePrivateKey(pem), importJwk(exportJwk(privateKey)) as PrivateKey]) {
      assert.equal(inspect(k), shown);
      assert.equal(inspect({ nested: [k] }, { depth: 10, showHidden: true }).includes(shown), true);
      const secret = k.type === 'rsa' ? k.d.toString() : k.type === 'ec' ? toHex(k.d) : toHex(k.seed);
      assert.equal(inspect(k, { showHidden: true, depth: 10 }).includes(secret.slice(0, 16)), false);
      assert.throws(() => JSON.stringify({ key: k }), (e: unknown) => e instanceof TypeError && /exportJwk.*encodePrivateKeyPem/.test(e.message));
      assert.deepEqual(Object.keys(k).sort(), Object.keys({ ...k }).sort(), 'the hooks are not enumerable');
      assert.equal(encodePrivateKeyPem(k), pem, 'the key still works');
    }
  }
  // a hand-made key object gets the same behaviour through guardPrivateKey
  const { privateKey } = await generateKeyPair({ type: 'ec', curve: 'P-384' });
  const plain = { ...privateKey };
  assert.equal(inspect(plain).includes("d: Uint8Array"), true, 'a spread copy is plain data again');
  assert.equal(inspect(guardPrivateKey(plain)), "PrivateKey { type: 'ec', curve: 'P-384' }");
  assert.throws(() => guardPrivateKey({ kind: 'public' } as never), TypeError);
});

/** Name DER: SEQUENCE { SET { SEQUENCE { OID, value } } }. */
function nameDer(oidHex: string, valueTlvHex: string): Uint8Array {
  const atv = `06${(oidHex.length / 2).toString(16).padStart(2, '0')}${oidHex}${valueTlvHex}`;
  const seq = `30${(atv.length / 2).toString(16).padStart(2, '0')}${atv}`;
  const set = `31${(seq.length / 2).toString(16).padStart(2, '0')}${seq}`;
  return fromHex(`30${(set.length / 2).toString(16).padStart(2, '0')}${set}`);
}

test('Name attributes: invalid UTF-8 or a non-string tag in a known attribute is refused; an unknown attribute may hold any value', () => {
  const CN = '550403';
  assert.equal(decodeName(nameDer(CN, '0c026162')).rdns[0]![0]!.value, 'ab');
  const bad = (d: Uint8Array) => assert.throws(() => decodeName(d), (e) => isMailPkiError(e, 'ERR_NAME_INVALID'));
  bad(nameDer(CN, '0c0261ff')); // invalid UTF-8
  bad(nameDer(CN, '0c03eda080')); // UTF-8 encoded surrogate
  bad(nameDer(CN, '0201' + '05')); // INTEGER as CN
  assert.throws(() => decodeName(nameDer(CN, '1e03006100')), (e) => isMailPkiError(e)); // odd BMPString (refused by the DER reader already)
  bad(nameDer('55040a', '0500')); // NULL as O
  const unknown = decodeName(nameDer('2b0601040182371402', '020105')); // 1.3.6.1.4.1.311.20.2 with an INTEGER
  assert.equal(unknown.rdns[0]![0]!.stringType, 'DER');
  assert.equal(unknown.rdns[0]![0]!.value, '#020105');
});

test('a certificate with invalid UTF-8 in its subject CN does not parse (ERR_NAME_INVALID)', async () => {
  const { privateKey } = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const ca = createRootCa({ subject: parseName({ CN: 'Zzzzzz root' }), privateKey, days: 30 });
  const der = new Uint8Array(ca.der);
  const needle = new TextEncoder().encode('Zzzzzz');
  let patched = 0;
  for (let i = 0; i + needle.length <= der.length; i++) {
    if (needle.every((b, k) => der[i + k] === b)) {
      der[i + 1] = 0xff;
      patched++;
    }
  }
  assert.equal(patched, 2, 'subject and issuer patched');
  assert.throws(() => parseCertificate(der), (e) => isMailPkiError(e, 'ERR_NAME_INVALID'));
});

test('TLS library errors become one line with a stable code and no OpenSSL source path', () => {
  const mk = (code: string, reason: string | undefined, message: string) => Object.assign(new Error(message), { code, reason });
  const path = 'C0EC2A4E7C7F0000:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1605:SSL alert number 70';
  const cases: Array<[Error, string]> = [
    [mk('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tlsv1 alert protocol version', path), 'protocol-version'],
    [mk('ERR_SSL_UNSUPPORTED_PROTOCOL', 'unsupported protocol', path), 'protocol-version'],
    [mk('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number', path), 'not-tls'],
    [mk('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'sslv3 alert handshake failure', path), 'handshake-failed'],
    [mk('ECONNRESET', undefined, 'read ECONNRESET'), 'handshake-failed'],
    [mk('ERR_SSL_SOMETHING_NEW', undefined, path), 'handshake-failed'],
    [Object.assign(new Error(path), {}), 'handshake-failed'],
  ];
  for (const [e, code] of cases) {
    const f = describeTlsError(e as never, 'TLS handshake');
    assert.equal(f.code, code, e.message);
    assert.doesNotMatch(f.message, /deps\/openssl|\.c:\d+|\n/);
    assert.match(f.message, /^TLS handshake: /);
  }
});

test('standard input: a silent writer is given up after the limit; a terminal waits; a large input is refused', async () => {
  const silent = new PassThrough() as unknown as NodeJS.ReadStream;
  const t0 = Date.now();
  await assert.rejects(readStdin(1024, 300, silent), (e) => isMailPkiError(e, 'ERR_IO') && /did not end within 0.3 s/.test((e as Error).message));
  assert.ok(Date.now() - t0 < 1500);
  const ok = new PassThrough();
  setTimeout(() => ok.end('abc'), 50);
  assert.equal(new TextDecoder().decode(await readStdin(1024, 2000, ok as unknown as NodeJS.ReadStream)), 'abc');
  const big = new PassThrough();
  big.write(Buffer.alloc(2000));
  await assert.rejects(readStdin(1024, 2000, big as unknown as NodeJS.ReadStream), (e) => isMailPkiError(e, 'ERR_INPUT_TOO_LARGE'));
  const tty = Object.assign(new PassThrough(), { isTTY: true });
  const pending = readStdin(1024, 100, tty as unknown as NodeJS.ReadStream);
  await new Promise((r) => setTimeout(r, 300));
  tty.end('late');
  assert.equal(new TextDecoder().decode(await pending), 'late', 'no time limit on a terminal');
});

test('CLI: `inspect -` with a silent writer on stdin gives up after 10 s (as files and FIFOs do)', { timeout: 30_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const { cliCommand } = await import('../helpers/cli.js');
  const t0 = Date.now();
  const child = spawn(process.execPath, [...cliCommand(), 'inspect', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const status = await new Promise<number | null>((res) => child.on('close', res));
  clearTimeout(killer);
  child.stdin.destroy();
  const ms = Date.now() - t0;
  assert.equal(status, 1, err);
  assert.match(err, /standard input: the data did not end within 10 s .*\(ERR_IO\)/);
  assert.ok(ms >= 9_500 && ms < 20_000, `${ms} ms`);
});
