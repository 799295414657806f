/**
 * RC2 (RFC 2268) in CBC mode, decryption only: older Windows and OpenSSL
 * (`-legacy`, its default certificate encryption) protect the certificate
 * bag of a PKCS#12 with pbeWithSHAAnd40BitRC2-CBC, and we must read those
 * files. Nothing in mailpki encrypts with RC2 (40-bit keys are broken).
 *
 * Out of scope: encryption, padding (the caller strips PKCS#7 padding and
 * reports a wrong passphrase), constant time (the input is a certificate
 * bag, not a secret worth a side channel; the key is 40 bits anyway).
 */

// RFC 2268 section 2: PITABLE, a permutation of 0..255 from the digits of pi.
// Built on first use, so bundles that never decrypt RC2 do not carry the work.
let PITABLE: Uint8Array | undefined;
function pitable(): Uint8Array {
  return (PITABLE ??= Uint8Array.from(
    (
      'd978f9c419ddb5ed28e9fd794aa0d89dc67e37832b76538e624c6488448bfba2179a59f587b34f1361456d8d09817d32' +
      'bd8f40eb86b77b0bf09521225c6b4e8254d66593ce60b21c7356c014a78cf1dc1275ca1f3bbee4d1423dd430a33cb626' +
      '6fbf0eda4669075727f21d9bbc944303f811c7f690ef3ee706c3d52fc8661ed708e8eade8052eef784aa72ac354d6a2a' +
      '961ad2715a1549744b9fd05e0418a4ecc2e0416e0f51cbcc2491af50a1f47039997c3a8523b8b47afc02365b25559731' +
      '2d5dfa98e38a92ae05df2910676cbac9d300e6cfe19ea82c6316013f58e289a90d38341bab33ffb0bb480c5fb9b1cd2e' +
      'c5f3db47e5a59c770aa62068fe7fc1ad'
    )
      .match(/../g)!
      .map((h) => parseInt(h, 16)),
  ));
}

/**
 * RFC 2268 section 2: expand a key of 1..128 bytes with effective key
 * length `bits` (1..1024) into 64 16-bit words.
 * @internal
 */
export function rc2ExpandKey(key: Uint8Array, bits: number): Uint16Array {
  const T = key.length;
  if (T < 1 || T > 128) throw new RangeError('rc2: key must be 1 to 128 bytes');
  if (!Number.isInteger(bits) || bits < 1 || bits > 1024) throw new RangeError('rc2: effective key bits must be 1 to 1024');
  const PITABLE = pitable();
  const L = new Uint8Array(128);
  L.set(key);
  for (let i = T; i < 128; i++) L[i] = PITABLE[(L[i - 1]! + L[i - T]!) & 0xff]!;
  const T8 = (bits + 7) >> 3;
  const TM = 0xff >> (8 * T8 - bits);
  L[128 - T8] = PITABLE[L[128 - T8]! & TM]!;
  for (let i = 127 - T8; i >= 0; i--) L[i] = PITABLE[L[i + 1]! ^ L[i + T8]!]!;
  const K = new Uint16Array(64);
  for (let i = 0; i < 64; i++) K[i] = L[2 * i]! | (L[2 * i + 1]! << 8);
  return K;
}

const ROT = [1, 2, 3, 5];

/** RFC 2268 section 4: decrypt one block held in R (four little-endian words), in place. */
function decryptBlock(K: Uint16Array, R: Uint16Array): void {
  let j = 63;
  const mixRounds = (n: number): void => {
    for (let round = 0; round < n; round++) {
      for (let i = 3; i >= 0; i--) {
        const s = ROT[i]!;
        const x = R[i]!;
        R[i] = (x >>> s) | (x << (16 - s)); // rotate right within 16 bits (the Uint16Array truncates)
        R[i] = R[i]! - K[j--]! - (R[(i + 3) & 3]! & R[(i + 2) & 3]!) - (~R[(i + 3) & 3]! & R[(i + 1) & 3]!);
      }
    }
  };
  const mash = (): void => {
    for (let i = 3; i >= 0; i--) R[i] = R[i]! - K[R[(i + 3) & 3]! & 63]!;
  };
  mixRounds(5);
  mash();
  mixRounds(6);
  mash();
  mixRounds(5);
}

/**
 * RC2-CBC decryption without padding removal.
 * @param key - 1..128 bytes (5 for RC2-40)
 * @param bits - effective key length in bits (40 for RC2-40, 128 for RC2-128)
 * @throws RangeError on a bad key, IV (8 bytes) or a partial block.
 * @internal
 */
export function rc2CbcDecrypt(key: Uint8Array, bits: number, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (iv.length !== 8) throw new RangeError('rc2: IV must be 8 bytes');
  if (data.length % 8 !== 0) throw new RangeError('rc2: data must be whole 8-byte blocks');
  const K = rc2ExpandKey(key, bits);
  const out = new Uint8Array(data.length);
  const R = new Uint16Array(4);
  let prev = iv;
  for (let o = 0; o < data.length; o += 8) {
    for (let i = 0; i < 4; i++) R[i] = data[o + 2 * i]! | (data[o + 2 * i + 1]! << 8);
    decryptBlock(K, R);
    for (let i = 0; i < 4; i++) {
      out[o + 2 * i] = (R[i]! & 0xff) ^ prev[2 * i]!;
      out[o + 2 * i + 1] = (R[i]! >> 8) ^ prev[2 * i + 1]!;
    }
    prev = data.subarray(o, o + 8);
  }
  return out;
}
