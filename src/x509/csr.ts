/**
 * PKCS#10 certification requests (RFC 2986), with the extensionRequest
 * (RFC 2985 5.4.2) carrying the SANs, and the challengePassword attribute
 * (RFC 2985 5.4.1).
 *
 * Kept light on purpose: this file and what it imports go into the browser
 * CSR bundle (54 KB gz budget), so no pkijs here.
 * Out of scope: issuing (issue.ts), attributes other than the two above
 * (read raw, never written).
 */
import { MailPkiError, wrapDecode } from '../errors.js';
import { OID, oidName } from '../oid.js';
import {
  type Asn1Node,
  type DerNode,
  decodeDerTolerant,
  derBitString,
  derImplicitChildren,
  derInt,
  derOid,
  derPrintable,
  derRaw,
  derSeq,
  derSet,
  derUtf8,
  encodeDer,
  rawDer,
  readBitStringBytes,
  readOid,
  readSequence,
  readSet,
  readSmallInt,
  readString,
  TAG_CLASS,
} from '../encoding/der.js';
import { encodePem, latin1, looksLikePem, parsePemBlock } from '../encoding/pem.js';
import { equalBytes } from '../encoding/bytes.js';
import { type SignatureAlgorithm, defaultSignatureAlgorithm, sign, verify } from '../crypto/sign.js';
import { checkAlgorithmMatchesKey, encodeSignatureAlgorithmId, parseSignatureAlgorithmId, signatureAlgorithmInfo } from './algorithm-id.js';
import type { RandomSource } from '../crypto/random.js';
import { encodeSpki } from '../keys/spki.js';
import { getPublicKey } from '../keys/public-key.js';
import type { PrivateKey } from '../crypto/key-types.js';
import type { CertificateRequest, Extension, NameInput, SanInput } from './types.js';
import { encodeName, parseName, readName } from './name.js';
import { toGeneralName } from './general-name.js';
import { encodeExtensions, subjectAltNameExtension } from './extensions.js';
import { type ParseProblem, addProblem, readingSteps } from './problems.js';

/** Options of {@link createCertificateRequest}. @public */
export interface CreateCertificateRequestOptions {
  /** Subject name (object, OpenSSL `/C=..`, RFC 4514 string, or parsed). May be empty when `sans` is given. */
  readonly subject: NameInput;
  /** subjectAltNames, auto-typed strings (DNS, IP, email, URI) or explicit GeneralNames. Default none. */
  readonly sans?: readonly SanInput[];
  /** The key the CSR proves possession of; any supported type (RSA, EC P-256/384/521, Ed25519). */
  readonly privateKey: PrivateKey;
  /** Default: {@link defaultSignatureAlgorithm} (SHA-256; SHA-384 for P-384, SHA-512 for P-521). */
  readonly signatureAlgorithm?: SignatureAlgorithm;
  /** challengePassword attribute (RFC 2985 5.4.1); rarely needed, never printed by inspect. */
  readonly challengePassword?: string;
  /** Extra extensions to request (raw); SAN comes from `sans`. */
  readonly extensions?: readonly Extension[];
  /** Random source for signing (tests only). */
  readonly rng?: RandomSource;
}

const PRINTABLE_RE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** SET OF in DER order (X.690 11.6). */
function sortedSetOf(items: Asn1Node[]): Asn1Node[] {
  return items.map((n) => encodeDer(n)).sort(compareBytes).map((b) => derRaw(b));
}

/**
 * Create and sign a PKCS#10 certification request.
 *
 * The SANs go in an extensionRequest attribute; a CA that follows
 * DESIGN.md §4 copies them and decides everything else itself.
 *
 * @returns the request (`der`, `pem`, fields). It is built from the inputs,
 *   not re-parsed, so the browser CSR bundle carries no decoders: `decoded`
 *   holds the SANs only; raw `extensions` given in the options are listed in
 *   `extensions` (parse `der` to decode them).
 * @throws MailPkiError `ERR_NAME_INVALID`, `ERR_SAN_INVALID`, `ERR_POLICY`
 *   (neither subject nor SAN), `ERR_KEY_TOO_SMALL`, signing errors.
 * @example
 * ```ts
 * const { privateKey } = await generateKeyPair({ type: 'ec', curve: 'P-256' });
 * const csr = createCertificateRequest({
 *   subject: { CN: 'mail.example.com' },
 *   sans: ['mail.example.com', 'smtp.example.com'],
 *   privateKey,
 * });
 * console.log(csr.pem);
 * ```
 * @public
 */
export function createCertificateRequest(options: CreateCertificateRequestOptions): CertificateRequest {
  if (!options || typeof options !== 'object') throw new TypeError('createCertificateRequest: options object required');
  const { privateKey } = options;
  if (!privateKey || privateKey.kind !== 'private') throw new TypeError('privateKey: a private key object is required');
  const subject = parseName(options.subject ?? '');
  const sans = (options.sans ?? []).map(toGeneralName);
  if (subject.rdns.length === 0 && sans.length === 0) throw new MailPkiError('ERR_POLICY', 'a CSR needs a subject or at least one subjectAltName');
  const alg = options.signatureAlgorithm ?? defaultSignatureAlgorithm(privateKey);
  const publicKey = getPublicKey(privateKey);
  const spki = encodeSpki(publicKey);

  const exts: Extension[] = [];
  // RFC 5280 4.2.1.6: with an empty subject the SAN must be critical.
  if (sans.length) exts.push(subjectAltNameExtension(sans, subject.rdns.length === 0));
  exts.push(...(options.extensions ?? []));
  const attrs: Asn1Node[] = [];
  if (exts.length) attrs.push(derSeq(derOid(OID.extensionRequest), derSet(encodeExtensions(exts))));
  if (options.challengePassword !== undefined) {
    const pw = options.challengePassword;
    if (typeof pw !== 'string') throw new TypeError('challengePassword must be a string');
    if (pw.length === 0 || [...pw].length > 255) throw new MailPkiError('ERR_POLICY', 'challengePassword must be 1..255 characters (RFC 2985 5.4.1)');
    // DirectoryString: PrintableString when it fits (as OpenSSL writes it), else UTF8String.
    attrs.push(derSeq(derOid(OID.challengePassword), derSet(PRINTABLE_RE.test(pw) ? derPrintable(pw) : derUtf8(pw))));
  }
  const cri = derSeq(
    derInt(0), // RFC 2986 4.1: version 0 (v1)
    encodeName(subject),
    derRaw(spki),
    derImplicitChildren(0, sortedSetOf(attrs)), // attributes [0] IMPLICIT SET OF, always present
  );
  const tbs = encodeDer(cri);
  const signature = sign(privateKey, tbs, alg, options.rng ? { rng: options.rng } : {});
  const der = encodeDer(derSeq(derRaw(tbs), encodeSignatureAlgorithmId(alg), derBitString(signature)));
  // Built from what we encoded, not re-parsed: the browser CSR bundle then
  // carries no decoders (DESIGN.md §1.4). Tests check it equals the parse.
  const out: CertificateRequest = {
    version: 1,
    subject,
    publicKey,
    spki,
    extensions: exts,
    decoded: sans.length ? { subjectAltName: sans } : {},
    ...(options.challengePassword !== undefined ? { challengePassword: options.challengePassword } : {}),
    attributes: [],
    signatureAlgorithm: signatureAlgorithmInfo(alg),
    tbs,
    signature,
    der,
    pem: encodePem('CERTIFICATE REQUEST', der),
  };
  return out;
}

/** PEM or DER input -> DER bytes of the first block with one of `labels`. */
function inputDer(input: string | Uint8Array, labels: readonly string[], what: string): Uint8Array {
  if (typeof input === 'string') return parsePemBlock(input, labels).der;
  if (!(input instanceof Uint8Array)) throw new TypeError(`${what}: input must be a PEM string or DER bytes`);
  if (looksLikePem(input)) return parsePemBlock(latin1(input), labels).der;
  return input;
}

/**
 * Parse a PKCS#10 request: PEM (`CERTIFICATE REQUEST` or `NEW CERTIFICATE
 * REQUEST`) or DER. Reads OpenSSL's requests with or without SANs and with
 * a challengePassword. Does not check the signature: see
 * {@link verifyCertificateRequest}.
 * @throws MailPkiError `ERR_PEM_*`, `ERR_DER_*`, `ERR_ASN1_STRUCTURE`,
 *   `ERR_NAME_INVALID`, `ERR_EXTENSION_INVALID`, `ERR_KEY_UNSUPPORTED`.
 * @example
 * ```ts
 * const csr = parseCertificateRequest(readFileSync('mail.csr', 'utf8'));
 * verifyCertificateRequest(csr);
 * ```
 * @public
 */
export function parseCertificateRequest(input: string | Uint8Array): CertificateRequest {
  const der = inputDer(input, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'], 'parseCertificateRequest');
  return readRequest(der, undefined);
}

/**
 * Read a CSR for inspection: what {@link parseCertificateRequest} reads,
 * plus requests that break rules other tools read past (BER such as a
 * long-form length in an attribute, bytes after the request, a repeated or
 * undecodable requested extension, a malformed attribute, a version other
 * than 1, a key that does not validate), each listed in `problems` with its
 * rule. Never issue from the result: issuance parses strictly.
 * @returns the request and the problems (empty for a request the strict parser reads).
 * @throws MailPkiError as {@link parseCertificateRequest} for what cannot be read at all.
 * @example
 * ```ts
 * const { request, problems } = parseCertificateRequestTolerant(pem);
 * ```
 * @public
 */
export function parseCertificateRequestTolerant(input: string | Uint8Array): { request: CertificateRequest; problems: ParseProblem[] } {
  const der = inputDer(input, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'], 'parseCertificateRequestTolerant');
  const problems: ParseProblem[] = [];
  const request = readRequest(der, problems);
  return { request, problems };
}

/** The one CSR reader: strict without `problems`, tolerant for inspection with it (see certificate.ts). */
function readRequest(input: Uint8Array, problems: ParseProblem[] | undefined): CertificateRequest {
  return wrapDecode('ERR_ASN1_STRUCTURE', 'certificate request', () => {
    const step = readingSteps(problems);
    const { root, der } = step.decode(input, 'certificate request');
    const [criNode, algNode, sigNode] = readSequence(root, 'CertificationRequest', 3, 3) as [DerNode, DerNode, DerNode];
    const cri = readSequence(criNode, 'CertificationRequestInfo', 3, 4);
    const version = readSmallInt(cri[0], 'CertificationRequestInfo version', 10);
    if (version !== 0) {
      const why = `CertificationRequestInfo version ${version + 1} is not v1`;
      if (!problems) throw new MailPkiError('ERR_ASN1_STRUCTURE', `${why} (RFC 2986 4.1)`);
      addProblem(problems, 'RFC 2986 4.1', why);
    }
    const subject = readName(cri[1], 'CSR subject');
    const spkiNode = cri[2]!;
    const publicKey = step.publicKey(spkiNode);
    let extensions: Extension[] = [];
    let challengePassword: string | undefined;
    const attributes: Array<{ oid: string; der: Uint8Array }> = [];
    if (cri[3] !== undefined) {
      const attrs = cri[3];
      if (attrs.cls !== TAG_CLASS.context || attrs.tag !== 0 || !attrs.children) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'CSR attributes: expected [0] IMPLICIT SET');
      for (const attr of attrs.children) {
        const [typeNode, valuesNode] = readSequence(attr, 'CSR attribute', 2, 2);
        const oid = readOid(typeNode, 'CSR attribute type');
        try {
          const values = readSet(valuesNode, 'CSR attribute values', 1);
          if (oid === OID.extensionRequest) {
            if (values.length !== 1) throw new MailPkiError('ERR_ASN1_STRUCTURE', 'extensionRequest: expected one value');
            if (readSequence(values[0], 'extensionRequest').length) {
              extensions = step.extensions(values[0], 'extensionRequest');
            }
          } else if (oid === OID.challengePassword) {
            challengePassword = readString(values[0], 'challengePassword').value;
          } else attributes.push({ oid, der: rawDer(attr) });
        } catch (e) {
          if (!problems || !(e instanceof MailPkiError)) throw e;
          addProblem(problems, 'RFC 2985 5.4', `attribute ${oidName(oid)} does not decode (kept raw): ${e.message}`); // tolerant
          attributes.push({ oid, der: rawDer(attr) });
        }
      }
    } else if (!problems) {
      throw new MailPkiError('ERR_ASN1_STRUCTURE', 'CertificationRequestInfo: attributes [0] missing (RFC 2986 4.1)');
    } else addProblem(problems, 'RFC 2986 4.1', 'CertificationRequestInfo: attributes [0] missing');
    const parsedAlg = step.signatureAlgorithm(algNode);
    const { info } = parsedAlg;
    const algorithm = 'algorithm' in parsedAlg ? parsedAlg.algorithm : undefined;
    const signature = readBitStringBytes(sigNode, 'CSR signature');
    const decoded = step.decodeExtensions(extensions);
    const out: CertificateRequest = {
      version: version + 1,
      subject,
      publicKey,
      spki: rawDer(spkiNode),
      extensions,
      decoded,
      ...(challengePassword !== undefined ? { challengePassword } : {}),
      attributes,
      signatureAlgorithm: info,
      tbs: rawDer(criNode),
      signature,
      der: Uint8Array.from(der),
      pem: encodePem('CERTIFICATE REQUEST', der),
    };
    if (!problems) PARSED_ALGORITHM.set(out, { der: Uint8Array.from(der), info, algorithm });
    return out;
  });
}

/**
 * The signature algorithm read while parsing, per returned object, with a
 * private copy of the DER it came from: verifyCertificateRequest uses it
 * instead of decoding the whole request again when the object's `der` still
 * holds those bytes (compared byte for byte), and decodes otherwise.
 */
const PARSED_ALGORITHM = new WeakMap<CertificateRequest, { der: Uint8Array; info: ReturnType<typeof parseSignatureAlgorithmId>['info']; algorithm: SignatureAlgorithm | undefined }>();

function requestAlgorithm(csr: CertificateRequest): ReturnType<typeof parseSignatureAlgorithmId> {
  const cached = PARSED_ALGORITHM.get(csr);
  if (cached && equalBytes(cached.der, csr.der)) return cached.algorithm ? { info: cached.info, algorithm: cached.algorithm } : { info: cached.info };
  const root = decodeDerTolerant(csr.der, 'certificate request');
  const algNode = readSequence(root, 'CertificationRequest', 3, 3)[1]!;
  return parseSignatureAlgorithmId(algNode);
}

/**
 * Check the request's self-signature (proof of possession of the private
 * key, RFC 2986 3).
 * @throws MailPkiError `ERR_CSR_SIGNATURE` when the signature does not verify,
 *   or its algorithm is weak (SHA-1, MD5) or unknown, or does not fit the key;
 *   `ERR_KEY_UNSUPPORTED` when the key is an opaque one (DSA, GOST, ...).
 * @example
 * ```ts
 * verifyCertificateRequest(parseCertificateRequest(pem)); // throws if forged
 * ```
 * @public
 */
export function verifyCertificateRequest(csr: CertificateRequest): void {
  if (!csr || !(csr.der instanceof Uint8Array)) throw new TypeError('verifyCertificateRequest: a parsed CertificateRequest is required');
  const key = csr.publicKey;
  // An opaque key (DSA, GOST, ...): the proof of possession cannot be checked, which is not a forgery.
  if (key.type === 'opaque') throw new MailPkiError('ERR_KEY_UNSUPPORTED', `the CSR's key is ${key.algorithm}, which mailpki cannot verify with (${key.reason})`);
  const { info, algorithm } = requestAlgorithm(csr);
  if (!algorithm) throw new MailPkiError('ERR_CSR_SIGNATURE', `CSR is signed with ${info.name}, which mailpki does not accept (weak or unsupported)`);
  let ok = false;
  try {
    checkAlgorithmMatchesKey(algorithm, key);
    ok = verify(key, csr.tbs, csr.signature, algorithm);
  } catch (e) {
    throw new MailPkiError('ERR_CSR_SIGNATURE', `CSR signature cannot be checked: ${e instanceof Error ? e.message : 'invalid'}`, { cause: e });
  }
  if (!ok) throw new MailPkiError('ERR_CSR_SIGNATURE', 'CSR signature does not verify: the request was altered or not signed by the key it contains');
}
