/**
 * Certificate serial numbers (RFC 5280 4.1.2.2; CA/B Forum BR 7.1).
 *
 * Default: 16 random bytes from a CSPRNG with the top bit cleared, so the
 * INTEGER is positive and at most 16 content octets (17 never needed), and
 * carries 127 random bits (BR 7.1 wants ≥ 64 CSPRNG bits, non-sequential;
 * OpenSSL's `.srl` file makes them sequential). Zero is re-drawn.
 * Out of scope: sequential serials.
 */
import { systemRandom, type RandomSource } from '../crypto/random.js';
import { bigIntToBytes, bytesToBigInt, toHex } from '../encoding/bytes.js';
import { MailPkiError } from '../errors.js';

/** Random bytes drawn for a serial: 16 (127 random bits after the sign bit is cleared). @public */
export const SERIAL_RANDOM_BYTES = 16;

/**
 * A fresh random serial number: positive, non-zero, ≤ 20 octets of DER
 * content, ≥ 64 random bits.
 *
 * @param rng - random source (default: the platform CSPRNG). Tests may pass
 *   `createSeededRandom(...)`; production never should.
 * @example
 * ```ts
 * const serial = generateSerialNumber(); // e.g. 0x5c1f...n
 * ```
 * @public
 */
export function generateSerialNumber(rng: RandomSource = systemRandom): bigint {
  for (let i = 0; i < 16; i++) {
    const b = rng(SERIAL_RANDOM_BYTES);
    if (!(b instanceof Uint8Array) || b.length !== SERIAL_RANDOM_BYTES) throw new TypeError('generateSerialNumber: rng returned the wrong number of bytes');
    const bytes = Uint8Array.from(b);
    bytes[0]! &= 0x7f; // RFC 5280 4.1.2.2: positive
    const n = bytesToBigInt(bytes);
    // ≥ 64 significant bits, so the value is never a tiny number (and never 0).
    if (n >= 1n << 64n) return n;
  }
  throw new RangeError('generateSerialNumber: the random source returns constant output');
}

/**
 * Check a caller-supplied serial against RFC 5280 4.1.2.2 (positive,
 * non-zero, at most 20 octets of DER INTEGER content).
 * @throws MailPkiError `ERR_POLICY` when it breaks the rule.
 * @internal
 */
export function checkSerialNumber(serial: bigint): void {
  if (typeof serial !== 'bigint') throw new TypeError('serialNumber must be a bigint');
  if (serial <= 0n) throw new MailPkiError('ERR_POLICY', 'serial number must be positive and non-zero (RFC 5280 4.1.2.2)');
  if (serialContentLength(serial) > 20) throw new MailPkiError('ERR_POLICY', 'serial number must fit 20 octets (RFC 5280 4.1.2.2)');
}

/** Octets of the DER INTEGER content for a non-negative bigint (with the 0x00 sign octet when needed). */
function serialContentLength(n: bigint): number {
  const b = bigIntToBytes(n);
  return b.length + ((b[0] ?? 0) & 0x80 ? 1 : 0);
}

/**
 * Serial as lower-case hex of its DER INTEGER content (two's complement,
 * as OpenSSL prints it without colons), e.g. `00e3...` when the top bit is set.
 * @internal
 */
export function serialToHex(n: bigint): string {
  if (n < 0n) {
    // two's complement, minimal
    let len = 1;
    while (-(1n << BigInt(8 * len - 1)) > n) len++;
    return toHex(bigIntToBytes((1n << BigInt(8 * len)) + n, len));
  }
  const b = bigIntToBytes(n);
  return ((b[0] ?? 0) & 0x80 || b.length === 0 ? '00' : '') + toHex(b);
}
