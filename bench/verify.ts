/**
 * Chain-verification group of the benchmark (`npm run bench -- --only verify`,
 * wired in run.ts; part of a full run too).
 *
 * 1. Parse + verify a 3-certificate chain (root, intermediate, leaf; RSA-2048
 *    and P-256), host checked, mean time per call, interleaved round-robin:
 *    - mailpki: parseCertificate × 3 (DER) + verifyCertificate(leaf,
 *      { trustAnchors: [root], intermediates: [ica], host }) — signatures,
 *      validity, CA flags, key usage, EKU, name constraints, the webpki
 *      profile rules and the host;
 *    - node:crypto: new X509Certificate × 3, checkIssued + verify per link,
 *      checkHost(host, { subject: 'never' }) (OpenSSL underneath; no
 *      validity, CA flag or EKU check);
 *    - pkijs 4.0.0: Certificate.fromBER × 3 + CertificateChainValidationEngine
 *      .verify() with Node's WebCrypto as the engine (pkijs has no host check).
 *    Every call parses fresh objects, so no per-certificate cache helps.
 * 2. The part-1 worst cases (sets built to stall path building), time of one
 *    verifyCertificate call on freshly parsed certificates (parse not timed).
 *
 * Fixtures are made here: keys by node:crypto (fast), certificates by
 * mailpki's own issuing functions, the hostile sets by the test forge
 * (test/helpers/forge.ts).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { X509Certificate, generateKeyPairSync, webcrypto } from 'node:crypto';
import { parsePrivateKey } from '../src/keys/key-io.js';
import { getPublicKey } from '../src/keys/public-key.js';
import type { PrivateKey } from '../src/crypto/key-types.js';
import { parseCertificate } from '../src/x509/certificate.js';
import { createIntermediateCa, createRootCa, issueCertificate } from '../src/x509/issue.js';
import { verifyCertificate, type VerifyOptions } from '../src/x509/verify.js';
import type { Certificate } from '../src/x509/types.js';
import { OID } from '../src/oid.js';
import { forge, caExtensions, leafExtensions, without } from '../test/helpers/forge.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const HOST = 'mail.example.com';

interface Chain {
  label: string;
  der: [Uint8Array, Uint8Array, Uint8Array]; // leaf, intermediate, root
}

function nodeKey(kind: 'rsa' | 'ec'): PrivateKey {
  const kp = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return parsePrivateKey(kp.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
}

function makeChain(kind: 'rsa' | 'ec'): Chain {
  const [rk, ik, lk] = [nodeKey(kind), nodeKey(kind), nodeKey(kind)];
  const root = createRootCa({ subject: { O: 'Bench', CN: 'Bench Root' }, privateKey: rk });
  const ica = createIntermediateCa({ subject: { O: 'Bench', CN: 'Bench Issuing CA' }, publicKey: getPublicKey(ik), issuer: root, issuerKey: rk });
  const leaf = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(lk), subject: { CN: HOST }, sans: [HOST, 'smtp.example.com'], issuer: ica, issuerKey: ik });
  return { label: kind === 'rsa' ? 'RSA-2048 chain' : 'P-256 chain', der: [leaf.der, ica.der, root.der] };
}

type Run = () => Promise<void> | void;
interface Contender {
  name: string;
  run: Run;
}

function contenders(chain: Chain, pkijs: Any, coldChains?: Chain[]): Contender[] {
  const [leafDer, icaDer, rootDer] = chain.der;
  const buf = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  let coldNext = 0;
  const cold: Contender[] = coldChains
    ? [
        {
          // a chain under CA keys never seen before each call: no ECDSA key table applies
          name: 'mailpki, new CA keys each call',
          run: () => {
            const [l, i, r] = coldChains[coldNext++ % coldChains.length]!.der;
            const res = verifyCertificate(parseCertificate(l), { trustAnchors: [parseCertificate(r)], intermediates: [parseCertificate(i)], host: HOST });
            if (!res.ok) throw new Error(`mailpki: ${res.reason}: ${res.message}`);
          },
        },
      ]
    : [];
  return [
    ...cold,
    {
      name: 'mailpki',
      run: () => {
        const leaf = parseCertificate(leafDer);
        const ica = parseCertificate(icaDer);
        const root = parseCertificate(rootDer);
        const r = verifyCertificate(leaf, { trustAnchors: [root], intermediates: [ica], host: HOST });
        if (!r.ok) throw new Error(`mailpki: ${r.reason}: ${r.message}`);
      },
    },
    {
      name: 'node:crypto',
      run: () => {
        const leaf = new X509Certificate(leafDer);
        const ica = new X509Certificate(icaDer);
        const root = new X509Certificate(rootDer);
        const ok =
          leaf.checkIssued(ica) && leaf.verify(ica.publicKey) && ica.checkIssued(root) && ica.verify(root.publicKey) && leaf.checkHost(HOST, { subject: 'never' }) !== undefined;
        if (!ok) throw new Error('node:crypto: chain does not verify');
      },
    },
    {
      name: 'pkijs 4.0.0',
      run: async () => {
        const leaf = pkijs.Certificate.fromBER(buf(leafDer));
        const ica = pkijs.Certificate.fromBER(buf(icaDer));
        const root = pkijs.Certificate.fromBER(buf(rootDer));
        const engine = new pkijs.CertificateChainValidationEngine({ trustedCerts: [root], certs: [leaf, ica], checkDate: new Date() });
        const r = await engine.verify();
        if (!r.result) throw new Error(`pkijs: ${r.resultMessage}`);
      },
    },
  ];
}

export interface Stats {
  n: number;
  mean: number;
  /** Mean of the samples without the slowest 10% (a shared machine preempts some ~1 ms calls for tens of ms). */
  trimmed: number;
  median: number;
  min: number;
  max: number;
}
function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const kept = s.slice(0, Math.max(1, Math.ceil(s.length * 0.9)));
  const trimmed = kept.reduce((a, b) => a + b, 0) / kept.length;
  return { n: s.length, mean, trimmed, median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

async function interleaved(cs: Contender[], rounds: number): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(cs.map((c) => [c.name, []]));
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < cs.length; k++) {
      const c = cs[(i + k) % cs.length]!; // rotate the order each round
      const t0 = performance.now();
      await c.run();
      out.get(c.name)!.push(performance.now() - t0);
    }
  }
  return out;
}

// ---------------------------------------------------------------- worst cases of part 1

interface WorstCase {
  label: string;
  /** Fresh certificates each sample (a parse of the DER; not timed), then the options. */
  make: () => { leaf: Certificate; opts: VerifyOptions };
}

function worstCases(): WorstCase[] {
  const k = nodeKey('ec');
  const leafKey = nodeKey('ec');
  const otherKey = nodeKey('ec');
  const fresh = (c: Certificate) => parseCertificate(c.der);
  const sameKeySet = (n: number) => {
    const mids = Array.from({ length: n }, () => forge({ subject: { CN: 'Loop CA' }, key: k, extensions: without(caExtensions(k, k), OID.authorityKeyIdentifier, OID.subjectKeyIdentifier) }));
    const leaf = forge({ subject: { CN: 'loop.example.com' }, key: leafKey, issuerName: { CN: 'Loop CA' }, signer: k, extensions: without(leafExtensions(leafKey, k, ['loop.example.com']), OID.authorityKeyIdentifier) });
    return { mids, leaf };
  };
  const unrelated = createRootCa({ subject: { CN: 'Unrelated Root' }, privateKey: otherKey });
  const twin = forge({ subject: { CN: 'Loop CA' }, key: otherKey, extensions: without(caExtensions(otherKey), OID.subjectKeyIdentifier) });
  const out: WorstCase[] = [];
  for (const n of [10, 100, 1000]) {
    const { mids, leaf } = sameKeySet(n);
    out.push({
      label: `same subject + key, ${n} intermediates, default cap (20)`,
      make: () => ({ leaf: fresh(leaf), opts: { trustAnchors: [unrelated], intermediates: mids.map(fresh) } }),
    });
    out.push({
      label: `same subject + key, ${n} intermediates, cap raised, anchor of that name with another key`,
      make: () => ({ leaf: fresh(leaf), opts: { trustAnchors: [fresh(twin)], intermediates: mids.map(fresh), maxCertificates: 5000 } }),
    });
  }
  // The default configuration's worst case: 19 intermediates of one name with distinct keys and no
  // AKI/SKI (each a candidate issuer of every other), fresh keys every sample (no key table helps).
  for (const curve of ['P-256', 'P-521'] as const) {
    out.push({
      label: `19 intermediates of one name, distinct ${curve} keys, no key identifiers, fresh keys (default cap)`,
      make: () => {
        const ks = Array.from({ length: 20 }, () => parsePrivateKey(generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string));
        const anchor = forge({ subject: { CN: 'Deg Root' }, key: ks[0]!, extensions: without(caExtensions(ks[0]!), OID.subjectKeyIdentifier) });
        const mids = ks.slice(1).map((k, i) => forge({ subject: { CN: 'Deg CA' }, key: k, issuerName: { CN: 'Deg CA' }, signer: ks[((i + 7) % 19) + 1]!, extensions: without(caExtensions(k), OID.subjectKeyIdentifier) }));
        const leaf = forge({ subject: { CN: 'deg.example.com' }, key: leafKey, issuerName: { CN: 'Deg CA' }, signer: ks[19]!, extensions: without(leafExtensions(leafKey, ks[19]!, ['deg.example.com']), OID.authorityKeyIdentifier) });
        return { leaf, opts: { trustAnchors: [anchor], intermediates: mids } };
      },
    });
  }
  const permitted = Array.from({ length: 1024 }, (_, i) => `zone${i}.example`);
  const ncRoot = createRootCa({ subject: { CN: 'NC Root' }, privateKey: otherKey, nameConstraints: { permitted } });
  const sans = Array.from({ length: 1024 }, (_, i) => `host${i}.zone${1023 - i}.example`);
  // Issuance refuses a leaf past the comparison cap: it comes from a twin root (same name and key, no constraints).
  const unconstrained = (cn: string) => createRootCa({ subject: { CN: cn }, privateKey: otherKey });
  const ncLeaf = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(leafKey), subject: { CN: sans[0]! }, sans, issuer: unconstrained("NC Root"), issuerKey: otherKey });
  out.push({ label: 'name constraints 1,024 names × 1,024 subtrees', make: () => ({ leaf: fresh(ncLeaf), opts: { trustAnchors: [fresh(ncRoot)] } }) });
  const ncRoot2 = createRootCa({ subject: { CN: 'NC Root 2' }, privateKey: otherKey, nameConstraints: { permitted: permitted.slice(0, 255) } });
  const ncLeaf2 = issueCertificate({ profile: 'tls-server', publicKey: getPublicKey(leafKey), subject: { CN: sans[1023]! }, sans: sans.slice(769), issuer: ncRoot2, issuerKey: otherKey });
  out.push({ label: 'name constraints 255 × 255 (just under the 2^16 cap, checked)', make: () => ({ leaf: fresh(ncLeaf2), opts: { trustAnchors: [fresh(ncRoot2)] } }) });
  return out;
}

// ---------------------------------------------------------------- entry

/** Untimed calls per contender before timing (JIT; the ECDSA tables of a chain's CA keys need ~50 verifications of credits). */
const WARM = 60;

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

/**
 * Run the verify group: `rounds` calls per contender and chain, interleaved;
 * the worst cases min(rounds, 20) times each. Returns markdown lines.
 */
export async function runVerifyBench(opts: { rounds: number; thirdParty: string }): Promise<{ lines: string[]; json: unknown }> {
  const req = createRequire(join(opts.thirdParty, 'package.json'));
  const pkijsPath = req.resolve('pkijs');
  const pkijs: Any = await import(pkijsPath);
  pkijs.setEngine('node-webcrypto', new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: webcrypto }));
  const lines: string[] = ['## Chain verification (parse 3 certificates + verify, host checked; ms per call)', ''];
  lines.push('| chain | implementation | n | mean | trimmed mean | median | min | max | mean / node:crypto | trimmed / node:crypto | median / node:crypto | mean / pkijs |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const json: Record<string, unknown> = {};
  for (const kind of ['rsa', 'ec'] as const) {
    const chain = makeChain(kind);
    // P-256 only: as many fresh chains as calls (RSA has no per-key tables, and its keys are slow to make)
    const coldChains = kind === 'ec' ? Array.from({ length: opts.rounds + WARM }, () => makeChain('ec')) : undefined;
    const cs = contenders(chain, pkijs, coldChains);
    // warm-up, not timed: JIT, and enough calls for the ECDSA key tables of the fixed chain's CA keys to be built
    for (let i = 0; i < WARM; i++) for (const c of cs) await c.run();
    const samples = await interleaved(cs, opts.rounds);
    const st = new Map([...samples].map(([k, v]) => [k, stats(v)]));
    const nat = st.get('node:crypto')!;
    const pk = st.get('pkijs 4.0.0')!.mean;
    for (const [name, s] of st) {
      lines.push(
        `| ${chain.label} | ${name} | ${s.n} | ${fmt(s.mean)} | ${fmt(s.trimmed)} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} | ${(s.mean / nat.mean).toFixed(2)} | ${(s.trimmed / nat.trimmed).toFixed(2)} | ${(s.median / nat.median).toFixed(2)} | ${(s.mean / pk).toFixed(2)} |`,
      );
    }
    json[chain.label] = Object.fromEntries(st);
  }
  lines.push('');
  lines.push(
    'mailpki checks more than the native path does (validity, CA flags and pathLen, key usage and EKU, name constraints, the web PKI profile rules); ' +
      'node:crypto is `checkIssued` + `verify` per link + `checkHost`; pkijs has no host check. Every call parses fresh objects. ' +
      `${WARM} untimed calls each first: the fixed chain's CA keys then have their ECDSA tables (as for any verifier of many chains); "new CA keys each call" shows the cold case. Targets: mailpki faster than pkijs and within 2x of node:crypto.`,
  );
  lines.push('');
  lines.push('## Bounded path building: worst cases (ms per verifyCertificate call, fresh certificates, parse not timed)');
  lines.push('');
  lines.push('| case | n | mean | max | CPU mean | CPU max | verdict |');
  lines.push('|---|---:|---:|---:|---:|---:|---|');
  const worst: Record<string, unknown> = {};
  const reps = Math.max(3, Math.min(opts.rounds, 20));
  for (const w of worstCases()) {
    const times: number[] = [];
    const cpu: number[] = [];
    let verdict = '';
    for (let i = 0; i < reps; i++) {
      const { leaf, opts: o } = w.make();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = verifyCertificate(leaf, o);
      times.push(performance.now() - t0);
      const d = process.cpuUsage(c0);
      cpu.push((d.user + d.system) / 1000);
      verdict = r.ok ? 'ok' : r.reason;
    }
    const s = stats(times);
    const c = stats(cpu);
    lines.push(`| ${w.label} | ${s.n} | ${fmt(s.mean)} | ${fmt(s.max)} | ${fmt(c.mean)} | ${fmt(c.max)} | ${verdict} |`);
    worst[w.label] = { wall: s, cpu: c, verdict };
  }
  lines.push('');
  lines.push('Target: under 100 ms per call. Wall time counts the time other jobs on the shared machine take the CPU; CPU time is this process alone (its GC threads included). The costliest cases run the signature budget out (64 units: 64 P-256 or 16 P-521 verifications, with at most one key table built per call); the first sample of each case is cold, later ones may meet key tables built by earlier calls (not with fresh keys).');
  return { lines, json: { chains: json, worst } };
}
