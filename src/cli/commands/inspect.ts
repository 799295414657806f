/** `mailpki inspect`: show certificates, chains, CSRs and keys; encrypted keys are described, never decrypted. */
import { MailPkiError, isMailPkiError } from '../../errors.js';
import { parsePemBlocks, type PemBlock } from '../../encoding/pem.js';
import { describeKey, getPublicKey, parseEncryptedPkcs8Info, parsePrivateKey, parsePublicKey } from '../../keys/index.js';
import {
  certificateRequestToJson,
  certificateToJson,
  crlToJson,
  inspectCertificate,
  inspectCrl,
  parseCrl,
  inspectCertificateRequest,
  parseCertificate,
  parseCertificateRequest,
  spkiSha256,
  verifyCertificateRequest,
} from '../../x509/index.js';
import type { CertificateRequest } from '../../x509/types.js';
import type { PrivateKey, PublicKey } from '../../keys/types.js';
import { encodePem } from '../../encoding/pem.js';
import { toHex } from '../../encoding/bytes.js';
import { flag, type CommandSpec } from '../args.js';
import { readInput } from '../io.js';

const CERT_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'];
const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'];
const KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];
const PUB_LABELS = ['PUBLIC KEY', 'RSA PUBLIC KEY'];
const CRL_LABELS = ['X509 CRL', 'CRL'];

export const spec: CommandSpec = {
  name: 'inspect',
  summary: 'Show what a file holds: certificates (a whole chain), CSRs, CRLs, private and public keys.',
  usage: ['inspect FILE [--json]'],
  description: [
    'PEM (any number of blocks, text around them ignored) or DER. Encrypted private keys are shown as such without asking for ' +
      'the passphrase; private key material is never printed (only the algorithm, size and the SHA-256 of the public key).',
  ],
  positionals: { min: 1, max: 1, name: 'FILE (- for standard input)' },
  options: {
    json: { type: 'boolean', desc: 'machine-readable output (a JSON array, one object per item)' },
  },
  examples: [
    'mailpki inspect /etc/postfix/mail.chain.pem',
    'mailpki inspect mail.csr --json',
    'mailpki inspect ca.crl            # a CRL (PEM "X509 CRL" or DER): issuer, number, next update, revoked serials',
    'openssl s_client -connect mail.example.com:993 -showcerts </dev/null | mailpki inspect -',
  ],
  async run(ctx) {
    const path = ctx.positionals[0]!;
    const input = await readInput(path);
    const items = typeof input === 'string' ? inspectPem(input) : [inspectDer(input)];
    if (flag(ctx, 'json')) {
      ctx.io.out(`${JSON.stringify(items.map((i) => i.json), jsonReplacer, 2)}\n`);
    } else {
      ctx.io.out(items.map((i, n) => (items.length > 1 ? `[${n + 1}/${items.length}] ${i.text}` : i.text)).join('\n'));
    }
  },
};

interface Item {
  text: string;
  json: unknown;
}

function inspectPem(text: string): Item[] {
  const blocks = parsePemBlocks(text);
  return blocks.map((b) => inspectBlock(b));
}

function inspectBlock(b: PemBlock): Item {
  if (CERT_LABELS.includes(b.label)) return certItem(b.der);
  if (CSR_LABELS.includes(b.label)) return csrItem(parseCertificateRequest(b.der));
  if (CRL_LABELS.includes(b.label)) return crlItem(b.der);
  if (b.label === 'ENCRYPTED PRIVATE KEY') return encryptedItem('PKCS#8', describePbes2(b.der));
  if (KEY_LABELS.includes(b.label)) {
    const procType = b.headers.find(([k]) => k.toLowerCase() === 'proc-type')?.[1] ?? '';
    if (/ENCRYPTED/i.test(procType)) {
      const cipher = (b.headers.find(([k]) => k.toLowerCase() === 'dek-info')?.[1] ?? '').split(',')[0];
      return encryptedItem(`legacy OpenSSL PEM (${b.label})`, cipher || undefined);
    }
    return privateItem(parsePrivateKey(encodePem(b.label, b.der)), b.label);
  }
  if (PUB_LABELS.includes(b.label)) return publicItem(parsePublicKey(encodePem(b.label, b.der)));
  throw new MailPkiError('ERR_PEM_LABEL', `unsupported PEM block "${b.label}" (expected a certificate, CSR, CRL or key)`);
}

function inspectDer(der: Uint8Array): Item {
  const attempts: Array<() => Item> = [
    () => certItem(der),
    () => csrItem(parseCertificateRequest(der)),
    () => crlItem(der),
    () => privateItem(parsePrivateKey(der), 'DER'),
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

function certItem(der: Uint8Array): Item {
  const cert = parseCertificate(der);
  return { text: inspectCertificate(cert), json: { kind: 'certificate', ...(certificateToJson(cert) as object) } };
}

function crlItem(der: Uint8Array): Item {
  const crl = parseCrl(der);
  return { text: inspectCrl(crl), json: { kind: 'crl', ...crlToJson(crl) } };
}

function csrItem(csr: CertificateRequest): Item {
  let valid = true;
  let reason = '';
  try {
    verifyCertificateRequest(csr);
  } catch (e) {
    valid = false;
    reason = e instanceof MailPkiError ? e.code : 'error';
  }
  const text = inspectCertificateRequest(csr).replace(/\n?$/, '\n') + `  Proof of possession: ${valid ? 'signature valid' : `signature INVALID (${reason})`}\n`;
  return { text, json: { kind: 'csr', ...certificateRequestToJson(csr), signatureValid: valid } };
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
  };
}

function privateItem(key: PrivateKey, label: string): Item {
  const fp = spkiSha256(getPublicKey(key));
  return {
    text: `Private key: ${describeKey(key)}, unencrypted (${label === 'DER' ? 'DER' : label})\n  SPKI SHA-256: ${fp}\n`,
    json: { kind: 'private-key', key: describeKey(key), encrypted: false, spkiSha256: fp },
  };
}

function publicItem(key: PublicKey): Item {
  const fp = spkiSha256(key);
  return { text: `Public key: ${describeKey(key)}\n  SPKI SHA-256: ${fp}\n`, json: { kind: 'public-key', key: describeKey(key), spkiSha256: fp } };
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return toHex(v);
  return v;
}
