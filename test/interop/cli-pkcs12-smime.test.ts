// The CLI as a real process: `mailpki pkcs12` (create, --legacy, --extract),
// `mailpki inspect FILE.p12`, `mailpki smime new`, with fixtures made by
// OpenSSL and results checked by OpenSSL:
// - .p12 we write: `openssl pkcs12 -info` / `-nodes` with the passphrase;
// - extracted PEM files: same key and certificate as OpenSSL's, modes 0600/0644;
// - smime new: `openssl smime -sign` then `openssl smime -verify -CAfile
//   ca.crt -purpose smimesign`; `openssl smime -encrypt` (RSA) and
//   `openssl cms -encrypt` (EC: ECDH, RFC 5753) decrypt with the key;
// - bad input (wrong passphrase, corrupted MAC, truncated file, key that does
//   not match, a bag in RC4 (OpenSSL -legacy -certpbe PBE-SHA1-RC4-128),
//   missing passphrase): one `error: ... (CODE)` line, nothing written.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, oracle, run, runOk, tempDir } from '../helpers/env.js';
import { cli, listFiles } from '../helpers/cli.js';
import { parseCertificates, parsePrivateKey, encodePkcs8, parsePkcs12, toHex } from '../../src/index.js';

const dir = tempDir('mailpki-cli-p12-');
const p = (n: string): string => join(dir, n);
const ossl = (...args: string[]): string => runOk('openssl', args, { cwd: dir });
const PW = 'import passphrase';

before(() => {
  if (!hasCommand('openssl')) return;
  writeFileSync(p('pw'), `${PW}\n`);
  writeFileSync(p('wrong'), 'not it\n');
  writeFileSync(p('keypw'), 'key pass\n');
  ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=CLI Test Mail CA', '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=Carol Example');
  ossl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-days', '30', '-out', 'leaf.crt');
  ossl('pkcs8', '-topk8', '-in', 'leaf.key', '-out', 'leaf-enc.key', '-v2', 'aes-256-cbc', '-passout', `file:${p('keypw')}`);
  ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.key');
});

const keyHex = (pem: string): string => toHex(encodePkcs8(parsePrivateKey(pem)));
const mode = (f: string): number => statSync(f).mode & 0o777;

/** One error line with the code, exit 1 or 2, and `out` (a fresh dir) still empty. */
function assertRefused(r: { status: number | null; stderr: string; stdout: string }, code: string | RegExp, out: string): void {
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^error: .* \(ERR_[A-Z0-9_]+\)$/);
  if (typeof code === 'string') assert.ok(lines[0]!.endsWith(`(${code})`), `${lines[0]} should end with (${code})`);
  else assert.match(lines[0]!, code);
  assert.notEqual(r.status, 0);
  assert.deepEqual(listFiles(out), []);
}

test('pkcs12: create (default and --legacy, encrypted input key, --chain), OpenSSL reads it; --extract gives back the same PEM', { timeout: 120_000 }, async (t) => {
  if (!oracle(t, 'openssl')) return;
  for (const legacy of [false, true]) {
    const out = p(`carol${legacy ? '-legacy' : ''}.p12`);
    const r = await cli(['pkcs12', '--cert', p('leaf.crt'), '--key', p('leaf-enc.key'), '--key-passphrase-file', p('keypw'), '--chain', p('ca.crt'), '--name', 'Carol', '--out', out, '--passphrase-file', p('pw'), ...(legacy ? ['--legacy'] : [])]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote .*PKCS#12 with a RSA 2048 key, its certificate and 1 CA certificate/);
    assert.equal(mode(out), 0o600);
    const info = run('openssl', ['pkcs12', '-info', '-noout', '-in', out, '-passin', `file:${p('pw')}`]);
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout + info.stderr, legacy ? /MAC: sha1, Iteration 2048[\s\S]*pbeWithSHA1And3-KeyTripleDES-CBC/ : /MAC: sha256, Iteration 2048[\s\S]*AES-256-CBC/);
    const pem = ossl('pkcs12', '-in', out, '-passin', `file:${p('pw')}`, '-nodes');
    assert.equal(keyHex(pem), keyHex(readFileSync(p('leaf.key'), 'utf8')));
    assert.deepEqual(parseCertificates(pem).map((c) => c.pem), [...parseCertificates(readFileSync(p('leaf.crt'), 'utf8')), ...parseCertificates(readFileSync(p('ca.crt'), 'utf8'))].map((c) => c.pem));
    assert.match(pem, /friendlyName: Carol/);

    const x = p(`x${legacy ? 'l' : ''}`);
    const e = await cli(['pkcs12', '--extract', out, '--key-out', join(x, 'k.pem'), '--cert-out', join(x, 'c.pem'), '--chain-out', join(x, 'chain.pem'), '--passphrase-file', p('pw')]);
    assert.equal(e.status, 0, e.stderr);
    assert.equal(mode(join(x, 'k.pem')), 0o600);
    assert.equal(mode(join(x, 'c.pem')), 0o644);
    assert.equal(keyHex(readFileSync(join(x, 'k.pem'), 'utf8')), keyHex(readFileSync(p('leaf.key'), 'utf8')));
    // OpenSSL agrees the extracted files belong together and chain to the CA
    assert.equal(ossl('pkey', '-in', join(x, 'k.pem'), '-pubout'), ossl('x509', '-in', join(x, 'c.pem'), '-noout', '-pubkey'));
    assert.match(ossl('verify', '-CAfile', join(x, 'chain.pem'), join(x, 'c.pem')), /OK/);
  }
});

test('pkcs12: OpenSSL -legacy (RC2-40) file extracted and inspected; inspect --json', { timeout: 60_000 }, async (t) => {
  if (!oracle(t, 'openssl')) return;
  ossl('pkcs12', '-export', '-legacy', '-inkey', p('leaf.key'), '-in', p('leaf.crt'), '-certfile', p('ca.crt'), '-passout', `file:${p('pw')}`, '-out', p('rc2.p12'), '-name', 'From OpenSSL');
  const i = await cli(['inspect', p('rc2.p12'), '--passphrase-file', p('pw')]);
  assert.equal(i.status, 0, i.stderr);
  assert.match(i.stdout, /MAC: HMAC-SHA-1, 2048 iterations: verified/);
  assert.match(i.stdout, /Bag: certificate, encryption: pbeWithSHAAnd40BitRC2-CBC, 2048 iterations/);
  assert.match(i.stdout, /Private key: RSA 2048/);
  assert.match(i.stdout, /Subject: +CN=Carol Example/);
  const j = await cli(['inspect', p('rc2.p12'), '--passphrase-env', 'P12PW', '--json'], { env: { P12PW: PW } });
  assert.equal(j.status, 0, j.stderr);
  const items = JSON.parse(j.stdout) as Array<{ kind: string; friendlyName?: string; mac?: { hash: string } }>;
  assert.deepEqual(items.map((x) => x.kind), ['pkcs12', 'certificate', 'certificate']);
  assert.equal(items[0]!.friendlyName, 'From OpenSSL');
  assert.equal(items[0]!.mac!.hash, 'SHA-1');
  // no passphrase and no terminal: described without decrypting (as an encrypted key is)
  const n = await cli(['inspect', p('rc2.p12')]);
  assert.equal(n.status, 0, n.stderr);
  assert.match(n.stdout, /not decrypted/);
  assert.match(n.stdout, /MAC: HMAC-SHA-1, 2048 iterations \(not verified\)/);
  assert.match(n.stdout, /Container: encrypted, encryption: pbeWithSHAAnd40BitRC2-CBC, 2048 iterations/);
  assert.match(n.stdout, /Bag: shrouded-key, encryption: pbeWithSHAAnd3-KeyTripleDES-CBC, 2048 iterations, friendlyName "From OpenSSL"/);
  assert.doesNotMatch(n.stdout, /Subject:/);
  const wrong = await cli(['inspect', p('rc2.p12'), '--passphrase-file', p('wrong')]);
  assert.match(wrong.stderr, /^error: .*\(ERR_BAD_PASSPHRASE\)\n$/);
});

test('pkcs12: bad input gives one line with a code and writes nothing', { timeout: 120_000 }, async (t) => {
  if (!oracle(t, 'openssl')) return;
  ossl('pkcs12', '-export', '-inkey', p('leaf.key'), '-in', p('leaf.crt'), '-passout', `file:${p('pw')}`, '-out', p('good.p12'));
  ossl('pkcs12', '-export', '-legacy', '-certpbe', 'PBE-SHA1-RC4-128', '-inkey', p('leaf.key'), '-in', p('leaf.crt'), '-passout', `file:${p('pw')}`, '-out', p('rc4.p12'));
  const good = readFileSync(p('good.p12'));
  const macFlip = Buffer.from(good);
  macFlip[macFlip.length - 20] = macFlip[macFlip.length - 20]! ^ 1; // inside the MAC value (then salt and iterations)
  writeFileSync(p('badmac.p12'), macFlip);
  writeFileSync(p('trunc.p12'), good.subarray(0, Math.floor(good.length * 0.6)));
  const extractArgs = (f: string, o: string, pw = p('pw')): string[] => ['pkcs12', '--extract', f, '--key-out', join(o, 'k.pem'), '--cert-out', join(o, 'c.pem'), '--passphrase-file', pw];
  const rows: Array<[string, (o: string) => string[], string | RegExp]> = [
    ['wrong passphrase', (o) => extractArgs(p('good.p12'), o, p('wrong')), 'ERR_BAD_PASSPHRASE'],
    ['corrupted MAC', (o) => extractArgs(p('badmac.p12'), o), 'ERR_BAD_PASSPHRASE'],
    ['truncated file', (o) => extractArgs(p('trunc.p12'), o), 'ERR_DER_MALFORMED'],
    ['RC4 bag (unknown algorithm)', (o) => extractArgs(p('rc4.p12'), o), 'ERR_ENCRYPTION_UNSUPPORTED'],
    ['not a PKCS#12', (o) => extractArgs(p('leaf.crt'), o), 'ERR_ASN1_STRUCTURE'],
    ['key does not match the certificate', (o) => ['pkcs12', '--cert', p('leaf.crt'), '--key', p('other.key'), '--out', join(o, 'x.p12'), '--passphrase-file', p('pw')], 'ERR_KEY_MISMATCH'],
    ['no passphrase and no terminal', (o) => ['pkcs12', '--cert', p('leaf.crt'), '--key', p('leaf.key'), '--out', join(o, 'x.p12')], 'ERR_PASSPHRASE_REQUIRED'],
    ['encrypted key, wrong key passphrase', (o) => ['pkcs12', '--cert', p('leaf.crt'), '--key', p('leaf-enc.key'), '--key-passphrase-file', p('wrong'), '--out', join(o, 'x.p12'), '--passphrase-file', p('pw')], 'ERR_BAD_PASSPHRASE'],
    ['--extract without outputs', () => ['pkcs12', '--extract', p('good.p12'), '--passphrase-file', p('pw')], 'ERR_USAGE'],
    ['--extract with --cert', (o) => [...extractArgs(p('good.p12'), o), '--cert', p('leaf.crt')], 'ERR_USAGE'],
    ['--chain-out but no chain', (o) => [...extractArgs(p('good.p12'), o), '--chain-out', join(o, 'ch.pem')], 'ERR_NO_CERTIFICATE'],
  ];
  for (const [name, args, code] of rows) {
    const o = p(`bad-${name.replace(/\W+/g, '-')}`);
    mkdirSync(o);
    const r = await cli(args(o), { timeoutMs: 20_000 });
    assert.ok(r.ms < 20_000, name);
    try {
      assertRefused(r, code, o);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
  }
  // --no-passphrase: written, and opened by OpenSSL with an empty passphrase
  const r = await cli(['pkcs12', '--cert', p('leaf.crt'), '--key', p('leaf.key'), '--out', p('nopw.p12'), '--no-passphrase']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /note: the \.p12 has an empty passphrase/);
  assert.equal(keyHex(ossl('pkcs12', '-in', p('nopw.p12'), '-passin', 'pass:', '-nodes')), keyHex(readFileSync(p('leaf.key'), 'utf8')));
  // an existing output is not overwritten without --force
  const again = await cli(['pkcs12', '--cert', p('leaf.crt'), '--key', p('leaf.key'), '--out', p('nopw.p12'), '--no-passphrase']);
  assert.match(again.stderr, /\(ERR_FILE_EXISTS\)\n$/);
});

for (const keyType of ['rsa', 'ec'] as const) {
  test(`smime new (${keyType}): OpenSSL signs and verifies as smimesign, encrypts to it and the key decrypts; the .p12 opens`, { timeout: 180_000 }, async (t) => {
    if (!oracle(t, 'openssl')) return;
    const out = p(`smime-${keyType}`);
    const addr = keyType === 'rsa' ? 'alice@example.com' : 'bob@example.com';
    const r = await cli(['smime', 'new', addr, '--name', 'Alice Example', '--ca-cert', p('ca.crt'), '--ca-key', p('ca.key'), '--key-type', keyType, '--out', out, '--passphrase-file', p('pw')], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(listFiles(out), ['IMPORT.txt', `${addr}.crt`, `${addr}.key`, `${addr}.p12`, 'ca.crt']);
    assert.equal(mode(join(out, `${addr}.key`)), 0o600);
    assert.equal(mode(join(out, `${addr}.p12`)), 0o600);
    assert.equal(mode(join(out, `${addr}.crt`)), 0o644);
    assert.equal(mode(out), 0o700);
    const crt = join(out, `${addr}.crt`);
    const key = join(out, `${addr}.key`);
    const text = ossl('x509', '-in', crt, '-noout', '-text');
    assert.match(text, new RegExp(`email:${addr.replace('.', '\\.')}`));
    assert.match(text, /Extended Key Usage: *\n *E-mail Protection\n/);
    assert.match(text, keyType === 'rsa' ? /Key Usage: critical\n *Digital Signature, Key Encipherment\n/ : /Key Usage: critical\n *Digital Signature, Key Agreement\n/);
    assert.match(text, /Subject: CN ?= ?Alice Example/);
    writeFileSync(p('msg.txt'), 'Subject: test\n\nhello from the test\n');
    // sign with key + cert, verify against the CA as an S/MIME signer
    ossl('smime', '-sign', '-in', p('msg.txt'), '-signer', crt, '-inkey', key, '-passin', `file:${p('pw')}`, '-out', p(`signed-${keyType}.eml`));
    const v = run('openssl', ['smime', '-verify', '-in', p(`signed-${keyType}.eml`), '-CAfile', join(out, 'ca.crt'), '-purpose', 'smimesign', '-out', p('verified.txt')]);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stderr, /Verification successful/);
    assert.match(readFileSync(p('verified.txt'), 'utf8'), /hello from the test/);
    // a different CA does not verify it (the check can fail)
    assert.notEqual(run('openssl', ['smime', '-verify', '-in', p(`signed-${keyType}.eml`), '-CAfile', p('leaf.crt'), '-purpose', 'smimesign', '-out', '/dev/null']).status, 0);
    // encryption to the certificate, decryption with the key
    const enc = run('openssl', ['smime', '-encrypt', '-aes256', '-in', p('msg.txt'), '-out', p(`enc-${keyType}.eml`), crt]);
    if (keyType === 'rsa') {
      assert.equal(enc.status, 0, enc.stderr);
      assert.match(ossl('smime', '-decrypt', '-in', p(`enc-${keyType}.eml`), '-recip', crt, '-inkey', key, '-passin', `file:${p('pw')}`), /hello from the test/);
    } else {
      // PKCS#7 (`openssl smime`) has no EC key transport: OpenSSL refuses; CMS with ECDH (RFC 5753) is the way
      assert.notEqual(enc.status, 0);
      assert.match(enc.stderr, /encryption not supported for this key type/);
    }
    ossl('cms', '-encrypt', '-aes256', '-in', p('msg.txt'), '-out', p(`cms-${keyType}.eml`), '-recip', crt);
    assert.match(ossl('cms', '-decrypt', '-in', p(`cms-${keyType}.eml`), '-recip', crt, '-inkey', key, '-passin', `file:${p('pw')}`), /hello from the test/);
    // the .p12: OpenSSL opens it; key and certificate equal the PEM files; the CA is in it
    const pem = ossl('pkcs12', '-in', join(out, `${addr}.p12`), '-passin', `file:${p('pw')}`, '-nodes');
    assert.equal(keyHex(pem), toHex(encodePkcs8(parsePrivateKey(readFileSync(key, 'utf8'), { passphrase: PW }))));
    assert.match(pem, /friendlyName: Alice Example <.*@example\.com>/);
    assert.equal(parseCertificates(pem).length, 2);
    const ours = parsePkcs12(readFileSync(join(out, `${addr}.p12`)), { passphrase: PW });
    assert.equal(toHex(ours.certificate!), toHex(parseCertificates(readFileSync(crt, 'utf8'))[0]!.der));
    const howto = readFileSync(join(out, 'IMPORT.txt'), 'utf8');
    for (const client of ['Thunderbird', 'Outlook', 'Apple Mail', 'iOS']) assert.ok(howto.includes(client), client);
  });
}

test('smime new: refusals write nothing', { timeout: 60_000 }, async (t) => {
  if (!oracle(t, 'openssl')) return;
  const rows: Array<[string, string[], string]> = [
    ['not an address', ['smime', 'new', 'mail.example.com', '--ca-cert', p('ca.crt'), '--ca-key', p('ca.key'), '--passphrase-file', p('pw')], 'ERR_USAGE'],
    ['CA key does not match', ['smime', 'new', 'a@example.com', '--ca-cert', p('ca.crt'), '--ca-key', p('other.key'), '--passphrase-file', p('pw')], 'ERR_KEY_MISMATCH'],
    ['no passphrase, no terminal', ['smime', 'new', 'a@example.com', '--ca-cert', p('ca.crt'), '--ca-key', p('ca.key')], 'ERR_PASSPHRASE_REQUIRED'],
    ['too long', ['smime', 'new', 'a@example.com', '--ca-cert', p('ca.crt'), '--ca-key', p('ca.key'), '--passphrase-file', p('pw'), '--days', '826'], 'ERR_USAGE'],
    ['--bits with ec', ['smime', 'new', 'a@example.com', '--ca-cert', p('ca.crt'), '--ca-key', p('ca.key'), '--passphrase-file', p('pw'), '--key-type', 'ec', '--bits', '3072'], 'ERR_USAGE'],
  ];
  for (const [name, args, code] of rows) {
    const o = p(`smime-bad-${name.replace(/\W+/g, '-')}`);
    const r = await cli([...args, '--out', o], { timeoutMs: 30_000 });
    try {
      assertRefused(r, code, o);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
  }
});
