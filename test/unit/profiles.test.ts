// Profiles: every value has its reason, and the fixed choices of DESIGN.md §4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CA_PROFILE, INTERMEDIATE_CA_PROFILE, TLS_SERVER_PROFILE, TLS_CLIENT_PROFILE, SMIME_PROFILE, OID } from '../../src/index.js';

const ALL = [ROOT_CA_PROFILE, INTERMEDIATE_CA_PROFILE, TLS_SERVER_PROFILE, TLS_CLIENT_PROFILE, SMIME_PROFILE];

test('every profile states reasons for its choices', () => {
  for (const p of ALL) {
    assert.ok(Object.keys(p.reasons).length >= 3, p.name);
    for (const [k, v] of Object.entries(p.reasons)) assert.ok(v.length > 20, `${p.name}.${k}`);
    if (p.maxDays !== undefined) assert.ok(p.reasons.maxDays, `${p.name}: maxDays has a reason`);
    if (p.warnDays !== undefined) assert.ok(p.reasons.warnDays, `${p.name}: warnDays has a reason`);
    assert.ok(p.defaultDays <= (p.maxDays ?? Infinity));
  }
});

test('DESIGN.md §4 values', () => {
  assert.equal(ROOT_CA_PROFILE.defaultDays, 1825);
  assert.equal(ROOT_CA_PROFILE.pathLen, undefined);
  assert.equal(INTERMEDIATE_CA_PROFILE.pathLen, 0);
  for (const p of [ROOT_CA_PROFILE, INTERMEDIATE_CA_PROFILE]) {
    assert.equal(p.ca, true);
    assert.deepEqual(p.keyUsage('ec'), ['keyCertSign', 'cRLSign']);
    assert.deepEqual(p.extKeyUsage, []);
  }
  assert.equal(TLS_SERVER_PROFILE.defaultDays, 397);
  assert.equal(TLS_SERVER_PROFILE.maxDays, 825);
  assert.equal(TLS_SERVER_PROFILE.warnDays, 200);
  assert.equal(TLS_SERVER_PROFILE.requireSan, 'dns-or-ip');
  for (const p of [TLS_SERVER_PROFILE, TLS_CLIENT_PROFILE, SMIME_PROFILE]) {
    assert.equal(p.ca, false);
    assert.deepEqual(p.keyUsage('rsa'), ['digitalSignature', 'keyEncipherment']);
    // S/MIME BR 7.1.2.3 e dual use: keyAgreement so that mail can be encrypted to an EC key (ECDH, RFC 5753)
    assert.deepEqual(p.keyUsage('ec'), p === SMIME_PROFILE ? ['digitalSignature', 'keyAgreement'] : ['digitalSignature']);
    assert.deepEqual(p.keyUsage('ed25519'), ['digitalSignature']);
  }
  assert.deepEqual(TLS_SERVER_PROFILE.extKeyUsage, [OID.serverAuth]);
  assert.deepEqual(TLS_CLIENT_PROFILE.extKeyUsage, [OID.clientAuth]);
  // S/MIME BR: emailProtection only, never serverAuth/codeSigning/timeStamping/any
  assert.deepEqual(SMIME_PROFILE.extKeyUsage, [OID.emailProtection]);
  assert.equal(SMIME_PROFILE.requireSan, 'email');
  assert.deepEqual(SMIME_PROFILE.sanTypes, ['email']);
  assert.equal(SMIME_PROFILE.maxDays, 825);
});
