// verifyCertificate agrees with `openssl verify -x509_strict` on good paths
// and on a set of bad ones, reason by reason (OpenSSL's error text mapped to
// our stable codes). Certificates are made by the openssl CLI because
// mailpki's own issuance refuses to make most of the bad ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle } from '../helpers/env.js';
import { OpensslPki, EXT, opensslVerify, type FixtureCert } from '../helpers/openssl-pki.js';
import { verifyCertificate, type VerifyFailureCode, parseCertificate } from '../../src/index.js';

const DAY = 86_400_000;

interface Case {
  label: string;
  leaf: FixtureCert;
  root: FixtureCert;
  intermediates: FixtureCert[];
  host?: string;
  at?: Date;
  /** undefined = both must accept */
  reason?: VerifyFailureCode;
  openssl?: RegExp;
}

test('verifyCertificate and openssl verify agree on good and bad paths', (t) => {
  if (!oracle(t, 'openssl')) return;
  const pki = new OpensslPki();
  const root = pki.cert({ name: 'Agree Root', ext: EXT.root, days: 3650 });
  const ica = pki.cert({ name: 'Agree Int', issuer: root, ext: EXT.ca(0), days: 1825 });
  const leaf = pki.cert({ name: 'mail.example.com', issuer: ica, ext: EXT.server('DNS:mail.example.com', 'DNS:*.mx.example.com', 'IP:::1') });
  const direct = pki.cert({ name: 'direct.example.com', issuer: root, ext: EXT.server('DNS:direct.example.com') });
  const underLeaf = pki.cert({ name: 'sub.example.com', issuer: direct, ext: EXT.server('DNS:sub.example.com') });
  const ncRoot = pki.cert({ name: 'Agree NC Root', ext: [...EXT.root, 'nameConstraints=critical,permitted;DNS:example.com,excluded;DNS:secret.example.com'] });
  const ncBad = pki.cert({ name: 'evil.test', issuer: ncRoot, ext: EXT.server('DNS:evil.test') });
  const ncExcl = pki.cert({ name: 'secret.example.com', issuer: ncRoot, ext: EXT.server('DNS:secret.example.com') });
  const ncCn = pki.cert({ name: 'cn-only.evil.test', issuer: ncRoot, ext: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'] });
  const ncGood = pki.cert({ name: 'ok.example.com', issuer: ncRoot, ext: EXT.server('DNS:ok.example.com') });
  const sub = pki.cert({ name: 'Agree Sub', issuer: ica, ext: EXT.ca() });
  const deep = pki.cert({ name: 'deep.example.com', issuer: sub, ext: EXT.server('DNS:deep.example.com') });
  const client = pki.cert({ name: 'client.example.com', issuer: root, ext: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid', 'subjectAltName=DNS:client.example.com'] });
  const rsaRoot = pki.cert({ name: 'Agree RSA Root', keyType: 'rsa', ext: EXT.root });
  const sha1 = pki.cert({ name: 'sha1.example.com', issuer: rsaRoot, md: 'sha1', ext: EXT.server('DNS:sha1.example.com') });
  const weak = pki.cert({ name: 'weak.example.com', issuer: rsaRoot, keyType: 'rsa1024', ext: EXT.server('DNS:weak.example.com') });
  const der = new Uint8Array(direct.cert.der);
  der[der.length - 4]! ^= 0x10;
  const badSigPath = join(pki.dir, 'badsig.pem');
  const badSig: FixtureCert = { ...direct, cert: parseCertificate(der), certPath: badSigPath };
  writeFileSync(badSigPath, badSig.cert.pem);

  const cases: Case[] = [
    { label: 'good, intermediate', leaf, root, intermediates: [ica], host: 'mail.example.com' },
    { label: 'good, wildcard', leaf, root, intermediates: [ica], host: 'a.mx.example.com' },
    { label: 'good, IPv6 written out', leaf, root, intermediates: [ica], host: '0:0:0:0:0:0:0:1' },
    { label: 'good, direct', leaf: direct, root, intermediates: [], host: 'direct.example.com' },
    { label: 'good, name constraints', leaf: ncGood, root: ncRoot, intermediates: [], host: 'ok.example.com' },
    { label: 'expired leaf', leaf, root, intermediates: [ica], at: new Date(leaf.cert.notAfter.getTime() + DAY), reason: 'expired', openssl: /certificate has expired/ },
    { label: 'not yet valid', leaf: direct, root, intermediates: [], at: new Date(direct.cert.notBefore.getTime() - 2 * DAY), reason: 'not-yet-valid', openssl: /not yet valid/ },
    { label: 'wrong host', leaf, root, intermediates: [ica], host: 'other.example.com', reason: 'host-mismatch', openssl: /hostname mismatch/ },
    { label: 'wildcard is one label', leaf, root, intermediates: [ica], host: 'a.b.mx.example.com', reason: 'host-mismatch', openssl: /hostname mismatch/ },
    { label: 'missing intermediate', leaf, root, intermediates: [], reason: 'unknown-issuer', openssl: /unable to get local issuer certificate/ },
    { label: 'leaf used as a CA', leaf: underLeaf, root, intermediates: [direct], reason: 'not-a-ca', openssl: /invalid CA certificate/ },
    { label: 'name constraints: outside permitted', leaf: ncBad, root: ncRoot, intermediates: [], reason: 'name-constraint-violation', openssl: /permitted subtree violation/ },
    { label: 'name constraints: excluded', leaf: ncExcl, root: ncRoot, intermediates: [], reason: 'name-constraint-violation', openssl: /excluded subtree violation/ },
    { label: 'name constraints: host-like CN without SAN', leaf: ncCn, root: ncRoot, intermediates: [], reason: 'name-constraint-violation', openssl: /permitted subtree violation/ },
    { label: 'path length', leaf: deep, root, intermediates: [ica, sub], reason: 'path-length-exceeded', openssl: /path length constraint exceeded/ },
    { label: 'wrong purpose', leaf: client, root, intermediates: [], reason: 'wrong-purpose', openssl: /unsuitable certificate purpose|unsupported certificate purpose/ },
    { label: 'untrusted root', leaf: direct, root: ncRoot, intermediates: [], reason: 'unknown-issuer', openssl: /unable to get local issuer certificate/ },
    { label: 'SHA-1 signature', leaf: sha1, root: rsaRoot, intermediates: [], reason: 'weak-algorithm', openssl: /digest algorithm too weak/ },
    { label: 'RSA 1024 key', leaf: weak, root: rsaRoot, intermediates: [], reason: 'weak-key', openssl: /key too weak/ },
    { label: 'bad signature', leaf: badSig, root, intermediates: [], reason: 'bad-signature', openssl: /signature failure/ },
  ];

  for (const c of cases) {
    const untrusted = c.intermediates.length ? pki.bundle('untrusted', c.intermediates) : undefined;
    const o = opensslVerify({ root: c.root.certPath, leaf: c.leaf.certPath, purpose: 'sslserver', ...(untrusted ? { untrusted } : {}), ...(c.host ? { host: c.host } : {}), ...(c.at ? { attime: c.at } : {}) });
    const ours = verifyCertificate(c.leaf.cert, {
      trustAnchors: [c.root.cert],
      intermediates: c.intermediates.map((f) => f.cert),
      purpose: 'tls-server',
      ...(c.host ? { host: c.host } : {}),
      ...(c.at ? { at: c.at } : {}),
    });
    if (c.reason === undefined) {
      assert.ok(o.ok, `${c.label}: openssl rejects: ${o.out}`);
      assert.ok(ours.ok, `${c.label}: mailpki rejects: ${!ours.ok ? ours.message : ''}`);
    } else {
      assert.ok(!o.ok, `${c.label}: openssl accepts`);
      assert.match(o.out, c.openssl!, `${c.label}: openssl says ${o.out}`);
      assert.ok(!ours.ok, `${c.label}: mailpki accepts`);
      if (!ours.ok) assert.equal(ours.reason, c.reason, `${c.label}: ${ours.message}`);
    }
  }
});
