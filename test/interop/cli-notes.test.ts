// Notes apply to what the user asked for (issue 15 item 6): no CA/Browser
// Forum validity note for a private CA's own default unless --public-ca-rules,
// and the "Postfix cannot read an encrypted key" reason only for a server's key.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../helpers/env.js';
import { cli, makeFixtures, type Fixtures } from '../helpers/cli.js';

let F: Fixtures;
before(() => {
  F = makeFixtures();
});

test('sign: the 200-day CA/B note only with --public-ca-rules; the default 397 days raises no note', async () => {
  const d = tempDir('mailpki-notes-');
  const base = ['sign', '--csr', F.serverCsr, '--ca', F.caCert, '--ca-key', F.caKey, '--ca-passphrase-file', F.pass];
  const plain = await cli([...base, '--out', join(d, 'a.pem')]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.doesNotMatch(plain.stderr, /200 days|CA\/B/);
  const pub = await cli([...base, '--public-ca-rules', '--out', join(d, 'b.pem')]);
  assert.equal(pub.status, 0, pub.stderr);
  assert.match(pub.stderr, /note: validity of 397 days exceeds 200 days: CA\/B SC-081/);
});

test('csr new: the Postfix reason for an unencrypted key only for a server request', async () => {
  const d = tempDir('mailpki-notes-');
  const server = await cli(['csr', 'new', '--san', 'mail.example.com', '--key-out', join(d, 's.key'), '--out', join(d, 's.csr')]);
  assert.equal(server.status, 0, server.stderr);
  assert.match(server.stderr, /not encrypted because Postfix cannot read an encrypted key/);
  const mailbox = await cli(['csr', 'new', '--subject', 'CN=Alice', '--san', 'alice@example.com', '--key-out', join(d, 'a.key'), '--out', join(d, 'a.csr')]);
  assert.equal(mailbox.status, 0, mailbox.stderr);
  assert.doesNotMatch(mailbox.stderr, /Postfix/);
  assert.match(mailbox.stderr, /not encrypted \(mode 0600\); give --passphrase-file F/);
});

test('mail init: the root CA is named after the domain (O=example.test, CN=example.test Mail Root), --org sets O', async () => {
  const { parseCertificate, formatNameRfc4514 } = await import('../../src/index.js');
  const { readFileSync } = await import('node:fs');
  const d = tempDir('mailpki-notes-');
  let r = await cli(['mail', 'init', 'mail.example.test', '--out', join(d, 'a'), '--no-ca-passphrase']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(formatNameRfc4514(parseCertificate(readFileSync(join(d, 'a', 'root-ca.pem'), 'utf8')).subject), 'CN=example.test Mail Root,O=example.test');
  r = await cli(['mail', 'init', 'mail.example.test', '--org', 'Example GmbH', '--out', join(d, 'b'), '--no-ca-passphrase']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(formatNameRfc4514(parseCertificate(readFileSync(join(d, 'b', 'root-ca.pem'), 'utf8')).subject), 'CN=example.test Mail Root,O=Example GmbH');
  r = await cli(['mail', 'init', 'mail.example.test', '--org', 'X', '--ca-subject', 'CN=Y', '--out', join(d, 'c'), '--no-ca-passphrase']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--ca-subject and --org cannot be used together/);
});
