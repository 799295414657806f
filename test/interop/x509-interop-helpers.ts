// Shared by the x509-interop-*.test.ts files: key material from node:crypto
// (converted through JWK into mailpki key objects), a mailpki-issued PKI
// (root -> leaf and root -> intermediate -> leaf), and the oracles that check
// it: openssl verify / req -verify / x509 -outform DER, GnuTLS certtool,
// Python cryptography 38, Node's X509Certificate. Not a test file itself.
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON, run, runOk, tempDir } from '../helpers/env.js';
import { importJwk } from '../../src/keys/jwk.js';
import type { PrivateKey } from '../../src/crypto/key-types.js';
import { createRootCa, createIntermediateCa, issueCertificate } from '../../src/x509/issue.js';
import { createCertificateRequest } from '../../src/x509/csr.js';
import { verifyCertificate } from '../../src/x509/verify.js';
import { buildChain, encodeChainPem } from '../../src/x509/chain.js';
import type { Certificate } from '../../src/x509/types.js';
import { OID } from '../../src/oid.js';

export type InteropKeyType = 'rsa2048' | 'rsa3072' | 'rsa4096' | 'p256' | 'p384' | 'ed25519';

/** A node:crypto key pair, converted to a mailpki private key through JWK. */
export function nodeKey(type: InteropKeyType): { key: PrivateKey; pem: string } {
  const kp =
    type === 'p256' || type === 'p384'
      ? generateKeyPairSync('ec', { namedCurve: type === 'p256' ? 'P-256' : 'P-384' })
      : type === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: Number(type.slice(3)) });
  const jwk = kp.privateKey.export({ format: 'jwk' });
  return { key: importJwk(jwk as never) as PrivateKey, pem: kp.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

export interface InteropPki {
  type: InteropKeyType;
  dir: string;
  host: string;
  root: Certificate;
  ica: Certificate;
  direct: Certificate;
  leaf: Certificate;
  csrPem: string;
  files: { root: string; ica: string; direct: string; leaf: string; chain: string; csr: string };
}

/** Root (pathLen 1), intermediate (default pathLen 0), leaves from one CSR: directly under the root and under the intermediate. */
export function makePki(type: InteropKeyType, keys?: { root: PrivateKey; ica: PrivateKey; leaf: PrivateKey }): InteropPki {
  const k = keys ?? { root: nodeKey(type).key, ica: nodeKey(type).key, leaf: nodeKey(type).key };
  const host = `mail-${type}.example.com`;
  const root = createRootCa({ subject: { C: 'US', O: 'mailpki interop', CN: `Interop Root ${type}` }, privateKey: k.root, pathLen: 1 });
  const ica = createIntermediateCa({ subject: { O: 'mailpki interop', CN: `Interop Intermediate ${type}` }, publicKey: k.ica, issuer: root, issuerKey: k.root });
  const csr = createCertificateRequest({ subject: { CN: host }, sans: [host, `smtp-${type}.example.com`, '192.0.2.25', '2001:db8::25'], privateKey: k.leaf });
  const direct = issueCertificate({ profile: 'tls-server', csr, issuer: root, issuerKey: k.root });
  const leaf = issueCertificate({ profile: 'tls-server', csr: csr.pem, issuer: ica, issuerKey: k.ica });
  const dir = tempDir(`mailpki-interop-${type}-`);
  const w = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  return {
    type, dir, host, root, ica, direct, leaf, csrPem: csr.pem,
    files: {
      root: w('root.pem', root.pem),
      ica: w('ica.pem', ica.pem),
      direct: w('direct.pem', direct.pem),
      leaf: w('leaf.pem', leaf.pem),
      chain: w('chain.pem', encodeChainPem(buildChain([root, ica, leaf], { withRoot: true }).chain)),
      csr: w('leaf.csr', csr.pem),
    },
  };
}

/** `openssl verify -x509_strict -purpose sslserver -verify_hostname HOST -CAfile ROOT [-untrusted INT] LEAF`. */
export function assertOpensslVerifies(root: string, leaf: string, host: string, untrusted?: string): void {
  const args = ['verify', '-x509_strict', '-auth_level', '2', '-purpose', 'sslserver', '-verify_hostname', host, '-CAfile', root];
  if (untrusted) args.push('-untrusted', untrusted);
  args.push(leaf);
  const r = run('openssl', args);
  assert.equal(r.status, 0, `openssl verify: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /: OK/);
}

/** GnuTLS: the chain file verifies against the root, for the host and serverAuth; --verify-chain accepts it too. */
export function assertCerttoolVerifies(pki: InteropPki): void {
  const a = run('certtool', ['--verify', '--load-ca-certificate', pki.files.root, '--infile', pki.files.leaf, '--verify-hostname', pki.host, '--verify-purpose', OID.serverAuth]);
  // certtool --verify wants the whole chain in --infile for an intermediate
  const chainNoRoot = join(pki.dir, 'chain-noroot.pem');
  writeFileSync(chainNoRoot, encodeChainPem([pki.leaf, pki.ica]));
  const b = run('certtool', ['--verify', '--load-ca-certificate', pki.files.root, '--infile', chainNoRoot, '--verify-hostname', pki.host, '--verify-purpose', OID.serverAuth]);
  assert.equal(b.status, 0, `certtool --verify (intermediate): ${b.stdout}${b.stderr}`);
  assert.match(b.stdout, /Chain verification output: Verified/);
  const d = run('certtool', ['--verify', '--load-ca-certificate', pki.files.root, '--infile', pki.files.direct, '--verify-hostname', pki.host, '--verify-purpose', OID.serverAuth]);
  assert.equal(d.status, 0, `certtool --verify (direct): ${d.stdout}${d.stderr}`);
  assert.match(d.stdout, /Chain verification output: Verified/);
  const c = run('certtool', ['--verify-chain', '--infile', pki.files.chain]);
  assert.equal(c.status, 0, `certtool --verify-chain: ${c.stdout}${c.stderr}`);
  assert.match(c.stdout, /Chain verification output: Verified/);
  // the leaf alone lacks its intermediate: certtool must notice (the oracle can fail)
  assert.notEqual(a.status, 0, 'certtool accepted a leaf without its intermediate');
}

/** Node's X509Certificate: host match without the subject, signature, issuance. */
export function assertNodeAccepts(cert: Certificate, issuer: Certificate, host: string): void {
  const x = new X509Certificate(cert.pem);
  const xi = new X509Certificate(issuer.pem);
  assert.equal(x.checkHost(host, { subject: 'never' }), host);
  assert.equal(x.checkHost(`x${host}`, { subject: 'never' }), undefined);
  assert.equal(x.verify(xi.publicKey), true);
  assert.equal(x.checkIssued(xi), true);
  assert.equal(x.ca, false);
  assert.equal(xi.ca, true);
}

/** `openssl x509 -outform DER` re-encodes our certificate to the same bytes (canonical DER). */
export function assertOpensslDerIdentical(cert: Certificate, dir: string): void {
  const inP = join(dir, `der-in-${cert.serialHex}.pem`);
  const outP = join(dir, `der-out-${cert.serialHex}.der`);
  writeFileSync(inP, cert.pem);
  runOk('openssl', ['x509', '-in', inP, '-outform', 'DER', '-out', outP]);
  assert.ok(Buffer.from(readFileSync(outP)).equals(Buffer.from(cert.der)), 'openssl re-encoding differs');
}

/** `openssl req -verify` accepts our CSR. */
export function assertOpensslReqVerifies(csrPath: string): void {
  const r = run('openssl', ['req', '-in', csrPath, '-noout', '-verify']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /verify OK/i);
}

/** Serial: positive (DER content's first bit clear) and at least 64 bits long. */
export function assertSerial(cert: Certificate): void {
  const hex = runOk('openssl', ['x509', '-noout', '-serial'], { input: cert.pem }).trim().replace(/^serial=/, '');
  const n = BigInt('0x' + hex);
  assert.ok(n > 0n);
  assert.ok(n.toString(2).length >= 64, `serial has ${n.toString(2).length} bits`);
  assert.equal(n, cert.serialNumber);
}

// ---------------------------------------------------------------- Python cryptography 38

// cryptography 38 has no Certificate.verify_directly_issued_by (added in 40),
// so the signature is checked the 38 way: issuer.public_key().verify(
// signature, tbs_certificate_bytes, <padding/ECDSA args>).
const PY = String.raw`
import json, sys, ipaddress
from cryptography import x509
from cryptography.x509.oid import ExtensionOID
from cryptography.hazmat.primitives.asymmetric import rsa, ec, ed25519, padding
def ext(c, cls):
    try:
        e = c.extensions.get_extension_for_class(cls)
        return e
    except x509.ExtensionNotFound:
        return None
out = []
for item in json.load(sys.stdin):
    c = x509.load_pem_x509_certificate(open(item['cert'], 'rb').read())
    i = x509.load_pem_x509_certificate(open(item['issuer'], 'rb').read())
    pk = i.public_key()
    try:
        if isinstance(pk, rsa.RSAPublicKey):
            pk.verify(c.signature, c.tbs_certificate_bytes, padding.PKCS1v15(), c.signature_hash_algorithm)
        elif isinstance(pk, ec.EllipticCurvePublicKey):
            pk.verify(c.signature, c.tbs_certificate_bytes, ec.ECDSA(c.signature_hash_algorithm))
        else:
            pk.verify(c.signature, c.tbs_certificate_bytes)
        sig = True
    except Exception as e:
        sig = False
    r = {'sig': sig, 'version': c.version.name, 'serial': str(c.serial_number),
         'subject': c.subject.rfc4514_string(), 'issuer': c.issuer.rfc4514_string(),
         'notAfterYear': c.not_valid_after.year, 'exts': [e.oid.dotted_string for e in c.extensions]}
    e = ext(c, x509.SubjectAlternativeName)
    if e: r['san'] = {'critical': e.critical, 'dns': e.value.get_values_for_type(x509.DNSName), 'ip': [str(a) for a in e.value.get_values_for_type(x509.IPAddress)], 'email': e.value.get_values_for_type(x509.RFC822Name)}
    e = ext(c, x509.KeyUsage)
    if e:
        v = e.value
        bits = [n for n in ['digital_signature', 'content_commitment', 'key_encipherment', 'data_encipherment', 'key_agreement', 'key_cert_sign', 'crl_sign'] if getattr(v, n)]
        r['ku'] = {'critical': e.critical, 'bits': bits}
    e = ext(c, x509.ExtendedKeyUsage)
    if e: r['eku'] = {'critical': e.critical, 'oids': [o.dotted_string for o in e.value]}
    e = ext(c, x509.BasicConstraints)
    if e: r['bc'] = {'critical': e.critical, 'ca': e.value.ca, 'pathlen': e.value.path_length}
    e = ext(c, x509.SubjectKeyIdentifier)
    if e: r['ski'] = e.value.digest.hex()
    e = ext(c, x509.AuthorityKeyIdentifier)
    if e: r['aki'] = e.value.key_identifier.hex() if e.value.key_identifier else None
    ise = ext(i, x509.SubjectKeyIdentifier)
    r['issuerSki'] = ise.value.digest.hex() if ise else None
    out.append(r)
print(json.dumps(out))
`;

export interface PyCert {
  sig: boolean;
  version: string;
  serial: string;
  subject: string;
  issuer: string;
  notAfterYear: number;
  exts: string[];
  san?: { critical: boolean; dns: string[]; ip: string[]; email: string[] };
  ku?: { critical: boolean; bits: string[] };
  eku?: { critical: boolean; oids: string[] };
  bc?: { critical: boolean; ca: boolean; pathlen: number | null };
  ski?: string;
  aki?: string | null;
  issuerSki: string | null;
}

/** Load each cert with Python cryptography (strict DER) and report what it sees. */
export function pythonInspect(items: Array<{ cert: string; issuer: string }>): PyCert[] {
  const r = run(PYTHON, ['-c', PY], { input: JSON.stringify(items) });
  assert.equal(r.status, 0, `python cryptography: ${r.stderr}`);
  return JSON.parse(r.stdout) as PyCert[];
}

/** Python's view of a server leaf equals the intended template. */
export function assertPythonLeaf(p: PyCert, pki: InteropPki, issuerName: string): void {
  assert.equal(p.sig, true, 'signature does not verify in Python cryptography');
  assert.equal(p.version, 'v3');
  assert.equal(p.subject, `CN=${pki.host}`);
  assert.equal(p.issuer, issuerName);
  assert.deepEqual(p.san, { critical: false, dns: [pki.host, `smtp-${pki.type}.example.com`], ip: ['192.0.2.25', '2001:db8::25'], email: [] });
  // DESIGN.md §4: digitalSignature (+ keyEncipherment for RSA) critical; EKU serverAuth; BC CA:false.
  const rsa = pki.type.startsWith('rsa');
  assert.deepEqual(p.ku, { critical: true, bits: rsa ? ['digital_signature', 'key_encipherment'] : ['digital_signature'] });
  assert.deepEqual(p.eku?.oids, [OID.serverAuth]);
  assert.equal(p.bc?.ca, false);
  assert.ok(p.ski && p.ski.length >= 40);
  assert.equal(p.aki, p.issuerSki, 'AKI of the leaf = SKI of its issuer');
}

/** Python's view of a CA cert. */
export function assertPythonCa(p: PyCert, pathLen: number | null, selfSigned: boolean): void {
  assert.equal(p.sig, true);
  assert.equal(p.version, 'v3');
  assert.deepEqual(p.bc, { critical: true, ca: true, pathlen: pathLen });
  assert.deepEqual(p.ku, { critical: true, bits: ['key_cert_sign', 'crl_sign'] });
  assert.equal(p.eku, undefined);
  assert.ok(p.ski);
  if (!selfSigned) assert.equal(p.aki, p.issuerSki);
}

/** mailpki's own verifyCertificate accepts the chains it issued. */
export function assertMailpkiVerifies(pki: InteropPki): void {
  const r1 = verifyCertificate(pki.leaf, { trustAnchors: [pki.root], intermediates: [pki.ica], host: pki.host });
  assert.ok(r1.ok, !r1.ok ? r1.message : '');
  const r2 = verifyCertificate(pki.direct, { trustAnchors: [pki.root], host: '2001:db8:0:0:0:0:0:25' });
  assert.ok(r2.ok, !r2.ok ? r2.message : '');
}

/** Run every oracle on one key type's PKI. */
export function checkPkiEverywhere(pki: InteropPki, oracles: { openssl: boolean; certtool: boolean; python: boolean }): void {
  assertMailpkiVerifies(pki);
  assertNodeAccepts(pki.leaf, pki.ica, pki.host);
  assertNodeAccepts(pki.direct, pki.root, pki.host);
  const xr = new X509Certificate(pki.root.pem);
  assert.equal(xr.verify(xr.publicKey), true, 'root self-signature (node)');
  assert.equal(new X509Certificate(pki.ica.pem).verify(xr.publicKey), true);
  if (oracles.openssl) {
    assertOpensslVerifies(pki.files.root, pki.files.leaf, pki.host, pki.files.ica);
    assertOpensslVerifies(pki.files.root, pki.files.direct, pki.host);
    assertOpensslReqVerifies(pki.files.csr);
    for (const c of [pki.root, pki.ica, pki.leaf, pki.direct]) {
      assertOpensslDerIdentical(c, pki.dir);
      assertSerial(c);
    }
  }
  if (oracles.certtool) assertCerttoolVerifies(pki);
  if (oracles.python) {
    const [root, ica, leaf, direct] = pythonInspect([
      { cert: pki.files.root, issuer: pki.files.root },
      { cert: pki.files.ica, issuer: pki.files.root },
      { cert: pki.files.leaf, issuer: pki.files.ica },
      { cert: pki.files.direct, issuer: pki.files.root },
    ]);
    assertPythonCa(root!, 1, true);
    assertPythonCa(ica!, 0, false);
    assertPythonLeaf(leaf!, pki, `CN=Interop Intermediate ${pki.type},O=mailpki interop`);
    assertPythonLeaf(direct!, pki, `CN=Interop Root ${pki.type},O=mailpki interop,C=US`);
  }
}

