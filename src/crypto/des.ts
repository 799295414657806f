/**
 * DES and Triple-DES (EDE, three keys) in CBC mode, written from FIPS 46-3
 * (tables in its appendix) and NIST SP 800-67 (TDEA keying option 1).
 *
 * Why it exists: `openssl genrsa -des3` (OpenSSL 3) writes PBES2 with
 * DES-EDE3-CBC, and OpenSSL 1.x / many guides wrote legacy PEM with
 * `DEK-Info: DES-EDE3-CBC`. We only need to *read* such keys; encryption is
 * here so tests can build inputs of our own. Nothing in mailpki writes 3DES
 * by default.
 *
 * Out of scope: padding (the caller removes PKCS#7 padding and reports a
 * wrong passphrase), constant time (we decrypt the caller's own key files),
 * single-DES as a user-facing cipher (56-bit keys are broken).
 */

// FIPS 46-3, appendix: permutations use 1-based bit positions, bit 1 = most
// significant bit of the first byte.
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const FP = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
  36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
];
const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21, 22, 23,
  24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, 63, 55, 47, 39,
  31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47, 55, 30, 40, 51,
  45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
// S-boxes S1..S8, each 4 rows of 16.
const S = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1, 14, 8, 13,
    6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14, 7, 11,
    10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6, 4, 9, 8,
    15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6, 9, 0, 12,
    11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1, 11, 10,
    13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14, 15, 5, 2,
    8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4, 11, 13, 12,
    3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11, 4, 1, 9,
    12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

/** Bit `pos` (1-based, MSB first) of a 32-bit word. */
const bit32 = (w: number, pos: number): number => (w >>> (32 - pos)) & 1;
/** Bit `pos` (1..64) of a 64-bit value held as two words. */
const bit64 = (hi: number, lo: number, pos: number): number => (pos <= 32 ? bit32(hi, pos) : bit32(lo, pos - 32));

/** Apply a 64->64 permutation table to (hi, lo). */
function permute64(hi: number, lo: number, table: readonly number[]): [number, number] {
  let oh = 0;
  let ol = 0;
  for (let i = 0; i < 32; i++) oh = (oh << 1) | bit64(hi, lo, table[i]!);
  for (let i = 32; i < 64; i++) ol = (ol << 1) | bit64(hi, lo, table[i]!);
  return [oh >>> 0, ol >>> 0];
}

/** 16 round keys, each as eight 6-bit groups (FIPS 46-3, "Key Schedule Calculation"). */
type Schedule = Uint8Array[];

function keySchedule(key: Uint8Array): Schedule {
  const hi = ((key[0]! << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!) >>> 0;
  const lo = ((key[4]! << 24) | (key[5]! << 16) | (key[6]! << 8) | key[7]!) >>> 0;
  // PC-1 selects 56 bits (parity bits 8, 16, ... are dropped): C = first 28, D = last 28.
  let c = 0;
  let d = 0;
  for (let i = 0; i < 28; i++) c = (c << 1) | bit64(hi, lo, PC1[i]!);
  for (let i = 28; i < 56; i++) d = (d << 1) | bit64(hi, lo, PC1[i]!);
  const rounds: Schedule = [];
  const rotl28 = (x: number, n: number): number => ((x << n) | (x >>> (28 - n))) & 0x0fffffff;
  for (let r = 0; r < 16; r++) {
    c = rotl28(c, SHIFTS[r]!);
    d = rotl28(d, SHIFTS[r]!);
    const k = new Uint8Array(8);
    for (let i = 0; i < 48; i++) {
      const pos = PC2[i]!;
      const b = pos <= 28 ? (c >>> (28 - pos)) & 1 : (d >>> (56 - pos)) & 1;
      const j = (i / 6) | 0;
      k[j] = (k[j]! << 1) | b;
    }
    rounds.push(k);
  }
  return rounds;
}

/**
 * IP and FP as byte-indexed tables: entry (i, v) is the permuted image of a
 * block whose only non-zero byte is byte i = v; a permutation is linear over
 * XOR, so the image of a block is the XOR of its eight bytes' images.
 * Built on first use from the FIPS tables above.
 */
let IP_T: Uint32Array | undefined;
let FP_T: Uint32Array | undefined;
function byteTable(table: readonly number[]): Uint32Array {
  const t = new Uint32Array(8 * 256 * 2);
  for (let i = 0; i < 8; i++) {
    for (let v = 0; v < 256; v++) {
      const hi = i < 4 ? (v << (24 - 8 * i)) >>> 0 : 0;
      const lo = i >= 4 ? (v << (24 - 8 * (i - 4))) >>> 0 : 0;
      const [a, b] = permute64(hi, lo, table);
      t[(i * 256 + v) * 2] = a;
      t[(i * 256 + v) * 2 + 1] = b;
    }
  }
  return t;
}
function permuteFast(hi: number, lo: number, t: Uint32Array): [number, number] {
  let a = 0;
  let b = 0;
  for (let i = 0; i < 4; i++) {
    const x = ((i * 256 + ((hi >>> (24 - 8 * i)) & 255)) << 1) >>> 0;
    a ^= t[x]!;
    b ^= t[x + 1]!;
    const y = (((i + 4) * 256 + ((lo >>> (24 - 8 * i)) & 255)) << 1) >>> 0;
    a ^= t[y]!;
    b ^= t[y + 1]!;
  }
  return [a >>> 0, b >>> 0];
}

/**
 * S-boxes merged with the P permutation: SP[j][v] = P(S_j(v) in its nibble).
 * Built on first use (no work at import time).
 */
let SP: Uint32Array[] | undefined;
function spTables(): Uint32Array[] {
  if (SP) return SP;
  SP = [];
  for (let j = 0; j < 8; j++) {
    const t = new Uint32Array(64);
    for (let v = 0; v < 64; v++) {
      // Row: first and last bit; column: the middle four.
      const row = ((v >> 4) & 2) | (v & 1);
      const col = (v >> 1) & 15;
      const sOut = (S[j]![row * 16 + col]! << (28 - 4 * j)) >>> 0;
      let out = 0;
      for (let i = 0; i < 32; i++) out = (out << 1) | bit32(sOut, P[i]!);
      t[v] = out >>> 0;
    }
    SP.push(t);
  }
  return SP;
}

/**
 * The cipher function f(R, K) (FIPS 46-3, "The Cipher Function f"). E takes
 * six-bit groups R[4j-1 .. 4j+4] (cyclic): rotating R right by one bit makes
 * group j bits 4j+1 .. 4j+6 of the rotated word.
 */
function feistel(r: number, k: Uint8Array, sp: Uint32Array[]): number {
  const rr = ((r >>> 1) | (r << 31)) >>> 0;
  let out = 0;
  for (let j = 0; j < 7; j++) out |= sp[j]![((rr >>> (26 - 4 * j)) & 63) ^ k[j]!]!;
  out |= sp[7]![(((rr & 15) << 2) | (rr >>> 30)) ^ k[7]!]!;
  return out >>> 0;
}

/** The 16 rounds on (L0, R0) after IP; returns the preoutput (R16, L16). */
function rounds(l: number, r: number, ks: Schedule, decrypt: boolean, sp: Uint32Array[]): [number, number] {
  for (let i = 0; i < 16; i++) {
    const next = (l ^ feistel(r, ks[decrypt ? 15 - i : i]!, sp)) >>> 0;
    l = r;
    r = next;
  }
  return [r, l];
}

/** One DES block operation on (hi, lo) with a schedule, forwards or backwards. */
function desBlock(hi: number, lo: number, ks: Schedule, decrypt: boolean): [number, number] {
  const [l, r] = permute64(hi, lo, IP);
  const [a, b] = rounds(l, r, ks, decrypt, spTables());
  return permute64(a, b, FP);
}

/**
 * Triple DES on one block: three DES operations; FP followed by IP between
 * them is the identity, so IP and FP are applied once.
 */
function ede(hi: number, lo: number, k: [Schedule, Schedule, Schedule], dirs: [boolean, boolean, boolean]): [number, number] {
  const sp = spTables();
  IP_T ??= byteTable(IP);
  FP_T ??= byteTable(FP);
  let [l, r] = permuteFast(hi, lo, IP_T);
  [l, r] = rounds(l, r, k[0], dirs[0], sp);
  [l, r] = rounds(l, r, k[1], dirs[1], sp);
  [l, r] = rounds(l, r, k[2], dirs[2], sp);
  return permuteFast(l, r, FP_T);
}

function readWord(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
function writeWord(b: Uint8Array, o: number, w: number): void {
  b[o] = w >>> 24;
  b[o + 1] = (w >>> 16) & 255;
  b[o + 2] = (w >>> 8) & 255;
  b[o + 3] = w & 255;
}

function checkArgs(key: Uint8Array, iv: Uint8Array, data: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 24) throw new RangeError('des3: key must be 24 bytes');
  if (!(iv instanceof Uint8Array) || iv.length !== 8) throw new RangeError('des3: iv must be 8 bytes');
  if (!(data instanceof Uint8Array) || data.length % 8 !== 0) throw new RangeError('des3: data must be a whole number of 8-byte blocks');
}

function schedules(key: Uint8Array): [Schedule, Schedule, Schedule] {
  return [keySchedule(key.subarray(0, 8)), keySchedule(key.subarray(8, 16)), keySchedule(key.subarray(16, 24))];
}

/**
 * DES-EDE3-CBC decryption without padding removal (SP 800-67:
 * P = D_K1(E_K2(D_K3(C)))), for 24-byte keys and 8-byte IVs.
 * @throws RangeError on wrong key/IV sizes or a partial block.
 * @internal
 */
export function des3CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  checkArgs(key, iv, data);
  const [k1, k2, k3] = schedules(key);
  const out = new Uint8Array(data.length);
  let ph = readWord(iv, 0);
  let pl = readWord(iv, 4);
  for (let o = 0; o < data.length; o += 8) {
    const ch = readWord(data, o);
    const cl = readWord(data, o + 4);
    const [h, l] = ede(ch, cl, [k3, k2, k1], [true, false, true]);
    writeWord(out, o, (h ^ ph) >>> 0);
    writeWord(out, o + 4, (l ^ pl) >>> 0);
    ph = ch;
    pl = cl;
  }
  return out;
}

/**
 * DES-EDE3-CBC encryption without padding (C = E_K3(D_K2(E_K1(P)))). Used
 * by tests and the legacy PEM writer's test mode only.
 * @internal
 */
export function des3CbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  checkArgs(key, iv, data);
  const [k1, k2, k3] = schedules(key);
  const out = new Uint8Array(data.length);
  let ph = readWord(iv, 0);
  let pl = readWord(iv, 4);
  for (let o = 0; o < data.length; o += 8) {
    const [h, l] = ede((readWord(data, o) ^ ph) >>> 0, (readWord(data, o + 4) ^ pl) >>> 0, [k1, k2, k3], [false, true, false]);
    writeWord(out, o, h);
    writeWord(out, o + 4, l);
    ph = h;
    pl = l;
  }
  return out;
}

/**
 * Single-DES ECB of one 8-byte block, for known-answer tests against
 * FIPS 81 / SP 800-17 vectors only.
 * @internal
 */
export function desEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  if (key.length !== 8 || block.length !== 8) throw new RangeError('des: key and block must be 8 bytes');
  const [h, l] = desBlock(readWord(block, 0), readWord(block, 4), keySchedule(key), false);
  const out = new Uint8Array(8);
  writeWord(out, 0, h);
  writeWord(out, 4, l);
  return out;
}
