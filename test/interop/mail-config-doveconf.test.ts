// Dovecot config generator output accepted by the real doveconf (it needs no
// root) and read back as written. The generators' rules without external
// tools: test/unit/mail-config.test.ts; the running daemons:
// test/e2e/mail-servers.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDovecotConfig } from '../../src/index.js';
import { oracle, run, tempDir } from '../helpers/env.js';

// Mozilla guideline 6.0 "intermediate", as listed in shared/MAIL-TLS.md.
const MOZILLA_SIX = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';

test('Dovecot 2.3 output is accepted by doveconf (both profiles) and read back as written', (t) => {
  if (!oracle(t, 'dovecot')) return;
  const dir = tempDir('mailpki-doveconf-');
  // doveconf reads "<file" values: they must exist; the content is not checked at parse time
  const c = join(dir, 'chain.pem');
  const k = join(dir, 'key.pem');
  writeFileSync(c, 'cert\n');
  writeFileSync(k, 'key\n', { mode: 0o600 });
  for (const profile of ['intermediate', 'modern'] as const) {
    const file = join(dir, `dovecot-${profile}.conf`);
    writeFileSync(file, generateDovecotConfig({ certFile: c, keyFile: k, profile }));
    const r = run('doveconf', ['-n', '-c', file]);
    assert.equal(r.status, 0, `${profile}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /warning|error/i, r.stderr);
    const get = (name: string): string => run('doveconf', ['-c', file, '-h', name]).stdout.trim();
    assert.equal(get('ssl'), 'required');
    assert.equal(get('ssl_min_protocol'), profile === 'modern' ? 'TLSv1.3' : 'TLSv1.2');
    assert.equal(get('ssl_curve_list'), 'X25519:prime256v1:secp384r1');
    if (profile === 'intermediate') assert.equal(get('ssl_cipher_list'), MOZILLA_SIX);
  }
});
