// Keys and a small PKI for the issuance tests (test/unit/x509-issue.test.ts,
// test/interop/x509-issue.test.ts): keys made by node:crypto (not by the code
// under test), cached per type; a root and an intermediate made by mailpki.
import { generateKeyPairSync } from 'node:crypto';
import { createIntermediateCa, createRootCa, getPublicKey, isMailPkiError, parsePkcs8, type PrivateKey } from '../../src/index.js';

export type KT = 'rsa2048' | 'rsa1024' | 'p256' | 'p384' | 'p521' | 'ed25519';
const cache = new Map<KT, PrivateKey>();
/** A private key of type `t`, made once per process by node:crypto. */
export function key(t: KT): PrivateKey {
  if (!cache.has(t)) {
    const kp =
      t === 'rsa2048' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : t === 'rsa1024' ? generateKeyPairSync('rsa', { modulusLength: 1024 })
      : t === 'ed25519' ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: t === 'p256' ? 'P-256' : t === 'p384' ? 'P-384' : 'P-521' });
    cache.set(t, parsePkcs8(new Uint8Array(kp.privateKey.export({ type: 'pkcs8', format: 'der' }))));
  }
  return cache.get(t)!;
}
/** A second distinct key of a type (cached separately). */
export const other = (() => { let k: PrivateKey | undefined; return () => (k ??= parsePkcs8(new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' })))); })();

/** An assert.throws predicate: a MailPkiError with code `c` (and a message matching `re`). */
export const code = (c: string, re?: RegExp) => (e: unknown) => isMailPkiError(e, c as never) && (!re || re.test((e as Error).message));

/** Root (key `rootKt`) -> intermediate (key `interKt`). */
export function pki(rootKt: KT = 'p384', interKt: KT = 'rsa2048') {
  const rootKey = key(rootKt);
  const root = createRootCa({ subject: { C: 'US', O: 'Example', CN: `Root ${rootKt}` }, privateKey: rootKey });
  const interKey = key(interKt);
  const inter = createIntermediateCa({ subject: { O: 'Example', CN: `Issuing ${interKt}` }, publicKey: getPublicKey(interKey), issuer: root, issuerKey: rootKey });
  return { root, rootKey, inter, interKey };
}
