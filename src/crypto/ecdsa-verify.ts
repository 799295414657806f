/**
 * ECDSA signature verification on the NIST prime curves P-256, P-384 and
 * P-521 (all with a = -3), on public inputs only, so variable time is fine.
 * Signing (secret scalars) stays on @noble/curves' constant-time code.
 *
 * Why our own: verifying the CSR is most of the time of issuing a
 * certificate with an ECDSA CA (issue 5 sets a throughput target), and
 * noble's verify (complete projective formulas, a `%` after every field
 * addition) took ≈2.2 ms of a ≈4.5 ms P-256 issuance here. This computes
 * u1·G + u2·Q with Jacobian coordinates and the a = -3 doubling (3M+5S),
 * interleaved wNAF (window 7 over a cached affine table of G, window 5 over
 * Q), reductions only after products (`%` costs ~280 ns at 512 bits in V8,
 * a conditional subtraction ~50 ns), and compares r·Z² with X instead of
 * inverting Z. Measured on the bench machine (Node 20): see
 * bench/results/latest.md and the commit that introduced this file.
 *
 * Keys that verify often (a CA's key checks every certificate it issued:
 * a verifier of many chains meets the same few issuer keys again and again)
 * get a fixed-base table: from the HOT_AFTER-th signature on with one
 * public point, u1·G and u2·Q are both computed from affine tables of
 * d·2^(w·j)·P (signed base-2^w digits, w = 8 for G, built once, and 6 for
 * Q; no doublings at all), about 2.5-3 times faster than the interleaved
 * wNAF; building a point's table costs about ten verifications, so builds
 * are paid from credits that verifications earn (one each, BUILD_COST per
 * table): whatever the inputs, table building adds at most a third to the
 * verification work, and a caller that must bound its work per call (path
 * validation of a hostile chain) can forbid builds during the call
 * ({@link setTableBuildAllowance}). At most MAX_TABLES tables are kept (the
 * oldest is dropped), and uses are counted for at most MAX_COUNTED points, so
 * memory stays bounded whatever keys come in.
 *
 * Correctness: test/vectors/wycheproof-sig-ecdsa.test.ts (1,530 Wycheproof
 * cases incl. the edge cases built against these formulas: r = n-1, points
 * with x = 0, arithmetic-error vectors) and a differential test against
 * noble (test/unit/ecdsa-verify.test.ts).
 * Out of scope: signature DER parsing (sign.ts parseEcdsaDer), hashing.
 * @internal
 */
import { nobleCurve } from './ec.js';
import { modInverse } from './bigint.js';
import { CURVE_BYTES, type EcCurve } from './key-types.js';
import { bitLength, bytesToBigInt } from '../encoding/bytes.js';

interface CurveData {
  readonly p: bigint;
  readonly n: bigint;
  readonly b: bigint;
  readonly bytes: number;
  readonly nBits: number;
  /** Affine odd multiples 1G, 3G, ..., (2^(G_WINDOW-1)-1)G: x and y arrays. */
  readonly gx: bigint[];
  readonly gy: bigint[];
}

const G_WINDOW = 7;
const Q_WINDOW = 5;

const CURVES = new Map<EcCurve, CurveData>();

/** Jacobian point (X/Z², Y/Z³); Z = 0 is the point at infinity. */
type Jac = [x: bigint, y: bigint, z: bigint];

/** Doubling for a = -3 (EFD dbl-2001-b), 3M + 5S. */
function dbl(P: Jac, p: bigint): Jac {
  const [X1, Y1, Z1] = P;
  if (Z1 === 0n || Y1 === 0n) return [0n, 1n, 0n];
  const delta = (Z1 * Z1) % p;
  const gamma = (Y1 * Y1) % p;
  const beta = (X1 * gamma) % p;
  let alpha = (3n * (X1 - delta) * (X1 + delta)) % p;
  if (alpha < 0n) alpha += p;
  let X3 = (alpha * alpha - 8n * beta) % p;
  if (X3 < 0n) X3 += p;
  const Z3 = ((Y1 * Z1) << 1n) % p;
  let Y3 = (alpha * (4n * beta - X3) - 8n * gamma * gamma) % p;
  if (Y3 < 0n) Y3 += p;
  return [X3, Y3, Z3];
}

/** P + (x2, y2) with the second point affine (EFD madd, 8M + 3S). */
function addAffine(P: Jac, x2: bigint, y2: bigint, p: bigint): Jac {
  const [X1, Y1, Z1] = P;
  if (Z1 === 0n) return [x2, y2, 1n];
  const z1z1 = (Z1 * Z1) % p;
  let H = ((x2 * z1z1) % p) - X1;
  let r = ((((y2 * Z1) % p) * z1z1) % p) - Y1;
  if (H < 0n) H += p;
  if (r < 0n) r += p;
  if (H === 0n) return r === 0n ? dbl([x2, y2, 1n], p) : [0n, 1n, 0n];
  return addTail(X1, Y1, Z1, H, r, p);
}

/** P1 + P2, both Jacobian (EFD add-1998-cmo-2, 12M + 4S). */
function addJac(P1: Jac, P2: Jac, p: bigint): Jac {
  const [X1, Y1, Z1] = P1;
  const [X2, Y2, Z2] = P2;
  if (Z1 === 0n) return P2;
  if (Z2 === 0n) return P1;
  const z1z1 = (Z1 * Z1) % p;
  const z2z2 = (Z2 * Z2) % p;
  const U1 = (X1 * z2z2) % p;
  const S1 = (((Y1 * Z2) % p) * z2z2) % p;
  let H = ((X2 * z1z1) % p) - U1;
  let r = ((((Y2 * Z1) % p) * z1z1) % p) - S1;
  if (H < 0n) H += p;
  if (r < 0n) r += p;
  if (H === 0n) return r === 0n ? dbl(P1, p) : [0n, 1n, 0n];
  return addTail(U1, S1, (Z1 * Z2) % p, H, r, p);
}

/**
 * The common end of both additions, from U1 = X1·Z2², S1 = Y1·Z2³, the
 * product of the input Zs, H = U2 − U1 ≠ 0 and r = S2 − S1 (6M + 1S).
 */
function addTail(U1: bigint, S1: bigint, zz: bigint, H: bigint, r: bigint, p: bigint): Jac {
  const HH = (H * H) % p;
  const HHH = (H * HH) % p;
  const V = (U1 * HH) % p;
  let X3 = (r * r - HHH - 2n * V) % p;
  if (X3 < 0n) X3 += p;
  let Y3 = (r * (V - X3) - S1 * HHH) % p;
  if (Y3 < 0n) Y3 += p;
  return [X3, Y3, (zz * H) % p];
}

/**
 * Width-w NAF of k >= 0, least significant digit first: odd digits in
 * (-2^(w-1), 2^(w-1)), at least w-1 zeros after each non-zero digit.
 */
function wnaf(k: bigint, w: number): Int16Array {
  const bits = k.toString(2);
  const len = bits.length;
  const bit = (i: number): number => (i < len ? bits.charCodeAt(len - 1 - i) - 48 : 0);
  const out = new Int16Array(len + 1);
  const full = 1 << w;
  const half = full >> 1;
  let carry = 0;
  let i = 0;
  while (i < len || carry) {
    const cur = bit(i) + carry;
    if ((cur & 1) === 0) {
      carry = cur >> 1;
      i++;
      continue;
    }
    let val = 1;
    for (let j = 1; j < w; j++) val += bit(i + j) << j;
    if (val >= half) {
      val -= full;
      carry = 1;
    } else carry = 0;
    out[i] = val;
    i += w;
  }
  return out;
}

// ---------------------------------------------------------------- fixed-base tables for hot keys

/** Windows of the fixed-base tables (digits in [-2^(w-1), 2^(w-1)], ceil((bits+1)/w) windows): G's is built once. */
const COMB_W_G = 8;
const COMB_W_Q = 6;
/** A point's table is built at its HOT_AFTER-th verification at the earliest (earlier ones use the wNAF path). */
const HOT_AFTER = 4;
/** Credits a table build consumes (each verification earns one, up to 2·BUILD_COST): a build is ~10 verifications of work. */
const BUILD_COST = 32;
let buildCredits = 0;
let buildAllowance = Infinity;

/**
 * Set how many tables may still be built (Infinity: no limit beyond the
 * credits) and return the previous allowance, so a caller can restore it.
 * Path validation sets 1 for the length of one call.
 * @internal
 */
export function setTableBuildAllowance(n: number): number {
  const prev = buildAllowance;
  buildAllowance = n;
  return prev;
}
/** Tables kept (each ~1,400 affine points for P-256, ~150 KB): the oldest is dropped. */
const MAX_TABLES = 16;
/** Points whose uses are counted (a Map in insertion order, the oldest dropped). */
const MAX_COUNTED = 256;

/** Affine d·2^(w·j)·P for j = 0..windows-1, d = 1..2^(w-1): index j·2^(w-1) + d - 1. */
interface CombTable {
  readonly x: bigint[];
  readonly y: bigint[];
  readonly w: number;
  readonly windows: number;
}

const useCounts = new Map<string, number>();
const tables = new Map<string, CombTable>();
const gTables = new Map<EcCurve, CombTable>();

function combTable(px: bigint, py: bigint, c: CurveData, w: number): CombTable {
  const { p } = c;
  const half = 1 << (w - 1);
  const windows = Math.ceil((c.nBits + 1) / w);
  const jac: Jac[] = [];
  let base: Jac = [px, py, 1n];
  for (let j = 0; j < windows; j++) {
    jac.push(base);
    let m = dbl(base, p);
    jac.push(m);
    for (let d = 3; d <= half; d++) {
      m = addJac(m, base, p);
      jac.push(m);
    }
    base = dbl(m, p); // 2·(half·B) = 2^w·B
  }
  // batch inversion of every Z (Montgomery's trick): none is 0, as d·2^k·P ≠ O for 0 < d < n
  const n = jac.length;
  const acc: bigint[] = new Array<bigint>(n);
  let prod = 1n;
  for (let i = 0; i < n; i++) {
    acc[i] = prod;
    prod = (prod * jac[i]![2]) % p;
  }
  let inv = modInverse(prod, p);
  const x: bigint[] = new Array<bigint>(n);
  const y: bigint[] = new Array<bigint>(n);
  for (let i = n - 1; i >= 0; i--) {
    const [X, Y, Z] = jac[i]!;
    const zi = (inv * acc[i]!) % p;
    inv = (inv * Z) % p;
    const zi2 = (zi * zi) % p;
    x[i] = (X * zi2) % p;
    y[i] = (((Y * zi2) % p) * zi) % p;
  }
  return { x, y, w, windows };
}

/** acc + k·P from P's table: signed base-2^w digits of k, one affine addition per non-zero digit. */
function combMul(acc: Jac, k: bigint, t: CombTable, p: bigint): Jac {
  const half = 1 << (t.w - 1);
  const full = 1 << t.w;
  const mask = BigInt(full - 1);
  const wBig = BigInt(t.w);
  let carry = 0;
  for (let j = 0; j < t.windows; j++) {
    let d = Number(k & mask) + carry;
    k >>= wBig;
    if (d > half) {
      d -= full;
      carry = 1;
    } else carry = 0;
    if (d === 0) continue;
    const i = j * half + (d > 0 ? d : -d) - 1;
    acc = addAffine(acc, t.x[i]!, d > 0 ? t.y[i]! : p - t.y[i]!, p);
  }
  return acc;
}

/** Which curves have G's table and how many point tables are kept (for tests). @internal */
export function tableStats(): { g: EcCurve[]; points: EcCurve[] } {
  return { g: [...gTables.keys()], points: [...tables.keys()].map((k) => k.slice(0, k.indexOf(':')) as EcCurve) };
}

/** The table of a point verified often enough, built at its HOT_AFTER-th use; undefined before. */
function hotTable(curve: EcCurve, point: Uint8Array, qx: bigint, qy: bigint, c: CurveData): CombTable | undefined {
  const key = `${curve}:${String.fromCharCode(...point)}`;
  const t = tables.get(key);
  if (t) return t;
  const uses = (useCounts.get(key) ?? 0) + 1;
  useCounts.delete(key);
  if (buildCredits < 2 * BUILD_COST) buildCredits++;
  if (uses < HOT_AFTER || buildCredits < BUILD_COST || buildAllowance < 1) {
    useCounts.set(key, uses);
    if (useCounts.size > MAX_COUNTED) useCounts.delete(useCounts.keys().next().value!);
    return undefined;
  }
  buildCredits -= BUILD_COST;
  buildAllowance--;
  if (!gTables.has(curve)) {
    // G's table first (once per curve), as one build of its own; Q's at a later use
    const { Gx, Gy } = nobleCurve(curve).Point.CURVE();
    gTables.set(curve, combTable(Gx, Gy, c, COMB_W_G));
    useCounts.set(key, uses);
    return undefined;
  }
  const built = combTable(qx, qy, c, COMB_W_Q);
  tables.set(key, built);
  if (tables.size > MAX_TABLES) tables.delete(tables.keys().next().value!);
  return built;
}

function curveData(curve: EcCurve): CurveData {
  let c = CURVES.get(curve);
  if (c) return c;
  const { p, n, b, Gx, Gy } = nobleCurve(curve).Point.CURVE();
  // odd multiples of G in Jacobian form, then all made affine
  const twoG = dbl([Gx, Gy, 1n], p);
  const jac: Jac[] = [[Gx, Gy, 1n]];
  for (let i = 1; i < 1 << (G_WINDOW - 2); i++) jac.push(addJac(jac[i - 1]!, twoG, p));
  const gx: bigint[] = [];
  const gy: bigint[] = [];
  for (const [X, Y, Z] of jac) {
    const zi = modInverse(Z, p);
    const zi2 = (zi * zi) % p;
    gx.push((X * zi2) % p);
    gy.push((((Y * zi2) % p) * zi) % p);
  }
  c = { p, n, b, bytes: CURVE_BYTES[curve], nBits: bitLength(n), gx, gy };
  CURVES.set(curve, c);
  return c;
}

/**
 * ECDSA verification (SEC 1 v2 4.1.4) of (r, s) over the message digest
 * `hash` with the uncompressed public point `point` (0x04 || X || Y).
 * False for any invalid input (r or s out of [1, n-1], a point off the
 * curve, a result at infinity).
 * @internal
 */
export function ecdsaVerifyDigest(curve: EcCurve, point: Uint8Array, hash: Uint8Array, r: bigint, s: bigint): boolean {
  const c = curveData(curve);
  const { p, n } = c;
  if (r < 1n || r >= n || s < 1n || s >= n) return false;
  if (point.length !== 1 + 2 * c.bytes || point[0] !== 0x04) return false;
  const qx = bytesToBigInt(point.subarray(1, 1 + c.bytes));
  const qy = bytesToBigInt(point.subarray(1 + c.bytes));
  if (qx >= p || qy >= p) return false;
  // y² = x³ - 3x + b
  let rhs = (((qx * qx) % p) * qx - 3n * qx + c.b) % p;
  if (rhs < 0n) rhs += p;
  if ((qy * qy) % p !== rhs) return false;
  // e: the leftmost nBits of the digest (SEC 1 4.1.4 step 5)
  let e = bytesToBigInt(hash);
  const excess = hash.length * 8 - c.nBits;
  if (excess > 0) e >>= BigInt(excess);
  const w = modInverse(s, n);
  const u1 = (e * w) % n;
  const u2 = (r * w) % n;
  const hot = hotTable(curve, point, qx, qy, c);
  let acc: Jac = [0n, 1n, 0n];
  if (hot) return finalCheck(combMul(combMul(acc, u1, gTables.get(curve)!, p), u2, hot, p), r, c);
  // odd multiples of Q (Jacobian)
  const q1: Jac = [qx, qy, 1n];
  const q2 = dbl(q1, p);
  const qt: Jac[] = [q1];
  for (let i = 1; i < 1 << (Q_WINDOW - 2); i++) qt.push(addJac(qt[i - 1]!, q2, p));
  const d1 = wnaf(u1, G_WINDOW);
  const d2 = wnaf(u2, Q_WINDOW);
  for (let i = Math.max(d1.length, d2.length) - 1; i >= 0; i--) {
    acc = dbl(acc, p);
    const a = i < d1.length ? d1[i]! : 0;
    if (a > 0) acc = addAffine(acc, c.gx[a >> 1]!, c.gy[a >> 1]!, p);
    else if (a < 0) acc = addAffine(acc, c.gx[-a >> 1]!, p - c.gy[-a >> 1]!, p);
    const b = i < d2.length ? d2[i]! : 0;
    if (b > 0) acc = addJac(acc, qt[b >> 1]!, p);
    else if (b < 0) {
      const t = qt[-b >> 1]!;
      acc = addJac(acc, [t[0], t[1] === 0n ? 0n : p - t[1], t[2]], p);
    }
  }
  return finalCheck(acc, r, c);
}

/** x(R) mod n == r for the Jacobian R = acc, without inverting Z. */
function finalCheck(acc: Jac, r: bigint, c: CurveData): boolean {
  const { p, n } = c;
  const [X, , Z] = acc;
  if (Z === 0n) return false;
  // x(R) mod n == r  ⇔  X == x·Z² (mod p) for x = r or x = r + n (< p)
  const zz = (Z * Z) % p;
  if ((r * zz) % p === X) return true;
  const r2 = r + n;
  return r2 < p && (r2 * zz) % p === X;
}
