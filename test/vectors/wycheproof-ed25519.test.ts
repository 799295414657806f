// Wycheproof Ed25519 verification vectors (ed25519_test.json, EddsaVerify):
// each group's key is read from its SubjectPublicKeyInfo (publicKeyDer) and
// PEM through our parsers, must equal the raw key `pk`, and every vector
// must give its expected result through verify() (RFC 8032 5.1.7 strict:
// canonical S and R, 64-byte signatures). The file has no 'acceptable'
// vectors (asserted); the count is checked against numberOfTests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR, vectors } from '../helpers/env.js';
import { fromHex, toHex } from '../../src/encoding/bytes.js';
import { verify, parsePublicKey, parseSpki, encodeSpki } from '../../src/index.js';

interface Vec { tcId: number; comment: string; flags: string[]; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable' }
interface Group { type: string; publicKey: { curve: string; pk: string }; publicKeyDer: string; publicKeyPem: string; tests: Vec[] }
interface File { algorithm: string; numberOfTests: number; testGroups: Group[] }

test('Wycheproof ed25519_test.json: Ed25519 verify', (t) => {
  if (!vectors(t)) return;
  const data = JSON.parse(readFileSync(join(VECTORS_DIR, 'ed25519_test.json'), 'utf8')) as File;
  assert.equal(data.algorithm, 'EDDSA');
  const tally = { valid: 0, invalid: 0, acceptable: 0 };
  for (const g of data.testGroups) {
    assert.equal(g.type, 'EddsaVerify');
    assert.equal(g.publicKey.curve, 'edwards25519');
    const key = parseSpki(fromHex(g.publicKeyDer));
    assert.ok(key.type === 'ed25519', 'an Ed25519 key');
    assert.equal(toHex(key.publicKey), g.publicKey.pk);
    assert.deepEqual(parsePublicKey(g.publicKeyPem), key, 'PEM and DER give the same key');
    assert.equal(toHex(encodeSpki(key)), g.publicKeyDer, 'SPKI round trip');
    for (const v of g.tests) {
      const where = `tcId ${v.tcId} (${v.comment}; ${v.flags.join(',')})`;
      assert.notEqual(v.result, 'acceptable', `${where}: decide 'acceptable' explicitly`);
      let got: boolean | undefined;
      assert.doesNotThrow(() => {
        got = verify(key, fromHex(v.msg), fromHex(v.sig), { name: 'Ed25519' });
      }, where);
      assert.equal(got, v.result === 'valid', where);
      tally[v.result]++;
    }
  }
  const total = tally.valid + tally.invalid + tally.acceptable;
  assert.equal(total, data.numberOfTests, 'every vector was run');
  assert.ok(tally.valid > 0 && tally.invalid > 0);
  t.diagnostic(`ed25519: ${total} vectors (${tally.valid} valid, ${tally.invalid} invalid)`);
});
