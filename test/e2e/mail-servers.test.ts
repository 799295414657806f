// End-to-end: `mailpki mail init` for a test host, then Debian's Postfix and
// Dovecot started on loopback ports with exactly the generated snippets (only
// the install directory and the ports adapted), then both `openssl s_client
// -verify_return_error -verify_hostname` and mailpki's probe (library and
// `mailpki check`) on SMTP STARTTLS (25- and 587-style), SMTPS (465-style),
// IMAP STARTTLS, IMAPS, POP3 STLS and POP3S. The probe must fail, with a clear
// reason, for a name the certificate does not carry and for a port without
// TLS. The servers are stopped even when a check fails.
//
// Needs root (CI runs as root) and postfix, dovecot-imapd, dovecot-pop3d,
// openssl, util-linux (script); everything else the harness prepares itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { oracle, run, tempDir, ROOT } from '../helpers/env.js';
import { killWhenFileAppears } from '../helpers/cli.js';
import { probeTls, type ProbeOptions, type ProbeResult } from '../../src/node/probe.js';
import { doveconf, postfixCheck, startMailServers, type MailServers } from './mail-servers.js';
import { parseCertificates, INTERMEDIATE_TLS12_CIPHERS, generatePostfixConfig } from '../../src/index.js';

const HOST = 'mail.example.test';
const execFileP = promisify(execFile);

function needRoot(t: { skip: (m: string) => void }): boolean {
  if (process.getuid?.() === 0) return true;
  if (process.env.MAILPKI_REQUIRE_ORACLES === '1') throw new Error('the mail-server e2e test must run as root in CI');
  t.skip('needs root to start postfix and dovecot');
  return false;
}

interface Service {
  name: string;
  port: number;
  starttls?: 'smtp' | 'imap' | 'pop3';
  protocol: 'smtp' | 'imap' | 'pop3';
}

async function sClient(port: number, starttls: string | undefined, verifyHost: string, caFile: string, extra: string[] = []): Promise<{ code: number; out: string }> {
  return sClientArgs(port, starttls, ['-verify_hostname', verifyHost, '-CAfile', caFile, ...extra]);
}

async function sClientArgs(port: number, starttls: string | undefined, extra: string[]): Promise<{ code: number; out: string }> {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', HOST, '-verify_return_error', ...extra];
  if (starttls) args.push('-starttls', starttls);
  return new Promise((resolve) => {
    const child = execFile('openssl', args, { timeout: 20_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
    child.stdin?.end('QUIT\r\n');
  });
}

async function cliCheck(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileP(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'check', ...args], { cwd: ROOT, timeout: 60_000, encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

function describe(r: ProbeResult): string {
  return `${r.failure?.code ?? 'ok'} at ${r.failure?.stage ?? '-'}: ${r.failure?.message ?? ''}\n${r.transcript.join('\n')}`;
}

test('mailpki mail init output runs real Postfix and Dovecot; openssl s_client and mailpki check agree', { timeout: 115_000 }, async (t) => {
  if (!oracle(t, 'postfix') || !oracle(t, 'dovecot') || !oracle(t, 'doveadm') || !oracle(t, 'openssl') || !needRoot(t)) return;

  const root = tempDir('mailpki-e2e-');
  const out = join(root, 'out');
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const postfixVersion = run('postconf', ['-d', '-h', 'mail_version']).stdout.trim();
  assert.match(postfixVersion, /^\d+\.\d+/, 'postconf -d -h mail_version');

  // 1. mail init, exactly as a user runs it (install dir = where the files are, so no path rewriting).
  const init = run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'mail', 'init', HOST, '--out', out, '--no-ca-passphrase', '--install-dir', out, '--postfix-version', postfixVersion], { cwd: ROOT, timeout: 60_000 });
  assert.equal(init.status, 0, `mail init failed: ${init.stderr}`);
  const file = (n: string): string => readFileSync(join(out, n), 'utf8');
  const mainCf = file('postfix-main.cf');
  const masterCf = file('postfix-master.cf');
  const dovecot23 = file('dovecot-2.3-10-ssl.conf');
  const caFile = join(out, 'root-ca.pem');
  const ca = parseCertificates(readFileSync(caFile));
  assert.equal(ca.length, 1);
  // the snippets point at the files mail init wrote
  assert.match(mainCf, new RegExp(`^smtpd_tls_chain_files = ${out}/postfix-chain\\.pem$`, 'm'));
  assert.match(dovecot23, new RegExp(`^ssl_cert = <${out}/server-chain\\.pem$`, 'm'));

  // 2. start the daemons; stop them whatever happens
  let servers: MailServers | undefined;
  t.after(() => servers?.stop());
  // The daemons' unprivileged users must reach their directories under the temp dir.
  chmodSync(root, 0o755);
  try {
    servers = await startMailServers(root, mainCf, masterCf, dovecot23, tag);
    const { postfix, dovecot, ports } = servers;
    assert.equal(postfix.checkOutput, '', 'postfix check: no warnings about the generated configuration');

    // Postfix read our settings as written (postconf -n shows the effective non-default values).
    const pc = run('postconf', ['-n', '-c', postfix.configDir]);
    assert.equal(pc.status, 0);
    assert.doesNotMatch(pc.stderr, /warning/i, `postconf warnings: ${pc.stderr}`);
    for (const line of mainCf.split('\n').filter((l) => /^[a-z_]+ = /.test(l))) {
      assert.ok(pc.stdout.split('\n').includes(line), `postconf -n lacks "${line}"`);
    }
    const dc = doveconf(dovecot.configFile);
    assert.equal(dc.status, 0, dc.out);
    assert.match(dc.out, /^ssl = required$/m);
    assert.match(dc.out, /^ssl_cipher_list = ECDHE-ECDSA-AES128-GCM-SHA256:/m);
    // -n hides values equal to the default; ask for these explicitly
    assert.equal(run('doveconf', ['-c', dovecot.configFile, '-h', 'ssl_min_protocol']).stdout.trim(), 'TLSv1.2');
    assert.equal(run('doveconf', ['-c', dovecot.configFile, '-h', 'ssl_prefer_server_ciphers']).stdout.trim(), 'no');

    const services = tlsServices(ports);

    // 3. openssl s_client: chain + SAN host check by OpenSSL
    for (const s of services) {
      const r = await sClient(s.port, s.starttls, HOST, caFile);
      assert.match(r.out, /Verify return code: 0 \(ok\)/, `${s.name}: openssl s_client:\n${r.out.slice(-1500)}`);
      assert.match(r.out, /Protocol *: TLSv1\.[23]|New, TLSv1\.[23]/, `${s.name}: protocol`);
    }

    // 4. mailpki's probe (library)
    const base = (s: Service): ProbeOptions => ({ host: '127.0.0.1', port: s.port, servername: HOST, ca, timeoutMs: 10_000, ...(s.starttls ? { starttls: s.starttls } : { protocol: s.protocol }) });
    const results = new Map<string, ProbeResult>();
    for (const s of services) {
      const r = await probeTls(base(s));
      results.set(s.name, r);
      assert.equal(r.ok, true, `${s.name}: ${describe(r)}`);
      assert.equal(r.tlsVersion, 'TLSv1.3', s.name);
      assert.equal(r.hostMatch, true);
      assert.equal(r.servername, HOST);
      assert.equal(r.chain.length, 1, 'the chain file holds the leaf (no intermediate)');
      assert.ok(r.daysUntilExpiry! > 300 && r.daysUntilExpiry! <= 397, `days: ${r.daysUntilExpiry}`);
      assert.match(r.tlsa311!, /^3 1 1 [0-9a-f]{64}$/);
      assert.ok(r.capabilities && r.capabilities.length > 0, `${s.name}: capabilities after TLS`);
    }
    // The TLSA record mail init wrote pins the key the servers present.
    const tlsaRdata = /IN TLSA (3 1 1 [0-9a-f]{64})/.exec(file('tlsa.txt'))?.[1];
    assert.equal(results.get(services[0]!.name)!.tlsa311, tlsaRdata);
    // ... and OpenSSL's DANE check accepts that record against the live server (and refuses a wrong one).
    const dane = await sClientArgs(ports.smtp, 'smtp', ['-dane_tlsa_domain', HOST, '-dane_tlsa_rrdata', tlsaRdata!]);
    assert.match(dane.out, /Verify return code: 0 \(ok\)/, dane.out.slice(-1500));
    assert.match(dane.out, /DANE TLSA 3 1 1 .*matched EE certificate/);
    const badRdata = tlsaRdata!.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    const daneBad = await sClientArgs(ports.smtp, 'smtp', ['-dane_tlsa_domain', HOST, '-dane_tlsa_rrdata', badRdata]);
    assert.doesNotMatch(daneBad.out, /Verify return code: 0 \(ok\)/);
    // smtpd_tls_auth_only + Dovecot SASL: AUTH only after STARTTLS on 587, and on 465.
    const sub = results.get(services[1]!.name)!;
    assert.ok(!sub.capabilitiesBeforeTls!.some((c) => c.startsWith('AUTH')), `AUTH before TLS on 587: ${sub.capabilitiesBeforeTls}`);
    assert.ok(sub.capabilities!.some((c) => /^AUTH\b.*\bPLAIN\b/.test(c)), `no AUTH PLAIN after TLS on 587: ${sub.capabilities}`);
    assert.ok(results.get(services[2]!.name)!.capabilities!.some((c) => /^AUTH\b/.test(c)), 'AUTH on 465');
    // Capabilities are re-read after TLS (Dovecot no longer offers STARTTLS there).
    // (Dovecot treats loopback clients as secure, so LOGINDISABLED cannot be shown here.)
    const imap = results.get(services[3]!.name)!;
    assert.ok(imap.capabilitiesBeforeTls!.includes('STARTTLS'), `${imap.capabilitiesBeforeTls}`);
    assert.ok(!imap.capabilities!.includes('STARTTLS') && imap.capabilities!.includes('AUTH=PLAIN'), `${imap.capabilities}`);
    assert.ok(results.get(services[5]!.name)!.capabilitiesBeforeTls!.includes('STLS'));

    // TLS 1.2: only the Mozilla intermediate suites are accepted (both daemons).
    for (const s of [services[2]!, services[4]!]) {
      const ok12 = await sClient(s.port, s.starttls, HOST, caFile, ['-tls1_2']);
      const cipher = /Cipher is (\S+)/.exec(ok12.out)?.[1];
      assert.ok(cipher && INTERMEDIATE_TLS12_CIPHERS.includes(cipher), `${s.name}: TLS 1.2 cipher ${cipher}\n${ok12.out.slice(-800)}`);
      const cbc = await sClient(s.port, s.starttls, HOST, caFile, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256']);
      assert.notEqual(cbc.code, 0, `${s.name}: a CBC suite outside the profile was accepted`);
    }

    // 5. the CLI, `mailpki check`, on all of them (in parallel: each is a fresh node process)
    const cli = await Promise.all(
      services.map((s) => cliCheck([`127.0.0.1:${s.port}`, ...(s.starttls ? ['--starttls', s.starttls] : ['--implicit']), '--servername', HOST, '--ca', caFile, '--json'])),
    );
    cli.forEach((r, i) => {
      assert.equal(r.code, 0, `mailpki check ${services[i]!.name}: ${r.stderr}${r.stdout}`);
      const j = JSON.parse(r.stdout) as { ok: boolean; verified: boolean; hostMatch: boolean; tlsVersion: string };
      assert.equal(j.ok, true);
      assert.equal(j.verified, true);
      assert.equal(j.hostMatch, true);
    });

    // 6. failures, with a clear reason
    // a name the certificate does not carry
    const wrong = await probeTls({ ...base(services[1]!), servername: 'wrong.example.test' });
    assert.equal(wrong.ok, false);
    assert.equal(wrong.failure?.code, 'host-mismatch', describe(wrong));
    assert.equal(wrong.hostMatch, false);
    assert.match(wrong.failure!.message, /wrong\.example\.test/);
    const wrongImaps = await probeTls({ ...base(services[4]!), servername: 'wrong.example.test' });
    assert.equal(wrongImaps.failure?.code, 'host-mismatch', describe(wrongImaps));
    const sWrong = await sClient(ports.imaps, undefined, 'wrong.example.test', caFile);
    assert.doesNotMatch(sWrong.out, /Verify return code: 0 \(ok\)/, 'openssl agrees: wrong host fails');
    // untrusted: no CA given -> the Mozilla roots do not know our private root
    const untrusted = await probeTls({ host: '127.0.0.1', port: ports.imaps, servername: HOST, protocol: 'imap' });
    assert.equal(untrusted.ok, false);
    assert.ok(['unknown-issuer', 'self-signed-untrusted'].includes(untrusted.failure!.code), describe(untrusted));
    // a port that offers no TLS: STARTTLS not advertised ...
    const plain = await probeTls({ host: '127.0.0.1', port: ports.plain, starttls: 'smtp', servername: HOST, ca });
    assert.equal(plain.failure?.code, 'starttls-not-offered', describe(plain));
    // ... and implicit TLS against a plaintext service
    const notTls = await probeTls({ host: '127.0.0.1', port: ports.plain, servername: HOST, ca, protocol: 'smtp' });
    assert.equal(notTls.failure?.code, 'not-tls', describe(notTls));
    const notTlsImap = await probeTls({ host: '127.0.0.1', port: ports.imap, servername: HOST, ca });
    assert.equal(notTlsImap.failure?.code, 'not-tls', describe(notTlsImap));
    // the CLI says the same, non-zero, one line naming the reason
    const [cliWrong, cliPlain, cliNotTls] = await Promise.all([
      cliCheck([`127.0.0.1:${ports.submission}`, '--starttls', 'smtp', '--servername', 'wrong.example.test', '--ca', caFile]),
      cliCheck([`127.0.0.1:${ports.plain}`, '--starttls', 'smtp', '--servername', HOST, '--ca', caFile]),
      cliCheck([`127.0.0.1:${ports.plain}`, '--implicit', '--servername', HOST, '--ca', caFile]),
    ]);
    assert.notEqual(cliWrong.code, 0);
    assert.match(cliWrong.stderr, /^error: .*host-mismatch/m);
    assert.notEqual(cliPlain.code, 0);
    assert.match(cliPlain.stderr, /^error: .*starttls-not-offered/m);
    assert.notEqual(cliNotTls.code, 0);
    assert.match(cliNotTls.stderr, /^error: .*not-tls/m);
  } catch (e) {
    // put the daemons' own words next to the failure
    if (e instanceof Error && servers) e.message += servers.logs();
    throw e;
  } finally {
    servers?.stop();
  }
});

test('generated Postfix main.cf/master.cf pass `postfix check` for every version threshold and profile', { timeout: 60_000 }, async (t) => {
  if (!oracle(t, 'postfix') || !needRoot(t)) return;
  const installed = run('postconf', ['-d', '-h', 'mail_version']).stdout.trim();
  const root = tempDir('mailpki-pfcheck-');
  const chainFile = join(root, 'chain.pem');
  // postfix check looks at the configuration, not at the certificate's content
  writeFileSync(chainFile, '', { mode: 0o600 });
  mkdirSync(join(root, 'q'), { mode: 0o755 });
  for (const [version, profile, files] of [
    ['3.3', 'intermediate', 'split'],
    ['3.4', 'intermediate', 'chain'],
    ['3.5', 'modern', 'split'],
    ['3.6', 'intermediate', 'chain'],
    [installed, 'modern', 'chain'],
  ] as const) {
    const dir = join(root, `pf-${version}-${profile}`);
    mkdirSync(dir, { mode: 0o755 });
    const cfg = generatePostfixConfig({
      version,
      profile,
      ...(files === 'chain' ? { chainFile } : { certFile: chainFile, keyFile: chainFile }),
    });
    writeFileSync(join(dir, 'main.cf'), `compatibility_level = 3.6\nqueue_directory = ${join(root, 'q')}\nmaillog_file = /dev/stdout\n${cfg.mainCf}`);
    writeFileSync(join(dir, 'master.cf'), `postlog   unix-dgram n  -       n       -       1       postlogd\n${cfg.masterCf}`);
    const pc = run('postconf', ['-n', '-c', dir]);
    assert.equal(pc.status, 0, `${version} ${profile}: ${pc.stderr}`);
    assert.doesNotMatch(pc.stderr, /warning/i, `${version} ${profile}: ${pc.stderr}`);
    const pm = run('postconf', ['-M', '-c', dir]);
    assert.match(pm.stdout, /^submission +inet .*smtpd_tls_security_level=encrypt/m);
    assert.match(pm.stdout, /^submissions +inet .*smtpd_tls_wrappermode=yes/m);
    assert.doesNotMatch(pm.stderr, /warning|fatal/i, pm.stderr);
    const check = postfixCheck(dir);
    assert.doesNotMatch(check.out, /fatal|error/i, `${version} ${profile}: postfix check:\n${check.out}`);
  }
});

/** Every TLS service of the harness (the order is relied on: services[0] is SMTP on 25, ...). */
function tlsServices(ports: MailServers['ports']): Service[] {
  return [
    { name: 'SMTP port-25 style (STARTTLS, may)', port: ports.smtp, starttls: 'smtp', protocol: 'smtp' },
    { name: 'submission 587 style (STARTTLS, encrypt)', port: ports.submission, starttls: 'smtp', protocol: 'smtp' },
    { name: 'submissions 465 style (implicit TLS)', port: ports.submissions, protocol: 'smtp' },
    { name: 'IMAP STARTTLS', port: ports.imap, starttls: 'imap', protocol: 'imap' },
    { name: 'IMAPS', port: ports.imaps, protocol: 'imap' },
    { name: 'POP3 STLS', port: ports.pop3, starttls: 'pop3', protocol: 'pop3' },
    { name: 'POP3S', port: ports.pop3s, protocol: 'pop3' },
  ];
}

const serialOfPem = (pem: string): string => parseCertificates(pem)[0]!.serialHex;

test('day two: mail init with a classic OpenSSL root runs Postfix and Dovecot; mail renew + reload is seen on every port; a renewal killed mid-write leaves the old set serving', { timeout: 170_000 }, async (t) => {
  if (!oracle(t, 'postfix') || !oracle(t, 'dovecot') || !oracle(t, 'doveadm') || !oracle(t, 'openssl') || !needRoot(t)) return;
  const root = tempDir('mailpki-e2e-day2-');
  chmodSync(root, 0o755);
  const tag = `d2-${process.pid}-${Date.now().toString(36)}`;
  const bin = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/bin.ts')];
  const mailpki = (args: string[]) => run(bin[0]!, [...bin.slice(1), ...args], { cwd: ROOT, timeout: 60_000 });

  // the classic recipe's root (Debian's default openssl.cnf: CA:TRUE, no keyUsage), encrypted key
  const caDir = join(root, 'ca');
  mkdirSync(caDir, { mode: 0o700 });
  const pass = join(caDir, 'pass');
  writeFileSync(pass, 'day two passphrase\n');
  assert.equal(run('openssl', ['genrsa', '-aes256', '-passout', `file:${pass}`, '-out', join(caDir, 'myCA.key'), '2048']).status, 0);
  assert.equal(run('openssl', ['req', '-x509', '-new', '-key', join(caDir, 'myCA.key'), '-passin', `file:${pass}`, '-sha256', '-days', '1825', '-subj', '/O=Classic/CN=Classic Mail Root', '-out', join(caDir, 'myCA.pem')]).status, 0);
  const caCert = join(caDir, 'myCA.pem');
  const caArgs = ['--ca-cert', caCert, '--ca-key', join(caDir, 'myCA.key'), '--ca-passphrase-file', pass];

  const out = join(root, 'out');
  const postfixVersion = run('postconf', ['-d', '-h', 'mail_version']).stdout.trim();
  const init = mailpki(['mail', 'init', HOST, '--out', out, '--install-dir', out, '--postfix-version', postfixVersion, ...caArgs]);
  assert.equal(init.status, 0, `mail init --ca-cert: ${init.stderr}`);
  const file = (n: string): string => readFileSync(join(out, n), 'utf8');

  let servers: MailServers | undefined;
  t.after(() => servers?.stop());
  try {
    servers = await startMailServers(root, file('postfix-main.cf'), file('postfix-master.cf'), file('dovecot-2.3-10-ssl.conf'), tag);
    const services = tlsServices(servers.ports);
    const checkAll = async (): Promise<string[]> => {
      const rs = await Promise.all(services.map((s) => cliCheck([`127.0.0.1:${s.port}`, ...(s.starttls ? ['--starttls', s.starttls] : ['--implicit']), '--servername', HOST, '--ca', caCert, '--json'])));
      return rs.map((r, i) => {
        assert.equal(r.code, 0, `${services[i]!.name}: ${r.stderr}${r.stdout}`);
        return (JSON.parse(r.stdout) as { chain: Array<{ serial: string }> }).chain[0]!.serial;
      });
    };
    /** Poll until every port serves `serial` (daemons finish old sessions after a reload). */
    const expectEverywhere = async (serial: string, what: string): Promise<void> => {
      const deadline = Date.now() + 20_000;
      let got: string[] = [];
      while (Date.now() < deadline) {
        got = await checkAll();
        if (got.every((s) => s === serial)) return;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.fail(`${what}: expected serial ${serial} on every port, got ${got.join(', ')}`);
    };
    const serial0 = serialOfPem(file('server.pem'));
    await expectEverywhere(serial0, 'after mail init with the OpenSSL root');

    // monitoring: the 397-day certificate is "expiring" within 400 days, not within 30
    const soon = await cliCheck([`127.0.0.1:${servers.ports.imaps}`, '--implicit', '--servername', HOST, '--ca', caCert, '--warn-days', '400']);
    assert.equal(soon.code, 1);
    assert.match(soon.stderr, /^error: .*expires in \d+ days.*\(expires-soon\)$/m);
    assert.equal((await cliCheck([`127.0.0.1:${servers.ports.imaps}`, '--implicit', '--servername', HOST, '--ca', caCert, '--warn-days', '30'])).code, 0);

    // a renewal (new key) killed while it publishes: the daemons keep serving the old set, and after the
    // next run puts *.prev back (not due: nothing renewed) a reload serves the old set again
    const before = ['server.key', 'server.pem', 'server-chain.pem', 'postfix-chain.pem'].map(file);
    let caught = false;
    for (let attempt = 0; attempt < 10 && !caught; attempt++) {
      const child = spawn(bin[0]!, [...bin.slice(1), 'mail', 'renew', out, '--new-key', ...caArgs], { cwd: ROOT, stdio: 'ignore' });
      await killWhenFileAppears(child, join(out, '.mailpki-renew.pending'));
      caught = existsSync(join(out, '.mailpki-renew.pending'));
      if (!caught) {
        // finished before the kill: undo it by hand (as an admin would from *.prev) and try again
        for (const f of ['server.key', 'server.pem', 'server-chain.pem', 'postfix-chain.pem']) writeFileSync(join(out, f), readFileSync(join(out, `${f}.prev`)));
      }
    }
    assert.ok(caught, 'a kill landed while the new set was being published');
    await expectEverywhere(serial0, 'right after the killed renewal (no reload)');
    const rollback = mailpki(['mail', 'renew', out, '--if-expires-within', '0', ...caArgs]);
    assert.equal(rollback.status, 0, rollback.stderr);
    assert.match(rollback.stderr, /interrupted renewal was rolled back/);
    assert.match(rollback.stdout, /not due/);
    assert.deepEqual(['server.key', 'server.pem', 'server-chain.pem', 'postfix-chain.pem'].map(file), before, 'the old set is back on disk');
    servers.reload();
    await expectEverywhere(serial0, 'after the rollback and a reload');

    // the real renewal (key kept), reload, and every port serves the new serial
    const renew = mailpki(['mail', 'renew', out, ...caArgs]);
    assert.equal(renew.status, 0, renew.stderr);
    assert.match(renew.stdout, /Reload the daemons: postfix reload && doveadm reload/);
    const serial1 = serialOfPem(file('server.pem'));
    assert.notEqual(serial1, serial0);
    servers.reload();
    await expectEverywhere(serial1, 'after mail renew and a reload');
    // the CA's database (next to the OpenSSL root) lists all of them
    const list = mailpki(['ca', 'list', '--ca', caCert, '--json']);
    const serials = (JSON.parse(list.stdout) as Array<{ serial: string }>).map((x) => x.serial);
    assert.ok(serials.includes(serial0.replace(/^0+/, '').toLowerCase()) && serials.includes(serial1.replace(/^0+/, '').toLowerCase()), list.stdout);
  } catch (e) {
    if (e instanceof Error && servers) e.message += servers.logs();
    throw e;
  } finally {
    servers?.stop();
  }
});
