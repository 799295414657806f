/**
 * What `mail init` (reusing a root) and `mail renew` share: loading an
 * existing CA (mailpki- or OpenSSL-made: `--ca-cert FILE --ca-key FILE`, or
 * `--ca DIR` for a directory `mail init` wrote) and the server file set
 * (server.pem, server-chain.pem, postfix-chain.pem, server.key).
 */
import { join } from 'node:path';
import { MailPkiError } from '../errors.js';
import { encodePrivateKeyPem } from '../keys/index.js';
import type { PrivateKey } from '../crypto/key-types.js';
import { DEFAULT_MAIL_FILE_NAMES } from '../mail/index.js';
import { buildChain, encodeChainPem, encodeKeyAndChainPem } from '../x509/index.js';
import { isSelfSigned } from '../x509/chain.js';
import type { Certificate } from '../x509/types.js';
import type { FileToWrite } from '../node/file-store.js';
import { str, type CommandContext, type OptionSpec } from './args.js';
import type { PassphraseSource } from './io.js';
import { assertKeyMatches, loadCertificates, loadPrivateKey } from './load.js';
import { DB_OPTION } from './ca-db.js';

/** Options naming an existing CA. */
export const MAIL_CA_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'ca-cert': { type: 'string', arg: 'FILE', desc: 'use this CA certificate (mailpki- or OpenSSL-made; may be followed by its chain) instead of a new root' },
  'ca-key': { type: 'string', arg: 'FILE', desc: 'the private key of --ca-cert (encrypted: --ca-passphrase-file/-env or a prompt)' },
  ca: { type: 'string', arg: 'DIR', desc: 'use the root CA of a directory mail init wrote (DIR/root-ca.pem and DIR/root-ca.key)' },
  ...DB_OPTION,
};

/** An existing CA, loaded and checked (the key belongs to the certificate). */
export interface MailCa {
  readonly certPath: string;
  readonly keyPath: string;
  /** Every certificate of the CA file: the issuer first, then its chain. */
  readonly certs: readonly Certificate[];
  readonly issuer: Certificate;
  readonly key: PrivateKey;
  readonly encrypted: boolean;
  /** The trust anchor: the self-signed certificate of the file, else its last one. */
  readonly root: Certificate;
}

/** The CA paths from `--ca DIR` or `--ca-cert/--ca-key` (both), or undefined when none is given. */
export function caPaths(ctx: CommandContext, cmd: string): { certPath: string; keyPath: string } | undefined {
  const dir = str(ctx, 'ca');
  const cert = str(ctx, 'ca-cert');
  const key = str(ctx, 'ca-key');
  if (dir !== undefined) {
    if (cert !== undefined || key !== undefined) throw new MailPkiError('ERR_USAGE', `${cmd}: --ca DIR cannot be combined with --ca-cert/--ca-key`);
    return { certPath: join(dir, DEFAULT_MAIL_FILE_NAMES.rootCert), keyPath: join(dir, DEFAULT_MAIL_FILE_NAMES.rootKey) };
  }
  if ((cert === undefined) !== (key === undefined)) throw new MailPkiError('ERR_USAGE', `${cmd}: --ca-cert and --ca-key go together`);
  return cert !== undefined ? { certPath: cert, keyPath: key! } : undefined;
}

/** Load the CA at `paths`: ERR_KEY_MISMATCH when the key is not the certificate's. */
export async function loadMailCa(ctx: CommandContext, paths: { certPath: string; keyPath: string }, pass: PassphraseSource): Promise<MailCa> {
  const certs = await loadCertificates(paths.certPath);
  const issuer = certs[0]!;
  const { key, encrypted } = await loadPrivateKey(ctx, paths.keyPath, pass);
  assertKeyMatches(key, issuer.publicKey, paths.keyPath, `the certificate in ${paths.certPath}`);
  const root = certs.find((c) => isSelfSigned(c)) ?? certs[certs.length - 1]!;
  return { ...paths, certs, issuer, key, encrypted, root };
}

/** The server files of a mail-init directory layout, for `cert` issued under `caCerts`. */
export function serverFileSet(
  paths: { cert: string; chain?: string; postfixChain?: string; key?: string },
  cert: Certificate,
  caCerts: readonly Certificate[],
  key: PrivateKey,
  writeKey: boolean,
): FileToWrite[] {
  const { chain } = buildChain([cert, ...caCerts], { leaf: cert });
  const files: FileToWrite[] = [];
  if (writeKey && paths.key) files.push({ path: paths.key, data: encodePrivateKeyPem(key), kind: 'key' });
  files.push({ path: paths.cert, data: cert.pem, kind: 'cert' });
  if (paths.chain) files.push({ path: paths.chain, data: encodeChainPem(chain), kind: 'cert' });
  if (paths.postfixChain) files.push({ path: paths.postfixChain, data: encodeKeyAndChainPem(key, chain), kind: 'key' });
  return files;
}

/** DNS names the CA's (or its chain's) name constraints permit, for NEXT-STEPS. */
export function permittedDns(certs: readonly Certificate[]): string[] {
  return certs.flatMap((c) => (c.decoded.nameConstraints?.permitted ?? []).flatMap((g) => (g.type === 'dns' ? [g.value] : [])));
}
