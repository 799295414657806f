/**
 * Certificate chains: order a loose set of certificates (PEM or DER, any
 * order, duplicates, with or without the root, mixed with a key) into
 * leaf -> intermediates (-> root), check every link, and write the PEM
 * bundle servers want (`smtpd_tls_chain_files` for Postfix: key first).
 *
 * Every link is checked the same way path validation does (RFC 5280 6.1.3):
 * the issuer name equals the issuer's subject, the authority key identifier
 * equals the issuer's subject key identifier when both are present, and the
 * signature verifies with the issuer's key. A missing or wrong intermediate
 * is named in the error, with the key identifier to look for.
 *
 * Out of scope: trust decisions, validity periods, purposes (verify.ts).
 */
import { MailPkiError, errorWithOption } from '../errors.js';
import { contextTag, decodeDer, rawDer, readSequence } from '../encoding/der.js';
import { equalBytes, toHex } from '../encoding/bytes.js';
import { encodePem, parsePemBlocks } from '../encoding/pem.js';
import { parseSignatureAlgorithmId } from './algorithm-id.js';
import { verify, type SignatureAlgorithm } from '../crypto/sign.js';
import { encodePrivateKeyPem, parsePrivateKey } from '../keys/key-io.js';
import { getPublicKey, publicKeysEqual } from '../keys/public-key.js';
import type { PrivateKey } from '../crypto/key-types.js';
import { isCertificate, parseCertificates } from './certificate.js';
import { displayName, namesEqual } from './name.js';
import type { Certificate, DistinguishedName } from './types.js';

// ---------------------------------------------------------------- shared link checks (also used by verify.ts)

/** `CN=x,O=y` for messages; the serial when the subject is empty. @internal */
export function describeCert(cert: Certificate): string {
  const s = cert.subject.rdns.length ? displayName(cert.subject) : `serial ${cert.serialHex}`;
  return `'${s}'`;
}

/** `'CN=x'` for a name. @internal */
export function describeName(dn: DistinguishedName): string {
  return `'${displayName(dn)}'`;
}

/** `ab:cd:...` (the form `openssl x509 -text` prints key identifiers in). @internal */
export function keyIdHex(id: Uint8Array): string {
  return (toHex(id).match(/../g) ?? []).join(':');
}

function normValue(v: string): string {
  // NFKC leaves printable ASCII as it is: skip it for the names CAs write
  return (/^[\x20-\x7e]*$/.test(v) ? v : v.normalize('NFKC')).trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Name chaining (RFC 5280 7.1): byte-identical DER, or the same RDNs with
 * values equal after case folding and whitespace compression (what RFC 4518
 * string preparation amounts to for the names CAs actually write).
 * @internal
 */
export function namesMatch(a: DistinguishedName, b: DistinguishedName): boolean {
  if (namesEqual(a, b)) return true;
  if (a.rdns.length !== b.rdns.length) return false;
  return nameKey(a) === nameKey(b);
}

const nameKeys = new WeakMap<DistinguishedName, string>();

/**
 * The name in the form {@link namesMatch} compares (RDNs in order, each one's
 * attributes sorted, values case-folded and whitespace-compressed), so that
 * two names match exactly when their keys are equal: usable as a Map key for
 * issuer lookup. Remembered per name object.
 * @internal
 */
export function nameKey(dn: DistinguishedName): string {
  let k = nameKeys.get(dn);
  if (k === undefined) {
    k = dn.rdns
      .map((rdn) =>
        rdn
          .map((x) => `${x.oid}=${JSON.stringify(normValue(x.value))}`)
          .sort()
          .join('+'),
      )
      .join(',');
    nameKeys.set(dn, k);
  }
  return k;
}

/** The AKI keyIdentifier of `child` is compatible with the SKI of `issuer` (both present -> equal). @internal */
export function keyIdsMatch(child: Certificate, issuer: Certificate): boolean {
  const aki = child.decoded.authorityKeyIdentifier?.keyIdentifier;
  const ski = issuer.decoded.subjectKeyIdentifier;
  return !aki || !ski || equalBytes(aki, ski);
}

/** `issuer` could have issued `child` by name and key identifier (no signature check). @internal */
export function couldIssue(issuer: Certificate, child: Certificate): boolean {
  return namesMatch(child.issuer, issuer.subject) && keyIdsMatch(child, issuer);
}

/** Issuer name equals subject name (RFC 5280 6.1: "self-issued"). @internal */
export function isSelfIssued(cert: Certificate): boolean {
  return namesMatch(cert.issuer, cert.subject);
}

/** Outcome of a signature check on one link. @internal */
export type SignatureCheck =
  | { ok: true; algorithm: SignatureAlgorithm }
  | { ok: false; reason: 'bad-signature' | 'weak-algorithm' | 'unsupported-algorithm'; message: string };

interface SigParts {
  outer: Uint8Array;
  inner: Uint8Array;
  parsed?: ReturnType<typeof parseSignatureAlgorithmId>;
  error?: string;
}
const sigCache = new WeakMap<Certificate, SigParts>();
const linkCache = new WeakMap<Certificate, WeakMap<Certificate, SignatureCheck>>();

function sigParts(cert: Certificate): SigParts {
  let p = sigCache.get(cert);
  if (p) return p;
  const top = readSequence(decodeDer(cert.der, 'certificate', { strict: false }), 'certificate', 3, 3);
  const tbs = readSequence(top[0], 'tbsCertificate', 6);
  // tbsCertificate: [0] version (optional), serialNumber, signature, ...
  const sigIdx = contextTag(tbs[0]) >= 0 ? 2 : 1;
  p = { outer: rawDer(top[1]!), inner: rawDer(tbs[sigIdx]!) };
  try {
    p.parsed = parseSignatureAlgorithmId(top[1]!);
  } catch (e) {
    p.error = e instanceof Error ? e.message : 'unreadable signature algorithm';
  }
  sigCache.set(cert, p);
  return p;
}

/**
 * Does `issuer`'s key verify `child`'s signature? Weak (SHA-1, MD5) and
 * unknown algorithms are a failure with their own reason, never a pass; so
 * is an outer signatureAlgorithm that differs from the one inside the
 * signed TBSCertificate (RFC 5280 4.1.1.2). Results are cached per link.
 * @internal
 */
export function checkSignature(child: Certificate, issuer: Certificate): SignatureCheck {
  let m = linkCache.get(child);
  if (!m) linkCache.set(child, (m = new WeakMap()));
  const hit = m.get(issuer);
  if (hit) return hit;
  const r = computeSignatureCheck(child, issuer);
  m.set(issuer, r);
  return r;
}

function computeSignatureCheck(child: Certificate, issuer: Certificate): SignatureCheck {
  const who = describeCert(child);
  let parts: SigParts;
  try {
    parts = sigParts(child);
  } catch (e) {
    return { ok: false, reason: 'bad-signature', message: `${who}: ${e instanceof Error ? e.message : 'malformed certificate'}` };
  }
  if (!equalBytes(parts.outer, parts.inner)) {
    return { ok: false, reason: 'bad-signature', message: `${who}: signatureAlgorithm differs from the one inside the signed TBSCertificate (RFC 5280 4.1.1.2)` };
  }
  if (!parts.parsed) return { ok: false, reason: 'unsupported-algorithm', message: `${who}: ${parts.error}` };
  const { info, algorithm } = parts.parsed;
  if (!algorithm) {
    const weak = info.hash === 'SHA-1' || info.hash === 'MD5' || /sha1|md5|md2/i.test(info.name);
    return weak
      ? { ok: false, reason: 'weak-algorithm', message: `${who} is signed with ${info.name}, which is refused (SHA-1 and MD5 signatures can be forged)` }
      : { ok: false, reason: 'unsupported-algorithm', message: `${who} is signed with ${info.name}, which mailpki cannot verify` };
  }
  const want = algorithm.name === 'ECDSA' ? 'ec' : algorithm.name === 'Ed25519' ? 'ed25519' : 'rsa';
  const ik = issuer.publicKey;
  if (ik.type === 'opaque') return { ok: false, reason: 'unsupported-algorithm', message: `the key of ${describeCert(issuer)} is ${ik.algorithm}, which mailpki cannot verify with (${ik.reason})` };
  if (issuer.publicKey.type !== want) {
    return { ok: false, reason: 'bad-signature', message: `${who} is signed with ${info.name}, but the key of ${describeCert(issuer)} is ${issuer.publicKey.type.toUpperCase()}` };
  }
  let good: boolean;
  try {
    good = verify(issuer.publicKey, child.tbs, child.signature, algorithm);
  } catch (e) {
    return { ok: false, reason: 'bad-signature', message: `${who}: signature cannot be checked with the key of ${describeCert(issuer)}: ${e instanceof Error ? e.message : 'error'}` };
  }
  return good ? { ok: true, algorithm } : { ok: false, reason: 'bad-signature', message: `the signature of ${who} does not verify with the key of ${describeCert(issuer)}` };
}

/** Self-signed: self-issued and its own key verifies it (a weak self-signature still ends a chain). @internal */
export function isSelfSigned(cert: Certificate): boolean {
  if (!isSelfIssued(cert) || !keyIdsMatch(cert, cert)) return false;
  const s = checkSignature(cert, cert);
  return s.ok || s.reason !== 'bad-signature';
}

function dedupe(certs: readonly Certificate[]): Certificate[] {
  const out: Certificate[] = [];
  for (const c of certs) if (!out.some((o) => o === c || equalBytes(o.der, c.der))) out.push(c);
  return out;
}

function isCa(c: Certificate): boolean {
  return c.decoded.basicConstraints?.ca === true;
}

// ---------------------------------------------------------------- buildChain

/** Input accepted by {@link buildChain}: parsed certs, or PEM/DER text/bytes (keys in the text are skipped). @public */
export type ChainInput = readonly Certificate[] | string | Uint8Array | ReadonlyArray<Certificate | string | Uint8Array>;

/** Options of {@link buildChain}. @public */
export interface BuildChainOptions {
  /** The leaf. Default: the one certificate of the set that issued no other one (a non-CA preferred). */
  readonly leaf?: Certificate;
  /**
   * Put the self-signed root at the end of `chain`. Default false: servers
   * send leaf + intermediates only (RFC 8446 4.4.2: the root "MAY be
   * omitted", clients must already have it). True also makes a missing root
   * an error.
   */
  readonly withRoot?: boolean;
}

/** Result of {@link buildChain}. @public */
export interface BuiltChain {
  /** Leaf first, then each issuer; the root last only with `withRoot`. */
  readonly chain: Certificate[];
  /** The self-signed root when the set contained it. */
  readonly root?: Certificate;
}

function toCertificates(input: ChainInput): Certificate[] {
  if (typeof input === 'string' || input instanceof Uint8Array) return parseCertificates(input);
  if (!Array.isArray(input)) throw new TypeError('certs: expected Certificate[], PEM text or DER bytes');
  return (input as ReadonlyArray<Certificate | string | Uint8Array>).flatMap((c) =>
    typeof c === 'string' || c instanceof Uint8Array ? parseCertificates(c) : isCertificate(c) ? [c] : badCert(),
  );
}

function badCert(): never {
  throw new TypeError('certs: every element must be a parsed Certificate, PEM text or DER bytes');
}

function pickLeaf(pool: Certificate[]): Certificate {
  if (pool.length === 1) return pool[0]!;
  const issuedNothing = pool.filter((c) => !pool.some((o) => o !== c && !isSelfIssued(o) && couldIssue(c, o)));
  let cands = issuedNothing.filter((c) => !isSelfSigned(c));
  if (cands.length > 1) {
    const nonCa = cands.filter((c) => !isCa(c));
    if (nonCa.length >= 1) cands = nonCa;
  }
  if (cands.length === 1) return cands[0]!;
  if (cands.length === 0) {
    if (issuedNothing.length === 1) return issuedNothing[0]!;
    throw errorWithOption('ERR_CHAIN_BROKEN', 'cannot tell which certificate is the leaf (every certificate issued another one)', 'leaf', 'pass options.leaf', { field: 'certificates' });
  }
  throw errorWithOption('ERR_CHAIN_BROKEN', `several certificates could be the leaf: ${cands.map(describeCert).join(', ')}`, 'leaf', 'pass options.leaf', { field: 'certificates' });
}

/**
 * Order a set of certificates into a chain and check every link.
 *
 * @param certs - certificates in any order, duplicates allowed, with or
 *   without the root: parsed, or PEM text / DER bytes (a PEM file that also
 *   holds the private key is fine: keys are skipped).
 * @param options - {@link BuildChainOptions}
 * @returns `{ chain, root }`: leaf first, then intermediates (then the root
 *   with `withRoot`).
 * @throws MailPkiError `ERR_CHAIN_INCOMPLETE` when an issuer is missing:
 *   "no certificate for issuer 'CN=Int' (AKI ab:cd:...) of 'CN=leaf'", also
 *   when other certificates were given that do not issue it (a wrong
 *   intermediate) or a root was given that the chain does not reach;
 *   `ERR_CHAIN_BROKEN` when a certificate has the right issuer name but the
 *   wrong key identifier or a signature that does not verify;
 *   `ERR_WEAK_ALGORITHM` for a SHA-1/MD5 link; `ERR_NO_CERTIFICATE` for an
 *   empty set.
 * @example
 * ```ts
 * const { chain } = buildChain(readFileSync('bundle.pem', 'utf8'));
 * writeFileSync('chain.pem', encodeChainPem(chain));
 * ```
 * @public
 */
export function buildChain(certs: ChainInput, options: BuildChainOptions = {}): BuiltChain {
  if (options === null || typeof options !== 'object') throw new TypeError('options: expected an object');
  if (options.leaf !== undefined && !isCertificate(options.leaf)) throw new TypeError('options.leaf: expected a parsed Certificate');
  const pool = dedupe(toCertificates(certs));
  if (options.leaf) {
    const found = pool.find((c) => equalBytes(c.der, options.leaf!.der));
    if (!found) pool.unshift(options.leaf);
  }
  if (pool.length === 0) throw new MailPkiError('ERR_NO_CERTIFICATE', 'no certificate given');
  const leaf = options.leaf ? pool.find((c) => equalBytes(c.der, options.leaf!.der))! : pickLeaf(pool);
  const chain: Certificate[] = [leaf];
  let root: Certificate | undefined;
  for (;;) {
    const cur = chain[chain.length - 1]!;
    if (isSelfSigned(cur)) {
      root = cur;
      break;
    }
    const byName = pool.filter((c) => !chain.includes(c) && namesMatch(cur.issuer, c.subject));
    const aki = cur.decoded.authorityKeyIdentifier?.keyIdentifier;
    const missing = `no certificate for issuer ${describeName(cur.issuer)}${aki ? ` (AKI ${keyIdHex(aki)})` : ''} of ${describeCert(cur)}`;
    if (byName.length === 0) {
      const unused = pool.filter((c) => !chain.includes(c));
      if (options.withRoot) throw new MailPkiError('ERR_CHAIN_INCOMPLETE', `${missing} (the chain must end at a self-signed root)`);
      if (unused.length > 0) {
        const roots = unused.filter(isSelfSigned);
        const detail = roots.length
          ? `the root ${roots.map(describeCert).join(', ')} ${roots.length === 1 ? 'is' : 'are'} given but not reached`
          : `${unused.map(describeCert).join(', ')} ${unused.length === 1 ? 'does' : 'do'} not issue it`;
        throw new MailPkiError('ERR_CHAIN_INCOMPLETE', `${missing}; ${detail}`);
      }
      break; // the root was left out: legitimate for a served chain
    }
    const byKey = byName.filter((c) => keyIdsMatch(cur, c));
    if (byKey.length === 0) {
      const c = byName[0]!;
      const ski = c.decoded.subjectKeyIdentifier;
      throw new MailPkiError(
        'ERR_CHAIN_BROKEN',
        `${describeCert(c)}${ski ? ` (SKI ${keyIdHex(ski)})` : ''} has the issuer name of ${describeCert(cur)} but not its key (AKI ${aki ? keyIdHex(aki) : '-'}): wrong intermediate (an older or re-keyed CA?)`,
      );
    }
    let failure: SignatureCheck | undefined;
    const next = byKey.find((c) => {
      const s = checkSignature(cur, c);
      if (!s.ok && !failure) failure = s;
      return s.ok;
    });
    if (!next) {
      const f = failure as Extract<SignatureCheck, { ok: false }>;
      throw new MailPkiError(f.reason === 'bad-signature' ? 'ERR_CHAIN_BROKEN' : f.reason === 'weak-algorithm' ? 'ERR_WEAK_ALGORITHM' : 'ERR_ALGORITHM_UNSUPPORTED', f.message);
    }
    chain.push(next);
  }
  if (root && !options.withRoot && chain.length > 1) chain.pop();
  return root ? { chain, root } : { chain };
}

// ---------------------------------------------------------------- PEM output

function checkChainArg(chain: readonly Certificate[]): void {
  if (!Array.isArray(chain) || chain.length === 0 || !chain.every(isCertificate)) throw new TypeError('chain: expected a non-empty Certificate[]');
}

/**
 * The chain as concatenated PEM blocks, leaf first (the order TLS sends,
 * RFC 8446 4.4.2), LF line ends.
 * @param chain - certificates in order, e.g. `buildChain(...).chain`
 * @throws TypeError when `chain` is empty or not certificates
 * @example
 * ```ts
 * writeFileSync('fullchain.pem', encodeChainPem(buildChain(certs).chain));
 * ```
 * @public
 */
export function encodeChainPem(chain: readonly Certificate[]): string {
  checkChainArg(chain);
  return chain.map((c) => encodePem('CERTIFICATE', c.der)).join('');
}

/**
 * One file with the private key first, then the leaf, then the
 * intermediates: the format of Postfix `smtpd_tls_chain_files` (Postfix ≥
 * 3.4 reads key and chain from one file, key first). The key must be
 * unencrypted (Postfix cannot ask for a passphrase) and must belong to the
 * leaf.
 *
 * @param privateKey - PEM text (its first private key block is used as is),
 *   DER bytes, or a key object (written as PKCS#8)
 * @param chain - leaf first, e.g. `buildChain(...).chain`
 * @throws MailPkiError `ERR_KEY_MISMATCH` when the key is not the leaf's;
 *   `ERR_KEY_ENCRYPTED` for an encrypted key; key parse errors as thrown by
 *   `parsePrivateKey`.
 * @example
 * ```ts
 * writeFileSync('/etc/postfix/mail.pem', encodeKeyAndChainPem(keyPem, chain), { mode: 0o600 });
 * ```
 * @public
 */
export function encodeKeyAndChainPem(privateKey: string | Uint8Array | PrivateKey, chain: readonly Certificate[]): string {
  checkChainArg(chain);
  let key: PrivateKey;
  let keyPem: string;
  if (typeof privateKey === 'string') {
    const block = parsePemBlocks(privateKey).find((b) => /PRIVATE KEY$/.test(b.label));
    if (!block) throw new MailPkiError('ERR_PEM_NOT_FOUND', 'no private key PEM block found');
    if (block.label === 'ENCRYPTED PRIVATE KEY' || block.headers.some(([k]) => k === 'Proc-Type' || k === 'DEK-Info')) {
      throw new MailPkiError('ERR_KEY_ENCRYPTED', 'the private key is encrypted: Postfix cannot read an encrypted key, decrypt it first');
    }
    key = parsePrivateKey(encodePem(block.label, block.der, block.headers));
    keyPem = encodePem(block.label, block.der);
  } else if (privateKey instanceof Uint8Array) {
    key = parsePrivateKey(privateKey);
    keyPem = encodePrivateKeyPem(key);
  } else if (privateKey && typeof privateKey === 'object' && (privateKey as PrivateKey).kind === 'private') {
    key = privateKey;
    keyPem = encodePrivateKeyPem(key);
  } else {
    throw new TypeError('privateKey: expected PEM text, DER bytes or a private key object');
  }
  if (!publicKeysEqual(getPublicKey(key), chain[0]!.publicKey)) {
    throw new MailPkiError('ERR_KEY_MISMATCH', `the private key does not belong to the leaf ${describeCert(chain[0]!)}`);
  }
  return keyPem + encodeChainPem(chain);
}
