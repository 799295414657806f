// Interop matrix, EC P-256 / P-384 and Ed25519: mailpki issues root ->
// leaf and root -> intermediate -> leaf; openssl, GnuTLS certtool, Python
// cryptography and Node's X509Certificate must all accept them, with the
// extension values intended (see x509-interop-helpers.ts).
import { test } from 'node:test';
import { oracle } from '../helpers/env.js';
import { makePki, checkPkiEverywhere, type InteropKeyType } from './x509-interop-helpers.js';

for (const type of ['p256', 'p384', 'ed25519'] as InteropKeyType[]) {
  test(`${type}: root -> leaf and root -> intermediate -> leaf accepted by every oracle`, (t) => {
    const openssl = oracle(t, 'openssl');
    const certtool = oracle(t, 'certtool');
    const python = oracle(t, 'python3-cryptography');
    checkPkiEverywhere(makePki(type), { openssl, certtool, python });
  });
}
