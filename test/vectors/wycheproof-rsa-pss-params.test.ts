// Wycheproof RSASSA-PSS vectors whose keys carry their parameters
// (rsa_pss_*_params_test.json, RsassaPssWithParametersVerify): the
// SubjectPublicKeyInfo is id-RSASSA-PSS with RSASSA-PSS-params (RFC 4055
// 3.1). The key is read from publicKeyDer and publicKeyPem by our parsers;
// its restrictions must be the group's hash / MGF1 hash / salt length; the
// SPKI must re-encode byte for byte; and every vector must give its expected
// result with the algorithm the KEY implies (defaultSignatureAlgorithm), so
// the restriction itself is what is tested. Using the key with another
// scheme or a shorter salt must be refused (RFC 4055 3.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR, vectors } from '../helpers/env.js';
import { fromHex, toHex } from '../../src/encoding/bytes.js';
import { defaultSignatureAlgorithm, verify, type HashName, isMailPkiError, describeKey, encodeSpki, parsePublicKey, parseSpki } from '../../src/index.js';

interface Vec { tcId: number; comment: string; flags: string[]; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable' }
interface Group { type: string; keySize: number; sha: string; mgf: string; mgfSha: string; sLen: number; publicKeyDer: string; publicKeyPem: string; tests: Vec[] }
interface File { algorithm: string; numberOfTests: number; testGroups: Group[] }

const FILES: Record<string, number> = {
  'rsa_pss_2048_sha256_mgf1_32_params_test.json': 108,
  'rsa_pss_4096_sha512_mgf1_64_params_test.json': 179,
};

for (const [file, count] of Object.entries(FILES)) {
  test(`Wycheproof ${file}: RSA-PSS keys with parameters`, (t) => {
    if (!vectors(t)) return;
    const data = JSON.parse(readFileSync(join(VECTORS_DIR, file), 'utf8')) as File;
    assert.equal(data.algorithm, 'RSASSA-PSS');
    const tally = { valid: 0, invalid: 0, acceptable: 0 };
    for (const g of data.testGroups) {
      assert.equal(g.type, 'RsassaPssWithParametersVerify');
      assert.equal(g.mgf, 'MGF1');
      const key = parseSpki(fromHex(g.publicKeyDer));
      assert.ok(key.type === 'rsa', 'an RSA key');
      assert.deepEqual(key.pss, { hash: g.sha, mgf1Hash: g.mgfSha, saltLength: g.sLen }, 'restrictions read from the SPKI');
      assert.equal(key.n.toString(2).length, g.keySize);
      assert.deepEqual(parsePublicKey(g.publicKeyPem), key, 'PEM and DER give the same key');
      assert.equal(toHex(encodeSpki(key)), g.publicKeyDer, 'SPKI re-encodes byte for byte');
      assert.match(describeKey(key), new RegExp(`^RSA-PSS ${g.keySize} \\(${g.sha}, MGF1-${g.mgfSha}, salt >= ${g.sLen}\\)$`));
      const alg = defaultSignatureAlgorithm(key);
      assert.deepEqual(alg, { name: 'RSA-PSS', hash: g.sha, saltLength: g.sLen }, 'the key implies the algorithm');
      const hash = g.sha as HashName;
      const any = g.tests[0]!;
      // RFC 4055 3.1: PSS only, the key's hash, a salt at least the key's.
      assert.throws(() => verify(key, fromHex(any.msg), fromHex(any.sig), { name: 'RSASSA-PKCS1-v1_5', hash }), (e) => isMailPkiError(e, 'ERR_ALGORITHM_UNSUPPORTED'));
      assert.throws(() => verify(key, fromHex(any.msg), fromHex(any.sig), { name: 'RSA-PSS', hash, saltLength: g.sLen - 1 }), (e) => isMailPkiError(e, 'ERR_ALGORITHM_UNSUPPORTED'));
      const other: HashName = hash === 'SHA-256' ? 'SHA-384' : 'SHA-256';
      assert.throws(() => verify(key, fromHex(any.msg), fromHex(any.sig), { name: 'RSA-PSS', hash: other, saltLength: g.sLen }), (e) => isMailPkiError(e, 'ERR_ALGORITHM_UNSUPPORTED'));
      for (const v of g.tests) {
        const where = `${file} tcId ${v.tcId} (${v.comment}; ${v.flags.join(',')})`;
        assert.notEqual(v.result, 'acceptable', `${where}: decide 'acceptable' explicitly`);
        let got: boolean | undefined;
        assert.doesNotThrow(() => {
          got = verify(key, fromHex(v.msg), fromHex(v.sig));
        }, where);
        assert.equal(got, v.result === 'valid', where);
        tally[v.result]++;
      }
    }
    const total = tally.valid + tally.invalid + tally.acceptable;
    assert.equal(total, data.numberOfTests);
    assert.equal(total, count);
    assert.ok(tally.valid > 0 && tally.invalid > 0);
    t.diagnostic(`${file}: ${total} vectors (${tally.valid} valid, ${tally.invalid} invalid)`);
  });
}
