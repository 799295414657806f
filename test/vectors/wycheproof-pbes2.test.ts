// Wycheproof PBES2 vectors (PBKDF2-HMAC-SHA1/SHA256/SHA512 + AES-128/256-CBC) through
// src/crypto/pbe.ts: every vector's expected result is checked, and the
// number of vectors run is asserted against the file's numberOfTests.
// Schema (pbe_test_schema.json): testGroups[].tests[] with hex `password`,
// `salt`, `iterationCount`, `iv`, `msg`, `ct` and `result`
// (valid/invalid/acceptable). The current files hold only `valid` vectors;
// `invalid` ones would have to fail to decrypt to `msg`, and `acceptable`
// ones (none today) are treated like valid ones, which is the strict choice
// for a deterministic cipher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR, vectors } from '../helpers/env.js';
import { pbes2Decrypt, pbes2Encrypt, type PbeCipher, type Pbes2Params, type Pbkdf2Prf } from '../../src/crypto/pbe.js';
import { fromHex, toHex } from '../../src/encoding/bytes.js';
import { isMailPkiError } from '../../src/index.js';

interface PbeVector {
  tcId: number;
  comment: string;
  flags: string[];
  password: string;
  salt: string;
  iterationCount: number;
  iv: string;
  msg: string;
  ct: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface PbeFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: Array<{ type: string; tests: PbeVector[] }>;
}

// [file, cipher, PRF, the file's algorithm name]
const FILES: Array<[string, PbeCipher, Pbkdf2Prf, string]> = [
  ['pbes2_hmacsha1_aes_128_test.json', 'aes-128-cbc', 'hmacWithSHA1', 'PbeWithHmacSha1AndAes_128'],
  ['pbes2_hmacsha1_aes_256_test.json', 'aes-256-cbc', 'hmacWithSHA1', 'PbeWithHmacSha1AndAes_256'],
  ['pbes2_hmacsha256_aes_128_test.json', 'aes-128-cbc', 'hmacWithSHA256', 'PbeWithHmacSha256AndAes_128'],
  ['pbes2_hmacsha256_aes_256_test.json', 'aes-256-cbc', 'hmacWithSHA256', 'PbeWithHmacSha256AndAes_256'],
  ['pbes2_hmacsha512_aes_256_test.json', 'aes-256-cbc', 'hmacWithSHA512', 'PbeWithHmacSha512AndAes_256'],
];

for (const [file, cipher, prf, algorithm] of FILES) {
  test(`Wycheproof ${file}`, (t) => {
    if (!vectors(t)) return;
    const data = JSON.parse(readFileSync(join(VECTORS_DIR, file), 'utf8')) as PbeFile;
    assert.equal(data.algorithm, algorithm);
    const tally = { valid: 0, invalid: 0, acceptable: 0 };
    for (const group of data.testGroups) {
      assert.equal(group.type, 'PbeTest');
      for (const v of group.tests) {
        const params: Pbes2Params = {
          kdf: { type: 'pbkdf2', salt: fromHex(v.salt), iterations: v.iterationCount, prf },
          cipher,
          iv: fromHex(v.iv),
        };
        // Passwords are raw bytes (some are not UTF-8, some are BMPString-shaped): used as given.
        const password = fromHex(v.password);
        const label = `tcId ${v.tcId} (${v.comment}; ${v.flags.join(',')})`;
        if (v.result === 'invalid') {
          let plain: Uint8Array | undefined;
          try {
            plain = pbes2Decrypt(params, password, fromHex(v.ct));
          } catch (e) {
            assert.ok(isMailPkiError(e), `${label}: only MailPkiError`);
          }
          assert.ok(plain === undefined || toHex(plain) !== v.msg, `${label}: invalid vector must not decrypt to msg`);
        } else {
          assert.equal(toHex(pbes2Decrypt(params, password, fromHex(v.ct))), v.msg, `${label}: decrypt`);
          assert.equal(toHex(pbes2Encrypt(params, password, fromHex(v.msg))), v.ct, `${label}: encrypt`);
        }
        tally[v.result]++;
      }
    }
    const total = tally.valid + tally.invalid + tally.acceptable;
    assert.equal(total, data.numberOfTests, 'every vector was run');
    t.diagnostic(`${file}: ${total} vectors (${tally.valid} valid, ${tally.invalid} invalid, ${tally.acceptable} acceptable)`);
  });
}
