// CLI with CRLs: `mailpki verify --crl` (repeatable, --revocation) and
// `mailpki inspect` on PEM and DER CRLs (text and --json). Fixtures are made
// with the library in a temp dir; `check --crl` shares the verify code path
// (probeTls passes `crls` to verifyCertificate).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/env.js';
import { cli } from '../helpers/cli.js';
import { parsePkcs8, createRootCa, createIntermediateCa, issueCertificate, createCrl } from '../../src/index.js';

const ec = () => parsePkcs8(new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' })));

const dir = tempDir();
const p = (n: string) => join(dir, n);
const rootKey = ec();
const root = createRootCa({ subject: { CN: 'CLI CRL Root' }, privateKey: rootKey });
const icaKey = ec();
const ica = createIntermediateCa({ subject: { CN: 'CLI CRL ICA' }, publicKey: icaKey, issuer: root, issuerKey: rootKey });
const leafKey = ec();
const good = issueCertificate({ profile: 'tls-server', sans: ['good.example'], publicKey: leafKey as never, issuer: ica, issuerKey: icaKey });
const bad = issueCertificate({ profile: 'tls-server', sans: ['bad.example'], publicKey: leafKey as never, issuer: ica, issuerKey: icaKey });
const revokedAt = new Date(Date.now() - 3_600_000);
const icaCrl = createCrl({ issuerCertificate: ica, issuerKey: icaKey, crlNumber: 3n, entries: [{ serial: bad, revocationDate: revokedAt, reason: 'keyCompromise' }] });
const rootCrl = createCrl({ issuerCertificate: root, issuerKey: rootKey, crlNumber: 1n });
writeFileSync(p('root.pem'), root.pem);
writeFileSync(p('ica.pem'), ica.pem);
writeFileSync(p('good.pem'), good.pem);
writeFileSync(p('bad.pem'), bad.pem);
writeFileSync(p('ica.crl'), icaCrl.pem);
writeFileSync(p('ica.crl.der'), icaCrl.der);
writeFileSync(p('root.crl'), rootCrl.pem);

test('mailpki verify --crl: revoked is refused with reason and date, the others pass', async () => {
  const base = ['verify', '--ca', p('root.pem'), '--untrusted', p('ica.pem'), '--crl', p('ica.crl'), '--crl', p('root.crl')];
  const r = await cli([...base, p('bad.pem')]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /revoked \(reason keyCompromise, revoked at \d{4}-\d\d-\d\dT/);
  assert.match(r.stderr, /\(revoked\)\n$/);
  const ok = await cli([...base, '--revocation', 'require', p('good.pem')]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /OK.*not revoked \(2 CRLs\)/);
  // require without the root's CRL: the intermediate is not covered.
  const req = await cli(['verify', '--ca', p('root.pem'), '--untrusted', p('ica.pem'), '--crl', p('ica.crl.der'), '--revocation', 'require', p('good.pem')]);
  assert.equal(req.status, 1);
  assert.match(req.stderr, /\(crl-not-found\)/);
  const bogus = await cli(['verify', '--ca', p('root.pem'), '--crl', p('good.pem'), p('good.pem')]);
  assert.notEqual(bogus.status, 0);
  assert.match(bogus.stderr, /no CRL found/);
});

test('mailpki inspect reads CRLs (PEM and DER, text and JSON)', async () => {
  const t = await cli(['inspect', p('ica.crl')]);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /^CRL\n/);
  assert.match(t.stdout, /Issuer:\s+CN=CLI CRL ICA/);
  assert.match(t.stdout, /CRL number:\s+3/);
  assert.match(t.stdout, /keyCompromise/);
  const d = await cli(['inspect', p('ica.crl.der'), '--json']);
  assert.equal(d.status, 0, d.stderr);
  const j = JSON.parse(d.stdout) as Array<{ kind: string; crlNumber: string; revokedCount: number; entries: Array<{ serialNumber: string }> }>;
  assert.equal(j[0]!.kind, 'crl');
  assert.equal(j[0]!.crlNumber, '3');
  assert.equal(j[0]!.revokedCount, 1);
  assert.equal(j[0]!.entries[0]!.serialNumber, bad.serialHex);
});
