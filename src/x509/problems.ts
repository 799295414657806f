/**
 * Tolerant reading for inspection (`mailpki inspect`): the rules a
 * certificate or CSR may break and still be shown, each recorded as a
 * {@link ParseProblem} with the rule it breaks, instead of refusing the
 * whole file as the strict parsers (used for verification and issuance) do:
 * BER where DER is required (X.690 10-11), bytes after the element, the same
 * extension twice (RFC 5280 4.2), an extension whose value does not decode
 * (kept raw, not decoded), a signature algorithm with malformed parameters,
 * a public key that does not validate (kept as an opaque key).
 *
 * Bounds are the strict reader's: the same DER decoder (depth, node count),
 * the same size limits; every problem list is capped at MAX_PROBLEMS.
 * Out of scope: names and times that do not decode still fail the file.
 * The certificate and CSR readers take their steps from readingSteps(),
 * strict or tolerant, so the two readings cannot drift apart.
 * @internal
 */
import { MailPkiError } from '../errors.js';
import { type DerNode, decodeDer, decodeDerTolerant, rawDer, readOid, readSequence } from '../encoding/der.js';
import { parseSignatureAlgorithmId } from './algorithm-id.js';
import { opaqueFromSpkiNode, parseSpkiNode } from '../keys/spki.js';
import type { PublicKey } from '../crypto/key-types.js';
import { OID, oidName } from '../oid.js';
import type { SignatureAlgorithm } from '../crypto/sign.js';
import { decodeExtensions, readExtensions } from './extensions.js';
import type { DecodedExtensions, Extension, SignatureAlgorithmInfo } from './types.js';

/**
 * A rule a certificate or CSR breaks that the tolerant reading went past.
 * Shown by `mailpki inspect` as `rule: message`.
 * @public
 */
export interface ParseProblem {
  /** The rule broken, e.g. `RFC 5280 4.2` or `X.690 10.1`. */
  readonly rule: string;
  /** What is wrong (one line), e.g. `extension basicConstraints appears twice`. */
  readonly message: string;
}

/** At most this many problems are listed (a hostile file could make thousands). @internal */
export const MAX_PROBLEMS = 50;

/** Append a problem (ignored past MAX_PROBLEMS, with one last note). @internal */
export function addProblem(problems: ParseProblem[], rule: string, message: string): void {
  if (problems.length < MAX_PROBLEMS) problems.push({ rule, message });
  else if (problems.length === MAX_PROBLEMS) problems.push({ rule: 'mailpki', message: `more than ${MAX_PROBLEMS} problems; the rest are not listed` });
}

/** Length of the first element's encoding (definite lengths only), or -1. */
function firstElementLength(der: Uint8Array): number {
  let pos = 1;
  if (der.length < 2) return -1;
  if ((der[0]! & 0x1f) === 0x1f) {
    while (pos < der.length && der[pos]! & 0x80) pos++;
    pos++;
  }
  if (pos >= der.length) return -1;
  const l0 = der[pos++]!;
  if (l0 < 0x80) return pos + l0;
  const n = l0 & 0x7f;
  if (n === 0 || n > 4 || pos + n > der.length) return -1;
  let len = 0;
  for (let k = 0; k < n; k++) len = len * 256 + der[pos++]!;
  return pos + len <= der.length ? pos + len : -1;
}

/**
 * Decode for inspection: strict DER; BER (with a problem) when only the DER
 * rules fail; the first element (with a problem) when bytes follow it.
 * @internal
 */
export function decodeForInspection(der: Uint8Array, what: string, problems: ParseProblem[]): DerNode {
  try {
    return decodeDer(der, what);
  } catch (e) {
    if (!(e instanceof MailPkiError)) throw e;
    if (e.code === 'ERR_DER_NOT_CANONICAL') {
      addProblem(problems, 'X.690 10 (DER)', e.message.replace(/^[^:]*: /, `${what} is BER, not DER: `));
      return decodeDer(der, what, { strict: false });
    }
    if (e.code === 'ERR_DER_TRAILING_DATA') {
      const len = firstElementLength(der);
      if (len <= 0 || len >= der.length) throw e;
      addProblem(problems, 'RFC 5280 4.1', `${der.length - len} bytes after the ${what}, ignored`);
      return decodeForInspection(der.subarray(0, len), what, problems);
    }
    throw e;
  }
}

/** Extensions (RFC 5280 4.1 Extensions) as readExtensions reads them, a repeated OID being a problem instead of an error. @internal */
export function readExtensionsForInspection(node: DerNode | undefined, what: string, problems: ParseProblem[]): Extension[] {
  return readExtensions(node, what, (oid) => addProblem(problems, 'RFC 5280 4.2', `extension ${oidName(oid)} appears twice (only the first is decoded)`));
}

/** Where RFC 5280 defines each extension: the rule a malformed one breaks. */
const EXTENSION_RULES: Readonly<Record<string, string>> = {
  [OID.authorityKeyIdentifier]: 'RFC 5280 4.2.1.1',
  [OID.subjectKeyIdentifier]: 'RFC 5280 4.2.1.2',
  [OID.keyUsage]: 'RFC 5280 4.2.1.3',
  [OID.certificatePolicies]: 'RFC 5280 4.2.1.4',
  [OID.subjectAltName]: 'RFC 5280 4.2.1.6',
  [OID.basicConstraints]: 'RFC 5280 4.2.1.9',
  [OID.nameConstraints]: 'RFC 5280 4.2.1.10',
  [OID.extKeyUsage]: 'RFC 5280 4.2.1.12',
  [OID.crlDistributionPoints]: 'RFC 5280 4.2.1.13',
  [OID.authorityInfoAccess]: 'RFC 5280 4.2.2.1',
};

/** decodeExtensions, one extension at a time: one that does not decode is a problem and stays raw only; of a repeated one the first is decoded. @internal */
export function decodeExtensionsForInspection(exts: readonly Extension[], problems: ParseProblem[]): DecodedExtensions {
  const out: Record<string, unknown> = {};
  const done = new Set<string>();
  for (const e of exts) {
    if (done.has(e.oid)) continue;
    done.add(e.oid);
    try {
      Object.assign(out, decodeExtensions([e]));
    } catch (err) {
      if (!(err instanceof MailPkiError)) throw err;
      addProblem(problems, EXTENSION_RULES[e.oid] ?? 'RFC 5280 4.2', err.message.startsWith('extension') ? err.message : `extension ${e.name}: ${err.message}`);
    }
  }
  return out as DecodedExtensions;
}

/** The signature AlgorithmIdentifier; malformed parameters are a problem (the OID is still named). @internal */
export function signatureAlgorithmForInspection(node: DerNode, problems: ParseProblem[]): SignatureAlgorithmInfo {
  try {
    return parseSignatureAlgorithmId(node).info;
  } catch (e) {
    if (!(e instanceof MailPkiError)) throw e;
    const oid = readOid(readSequence(node, 'signature AlgorithmIdentifier', 1, 2)[0], 'signature AlgorithmIdentifier algorithm');
    addProblem(problems, 'RFC 5280 4.1.1.2', e.message);
    return { oid, name: oidName(oid) };
  }
}

/** The subject public key; one that does not validate (point off the curve, bad RSA numbers) becomes an opaque key and a problem. @internal */
export function publicKeyForInspection(node: DerNode, problems: ParseProblem[]): PublicKey {
  try {
    return parseSpkiNode(node);
  } catch (e) {
    if (!(e instanceof MailPkiError)) throw e;
    const key = opaqueFromSpkiNode(node, e.message);
    addProblem(problems, 'RFC 5280 4.1.2.7', `subjectPublicKeyInfo: ${e.message}`);
    return key;
  }
}

/**
 * The steps the certificate and the CSR reader share, chosen once: strict
 * (`problems` undefined: every rule is an error) or the tolerant reading for
 * inspection (the ...ForInspection functions above record what a rule breaks).
 * @internal
 */
export interface ReadingSteps {
  /** The outer element, and the bytes it stands for (tolerant: bytes after it are not part of it). */
  decode(input: Uint8Array, what: string): { root: DerNode; der: Uint8Array };
  /** subjectPublicKeyInfo. */
  publicKey(spki: DerNode): PublicKey;
  /** An Extensions SEQUENCE. */
  extensions(node: DerNode | undefined, what: string): Extension[];
  /** The decoded view of the extensions. */
  decodeExtensions(exts: readonly Extension[]): DecodedExtensions;
  /** The signature AlgorithmIdentifier (tolerant: `algorithm` is not given). */
  signatureAlgorithm(node: DerNode): { info: SignatureAlgorithmInfo; algorithm?: SignatureAlgorithm };
}

const STRICT_STEPS: ReadingSteps = {
  decode: (input, what) => ({ root: decodeDerTolerant(input, what), der: input }),
  publicKey: parseSpkiNode,
  extensions: (node, what) => readExtensions(node, what),
  decodeExtensions,
  signatureAlgorithm: parseSignatureAlgorithmId,
};

/** {@link ReadingSteps}: strict without `problems`, tolerant with them. @internal */
export function readingSteps(problems: ParseProblem[] | undefined): ReadingSteps {
  if (!problems) return STRICT_STEPS;
  return {
    decode: (input, what) => {
      const root = decodeForInspection(input, what, problems);
      return { root, der: rawDer(root) };
    },
    publicKey: (spki) => publicKeyForInspection(spki, problems),
    extensions: (node, what) => readExtensionsForInspection(node, what, problems),
    decodeExtensions: (exts) => decodeExtensionsForInspection(exts, problems),
    signatureAlgorithm: (node) => ({ info: signatureAlgorithmForInspection(node, problems) }),
  };
}
