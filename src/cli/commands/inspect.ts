/**
 * `mailpki inspect`: show certificates, chains, CSRs and keys; encrypted keys
 * are described, never decrypted. Certificates and CSRs are read tolerantly
 * (x509/problems.ts): what breaks a rule is shown with a `problems` list,
 * exit 0 unless `--strict`. Keys mailpki does not use (DSA, GOST, other
 * curves...) are described, never used.
 */
import { MailPkiError, isMailPkiError } from '../../errors.js';
import { parsePemBlocks, type PemBlock } from '../../encoding/pem.js';
import { describeDsaPrivateKey, describeKey, getPublicKey, isPkcs12, parseEncryptedPkcs8Info, parsePrivateKey, parsePublicKey, type DsaKeyInfo } from '../../keys/index.js';
import { isDsaPkcs8 } from '../../keys/dsa.js';
import {
  certificateRequestToJson,
  certificateToJson,
  crlToJson,
  formatProblems,
  inspectCertificate,
  inspectCrl,
  parseCrl,
  inspectCertificateRequest,
  parseCertificateRequestTolerant,
  parseCertificateTolerant,
  signatureNotCheckedReason,
  spkiSha256,
  verifyCertificateRequest,
  type ParseProblem,
} from '../../x509/index.js';
import type { CertificateRequest } from '../../x509/types.js';
import type { PrivateKey, PublicKey } from '../../crypto/key-types.js';
import { encodePem } from '../../encoding/pem.js';
import { toHex } from '../../encoding/bytes.js';
import { flag, type CommandSpec } from '../args.js';
import { readInput } from '../io.js';
import { escapeTerminal } from '../../encoding/terminal.js';
import { inspectPkcs12 } from './pkcs12.js';
import { passphraseOptions } from '../load.js';

const CERT_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'];
const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'];
const KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY'];
const PUB_LABELS = ['PUBLIC KEY', 'RSA PUBLIC KEY'];
const CRL_LABELS = ['X509 CRL', 'CRL'];

export const spec: CommandSpec = {
  name: 'inspect',
  summary: 'Show what a file holds: certificates (a whole chain), CSRs, CRLs, PKCS#12 files, private and public keys.',
  usage: ['inspect FILE [--json] [--strict] [--passphrase-file F | --passphrase-env NAME]'],
  description: [
    'PEM (any number of blocks, text around them ignored) or DER. A CRL shows its issuer, number, this/next update, scope and ' +
      'the revoked serials with date and reason (the first 50 in text, all in --json). Encrypted private keys are shown as such without asking for ' +
      'the passphrase; private key material is never printed (only the algorithm, size and the SHA-256 of the public key).',
    'A PKCS#12 (.p12/.pfx) is opened with its passphrase (--passphrase-file, --passphrase-env or the terminal): its MAC is ' +
      'verified, its bags and their encryption listed, its key described and its certificates shown. Without a passphrase ' +
      '(and no terminal) only what is readable without it is shown: MAC and encryption parameters.',
    'Certificates and CSRs that break a rule other tools read past (the same extension twice, an extension that does not decode, ' +
      'BER, bytes after the DER, differing signature algorithms) are still shown, with each problem and the rule it breaks ' +
      '("problems" in --json); the exit status stays 0 unless --strict. Keys of algorithms mailpki does not use (DSA, GOST, ' +
      'X25519, other curves, ...) are described and marked unsupported; signatures mailpki cannot check are "not checked".',
  ],
  positionals: { min: 1, max: 1, name: 'FILE (- for standard input)' },
  options: {
    json: { type: 'boolean', desc: 'machine-readable output (a JSON array, one object per item)' },
    ...passphraseOptions('', 'passphrase of a PKCS#12 file'),
    strict: { type: 'boolean', desc: 'exit 1 when any item has problems (rules broken that the tolerant reading went past)' },
  },
  exclusive: [['passphrase-file', 'passphrase-env']],
  examples: [
    'mailpki inspect /etc/postfix/mail.chain.pem',
    'mailpki inspect mail.csr --json',
    'mailpki inspect ca.crl            # a CRL (PEM "X509 CRL" or DER): issuer, number, next update, revoked serials',
    'mailpki inspect alice.p12 --passphrase-file p12.pass',
    'mailpki inspect --strict vendor-cert.pem   # exit 1 if it breaks any rule',
    'openssl s_client -connect mail.example.com:993 -showcerts </dev/null | mailpki inspect -',
  ],
  async run(ctx) {
    const path = ctx.positionals[0]!;
    const input = await readInput(path);
    const items = typeof input === 'string' ? inspectPem(input) : isPkcs12(input) ? (await inspectPkcs12(ctx, path, input)).map((i) => ({ problems: [], ...i })) : [inspectDer(input)];
    if (flag(ctx, 'json')) {
      ctx.io.out(`${escapeTerminal(JSON.stringify(items.map((i) => i.json), jsonReplacer, 2), 'json')}\n`);
    } else {
      ctx.io.out(escapeTerminal(items.map((i, n) => (items.length > 1 ? `[${n + 1}/${items.length}] ${i.text}` : i.text)).join('\n'), 'text'));
    }
    if (flag(ctx, 'strict') && items.some((i) => i.problems.length)) {
      const n = items.reduce((a, i) => a + i.problems.length, 0);
      ctx.io.err(`mailpki inspect: ${n} problem${n === 1 ? '' : 's'} found (--strict)\n`);
      return 1;
    }
  },
};

interface Item {
  text: string;
  json: unknown;
  /** Rules the item breaks (tolerant reading); empty when none. */
  problems: readonly ParseProblem[];
}

function inspectPem(text: string): Item[] {
  const blocks = parsePemBlocks(text);
  return blocks.map((b) => inspectBlock(b));
}

function inspectBlock(b: PemBlock): Item {
  if (CERT_LABELS.includes(b.label)) return certItem(b.der, b.label === 'TRUSTED CERTIFICATE');
  if (CSR_LABELS.includes(b.label)) return csrItem(b.der);
  if (CRL_LABELS.includes(b.label)) return crlItem(b.der);
  if (b.label === 'ENCRYPTED PRIVATE KEY') return encryptedItem('PKCS#8', describePbes2(b.der));
  if (KEY_LABELS.includes(b.label)) {
    const procType = b.headers.find(([k]) => k.toLowerCase() === 'proc-type')?.[1] ?? '';
    if (/ENCRYPTED/i.test(procType)) {
      const cipher = (b.headers.find(([k]) => k.toLowerCase() === 'dek-info')?.[1] ?? '').split(',')[0];
      return encryptedItem(`legacy OpenSSL PEM (${b.label})`, cipher || undefined);
    }
    if (b.label === 'DSA PRIVATE KEY' || (b.label === 'PRIVATE KEY' && isDsaPkcs8(b.der))) return dsaItem(describeDsaPrivateKey(b.der), b.label);
    try {
      return privateItem(parsePrivateKey(encodePem(b.label, b.der)), b.label);
    } catch (e) {
      // A well-formed key of an algorithm or curve we do not use (X25519, brainpool, ...): described, not an error.
      if (isMailPkiError(e, 'ERR_KEY_UNSUPPORTED')) return unsupportedPrivateItem(b.label, e.message);
      throw e;
    }
  }
  if (PUB_LABELS.includes(b.label)) return publicItem(parsePublicKey(encodePem(b.label, b.der)));
  throw new MailPkiError('ERR_PEM_LABEL', `unsupported PEM block "${escapeTerminal(b.label)}" (expected a certificate, CSR, CRL or key)`);
}

function inspectDer(der: Uint8Array): Item {
  const attempts: Array<() => Item> = [
    () => certItem(der),
    () => csrItem(der),
    () => crlItem(der),
    () => (isDsaPkcs8(der) ? dsaItem(describeDsaPrivateKey(der), 'DER') : privateItem(parsePrivateKey(der), 'DER')),
    () => dsaItem(describeDsaPrivateKey(der), 'DER'),
    () => publicItem(parsePublicKey(der)),
  ];
  let first: unknown;
  for (const a of attempts) {
    try {
      return a();
    } catch (e) {
      first ??= e;
    }
  }
  if (first instanceof MailPkiError) {
    throw new MailPkiError(first.code, `not a certificate, CSR, CRL or key (as a certificate: ${first.message})`);
  }
  throw first;
}

function certItem(der: Uint8Array, trusted = false): Item {
  const { certificate: cert, problems: found } = parseCertificateTolerant(der);
  // OpenSSL's TRUSTED CERTIFICATE carries its trust settings after the certificate: expected, not a problem.
  const problems = trusted ? found.filter((p) => !/bytes after the certificate/.test(p.message)) : found;
  return {
    text: inspectCertificate(cert) + formatProblems(problems),
    // inspect does not check a certificate's signature (that needs its issuer: mailpki verify); it says whether it could.
    json: { kind: 'certificate', ...(certificateToJson(cert) as object), signatureSupported: signatureNotCheckedReason(cert.signatureAlgorithm) === undefined, problems },
    problems,
  };
}

function crlItem(der: Uint8Array): Item {
  const crl = parseCrl(der);
  return { text: inspectCrl(crl), json: { kind: 'crl', ...crlToJson(crl) }, problems: [] };
}

function csrItem(der: Uint8Array): Item {
  const { request: csr, problems } = parseCertificateRequestTolerant(der);
  // "not checked" (an algorithm or key mailpki does not verify) is not "invalid".
  let status: 'valid' | 'invalid' | 'not checked' = 'valid';
  let reason = signatureNotCheckedReason(csr.signatureAlgorithm, csr.publicKey) ?? '';
  if (reason) status = 'not checked';
  else {
    try {
      verifyCertificateRequest(csr);
    } catch (e) {
      status = 'invalid';
      reason = e instanceof MailPkiError ? e.code : 'error';
    }
  }
  const line = status === 'valid' ? 'signature valid' : status === 'invalid' ? `signature INVALID (${reason})` : `not checked (${reason})`;
  const text = inspectCertificateRequest(csr).replace(/\n?$/, '\n') + `  Proof of possession: ${line}\n` + formatProblems(problems);
  return {
    text,
    json: { kind: 'csr', ...certificateRequestToJson(csr), signatureValid: status === 'not checked' ? null : status === 'valid', signatureStatus: status, ...(status === 'valid' ? {} : { signatureReason: reason }), problems },
    problems,
  };
}

function unsupportedPrivateItem(label: string, reason: string): Item {
  return {
    text: `Private key: not supported by mailpki (${label}): ${reason}\n`,
    json: { kind: 'private-key', supported: false, reason, encrypted: false, problems: [] },
    problems: [],
  };
}

function dsaItem(info: DsaKeyInfo, label: string): Item {
  const fp = spkiSha256(info.publicKey);
  const key = `DSA ${info.L} (L=${info.L}, N=${info.N})`;
  return {
    text: `Private key: ${key}, unencrypted (${label}); DSA signing is not supported by mailpki\n  SPKI SHA-256: ${fp}\n`,
    json: { kind: 'private-key', key, algorithm: 'DSA', L: info.L, N: info.N, supported: false, encrypted: false, spkiSha256: fp, problems: [] },
    problems: [],
  };
}

/** The PBES2 parameters, readable without the passphrase (never the salt or IV). */
function describePbes2(der: Uint8Array): string {
  let info: ReturnType<typeof parseEncryptedPkcs8Info>;
  try {
    info = parseEncryptedPkcs8Info(der);
  } catch (e) {
    // A well-formed key in a scheme we do not decrypt (PBES1, ...) is still described; malformed DER is an error.
    if (isMailPkiError(e, 'ERR_ENCRYPTION_UNSUPPORTED')) return `unsupported scheme: ${e.message}`;
    throw e;
  }
  const { kdf, cipher } = info.params;
  const how = kdf.type === 'pbkdf2' ? `PBKDF2-HMAC-${kdf.prf.replace('hmacWith', '')}, ${kdf.iterations} iterations` : `scrypt N=${kdf.N} r=${kdf.r} p=${kdf.p}`;
  return `PBES2 (${how}, ${cipher.toUpperCase()})`;
}

function encryptedItem(format: string, cipher: string | undefined): Item {
  return {
    text: `Encrypted private key: ${format}${cipher ? `, ${cipher}` : ''} (not decrypted)\n`,
    json: { kind: 'encrypted-private-key', format, ...(cipher ? { cipher } : {}) },
    problems: [],
  };
}

function privateItem(key: PrivateKey, label: string): Item {
  const fp = spkiSha256(getPublicKey(key));
  return {
    text: `Private key: ${describeKey(key)}, unencrypted (${label === 'DER' ? 'DER' : label})\n  SPKI SHA-256: ${fp}\n`,
    json: { kind: 'private-key', key: describeKey(key), encrypted: false, spkiSha256: fp },
    problems: [],
  };
}

function publicItem(key: PublicKey): Item {
  const fp = spkiSha256(key);
  const unsupported = key.type === 'opaque' ? ` (not supported: ${key.reason})` : '';
  return {
    text: `Public key: ${describeKey(key)}${unsupported}\n  SPKI SHA-256: ${fp}\n`,
    json: {
      kind: 'public-key',
      key: describeKey(key),
      supported: key.type !== 'opaque',
      ...(key.type === 'opaque' ? { algorithm: key.algorithm, oid: key.oid, bits: key.bits ?? null, reason: key.reason } : {}),
      spkiSha256: fp,
    },
    problems: [],
  };
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return toHex(v);
  return v;
}
