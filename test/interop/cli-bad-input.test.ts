// Bad input for every command, one row per case, run as a real process:
// exactly one stderr line starting `error: `, a non-zero exit, within
// seconds, and no output file left behind (files that existed are unchanged).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand, tempDir } from '../helpers/env.js';
import { cli, listFiles, makeFixtures, type Fixtures } from '../helpers/cli.js';

interface Row {
  /** command words, for the test name */
  readonly cmd: string;
  readonly name: string;
  /** arguments; `o` is a fresh, empty output directory */
  readonly args: (o: string) => string[];
  readonly setup?: (o: string) => void;
  /** expected code in the error line (string: exact code; RegExp: tested against the whole line) */
  readonly code?: string | RegExp;
  /** text for stdin */
  readonly input?: string;
  /** expected exit status (default: any non-zero) */
  readonly exit?: number;
}

/** Kinds of bad input file, each with the code it must produce (undefined: any code). */
function badFiles(F: Fixtures): Array<[string, string, string | RegExp | undefined]> {
  return [
    ['a missing file', join(F.dir, 'does-not-exist.pem'), 'ERR_FILE_NOT_FOUND'],
    ['a malformed PEM', F.malformedPem, /ERR_PEM_MALFORMED|ERR_DER_MALFORMED|ERR_CERT_MALFORMED|ERR_ASN1_STRUCTURE|ERR_PEM_LABEL/],
    ['a truncated PEM', F.truncatedPem, 'ERR_PEM_MALFORMED'],
    ['binary garbage', F.garbage, undefined],
    ['a huge file (40 MiB)', F.huge, 'ERR_INPUT_TOO_LARGE'],
    ['/dev/zero', '/dev/zero', 'ERR_INPUT_TOO_LARGE'],
    ['deeply nested DER', F.nestedDer, undefined],
    ['deeply nested DER in PEM', F.nestedPem, undefined],
    ['an empty file', F.empty, undefined],
    ['a directory', F.dir, 'ERR_IO'],
    ['5,000 certificates (under the byte cap)', F.many, 'ERR_INPUT_TOO_LARGE'],
  ];
}

/** The kinds the issue names for every command (the rest run against `inspect`, the generic reader). */
function mainBadFiles(F: Fixtures): Array<[string, string, string | RegExp | undefined]> {
  const keep = ['a missing file', 'a malformed PEM', 'a truncated PEM', 'binary garbage', 'a huge file (40 MiB)', '/dev/zero', 'deeply nested DER', '5,000 certificates (under the byte cap)'];
  return badFiles(F).filter(([n]) => keep.includes(n));
}

/** The quick subset for secondary inputs. */
function someBadFiles(F: Fixtures): Array<[string, string, string | RegExp | undefined]> {
  return badFiles(F).filter(([n]) => ['a missing file', 'binary garbage', '/dev/zero'].includes(n));
}

function rows(F: Fixtures): Row[] {
  const r: Row[] = [];
  const each = (cmd: string, slot: string, list: typeof badFiles, args: (bad: string, o: string) => string[]) => {
    for (const [what, path, code] of list(F)) r.push({ cmd, name: `${slot}: ${what}`, args: (o) => args(path, o), ...(code ? { code } : {}) });
  };
  const exists = (file: string) => (o: string) => writeFileSync(join(o, file), 'EXISTING\n');
  const symlink = (file: string) => (o: string) => {
    writeFileSync(join(o, 'victim.txt'), 'VICTIM\n');
    symlinkSync(join(o, 'victim.txt'), join(o, file));
  };
  const pass = ['--ca-passphrase-file', F.pass];

  // ---- key new
  r.push({ cmd: 'key new', name: 'unknown --type value', args: (o) => ['key', 'new', '--type', 'dsa', '--out', join(o, 'k.pem')], exit: 2, code: 'ERR_USAGE' });
  r.push({ cmd: 'key new', name: '--bits 1024', args: (o) => ['key', 'new', '--type', 'rsa', '--bits', '1024', '--out', join(o, 'k.pem')], exit: 2, code: 'ERR_USAGE' });
  r.push({ cmd: 'key new', name: '--curve with --type rsa', args: (o) => ['key', 'new', '--type', 'rsa', '--curve', 'P-256', '--out', join(o, 'k.pem')], exit: 2 });
  r.push({ cmd: 'key new', name: 'unknown option', args: (o) => ['key', 'new', '--colour', 'red', '--out', join(o, 'k.pem')], exit: 2, code: 'ERR_USAGE' });
  r.push({ cmd: 'key new', name: 'output exists', setup: exists('k.pem'), args: (o) => ['key', 'new', '--out', join(o, 'k.pem')], code: 'ERR_FILE_EXISTS' });
  r.push({ cmd: 'key new', name: 'output is a symlink (even with --force)', setup: symlink('k.pem'), args: (o) => ['key', 'new', '--out', join(o, 'k.pem'), '--force'], code: 'ERR_FILE_UNSAFE' });
  r.push({ cmd: 'key new', name: 'output directory is a file', setup: exists('f'), args: (o) => ['key', 'new', '--out', join(o, 'f', 'k.pem')] });
  r.push({ cmd: 'key new', name: '--passphrase-file missing', args: (o) => ['key', 'new', '--out', join(o, 'k.pem'), '--passphrase-file', join(F.dir, 'nope')], code: 'ERR_FILE_NOT_FOUND' });
  r.push({ cmd: 'key new', name: '--passphrase-file /dev/zero', args: (o) => ['key', 'new', '--out', join(o, 'k.pem'), '--passphrase-file', '/dev/zero'], code: 'ERR_INPUT_TOO_LARGE' });
  r.push({ cmd: 'key new', name: '--passphrase-env unset', args: (o) => ['key', 'new', '--out', join(o, 'k.pem'), '--passphrase-env', 'MAILPKI_TEST_UNSET_VAR'], exit: 2 });
  r.push({ cmd: 'key new', name: '--encrypt without a terminal', args: (o) => ['key', 'new', '--out', join(o, 'k.pem'), '--encrypt'], code: 'ERR_PASSPHRASE_REQUIRED' });

  // ---- ca new
  each('ca new', '--key', mainBadFiles, (bad, o) => ['ca', 'new', '--subject', 'CN=x', '--key', bad, '--cert-out', join(o, 'ca.crt')]);
  r.push({ cmd: 'ca new', name: '--key encrypted, wrong passphrase', args: (o) => ['ca', 'new', '--subject', 'CN=x', '--key', F.caKey, '--passphrase-file', F.wrongPass, '--cert-out', join(o, 'ca.crt')], code: 'ERR_BAD_PASSPHRASE' });
  r.push({ cmd: 'ca new', name: '--key encrypted, no passphrase, no terminal', args: (o) => ['ca', 'new', '--subject', 'CN=x', '--key', F.caKey, '--cert-out', join(o, 'ca.crt')], code: 'ERR_PASSPHRASE_REQUIRED' });
  r.push({ cmd: 'ca new', name: 'new key, no passphrase source, no terminal', args: (o) => ['ca', 'new', '--subject', 'CN=x', '--key-out', join(o, 'ca.key'), '--cert-out', join(o, 'ca.crt')], code: /^error: the CA key is encrypted by default: give --passphrase-file F or --passphrase-env NAME, or --no-passphrase for an unencrypted test CA \(no terminal to prompt on\) \(ERR_PASSPHRASE_REQUIRED\)$/ });
  r.push({ cmd: 'ca new', name: 'bad subject DN', args: (o) => ['ca', 'new', '--subject', '/C=USA/CN=x', '--key-out', join(o, 'ca.key'), '--cert-out', join(o, 'ca.crt'), '--no-passphrase'] });
  r.push({ cmd: 'ca new', name: 'bad name constraint', args: (o) => ['ca', 'new', '--subject', 'CN=x', '--name-constraint', 'bad..domain', '--key-out', join(o, 'ca.key'), '--cert-out', join(o, 'ca.crt'), '--no-passphrase'] });
  r.push({ cmd: 'ca new', name: '--days 0', args: (o) => ['ca', 'new', '--subject', 'CN=x', '--days', '0', '--key-out', join(o, 'ca.key'), '--cert-out', join(o, 'ca.crt'), '--no-passphrase'], exit: 2 });
  r.push({ cmd: 'ca new', name: 'cert output exists (key not written either)', setup: exists('ca.crt'), args: (o) => ['ca', 'new', '--subject', 'CN=x', '--key-out', join(o, 'ca.key'), '--cert-out', join(o, 'ca.crt'), '--no-passphrase'], code: 'ERR_FILE_EXISTS' });
  r.push({ cmd: 'ca new', name: 'key output is a symlink', setup: symlink('ca.key'), args: (o) => ['ca', 'new', '--subject', 'CN=x', '--key-out', join(o, 'ca.key'), '--cert-out', join(o, 'ca.crt'), '--no-passphrase', '--force'], code: 'ERR_FILE_UNSAFE' });
  r.push({ cmd: 'ca new', name: '--passphrase-file and --no-passphrase', args: (o) => ['ca', 'new', '--subject', 'CN=x', '--key-out', join(o, 'ca.key'), '--cert-out', join(o, 'ca.crt'), '--no-passphrase', '--passphrase-file', F.pass], exit: 2 });

  // ---- ca intermediate
  const inter = (o: string, over: Record<string, string> = {}) => {
    const a: Record<string, string> = { '--ca': F.caCert, '--ca-key': F.caKey, '--ca-passphrase-file': F.pass, '--subject': 'CN=Int', '--key-out': join(o, 'int.key'), '--cert-out': join(o, 'int.crt'), ...over };
    return ['ca', 'intermediate', ...Object.entries(a).flat(), '--no-passphrase'];
  };
  each('ca intermediate', '--ca', mainBadFiles, (bad, o) => inter(o, { '--ca': bad }));
  each('ca intermediate', '--ca-key', someBadFiles, (bad, o) => inter(o, { '--ca-key': bad }));
  r.push({ cmd: 'ca intermediate', name: 'wrong CA passphrase', args: (o) => inter(o, { '--ca-passphrase-file': F.wrongPass }), code: 'ERR_BAD_PASSPHRASE' });
  r.push({ cmd: 'ca intermediate', name: 'CA key does not match the CA cert', args: (o) => inter(o, { '--ca-key': F.otherKey }), code: 'ERR_KEY_MISMATCH' });
  r.push({ cmd: 'ca intermediate', name: '--ca is a CSR', args: (o) => inter(o, { '--ca': F.serverCsr }) });
  r.push({ cmd: 'ca intermediate', name: 'new key, no passphrase source, no terminal', args: (o) => inter(o).filter((a) => a !== '--no-passphrase'), code: /^error: the new CA key is encrypted by default: give --passphrase-file F or --passphrase-env NAME, or --no-passphrase \(no terminal to prompt on\) \(ERR_PASSPHRASE_REQUIRED\)$/ });
  r.push({ cmd: 'ca intermediate', name: 'cert output exists', setup: exists('int.crt'), args: (o) => inter(o), code: 'ERR_FILE_EXISTS' });
  r.push({ cmd: 'ca intermediate', name: 'cert output is a symlink', setup: symlink('int.crt'), args: (o) => [...inter(o), '--force'], code: 'ERR_FILE_UNSAFE' });

  // ---- csr new
  const csr = (o: string, key: string) => ['csr', 'new', '--subject', 'CN=mail.example.test', '--san', 'mail.example.test', '--key', key, '--out', join(o, 'x.csr')];
  each('csr new', '--key', mainBadFiles, (bad, o) => csr(o, bad));
  r.push({ cmd: 'csr new', name: '--key encrypted, wrong passphrase', args: (o) => [...csr(o, F.caKey), '--passphrase-file', F.wrongPass], code: 'ERR_BAD_PASSPHRASE' });
  r.push({ cmd: 'csr new', name: 'invalid --san', args: (o) => ['csr', 'new', '--subject', 'CN=x', '--san', 'not a name!', '--key-out', join(o, 'k'), '--out', join(o, 'x.csr')], code: 'ERR_SAN_INVALID' });
  r.push({ cmd: 'key new', name: 'a 3-character passphrase for the new key (the CSR page\'s rule too)', setup: (o) => writeFileSync(join(o, 'short.pass'), 'abc\n'), args: (o) => ['key', 'new', '--out', join(o, 'k.key'), '--passphrase-file', join(o, 'short.pass')], code: /^error: new key: a passphrase for a new key needs at least 8 characters \(this one has 3\) \(ERR_USAGE\)$/, exit: 2 });
  r.push({ cmd: 'ca new', name: 'a 1-character CA passphrase', setup: (o) => writeFileSync(join(o, 'short.pass'), 'x\n'), args: (o) => ['ca', 'new', '--subject', 'CN=Root', '--key-out', join(o, 'ca.key'), '--cert-out', join(o, 'ca.pem'), '--passphrase-file', join(o, 'short.pass')], code: /at least 8 characters \(this one has 1\) \(ERR_USAGE\)$/, exit: 2 });
  r.push({ cmd: 'csr new', name: '--san with a port', args: (o) => ['csr', 'new', '--subject', 'CN=x', '--san', 'mail.example.com:587', '--key-out', join(o, 'k'), '--out', join(o, 'x.csr')], code: /is not a host name \(it is a name with a port\): did you mean mail\.example\.com\? \(ERR_SAN_INVALID\)$/ });
  r.push({ cmd: 'csr new', name: '--san as a URL', args: (o) => ['csr', 'new', '--subject', 'CN=x', '--san', 'https://mail.example.com/', '--key-out', join(o, 'k'), '--out', join(o, 'x.csr')], code: /did you mean mail\.example\.com\? .*uri:https:\/\/mail\.example\.com\/\) \(ERR_SAN_INVALID\)$/ });
  r.push({ cmd: 'mail init', name: 'host with a port', args: (o) => ['mail', 'init', 'mail.example.com:25', '--out', join(o, 'm'), '--no-ca-passphrase'], code: /did you mean mail\.example\.com\? \(ERR_SAN_INVALID\)$/ });
  r.push({ cmd: 'csr new', name: 'neither --key nor --key-out', args: (o) => ['csr', 'new', '--subject', 'CN=x', '--out', join(o, 'x.csr')], exit: 2 });
  r.push({ cmd: 'csr new', name: 'output exists', setup: exists('x.csr'), args: (o) => csr(o, F.serverKey), code: 'ERR_FILE_EXISTS' });
  r.push({ cmd: 'csr new', name: 'output is a symlink', setup: symlink('x.csr'), args: (o) => [...csr(o, F.serverKey), '--force'], code: 'ERR_FILE_UNSAFE' });
  r.push({ cmd: 'csr new', name: 'unknown --curve value', args: (o) => ['csr', 'new', '--subject', 'CN=x', '--key-out', join(o, 'k'), '--curve', 'P-192', '--out', join(o, 'x.csr')], exit: 2 });

  // ---- sign
  const sign = (o: string, over: Record<string, string> = {}) => {
    const a: Record<string, string> = { '--csr': F.serverCsr, '--ca': F.caCert, '--ca-key': F.caKey, '--ca-passphrase-file': F.pass, '--out': join(o, 'x.crt'), ...over };
    return ['sign', ...Object.entries(a).flat()];
  };
  each('sign', '--csr', mainBadFiles, (bad, o) => sign(o, { '--csr': bad }));
  each('sign', '--ca', someBadFiles, (bad, o) => sign(o, { '--ca': bad }));
  each('sign', '--ca-key', someBadFiles, (bad, o) => sign(o, { '--ca-key': bad }));
  r.push({ cmd: 'sign', name: 'CSR with a bad signature', args: (o) => sign(o, { '--csr': F.badSigCsr }), code: 'ERR_CSR_SIGNATURE' });
  r.push({ cmd: 'sign', name: 'wrong CA passphrase', args: (o) => sign(o, { '--ca-passphrase-file': F.wrongPass }), code: 'ERR_BAD_PASSPHRASE' });
  r.push({ cmd: 'sign', name: 'CA key does not match the CA cert', args: (o) => sign(o, { '--ca-key': F.otherKey }), code: 'ERR_KEY_MISMATCH' });
  r.push({ cmd: 'sign', name: 'encrypted CA key, no passphrase, no terminal', args: (o) => ['sign', '--csr', F.serverCsr, '--ca', F.caCert, '--ca-key', F.caKey, '--out', join(o, 'x.crt')], code: 'ERR_PASSPHRASE_REQUIRED' });
  r.push({ cmd: 'sign', name: '--csr is a certificate', args: (o) => sign(o, { '--csr': F.serverCert }) });
  r.push({ cmd: 'sign', name: 'unknown --profile', args: (o) => sign(o, { '--profile': 'code-signing' }), exit: 2, code: 'ERR_USAGE' });
  r.push({ cmd: 'sign', name: '--days 900 (Apple 825-day limit): the hint names the CLI flag, not the library option', args: (o) => sign(o, { '--days': '900' }), code: /refused: the maximum is 825 days \(.*\); use --allow-long-validity to override \(ERR_POLICY\)$/ });
  r.push({ cmd: 'sign', name: 'output exists', setup: exists('x.crt'), args: (o) => sign(o), code: 'ERR_FILE_EXISTS' });
  r.push({ cmd: 'sign', name: 'chain output is a symlink', setup: symlink('chain.pem'), args: (o) => [...sign(o), '--chain-out', join(o, 'chain.pem'), '--force'], code: 'ERR_FILE_UNSAFE' });

  // ---- chain
  each('chain', 'FILE', mainBadFiles, (bad, o) => ['chain', F.serverCert, bad, '--out', join(o, 'c.pem')]);
  each('chain', '--key', someBadFiles, (bad, o) => ['chain', F.serverCert, F.caCert, '--key', bad, '--out', join(o, 'c.pem')]);
  r.push({ cmd: 'chain', name: 'key does not match the leaf', args: (o) => ['chain', F.serverCert, F.caCert, '--key', F.otherKey, '--out', join(o, 'c.pem')], code: 'ERR_KEY_MISMATCH' });
  r.push({ cmd: 'chain', name: 'encrypted key, wrong passphrase', args: (o) => ['chain', F.serverCert, F.caCert, '--key', F.caKey, '--passphrase-file', F.wrongPass, '--out', join(o, 'c.pem')], code: 'ERR_BAD_PASSPHRASE' });
  r.push({ cmd: 'chain', name: 'encrypted key, no passphrase', args: (o) => ['chain', F.serverCert, F.caCert, '--key', F.caKey, '--out', join(o, 'c.pem')], code: 'ERR_PASSPHRASE_REQUIRED' });
  r.push({ cmd: 'chain', name: 'an unrelated root', args: (o) => ['chain', F.serverCert, F.otherCa, '--out', join(o, 'c.pem')], code: 'ERR_CHAIN_INCOMPLETE' });
  r.push({ cmd: 'chain', name: '--with-root without the root', args: (o) => ['chain', F.serverCert, '--with-root', '--out', join(o, 'c.pem')], code: 'ERR_CHAIN_INCOMPLETE' });
  r.push({ cmd: 'chain', name: 'output exists', setup: exists('c.pem'), args: (o) => ['chain', F.serverCert, F.caCert, '--out', join(o, 'c.pem')], code: 'ERR_FILE_EXISTS' });
  r.push({ cmd: 'chain', name: 'output is a symlink', setup: symlink('c.pem'), args: (o) => ['chain', F.serverCert, F.caCert, '--out', join(o, 'c.pem'), '--force'], code: 'ERR_FILE_UNSAFE' });
  r.push({ cmd: 'chain', name: 'no FILE', args: (o) => ['chain', '--out', join(o, 'c.pem')], exit: 2 });

  // ---- inspect
  each('inspect', 'FILE', badFiles, (bad) => ['inspect', bad]);
  r.push({ cmd: 'inspect', name: 'stdin: 20 MiB', args: () => ['inspect', '-'], input: 'A'.repeat(20 * 1024 * 1024), code: 'ERR_INPUT_TOO_LARGE' });
  r.push({ cmd: 'inspect', name: 'stdin: empty', args: () => ['inspect', '-'], input: '' });
  r.push({ cmd: 'inspect', name: 'unknown option', args: () => ['inspect', F.serverCert, '--yaml'], exit: 2, code: 'ERR_USAGE' });

  // ---- verify
  each('verify', 'CERT', mainBadFiles, (bad) => ['verify', bad, '--ca', F.caCert]);
  each('verify', '--ca', someBadFiles, (bad) => ['verify', F.serverCert, '--ca', bad]);
  r.push({ cmd: 'verify', name: 'signed by another CA', args: () => ['verify', F.serverCert, '--ca', F.otherCa], code: /\(unknown-issuer\)$/ });
  r.push({ cmd: 'verify', name: 'wrong host', args: () => ['verify', F.serverCert, '--ca', F.caCert, '--host', 'www.example.org'], code: /\(host-mismatch\)$/ });
  r.push({ cmd: 'verify', name: 'unknown --purpose', args: () => ['verify', F.serverCert, '--ca', F.caCert, '--purpose', 'code-signing'], exit: 2 });
  r.push({ cmd: 'verify', name: 'bad --at', args: () => ['verify', F.serverCert, '--ca', F.caCert, '--at', 'yesterday'], exit: 2 });
  r.push({ cmd: 'verify', name: 'expired (--at in 10 years)', args: () => ['verify', F.serverCert, '--ca', F.caCert, '--at', '2036-01-01T00:00:00Z'], code: /\(expired\)$/ });

  // ---- config
  each('config', '--cert', mainBadFiles, (bad) => ['config', 'postfix', '--cert', bad, '--key', F.serverKey]);
  each('config', '--key', someBadFiles, (bad) => ['config', 'dovecot', '--cert', F.serverCert, '--key', bad]);
  r.push({ cmd: 'config', name: 'key does not match the cert', args: () => ['config', 'postfix', '--cert', F.serverCert, '--key', F.otherKey], code: 'ERR_KEY_MISMATCH' });
  r.push({ cmd: 'config', name: 'encrypted key for Postfix', args: () => ['config', 'postfix', '--cert', F.caCert, '--key', F.caKey], code: 'ERR_KEY_ENCRYPTED' });
  r.push({ cmd: 'config', name: 'an encrypted key of another certificate for Dovecot (checked after decrypting)', args: () => ['config', 'dovecot', '--cert', F.serverCert, '--key', F.caKey, '--passphrase-file', F.pass], code: /^error: .*ca\.key is not the private key of the first certificate in .*server\.crt \(ERR_KEY_MISMATCH\)$/ });
  r.push({ cmd: 'config', name: 'an encrypted key for Dovecot, no passphrase and no terminal', args: () => ['config', 'dovecot', '--cert', F.caCert, '--key', F.caKey], code: /the key is encrypted, so mailpki cannot check that it belongs to .* without its passphrase: give --passphrase-file F .* \(ERR_PASSPHRASE_REQUIRED\)$/ });
  r.push({ cmd: 'config', name: 'an encrypted key for Dovecot, wrong passphrase (the error names the file)', args: () => ['config', 'dovecot', '--cert', F.caCert, '--key', F.caKey, '--passphrase-file', F.wrongPass], code: /^error: \S*ca\.key: .*\(ERR_BAD_PASSPHRASE\)$/ });
  r.push({ cmd: 'config', name: 'unknown server', args: () => ['config', 'exim', '--cert', F.serverCert, '--key', F.serverKey], exit: 2 });
  r.push({ cmd: 'config', name: 'unknown --profile', args: () => ['config', 'postfix', '--cert', F.serverCert, '--key', F.serverKey, '--profile', 'old'], exit: 2 });
  r.push({ cmd: 'config', name: 'Dovecot 2.2', args: () => ['config', 'dovecot', '--cert', F.serverCert, '--key', F.serverKey, '--version', '2.2'], exit: 2 });
  r.push({ cmd: 'config', name: 'Postfix version not a version', args: () => ['config', 'postfix', '--cert', F.serverCert, '--key', F.serverKey, '--version', 'latest'], exit: 2 });

  // ---- tlsa
  each('tlsa', 'CERT', mainBadFiles, (bad) => ['tlsa', bad, '--host', 'mail.example.test']);
  r.push({ cmd: 'tlsa', name: '--usage 1', args: () => ['tlsa', F.serverCert, '--usage', '1'], exit: 2, code: 'ERR_USAGE' });
  r.push({ cmd: 'tlsa', name: '--port 70000', args: () => ['tlsa', F.serverCert, '--port', '70000'], exit: 2, code: 'ERR_USAGE' });
  r.push({ cmd: 'tlsa', name: 'bad --host', args: () => ['tlsa', F.serverCert, '--host', 'not a host'], exit: 2 });

  // ---- check (no network needed: everything fails before or at connect)
  each('check', '--ca', someBadFiles, (bad) => ['check', '127.0.0.1:1', '--ca', bad]);
  r.push({ cmd: 'check', name: 'not HOST:PORT', args: () => ['check', 'mail.example.test'], exit: 2, code: 'ERR_USAGE' });
  r.push({ cmd: 'check', name: 'IPv6 without brackets', args: () => ['check', '::1:25'], exit: 2, code: 'ERR_USAGE' });
  r.push({ cmd: 'check', name: 'port 0', args: () => ['check', '127.0.0.1:0'], exit: 2 });
  r.push({ cmd: 'check', name: 'unknown --starttls', args: () => ['check', '127.0.0.1:25', '--starttls', 'ftp'], exit: 2, code: 'ERR_USAGE' });
  r.push({ cmd: 'check', name: 'connection refused', args: () => ['check', '127.0.0.1:1', '--timeout', '5'], code: /\(connect-failed\)$/, exit: 1 });

  // ---- mail init
  const mi = (o: string, ...extra: string[]) => ['mail', 'init', 'mail.example.test', '--out', join(o, 'out'), ...extra];
  r.push({ cmd: 'mail init', name: 'HOST is not a DNS name', args: (o) => ['mail', 'init', 'not a host!', '--out', join(o, 'out'), '--no-ca-passphrase'] });
  r.push({ cmd: 'mail init', name: 'HOST is an IP address', args: (o) => ['mail', 'init', '192.0.2.1', '--out', join(o, 'out'), '--no-ca-passphrase'], exit: 2 });
  r.push({ cmd: 'mail init', name: 'no passphrase source, no terminal', args: (o) => mi(o), code: /^error: the root CA key is encrypted by default: give --ca-passphrase-file F or --ca-passphrase-env NAME, or --no-ca-passphrase \(no terminal to prompt on\) \(ERR_PASSPHRASE_REQUIRED\)$/ });
  r.push({ cmd: 'mail init', name: '--ca-passphrase-file missing', args: (o) => mi(o, '--ca-passphrase-file', join(F.dir, 'nope')), code: 'ERR_FILE_NOT_FOUND' });
  r.push({ cmd: 'mail init', name: '--ca-passphrase-file /dev/urandom', args: (o) => mi(o, '--ca-passphrase-file', '/dev/urandom'), code: 'ERR_INPUT_TOO_LARGE' });
  r.push({ cmd: 'mail init', name: '--key-type dsa', args: (o) => mi(o, '--key-type', 'dsa', '--no-ca-passphrase'), exit: 2, code: 'ERR_USAGE' });
  r.push({ cmd: 'mail init', name: '--days 900', args: (o) => mi(o, '--days', '900', '--no-ca-passphrase'), exit: 2 });
  r.push({ cmd: 'mail init', name: 'a --san outside --name-constraint', args: (o) => mi(o, '--san', 'mail.other.org', '--name-constraint', 'example.test', '--no-ca-passphrase'), code: 'ERR_NAME_CONSTRAINTS' });
  r.push({ cmd: 'mail init', name: 'invalid --san', args: (o) => mi(o, '--san', 'bad name', '--no-ca-passphrase'), code: 'ERR_SAN_INVALID' });
  r.push({
    cmd: 'mail init',
    name: 'one output file exists: nothing else is written',
    setup: (o) => {
      mkdirSync(join(o, 'out'));
      writeFileSync(join(o, 'out', 'NEXT-STEPS.txt'), 'MINE\n');
    },
    args: (o) => mi(o, '--no-ca-passphrase'),
    code: 'ERR_FILE_EXISTS',
  });
  r.push({
    cmd: 'mail init',
    name: 'one output file is a symlink (with --force): nothing is written',
    setup: (o) => {
      mkdirSync(join(o, 'out'));
      writeFileSync(join(o, 'victim.txt'), 'VICTIM\n');
      symlinkSync(join(o, 'victim.txt'), join(o, 'out', 'server.key'));
    },
    args: (o) => mi(o, '--no-ca-passphrase', '--force'),
    code: 'ERR_FILE_UNSAFE',
  });
  r.push({ cmd: 'mail init', name: '--out is a file', setup: (o) => writeFileSync(join(o, 'out'), 'FILE\n'), args: (o) => mi(o, '--no-ca-passphrase') });
  r.push({ cmd: 'mail init', name: '--ca-key does not match --ca-cert', args: (o) => mi(o, '--ca-cert', F.caCert, '--ca-key', F.otherKey), code: 'ERR_KEY_MISMATCH' });
  r.push({ cmd: 'mail init', name: '--ca-cert is not a CA', args: (o) => mi(o, '--ca-cert', F.serverCert, '--ca-key', F.serverKey), code: 'ERR_ISSUER_NOT_CA' });
  r.push({ cmd: 'mail init', name: '--ca-cert without --ca-key', args: (o) => mi(o, '--ca-cert', F.caCert), exit: 2 });
  r.push({ cmd: 'mail init', name: '--ca DIR that has no root', args: (o) => mi(o, '--ca', o), code: 'ERR_FILE_NOT_FOUND' });

  // ---- day two: ca list, revoke, crl, mail renew (databases under the fresh directory via --db)
  const corruptDb = (o: string): void => writeFileSync(join(o, 'db.jsonl'), '{"mailpki":"issuance-db","v":1,"h":"0000000000000000"}\n');
  r.push({ cmd: 'ca list', name: 'neither --ca nor --db', args: () => ['ca', 'list'], exit: 2 });
  r.push({ cmd: 'ca list', name: 'a corrupt database', setup: corruptDb, args: (o) => ['ca', 'list', '--db', join(o, 'db.jsonl')], code: 'ERR_DB_CORRUPT' });
  r.push({ cmd: 'ca list', name: 'a database that is binary garbage', args: () => ['ca', 'list', '--db', F.garbage], code: 'ERR_DB_CORRUPT' });
  r.push({ cmd: 'ca list', name: 'a database that is a directory', args: () => ['ca', 'list', '--db', F.dir] });
  r.push({ cmd: 'revoke', name: 'an unknown serial', args: (o) => ['revoke', 'DEADBEEF', '--ca', F.caCert, '--reason', 'superseded', '--db', join(o, 'db.jsonl')], code: 'ERR_SERIAL_UNKNOWN' });
  r.push({ cmd: 'revoke', name: 'a serial that is not hex', args: (o) => ['revoke', 'xyz', '--ca', F.caCert, '--reason', 'superseded', '--db', join(o, 'db.jsonl')], exit: 2 });
  r.push({ cmd: 'revoke', name: 'SERIAL and --cert', args: (o) => ['revoke', 'AB', '--cert', F.serverCert, '--ca', F.caCert, '--reason', 'superseded', '--db', join(o, 'db.jsonl')], exit: 2 });
  r.push({ cmd: 'revoke', name: '--cert of another CA', args: (o) => ['revoke', '--cert', F.serverCert, '--ca', F.otherCa, '--reason', 'superseded', '--db', join(o, 'db.jsonl')], code: 'ERR_WRONG_ISSUER' });
  r.push({ cmd: 'revoke', name: 'unknown --reason', args: (o) => ['revoke', 'AB', '--ca', F.caCert, '--reason', 'removeFromCRL', '--db', join(o, 'db.jsonl')], exit: 2 });
  r.push({ cmd: 'crl', name: 'CA key does not match', args: (o) => ['crl', '--ca', F.caCert, '--ca-key', F.otherKey, '--out', join(o, 'x.crl'), '--db', join(o, 'db.jsonl')], code: 'ERR_KEY_MISMATCH' });
  r.push({ cmd: 'crl', name: 'a corrupt database', setup: corruptDb, args: (o) => ['crl', '--ca', F.caCert, '--ca-key', F.caKeyPlain, '--out', join(o, 'x.crl'), '--db', join(o, 'db.jsonl')], code: 'ERR_DB_CORRUPT' });
  const renew = (o: string, ...extra: string[]) => ['mail', 'renew', '--cert', F.serverCert, '--key', F.serverKey, '--ca-cert', F.caCert, '--ca-key', F.caKeyPlain, '--db', join(o, 'db.jsonl'), ...extra];
  r.push({ cmd: 'mail renew', name: 'neither DIR nor --cert/--key', args: () => ['mail', 'renew'], exit: 2 });
  r.push({ cmd: 'mail renew', name: 'a DIR without server files', args: (o) => ['mail', 'renew', o], code: 'ERR_FILE_NOT_FOUND' });
  r.push({ cmd: 'mail renew', name: 'a certificate the CA did not issue', args: (o) => ['mail', 'renew', '--cert', F.serverCert, '--key', F.serverKey, '--ca-cert', F.otherCa, '--ca-key', F.otherKey, '--db', join(o, 'db.jsonl')], code: 'ERR_WRONG_ISSUER' });
  r.push({ cmd: 'mail renew', name: 'the key is not the certificate\'s', args: (o) => ['mail', 'renew', '--cert', F.serverCert, '--key', F.otherKey, '--ca-cert', F.caCert, '--ca-key', F.caKeyPlain, '--db', join(o, 'db.jsonl')], code: 'ERR_KEY_MISMATCH' });
  r.push({ cmd: 'mail renew', name: 'wrong CA key', args: (o) => ['mail', 'renew', '--cert', F.serverCert, '--key', F.serverKey, '--ca-cert', F.caCert, '--ca-key', F.otherKey, '--db', join(o, 'db.jsonl')], code: 'ERR_KEY_MISMATCH' });
  r.push({ cmd: 'mail renew', name: 'a corrupt database', setup: corruptDb, args: (o) => renew(o), code: 'ERR_DB_CORRUPT' });
  r.push({ cmd: 'mail renew', name: '--revoke-old keyCompromise without --new-key', args: (o) => renew(o, '--revoke-old', 'keyCompromise'), exit: 2 });
  r.push({ cmd: 'csr new', name: '--from-cert is garbage', args: (o) => ['csr', 'new', '--from-cert', F.garbage, '--key', F.serverKey, '--out', join(o, 'x.csr')] });
  r.push({ cmd: 'check', name: '--warn-days is not a number', args: () => ['check', '127.0.0.1:1', '--warn-days', 'soon'], exit: 2 });
  return r;
}

describe('bad input: one error line, non-zero exit, within seconds, no output left', { concurrency: 3 }, () => {
  if (!hasCommand('openssl')) {
    it('needs openssl for the fixtures', (t) => {
      if (process.env.MAILPKI_REQUIRE_ORACLES === '1') throw new Error('openssl missing');
      t.skip('openssl not installed');
    });
    return;
  }
  let F: Fixtures;
  before(() => {
    F = makeFixtures();
  });
  // Rows are built from fixture paths: build them from a placeholder fixture set, then resolve at run time.
  const names = rows(placeholderFixtures());
  names.forEach((row, i) => {
    it(`${row.cmd}: ${row.name}`, async () => {
      const real = rows(F)[i]!;
      const o = tempDir('mailpki-cli-bad-');
      real.setup?.(o);
      const beforeFiles = snapshot(o);
      const res = await cli(real.args(o), { cwd: o, timeoutMs: 20_000, env: { MAILPKI_TEST_UNSET_VAR: '' }, ...(real.input !== undefined ? { input: real.input } : {}) });
      const lines = res.stderr.split('\n').filter((l) => l !== '');
      const ctx = `args: ${real.args(o).join(' ')}\nstatus: ${res.status}\nstderr: ${res.stderr}\nstdout: ${res.stdout.slice(0, 500)}`;
      assert.equal(res.signal, null, `killed by ${res.signal} (timeout?)\n${ctx}`);
      assert.notEqual(res.status, 0, ctx);
      if (real.exit !== undefined) assert.equal(res.status, real.exit, ctx);
      assert.equal(lines.length, 1, `exactly one stderr line\n${ctx}`);
      assert.match(lines[0]!, /^error: \S.* \((ERR_[A-Z_]+|[a-z-]+)\)$/, ctx);
      if (typeof real.code === 'string') assert.ok(lines[0]!.endsWith(`(${real.code})`), `expected ${real.code}\n${ctx}`);
      else if (real.code) assert.match(lines[0]!, real.code, ctx);
      assert.ok(!/PRIVATE KEY|MII[A-Za-z0-9+/]{20}/.test(res.stderr + res.stdout), `no key material in the output\n${ctx}`);
      assert.ok(res.ms < 15_000, `took ${res.ms} ms\n${ctx}`);
      assert.deepEqual(snapshot(o), beforeFiles, `files changed or left behind\n${ctx}`);
    });
  });
});

/** Every file under `dir` with its content (symlinks as their target's content), for before/after comparison. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of listFiles(dir)) {
    try {
      out[f] = readFileSync(join(dir, f), 'latin1');
    } catch {
      out[f] = '<unreadable>';
    }
  }
  return out;
}

function placeholderFixtures(): Fixtures {
  return new Proxy({} as Fixtures, { get: (_t, k) => `/placeholder/${String(k)}` });
}
