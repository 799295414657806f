// Signature interop with OpenSSL 3 (the oracle we did not write):
// - mailpki signs, `openssl dgst -verify` / `openssl pkeyutl -verify` checks;
// - OpenSSL signs, mailpki verifies;
// - a flipped bit in the signature (or the message) fails on both sides;
// - certificates made by `openssl req -x509` carry signature
//   AlgorithmIdentifiers that mailpki parses, re-encodes identically, and
//   whose signatures mailpki verifies over the TBSCertificate.
// Keys come from node:crypto; their JWK components build our key objects, so
// this file does not depend on another area's key parsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, run, runOk, tempDir } from '../helpers/env.js';
import { encodeSignatureAlgorithmId, parseSignatureAlgorithmId } from '../../src/x509/algorithm-id.js';
import { bytesToBigInt, concatBytes, equalBytes, toHex, utf8 } from '../../src/encoding/bytes.js';
import { decodeDer, encodeDer, rawDer, readBitStringBytes, readSequence } from '../../src/encoding/der.js';
import { sign, verify, type HashName, type SignatureAlgorithm, type EcCurve, type PrivateKey, type PublicKey } from '../../src/index.js';

const b64u = (s: string | undefined): Uint8Array => new Uint8Array(Buffer.from(s ?? '', 'base64url'));

interface Fixture { label: string; priv: PrivateKey; pub: PublicKey; privPem: string; pubPem: string }

function fixture(dir: string, label: string, node: { privateKey: KeyObject; publicKey: KeyObject }, curve?: EcCurve): Fixture {
  const j = node.privateKey.export({ format: 'jwk' }) as Record<string, string>;
  let priv: PrivateKey;
  let pub: PublicKey;
  if (j.kty === 'RSA') {
    const c = Object.fromEntries(['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'].map((k) => [k, bytesToBigInt(b64u(j[k]))])) as Record<string, bigint>;
    priv = { kind: 'private', type: 'rsa', n: c.n!, e: c.e!, d: c.d!, p: c.p!, q: c.q!, dp: c.dp!, dq: c.dq!, qi: c.qi! };
    pub = { kind: 'public', type: 'rsa', n: c.n!, e: c.e! };
  } else if (j.kty === 'EC') {
    const point = concatBytes(Uint8Array.of(4), b64u(j.x), b64u(j.y));
    priv = { kind: 'private', type: 'ec', curve: curve!, d: b64u(j.d), point };
    pub = { kind: 'public', type: 'ec', curve: curve!, point };
  } else {
    priv = { kind: 'private', type: 'ed25519', seed: b64u(j.d), publicKey: b64u(j.x) };
    pub = { kind: 'public', type: 'ed25519', publicKey: b64u(j.x) };
  }
  const privPem = join(dir, `${label}.key`);
  const pubPem = join(dir, `${label}.pub`);
  writeFileSync(privPem, node.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  writeFileSync(pubPem, node.publicKey.export({ format: 'pem', type: 'spki' }));
  return { label, priv, pub, privPem, pubPem };
}

const dgst = (h: HashName): string => '-' + h.replace('-', '').toLowerCase();
const pssOpts = (alg: SignatureAlgorithm): string[] =>
  alg.name === 'RSA-PSS' ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest', '-sigopt', `rsa_mgf1_md:${alg.hash.replace('-', '').toLowerCase()}`] : [];

/** OpenSSL's verdict on (msg, sig). */
function opensslVerifies(dir: string, f: Fixture, alg: SignatureAlgorithm, msg: Uint8Array, sig: Uint8Array): boolean {
  const m = join(dir, 'msg.bin');
  const s = join(dir, 'sig.bin');
  writeFileSync(m, msg);
  writeFileSync(s, sig);
  const r = alg.name === 'Ed25519'
    ? run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', f.pubPem, '-rawin', '-in', m, '-sigfile', s])
    : run('openssl', ['dgst', dgst(alg.hash), '-verify', f.pubPem, ...pssOpts(alg), '-signature', s, m]);
  const ok = r.status === 0 && /Verified OK|Signature Verified Successfully/.test(r.stdout);
  const fail = r.status === 1 && /Verification failure|Signature Verification Failure/i.test(r.stdout + r.stderr);
  assert.ok(ok || fail, `unexpected openssl result ${r.status}: ${r.stdout} ${r.stderr}`);
  return ok;
}

function opensslSigns(dir: string, f: Fixture, alg: SignatureAlgorithm, msg: Uint8Array): Uint8Array {
  const m = join(dir, 'msg.bin');
  const s = join(dir, 'osig.bin');
  writeFileSync(m, msg);
  if (alg.name === 'Ed25519') runOk('openssl', ['pkeyutl', '-sign', '-inkey', f.privPem, '-rawin', '-in', m, '-out', s]);
  else runOk('openssl', ['dgst', dgst(alg.hash), '-sign', f.privPem, ...pssOpts(alg), '-out', s, m]);
  return new Uint8Array(readFileSync(s));
}

const flip = (b: Uint8Array, i: number): Uint8Array => {
  const c = b.slice();
  c[i % c.length]! ^= 0x10;
  return c;
};

function setup(): { dir: string; fx: Record<string, Fixture> } {
  const dir = tempDir('mailpki-sign-');
  const fx: Record<string, Fixture> = {
    rsa: fixture(dir, 'rsa', generateKeyPairSync('rsa', { modulusLength: 2048 })),
    p256: fixture(dir, 'p256', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }), 'P-256'),
    p384: fixture(dir, 'p384', generateKeyPairSync('ec', { namedCurve: 'secp384r1' }), 'P-384'),
    p521: fixture(dir, 'p521', generateKeyPairSync('ec', { namedCurve: 'secp521r1' }), 'P-521'),
    ed: fixture(dir, 'ed', generateKeyPairSync('ed25519')),
  };
  return { dir, fx };
}

const CASES: [string, SignatureAlgorithm][] = [
  ['rsa', { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }],
  ['rsa', { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' }],
  ['rsa', { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' }],
  ['rsa', { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 }],
  ['rsa', { name: 'RSA-PSS', hash: 'SHA-384', saltLength: 48 }],
  ['rsa', { name: 'RSA-PSS', hash: 'SHA-512', saltLength: 64 }],
  ['p256', { name: 'ECDSA', hash: 'SHA-256' }],
  ['p384', { name: 'ECDSA', hash: 'SHA-384' }],
  ['p521', { name: 'ECDSA', hash: 'SHA-512' }],
  ['p256', { name: 'ECDSA', hash: 'SHA-512' }],
  ['ed', { name: 'Ed25519' }],
];

const algLabel = (a: SignatureAlgorithm): string => ('hash' in a ? `${a.name} ${a.hash}` : a.name);

test('mailpki signs, OpenSSL verifies; OpenSSL signs, mailpki verifies; flipped bits fail on both sides', (t) => {
  if (!oracle(t, 'openssl')) return;
  const { dir, fx } = setup();
  const msg = utf8('Subject: mailpki interop\r\n\r\nsigned by one, checked by the other\r\n');
  let checked = 0;
  for (const [k, alg] of CASES) {
    const f = fx[k]!;
    const what = `${k} ${algLabel(alg)}`;
    // ours -> OpenSSL
    const ours = sign(f.priv, msg, alg);
    assert.equal(opensslVerifies(dir, f, alg, msg, ours), true, `${what}: OpenSSL verifies mailpki's signature`);
    assert.equal(opensslVerifies(dir, f, alg, msg, flip(ours, 7)), false, `${what}: OpenSSL rejects a flipped signature bit`);
    assert.equal(opensslVerifies(dir, f, alg, flip(msg, 3), ours), false, `${what}: OpenSSL rejects a changed message`);
    // OpenSSL -> ours
    const theirs = opensslSigns(dir, f, alg, msg);
    assert.equal(verify(f.pub, msg, theirs, alg), true, `${what}: mailpki verifies OpenSSL's signature`);
    assert.equal(verify(f.pub, msg, flip(theirs, 11), alg), false, `${what}: mailpki rejects a flipped signature bit`);
    assert.equal(verify(f.pub, flip(msg, 5), theirs, alg), false, `${what}: mailpki rejects a changed message`);
    if (alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'Ed25519') {
      assert.equal(toHex(ours), toHex(theirs), `${what}: deterministic scheme, identical signatures`);
    }
    checked++;
  }
  assert.equal(checked, CASES.length);
  // PSS with OpenSSL's maximal salt (k - hLen - 2 = 222 bytes for RSA-2048 /
  // SHA-256): verifies with that salt length only (we check it exactly).
  const f = fx.rsa!;
  const m = join(dir, 'msg.bin');
  const s = join(dir, 'max.bin');
  writeFileSync(m, msg);
  runOk('openssl', ['dgst', '-sha256', '-sign', f.privPem, '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:max', '-out', s, m]);
  const maxSig = new Uint8Array(readFileSync(s));
  assert.equal(verify(f.pub, msg, maxSig, { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 222 }), true);
  assert.equal(verify(f.pub, msg, maxSig, { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 }), false);
});

test('openssl req -x509 certificates: AlgorithmIdentifier parsed and re-encoded byte for byte; signature verifies', (t) => {
  if (!oracle(t, 'openssl')) return;
  const { dir, fx } = setup();
  const certs: [string, string[], SignatureAlgorithm][] = [
    ['rsa', ['-sha256'], { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }],
    ['rsa', ['-sha512'], { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' }],
    ['rsa', ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'], { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 }],
    ['rsa', ['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'], { name: 'RSA-PSS', hash: 'SHA-384', saltLength: 48 }],
    ['rsa', ['-sha512', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'], { name: 'RSA-PSS', hash: 'SHA-512', saltLength: 64 }],
    ['p256', ['-sha256'], { name: 'ECDSA', hash: 'SHA-256' }],
    ['p384', ['-sha384'], { name: 'ECDSA', hash: 'SHA-384' }],
    ['p521', ['-sha512'], { name: 'ECDSA', hash: 'SHA-512' }],
    ['ed', [], { name: 'Ed25519' }],
  ];
  let n = 0;
  for (const [k, opts, expected] of certs) {
    const f = fx[k]!;
    const out = join(dir, `cert-${n}.der`);
    runOk('openssl', ['req', '-x509', '-new', '-key', f.privPem, '-subj', '/CN=mailpki sign interop', '-days', '1', ...opts, '-outform', 'DER', '-out', out]);
    const [tbs, algNode, sigNode] = readSequence(decodeDer(new Uint8Array(readFileSync(out)), 'certificate'), 'Certificate', 3, 3);
    const { info, algorithm } = parseSignatureAlgorithmId(algNode!);
    const what = `${k} ${opts.join(' ')}`;
    assert.deepEqual(algorithm, expected, `${what}: parsed algorithm`);
    assert.ok(info.name.length > 0);
    assert.ok(equalBytes(encodeDer(encodeSignatureAlgorithmId(algorithm!)), rawDer(algNode!)), `${what}: our encoding equals OpenSSL's\n ours   ${toHex(encodeDer(encodeSignatureAlgorithmId(algorithm!)))}\n theirs ${toHex(rawDer(algNode!))}`);
    const sig = readBitStringBytes(sigNode, 'signature');
    assert.equal(verify(f.pub, rawDer(tbs!), sig, algorithm), true, `${what}: certificate signature verifies`);
    assert.equal(verify(f.pub, flip(rawDer(tbs!), 40), sig, algorithm), false, `${what}: a changed TBS fails`);
    n++;
  }
  assert.equal(n, certs.length);
});
