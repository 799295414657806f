// Hardening, with openssl making the hostile input: certificate names full of
// escape sequences, printed by the CLI (inspect, verify, chain, error lines)
// only escaped. The rest of the hardening tests need no external tool:
// test/unit/harden.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { oracle, runOk, tempDir } from '../helpers/env.js';
import { cli } from '../helpers/cli.js';

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('CLI: file text with escape sequences is printed escaped by inspect, verify, chain and in error lines', async (t) => {
  if (!oracle(t, 'openssl')) return;
  const d = tempDir();
  const subj = '/O=\u001b]0;pwned\u0007/CN=evil\u001b[2J\u009b\u202e';
  runOk('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(d, 'k.pem'), '-out', join(d, 'c.pem'), '-days', '2', '-utf8', '-subj', subj,
    '-addext', 'subjectAltName=DNS:evil.example']);
  const runs = [
    await cli(['inspect', join(d, 'c.pem')]),
    await cli(['inspect', join(d, 'c.pem'), '--json']),
    await cli(['verify', join(d, 'c.pem'), '--ca', join(d, 'c.pem')]),
    await cli(['verify', join(d, 'c.pem'), '--ca', join(d, 'c.pem'), '--host', 'other.example']),
    await cli(['chain', join(d, 'c.pem'), '--out', join(d, 'chain.pem')]),
  ];
  const evilFile = join(d, 'evil\u001b[2Jname.pem');
  writeFileSync(evilFile, '-----BEGIN \u001b[31mTHING-----\nAAAA\n-----END \u001b[31mTHING-----\n');
  runs.push(await cli(['inspect', evilFile]));
  runs.push(await cli(['inspect', join(d, 'missing\u001b]0;x\u0007.pem')]));
  for (const r of runs) {
    const all = r.stdout + r.stderr;
    assert.equal(RAW_CONTROL.test(all), false, all);
    assert.doesNotMatch(all, /[\u202e]/);
  }
  assert.match(runs[0]!.stdout, /O=\\1B\]0\\;pwned\\07/); // RFC 4514 escapes of the name formatter
  assert.deepEqual((JSON.parse(runs[1]!.stdout) as Array<{ subject: { openssl: string } }>)[0]!.subject.openssl.includes('\u001b[2J'), true);
  // one name formatter everywhere: verify and chain print the subject exactly as inspect does
  const printed = /Subject: +(.*)$/m.exec(runs[0]!.stdout)![1]!;
  assert.match(printed, /CN=evil\\1B\[2J/);
  assert.ok(runs[2]!.stdout.includes(`0: ${printed}  (until `), runs[2]!.stdout);
  assert.ok(runs[4]!.stdout.includes(`  ${printed} (until `), runs[4]!.stdout);
});
