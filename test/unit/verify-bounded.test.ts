// Bounded work in verifyCertificate (issue 10 part 1): sets of certificates
// built to make path building or name-constraint checking explode must end
// quickly with `too-complex` or the right verdict, never hang, exhaust memory
// or throw. Certificates are forged in the test (test/helpers/forge.ts), P-256.
// Time bounds here are generous upper bounds (1 s) so a loaded machine does
// not fail them; the 100 ms target is measured by `npm run bench -- --only verify`.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { forge, caExtensions, leafExtensions, without } from '../helpers/forge.js';
import { generateKeyPair, type PrivateKey, getPublicKey, createRootCa, issueCertificate, verifyCertificate, VERIFY_FAILURE_CODES, VERIFY_BUDGET, MAX_PRESENTED_CERTIFICATES, type VerifyResult, type VerifyOptions, type Certificate, OID, MailPkiError } from '../../src/index.js';

const keys: PrivateKey[] = [];
before(async () => {
  for (let i = 0; i < 4; i++) keys.push((await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey);
});

/**
 * Run one verification, assert it returns a valid value within `maxMs` of
 * CPU time (process.cpuUsage: the machine running other jobs does not count,
 * as it would in wall time), and return it with the time taken.
 */
function timed(leaf: Certificate, opts: VerifyOptions, maxMs = 1000): { r: VerifyResult; ms: number } {
  const t0 = process.cpuUsage();
  const r = verifyCertificate(leaf, opts);
  const d = process.cpuUsage(t0);
  const ms = (d.user + d.system) / 1000;
  assert.ok(ms < maxMs, `verification took ${ms.toFixed(0)} ms of CPU (bound ${maxMs} ms)`);
  if (!r.ok) {
    assert.ok(VERIFY_FAILURE_CODES.includes(r.reason), `unknown reason ${r.reason}`);
    assert.equal(typeof r.message, 'string');
  }
  return { r, ms };
}

/**
 * `n` intermediates with one subject and one key, each signed by that key
 * (so every one verifies under every other), and a leaf below them.
 */
function sameSubjectSameKey(n: number, opts: { aki: boolean; top?: { cert: Certificate; key: PrivateKey } }) {
  const [k, leafKey] = [keys[0]!, keys[1]!];
  const mids: Certificate[] = [];
  for (let i = 0; i < n; i++) {
    const ext = caExtensions(k, k);
    mids.push(forge({ subject: { CN: 'Loop CA' }, key: k, extensions: opts.aki ? ext : without(ext, OID.authorityKeyIdentifier, OID.subjectKeyIdentifier) }));
  }
  if (opts.top) mids.push(forge({ subject: { CN: 'Loop CA' }, key: k, issuer: opts.top, extensions: caExtensions(k, opts.top.key) }));
  const leafExt = leafExtensions(leafKey, k, ['loop.example.com']);
  const leaf = forge({ subject: { CN: 'loop.example.com' }, key: leafKey, issuerName: { CN: 'Loop CA' }, signer: k, extensions: opts.aki ? leafExt : without(leafExt, OID.authorityKeyIdentifier) });
  return { mids, leaf };
}

test('same subject, same key: 10, 100 and 1,000 intermediates without a path end quickly', () => {
  const root = createRootCa({ subject: { CN: 'Unrelated Root' }, privateKey: keys[2]! });
  for (const n of [10, 100, 1000]) {
    for (const aki of [true, false]) {
      const { mids, leaf } = sameSubjectSameKey(n, { aki });
      // default cap: more than 20 presented certificates are refused before any path is built
      const capped = timed(leaf, { trustAnchors: [root], intermediates: mids }).r;
      if (n + 1 > MAX_PRESENTED_CERTIFICATES) {
        assert.equal(!capped.ok && capped.reason, 'too-complex', `n=${n}`);
        assert.match(!capped.ok ? capped.message : '', /maxCertificates/);
      } else {
        assert.ok(!capped.ok && ['self-signed-untrusted', 'unknown-issuer'].includes(capped.reason), `n=${n}: ${!capped.ok && capped.reason}`);
      }
      // cap raised: the budget and the loop rule decide; no anchor is reachable
      const { r } = timed(leaf, { trustAnchors: [root], intermediates: mids, maxCertificates: 5000 });
      assert.equal(r.ok, false);
      assert.ok(!r.ok && ['self-signed-untrusted', 'unknown-issuer', 'too-complex'].includes(r.reason), `n=${n} aki=${aki}: ${!r.ok && r.reason}`);
    }
  }
});

test('same subject, same key, with an anchor of that name and another key: too-complex or unknown, fast', () => {
  // No AKI/SKI: the anchor is a candidate issuer of every intermediate and its signature check fails each time.
  const anchor = forge({ subject: { CN: 'Loop CA' }, key: keys[3]!, extensions: without(caExtensions(keys[3]!), OID.subjectKeyIdentifier) });
  for (const n of [10, 100, 1000]) {
    const { mids, leaf } = sameSubjectSameKey(n, { aki: false });
    const { r } = timed(leaf, { trustAnchors: [anchor], intermediates: mids, maxCertificates: 5000 });
    assert.ok(!r.ok && ['too-complex', 'bad-signature'].includes(r.reason), `n=${n}: ${!r.ok && r.reason}: ${!r.ok && r.message}`);
  }
});

test('same subject, same key, and one of them issued by the trust anchor: the right path is found', () => {
  const rootKey = keys[2]!;
  const root = forge({ subject: { CN: 'Real Root' }, key: rootKey, extensions: caExtensions(rootKey) });
  for (const n of [10, 100, 1000]) {
    const { mids, leaf } = sameSubjectSameKey(n, { aki: true, top: { cert: root, key: rootKey } });
    const { r } = timed(leaf, { trustAnchors: [root], intermediates: mids, maxCertificates: 5000 });
    assert.ok(r.ok, !r.ok ? `n=${n}: ${r.reason}: ${r.message}` : '');
    assert.equal(r.chain.length, 3);
    assert.equal(r.chain[1], mids[mids.length - 1], 'the intermediate that the root issued');
  }
});

test('a chain of distinct keys under one subject (each signed by the previous): budget, not exponential time', () => {
  const root = forge({ subject: { CN: 'Deg Root' }, key: keys[0]!, extensions: caExtensions(keys[0]!) });
  // 60 intermediates of 4 rotating keys, none with AKI: every one is a candidate issuer of every other.
  const mids: Certificate[] = [];
  let prev = { cert: root, key: keys[0]! };
  for (let i = 0; i < 60; i++) {
    const k = keys[i % 4]!;
    const c = forge({ subject: { CN: 'Deg CA' }, key: k, issuer: prev, extensions: without(caExtensions(k), OID.subjectKeyIdentifier) });
    mids.push(c);
    prev = { cert: c, key: k };
  }
  const leaf = forge({ subject: { CN: 'deg.example.com' }, key: keys[1]!, issuer: prev, extensions: without(leafExtensions(keys[1]!, prev.key, ['deg.example.com']), OID.authorityKeyIdentifier) });
  const { r } = timed(leaf, { trustAnchors: [root], intermediates: mids.reverse(), maxCertificates: 100, maxDepth: 64 });
  assert.ok(r.ok || ['too-complex', 'path-too-long', 'path-length-exceeded'].includes(r.reason), !r.ok ? r.message : '');
});

test('duplicates are considered once; the presented cap counts certificates as given', async () => {
  const rootKey = keys[0]!;
  const root = createRootCa({ subject: { CN: 'Dup Root' }, privateKey: rootKey, pathLen: 1 });
  const ica = forge({ subject: { CN: 'Dup CA' }, key: keys[1]!, issuer: { cert: root, key: rootKey }, extensions: caExtensions(keys[1]!, rootKey, { pathLen: 0 }) });
  const leaf = forge({ subject: { CN: 'dup.example.com' }, key: keys[2]!, issuer: { cert: ica, key: keys[1]! }, extensions: leafExtensions(keys[2]!, keys[1]!, ['dup.example.com']) });
  const copies = Array.from({ length: 500 }, () => ica);
  const ok = timed(leaf, { trustAnchors: [root], intermediates: copies, host: 'dup.example.com', maxCertificates: 1000 }).r;
  assert.ok(ok.ok, !ok.ok ? ok.message : '');
  const refused = timed(leaf, { trustAnchors: [root], intermediates: copies.slice(0, 20) }).r;
  assert.equal(!refused.ok && refused.reason, 'too-complex');
  assert.equal(timed(leaf, { trustAnchors: [root], intermediates: copies.slice(0, 19) }).r.ok, true);
});

test('maxDepth: a path longer than asked for is path-too-long; TypeError for a bad value', () => {
  const rootKey = keys[0]!;
  const root = createRootCa({ subject: { CN: 'Depth Root' }, privateKey: rootKey });
  const ica = forge({ subject: { CN: 'Depth CA' }, key: keys[1]!, issuer: { cert: root, key: rootKey }, extensions: caExtensions(keys[1]!, rootKey) });
  const leaf = forge({ subject: { CN: 'depth.example.com' }, key: keys[2]!, issuer: { cert: ica, key: keys[1]! }, extensions: leafExtensions(keys[2]!, keys[1]!, ['depth.example.com']) });
  const opts = { trustAnchors: [root], intermediates: [ica] };
  assert.equal(verifyCertificate(leaf, { ...opts, maxDepth: 3 }).ok, true);
  const r = verifyCertificate(leaf, { ...opts, maxDepth: 2 });
  assert.equal(!r.ok && r.reason, 'path-too-long');
  assert.throws(() => verifyCertificate(leaf, { ...opts, maxDepth: 0 }), TypeError);
  assert.throws(() => verifyCertificate(leaf, { ...opts, maxDepth: 1.5 }), TypeError);
  assert.throws(() => verifyCertificate(leaf, { ...opts, maxCertificates: -1 }), TypeError);
});

test('name constraints: 1,024 names × 1,024 subtrees is too-complex at once; a product under the cap is checked', () => {
  const rootKey = keys[0]!;
  const permitted = Array.from({ length: 1024 }, (_, i) => `zone${i}.example`);
  const root = createRootCa({ subject: { CN: 'NC Root' }, privateKey: rootKey, nameConstraints: { permitted } });
  // Issuance refuses what these tests need (it checks the issuer's constraints, bounded the same way):
  // the leaves come from a twin of each root with the same name and key but no constraints.
  const twin = (cn: string) => createRootCa({ subject: { CN: cn }, privateKey: rootKey });
  const sans = Array.from({ length: 1024 }, (_, i) => `host${i}.zone${1023 - i}.example`);
  assert.throws(
    () => issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(keys[1]!), subject: { CN: 'host0.zone1023.example' }, sans, issuer: root, issuerKey: rootKey }),
    (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_NAME_CONSTRAINTS' && /more than 65536 comparisons/.test(e.message),
  );
  const leaf = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(keys[1]!), subject: { CN: 'host0.zone1023.example' }, sans, issuer: twin('NC Root'), issuerKey: rootKey });
  const { r } = timed(leaf, { trustAnchors: [root] });
  assert.equal(!r.ok && r.reason, 'too-complex', !r.ok ? r.message : '');
  assert.match(!r.ok ? r.message : '', /comparisons/);
  // 100 names × 256 subtrees = 25,600 comparisons (under the 2^16 cap): checked, and passes
  const root2 = createRootCa({ subject: { CN: 'NC Root 2' }, privateKey: rootKey, nameConstraints: { permitted: permitted.slice(0, 256) } });
  const leaf2 = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(keys[1]!), subject: { CN: 'host0.zone255.example' }, sans: sans.slice(768, 867), issuer: root2, issuerKey: rootKey });
  assert.ok(VERIFY_BUDGET.nameConstraintComparisons >= 100 * 256);
  const ok = timed(leaf2, { trustAnchors: [root2] }).r;
  assert.ok(ok.ok, !ok.ok ? ok.message : '');
  // ... and one name outside: a violation, not too-complex
  const leaf3 = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(keys[1]!), subject: { CN: 'x.zone1.example' }, sans: [...sans.slice(768, 866), 'evil.test'], issuer: twin('NC Root 2'), issuerKey: rootKey });
  const bad = timed(leaf3, { trustAnchors: [root2] }).r;
  assert.equal(!bad.ok && bad.reason, 'name-constraint-violation');
});

test('fuzz: random sets of related certificates (shared names and keys) always give a value within the time bound', () => {
  // A universe of certificates over 3 names and 4 keys: CA or not, AKI or not, signed by any (name, key).
  const names = ['Fuzz A', 'Fuzz B', 'Fuzz C'];
  const universe: Certificate[] = [];
  const rnd = mulberry32(10);
  for (let i = 0; i < 40; i++) {
    const sk = keys[Math.floor(rnd() * 4)]!;
    const ik = keys[Math.floor(rnd() * 4)]!;
    const subject = { CN: names[Math.floor(rnd() * 3)]! };
    const issuerName = { CN: names[Math.floor(rnd() * 3)]! };
    let ext = rnd() < 0.8 ? caExtensions(sk, ik) : leafExtensions(sk, ik, ['fuzz.example.com']);
    if (rnd() < 0.5) ext = without(ext, OID.authorityKeyIdentifier);
    if (rnd() < 0.3) ext = without(ext, OID.subjectKeyIdentifier);
    universe.push(forge({ subject, key: sk, issuerName, signer: ik, extensions: ext }));
  }
  const leaves = [0, 1, 2, 3].map((i) =>
    forge({ subject: { CN: 'fuzz.example.com' }, key: keys[i]!, issuerName: { CN: names[i % 3]! }, signer: keys[(i + 1) % 4]!, extensions: leafExtensions(keys[i]!, keys[(i + 1) % 4]!, ['fuzz.example.com']) }),
  );
  let worst = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3 }),
      fc.subarray(universe, { maxLength: 19 }),
      fc.subarray(universe, { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      (li, mids, anchors, host) => {
        const { ms } = timed(leaves[li]!, { trustAnchors: anchors, intermediates: mids, ...(host ? { host: 'fuzz.example.com' } : {}) }, 1000);
        worst = Math.max(worst, ms);
      },
    ),
    { numRuns: 150 },
  );
  assert.ok(worst < 1000);
});

/** Small deterministic PRNG so the universe is the same every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
