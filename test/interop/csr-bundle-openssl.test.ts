// The CSR-only browser bundle runs where only crypto.getRandomValues exists
// (no WebCrypto, no Node), and openssl accepts the CSR it makes. The bundle
// budgets themselves need no external tool: test/unit/bundle-size.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { webcrypto } from 'node:crypto';
import { build } from 'esbuild';
import { ROOT } from '../../scripts/bundle-size.mjs';
import { oracle, runOk, tempDir } from '../helpers/env.js';

test('the CSR-only bundle works with nothing but crypto.getRandomValues (no WebCrypto, no Node)', async (t) => {
  if (!oracle(t, 'openssl')) return;
  const out = await build({
    stdin: {
      contents: `import { generateKeyPair, createCertificateRequest, encodePrivateKeyPem } from 'mailpki';
        globalThis.result = (async () => {
          const kp = await generateKeyPair({ type: 'ec', curve: 'P-256' });
          const csr = createCertificateRequest({ subject: { CN: 'mail.example.test' }, sans: ['mail.example.test', '192.0.2.7'], privateKey: kp.privateKey });
          return { key: encodePrivateKeyPem(kp.privateKey), csr: csr.pem };
        })();`,
      resolveDir: ROOT,
      loader: 'js',
    },
    alias: { mailpki: join(ROOT, 'src/index.ts') },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    minify: true,
    logLevel: 'silent',
  });
  // A bare context: no require, no process, no Buffer; crypto has only getRandomValues.
  const getRandomValues = <T extends ArrayBufferView>(a: T): T => webcrypto.getRandomValues(a as never) as T;
  const sandbox: Record<string, unknown> = { crypto: { getRandomValues }, TextEncoder, TextDecoder, console };
  sandbox.globalThis = sandbox;
  runInNewContext(new TextDecoder().decode(out.outputFiles[0]!.contents), sandbox);
  const { key, csr } = (await sandbox.result) as { key: string; csr: string };
  const dir = tempDir();
  writeFileSync(join(dir, 'csr.pem'), csr);
  writeFileSync(join(dir, 'key.pem'), key);
  runOk('openssl', ['req', '-verify', '-noout', '-in', join(dir, 'csr.pem')]);
  const a = runOk('openssl', ['req', '-noout', '-pubkey', '-in', join(dir, 'csr.pem')]);
  const b = runOk('openssl', ['pkey', '-pubout', '-in', join(dir, 'key.pem')]);
  assert.equal(a, b, 'the key and the CSR carry the same public key');
  const text = runOk('openssl', ['req', '-noout', '-text', '-in', join(dir, 'csr.pem')]);
  assert.match(text, /DNS:mail\.example\.test/);
  assert.match(text, /IP Address:192\.0\.2\.7/);
});
