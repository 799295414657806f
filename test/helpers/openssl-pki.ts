// Test fixtures for chain/verify tests: certificates made by the `openssl`
// CLI (keys from node:crypto), so the certificates under test were not made
// by the code under test, and so deliberately bad ones (CA:FALSE issuers,
// SHA-1, missing keyCertSign, name constraint violations) can be made at all.
// Not a test file itself (no .test.ts suffix).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk, run, tempDir } from './env.js';
import { parseCertificate, type Certificate } from '../../src/index.js';

export type FixtureKeyType = 'ec' | 'ec384' | 'rsa' | 'rsa1024' | 'ed25519';

export interface FixtureCert {
  cert: Certificate;
  certPath: string;
  keyPath: string;
  keyPem: string;
  name: string;
}

export interface CertSpec {
  /** File stem and default CN. */
  name: string;
  /** `-subj` value; default `/CN=<name>`. */
  subject?: string;
  /** Issuer fixture; absent = self-signed. */
  issuer?: FixtureCert;
  /** Reuse a key (re-issue / cross-sign). */
  keyPath?: string;
  keyType?: FixtureKeyType;
  /** Extension lines for the [v3] section. */
  ext: string[];
  days?: number;
  md?: 'sha256' | 'sha384' | 'sha224' | 'sha1';
}

/** Extension presets. */
export const EXT = {
  root: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash'],
  ca: (pathlen?: number) => [
    `basicConstraints=critical,CA:TRUE${pathlen === undefined ? '' : `,pathlen:${pathlen}`}`,
    'keyUsage=critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
  ],
  server: (...sans: string[]) => [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    `subjectAltName=${sans.join(',')}`,
  ],
};

export class OpensslPki {
  readonly dir = tempDir('mailpki-verify-');
  private n = 0;

  key(type: FixtureKeyType = 'ec'): { path: string; pem: string } {
    const kp =
      type === 'ec' || type === 'ec384'
        ? generateKeyPairSync('ec', { namedCurve: type === 'ec' ? 'P-256' : 'P-384' })
        : type === 'ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('rsa', { modulusLength: type === 'rsa1024' ? 1024 : 2048 });
    const pem = kp.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const path = join(this.dir, `key${++this.n}.pem`);
    writeFileSync(path, pem);
    return { path, pem };
  }

  cert(spec: CertSpec): FixtureCert {
    const id = `${spec.name.replace(/[^a-zA-Z0-9]/g, '_')}-${++this.n}`;
    const keyPath = spec.keyPath ?? this.key(spec.keyType).path;
    const keyPem = readFileSync(keyPath, 'utf8');
    const cfg = join(this.dir, `${id}.cnf`);
    writeFileSync(cfg, ['[req]', 'distinguished_name=dn', 'prompt=no', '[dn]', '[v3]', ...spec.ext, ''].join('\n'));
    const certPath = join(this.dir, `${id}.pem`);
    const subj = spec.subject ?? `/CN=${spec.name}`;
    const days = String(spec.days ?? 365);
    const serial = '0x' + randomBytes(16).toString('hex').replace(/^[89a-f]/, '1');
    const md = spec.md === undefined ? [] : [`-${spec.md}`];
    if (!spec.issuer) {
      runOk('openssl', ['req', '-x509', '-new', '-key', keyPath, '-subj', subj, '-days', days, '-set_serial', serial, '-config', cfg, '-extensions', 'v3', ...md, '-out', certPath]);
    } else {
      const csr = join(this.dir, `${id}.csr`);
      runOk('openssl', ['req', '-new', '-key', keyPath, '-subj', subj, '-config', cfg, '-out', csr]);
      runOk('openssl', [
        'x509', '-req', '-in', csr, '-CA', spec.issuer.certPath, '-CAkey', spec.issuer.keyPath, '-set_serial', serial,
        '-days', days, '-extfile', cfg, '-extensions', 'v3', ...md, '-out', certPath,
      ]);
    }
    return { cert: parseCertificate(readFileSync(certPath, 'utf8')), certPath, keyPath, keyPem, name: spec.name };
  }

  /** Write several certs into one PEM file (for -untrusted / -CAfile). */
  bundle(name: string, certs: FixtureCert[]): string {
    const p = join(this.dir, `${name}-${++this.n}.pem`);
    writeFileSync(p, certs.map((c) => readFileSync(c.certPath, 'utf8')).join(''));
    return p;
  }
}

/** `openssl verify` exit status and text (ok = exit 0). */
export function opensslVerify(args: { root: string; untrusted?: string; leaf: string; host?: string; purpose?: string; attime?: Date }): { ok: boolean; out: string } {
  // -auth_level 2: the security level TLS uses on Debian (SHA-1 and RSA < 2048 refused)
  const a = ['verify', '-x509_strict', '-auth_level', '2'];
  if (args.purpose) a.push('-purpose', args.purpose);
  // openssl matches IP SANs only through -verify_ip
  if (args.host) a.push(/^[0-9.]+$|:/.test(args.host) ? '-verify_ip' : '-verify_hostname', args.host);
  if (args.attime) a.push('-attime', String(Math.floor(args.attime.getTime() / 1000)));
  a.push('-CAfile', args.root);
  if (args.untrusted) a.push('-untrusted', args.untrusted);
  a.push(args.leaf);
  const r = run('openssl', a);
  return { ok: r.status === 0, out: (r.stdout + r.stderr).trim() };
}
