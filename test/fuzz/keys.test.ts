// Fuzzing every key decoder (fast-check): arbitrary bytes and text, and
// mutations (bit flips, truncations, insertions, deletions, overwrites) of
// valid encodings of every format and encryption, inputs up to 64 KiB.
// Property: a decoder either returns a key or throws MailPkiError with a
// known code — never another error type — and no call takes a second.
// Encrypted seeds use cheap work factors written so that no single mutation
// can make them expensive (the iteration count / scrypt p is the last field
// of its SEQUENCE, one byte long); hostile work factors are fuzzed separately
// through the caps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { encodePbes2AlgorithmId, pbes2Encrypt, type Pbes2Kdf, type Pbes2Params } from '../../src/crypto/pbe.js';
import { derOctets, derSeq, encodeDer } from '../../src/encoding/der.js';
import { encodePem, latin1 } from '../../src/encoding/pem.js';
import { toBase64, utf8 } from '../../src/encoding/bytes.js';
import { FUZZ_MAX_MS, byteMutation, fuzzRunner, mutateBytes } from '../helpers/fuzz.js';
import { encodePkcs1PublicKey, encodePkcs8, encodePrivateKeyDer, encodePrivateKeyPem, encryptPrivateKeyPem, encodePublicKeyPem, encodeSpki, exportJwk, getPublicKey, importJwk, isEncryptedPrivateKey, parseEncryptedPkcs8, parsePkcs1PrivateKey, parsePkcs1PublicKey, parsePkcs8, parsePrivateKey, parsePublicKey, parseSec1PrivateKey, parseSpki, type PrivateKey, type RsaPrivateKey, isMailPkiError } from '../../src/index.js';

const PW = 'pw';
const RUNS = 300;

/** Runs a decoder: only success or a MailPkiError with a known code, within FUZZ_MAX_MS, and no key material in a message. */
const fuzz = fuzzRunner({ noKeyMaterial: true });
const { codes: tally, safely } = fuzz;

// ------------------------------------------------------------ seeds

const fromNode = (k: import('node:crypto').KeyObject): PrivateKey => parsePkcs8(new Uint8Array(k.export({ format: 'der', type: 'pkcs8' }) as Buffer));
const RSA = fromNode(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
const EC = fromNode(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const EC521 = fromNode(generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey);
const ED = fromNode(generateKeyPairSync('ed25519').privateKey);
const KEYS = [RSA, EC, EC521, ED];

function cheapEncrypted(key: PrivateKey, kdf: Pbes2Kdf, cipher: Pbes2Params['cipher']): Uint8Array {
  const params: Pbes2Params = { kdf, cipher, iv: new Uint8Array(cipher === 'des-ede3-cbc' ? 8 : 16).fill(7) };
  return encodeDer(derSeq(encodePbes2AlgorithmId(params), derOctets(pbes2Encrypt(params, utf8(PW), encodePkcs8(key)))));
}
const salt = new Uint8Array(8).fill(1);
// PRF hmacWithSHA1 is the DEFAULT and is omitted, so the iteration count ends PBKDF2-params.
const PBKDF2: Pbes2Kdf = { type: 'pbkdf2', salt, iterations: 16, prf: 'hmacWithSHA1' };
const SCRYPT: Pbes2Kdf = { type: 'scrypt', salt, N: 16, r: 8, p: 1 };

interface Seed {
  name: string;
  der: Uint8Array;
  label: string;
  headers?: Array<[string, string]>;
}
const SEEDS: Seed[] = [];
for (const k of KEYS) {
  const d = k.type;
  SEEDS.push({ name: `${d} pkcs8`, der: encodePkcs8(k), label: 'PRIVATE KEY' });
  SEEDS.push({ name: `${d} spki`, der: encodeSpki(getPublicKey(k)), label: 'PUBLIC KEY' });
  SEEDS.push({ name: `${d} pbkdf2 aes`, der: cheapEncrypted(k, PBKDF2, 'aes-128-cbc'), label: 'ENCRYPTED PRIVATE KEY' });
  SEEDS.push({ name: `${d} scrypt aes`, der: cheapEncrypted(k, SCRYPT, 'aes-256-cbc'), label: 'ENCRYPTED PRIVATE KEY' });
  SEEDS.push({ name: `${d} pbkdf2 3des`, der: cheapEncrypted(k, PBKDF2, 'des-ede3-cbc'), label: 'ENCRYPTED PRIVATE KEY' });
}
SEEDS.push({ name: 'rsa pkcs1', der: encodePrivateKeyDer(RSA, { format: 'pkcs1' }), label: 'RSA PRIVATE KEY' });
SEEDS.push({ name: 'rsa pkcs1 public', der: encodePkcs1PublicKey(RSA as RsaPrivateKey), label: 'RSA PUBLIC KEY' });
SEEDS.push({ name: 'ec sec1', der: encodePrivateKeyDer(EC, { format: 'sec1' }), label: 'EC PRIVATE KEY' });
SEEDS.push({ name: 'ec521 sec1', der: encodePrivateKeyDer(EC521, { format: 'sec1' }), label: 'EC PRIVATE KEY' });
// legacy PEM: keep the encrypted body, its headers, as a seed
for (const [k, fmt, cipher] of [[RSA, 'pkcs1', 'aes-128-cbc'], [RSA, 'pkcs1', 'des-ede3-cbc'], [EC, 'sec1', 'aes-256-cbc'], [EC, 'sec1', 'des-ede3-cbc']] as const) {
  const pem = encryptPrivateKeyPem(k, PW, { format: fmt, legacyCipher: cipher });
  const dek = /DEK-Info: (.*)/.exec(pem)![1]!;
  const b64 = pem.split('\n\n')[1]!.split('-----END')[0]!.replace(/\n/g, '');
  SEEDS.push({
    name: `${fmt} legacy ${cipher}`,
    der: new Uint8Array(Buffer.from(b64, 'base64')),
    label: fmt === 'pkcs1' ? 'RSA PRIVATE KEY' : 'EC PRIVATE KEY',
    headers: [['Proc-Type', '4,ENCRYPTED'], ['DEK-Info', dek]],
  });
}

// Sanity: every seed parses as itself (so mutations start from valid input).
test('fuzz seeds are valid', () => {
  for (const s of SEEDS) {
    const pem = encodePem(s.label, s.der, s.headers ?? []);
    if (s.label.includes('PUBLIC')) parsePublicKey(pem);
    else parsePrivateKey(pem, { passphrase: PW });
  }
  assert.ok(SEEDS.length >= 25);
});

// ------------------------------------------------------------ arbitraries

/** Fast pseudo-random fill (fast-check byte-by-byte generation of 64 KiB is slow). */
function fill(seed: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = seed | 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
  return out;
}
const bigBytes = fc.tuple(fc.integer(), fc.integer({ min: 0, max: 65536 })).map(([s, n]) => fill(s, n));
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), bigBytes);

const mutatedSeed = fc.tuple(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(byteMutation, { minLength: 1, maxLength: 3 })).map(([i, ms]) => {
  const s = SEEDS[i]!;
  return { seed: s, der: mutateBytes(s.der, ms) };
});

const DER_DECODERS: Array<[string, (b: Uint8Array) => unknown]> = [
  ['parsePrivateKey(DER)', (b) => parsePrivateKey(b, { passphrase: PW })],
  ['parsePrivateKey(DER, no passphrase)', (b) => parsePrivateKey(b)],
  ['parsePublicKey(DER)', (b) => parsePublicKey(b)],
  ['parsePkcs8', (b) => parsePkcs8(b)],
  ['parsePkcs1PrivateKey', (b) => parsePkcs1PrivateKey(b)],
  ['parsePkcs1PublicKey', (b) => parsePkcs1PublicKey(b)],
  ['parseSec1PrivateKey', (b) => parseSec1PrivateKey(b)],
  ['parseSpki', (b) => parseSpki(b)],
  ['parseEncryptedPkcs8', (b) => parseEncryptedPkcs8(b, PW)],
];
function allDer(b: Uint8Array): void {
  for (const [name, fn] of DER_DECODERS) safely(name, () => fn(b));
  const t0 = performance.now();
  assert.equal(typeof isEncryptedPrivateKey(b), 'boolean'); // never throws
  assert.ok(performance.now() - t0 < FUZZ_MAX_MS);
}
function allPem(text: string): void {
  safely('parsePrivateKey(PEM)', () => parsePrivateKey(text, { passphrase: PW }));
  safely('parsePrivateKey(PEM, no passphrase)', () => parsePrivateKey(text));
  safely('parsePublicKey(PEM)', () => parsePublicKey(text));
  safely('parsePrivateKey(PEM bytes)', () => parsePrivateKey(utf8(text), { passphrase: PW }));
  assert.equal(typeof isEncryptedPrivateKey(text), 'boolean');
}

// ------------------------------------------------------------ properties

test('arbitrary bytes (up to 64 KiB) through every DER decoder', () => {
  fc.assert(fc.property(anyBytes, (b) => allDer(b)), { numRuns: RUNS });
});

test('arbitrary bytes wrapped as PEM with every key label (and legacy headers)', () => {
  const labels = ['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PUBLIC KEY', 'RSA PUBLIC KEY'];
  const headers = fc.oneof(
    fc.constant([] as Array<[string, string]>),
    fc.tuple(fc.constantFrom('AES-128-CBC', 'AES-256-CBC', 'DES-EDE3-CBC', 'DES-CBC', 'aes-192-cbc'), fc.uint8Array({ minLength: 0, maxLength: 20 })).map(
      ([c, iv]) => [['Proc-Type', '4,ENCRYPTED'], ['DEK-Info', `${c},${Buffer.from(iv).toString('hex')}`]] as Array<[string, string]>,
    ),
  );
  fc.assert(fc.property(fc.constantFrom(...labels), headers, anyBytes, (label, h, b) => allPem(b.length ? encodePem(label, b, h) : `-----BEGIN ${label}-----\n-----END ${label}-----\n`)), { numRuns: RUNS });
});

test('arbitrary text (and latin1 of arbitrary bytes) as PEM input', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.constantFrom('-----BEGIN PRIVATE KEY-----\n', '-----BEGIN PRIVATE KEY-----\nAA==\n-----END PUBLIC KEY-----\n'), anyBytes.map(latin1)), (s) => allPem(s)),
    { numRuns: RUNS },
  );
});

test('mutated valid DER of every format and encryption through every DER decoder', (t) => {
  tally.clear();
  fc.assert(fc.property(mutatedSeed, ({ der }) => allDer(der)), { numRuns: 500 });
  t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries([...tally].sort((a, b) => b[1] - a[1])))}`);
  // The mutations must reach every layer: DER, structure, decryption, key checks, and success.
  for (const code of ['ok', 'ERR_DER_MALFORMED', 'ERR_ASN1_STRUCTURE', 'ERR_BAD_PASSPHRASE', 'ERR_KEY_INVALID', 'ERR_KEY_ENCRYPTED']) {
    assert.ok((tally.get(code) ?? 0) > 0, `no mutated input ended in ${code}`);
  }
});

test('mutated valid encodings as PEM (mutated body; legacy headers kept)', (t) => {
  tally.clear();
  fc.assert(fc.property(mutatedSeed, ({ seed, der }) => allPem(der.length ? encodePem(seed.label, der, seed.headers ?? []) : '')), { numRuns: 500 });
  t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries([...tally].sort((a, b) => b[1] - a[1])))}`);
  for (const code of ['ok', 'ERR_BAD_PASSPHRASE', 'ERR_KEY_INVALID', 'ERR_PEM_LABEL']) assert.ok((tally.get(code) ?? 0) > 0, `no mutated PEM ended in ${code}`);
});

test('mutated PEM text (line breaks, headers, base64 characters)', () => {
  const pems = SEEDS.map((s) => encodePem(s.label, s.der, s.headers ?? []));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: pems.length - 1 }), fc.array(byteMutation, { minLength: 1, maxLength: 3 }), (i, ms) => allPem(latin1(mutateBytes(utf8(pems[i]!), ms)))),
    { numRuns: RUNS },
  );
});

test('hostile PBES2 work factors are refused quickly through the caps', () => {
  const hostileKdf: fc.Arbitrary<Pbes2Kdf> = fc.oneof(
    fc.integer({ min: 10_000_001, max: 2 ** 31 - 1 }).map((iterations) => ({ type: 'pbkdf2' as const, salt, iterations, prf: 'hmacWithSHA256' as const })),
    fc.tuple(fc.integer({ min: 21, max: 30 }), fc.integer({ min: 8, max: 1024 }), fc.integer({ min: 1, max: 1024 })).map(([k, r, p]) => ({ type: 'scrypt' as const, salt, N: 2 ** k, r, p })),
    // within the memory cap but N*r*p above the work cap (2^24)
    fc.integer({ min: 14, max: 20 }).chain((k) => fc.integer({ min: 2 ** (21 - k) + 1, max: 1024 }).map((p) => ({ type: 'scrypt' as const, salt, N: 2 ** k, r: 8, p }))),
  );
  fc.assert(
    fc.property(hostileKdf, fc.array(byteMutation, { maxLength: 1 }), (kdf, ms) => {
      const der = encodeDer(derSeq(encodePbes2AlgorithmId({ kdf, cipher: 'aes-256-cbc', iv: new Uint8Array(16) }), derOctets(new Uint8Array(64))));
      // only truncation keeps the huge numbers' magnitude out of reach of bit games
      const input = ms[0]?.kind === 'truncate' ? mutateBytes(der, ms) : der;
      let code = '';
      safely('parsePrivateKey(hostile)', () => {
        try {
          parsePrivateKey(input, { passphrase: PW });
        } catch (e) {
          code = isMailPkiError(e) ? e.code : 'other';
          throw e;
        }
      });
      if (input === der) assert.ok(['ERR_ENCRYPTION_UNSUPPORTED', 'ERR_INPUT_TOO_LARGE'].includes(code), `hostile params gave ${code}`);
    }),
    { numRuns: 200 },
  );
});

test('JWK import: mutated valid JWKs and arbitrary JSON values', () => {
  const jwks = KEYS.flatMap((k) => [exportJwk(k), exportJwk(getPublicKey(k))]).map((j) => JSON.stringify(j));
  fc.assert(
    fc.property(
      fc.oneof(
        fc.tuple(fc.integer({ min: 0, max: jwks.length - 1 }), fc.array(byteMutation, { minLength: 1, maxLength: 3 })).map(([i, ms]) => latin1(mutateBytes(utf8(jwks[i]!), ms))),
        fc.json({ maxDepth: 3 }),
      ),
      (text) => {
        safely('importJwk(text)', () => importJwk(text));
        let obj: unknown;
        try {
          obj = JSON.parse(text);
        } catch {
          return;
        }
        safely('importJwk(object)', () => importJwk(obj as never));
      },
    ),
    { numRuns: RUNS },
  );
});

test('slowest decoder call stayed under a second', (t) => {
  t.diagnostic(`slowest call: ${fuzz.slowest.toFixed(0)} ms`);
  assert.ok(fuzz.slowest < FUZZ_MAX_MS);
});
