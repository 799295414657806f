// Harness for the real-server e2e test: start Debian's Postfix and Dovecot as
// root on free loopback ports, each with a private config/queue/run directory,
// using the snippets mailpki generated (only paths and ports adapted), and
// stop them again. Needs root (CI runs as root); everything else it prepares
// itself (directories, queue, log file, an empty passdb). Nothing outside its
// own temp directory is touched except one log file /var/log/mailpki-e2e-*.log
// (Postfix only writes maillog_file under /var), removed at the end.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';

export interface Ports {
  smtp: number; // port-25 style: opportunistic STARTTLS (main.cf "may")
  submission: number; // 587 style: STARTTLS required
  submissions: number; // 465 style: implicit TLS
  imap: number;
  imaps: number;
  pop3: number;
  pop3s: number;
  plain: number; // an SMTP service with TLS switched off (the "port without TLS" case)
}

/** Free TCP ports on 127.0.0.1 (bound then released: the kernel hands out distinct ones). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.createServer();
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve());
    });
    servers.push(s);
    ports.push((s.address() as net.AddressInfo).port);
  }
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function allocatePorts(): Promise<Ports> {
  const [smtp, submission, submissions, imap, imaps, pop3, pop3s, plain] = await freePorts(8);
  return { smtp: smtp!, submission: submission!, submissions: submissions!, imap: imap!, imaps: imaps!, pop3: pop3!, pop3s: pop3s!, plain: plain! };
}

/** Wait until something accepts connections on 127.0.0.1:port (retries, no fixed sleeps). */
export async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', (e) => {
        last = e.message;
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not open within ${timeoutMs} ms (${last})`);
}

function sh(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; allowFail?: boolean } = {}): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, env: opts.env ?? process.env });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (!opts.allowFail && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${out.trim()}`);
  return { status: r.status, out };
}

function uid(name: string): number {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`user ${name} missing (is postfix/dovecot installed?)`);
  return Number(line.split(':')[2]);
}
function gid(name: string): number {
  const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`group ${name} missing (is postfix installed?)`);
  return Number(line.split(':')[2]);
}

// ------------------------------------------------------------------ Postfix

export interface PostfixInstance {
  readonly configDir: string;
  /** What `postfix check` said (warnings included). */
  readonly checkOutput: string;
  readonly queueDir: string;
  readonly logFile: string;
  stop(): void;
  log(): string;
}

/** `postfix check` explains failures only on a TTY: run it under script(1) to get the reasons. */
export function postfixCheck(configDir: string): { status: number | null; out: string } {
  const cmd = `postfix -c '${configDir}' check`;
  if (existsSync('/usr/bin/script')) return sh('script', ['-qec', cmd, '/dev/null'], { allowFail: true });
  return sh('sh', ['-c', cmd], { allowFail: true });
}

/**
 * Prepare and start a Postfix instance. `mainCf` / `masterCf` are the
 * generated snippets (paths already adapted); master.cf service names
 * `submission` / `submissions` are bound to loopback ports here.
 */
export async function startPostfix(root: string, ports: Ports, mainCf: string, masterCf: string, tag: string): Promise<PostfixInstance> {
  const configDir = join(root, 'postfix');
  const queueDir = join(root, 'postfix-queue');
  const dataDir = join(root, 'postfix-data');
  const logFile = `/var/log/mailpki-e2e-${tag}.log`;
  mkdirSync(configDir, { mode: 0o755 });
  mkdirSync(queueDir, { mode: 0o755 });
  mkdirSync(dataDir, { mode: 0o700 });
  chownSync(dataDir, uid('postfix'), gid('postfix'));
  // Postfix insists that every parent of the queue directory is root-owned and not group/world writable.
  chmodSync(root, 0o755);

  const base = [
    '# mailpki e2e: private instance on loopback; the TLS part below is mailpki\'s snippet.',
    'compatibility_level = 3.6',
    `queue_directory = ${queueDir}`,
    `data_directory = ${dataDir}`,
    `maillog_file = ${logFile}`,
    'inet_interfaces = 127.0.0.1',
    'inet_protocols = ipv4',
    'myhostname = mail.example.test',
    'mydomain = example.test',
    'mydestination =',
    'alias_maps =',
    'alias_database =',
    'local_recipient_maps =',
    'mynetworks = 127.0.0.0/8',
    'smtpd_banner = $myhostname ESMTP mailpki-e2e',
    '',
  ].join('\n');
  writeFileSync(join(configDir, 'main.cf'), `${base}\n${mainCf}`);

  // The standard services (upstream master.cf, chroot off: the private queue has no jail),
  // port 25 and the no-TLS service on loopback ports, then the generated submission services.
  const services = [
    `127.0.0.1:${ports.smtp} inet n - n - - smtpd`,
    `127.0.0.1:${ports.plain} inet n - n - - smtpd -o syslog_name=postfix/plain -o smtpd_tls_security_level=none`,
    'pickup    unix  n       -       n       60      1       pickup',
    'cleanup   unix  n       -       n       -       0       cleanup',
    'qmgr      unix  n       -       n       300     1       qmgr',
    'tlsmgr    unix  -       -       n       1000?   1       tlsmgr',
    'rewrite   unix  -       -       n       -       -       trivial-rewrite',
    'bounce    unix  -       -       n       -       0       bounce',
    'defer     unix  -       -       n       -       0       bounce',
    'trace     unix  -       -       n       -       0       bounce',
    'verify    unix  -       -       n       -       1       verify',
    'flush     unix  n       -       n       1000?   0       flush',
    'proxymap  unix  -       -       n       -       -       proxymap',
    'proxywrite unix -       -       n       -       1       proxymap',
    'smtp      unix  -       -       n       -       -       smtp',
    'relay     unix  -       -       n       -       -       smtp',
    'showq     unix  n       -       n       -       -       showq',
    'error     unix  -       -       n       -       -       error',
    'retry     unix  -       -       n       -       -       error',
    'discard   unix  -       -       n       -       -       discard',
    'local     unix  -       n       n       -       -       local',
    'virtual   unix  -       n       n       -       -       virtual',
    'lmtp      unix  -       -       n       -       -       lmtp',
    'anvil     unix  -       -       n       -       1       anvil',
    'scache    unix  -       -       n       -       1       scache',
    'postlog   unix-dgram n  -       n       -       1       postlogd',
  ].join('\n');
  const adaptedMaster = masterCf
    .replace(/^submission(\s+inet\b)/m, `127.0.0.1:${ports.submission}$1`)
    .replace(/^submissions(\s+inet\b)/m, `127.0.0.1:${ports.submissions}$1`);
  if (!adaptedMaster.includes(`127.0.0.1:${ports.submission} `) || !adaptedMaster.includes(`127.0.0.1:${ports.submissions} `)) {
    throw new Error('master.cf snippet: no "submission" / "submissions" inet service to bind');
  }
  writeFileSync(join(configDir, 'master.cf'), `${services}\n${adaptedMaster}`);

  // Creates the queue subdirectories with the right owners, as the package's postinst does.
  sh('postfix', ['-c', configDir, 'set-permissions'], { allowFail: true });
  const check = postfixCheck(configDir);
  if (check.status !== 0) throw new Error(`postfix check failed:\n${check.out}`);
  // postfix-script leaves a background "check-warn" running with our stdout: send the output to
  // a file, not a pipe, or spawnSync would wait for that child too.
  const startLog = join(root, 'postfix-start.out');
  const started = sh('sh', ['-c', `postfix -c '${configDir}' start >'${startLog}' 2>&1`], { allowFail: true });
  if (existsSync(startLog)) started.out = readFileSync(startLog, 'utf8');
  const inst: PostfixInstance = {
    configDir,
    checkOutput: check.out,
    queueDir,
    logFile,
    stop() {
      sh('postfix', ['-c', configDir, 'stop'], { allowFail: true });
      // master exits asynchronously; make sure it is gone before the directory is removed
      const pidFile = join(queueDir, 'pid', 'master.pid');
      waitPidGone(pidFile);
      rmSync(logFile, { force: true });
    },
    log() {
      return existsSync(logFile) ? readFileSync(logFile, 'utf8') : '(no log)';
    },
  };
  if (started.status !== 0) {
    const msg = `postfix start failed: ${started.out}\n${inst.log()}`;
    inst.stop();
    throw new Error(msg);
  }
  return inst;
}

function waitPidGone(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    spawnSync('sleep', ['0.1']);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

// ------------------------------------------------------------------ Dovecot

export interface DovecotInstance {
  readonly configFile: string;
  stop(): void;
  log(): string;
}

/** `doveconf -n -c FILE`: exit status and output (used to prove the config parses). */
export function doveconf(configFile: string): { status: number | null; out: string } {
  return sh('doveconf', ['-n', '-c', configFile], { allowFail: true });
}

/**
 * Prepare and start Dovecot with `sslConf` (the generated 10-ssl.conf, paths
 * adapted) included verbatim. The auth service also listens on Postfix's
 * `private/auth` so the submission services get SASL (never used to log in:
 * the passdb is empty).
 */
export async function startDovecot(root: string, ports: Ports, sslConf: string, postfixQueueDir: string | undefined, tag: string): Promise<DovecotInstance> {
  const dir = join(root, 'dovecot');
  const runDir = join(dir, 'run');
  const stateDir = join(dir, 'state');
  mkdirSync(dir, { mode: 0o755 });
  mkdirSync(runDir, { mode: 0o755 });
  mkdirSync(stateDir, { mode: 0o750 });
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, '', { mode: 0o640 });
  const sslFile = join(dir, '10-ssl.conf');
  writeFileSync(sslFile, sslConf, { mode: 0o644 });
  const logFile = join(dir, 'dovecot.log');
  const configFile = join(dir, 'dovecot.conf');
  const conf = [
    '# mailpki e2e: private Dovecot instance on loopback.',
    `instance_name = mailpki-e2e-${tag}`,
    `base_dir = ${runDir}`,
    `state_dir = ${stateDir}`,
    `log_path = ${logFile}`,
    'protocols = imap pop3',
    'listen = 127.0.0.1',
    'auth_mechanisms = plain',
    'mail_location = maildir:/nonexistent/%u',
    'passdb {',
    '  driver = passwd-file',
    `  args = ${passwd}`,
    '}',
    'userdb {',
    '  driver = static',
    '  args = uid=nobody gid=nogroup home=/nonexistent',
    '}',
    'service imap-login {',
    `  inet_listener imap {\n    port = ${ports.imap}\n  }`,
    `  inet_listener imaps {\n    port = ${ports.imaps}\n    ssl = yes\n  }`,
    '}',
    'service pop3-login {',
    `  inet_listener pop3 {\n    port = ${ports.pop3}\n  }`,
    `  inet_listener pop3s {\n    port = ${ports.pop3s}\n    ssl = yes\n  }`,
    '}',
    ...(postfixQueueDir
      ? ['service auth {', `  unix_listener ${postfixQueueDir}/private/auth {`, '    mode = 0660', '    user = postfix', '    group = postfix', '  }', '}']
      : []),
    `!include ${sslFile}`,
    '',
  ].join('\n');
  writeFileSync(configFile, conf, { mode: 0o644 });
  const check = doveconf(configFile);
  if (check.status !== 0) throw new Error(`doveconf -n failed:\n${check.out}`);
  const inst: DovecotInstance = {
    configFile,
    stop() {
      sh('doveadm', ['-c', configFile, 'stop'], { allowFail: true });
      waitPidGone(join(runDir, 'master.pid'));
    },
    log() {
      return existsSync(logFile) ? readFileSync(logFile, 'utf8') : '(no log)';
    },
  };
  // The daemon keeps the inherited stdout/stderr open: a file, not a pipe (see startPostfix).
  const startLog = join(dir, 'dovecot-start.out');
  const started = sh('sh', ['-c', `dovecot -c '${configFile}' >'${startLog}' 2>&1`], { allowFail: true });
  if (existsSync(startLog)) started.out = readFileSync(startLog, 'utf8');
  if (started.status !== 0) {
    const msg = `dovecot start failed: ${started.out}\n${inst.log()}`;
    inst.stop();
    throw new Error(msg);
  }
  return inst;
}

// ------------------------------------------------------------------ both, with retries

export interface MailServers {
  postfix: PostfixInstance;
  dovecot: DovecotInstance;
  ports: Ports;
  /** Stop both (idempotent). */
  stop(): void;
  /** The daemons' logs, for failure messages. */
  logs(): string;
  /** `postfix reload` and `doveadm reload` (what NEXT-STEPS tells the admin after a renewal). */
  reload(): void;
}

/**
 * Start Postfix and Dovecot with the given snippets on fresh loopback ports.
 * Free ports are found by binding and releasing them; if another process
 * grabs one in between, a daemon cannot bind: start again on fresh ports
 * (at most 3 attempts). `root` must be traversable by the daemons' users.
 */
export async function startMailServers(root: string, mainCf: string, masterCf: string, dovecotConf: string, tag: string): Promise<MailServers> {
  let ports = await allocatePorts();
  for (let attempt = 1; ; attempt++) {
    const srv = join(root, `srv${attempt}`);
    mkdirSync(srv, { mode: 0o755 });
    let postfix: PostfixInstance | undefined;
    let dovecot: DovecotInstance | undefined;
    const stop = (): void => {
      try {
        dovecot?.stop();
      } finally {
        dovecot = undefined;
        try {
          postfix?.stop();
        } finally {
          postfix = undefined;
        }
      }
    };
    try {
      postfix = await startPostfix(srv, ports, mainCf, masterCf, `${tag}-${attempt}`);
      dovecot = await startDovecot(srv, ports, dovecotConf, postfix.queueDir, `${tag}-${attempt}`);
      await Promise.all(Object.values(ports).map((p) => waitForPort(p, 15_000)));
      const pf = postfix;
      const dc = dovecot;
      return {
        postfix: pf,
        dovecot: dc,
        ports,
        stop,
        logs: () => `\n--- postfix log ---\n${pf.log().slice(-3000)}\n--- dovecot log ---\n${dc.log().slice(-3000)}`,
        reload() {
          sh('postfix', ['-c', pf.configDir, 'reload']);
          sh('doveadm', ['-c', dc.configFile, 'reload']);
        },
      };
    } catch (e) {
      const logs = `${postfix?.log() ?? ''}${dovecot?.log() ?? ''}${String(e)}`;
      stop();
      if (attempt >= 3 || !/in use/i.test(logs)) throw e;
      ports = await allocatePorts();
    }
  }
}
