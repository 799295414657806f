/**
 * The one rule for a passphrase that protects a new key (CLI and CSR page
 * alike): at least {@link MIN_NEW_PASSPHRASE_LENGTH} characters. Reading is
 * never restricted: a key someone else encrypted with a short passphrase
 * still opens.
 *
 * Why 8: the KDF (PBKDF2-HMAC-SHA256 at ~1 s, or scrypt) slows guessing, it
 * does not make a 3-letter passphrase safe; 8 is NIST SP 800-63B's floor for
 * memorized secrets and what a typo'd one-key passphrase fails.
 */

/** Fewest characters (Unicode code points) of a passphrase for a new key. @public */
export const MIN_NEW_PASSPHRASE_LENGTH = 8;

/**
 * Check a passphrase chosen for a new key.
 * @returns `undefined` when acceptable, else a sentence saying why not
 * @example
 * ```ts
 * checkNewPassphrase('abc'); // 'a passphrase for a new key needs at least 8 characters (this one has 3)'
 * ```
 * @public
 */
export function checkNewPassphrase(passphrase: string): string | undefined {
  if (typeof passphrase !== 'string') throw new TypeError('passphrase: expected a string');
  const n = [...passphrase].length;
  if (n < MIN_NEW_PASSPHRASE_LENGTH) return `a passphrase for a new key needs at least ${MIN_NEW_PASSPHRASE_LENGTH} characters (this one has ${n})`;
  return undefined;
}
