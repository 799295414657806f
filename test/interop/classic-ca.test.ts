// CAs made by the classic OpenSSL recipe as mailpki issuers (issue 13):
// `openssl genrsa -aes256` + `openssl req -x509 -new -days 1825` with
// Debian's default openssl.cnf (basicConstraints CA:TRUE, no keyUsage).
// mailpki signs with it (library and CLI, with the warning), OpenSSL
// (without -x509_strict) and GnuTLS accept the leaf, OpenSSL -x509_strict
// refuses it as the warning says; the refusals (keyUsage without
// keyCertSign, CA:FALSE, no basicConstraints, wrong key); name constraints
// enforced at issuance; `mail init --ca-cert/--ca-key` and `--ca DIR`; a CRL
// from the database that `openssl crl -verify` and `openssl verify
// -crl_check` accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, run, runOk, tempDir } from '../helpers/env.js';
import { cli, listFiles } from '../helpers/cli.js';
import { issueCertificate, ISSUER_WITHOUT_KEY_USAGE } from '../../src/x509/issue.js';
import { parseCertificate, parseCertificates, parsePrivateKey, getPublicKey, generateKeyPair, isMailPkiError } from '../../src/index.js';

const code = (c: string, re?: RegExp) => (e: unknown) => isMailPkiError(e, c as never) && (!re || re.test((e as Error).message));

/** The classic recipe, verbatim but for the non-interactive -subj and the passphrase file. */
function classicCa(d: string): { cert: string; key: string; pass: string } {
  const pass = join(d, 'ca.pass');
  writeFileSync(pass, 'classic passphrase\n');
  runOk('openssl', ['genrsa', '-aes256', '-passout', `file:${pass}`, '-out', join(d, 'myCA.key'), '2048']);
  runOk('openssl', ['req', '-x509', '-new', '-key', join(d, 'myCA.key'), '-passin', `file:${pass}`, '-sha256', '-days', '1825',
    '-subj', '/C=US/O=Classic Example/CN=Classic Example Root', '-out', join(d, 'myCA.pem')]);
  return { cert: join(d, 'myCA.pem'), key: join(d, 'myCA.key'), pass };
}

test('classic OpenSSL root (CA:TRUE, no keyUsage) signs a mailpki CSR: warning; openssl verify and certtool accept, -x509_strict refuses as warned', { timeout: 120_000 }, async (t) => {
  if (!oracle(t, 'openssl') || !oracle(t, 'certtool')) return;
  const d = tempDir('mailpki-classic-');
  const ca = classicCa(d);
  const caText = runOk('openssl', ['x509', '-in', ca.cert, '-noout', '-text']);
  assert.match(caText, /CA:TRUE/);
  assert.doesNotMatch(caText, /Key Usage/, 'Debian\'s default config writes no keyUsage (the case of the issue)');

  const csr = await cli(['csr', 'new', '--san', 'mail.example.test', '--san', 'smtp.example.test', '--key-out', join(d, 'mail.key'), '--out', join(d, 'mail.csr')]);
  assert.equal(csr.status, 0, csr.stderr);
  const r = await cli(['sign', '--csr', join(d, 'mail.csr'), '--ca', ca.cert, '--ca-key', ca.key, '--ca-passphrase-file', ca.pass, '--out', join(d, 'mail.crt'), '--chain-out', join(d, 'mail.chain.pem')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /note: the issuer certificate has no keyUsage extension .*-x509_strict/);
  assert.ok(existsSync(join(d, 'myCA.issued.jsonl')), 'the database is created next to an OpenSSL-made CA too');

  for (const host of ['mail.example.test', 'smtp.example.test']) {
    assert.match(runOk('openssl', ['verify', '-purpose', 'sslserver', '-verify_hostname', host, '-CAfile', ca.cert, join(d, 'mail.crt')]), /OK/);
  }
  const strict = run('openssl', ['verify', '-x509_strict', '-CAfile', ca.cert, join(d, 'mail.crt')]);
  assert.notEqual(strict.status, 0);
  assert.match(strict.stdout + strict.stderr, /CA cert does not include key usage extension/, 'what the warning tells the user');
  const gnutls = run('certtool', ['--verify', '--load-ca-certificate', ca.cert, '--infile', join(d, 'mail.crt')]);
  assert.equal(gnutls.status, 0, gnutls.stdout + gnutls.stderr);
  assert.match(gnutls.stdout, /Chain verification output: Verified/);

  // the library: the same acceptance, the warning in `warnings`
  const issuer = parseCertificate(readFileSync(ca.cert, 'utf8'));
  const issuerKey = parsePrivateKey(readFileSync(ca.key, 'utf8'), { passphrase: 'classic passphrase' });
  const k = await generateKeyPair({ type: 'ec', curve: 'P-256' });
  const leaf = issueCertificate({ profile: 'tls-server', publicKey: k.publicKey, sans: ['imap.example.test'], issuer, issuerKey, days: 30 });
  assert.ok(leaf.warnings.some((w) => w.code === 'issuer-without-key-usage' && w.message === ISSUER_WITHOUT_KEY_USAGE));
  // the CA signs CRLs too (same rule, RFC 5280 6.3.3 (f) only when keyUsage is present)
  const second = await cli(['sign', '--csr', join(d, 'mail.csr'), '--ca', ca.cert, '--ca-key', ca.key, '--ca-passphrase-file', ca.pass, '--out', join(d, 'mail2.crt')]);
  assert.equal(second.status, 0, second.stderr);
  const rev = await cli(['revoke', '--cert', join(d, 'mail.crt'), '--ca', ca.cert, '--reason', 'superseded']);
  assert.equal(rev.status, 0, rev.stderr);
  const crl = await cli(['crl', '--ca', ca.cert, '--ca-key', ca.key, '--ca-passphrase-file', ca.pass, '--out', join(d, 'myCA.crl')]);
  assert.equal(crl.status, 0, crl.stderr);
  const v = run('openssl', ['crl', '-in', join(d, 'myCA.crl'), '-CAfile', ca.cert, '-noout', '-verify']);
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout + v.stderr, /verify OK/);
  const revoked = run('openssl', ['verify', '-crl_check', '-CAfile', ca.cert, '-CRLfile', join(d, 'myCA.crl'), join(d, 'mail.crt')]);
  assert.notEqual(revoked.status, 0);
  assert.match(revoked.stdout + revoked.stderr, /certificate revoked/);
  assert.match(runOk('openssl', ['verify', '-crl_check', '-CAfile', ca.cert, '-CRLfile', join(d, 'myCA.crl'), join(d, 'mail2.crt')]), /OK/);
});

test('issuers mailpki still refuses (library and CLI): keyUsage without keyCertSign, CA:FALSE, no basicConstraints in v3, a key that does not match', { timeout: 120_000 }, async (t) => {
  if (!oracle(t, 'openssl')) return;
  const d = tempDir('mailpki-classic-bad-');
  const p = (n: string) => join(d, n);
  runOk('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('k.pem')]);
  runOk('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('other.pem')]);
  const mk = (name: string, ...ext: string[]) => runOk('openssl', ['req', '-x509', '-new', '-key', p('k.pem'), '-subj', `/CN=${name}`, '-days', '30', '-out', p(`${name}.pem`), ...ext.flatMap((e) => ['-addext', e])]);
  mk('ku-no-certsign', 'basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature,cRLSign');
  mk('ca-false', 'basicConstraints=critical,CA:FALSE');
  // no basicConstraints at all: a config whose x509 extensions are only the SKI
  writeFileSync(p('min.cnf'), '[req]\ndistinguished_name=dn\nx509_extensions=ext\n[dn]\n[ext]\nsubjectKeyIdentifier=hash\n');
  runOk('openssl', ['req', '-x509', '-new', '-key', p('k.pem'), '-subj', '/CN=no-bc', '-days', '30', '-config', p('min.cnf'), '-out', p('no-bc.pem')]);
  assert.match(runOk('openssl', ['x509', '-in', p('no-bc.pem'), '-noout', '-text']), /Version: 3/);
  mk('good', 'basicConstraints=critical,CA:TRUE');

  const key = parsePrivateKey(readFileSync(p('k.pem'), 'utf8'));
  const pub = getPublicKey((await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey);
  const issue = (name: string, issuerKey = key) => issueCertificate({ profile: 'tls-server', publicKey: pub, sans: ['a.example.test'], issuer: parseCertificate(readFileSync(p(`${name}.pem`), 'utf8')), issuerKey });
  assert.throws(() => issue('ku-no-certsign'), code('ERR_ISSUER_NOT_CA', /keyUsage \(digitalSignature, cRLSign\) lacks keyCertSign/));
  assert.throws(() => issue('ca-false'), code('ERR_ISSUER_NOT_CA', /cA is FALSE/));
  assert.throws(() => issue('no-bc'), code('ERR_ISSUER_NOT_CA', /no basicConstraints/));
  assert.throws(() => issue('good', parsePrivateKey(readFileSync(p('other.pem'), 'utf8'))), code('ERR_KEY_MISMATCH'));
  assert.ok(issue('good').warnings.some((w) => w.code === 'issuer-without-key-usage' && w.message === ISSUER_WITHOUT_KEY_USAGE));

  const csr = await cli(['csr', 'new', '--san', 'a.example.test', '--key-out', p('leaf.key'), '--out', p('leaf.csr')]);
  assert.equal(csr.status, 0, csr.stderr);
  const before = listFiles(d);
  for (const [ca, k, c] of [['ku-no-certsign', 'k.pem', 'ERR_ISSUER_NOT_CA'], ['ca-false', 'k.pem', 'ERR_ISSUER_NOT_CA'], ['no-bc', 'k.pem', 'ERR_ISSUER_NOT_CA'], ['good', 'other.pem', 'ERR_KEY_MISMATCH']] as const) {
    const r = await cli(['sign', '--csr', p('leaf.csr'), '--ca', p(`${ca}.pem`), '--ca-key', p(k), '--out', p('out.crt')]);
    assert.equal(r.status, 1, `${ca}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^error: .*\\(${c}\\)\\n$`));
    // mail init with that CA: the same refusal, nothing written
    const mi = await cli(['mail', 'init', 'mail.example.test', '--ca-cert', p(`${ca}.pem`), '--ca-key', p(k), '--out', p('mi')]);
    assert.equal(mi.status, 1, `mail init ${ca}: ${mi.stderr}`);
    assert.match(mi.stderr, new RegExp(`\\(${c}\\)\\n$`));
  }
  assert.deepEqual(listFiles(d), before, 'nothing written (no certificate, no database, no mail init directory)');
});

test('name constraints at issuance: a name the root or the chain does not permit is refused, naming it and the subtrees', { timeout: 120_000 }, async (t) => {
  if (!oracle(t, 'openssl')) return;
  const d = tempDir('mailpki-nc-');
  const p = (n: string) => join(d, n);
  runOk('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('root.key')]);
  runOk('openssl', ['req', '-x509', '-new', '-key', p('root.key'), '-subj', '/CN=Constrained Root', '-days', '30', '-out', p('root.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'nameConstraints=critical,permitted;DNS:example.test']);
  // an unconstrained intermediate below it: only the chain carries the constraint
  runOk('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('int.key')]);
  runOk('openssl', ['req', '-new', '-key', p('int.key'), '-subj', '/CN=Issuing CA', '-out', p('int.csr')]);
  writeFileSync(p('int.ext'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  runOk('openssl', ['x509', '-req', '-in', p('int.csr'), '-CA', p('root.pem'), '-CAkey', p('root.key'), '-days', '20', '-extfile', p('int.ext'), '-out', p('int.pem')]);
  writeFileSync(p('int-chain.pem'), readFileSync(p('int.pem'), 'utf8') + readFileSync(p('root.pem'), 'utf8'));

  assert.equal((await cli(['csr', 'new', '--san', 'mail.other.test', '--key-out', p('o.key'), '--out', p('other.csr')])).status, 0);
  assert.equal((await cli(['csr', 'new', '--san', 'mail.example.test', '--key-out', p('g.key'), '--out', p('good.csr')])).status, 0);
  const before = listFiles(d);
  for (const [ca, key] of [['root.pem', 'root.key'], ['int-chain.pem', 'int.key']]) {
    const r = await cli(['sign', '--csr', p('other.csr'), '--ca', p(ca!), '--ca-key', p(key!), '--out', p('x.crt')]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^error: DNS:mail\.other\.test is not permitted \(permitted subtrees: DNS:example\.test\) by the name constraints of 'CN=Constrained Root'.* \(ERR_NAME_CONSTRAINTS\)\n$/);
  }
  assert.deepEqual(listFiles(d), before, 'nothing written');
  // the permitted name goes through, and OpenSSL agrees it is valid under the constraint
  const ok = await cli(['sign', '--csr', p('good.csr'), '--ca', p('int-chain.pem'), '--ca-key', p('int.key'), '--out', p('good.crt')]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(runOk('openssl', ['verify', '-x509_strict', '-CAfile', p('root.pem'), '-untrusted', p('int.pem'), p('good.crt')]), /OK/);
});

test('mail init --ca-cert/--ca-key with the classic root, and --ca DIR with an earlier mail init; refusal outside the root\'s constraints', { timeout: 120_000 }, async (t) => {
  if (!oracle(t, 'openssl')) return;
  const d = tempDir('mailpki-reuse-');
  const ca = classicCa(d);
  const out = join(d, 'out');
  const r = await cli(['mail', 'init', 'mail.example.test', '--san', 'smtp.example.test', '--ca-cert', ca.cert, '--ca-key', ca.key, '--ca-passphrase-file', ca.pass, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /no keyUsage extension/);
  const files = listFiles(out);
  assert.ok(!files.includes('root-ca.key'), 'no new root key');
  assert.ok(!files.includes('root-ca.issued.jsonl'), 'the record goes to the existing CA\'s database');
  assert.equal(files.length, 13);
  assert.deepEqual(parseCertificates(readFileSync(join(out, 'root-ca.pem'), 'utf8'))[0]!.der, parseCertificate(readFileSync(ca.cert, 'utf8')).der);
  assert.match(runOk('openssl', ['verify', '-purpose', 'sslserver', '-verify_hostname', 'smtp.example.test', '-CAfile', ca.cert, join(out, 'server.pem')]), /OK/);
  const list = await cli(['ca', 'list', '--ca', ca.cert, '--json']);
  assert.equal((JSON.parse(list.stdout) as unknown[]).length, 1);

  // a second server from a root mail init made (and its constraint)
  const first = join(d, 'first');
  assert.equal((await cli(['mail', 'init', 'mail.example.org', '--out', first, '--no-ca-passphrase'])).status, 0);
  const second = join(d, 'second');
  const r2 = await cli(['mail', 'init', 'mx2.example.org', '--ca', first, '--out', second]);
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stdout, /constrained to example\.org/);
  assert.match(runOk('openssl', ['verify', '-x509_strict', '-verify_hostname', 'mx2.example.org', '-CAfile', join(first, 'root-ca.pem'), join(second, 'server.pem')]), /OK/);
  const listed = JSON.parse((await cli(['ca', 'list', '--ca', join(first, 'root-ca.pem'), '--json'])).stdout) as Array<{ names: string[] }>;
  assert.deepEqual(listed.map((x) => x.names[0]), ['DNS:mail.example.org', 'DNS:mx2.example.org']);
  const third = join(d, 'third');
  const bad = await cli(['mail', 'init', 'mail.example.net', '--ca', first, '--out', third]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^error: DNS:mail\.example\.net is not permitted \(permitted subtrees: DNS:example\.org\).*\(ERR_NAME_CONSTRAINTS\)\n$/);
  assert.ok(!existsSync(third), 'nothing written');
  const usage = await cli(['mail', 'init', 'mx3.example.org', '--ca', first, '--name-constraint', 'example.org', '--out', third]);
  assert.equal(usage.status, 2);
});
