// The strict rules of verifyCertificate (issue 10 part 3) against an oracle:
// certificates made by the openssl CLI with one defect each, refused by
// `openssl verify -x509_strict` and by mailpki with its own reason code
// under both profiles; the same chain without the defect accepted by both.
// (Rules OpenSSL 3.0 does not apply, e.g. the web PKI ones, are tested on
// forged certificates in test/unit/verify-strict.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oracle } from '../helpers/env.js';
import { OpensslPki, EXT, opensslVerify, type FixtureCert } from '../helpers/openssl-pki.js';
import { verifyCertificate, type VerifyFailureCode } from '../../src/index.js';

const HOST = 'ok.example.com';
const swap = (ext: string[], from: RegExp, to: string): string[] => ext.map((l) => l.replace(from, to));

test('openssl verify -x509_strict and verifyCertificate refuse the same defects', (t) => {
  if (!oracle(t, 'openssl')) return;
  const pki = new OpensslPki();
  const root = pki.cert({ name: 'Strict Root', ext: EXT.root, days: 3650 });
  const ica = pki.cert({ name: 'Strict Int', issuer: root, ext: EXT.ca(), days: 1825 });
  const leafExt = EXT.server(`DNS:${HOST}`);
  const good = pki.cert({ name: HOST, issuer: ica, ext: leafExt });

  // CA-side defects need their own intermediate / root
  const noSkiCa = pki.cert({ name: 'No SKI Int', issuer: root, ext: swap(EXT.ca(), /^subjectKeyIdentifier=hash$/, 'subjectKeyIdentifier=none') });
  const noAkiCa = pki.cert({ name: 'No AKI Int', issuer: root, ext: swap(EXT.ca(), /^authorityKeyIdentifier=keyid$/, 'authorityKeyIdentifier=none') });
  const softRoot = pki.cert({ name: 'Soft Root', ext: swap(EXT.root, /^basicConstraints=critical,/, 'basicConstraints='), days: 3650 });
  const softIca = pki.cert({ name: 'Soft Int', issuer: softRoot, ext: EXT.ca(), days: 1825 });

  const cases: Array<{ label: string; leaf: FixtureCert; root: FixtureCert; mids: FixtureCert[]; reason?: VerifyFailureCode }> = [
    { label: 'good chain', leaf: good, root, mids: [ica] },
    { label: 'AKI critical', leaf: pki.cert({ name: HOST, issuer: ica, ext: swap(leafExt, /^authorityKeyIdentifier=/, 'authorityKeyIdentifier=critical,') }), root, mids: [ica], reason: 'forbidden-critical-extension' },
    { label: 'SKI critical', leaf: pki.cert({ name: HOST, issuer: ica, ext: swap(leafExt, /^subjectKeyIdentifier=/, 'subjectKeyIdentifier=critical,') }), root, mids: [ica], reason: 'forbidden-critical-extension' },
    {
      label: 'intermediate without SKI',
      leaf: pki.cert({ name: HOST, issuer: noSkiCa, ext: swap(leafExt, /^authorityKeyIdentifier=keyid$/, 'authorityKeyIdentifier=none') }),
      root,
      mids: [noSkiCa],
      reason: 'missing-subject-key-identifier',
    },
    { label: 'intermediate without AKI', leaf: pki.cert({ name: HOST, issuer: noAkiCa, ext: leafExt }), root, mids: [noAkiCa], reason: 'missing-authority-key-identifier' },
    { label: 'root basicConstraints not critical', leaf: pki.cert({ name: HOST, issuer: softIca, ext: leafExt }), root: softRoot, mids: [softIca], reason: 'root-basic-constraints-not-critical' },
  ];
  for (const c of cases) {
    const o = opensslVerify({ root: c.root.certPath, untrusted: pki.bundle('mids', c.mids), leaf: c.leaf.certPath, host: HOST, purpose: 'sslserver' });
    assert.equal(o.ok, c.reason === undefined, `${c.label}: openssl -x509_strict: ${o.out}`);
    for (const profile of ['webpki', 'rfc5280'] as const) {
      const r = verifyCertificate(c.leaf.cert, { trustAnchors: [c.root.cert], intermediates: c.mids.map((m) => m.cert), host: HOST, profile });
      assert.equal(r.ok ? 'ok' : r.reason, c.reason ?? 'ok', `${c.label} (${profile}): ${r.ok ? '' : r.message}`);
    }
  }
});
