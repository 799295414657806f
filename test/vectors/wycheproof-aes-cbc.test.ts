// Wycheproof AES-CBC with PKCS#5 padding (aes_cbc_pkcs5_test.json,
// IndCpaTest) through the CBC layer our key decryption uses
// (src/crypto/pbe.ts cbcDecrypt / cbcEncrypt: encrypted PKCS#8 and legacy
// OpenSSL PEM keys). Valid vectors must decrypt to `msg` and encrypt to `ct`
// exactly; invalid ones (bad or missing padding) must be refused with a
// MailPkiError, never decrypt to anything. No 'acceptable' vectors
// (asserted); the count is checked against numberOfTests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR, vectors } from '../helpers/env.js';
import { cbcDecrypt, cbcEncrypt, type PbeCipher } from '../../src/crypto/pbe.js';
import { fromHex, toHex } from '../../src/encoding/bytes.js';
import { isMailPkiError } from '../../src/index.js';

interface Vec { tcId: number; comment: string; flags: string[]; key: string; iv: string; msg: string; ct: string; result: 'valid' | 'invalid' | 'acceptable' }
interface Group { type: string; keySize: number; ivSize: number; tests: Vec[] }
interface File { algorithm: string; numberOfTests: number; testGroups: Group[] }

test('Wycheproof aes_cbc_pkcs5_test.json: AES-128/192/256-CBC with PKCS#5 padding', (t) => {
  if (!vectors(t)) return;
  const data = JSON.parse(readFileSync(join(VECTORS_DIR, 'aes_cbc_pkcs5_test.json'), 'utf8')) as File;
  assert.equal(data.algorithm, 'AES-CBC-PKCS5');
  const tally = { valid: 0, invalid: 0, acceptable: 0 };
  const sizes = new Set<number>();
  for (const g of data.testGroups) {
    assert.equal(g.type, 'IndCpaTest');
    assert.equal(g.ivSize, 128);
    const cipher = `aes-${g.keySize}-cbc` as PbeCipher;
    assert.ok(['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc'].includes(cipher), `key size ${g.keySize}`);
    sizes.add(g.keySize);
    for (const v of g.tests) {
      const where = `tcId ${v.tcId} (${v.comment}; ${v.flags.join(',')})`;
      assert.notEqual(v.result, 'acceptable', `${where}: decide 'acceptable' explicitly`);
      const key = fromHex(v.key);
      const iv = fromHex(v.iv);
      if (v.result === 'valid') {
        assert.equal(toHex(cbcDecrypt(cipher, key, iv, fromHex(v.ct))), v.msg, `${where}: decrypt`);
        assert.equal(toHex(cbcEncrypt(cipher, key, iv, fromHex(v.msg))), v.ct, `${where}: encrypt`);
      } else {
        assert.throws(() => cbcDecrypt(cipher, key, iv, fromHex(v.ct)), (e) => isMailPkiError(e, 'ERR_BAD_PASSPHRASE') || isMailPkiError(e, 'ERR_KEY_INVALID'), where);
      }
      tally[v.result]++;
    }
  }
  const total = tally.valid + tally.invalid + tally.acceptable;
  assert.equal(total, data.numberOfTests, 'every vector was run');
  assert.deepEqual([...sizes].sort(), [128, 192, 256]);
  assert.ok(tally.valid > 0 && tally.invalid > 0);
  t.diagnostic(`aes-cbc-pkcs5: ${total} vectors (${tally.valid} valid, ${tally.invalid} invalid)`);
});
