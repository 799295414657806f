/**
 * Reading X.509 certificates (RFC 5280 4.1): v1, v2 and v3, PEM or DER,
 * one or a bundle (keys and other blocks in the same file are skipped).
 *
 * Parsed objects keep the exact bytes they came from (`der`, `tbs`, `spki`,
 * names) so chains and signatures are checked over what was read. Every
 * extension is kept raw; the RFC 5280 ones are also decoded.
 * Out of scope: chain building and validation (chain.ts, verify.ts).
 */
import { MailPkiError, wrapDecode } from '../errors.js';
import {
  type DerNode,
  contentBytes,
  contextTag,
  decodeDerTolerant,
  rawDer,
  readBitStringBytes,
  readBigInt,
  readExplicit,
  readSequence,
  readSmallInt,
} from '../encoding/der.js';
import { encodePem, latin1, looksLikePem, parsePemBlocks } from '../encoding/pem.js';
import { toHex, equalBytes } from '../encoding/bytes.js';
import { parseSignatureAlgorithmId } from '../crypto/algorithm-id.js';
import { parseSpkiNode } from '../keys/spki.js';
import type { Certificate, Extension } from './types.js';
import { readName } from './name.js';
import { readTime } from './time.js';
import { decodeExtensions, readExtensions } from './extensions.js';

// 'TRUSTED CERTIFICATE' (OpenSSL's cert + trust aux data) is not read: its DER carries a trailer.
const CERT_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE'];

/**
 * Parse one DER certificate.
 * @throws MailPkiError `ERR_CERT_MALFORMED` (and the DER/extension codes)
 * @internal
 */
export function parseCertificateDer(der: Uint8Array): Certificate {
  return wrapDecode('ERR_CERT_MALFORMED', 'certificate', () => {
    const root = decodeDerTolerant(der, 'certificate');
    const [tbsNode, algNode, sigNode] = readSequence(root, 'Certificate', 3, 3) as [DerNode, DerNode, DerNode];
    const f = readSequence(tbsNode, 'TBSCertificate', 6, 10);
    let i = 0;
    let version = 1;
    if (contextTag(f[0]) === 0) {
      version = readSmallInt(readExplicit(f[0], 0, 'TBSCertificate version'), 'TBSCertificate version', 2) + 1;
      i = 1;
    }
    const serialNode = f[i++];
    const serialNumber = readBigInt(serialNode, 'serialNumber');
    const serialHex = toHex(contentBytes(serialNode!));
    const innerAlg = f[i++]!;
    const issuer = readName(f[i++], 'issuer');
    const [nb, na] = readSequence(f[i++], 'validity', 2, 2);
    const notBefore = readTime(nb, 'notBefore');
    const notAfter = readTime(na, 'notAfter');
    const subject = readName(f[i++], 'subject');
    const spkiNode = f[i++]!;
    const publicKey = parseSpkiNode(spkiNode);
    let extensions: Extension[] = [];
    let lastTag = 0;
    for (; i < f.length; i++) {
      const tag = contextTag(f[i]);
      if (tag <= lastTag || tag > 3) throw new MailPkiError('ERR_CERT_MALFORMED', 'TBSCertificate: unexpected field after subjectPublicKeyInfo');
      lastTag = tag;
      if (tag === 3) {
        if (version !== 3) throw new MailPkiError('ERR_CERT_MALFORMED', 'extensions in a certificate that is not v3 (RFC 5280 4.1.2.9)');
        extensions = readExtensions(readExplicit(f[i], 3, 'extensions'), 'extensions');
      } // issuerUniqueID [1] / subjectUniqueID [2]: read and ignored (RFC 5280 4.1.2.8)
    }
    const outer = rawDer(algNode);
    if (!equalBytes(outer, rawDer(innerAlg))) {
      throw new MailPkiError('ERR_CERT_MALFORMED', 'signatureAlgorithm differs from TBSCertificate.signature (RFC 5280 4.1.1.2)');
    }
    const { info } = parseSignatureAlgorithmId(algNode);
    const bytes = Uint8Array.from(der);
    return {
      version,
      serialNumber,
      serialHex,
      signatureAlgorithm: info,
      issuer,
      subject,
      notBefore,
      notAfter,
      publicKey,
      spki: rawDer(spkiNode),
      extensions,
      decoded: decodeExtensions(extensions),
      tbs: rawDer(tbsNode),
      signature: readBitStringBytes(sigNode, 'signatureValue'),
      der: bytes,
      pem: encodePem('CERTIFICATE', bytes),
    };
  });
}

/** A SEQUENCE header whose definite length covers exactly `b` (DER of one certificate, never PEM text): skips the PEM sniff. */
function isOneDerSequence(b: Uint8Array): boolean {
  if (b.length < 2 || b[0] !== 0x30) return false;
  const l = b[1]!;
  if (l < 0x80) return b.length === 2 + l;
  const n = l & 0x7f;
  if (n < 1 || n > 3 || b.length < 2 + n) return false;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i]!;
  return b.length === 2 + n + len;
}

/**
 * Parse every certificate in `input`: a PEM text (any number of
 * `CERTIFICATE` blocks, in order; private keys and other blocks are
 * skipped) or DER bytes of one certificate.
 * @throws MailPkiError `ERR_NO_CERTIFICATE` when there is none; the parse
 *   codes of {@link parseCertificate} for a bad one.
 * @example
 * ```ts
 * const chain = parseCertificates(readFileSync('fullchain.pem', 'utf8'));
 * ```
 * @public
 */
export function parseCertificates(input: string | Uint8Array): Certificate[] {
  let text: string | undefined;
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array) {
    if (isOneDerSequence(input)) return [parseCertificateDer(input)];
    if (looksLikePem(input)) text = latin1(input);
    else return [parseCertificateDer(input)];
  } else throw new TypeError('parseCertificates: input must be a PEM string or DER bytes');
  let blocks;
  try {
    blocks = parsePemBlocks(text);
  } catch (e) {
    if (e instanceof MailPkiError && e.code === 'ERR_PEM_NOT_FOUND') throw new MailPkiError('ERR_NO_CERTIFICATE', 'no certificate found in the input (expected PEM "CERTIFICATE" blocks or DER)');
    throw e;
  }
  const certs = blocks.filter((b) => CERT_LABELS.includes(b.label)).map((b) => parseCertificateDer(b.der));
  if (!certs.length) throw new MailPkiError('ERR_NO_CERTIFICATE', `no certificate found in the input (PEM blocks: ${blocks.map((b) => b.label).join(', ') || 'none'})`);
  return certs;
}

/**
 * Parse the first certificate of a PEM text, or DER bytes.
 * @throws MailPkiError `ERR_NO_CERTIFICATE`, `ERR_PEM_MALFORMED`,
 *   `ERR_DER_*`, `ERR_CERT_MALFORMED`, `ERR_EXTENSION_INVALID`,
 *   `ERR_NAME_INVALID`, `ERR_KEY_UNSUPPORTED`.
 * @example
 * ```ts
 * const cert = parseCertificate(pem);
 * cert.decoded.subjectAltName; // [{ type: 'dns', value: 'mail.example.com' }]
 * ```
 * @public
 */
export function parseCertificate(input: string | Uint8Array): Certificate {
  return parseCertificates(input)[0]!;
}

