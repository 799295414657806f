/**
 * Reading X.509 certificates (RFC 5280 4.1): v1, v2 and v3, PEM or DER,
 * one or a bundle (keys and other blocks in the same file are skipped).
 *
 * Parsed objects keep the exact bytes they came from (`der`, `tbs`, `spki`,
 * names) so chains and signatures are checked over what was read. Every
 * extension is kept raw; the RFC 5280 ones are also decoded. A key of an
 * algorithm mailpki does not use is read as an opaque key (keys/spki.ts).
 * {@link parseCertificateTolerant} is the same reader for inspection: rules
 * that OpenSSL reads past become listed problems (problems.ts).
 * Out of scope: chain building and validation (chain.ts, verify.ts).
 */
import { MailPkiError, wrapDecode } from '../errors.js';
import {
  type DerNode,
  contentBytes,
  contextTag,
  rawDer,
  readBitStringBytes,
  readBigInt,
  readExplicit,
  readSequence,
  readSmallInt,
} from '../encoding/der.js';
import { encodePem, latin1, looksLikePem, parsePemBlocks } from '../encoding/pem.js';
import { toHex, equalBytes } from '../encoding/bytes.js';
import type { Certificate, Extension } from './types.js';
import { readName } from './name.js';
import { readTime } from './time.js';
import { type ParseProblem, addProblem, readingSteps } from './problems.js';

// 'TRUSTED CERTIFICATE' (OpenSSL's cert + trust aux data) is not read: its DER carries a trailer.
const CERT_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE'];

/**
 * Is `c` a parsed {@link Certificate} (from parseCertificate or an issuing
 * function)? The one guard for the functions that take certificates: DER,
 * SPKI, decoded extensions, subject and validity must all be there (a CSR
 * has no validity and is not one).
 * @internal
 */
export function isCertificate(c: unknown): c is Certificate {
  if (!c || typeof c !== 'object') return false;
  const x = c as Certificate;
  return x.der instanceof Uint8Array && x.spki instanceof Uint8Array && !!x.decoded && !!x.subject && x.notBefore instanceof Date && x.notAfter instanceof Date;
}

/**
 * Parse one DER certificate.
 * @throws MailPkiError `ERR_CERT_MALFORMED` (and the DER/extension codes)
 * @internal
 */
export function parseCertificateDer(der: Uint8Array): Certificate {
  return readCertificate(der, undefined);
}

/**
 * The one certificate reader. `problems` undefined: strict (every rule
 * below is an error). Given: the tolerant reading for inspection
 * (problems.ts), where the rules marked "tolerant" are recorded instead.
 */
function readCertificate(input: Uint8Array, problems: ParseProblem[] | undefined): Certificate {
  return wrapDecode('ERR_CERT_MALFORMED', 'certificate', () => {
    const step = readingSteps(problems);
    const { root, der } = step.decode(input, 'certificate'); // tolerant: bytes after the certificate are not part of it
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
    const publicKey = step.publicKey(spkiNode);
    let extensions: Extension[] = [];
    let lastTag = 0;
    for (; i < f.length; i++) {
      const tag = contextTag(f[i]);
      if (tag <= lastTag || tag > 3) throw new MailPkiError('ERR_CERT_MALFORMED', 'TBSCertificate: unexpected field after subjectPublicKeyInfo');
      lastTag = tag;
      if (tag === 3) {
        const why = 'extensions in a certificate that is not v3';
        if (version !== 3) {
          if (!problems) throw new MailPkiError('ERR_CERT_MALFORMED', `${why} (RFC 5280 4.1.2.9)`);
          addProblem(problems, 'RFC 5280 4.1.2.9', `${why} (v${version})`); // tolerant
        }
        const node = readExplicit(f[i], 3, 'extensions');
        extensions = step.extensions(node, 'extensions');
      } // issuerUniqueID [1] / subjectUniqueID [2]: read and ignored (RFC 5280 4.1.2.8)
    }
    const outer = rawDer(algNode);
    if (!equalBytes(outer, rawDer(innerAlg))) {
      const why = 'signatureAlgorithm differs from TBSCertificate.signature';
      if (!problems) throw new MailPkiError('ERR_CERT_MALFORMED', `${why} (RFC 5280 4.1.1.2)`);
      addProblem(problems, 'RFC 5280 4.1.1.2', why); // tolerant
    }
    const info = step.signatureAlgorithm(algNode).info;
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
      decoded: step.decodeExtensions(extensions),
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
 * Read one certificate for inspection: what {@link parseCertificate} reads,
 * plus certificates that break rules OpenSSL and other tools read past (the
 * same extension twice, an extension that does not decode, BER, bytes after
 * the certificate, differing signature algorithms, extensions in a v1
 * certificate, a key that does not validate), each listed in `problems`
 * with the rule it breaks. Never use the result to trust anything: verify
 * with {@link parseCertificate} (strict) and verifyCertificate.
 * @param input - PEM (the first `CERTIFICATE` block) or DER.
 * @returns the certificate and the problems (empty for a certificate the strict parser reads).
 * @throws MailPkiError as {@link parseCertificate} for what cannot be read at all.
 * @example
 * ```ts
 * const { certificate, problems } = parseCertificateTolerant(pem);
 * for (const p of problems) console.log(`${p.rule}: ${p.message}`);
 * ```
 * @public
 */
export function parseCertificateTolerant(input: string | Uint8Array): { certificate: Certificate; problems: ParseProblem[] } {
  const problems: ParseProblem[] = [];
  let der: Uint8Array;
  if (typeof input === 'string' || looksLikePem(input)) {
    const text = typeof input === 'string' ? input : latin1(input);
    const block = parsePemBlocks(text).find((b) => CERT_LABELS.includes(b.label));
    if (!block) throw new MailPkiError('ERR_NO_CERTIFICATE', 'no certificate found in the input (expected a PEM "CERTIFICATE" block or DER)');
    der = block.der;
  } else if (input instanceof Uint8Array) der = input;
  else throw new TypeError('parseCertificateTolerant: input must be a PEM string or DER bytes');
  const certificate = readCertificate(der, problems);
  return { certificate, problems };
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

