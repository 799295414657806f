/**
 * Loading inputs for commands: certificates, CSRs, private keys (asking for
 * a passphrase only when the key is encrypted), and generating keys with
 * progress. Every parse is the library's; this file only wires files,
 * passphrases and the terminal to it.
 */
import { MailPkiError } from '../errors.js';
import {
  encodePrivateKeyPem,
  encryptPrivateKeyPem,
  generateKeyPair,
  getPublicKey,
  isEncryptedPrivateKey,
  parsePrivateKey,
  publicKeysEqual,
  type GenerateKeyPairOptions,
} from '../keys/index.js';
import { parseCertificateRequest, parseCertificates, parseCrls, type Crl } from '../x509/index.js';
import type { Certificate, CertificateRequest } from '../x509/types.js';
import type { KeyPair, PrivateKey, PublicKey } from '../crypto/key-types.js';
import { flag, num, str, type CommandContext, type OptionSpec } from './args.js';
import { getPassphrase, passphraseRequired, readInput, startProgress, type PassphraseSource } from './io.js';

/** Every certificate in a file (PEM bundle or one DER cert). */
export async function loadCertificates(path: string): Promise<Certificate[]> {
  const input = await readInput(path);
  const certs = parseCertificates(input);
  if (certs.length === 0) throw new MailPkiError('ERR_NO_CERTIFICATE', `${path}: no certificate found`);
  return certs;
}

/** Every CRL in the files (each a PEM bundle of `X509 CRL` blocks or one DER CRL). */
export async function loadCrls(paths: readonly string[]): Promise<Crl[]> {
  const out: Crl[] = [];
  for (const p of paths) out.push(...parseCrls(await readInput(p)));
  return out;
}

/** The CSR in a file (PEM or DER). */
export async function loadCsr(path: string): Promise<CertificateRequest> {
  return parseCertificateRequest(await readInput(path));
}

/**
 * A private key from a file; asks for (or reads) the passphrase only when the
 * key is encrypted. `ERR_PASSPHRASE_REQUIRED` when it is encrypted and there
 * is neither a passphrase flag nor a terminal.
 */
export async function loadPrivateKey(ctx: CommandContext, path: string, src: PassphraseSource): Promise<{ key: PrivateKey; encrypted: boolean }> {
  const input = await readInput(path);
  if (!isEncryptedPrivateKey(input)) return { key: parsePrivateKey(input), encrypted: false };
  const passphrase = await getPassphrase(ctx, src, { confirm: false });
  if (passphrase === undefined) throw passphraseRequired(src, path);
  try {
    return { key: parsePrivateKey(input, { passphrase }), encrypted: true };
  } catch (e) {
    // Name the file: with a CA key and a server key in one command, "wrong passphrase" alone is ambiguous.
    if (e instanceof MailPkiError && e.code === 'ERR_BAD_PASSPHRASE') throw new MailPkiError('ERR_BAD_PASSPHRASE', `${path}: ${e.message}`);
    throw e;
  }
}

/** Throw ERR_KEY_MISMATCH unless `key` is the private half of `pub`. */
export function assertKeyMatches(key: PrivateKey, pub: PublicKey, keyPath: string, otherWhat: string): void {
  if (!publicKeysEqual(getPublicKey(key), pub)) {
    throw new MailPkiError('ERR_KEY_MISMATCH', `${keyPath} is not the private key of ${otherWhat}`);
  }
}

/**
 * The `--PREFIXpassphrase-file F` / `--PREFIXpassphrase-env NAME` pair of
 * options (prefix `''`, `'ca-'` or `'key-'`), described as `<of>: first line
 * of F` and `<of>: environment variable NAME`.
 */
export function passphraseOptions(prefix: string, of: string): Record<string, OptionSpec> {
  return {
    [`${prefix}passphrase-file`]: { type: 'string', arg: 'F', desc: `${of}: first line of F` },
    [`${prefix}passphrase-env`]: { type: 'string', arg: 'NAME', desc: `${of}: environment variable NAME` },
  };
}

/** OpenSSL's and the usual other names of the curves (lower case). */
const CURVE_ALIASES: Readonly<Record<string, string>> = {
  p256: 'P-256', prime256v1: 'P-256', secp256r1: 'P-256', 'nist p-256': 'P-256', 'nistp256': 'P-256',
  p384: 'P-384', secp384r1: 'P-384', 'nist p-384': 'P-384', 'nistp384': 'P-384',
  p521: 'P-521', secp521r1: 'P-521', 'nist p-521': 'P-521', 'nistp521': 'P-521',
};

/** `--type`, `--bits`, `--curve` options shared by commands that make keys. */
export function keyTypeOptions(defaults: { type: string; bits: string; curve: string }, prefix = ''): Record<string, OptionSpec> {
  return {
    [`${prefix}type`]: { type: 'string', choices: ['rsa', 'ec', 'ed25519'], default: defaults.type, desc: 'key algorithm of the new key' },
    [`${prefix}bits`]: { type: 'string', choices: ['2048', '3072', '4096'], arg: 'N', default: defaults.bits, desc: 'RSA modulus size' },
    [`${prefix}curve`]: { type: 'string', choices: ['P-256', 'P-384', 'P-521'], aliases: CURVE_ALIASES, default: defaults.curve, desc: 'EC curve (also p256, prime256v1, secp256r1, ...)' },
  };
}

/** The generateKeyPair options from `--type/--bits/--curve` (or the given defaults). */
export function keyOptionsFrom(ctx: CommandContext, defaults: { type: string; bits: string; curve: string }, prefix = ''): GenerateKeyPairOptions {
  const type = str(ctx, `${prefix}type`) ?? defaults.type;
  const bits = Number(str(ctx, `${prefix}bits`) ?? num(ctx, `${prefix}bits`) ?? defaults.bits);
  const curve = str(ctx, `${prefix}curve`) ?? defaults.curve;
  if (type !== 'rsa' && str(ctx, `${prefix}bits`) !== undefined) throw new MailPkiError('ERR_USAGE', `--${prefix}bits applies to RSA keys only (--${prefix}type rsa)`);
  if (type !== 'ec' && str(ctx, `${prefix}curve`) !== undefined) throw new MailPkiError('ERR_USAGE', `--${prefix}curve applies to EC keys only (--${prefix}type ec)`);
  if (type === 'rsa') return { type: 'rsa', bits: bits as 2048 | 3072 | 4096 };
  if (type === 'ec') return { type: 'ec', curve: curve as 'P-256' | 'P-384' | 'P-521' };
  return { type: 'ed25519' };
}

/** Human label of a key spec, e.g. `RSA 4096`, `EC P-256`. */
export function keyLabel(o: GenerateKeyPairOptions): string {
  return o.type === 'rsa' ? `RSA ${o.bits}` : o.type === 'ec' ? `EC ${o.curve}` : 'Ed25519';
}

/** Generate a key pair, with a progress line on a terminal when it takes over a second. */
export async function generateWithProgress(ctx: CommandContext, o: GenerateKeyPairOptions, what: string): Promise<KeyPair> {
  const progress = startProgress(ctx.io, `generating the ${what} (${keyLabel(o)})`);
  try {
    if (o.type === 'rsa') return await generateKeyPair({ ...o, onProgress: (p) => progress.update(p) });
    return await generateKeyPair(o);
  } finally {
    progress.done();
  }
}

/**
 * How a new key is protected. `ca`: encrypted by default, the passphrase
 * from the flags or a prompt; `--<noFlag>` writes it unencrypted; with
 * neither and no terminal, `ERR_PASSPHRASE_REQUIRED` saying so. `on-request`:
 * unencrypted (a server key: Postfix cannot read an encrypted one) unless a
 * passphrase flag is given.
 */
export type NewKeyProtection =
  | {
      readonly kind: 'ca';
      /** e.g. `no-passphrase`: the flag that writes the key unencrypted. */
      readonly noFlag: string;
      /** What the refusal calls the key (default: the passphrase source's `what`). */
      readonly refusalWhat?: string;
      /** Words after `--<noFlag>` in the refusal, e.g. ` for an unencrypted test CA`. */
      readonly noFlagNote?: string;
    }
  | { readonly kind: 'on-request' };

/** What {@link existingOrNewKey} needs. */
export interface ExistingOrNewKeyOptions {
  /** An existing key file (`--key`): loaded, its passphrase asked only when it is encrypted. */
  readonly existing?: string | undefined;
  /** The new key's algorithm (from `--type/--bits/--curve` or the command's choice). */
  readonly generate: GenerateKeyPairOptions;
  /** The new key in the progress line, e.g. `CA key`. */
  readonly what: string;
  /** Passphrase flags: of the existing key, or for the new one. */
  readonly pass: PassphraseSource;
  readonly protect: NewKeyProtection;
}

/** The key to use; `passphrase` is set when a new key is to be written encrypted (see {@link privateKeyPem}). */
export interface ExistingOrNewKey extends KeyPair {
  readonly passphrase: string | undefined;
  readonly generated: boolean;
}

/**
 * "Load the key from --key, or make one": the passphrase of a new key is
 * asked (with confirmation) before the key is generated, so a refusal costs
 * no key generation.
 */
export async function existingOrNewKey(ctx: CommandContext, o: ExistingOrNewKeyOptions): Promise<ExistingOrNewKey> {
  if (o.existing !== undefined) {
    const { key } = await loadPrivateKey(ctx, o.existing, o.pass);
    return { privateKey: key, publicKey: getPublicKey(key), passphrase: undefined, generated: false };
  }
  let passphrase: string | undefined;
  const p = o.protect;
  if (p.kind === 'ca') {
    if (!flag(ctx, p.noFlag)) {
      passphrase = await getPassphrase(ctx, o.pass, { confirm: true });
      if (passphrase === undefined) {
        throw new MailPkiError(
          'ERR_PASSPHRASE_REQUIRED',
          `the ${p.refusalWhat ?? o.pass.what} is encrypted by default: give --${o.pass.fileFlag} F or --${o.pass.envFlag} NAME, or --${p.noFlag}${p.noFlagNote ?? ''} (no terminal to prompt on)`,
        );
      }
    }
  } else if (str(ctx, o.pass.fileFlag) !== undefined || str(ctx, o.pass.envFlag) !== undefined) {
    passphrase = await getPassphrase(ctx, o.pass, { confirm: true });
  }
  const pair = await generateWithProgress(ctx, o.generate, o.what);
  return { ...pair, passphrase, generated: true };
}

/** A new private key as PEM: PKCS#8, encrypted (PBES2) when there is a passphrase. */
export function privateKeyPem(key: PrivateKey, passphrase: string | undefined): string {
  return passphrase !== undefined ? encryptPrivateKeyPem(key, passphrase) : encodePrivateKeyPem(key);
}
