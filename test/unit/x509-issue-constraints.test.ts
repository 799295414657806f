// Name constraints checked at issuance (issue.ts): the issuer's and, when
// given, its chain's. Every refusal names the name and the subtrees; what
// passes also passes verifyCertificate (the two use the same matcher).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { parsePkcs8, getPublicKey, createIntermediateCa, createRootCa, issueCertificate, verifyCertificate, parseName, isMailPkiError } from '../../src/index.js';

const key = () => parsePkcs8(new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' })));
const code = (c: string, re?: RegExp) => (e: unknown) => isMailPkiError(e, c as never) && (!re || re.test((e as Error).message));

const rootKey = key();
const root = createRootCa({
  subject: { O: 'Example', CN: 'Constrained Root' },
  privateKey: rootKey,
  nameConstraints: { permitted: ['example.test', 'email:example.test', '192.0.2.0/24'], excluded: ['bad.example.test'] },
});
const interKey = key();
const inter = createIntermediateCa({ subject: { O: 'Example', CN: 'Issuing' }, publicKey: getPublicKey(interKey), issuer: root, issuerKey: rootKey });
const leafPub = getPublicKey(key());

test('permitted names pass and verify; names outside or excluded are refused, naming the name and the subtrees', () => {
  const ok = issueCertificate({ profile: 'tls-server', publicKey: leafPub, sans: ['mail.example.test', '192.0.2.25'], issuer: root, issuerKey: rootKey });
  assert.equal(verifyCertificate(ok, { trustAnchors: [root], host: 'mail.example.test' }).ok, true);
  assert.throws(
    () => issueCertificate({ profile: 'tls-server', publicKey: leafPub, sans: ['mail.example.test', 'mail.other.test'], issuer: root, issuerKey: rootKey }),
    code('ERR_NAME_CONSTRAINTS', /^DNS:mail\.other\.test is not permitted \(permitted subtrees: DNS:example\.test\) by the name constraints of 'CN=Constrained Root,O=Example'/),
  );
  assert.throws(
    () => issueCertificate({ profile: 'tls-server', publicKey: leafPub, sans: ['x.bad.example.test'], issuer: root, issuerKey: rootKey }),
    code('ERR_NAME_CONSTRAINTS', /DNS:x\.bad\.example\.test is in the excluded subtree DNS:bad\.example\.test/),
  );
  assert.throws(() => issueCertificate({ profile: 'tls-server', publicKey: leafPub, sans: ['mail.example.test', '198.51.100.1'], issuer: root, issuerKey: rootKey }), code('ERR_NAME_CONSTRAINTS', /IP Address:198\.51\.100\.1/));
  // the subject counts too: an emailAddress outside the email subtree, a host-like CN without DNS SAN
  assert.throws(() => issueCertificate({ profile: 'smime', publicKey: leafPub, subject: { CN: 'Jane' }, sans: ['jane@other.test'], issuer: root, issuerKey: rootKey }), code('ERR_NAME_CONSTRAINTS', /email:jane@other\.test/));
  assert.throws(() => issueCertificate({ profile: 'tls-client', publicKey: leafPub, subject: { CN: 'client.other.test' }, sans: [], issuer: root, issuerKey: rootKey }), code('ERR_NAME_CONSTRAINTS'));
});

test('the chain: an unconstrained intermediate is held to the root\'s constraints when the chain is given', () => {
  const outside = { profile: 'tls-server' as const, publicKey: leafPub, sans: ['mail.other.test'], issuer: inter, issuerKey: interKey };
  assert.throws(() => issueCertificate({ ...outside, issuerChain: [root] }), code('ERR_NAME_CONSTRAINTS', /of 'CN=Constrained Root,O=Example'/));
  // without the chain, the intermediate alone has no constraint: issued (verification later fails, as it must)
  const c = issueCertificate(outside);
  const v = verifyCertificate(c, { trustAnchors: [root], intermediates: [inter] });
  assert.equal(v.ok, false);
  assert.equal(!v.ok && v.reason, 'name-constraint-violation');
  // an intermediate whose DN is outside a directoryName constraint is refused too
  const dnRootKey = key();
  const dnRoot = createRootCa({ subject: { O: 'Example', CN: 'DN Root' }, privateKey: dnRootKey, nameConstraints: { permitted: [{ type: 'dn', value: parseName({ O: 'Example' }) }] } });
  assert.throws(() => createIntermediateCa({ subject: { O: 'Other', CN: 'Rogue' }, publicKey: getPublicKey(key()), issuer: dnRoot, issuerKey: dnRootKey }), code('ERR_NAME_CONSTRAINTS', /DirName/));
  assert.ok(createIntermediateCa({ subject: { O: 'Example', CN: 'Fine' }, publicKey: getPublicKey(key()), issuer: dnRoot, issuerKey: dnRootKey }));
  assert.throws(() => issueCertificate({ ...outside, issuerChain: 'root' as never }), TypeError);
});
