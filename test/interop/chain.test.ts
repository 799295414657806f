// buildChain / encodeChainPem / encodeKeyAndChainPem on certificates made by
// the openssl CLI. Expected key identifiers come from `openssl x509 -ext`,
// the written bundles are read back by openssl.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, oracle, runOk, run } from '../helpers/env.js';
import { OpensslPki, EXT, type FixtureCert } from '../helpers/openssl-pki.js';
import { buildChain, encodeChainPem, encodeKeyAndChainPem, parseCertificate, isMailPkiError, type Certificate } from '../../src/index.js';

let pki: OpensslPki;
let root: FixtureCert, ica: FixtureCert, ica2: FixtureCert, leaf: FixtureCert;

// openssl makes the fixtures: oracle() skips locally without it and fails in CI.
const need = (t: import('node:test').TestContext): boolean => oracle(t, 'openssl');

before(() => {
  if (!hasCommand('openssl')) return;
  pki = new OpensslPki();
  root = pki.cert({ name: 'Chain Root', ext: EXT.root, days: 3650 });
  ica = pki.cert({ name: 'Chain Int 1', issuer: root, ext: EXT.ca(1) });
  ica2 = pki.cert({ name: 'Chain Int 2', issuer: ica, ext: EXT.ca(0) });
  leaf = pki.cert({ name: 'mx.example.com', issuer: ica2, ext: EXT.server('DNS:mx.example.com') });
});

const serials = (cs: Certificate[]) => cs.map((c) => c.serialHex);
const pem = (f: FixtureCert) => readFileSync(f.certPath, 'utf8');

/** SKI as openssl prints it, lower case with colons. */
function opensslSki(f: FixtureCert): string {
  const out = runOk('openssl', ['x509', '-in', f.certPath, '-noout', '-ext', 'subjectKeyIdentifier']);
  return out.split('\n')[1]!.trim().toLowerCase();
}

test('orders a shuffled set with duplicates; the root is dropped unless asked for', (t) => {
  if (!need(t)) return;
  const { chain, root: r } = buildChain([ica.cert, root.cert, leaf.cert, ica2.cert, ica.cert, leaf.cert]);
  assert.deepEqual(serials(chain), serials([leaf.cert, ica2.cert, ica.cert]));
  assert.equal(r?.serialHex, root.cert.serialHex);
  const withRoot = buildChain([root.cert, ica2.cert, leaf.cert, ica.cert], { withRoot: true });
  assert.deepEqual(serials(withRoot.chain), serials([leaf.cert, ica2.cert, ica.cert, root.cert]));
});

test('reads PEM text holding a key and certificates in any order, and DER', (t) => {
  if (!need(t)) return;
  const text = pem(ica) + leaf.keyPem + pem(root) + pem(leaf) + pem(ica2);
  assert.deepEqual(serials(buildChain(text).chain), serials([leaf.cert, ica2.cert, ica.cert]));
  assert.deepEqual(serials(buildChain([leaf.cert.der, pem(ica2), ica.cert]).chain), serials([leaf.cert, ica2.cert, ica.cert]));
});

test('without the root: the chain ends at the last intermediate', (t) => {
  if (!need(t)) return;
  const r = buildChain([ica.cert, leaf.cert, ica2.cert]);
  assert.deepEqual(serials(r.chain), serials([leaf.cert, ica2.cert, ica.cert]));
  assert.equal(r.root, undefined);
  assert.throws(() => buildChain([ica.cert, leaf.cert, ica2.cert], { withRoot: true }), (e) => isMailPkiError(e, 'ERR_CHAIN_INCOMPLETE') && /CN=Chain Root/.test(e.message));
});

test('a missing intermediate is named with its key identifier', (t) => {
  if (!need(t)) return;
  const ski = opensslSki(ica2);
  assert.throws(
    () => buildChain([leaf.cert, ica.cert, root.cert]),
    (e) => {
      assert.ok(isMailPkiError(e, 'ERR_CHAIN_INCOMPLETE'), String(e));
      assert.ok(e.message.includes(`no certificate for issuer 'CN=Chain Int 2' (AKI ${ski}) of 'CN=mx.example.com'`), e.message);
      return true;
    },
  );
  // leaf + an unrelated intermediate: the wrong one is named too
  const other = pki.cert({ name: 'Other Int', issuer: root, ext: EXT.ca(0) });
  assert.throws(
    () => buildChain([leaf.cert, other.cert]),
    (e) => isMailPkiError(e, 'ERR_CHAIN_INCOMPLETE') && /CN=Chain Int 2/.test(e.message) && /CN=Other Int' does not issue it/.test(e.message),
  );
});

test('a wrong intermediate with the right name but another key is ERR_CHAIN_BROKEN', (t) => {
  if (!need(t)) return;
  const twin = pki.cert({ name: 'Chain Int 2', issuer: ica, ext: EXT.ca(0) });
  assert.throws(
    () => buildChain([leaf.cert, twin.cert, ica.cert, root.cert]),
    (e) => isMailPkiError(e, 'ERR_CHAIN_BROKEN') && e.message.includes(opensslSki(twin)) && e.message.includes(opensslSki(ica2)),
  );
});

test('a bad signature is ERR_CHAIN_BROKEN naming both certificates', (t) => {
  if (!need(t)) return;
  const der = new Uint8Array(leaf.cert.der);
  der[der.length - 3]! ^= 0x40;
  const bad = parseCertificate(der);
  assert.throws(
    () => buildChain([bad, ica2.cert, ica.cert]),
    (e) => isMailPkiError(e, 'ERR_CHAIN_BROKEN') && /does not verify/.test(e.message) && /CN=Chain Int 2/.test(e.message),
  );
});

test('the leaf option picks the end of the chain', (t) => {
  if (!need(t)) return;
  const r = buildChain([root.cert, ica.cert, ica2.cert, leaf.cert], { leaf: ica2.cert });
  assert.deepEqual(serials(r.chain), serials([ica2.cert, ica.cert]));
  const single = buildChain([root.cert], { withRoot: true });
  assert.deepEqual(serials(single.chain), serials([root.cert]));
  const other = pki.cert({ name: 'second.example.com', issuer: ica2, ext: EXT.server('DNS:second.example.com') });
  assert.throws(() => buildChain([leaf.cert, other.cert, ica2.cert]), (e) => isMailPkiError(e, 'ERR_CHAIN_BROKEN') && /several/.test(e.message));
  assert.throws(() => buildChain([]), (e) => isMailPkiError(e, 'ERR_NO_CERTIFICATE'));
});

test('encodeChainPem: openssl verify accepts the bundle as -untrusted', (t) => {
  if (!need(t)) return;
  const { chain } = buildChain([root.cert, ica.cert, leaf.cert, ica2.cert]);
  const text = encodeChainPem(chain);
  const p = join(pki.dir, 'chain-out.pem');
  writeFileSync(p, text);
  const r = run('openssl', ['verify', '-x509_strict', '-CAfile', root.certPath, '-untrusted', p, p]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.equal(text.match(/-----BEGIN CERTIFICATE-----/g)?.length, 3);
});

test('encodeKeyAndChainPem: key first, then leaf and intermediates; key must match', (t) => {
  if (!need(t)) return;
  const { chain } = buildChain([root.cert, ica.cert, leaf.cert, ica2.cert]);
  const text = encodeKeyAndChainPem(leaf.keyPem, chain);
  assert.ok(text.startsWith('-----BEGIN PRIVATE KEY-----'));
  const p = join(pki.dir, 'postfix-chain.pem');
  writeFileSync(p, text);
  // openssl reads the first key and the first certificate from the same file; their public keys agree
  const fromKey = runOk('openssl', ['pkey', '-in', p, '-pubout']);
  const fromCert = runOk('openssl', ['x509', '-in', p, '-noout', '-pubkey']);
  assert.equal(fromKey, fromCert);
  assert.ok(runOk('openssl', ['x509', '-in', p, '-noout', '-subject']).includes('mx.example.com'));
  assert.throws(() => encodeKeyAndChainPem(root.keyPem, chain), (e) => isMailPkiError(e, 'ERR_KEY_MISMATCH'));
  const enc = runOk('openssl', ['pkcs8', '-topk8', '-in', leaf.keyPath, '-passout', 'pass:secret', '-v2', 'aes-256-cbc']);
  assert.throws(() => encodeKeyAndChainPem(enc, chain), (e) => isMailPkiError(e, 'ERR_KEY_ENCRYPTED'));
});
