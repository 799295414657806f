// DES / DES-EDE3-CBC (src/crypto/des.ts), written from FIPS 46-3: checked
// against published single-DES answers; against `openssl enc -des-ede3-cbc`
// in test/interop/keys-des-openssl.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { des3CbcDecrypt, des3CbcEncrypt, desEncryptBlock } from '../../src/crypto/des.js';
import { concatBytes, fromHex, toHex } from '../../src/encoding/bytes.js';

test('single DES known answers (FIPS 81 appendix B; Stallings/Grabbe worked example)', () => {
  // FIPS 81 B.1 ECB: key 0123456789abcdef, "Now is t" -> 3fa40e8a984d4815
  assert.equal(toHex(desEncryptBlock(fromHex('0123456789abcdef'), fromHex('4e6f772069732074'))), '3fa40e8a984d4815');
  assert.equal(toHex(desEncryptBlock(fromHex('0123456789abcdef'), fromHex('68652074696d6520'))), '6a271787ab8883f9');
  // J. Orlin Grabbe, "The DES Algorithm Illustrated"
  assert.equal(toHex(desEncryptBlock(fromHex('133457799bbcdff1'), fromHex('0123456789abcdef'))), '85e813540f0ab405');
  // 3DES with K1 = K2 = K3 degenerates to single DES (SP 800-67 keying option 3)
  const k = fromHex('0123456789abcdef');
  const ct = des3CbcEncrypt(concatBytes(k, k, k), new Uint8Array(8), fromHex('4e6f772069732074'));
  assert.equal(toHex(ct), '3fa40e8a984d4815');
});

test('argument checks', () => {
  assert.throws(() => des3CbcDecrypt(new Uint8Array(16), new Uint8Array(8), new Uint8Array(8)), RangeError);
  assert.throws(() => des3CbcDecrypt(new Uint8Array(24), new Uint8Array(16), new Uint8Array(8)), RangeError);
  assert.throws(() => des3CbcDecrypt(new Uint8Array(24), new Uint8Array(8), new Uint8Array(7)), RangeError);
});
