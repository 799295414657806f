// Key generation: RSA (FIPS 186-5 A.1.3) numbers checked with node:crypto as
// the independent oracle (checkPrimeSync, createPrivateKey), the prime test
// against known pseudoprimes, async behaviour (event-loop gaps, abort,
// progress), seeded determinism, argument validation, EC/Ed25519.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPrimeSync, createPrivateKey, generatePrimeSync, createPublicKey } from 'node:crypto';
import { isProbablePrime, millerRabinBase, probablePrimeSearch, millerRabinRoundsForRsa, smallPrimes, sharedPrimeSearch, sieveCandidates } from '../../src/crypto/prime.js';
import { rsaKeyFromPrimes, runToEnd, RSA_E } from '../../src/crypto/rsa-keygen.js';
import { modPow, modPow2, gcd, lcm, modInverse } from '../../src/crypto/bigint.js';
import { ecPointFromPrivate, ed25519PublicFromSeed } from '../../src/crypto/ec.js';
import { assertRsaKey, bitLength, gcdRef } from '../helpers/keygen-check.js';
import { generateKeyPair, createSeededRandom, systemRandom, MailPkiError, type RsaPrivateKey, type EcPrivateKey, type Ed25519PrivateKey } from '../../src/index.js';

test('bigint helpers agree with plain definitions', () => {
  const rng = createSeededRandom('bigint');
  for (let i = 0; i < 20; i++) {
    const m = (BigInt('0x' + Buffer.from(rng(128)).toString('hex')) | 1n) | (1n << 1023n);
    const b = BigInt('0x' + Buffer.from(rng(100)).toString('hex'));
    const e = BigInt('0x' + Buffer.from(rng(128)).toString('hex'));
    // reference: plain square-and-multiply with %
    let r = 1n, bb = b % m, ee = e;
    while (ee > 0n) { if (ee & 1n) r = (r * bb) % m; bb = (bb * bb) % m; ee >>= 1n; }
    assert.equal(modPow(b, e, m), r);
    let r2 = 1n, t = 2n, e2 = e;
    while (e2 > 0n) { if (e2 & 1n) r2 = (r2 * t) % m; t = (t * t) % m; e2 >>= 1n; }
    assert.equal(modPow2(e, m), r2);
  }
  assert.equal(modPow(3n, 65537n, 1000003n), 3n ** 65537n % 1000003n);
  assert.equal(gcd(12n, 18n), 6n);
  assert.equal(lcm(4n, 6n), 12n);
  assert.equal((modInverse(65537n, 1000002n) * 65537n) % 1000002n, 1n);
});

test('prime test agrees with node:crypto checkPrimeSync on random odd numbers and random primes', () => {
  const rng = createSeededRandom('agree');
  let primes = 0;
  for (let i = 0; i < 300; i++) {
    const bytes = 2 + (i % 40);
    const w = BigInt('0x' + Buffer.from(rng(bytes)).toString('hex')) | 1n;
    const ours = isProbablePrime(w, 5, rng);
    assert.equal(ours, checkPrimeSync(w, { checks: 32 }), `disagree on ${w}`);
    if (ours) primes++;
  }
  assert.ok(primes > 5, 'the sample held some primes');
  for (const bits of [64, 512, 1024]) {
    const p = generatePrimeSync(bits, { bigint: true });
    assert.equal(isProbablePrime(p, 5, systemRandom), true);
    assert.equal(isProbablePrime(p * generatePrimeSync(bits, { bigint: true }), 5, systemRandom), false);
  }
  assert.deepEqual([0n, 1n, 2n, 3n, 4n, 9n, 91n, 97n].map((w) => isProbablePrime(w, 5, systemRandom)), [false, false, true, true, false, false, false, true]);
});

test('composites that pass a base-2 test are rejected', () => {
  // strong pseudoprime to every base 2..37 below it except by random bases: 3825123056546413051 = 149491·747451·34233211
  const spsp = 3825123056546413051n;
  assert.equal(149491n * 747451n * 34233211n, spsp);
  assert.equal(millerRabinBase(spsp, 2n), true, 'precondition: passes base-2 strong test');
  assert.equal(modPow(2n, spsp - 1n, spsp), 1n, 'precondition: passes base-2 Fermat');
  // all factors are above the trial-division bound: only the random-base rounds can catch it
  assert.ok(149491 > 4096);
  // Random-base rounds may miss a composite (at most 4^-5 per call); with systemRandom these 20 calls
  // failed once in a full run here. Fixed seeds keep the check (other bases each call) and make it repeatable.
  const seeded = (label: string, i: number) => createSeededRandom(`${label}:${i}`);
  for (let i = 0; i < 20; i++) assert.equal(isProbablePrime(spsp, 5, seeded('spsp', i)), false);

  // a Chernick Carmichael number (6k+1)(12k+1)(18k+1) with big factors: passes Fermat for every coprime base
  let k = 100_000n;
  for (;; k++) if (checkPrimeSync(6n * k + 1n) && checkPrimeSync(12n * k + 1n) && checkPrimeSync(18n * k + 1n)) break;
  const carmichael = (6n * k + 1n) * (12n * k + 1n) * (18n * k + 1n);
  assert.equal(modPow(2n, carmichael - 1n, carmichael), 1n, 'precondition: Carmichael passes base-2 Fermat');
  for (let i = 0; i < 20; i++) assert.equal(isProbablePrime(carmichael, 5, seeded('carmichael', i)), false);
});

test('small-prime table: complete (prime-counting values), only primes', () => {
  // π(2^16) = 6542, π(2^20) = 82025, π(2^23) = 564163 (OEIS A007053); the table holds the odd primes
  assert.equal(smallPrimes(1 << 16).length, 6541);
  assert.equal(smallPrimes(1 << 20).length, 82024);
  const t = smallPrimes(1 << 23);
  assert.equal(t.length, 564162);
  for (let i = 0; i < t.length; i += 331) assert.ok(checkPrimeSync(BigInt(t[i]!)), `${t[i]} is prime`);
  assert.equal(t[0], 3);
});

test('sieve: survivors are exactly the numbers of the interval with no factor below the bound', () => {
  const limit = 1 << 12;
  const primes = smallPrimes(limit);
  const gen = sieveCandidates(512, createSeededRandom('sieve'), limit, 512);
  const got: { x: bigint; index: number }[] = [];
  while (got.length < 120) {
    const r = gen.next().value;
    if (r !== 'sieve') got.push(r);
  }
  // reconstruct x0 from the first survivor and its index, then check every odd number of the first two intervals
  const x0 = got[0]!.x - 2n * BigInt(got[0]!.index);
  const expected: bigint[] = [];
  for (let i = 0; expected.length < got.length; i++) {
    const x = x0 + 2n * BigInt(i);
    if (primes.every((p) => x % BigInt(p) !== 0n)) expected.push(x);
  }
  assert.deepEqual(got.map((c) => c.x), expected);
});

test('Miller-Rabin rounds follow FIPS 186-5 Table B.1 (5 / 4 / 4)', () => {
  assert.equal(millerRabinRoundsForRsa(2048), 5);
  assert.equal(millerRabinRoundsForRsa(3072), 4);
  assert.equal(millerRabinRoundsForRsa(4096), 4);
});

test('sieve/M-R search: a sample of primes re-checked by node:crypto, sizes and gcd(p-1, e)', () => {
  const rng = createSeededRandom('sample');
  for (const bits of [512, 1024, 1024, 1024, 1536]) {
    const p = runToEnd(probablePrimeSearch({ bits, e: RSA_E, rounds: millerRabinRoundsForRsa(bits * 2), rng }));
    assert.ok(checkPrimeSync(p, { checks: 40 }), 'independent primality check');
    assert.equal(bitLength(p), bits);
    assert.equal(p >> BigInt(bits - 2), 3n, 'top two bits set');
    assert.equal(gcdRef(p - 1n, RSA_E), 1n);
    for (const s of smallPrimes(5000)) assert.notEqual(p % BigInt(s), 0n);
  }
});

test('shared search: shares run one after another find the first prime in candidate order, as one share does', () => {
  for (const seed of ['s1', 's2', 's3']) {
    const run = (of: number) => {
      let best = 0x7fffffff;
      const results: ({ x: bigint; index: number } | null)[] = [];
      for (let share = 0; share < of; share++) {
        results.push(runToEnd(sharedPrimeSearch({
          bits: 512, e: RSA_E, rounds: 5, rng: createSeededRandom(seed), share, of,
          best: () => best, found: (i) => { best = Math.min(best, i); },
          basesFor: (i) => createSeededRandom(`${seed}:${i}`), stopped: () => false,
        })));
      }
      const found = results.filter((r) => r !== null).sort((a, b) => a!.index - b!.index);
      return found[0]!;
    };
    const one = run(1);
    assert.ok(checkPrimeSync(one.x));
    for (const of of [2, 3]) assert.equal(run(of).x, one.x, `${of} shares`);
  }
});

test('rsaKeyFromPrimes enforces |p - q| and orders p > q', () => {
  const p = generatePrimeSync(1024, { bigint: true });
  // the next prime after p: far too close
  let q = p + 2n;
  while (!checkPrimeSync(q)) q += 2n;
  assert.equal(rsaKeyFromPrimes(p, q, RSA_E, 2048), null);
  // two independent primes from the search make a key, whatever the argument order
  const rng = createSeededRandom('pair');
  const s = () => runToEnd(probablePrimeSearch({ bits: 1024, e: RSA_E, rounds: 5, rng }));
  const [x, y] = [s(), s()];
  const k1 = rsaKeyFromPrimes(x, y, RSA_E, 2048)!;
  const k2 = rsaKeyFromPrimes(y, x, RSA_E, 2048)!;
  assert.ok(k1 && k2);
  assert.deepEqual(k1, k2);
  assertRsaKey(k1, 2048);
  // a pair that is close: p and the next prime after it with the top bits set
  let r = x + 2n;
  while (!checkPrimeSync(r)) r += 2n;
  assert.equal(rsaKeyFromPrimes(x, r, RSA_E, 2048), null, '|p - q| too small');
});

test('RSA 2048 (one thread, system rng) and 3072 (seeded) pass every check', async () => {
  const k1 = (await generateKeyPair({ type: 'rsa', bits: 2048 })).privateKey as RsaPrivateKey;
  assertRsaKey(k1, 2048);
  const pair = await generateKeyPair({ type: 'rsa', bits: 3072, rng: createSeededRandom('3072') });
  assertRsaKey(pair.privateKey as RsaPrivateKey, 3072);
  assert.deepEqual(pair.publicKey, { kind: 'public', type: 'rsa', n: (pair.privateKey as RsaPrivateKey).n, e: 65537n });
});

test('seeded rng: same seed, same key; other seed, other key', async () => {
  const a = (await generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('det') })).privateKey as RsaPrivateKey;
  const b = (await generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('det') })).privateKey as RsaPrivateKey;
  const c = (await generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('det2') })).privateKey as RsaPrivateKey;
  assert.equal(a.n, b.n);
  assert.equal(a.d, b.d);
  assert.notEqual(a.n, c.n);
  const e1 = (await generateKeyPair({ type: 'ec', curve: 'P-384', rng: createSeededRandom('ec') })).privateKey as EcPrivateKey;
  const e2 = (await generateKeyPair({ type: 'ec', curve: 'P-384', rng: createSeededRandom('ec') })).privateKey as EcPrivateKey;
  assert.deepEqual(e1.d, e2.d);
  const d1 = (await generateKeyPair({ type: 'ed25519', rng: createSeededRandom('ed') })).privateKey as Ed25519PrivateKey;
  const d2 = (await generateKeyPair({ type: 'ed25519', rng: createSeededRandom('ed') })).privateKey as Ed25519PrivateKey;
  assert.deepEqual(d1.seed, d2.seed);
});

test('responsive: the event loop never stalls long during an RSA-2048 keygen', async () => {
  let last = performance.now();
  let maxGap = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 2);
  try {
    for (let i = 0; i < 2; i++) await generateKeyPair({ type: 'rsa', bits: 2048 });
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks > 5, `ticker ran (${ticks} ticks)`);
  assert.ok(maxGap < 200, `max event-loop gap ${maxGap.toFixed(1)} ms`);
});

test('abort: a fired signal rejects promptly with ERR_ABORTED', async () => {
  const pre = AbortSignal.abort();
  await assert.rejects(generateKeyPair({ type: 'rsa', bits: 2048, signal: pre }), (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_ABORTED');
  await assert.rejects(generateKeyPair({ type: 'ec', curve: 'P-256', signal: pre }), (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_ABORTED');
  const ac = new AbortController();
  const started = performance.now();
  let abortedAt = 0;
  setTimeout(() => {
    abortedAt = performance.now();
    ac.abort();
  }, 30);
  await assert.rejects(generateKeyPair({ type: 'rsa', bits: 4096, signal: ac.signal }), (e: unknown) => e instanceof MailPkiError && e.code === 'ERR_ABORTED');
  const end = performance.now();
  // one slice (20 ms) + one 2048-bit modexp (~10 ms idle), with generous room for a busy CI machine
  assert.ok(abortedAt > 0 && end - abortedAt < 300, `rejected ${(end - abortedAt).toFixed(1)} ms after abort (total ${(end - started).toFixed(0)} ms)`);
});

test('progress: phases in order, fraction non-decreasing, ends at 1', async () => {
  const seen: { phase: string; fraction?: number }[] = [];
  await generateKeyPair({ type: 'rsa', bits: 2048, rng: createSeededRandom('progress'), onProgress: (p) => seen.push({ ...p }) });
  const phases = [...new Set(seen.map((p) => p.phase))];
  assert.deepEqual(phases, ['prime-p', 'prime-q', 'key', 'done']);
  assert.ok(seen.length > 4);
  for (let i = 1; i < seen.length; i++) assert.ok((seen[i]!.fraction ?? 0) >= (seen[i - 1]!.fraction ?? 0), 'non-decreasing');
  assert.equal(seen.at(-1)!.fraction, 1);
});

test('input validation: RangeError / TypeError naming the problem', async () => {
  const bad: [unknown, typeof RangeError | typeof TypeError, RegExp][] = [
    [{ type: 'rsa', bits: 1024 }, RangeError, /2048, 3072 or 4096/],
    [{ type: 'rsa', bits: 2047 }, RangeError, /bits/],
    [{ type: 'rsa' }, RangeError, /bits/],
    [{ type: 'rsa', bits: 8192 }, RangeError, /bits/],
    [{ type: 'dsa' }, RangeError, /type/],
    [{ type: 'ec', curve: 'P-192' }, RangeError, /curve/],
    [{ type: 'ec', curve: 'secp256k1' }, RangeError, /curve/],
    [{ type: 'ed25519', rng: 'x' }, TypeError, /rng/],
    [{ type: 'rsa', bits: 2048, onProgress: 1 }, TypeError, /onProgress/],
    [{ type: 'rsa', bits: 2048, signal: {} }, TypeError, /signal/],
    [null, TypeError, /options/],
  ];
  for (const [opts, ctor, re] of bad) {
    await assert.rejects(generateKeyPair(opts as never), (e: unknown) => e instanceof ctor && re.test((e as Error).message), JSON.stringify(opts));
  }
});

test('EC P-256/384/521 and Ed25519: valid keys, public halves match, node:crypto agrees', async () => {
  for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
    const { privateKey, publicKey } = await generateKeyPair({ type: 'ec', curve });
    const k = privateKey as EcPrivateKey;
    assert.equal(k.d.length, { 'P-256': 32, 'P-384': 48, 'P-521': 66 }[curve]);
    assert.deepEqual(k.point, ecPointFromPrivate(curve, k.d));
    assert.deepEqual(publicKey, { kind: 'public', type: 'ec', curve, point: k.point });
    const len = k.d.length;
    const jwk = { kty: 'EC', crv: curve, d: Buffer.from(k.d).toString('base64url'), x: Buffer.from(k.point.subarray(1, 1 + len)).toString('base64url'), y: Buffer.from(k.point.subarray(1 + len)).toString('base64url') };
    const nodeKey = createPrivateKey({ key: jwk, format: 'jwk' });
    const pubJwk = createPublicKey(nodeKey).export({ format: 'jwk' });
    assert.equal(pubJwk.x, jwk.x);
  }
  const { privateKey } = await generateKeyPair({ type: 'ed25519' });
  const k = privateKey as Ed25519PrivateKey;
  assert.equal(k.seed.length, 32);
  assert.deepEqual(k.publicKey, ed25519PublicFromSeed(k.seed));
  const nodeKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(k.seed).toString('base64url'), x: Buffer.from(k.publicKey).toString('base64url') }, format: 'jwk' });
  assert.equal(createPublicKey(nodeKey).export({ format: 'jwk' }).x, Buffer.from(k.publicKey).toString('base64url'));
});
