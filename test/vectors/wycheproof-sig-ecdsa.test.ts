// Wycheproof ECDSA verification vectors with DER signatures (X.509's
// ECDSA-Sig-Value), P-256/SHA-256, P-384/SHA-384, P-521/SHA-512, read from
// the shared folder. Every vector gives its expected result:
// - these files have no 'acceptable' vectors (asserted, so a new one must be
//   decided explicitly);
// - BER-encoded signatures ('BerEncodedSignature': long-form or indefinite
//   lengths, padded integers) are 'invalid' and we reject them: verify()
//   parses strict DER only;
// - high-S signatures are 'valid' and we accept them (X.509 practice:
//   OpenSSL, Go and browsers do; low-S is a blockchain malleability rule).
//   The test checks that such vectors exist and pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR, vectors } from '../helpers/env.js';
import { parseEcdsaDer, verify, type HashName } from '../../src/crypto/sign.js';
import { nobleCurve } from '../../src/crypto/ec.js';
import { fromHex } from '../../src/encoding/bytes.js';
import { type EcCurve, type EcPublicKey } from '../../src/index.js';

interface Vec { tcId: number; comment: string; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable'; flags: string[] }
interface Group { sha: string; publicKey: { curve: string; uncompressed: string }; tests: Vec[] }
interface File { algorithm: string; numberOfTests: number; testGroups: Group[] }

const FILES: { file: string; curve: EcCurve; wyCurve: string; hash: HashName; count: number }[] = [
  { file: 'ecdsa_secp256r1_sha256_test.json', curve: 'P-256', wyCurve: 'secp256r1', hash: 'SHA-256', count: 484 },
  { file: 'ecdsa_secp384r1_sha384_test.json', curve: 'P-384', wyCurve: 'secp384r1', hash: 'SHA-384', count: 504 },
  { file: 'ecdsa_secp521r1_sha512_test.json', curve: 'P-521', wyCurve: 'secp521r1', hash: 'SHA-512', count: 542 },
];

for (const { file, curve, wyCurve, hash, count } of FILES) {
  test(`Wycheproof ${file}: ECDSA ${curve} verify (DER)`, (t) => {
    if (!vectors(t)) return;
    const data = JSON.parse(readFileSync(join(VECTORS_DIR, file), 'utf8')) as File;
    assert.equal(data.algorithm, 'ECDSA');
    const n = nobleCurve(curve).Point.Fn.ORDER;
    let ran = 0;
    let highSValid = 0;
    let berRejected = 0;
    const tally = { valid: 0, invalid: 0, acceptable: 0 };
    for (const g of data.testGroups) {
      assert.equal(g.publicKey.curve, wyCurve);
      assert.equal(g.sha, hash);
      const key: EcPublicKey = { kind: 'public', type: 'ec', curve, point: fromHex(g.publicKey.uncompressed) };
      for (const v of g.tests) {
        const where = `${file} tcId ${v.tcId} (${v.comment}; ${v.flags.join(',')})`;
        assert.notEqual(v.result, 'acceptable', `${where}: decide 'acceptable' explicitly`);
        let got: boolean;
        assert.doesNotThrow(() => {
          got = verify(key, fromHex(v.msg), fromHex(v.sig), { name: 'ECDSA', hash });
        }, where);
        assert.equal(got!, v.result === 'valid', where);
        if (v.result === 'valid') {
          const rs = parseEcdsaDer(fromHex(v.sig), n);
          assert.ok(rs, `${where}: a valid vector parses as strict DER`);
          if (rs.s > n / 2n) highSValid++;
        }
        if (v.flags.includes('BerEncodedSignature')) berRejected++;
        tally[v.result]++;
        ran++;
      }
    }
    assert.equal(ran, data.numberOfTests);
    assert.equal(ran, count);
    assert.ok(tally.valid > 0 && tally.invalid > 0, 'both valid and invalid vectors ran');
    assert.ok(highSValid > 0, 'high-S valid signatures exist in the file and were accepted');
    assert.ok(berRejected > 0, 'BER-encoded signatures exist in the file and were rejected');
  });
}
