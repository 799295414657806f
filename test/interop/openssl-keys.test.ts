// Interop with OpenSSL 3 (the oracle): every format and encryption mailpki
// writes is read by `openssl pkey` (-check passes for private keys) with the
// same public key; every key OpenSSL writes (genrsa, -des3, -aes256, genpkey
// EC/Ed25519, pkcs8 -topk8 -v2 ..., -scrypt, -traditional legacy PEM) is
// read by mailpki with the same key material (OpenSSL's own PKCS#8 / SPKI
// output of the key compared with ours).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, run, runOk, tempDir } from '../helpers/env.js';
import { equalBytes } from '../../src/encoding/bytes.js';
import { assertKeyStrength, checkKey, describeKey, encodePkcs8, encodePrivateKeyDer, encodePrivateKeyPem, encryptPrivateKeyPem, encryptPrivateKeyDer, type EncryptPrivateKeyOptions, encodePublicKeyPem, encodeSpki, exportJwk, getPublicKey, isEncryptedPrivateKey, parsePrivateKey, parsePublicKey, publicKeysEqual, isMailPkiError, type MailPkiErrorCode, type PrivateKey } from '../../src/index.js';

const PW = 'correct horse battery';
let dir = '';
let pwFile = '';

function setup(): void {
  if (dir) return;
  dir = tempDir('mailpki-keys-interop-');
  pwFile = join(dir, 'pw.txt');
  writeFileSync(pwFile, PW + '\n');
}
const path = (name: string): string => join(dir, name);
const ossl = (...args: string[]): string => runOk('openssl', args);
const osslBin = (args: string[]): Uint8Array => {
  const out = path(`out-${Math.random().toString(36).slice(2)}.der`);
  runOk('openssl', [...args, '-out', out]);
  return new Uint8Array(readFileSync(out));
};
function throwsCode(fn: () => unknown, code: MailPkiErrorCode): void {
  assert.throws(fn, (e: unknown) => isMailPkiError(e) && e.code === code ? true : assert.fail(`expected ${code}, got ${String(e)}`));
}

/** OpenSSL's view of a private key file: PKCS#8 DER (unencrypted) and SPKI DER. */
function opensslView(file: string, inform: 'PEM' | 'DER' = 'PEM'): { pkcs8: Uint8Array; spki: Uint8Array } {
  const input = ['-in', file, '-inform', inform, '-passin', `file:${pwFile}`];
  return {
    // (`openssl pkey -outform DER` writes the type-specific format; pkcs8 -topk8 -nocrypt gives PKCS#8)
    pkcs8: osslBin(['pkcs8', '-topk8', '-nocrypt', ...input, '-outform', 'DER']),
    spki: osslBin(['pkey', ...input, '-pubout', '-outform', 'DER']),
  };
}

// ------------------------------------------------------------------ keys OpenSSL writes

const OPENSSL_KEYS: Array<{ name: string; cmds: string[][]; encrypted: boolean }> = [
  { name: 'genrsa', cmds: [['genrsa', '-out', '@', '2048']], encrypted: false },
  { name: 'genrsa -des3', cmds: [['genrsa', '-des3', '-passout', 'file:PW', '-out', '@', '2048']], encrypted: true },
  { name: 'genrsa -aes256', cmds: [['genrsa', '-aes256', '-passout', 'file:PW', '-out', '@', '2048']], encrypted: true },
  { name: 'genpkey EC P-256', cmds: [['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', '@']], encrypted: false },
  { name: 'genpkey EC P-384', cmds: [['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', '@']], encrypted: false },
  { name: 'genpkey EC P-521 -aes-128-cbc', cmds: [['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521', '-aes-128-cbc', '-pass', 'file:PW', '-out', '@']], encrypted: true },
  { name: 'genpkey ed25519', cmds: [['genpkey', '-algorithm', 'ed25519', '-out', '@']], encrypted: false },
  { name: 'ecparam -genkey (SEC1 with EC PARAMETERS block)', cmds: [['ecparam', '-name', 'prime256v1', '-genkey', '-out', '@']], encrypted: false },
];
// Conversions of a base RSA / EC / Ed25519 key: [name, args after -in BASE, base]
const CONVERSIONS: Array<[string, string[], 'rsa' | 'ec' | 'ed']> = [
  ['pkcs8 -topk8 -v2 aes-256-cbc', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', 'file:PW'], 'rsa'],
  ['pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1', ['pkcs8', '-topk8', '-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA1', '-passout', 'file:PW'], 'ec'],
  ['pkcs8 -topk8 -v2 aes-192-cbc -v2prf hmacWithSHA224', ['pkcs8', '-topk8', '-v2', 'aes-192-cbc', '-v2prf', 'hmacWithSHA224', '-passout', 'file:PW'], 'ed'],
  ['pkcs8 -topk8 -v2 des3 -v2prf hmacWithSHA384', ['pkcs8', '-topk8', '-v2', 'des3', '-v2prf', 'hmacWithSHA384', '-passout', 'file:PW'], 'rsa'],
  ['pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA512 -iter 5000', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA512', '-iter', '5000', '-passout', 'file:PW'], 'ec'],
  ['pkcs8 -topk8 -scrypt', ['pkcs8', '-topk8', '-scrypt', '-passout', 'file:PW'], 'rsa'],
  ['pkcs8 -topk8 -scrypt (Ed25519)', ['pkcs8', '-topk8', '-scrypt', '-passout', 'file:PW'], 'ed'],
  ['pkcs8 -topk8 -v2 aes-256-cbc -outform DER', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', 'file:PW', '-outform', 'DER'], 'ec'],
  ['rsa -aes128 -traditional', ['rsa', '-aes128', '-traditional', '-passout', 'file:PW'], 'rsa'],
  ['rsa -des3 -traditional', ['rsa', '-des3', '-traditional', '-passout', 'file:PW'], 'rsa'],
  ['rsa -aes192 -traditional', ['rsa', '-aes192', '-traditional', '-passout', 'file:PW'], 'rsa'],
  ['rsa -traditional (plain PKCS#1)', ['rsa', '-traditional'], 'rsa'],
  ['rsa -outform DER -traditional (PKCS#1 DER)', ['rsa', '-traditional', '-outform', 'DER'], 'rsa'],
  ['ec -des3 (legacy)', ['ec', '-des3', '-passout', 'file:PW'], 'ec'],
  ['ec -aes256 (legacy)', ['ec', '-aes256', '-passout', 'file:PW'], 'ec'],
  ['ec -outform DER (SEC1 DER)', ['ec', '-outform', 'DER'], 'ec'],
  ['pkey -outform DER (PKCS#8 DER)', ['pkey', '-outform', 'DER'], 'ed'],
];

test('keys OpenSSL 3 writes are read with the same key material', (t) => {
  if (!oracle(t, 'openssl')) return;
  setup();
  const files: Array<{ name: string; file: string; encrypted: boolean; der: boolean }> = [];
  for (const k of OPENSSL_KEYS) {
    const file = path(`o-${files.length}.pem`);
    for (const c of k.cmds) ossl(...c.map((a) => (a === '@' ? file : a === 'file:PW' ? `file:${pwFile}` : a)));
    files.push({ name: k.name, file, encrypted: k.encrypted, der: false });
  }
  const base = { rsa: files[0]!.file, ec: files[3]!.file, ed: files[6]!.file };
  for (const [name, args, b] of CONVERSIONS) {
    const file = path(`c-${files.length}.key`);
    ossl(args[0]!, '-in', base[b], ...args.slice(1).map((a) => (a === 'file:PW' ? `file:${pwFile}` : a)), '-out', file);
    files.push({ name, file, encrypted: args.includes('-passout'), der: args.includes('DER') });
  }
  assert.equal(files.length, OPENSSL_KEYS.length + CONVERSIONS.length);
  for (const f of files) {
    const buf = readFileSync(f.file);
    const input = f.der ? new Uint8Array(buf) : buf.toString('utf8');
    assert.equal(isEncryptedPrivateKey(input), f.encrypted, `${f.name}: isEncryptedPrivateKey`);
    const key = parsePrivateKey(input, f.encrypted ? { passphrase: PW } : {});
    const view = opensslView(f.file, f.der ? 'DER' : 'PEM');
    assert.ok(equalBytes(encodeSpki(getPublicKey(key)), view.spki), `${f.name}: public key matches openssl's`);
    assert.ok(equalBytes(encodePkcs8(key), view.pkcs8), `${f.name}: private key material matches openssl's PKCS#8`);
    if (f.encrypted) {
      throwsCode(() => parsePrivateKey(input, { passphrase: PW + 'x' }), 'ERR_BAD_PASSPHRASE');
      throwsCode(() => parsePrivateKey(input), 'ERR_KEY_ENCRYPTED');
    }
    // JWK round trip against node:crypto's export of OpenSSL's key
    const nodeJwk = createPrivateKey({ key: Buffer.from(view.pkcs8), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }) as Record<string, string>;
    const ours = exportJwk(key) as Record<string, unknown>;
    for (const [m, v] of Object.entries(nodeJwk)) assert.equal(ours[m], v, `${f.name}: JWK ${m}`);
  }
  // public keys written by openssl: SPKI (pkey -pubout) and PKCS#1 (rsa -RSAPublicKey_out)
  for (const b of [base.rsa, base.ec, base.ed]) {
    const pubPem = ossl('pkey', '-in', b, '-pubout');
    const key = parsePrivateKey(readFileSync(b, 'utf8'));
    assert.equal(encodePublicKeyPem(parsePublicKey(pubPem)), pubPem);
    assert.equal(encodePublicKeyPem(key), pubPem);
  }
  const rsaPub1 = ossl('rsa', '-in', base.rsa, '-RSAPublicKey_out');
  assert.equal(encodePublicKeyPem(parsePublicKey(rsaPub1), { format: 'pkcs1' }), rsaPub1);
});

test('explicit P-256 parameters are P-256; other key types: private refused, public read as opaque; RSA-1024 is readable but not strong enough', (t) => {
  if (!oracle(t, 'openssl')) return;
  setup();
  const f = path('explicit.pem');
  ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-param_enc', 'explicit', '-out', f);
  // Issue 11: explicit parameters equal to P-256 are read as P-256 (same key as openssl's named-curve form).
  const named = ossl('ec', '-in', f, '-param_enc', 'named_curve');
  const k1 = parsePrivateKey(readFileSync(f, 'utf8'));
  assert.equal(describeKey(k1), 'EC P-256');
  assert.ok(publicKeysEqual(k1, parsePrivateKey(named)), 'same key as the named-curve form');
  const p8 = ossl('pkcs8', '-topk8', '-nocrypt', '-in', f);
  assert.ok(publicKeysEqual(parsePrivateKey(p8), k1), 'PKCS#8 with explicit parameters');
  const pub = ossl('ec', '-in', f, '-pubout', '-param_enc', 'explicit');
  assert.ok(publicKeysEqual(parsePublicKey(pub), k1), 'SPKI with explicit parameters');
  // key types we do not use: private keys refused with ERR_KEY_UNSUPPORTED; public keys read as opaque keys
  for (const args of [['-algorithm', 'X25519'], ['-algorithm', 'ED448'], ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1']]) {
    const priv = ossl('genpkey', ...args);
    throwsCode(() => parsePrivateKey(priv), 'ERR_KEY_UNSUPPORTED');
    const pubFile = path('unsupported.pem');
    writeFileSync(pubFile, priv);
    const opaque = parsePublicKey(ossl('pkey', '-in', pubFile, '-pubout'));
    assert.equal(opaque.type, 'opaque', args.join(' '));
    throwsCode(() => checkKey(opaque), 'ERR_KEY_UNSUPPORTED');
  }
  const small = path('rsa1024.pem');
  ossl('genrsa', '-out', small, '1024');
  const k = parsePrivateKey(readFileSync(small, 'utf8'));
  assert.equal(describeKey(k), 'RSA 1024');
  throwsCode(() => assertKeyStrength(k), 'ERR_KEY_TOO_SMALL');
});

// ------------------------------------------------------------------ keys mailpki writes

function checkWithOpenssl(label: string, key: PrivateKey, file: string, inform: 'PEM' | 'DER'): void {
  const r = run('openssl', ['pkey', '-in', file, '-inform', inform, '-passin', `file:${pwFile}`, '-check', '-noout']);
  assert.equal(r.status, 0, `${label}: openssl pkey -check failed: ${r.stderr}`);
  assert.match(r.stdout + r.stderr, /Key is valid/, `${label}: -check output`);
  const view = opensslView(file, inform);
  assert.ok(equalBytes(view.spki, encodeSpki(getPublicKey(key))), `${label}: openssl sees the same public key`);
  assert.ok(equalBytes(view.pkcs8, encodePkcs8(key)), `${label}: openssl sees the same private key`);
}

test('every format and encryption mailpki writes is read by openssl pkey (-check passes, same key)', (t) => {
  if (!oracle(t, 'openssl')) return;
  setup();
  const sources: Array<[string, string[]]> = [
    ['RSA 2048', ['genrsa', '2048']],
    ['EC P-256', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']],
    ['EC P-384', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']],
    ['EC P-521', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521']],
    ['Ed25519', ['genpkey', '-algorithm', 'ed25519']],
  ];
  let n = 0;
  for (const [name, cmd] of sources) {
    const key = parsePrivateKey(ossl(...cmd));
    const variants: Array<[string, EncryptPrivateKeyOptions & { passphrase?: string }]> = [
      ['pkcs8', {}],
      ['pkcs8 pbkdf2', { passphrase: PW, iterations: 2048 }],
      ['pkcs8 scrypt', { passphrase: PW, kdf: 'scrypt', N: 1024, p: 1 }],
      ['pkcs8 pbkdf2 aes-128', { passphrase: PW, iterations: 1000, cipher: 'aes-128-cbc' }],
    ];
    if (key.type === 'rsa') {
      variants.push(['pkcs1', { format: 'pkcs1' }], ['pkcs1 legacy aes-256', { format: 'pkcs1', passphrase: PW }], ['pkcs1 legacy des3', { format: 'pkcs1', passphrase: PW, legacyCipher: 'des-ede3-cbc' }]);
    }
    if (key.type === 'ec') {
      variants.push(['sec1', { format: 'sec1' }], ['sec1 legacy aes-128', { format: 'sec1', passphrase: PW, legacyCipher: 'aes-128-cbc' }], ['sec1 legacy des3', { format: 'sec1', passphrase: PW, legacyCipher: 'des-ede3-cbc' }]);
    }
    for (const [vname, opts] of variants) {
      const pemFile = path(`w-${n++}.pem`);
      writeFileSync(pemFile, opts.passphrase !== undefined ? encryptPrivateKeyPem(key, opts.passphrase, opts) : encodePrivateKeyPem(key, opts));
      checkWithOpenssl(`${name} ${vname} PEM`, key, pemFile, 'PEM');
      if (!(opts.format && opts.passphrase)) {
        const derFile = path(`w-${n++}.der`);
        writeFileSync(derFile, opts.passphrase !== undefined ? encryptPrivateKeyDer(key, opts.passphrase, opts) : encodePrivateKeyDer(key, opts));
        checkWithOpenssl(`${name} ${vname} DER`, key, derFile, 'DER');
      }
    }
    // public keys: SPKI via openssl pkey -pubin; PKCS#1 via openssl rsa -RSAPublicKey_in
    const pubFile = path(`p-${n++}.pem`);
    writeFileSync(pubFile, encodePublicKeyPem(key));
    const spki = osslBin(['pkey', '-pubin', '-in', pubFile, '-pubout', '-outform', 'DER']);
    assert.ok(equalBytes(spki, encodeSpki(getPublicKey(key))), `${name}: openssl reads our SPKI`);
    if (key.type === 'rsa') {
      const p1File = path(`p-${n++}.pem`);
      writeFileSync(p1File, encodePublicKeyPem(key, { format: 'pkcs1' }));
      const viaRsa = osslBin(['rsa', '-RSAPublicKey_in', '-in', p1File, '-pubout', '-outform', 'DER']);
      assert.ok(equalBytes(viaRsa, spki), `${name}: openssl reads our PKCS#1 public key`);
    }
  }
  assert.ok(n >= 60, `wrote ${n} files`);
});

test('the default work factors (PBKDF2 400k, scrypt N=2^14 r=8 p=8) are readable by openssl and cost about a second', (t) => {
  if (!oracle(t, 'openssl')) return;
  setup();
  const key = parsePrivateKey(ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'));
  for (const kdf of ['pbkdf2', 'scrypt'] as const) {
    const t0 = performance.now();
    const pem = encryptPrivateKeyPem(key, PW, { kdf });
    const ms = performance.now() - t0;
    const file = path(`default-${kdf}.pem`);
    writeFileSync(file, pem);
    checkWithOpenssl(`default ${kdf}`, key, file, 'PEM');
    const params = ossl('asn1parse', '-in', file);
    if (kdf === 'pbkdf2') assert.match(params, /INTEGER\s+:061A80/, 'PBKDF2 iteration count 400000');
    else assert.match(params, /INTEGER\s+:4000\n.*INTEGER\s+:08\n.*INTEGER\s+:08/, 'scrypt N=16384 r=8 p=8');
    // loose bounds: the machine is shared; the documented figure is ~1 s at rest
    assert.ok(ms > 150 && ms < 15_000, `${kdf} default took ${ms.toFixed(0)} ms`);
    t.diagnostic(`${kdf} default encryption took ${ms.toFixed(0)} ms`);
  }
  // Why scrypt N stays at 2^14: OpenSSL 3's default scrypt memory limit (32 MiB) refuses N = 2^15, r = 8.
  const big = path('scrypt-n15.pem');
  writeFileSync(big, encryptPrivateKeyPem(key, PW, { kdf: 'scrypt', N: 2 ** 15, p: 1 }));
  const r = run('openssl', ['pkey', '-in', big, '-passin', `file:${pwFile}`, '-noout']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /memory limit exceeded/);
  assert.ok(publicKeysEqual(parsePrivateKey(readFileSync(big, 'utf8'), { passphrase: PW }), key), 'we still read it');
});
