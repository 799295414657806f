// Property tests for chain building and verification (fast-check), on a
// small PKI issued by mailpki (no external tool needed):
// - any shuffle / duplication of root, intermediate and leaf orders the same;
// - any byte change of a leaf that still parses makes verification fail
//   with a reason, never an exception and never a pass;
// - any time inside / outside the leaf's window gives ok / expired|not-yet-valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateKeyPair, createRootCa, createIntermediateCa, issueCertificate, createCertificateRequest, parseCertificate, buildChain, verifyCertificate, VERIFY_FAILURE_CODES, isMailPkiError, type Certificate } from '../../src/index.js';

async function pki() {
  const rootKey = (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
  const icaKey = (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
  const leafKey = (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
  const root = createRootCa({ subject: { CN: 'Fuzz Root' }, privateKey: rootKey });
  const ica = createIntermediateCa({ subject: { CN: 'Fuzz Int' }, publicKey: icaKey, issuer: root, issuerKey: rootKey });
  const csr = createCertificateRequest({ subject: { CN: 'fuzz.example.com' }, sans: ['fuzz.example.com'], privateKey: leafKey });
  const leaf = issueCertificate({ profile: 'tls-server', csr, issuer: ica, issuerKey: icaKey });
  return { root, ica, leaf };
}

test('buildChain: every shuffle with duplicates gives leaf -> intermediate (-> root)', async () => {
  const { root, ica, leaf } = await pki();
  const all = fc.array(fc.constantFrom<Certificate>(root, ica, leaf), { maxLength: 6 }).chain((extra) => {
    const n = 3 + extra.length;
    return fc.shuffledSubarray([root, ica, leaf, ...extra], { minLength: n, maxLength: n });
  });
  fc.assert(
    fc.property(all, fc.boolean(), (set, withRoot) => {
      const { chain, root: r } = buildChain(set, { withRoot });
      const want = withRoot ? [leaf, ica, root] : [leaf, ica];
      assert.deepEqual(chain.map((c) => c.serialHex), want.map((c) => c.serialHex));
      assert.equal(r?.serialHex, root.serialHex);
    }),
    { numRuns: 100 },
  );
});

test('a mutated leaf that still parses never verifies and never throws', async () => {
  const { root, ica, leaf } = await pki();
  assert.ok(verifyCertificate(leaf, { trustAnchors: [root], intermediates: [ica] }).ok);
  let parsed = 0;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: leaf.der.length - 1 }), fc.integer({ min: 1, max: 255 }), (pos, x) => {
      const der = new Uint8Array(leaf.der);
      der[pos]! ^= x;
      let cert: Certificate;
      try {
        cert = parseCertificate(der);
      } catch (e) {
        assert.ok(isMailPkiError(e), `parser threw a non-MailPkiError: ${String(e)}`);
        return;
      }
      parsed++;
      const r = verifyCertificate(cert, { trustAnchors: [root], intermediates: [ica], host: 'fuzz.example.com' });
      assert.equal(r.ok, false, `byte ${pos} ^ ${x} still verifies`);
      if (!r.ok) assert.ok(VERIFY_FAILURE_CODES.includes(r.reason));
    }),
    { numRuns: 400 },
  );
  assert.ok(parsed > 20, `only ${parsed} mutants parsed: the property was hardly exercised`);
});

test('validity window: inside ok, before not-yet-valid, after expired', async () => {
  const { root, ica, leaf } = await pki();
  const lo = leaf.notBefore.getTime();
  const hi = leaf.notAfter.getTime();
  fc.assert(
    fc.property(fc.integer({ min: lo - 10 * 86_400_000, max: hi + 10 * 86_400_000 }), (ms) => {
      const r = verifyCertificate(leaf, { trustAnchors: [root], intermediates: [ica], at: new Date(ms) });
      if (ms < lo) assert.equal(!r.ok && r.reason, 'not-yet-valid');
      else if (ms > hi) assert.equal(!r.ok && r.reason, 'expired');
      else assert.equal(r.ok, true, !r.ok ? r.message : '');
    }),
    { numRuns: 200 },
  );
});
