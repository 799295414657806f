// probeTls (what `mailpki check` runs) with CRLs: a server on 127.0.0.1
// (implicit TLS, no application protocol) presents a leaf that a CRL given
// in `crls` revokes -> failure `revoked` at the verify stage; the same
// server passes without that CRL and with a CRL that does not list it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { probeTls } from '../../src/node/probe.js';
import { generateKeyPair, encodePrivateKeyPem, createRootCa, issueCertificate, createCrl } from '../../src/index.js';

const HOST = 'mail.example.test';
const rootKey = (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
const root = createRootCa({ subject: { CN: 'Probe CRL Root' }, privateKey: rootKey, days: 30 });
const leafKeys = await generateKeyPair({ type: 'ec', curve: 'P-256' });
const leaf = issueCertificate({ profile: 'tls-server', publicKey: leafKeys.publicKey, sans: [HOST], issuer: root, issuerKey: rootKey, days: 20 });
const server = tls.createServer({ key: encodePrivateKeyPem(leafKeys.privateKey), cert: leaf.pem }, (s) => s.end());
server.on('tlsClientError', () => {});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as AddressInfo).port;
after(() => server.close());

const revoking = createCrl({ issuerCertificate: root, issuerKey: rootKey, crlNumber: 2n, entries: [{ serial: leaf, revocationDate: new Date(Date.now() - 60_000), reason: 'keyCompromise' }] });
const clean = createCrl({ issuerCertificate: root, issuerKey: rootKey, crlNumber: 1n });
const probe = (crls?: Parameters<typeof probeTls>[0]['crls']) =>
  probeTls({ host: '127.0.0.1', port, servername: HOST, protocol: 'none', ca: [root], timeoutMs: 5000, ...(crls ? { crls } : {}) });

test('probeTls with crls: a revoked server certificate fails with revoked', { timeout: 20_000 }, async () => {
  const r = await probe([revoking]);
  assert.equal(r.ok, false);
  assert.equal(r.failure?.code, 'revoked');
  assert.equal(r.failure?.stage, 'verify');
  assert.match(r.failure!.message, /keyCompromise/);
  assert.equal((await probe([clean])).ok, true);
  assert.equal((await probe()).ok, true);
});
