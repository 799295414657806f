/**
 * The shared test subset that runs INSIDE a browser page (bundled by
 * test/browser/library.test.ts with esbuild as a classic script). It uses
 * only the public API, exactly as a browser app would, and reports each case
 * as { name, ok, error?, ms } plus a few PEMs for the Node side to check with
 * openssl. Not a node:test file (no `.test.ts` suffix).
 */
import {
  generateKeyPair,
  sign,
  verify,
  defaultSignatureAlgorithm,
  encodePrivateKeyPem,
  encryptPrivateKeyPem,
  encodePublicKeyPem,
  parsePrivateKey,
  parsePublicKey,
  getPublicKey,
  publicKeysEqual,
  keyBits,
  createCertificateRequest,
  parseCertificateRequest,
  verifyCertificateRequest,
  encodePem,
  parsePemBlock,
  isMailPkiError,
  type KeyPair,
  type PrivateKey,
} from '../../src/index.js';

export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}
export interface SuiteReport {
  env: { subtle: string; getRandomValues: string; secureContext: boolean; userAgent: string };
  results: CaseResult[];
  pems: Record<string, string>;
}

/** Every case name, in order: the Node side asserts that exactly these ran and passed. */
export const CASE_NAMES = [
  'keygen RSA-2048',
  'keygen EC P-256',
  'keygen Ed25519',
  'sign/verify RSA-2048',
  'sign/verify EC P-256',
  'sign/verify Ed25519',
  'private key PEM round trip RSA-2048',
  'private key PEM round trip EC P-256',
  'private key PEM round trip Ed25519',
  'encrypted private key PEM round trip (passphrase)',
  'public key PEM round trip',
  'CSR build + parse + verify RSA-2048',
  'CSR build + parse + verify EC P-256',
  'CSR build + parse + verify Ed25519',
  'CSR with a broken signature is rejected',
  'PEM encode/parse round trip',
  'bad input gives a MailPkiError',
] as const;

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const eqBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export async function runSuite(): Promise<SuiteReport> {
  const results: CaseResult[] = [];
  const pems: Record<string, string> = {};
  const keys: Record<string, KeyPair> = {};
  const c = (globalThis as { crypto?: Crypto }).crypto;
  const env = {
    subtle: typeof (c as unknown as { subtle?: unknown } | undefined)?.subtle,
    getRandomValues: typeof c?.getRandomValues,
    secureContext: globalThis.isSecureContext === true,
    userAgent: navigator.userAgent,
  };

  const run = async (name: (typeof CASE_NAMES)[number], fn: () => unknown | Promise<unknown>): Promise<void> => {
    const t0 = performance.now();
    try {
      await fn();
      results.push({ name, ok: true, ms: performance.now() - t0 });
    } catch (e) {
      const err = e as { code?: string; message?: string; stack?: string };
      results.push({ name, ok: false, error: `${err.code ? err.code + ': ' : ''}${err.message ?? String(e)}`, ms: performance.now() - t0 });
    }
  };
  const need = (k: string): KeyPair => {
    const kp = keys[k];
    if (!kp) throw new Error(`no ${k} key (keygen failed)`);
    return kp;
  };

  await run('keygen RSA-2048', async () => {
    const kp = await generateKeyPair({ type: 'rsa', bits: 2048 });
    assert(kp.privateKey.type === 'rsa' && kp.publicKey.type === 'rsa', 'rsa key type');
    assert(keyBits(kp.publicKey) === 2048, `2048 bits, got ${keyBits(kp.publicKey)}`);
    keys.rsa = kp;
  });
  await run('keygen EC P-256', async () => {
    const kp = await generateKeyPair({ type: 'ec', curve: 'P-256' });
    assert(kp.privateKey.type === 'ec' && kp.privateKey.curve === 'P-256', 'P-256');
    assert(keyBits(kp.publicKey) === 256, 'EC 256 bits');
    keys.ec = kp;
  });
  await run('keygen Ed25519', async () => {
    const kp = await generateKeyPair({ type: 'ed25519' });
    assert(kp.privateKey.type === 'ed25519', 'ed25519');
    keys.ed = kp;
  });

  const label: Record<string, string> = { rsa: 'RSA-2048', ec: 'EC P-256', ed: 'Ed25519' };
  for (const k of ['rsa', 'ec', 'ed'] as const) {
    await run(`sign/verify ${label[k]}` as (typeof CASE_NAMES)[number], () => {
      const kp = need(k);
      const msg = utf8('mailpki in a browser');
      const sig = sign(kp.privateKey, msg);
      assert(verify(kp.publicKey, msg, sig), 'signature verifies');
      assert(!verify(kp.publicKey, utf8('mailpki in a browseR'), sig), 'other message must not verify');
      const bad = sig.slice();
      bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
      assert(!verify(kp.publicKey, msg, bad), 'flipped bit must not verify');
      assert(defaultSignatureAlgorithm(kp.publicKey).name.length > 0, 'has a default algorithm');
    });
  }
  for (const k of ['rsa', 'ec', 'ed'] as const) {
    await run(`private key PEM round trip ${label[k]}` as (typeof CASE_NAMES)[number], () => {
      const kp = need(k);
      const pem = encodePrivateKeyPem(kp.privateKey);
      assert(pem.startsWith('-----BEGIN PRIVATE KEY-----\n'), 'PKCS#8 PEM');
      const back: PrivateKey = parsePrivateKey(pem);
      assert(publicKeysEqual(getPublicKey(back), kp.publicKey), 'same public key after round trip');
      assert(encodePrivateKeyPem(back) === pem, 'encode(parse(pem)) == pem');
      pems[`key-${k}`] = pem;
    });
  }
  await run('encrypted private key PEM round trip (passphrase)', () => {
    const kp = need('ec');
    const pem = encryptPrivateKeyPem(kp.privateKey, 'correct horse battery');
    assert(pem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----\n'), 'encrypted PKCS#8 PEM');
    const back = parsePrivateKey(pem, { passphrase: 'correct horse battery' });
    assert(publicKeysEqual(getPublicKey(back), kp.publicKey), 'decrypts to the same key');
    let threw = false;
    try {
      parsePrivateKey(pem, { passphrase: 'wrong horse battery' });
    } catch (e) {
      threw = isMailPkiError(e);
    }
    assert(threw, 'a wrong passphrase gives a MailPkiError');
    pems['key-ec-encrypted'] = pem;
  });
  await run('public key PEM round trip', () => {
    for (const k of ['rsa', 'ec', 'ed'] as const) {
      const kp = need(k);
      const pem = encodePublicKeyPem(kp.publicKey);
      assert(pem.startsWith('-----BEGIN PUBLIC KEY-----\n'), 'SPKI PEM');
      assert(publicKeysEqual(parsePublicKey(pem), kp.publicKey), `${k}: same key back`);
    }
  });
  for (const k of ['rsa', 'ec', 'ed'] as const) {
    await run(`CSR build + parse + verify ${label[k]}` as (typeof CASE_NAMES)[number], () => {
      const kp = need(k);
      const csr = createCertificateRequest({
        subject: { C: 'DE', O: 'Example GmbH', CN: 'mail.example.test' },
        sans: ['mail.example.test', 'smtp.example.test', '192.0.2.25'],
        privateKey: kp.privateKey,
      });
      const parsed = parseCertificateRequest(csr.pem);
      verifyCertificateRequest(parsed);
      assert(eqBytes(parsed.der, csr.der), 'parse(pem).der equals the built DER');
      assert(publicKeysEqual(parsed.publicKey, kp.publicKey), 'CSR carries the key');
      const sans = (parsed.decoded.subjectAltName ?? []).map((g) => `${g.type}:${'value' in g ? String(g.value) : '?'}`);
      assert(
        sans.join(',') === 'dns:mail.example.test,dns:smtp.example.test,ip:192.0.2.25',
        `SANs kept in order, got ${sans.join(',')}`,
      );
      assert(parsed.subject.rdns.flat().some((a) => a.type === 'CN' && a.value === 'mail.example.test'), 'CN kept');
      pems[`csr-${k}`] = csr.pem;
    });
  }
  await run('CSR with a broken signature is rejected', () => {
    const kp = need('ec');
    const csr = createCertificateRequest({ subject: { CN: 'x.example.test' }, sans: ['x.example.test'], privateKey: kp.privateKey });
    // Flip one bit inside the subject's CN (the signed part): the DER stays valid.
    const der = csr.der.slice();
    const at = indexOf(der, utf8('x.example.test'));
    assert(at > 0, 'CN bytes found');
    der[at] = der[at]! ^ 0x01;
    const tampered = parseCertificateRequest(der);
    let code: string | undefined;
    try {
      verifyCertificateRequest(tampered);
    } catch (e) {
      code = isMailPkiError(e) ? e.code : `not a MailPkiError: ${String(e)}`;
    }
    assert(code === 'ERR_CSR_SIGNATURE', `verifyCertificateRequest must throw ERR_CSR_SIGNATURE, got ${code}`);
  });
  await run('PEM encode/parse round trip', () => {
    const data = c!.getRandomValues(new Uint8Array(300));
    const pem = encodePem('CERTIFICATE', data);
    const block = parsePemBlock(`junk before\r\n${pem.replace(/\n/g, '\r\n')}junk after`, ['CERTIFICATE']);
    assert(eqBytes(block.der, data), 'same bytes back through CRLF and surrounding text');
  });
  await run('bad input gives a MailPkiError', () => {
    for (const bad of ['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', 'not a key', new Uint8Array([0x30, 0x82, 0xff])]) {
      let ok = false;
      try {
        parsePrivateKey(bad);
      } catch (e) {
        ok = isMailPkiError(e);
      }
      assert(ok, `parsePrivateKey(${typeof bad === 'string' ? JSON.stringify(bad.slice(0, 20)) : 'bytes'}) throws MailPkiError`);
    }
  });
  return { env, results, pems };
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

(globalThis as { mailpkiSuite?: { runSuite: typeof runSuite; CASE_NAMES: typeof CASE_NAMES } }).mailpkiSuite = { runSuite, CASE_NAMES };
