// Interop matrix, RSA 2048 / 3072 / 4096 (keys from node:crypto, made once
// per file): mailpki issues root -> leaf and root -> intermediate -> leaf;
// openssl, GnuTLS certtool, Python cryptography and Node's X509Certificate
// must all accept them (see x509-interop-helpers.ts).
import { test } from 'node:test';
import { oracle } from '../helpers/env.js';
import { makePki, nodeKey, checkPkiEverywhere, type InteropKeyType } from './x509-interop-helpers.js';

for (const type of ['rsa2048', 'rsa3072', 'rsa4096'] as InteropKeyType[]) {
  test(`${type}: root -> leaf and root -> intermediate -> leaf accepted by every oracle`, (t) => {
    const openssl = oracle(t, 'openssl');
    const certtool = oracle(t, 'certtool');
    const python = oracle(t, 'python3-cryptography');
    // one key per role (distinct keys, so a mixed-up issuer key cannot pass)
    checkPkiEverywhere(makePki(type, { root: nodeKey(type).key, ica: nodeKey(type).key, leaf: nodeKey(type).key }), { openssl, certtool, python });
  });
}
