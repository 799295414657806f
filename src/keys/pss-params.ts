/**
 * RSASSA-PSS-params (RFC 8017 A.2.3, RFC 4055 3.1): the parameters of an
 * id-RSASSA-PSS signature AlgorithmIdentifier (x509/algorithm-id.ts) and of
 * an id-RSASSA-PSS key's SubjectPublicKeyInfo (spki.ts). Both layers read
 * and write them through this file, so it lives in keys/, below x509/.
 *
 * Written: hash and MGF1 AlgorithmIdentifiers with NULL parameters (as
 * OpenSSL and Go write them; RFC 4055 2.1 allows both), salt length unless
 * it is the DEFAULT 20, trailerField always omitted (DEFAULT, X.690 11.5).
 * Read: absent or NULL hash parameters, fields in order, DEFAULTs filled in.
 *
 * Out of scope: which parameters a signature or key may carry (the callers
 * decide: algorithm-id.ts for signatures, spki.ts for keys).
 */
import { MailPkiError } from '../errors.js';
import { OID } from '../oid.js';
import {
  contextTag,
  derExplicit,
  derInt,
  derNull,
  derOid,
  derSeq,
  isNull,
  readExplicit,
  readOid,
  readSequence,
  readSmallInt,
  type Asn1Node,
  type DerNode,
} from '../encoding/der.js';
import type { HashName } from '../crypto/hash.js';

const HASH_BY_OID: Readonly<Record<string, string>> = {
  [OID.sha1]: 'SHA-1',
  [OID.sha224]: 'SHA-224',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};
const HASH_OID: Readonly<Record<HashName, string>> = { 'SHA-256': OID.sha256, 'SHA-384': OID.sha384, 'SHA-512': OID.sha512 };

/** RFC 8017 A.2.3: saltLength DEFAULT 20 (DER omits a DEFAULT value). */
const PSS_DEFAULT_SALT = 20;

// The message prefix is the one these readers had inside algorithm-id.ts.
function structure(what: string): never {
  throw new MailPkiError('ERR_ASN1_STRUCTURE', `signature AlgorithmIdentifier: ${what}`);
}

/** `SEQUENCE { hashOid, NULL }` for a hash inside PSS parameters. */
const hashAlgId = (hash: HashName): Asn1Node => derSeq(derOid(HASH_OID[hash]), derNull());

/**
 * RSASSA-PSS-params for `hash`, MGF1 over `mgf1Hash` and `saltLength`
 * (trailerField and a salt of 20 are DEFAULTs, so omitted: X.690 11.5).
 * @internal
 */
export function encodePssParams(hash: HashName, mgf1Hash: HashName, saltLength: number): Asn1Node {
  const params: Asn1Node[] = [derExplicit(0, hashAlgId(hash)), derExplicit(1, derSeq(derOid(OID.mgf1), hashAlgId(mgf1Hash)))];
  if (saltLength !== PSS_DEFAULT_SALT) params.push(derExplicit(2, derInt(saltLength)));
  return derSeq(...params);
}

/** A hash AlgorithmIdentifier (parameters absent or NULL: RFC 4055 2.1). */
function readHashAlgId(node: DerNode, what: string): string {
  const items = readSequence(node, what, 1, 2);
  const oid = readOid(items[0], `${what} algorithm`);
  if (items.length === 2 && !isNull(items[1])) structure(`${what}: parameters must be NULL or absent`);
  return HASH_BY_OID[oid] ?? oid;
}

/**
 * RSASSA-PSS-params (RFC 8017 A.2.3), in a signature AlgorithmIdentifier or
 * an id-RSASSA-PSS key's (RFC 4055 3.1); returns hash, MGF and its hash,
 * salt length and trailer, DEFAULTs filled in (hash names `SHA-1` ...
 * `SHA-512`, an unknown hash as its dotted OID).
 * @throws MailPkiError `ERR_ASN1_STRUCTURE`
 * @internal
 */
export function readPssParams(node: DerNode | undefined): { hash: string; mgf: string; mgfHash?: string; saltLength: number; trailer: number } {
  // Absent parameters mean every DEFAULT: SHA-1, MGF1-SHA-1, 20, 1.
  const out = { hash: 'SHA-1', mgf: 'MGF1', mgfHash: 'SHA-1' as string | undefined, saltLength: PSS_DEFAULT_SALT, trailer: 1 };
  if (node === undefined) return out;
  const fields = readSequence(node, 'RSASSA-PSS-params', 0, 4);
  let last = -1;
  for (const f of fields) {
    const tag = contextTag(f);
    if (tag <= last || tag > 3) structure('RSASSA-PSS-params fields out of order or unknown');
    last = tag;
    const inner = readExplicit(f, tag, `RSASSA-PSS-params [${tag}]`);
    if (tag === 0) out.hash = readHashAlgId(inner, 'RSASSA-PSS hashAlgorithm');
    else if (tag === 1) {
      const mg = readSequence(inner, 'RSASSA-PSS maskGenAlgorithm', 1, 2);
      const mgOid = readOid(mg[0], 'RSASSA-PSS maskGenAlgorithm algorithm');
      if (mgOid === OID.mgf1) {
        out.mgf = 'MGF1';
        if (mg.length !== 2) structure('MGF1 needs a hash parameter');
        out.mgfHash = readHashAlgId(mg[1]!, 'MGF1 hash');
      } else {
        out.mgf = mgOid;
        out.mgfHash = undefined;
      }
    } else if (tag === 2) out.saltLength = readSmallInt(inner, 'RSASSA-PSS saltLength');
    else out.trailer = readSmallInt(inner, 'RSASSA-PSS trailerField');
  }
  return out;
}
