// PKCS#12 library: round trips (EC, RSA, Ed25519; default and legacy; chain;
// empty and non-ASCII passphrases), the structure we write (localKeyId,
// friendlyName, algorithms), and every refusal: wrong passphrase, corrupted
// MAC, truncation, key mismatch, unknown bag algorithm, hostile iteration
// counts, -nomac files. RC2 against the RFC 2268 vector. Oracles (OpenSSL,
// GnuTLS, Python, Node TLS) are in test/interop/pkcs12-*.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha1 } from '@noble/hashes/legacy.js';
import { encodePkcs12, parsePkcs12, isPkcs12, describePkcs12, generateKeyPair, getPublicKey, publicKeysEqual, encodePkcs8, createRootCa, issueCertificate, parseCertificate, createSeededRandom, PKCS12_OID, OID, type PrivateKey, type Certificate, isMailPkiError } from '../../src/index.js';
import { rc2CbcDecrypt, rc2ExpandKey } from '../../src/crypto/rc2.js';
import { pkcs12Kdf, pkcs12Mac, pkcs12PasswordBytes } from '../../src/crypto/pkcs12-pbe.js';
import { decodeDer, derExplicit, derImplicitBytes, derInt, derOctets, derOid, derSeq, encodeDer, readSequence, contentBytes, type Asn1Node } from '../../src/encoding/der.js';
import { fromHex, toHex } from '../../src/encoding/bytes.js';

const FAST = { iterations: 16 };

async function fixture(type: 'ec' | 'rsa' | 'ed25519'): Promise<{ key: PrivateKey; cert: Certificate; root: Certificate }> {
  const rootKey = (await generateKeyPair({ type: 'ec', curve: 'P-256' })).privateKey;
  const root = createRootCa({ subject: 'CN=PKCS12 Test Root', privateKey: rootKey, days: 30 });
  const key = (type === 'rsa' ? await generateKeyPair({ type: 'rsa', bits: 2048 }) : type === 'ec' ? await generateKeyPair({ type: 'ec', curve: 'P-256' }) : await generateKeyPair({ type: 'ed25519' })).privateKey;
  const cert = issueCertificate({ profile: 'smime', publicKey: getPublicKey(key), subject: 'CN=Alice Example', sans: ['alice@example.com'], issuer: root, issuerKey: rootKey, days: 30 });
  return { key, cert, root };
}

const fixtures = { ec: fixture('ec'), rsa: fixture('rsa'), ed25519: fixture('ed25519') };

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isMailPkiError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

test('RC2: RFC 2268 vector (8-byte zero key, 63 effective bits) and PITABLE is a permutation', () => {
  assert.equal(toHex(rc2CbcDecrypt(new Uint8Array(8), 63, new Uint8Array(8), fromHex('ebb773f993278eff'))), '0000000000000000');
  // With a one-byte key and 1024 effective bits, L[0] becomes PITABLE[key] (RFC 2268 2, T8 = 128):
  // 256 distinct values means the table is a permutation as the RFC says.
  const seen = new Set<number>();
  for (let b = 0; b < 256; b++) seen.add(rc2ExpandKey(Uint8Array.of(b), 1024)[0]! & 0xff);
  assert.equal(seen.size, 256);
  assert.throws(() => rc2CbcDecrypt(new Uint8Array(5), 40, new Uint8Array(8), new Uint8Array(7)), RangeError);
});

test('PKCS#12 KDF: ID separates outputs, lengths beyond one hash block, salt and password change the output', () => {
  const pw = pkcs12PasswordBytes('pw');
  assert.equal(toHex(pw), '007000770000'); // RFC 7292 B.1: BMPString + two zero octets
  assert.equal(toHex(pkcs12PasswordBytes('')), '0000');
  const salt = fromHex('0102030405060708');
  const k1 = pkcs12Kdf('SHA-1', 1, pw, salt, 3, 24);
  const k2 = pkcs12Kdf('SHA-1', 2, pw, salt, 3, 24);
  assert.equal(k1.length, 24);
  assert.notEqual(toHex(k1), toHex(k2));
  // the first 20 bytes of a 24-byte output are the 20-byte output (A_1 is the same)
  assert.equal(toHex(k1.subarray(0, 20)), toHex(pkcs12Kdf('SHA-1', 1, pw, salt, 3, 20)));
  assert.notEqual(toHex(k1), toHex(pkcs12Kdf('SHA-1', 1, pw, fromHex('0102030405060709'), 3, 24)));
  assert.equal(pkcs12Kdf('SHA-512', 3, pw, salt, 1, 64).length, 64);
  assert.equal(code(() => pkcs12Kdf('SHA-1', 1, pw, salt, 10_000_001, 24)), 'ERR_ENCRYPTION_UNSUPPORTED');
});

for (const type of ['ec', 'rsa', 'ed25519'] as const) {
  for (const compatibility of ['default', 'legacy'] as const) {
    test(`round trip: ${type} key, ${compatibility}, with a chain`, async () => {
      const { key, cert, root } = await fixtures[type];
      const p12 = encodePkcs12({ key, certificate: cert, chain: [root], passphrase: 'import me', compatibility, ...FAST });
      assert.ok(isPkcs12(p12));
      const r = parsePkcs12(p12, { passphrase: 'import me' });
      assert.deepEqual(encodePkcs8(r.key!), encodePkcs8(key));
      assert.deepEqual(r.certificate, cert.der);
      assert.deepEqual(r.chain, [root.der]);
      assert.equal(r.friendlyName, 'Alice Example');
      assert.deepEqual(r.localKeyId, sha1(cert.der));
      assert.deepEqual(r.mac, { hash: compatibility === 'legacy' ? 'SHA-1' : 'SHA-256', iterations: 16, saltLength: compatibility === 'legacy' ? 8 : 16 });
      const expect = compatibility === 'legacy' ? 'pbeWithSHAAnd3-KeyTripleDES-CBC, 16 iterations' : 'PBES2 (PBKDF2-HMAC-SHA256, 16 iterations, AES-256-CBC)';
      assert.deepEqual(r.bags.map((b) => [b.type, b.encryption]), [['certificate', expect], ['certificate', expect], ['shrouded-key', expect]]);
      // wrong passphrase: refused at the MAC, never garbage
      assert.equal(code(() => parsePkcs12(p12, { passphrase: 'import mE' })), 'ERR_BAD_PASSPHRASE');
    });
  }
}

test('defaults: 2048 iterations, friendlyName from the subject, explicit name, certificate object or DER', async () => {
  const { key, cert } = await fixtures.ec;
  const p12 = encodePkcs12({ key, certificate: cert.der, passphrase: 'pw', friendlyName: 'Alice (work) – ключ' });
  const r = parsePkcs12(p12, { passphrase: 'pw' });
  assert.equal(r.mac!.iterations, 2048);
  assert.equal(r.friendlyName, 'Alice (work) – ключ');
  assert.deepEqual(r.chain, []);
  assert.ok(r.bags.every((b) => b.encryption.includes('2048 iterations')));
});

test('seeded rng: the same bytes twice; a different seed, different salts', async () => {
  const { key, cert } = await fixtures.ec;
  const a = encodePkcs12({ key, certificate: cert, passphrase: 'pw', rng: createSeededRandom('x'), ...FAST });
  const b = encodePkcs12({ key, certificate: cert, passphrase: 'pw', rng: createSeededRandom('x'), ...FAST });
  const c = encodePkcs12({ key, certificate: cert, passphrase: 'pw', rng: createSeededRandom('y'), ...FAST });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('passphrases: empty (and read back as ""), non-ASCII, bytes as UTF-8', async () => {
  const { key, cert } = await fixtures.ec;
  const empty = encodePkcs12({ key, certificate: cert, passphrase: '', ...FAST });
  assert.ok(parsePkcs12(empty, { passphrase: '' }).key);
  assert.equal(code(() => parsePkcs12(empty, { passphrase: 'x' })), 'ERR_BAD_PASSPHRASE');
  for (const compatibility of ['default', 'legacy'] as const) {
    const pw = 'Pässwörd 🔑 密码';
    const p12 = encodePkcs12({ key, certificate: cert, passphrase: pw, compatibility, ...FAST });
    assert.ok(parsePkcs12(p12, { passphrase: pw }).key);
    assert.ok(parsePkcs12(p12, { passphrase: new TextEncoder().encode(pw) }).key);
    assert.equal(code(() => parsePkcs12(p12, { passphrase: 'Passwörd 🔑 密码' })), 'ERR_BAD_PASSPHRASE');
  }
});

test('key mismatch is refused when writing; bad options are argument errors', async () => {
  const { cert } = await fixtures.ec;
  const { key: other } = await fixtures.rsa;
  assert.equal(code(() => encodePkcs12({ key: other, certificate: cert, passphrase: 'pw', ...FAST })), 'ERR_KEY_MISMATCH');
  const { key } = await fixtures.ec;
  assert.throws(() => encodePkcs12({ key, certificate: cert, passphrase: 'pw', iterations: 0 }), RangeError);
  assert.throws(() => encodePkcs12({ key, certificate: cert, passphrase: 'pw', compatibility: 'old' as 'legacy' }), RangeError);
  assert.throws(() => encodePkcs12({ key, certificate: 'pem' as unknown as Uint8Array, passphrase: 'pw' }), TypeError);
  assert.throws(() => encodePkcs12({ key, certificate: cert, passphrase: undefined as unknown as string }), TypeError);
  assert.equal(code(() => encodePkcs12({ key, certificate: cert, chain: [Uint8Array.of(0x30, 0x00)], passphrase: 'pw' })), 'ERR_ASN1_STRUCTURE');
});

test('corrupted MAC, corrupted ciphertext, truncation: typed errors', async () => {
  const { key, cert } = await fixtures.ec;
  const p12 = encodePkcs12({ key, certificate: cert, passphrase: 'pw', ...FAST });
  const macFlip = p12.slice();
  macFlip[macFlip.length - 25] = macFlip[macFlip.length - 25]! ^ 1; // inside the 32-byte MAC value (before the 16-byte salt and the INTEGER)
  assert.equal(code(() => parsePkcs12(macFlip, { passphrase: 'pw' })), 'ERR_BAD_PASSPHRASE');
  const bodyFlip = p12.slice();
  bodyFlip[200] = bodyFlip[200]! ^ 0x40; // inside the encrypted certificates: the MAC no longer matches
  assert.match(code(() => parsePkcs12(bodyFlip, { passphrase: 'pw' })), /^ERR_(BAD_PASSPHRASE|DER_MALFORMED|ASN1_STRUCTURE)$/);
  for (const n of [0, 1, 10, p12.length / 2, p12.length - 1]) {
    const c = n === 0 ? 'x' : code(() => parsePkcs12(p12.subarray(0, n), { passphrase: 'pw' }));
    if (n !== 0) assert.equal(c, 'ERR_DER_MALFORMED', `truncated to ${n}`);
  }
  assert.equal(code(() => parsePkcs12(new Uint8Array(0), { passphrase: 'pw' })), 'ERR_DER_MALFORMED');
  assert.equal(isPkcs12(p12.subarray(0, 50)), false);
  assert.equal(isPkcs12(cert.der), false);
});

// ---------------------------------------------------------------- hand-built files

const oid = (o: string): Asn1Node => derOid(o);
function pfx(contentInfos: Asn1Node[], password?: string, macIterations = 1): Uint8Array {
  const authSafe = encodeDer(derSeq(...contentInfos));
  const fields: Asn1Node[] = [derInt(3), derSeq(oid(PKCS12_OID.pkcs7Data), derExplicit(0, derOctets(authSafe)))];
  if (password !== undefined) {
    const salt = fromHex('0011223344556677');
    const mac = pkcs12Mac('SHA-256', pkcs12PasswordBytes(password), salt, macIterations, authSafe);
    fields.push(derSeq(derSeq(derSeq(oid(OID.sha256)), derOctets(mac)), derOctets(salt), derInt(macIterations)));
  }
  return encodeDer(derSeq(...fields));
}
const encryptedData = (alg: Asn1Node, data: Uint8Array): Asn1Node =>
  derSeq(oid(PKCS12_OID.pkcs7EncryptedData), derExplicit(0, derSeq(derInt(0), derSeq(oid(PKCS12_OID.pkcs7Data), alg, derImplicitBytes(0, data)))));
const pbeAlg = (o: string, iterations: number | bigint): Asn1Node => derSeq(oid(o), derSeq(derOctets(fromHex('0102030405060708')), derInt(iterations)));

test('unknown bag algorithm (RC4), envelopedData and signedData: ERR_ENCRYPTION_UNSUPPORTED', () => {
  const rc4 = pfx([encryptedData(pbeAlg(PKCS12_OID.pbeWithSHAAnd128BitRC4, 1), new Uint8Array(16))], 'pw');
  assert.equal(code(() => parsePkcs12(rc4, { passphrase: 'pw' })), 'ERR_ENCRYPTION_UNSUPPORTED');
  const env = pfx([derSeq(oid(PKCS12_OID.pkcs7EnvelopedData), derExplicit(0, derSeq()))], 'pw');
  assert.equal(code(() => parsePkcs12(env, { passphrase: 'pw' })), 'ERR_ENCRYPTION_UNSUPPORTED');
  const signed = encodeDer(derSeq(derInt(3), derSeq(oid(PKCS12_OID.pkcs7SignedData), derExplicit(0, derSeq()))));
  assert.equal(code(() => parsePkcs12(signed, { passphrase: 'pw' })), 'ERR_ENCRYPTION_UNSUPPORTED');
  const v2 = encodeDer(derSeq(derInt(2), derSeq(oid(PKCS12_OID.pkcs7Data), derExplicit(0, derOctets(encodeDer(derSeq())))))); 
  assert.equal(code(() => parsePkcs12(v2, { passphrase: 'pw' })), 'ERR_ASN1_STRUCTURE');
});

test('hostile iteration counts are refused before any hashing (MAC and bag), quickly', () => {
  const t0 = performance.now();
  const bag = pfx([encryptedData(pbeAlg(PKCS12_OID.pbeWithSHAAnd3KeyTripleDESCBC, 2n ** 62n), new Uint8Array(16))]);
  assert.equal(code(() => parsePkcs12(bag, { passphrase: 'pw' })), 'ERR_ENCRYPTION_UNSUPPORTED');
  const bag2 = pfx([encryptedData(pbeAlg(PKCS12_OID.pbeWithSHAAnd40BitRC2CBC, 10_000_001), new Uint8Array(16))]);
  assert.equal(code(() => parsePkcs12(bag2, { passphrase: 'pw' })), 'ERR_ENCRYPTION_UNSUPPORTED');
  // MAC iterations: rewrite the INTEGER at the end of a valid file
  const ok = pfx([], 'pw', 1);
  const root = decodeDer(ok, 't');
  const [v, a, m] = readSequence(root, 't');
  const [dig, salt] = readSequence(m, 'm');
  const raw = (n: typeof v): Asn1Node => (ok.slice(n!.start, n!.end) as Asn1Node);
  const hostile = encodeDer(derSeq(raw(v), raw(a), derSeq(raw(dig), raw(salt), derInt(4_000_000_000))));
  assert.equal(code(() => parsePkcs12(hostile, { passphrase: 'pw' })), 'ERR_ENCRYPTION_UNSUPPORTED');
  // under the per-item cap, but 3DES derives 3 blocks: 3 x 4,000,000 is over the whole-file budget
  const total = pfx([encryptedData(pbeAlg(PKCS12_OID.pbeWithSHAAnd3KeyTripleDESCBC, 4_000_000), new Uint8Array(16))]);
  assert.equal(code(() => parsePkcs12(total, { passphrase: 'pw' })), 'ERR_INPUT_TOO_LARGE');
  assert.ok(performance.now() - t0 < 2000);
  void contentBytes;
});

test('-nomac files: read, reported as mac null; a wrong passphrase is still ERR_BAD_PASSPHRASE', async () => {
  const { key, cert } = await fixtures.ec;
  const p12 = encodePkcs12({ key, certificate: cert, passphrase: 'pw', ...FAST });
  const [v, a] = readSequence(decodeDer(p12, 't'), 't');
  const nomac = encodeDer(derSeq(p12.slice(v!.start, v!.end) as Asn1Node, p12.slice(a!.start, a!.end) as Asn1Node));
  const r = parsePkcs12(nomac, { passphrase: 'pw' });
  assert.equal(r.mac, null);
  assert.ok(publicKeysEqual(r.key!, cert.publicKey));
  for (const wrong of ['pW', 'x', 'another one', 'pw ']) assert.equal(code(() => parsePkcs12(nomac, { passphrase: wrong })), 'ERR_BAD_PASSPHRASE');
});

test('unencrypted certificate bag, plain keyBag, certificates only, two keys refused', async () => {
  const { key, cert, root } = await fixtures.ec;
  const certBag = (der: Uint8Array): Asn1Node => derSeq(oid(PKCS12_OID.certBag), derExplicit(0, derSeq(oid(PKCS12_OID.x509Certificate), derExplicit(0, derOctets(der)))));
  const keyBag = derSeq(oid(PKCS12_OID.keyBag), derExplicit(0, encodePkcs8(key) as Asn1Node));
  const data = (...bags: Asn1Node[]): Asn1Node => derSeq(oid(PKCS12_OID.pkcs7Data), derExplicit(0, derOctets(encodeDer(derSeq(...bags)))));
  const r = parsePkcs12(pfx([data(certBag(root.der), certBag(cert.der), keyBag)], 'pw'), { passphrase: 'pw' });
  assert.deepEqual(r.certificate, cert.der); // matched by public key, not by position
  assert.deepEqual(r.chain, [root.der]);
  assert.deepEqual(r.bags.map((b) => [b.type, b.encryption]), [['certificate', 'none'], ['certificate', 'none'], ['key', 'none']]);
  const trust = parsePkcs12(pfx([data(certBag(root.der))], ''), { passphrase: '' });
  assert.equal(trust.key, undefined);
  assert.deepEqual(trust.certificate, root.der);
  assert.equal(code(() => parsePkcs12(pfx([data(keyBag, keyBag)], 'pw'), { passphrase: 'pw' })), 'ERR_KEY_UNSUPPORTED');
  assert.equal(code(() => parsePkcs12(pfx([data(certBag(Uint8Array.of(0x30, 0x00)))], 'pw'), { passphrase: 'pw' })), 'ERR_ASN1_STRUCTURE');
});

test('bag and container counts are capped', () => {
  const many = Array.from({ length: 65 }, () => derSeq(oid(PKCS12_OID.pkcs7Data), derExplicit(0, derOctets(encodeDer(derSeq())))));
  assert.equal(code(() => parsePkcs12(pfx(many), { passphrase: '' })), 'ERR_INPUT_TOO_LARGE');
  const secret = derSeq(oid(PKCS12_OID.secretBag), derExplicit(0, derSeq()));
  const bags = derSeq(oid(PKCS12_OID.pkcs7Data), derExplicit(0, derOctets(encodeDer(derSeq(...Array.from({ length: 513 }, () => secret))))));
  assert.equal(code(() => parsePkcs12(pfx([bags]), { passphrase: '' })), 'ERR_INPUT_TOO_LARGE');
});

test('argument errors', () => {
  assert.throws(() => parsePkcs12('x' as unknown as Uint8Array, { passphrase: 'pw' }), TypeError);
  assert.throws(() => parsePkcs12(new Uint8Array(1), undefined as unknown as { passphrase: string }), TypeError);
  assert.throws(() => parsePkcs12(new Uint8Array(1), { passphrase: Uint8Array.of(0xff) }), TypeError);
  void parseCertificate;
});

test('BER as Java/NSS/Windows may write it: indefinite lengths and a constructed OCTET STRING (the MAC covers the joined value)', async () => {
  const { key, cert } = await fixtures.ec;
  const der = encodePkcs12({ key, certificate: cert, passphrase: 'pw', ...FAST });
  const [v, authSafeInfo, macData] = readSequence(decodeDer(der, 't'), 't');
  const [, explicit] = readSequence(authSafeInfo, 'ci');
  const os = explicit!.children![0]!;
  const content = der.subarray(os.contentStart, os.contentEnd);
  const raw = (n: { start: number; end: number }): Uint8Array => der.subarray(n.start, n.end);
  const prim = (_tag: 4, b: Uint8Array): Uint8Array => encodeDer(derOctets(b)).slice();
  const cut = Math.floor(content.length / 3);
  const ber = Uint8Array.from([
    0x30, 0x80, ...raw(v!),
    0x30, 0x80, ...encodeDer(oid(PKCS12_OID.pkcs7Data)),
    0xa0, 0x80, 0x24, 0x80, ...prim(4, content.subarray(0, cut)), ...prim(4, content.subarray(cut)), 0, 0, 0, 0,
    0, 0,
    ...raw(macData!),
    0, 0,
  ]);
  const r = parsePkcs12(ber, { passphrase: 'pw' });
  assert.deepEqual(r.certificate, cert.der);
  assert.ok(publicKeysEqual(r.key!, cert.publicKey));
  assert.equal(code(() => parsePkcs12(ber, { passphrase: 'wrong' })), 'ERR_BAD_PASSPHRASE');
});

test('describePkcs12: parameters without the passphrase, no key derivation, hostile values described not run', async () => {
  const { key, cert } = await fixtures.ec;
  const o = describePkcs12(encodePkcs12({ key, certificate: cert, passphrase: 'pw', ...FAST, friendlyName: 'n' }));
  assert.deepEqual(o.mac, { hash: 'SHA-256', iterations: 16, saltLength: 16 });
  const pbes2 = 'PBES2 (PBKDF2-HMAC-SHA256, 16 iterations, AES-256-CBC)';
  assert.deepEqual(o.containers, [
    { type: 'encrypted', encryption: pbes2 },
    { type: 'data', encryption: 'none', bags: [{ type: 'shrouded-key', bagType: 'pkcs8ShroudedKeyBag', encryption: pbes2, friendlyName: 'n' }] },
  ]);
  const t0 = performance.now();
  const hostile = describePkcs12(pfx([encryptedData(pbeAlg(PKCS12_OID.pbeWithSHAAnd3KeyTripleDESCBC, 2n ** 40n), new Uint8Array(16)), encryptedData(pbeAlg(PKCS12_OID.pbeWithSHAAnd128BitRC4, 1), new Uint8Array(16))]));
  assert.match(hostile.containers[0]!.encryption, /^unsupported: .*above the limit/);
  assert.equal(hostile.containers[1]!.encryption, 'unsupported: pbeWithSHAAnd128BitRC4');
  assert.equal(hostile.mac, null);
  assert.ok(performance.now() - t0 < 500);
  assert.equal(code(() => describePkcs12(Uint8Array.of(0x30, 0x03, 0x02, 0x01))), 'ERR_DER_MALFORMED');
});
