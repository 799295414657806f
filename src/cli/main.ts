/**
 * CLI entry: find the command, parse its flags, run it, turn errors into one
 * line. Commands live in commands/*.ts and are loaded lazily, so `--help`
 * and `--version` stay fast.
 *
 * Exit codes: 0 success; 1 bad data or a failed check (a MailPkiError);
 * 2 usage errors (unknown command or option, bad option value).
 * Errors print exactly one line, `error: <message> (<CODE>)`, on stderr;
 * `--debug` adds the stack. Interrupted by a signal: 128 + its number
 * (SIGHUP 129, SIGINT 130, SIGTERM 143) after undoing a write in progress.
 */
import { MailPkiError } from '../errors.js';
import { escapeTerminal } from '../encoding/terminal.js';
import { formatHelp, parseCommandArgs, type CliIo, type CommandSpec } from './args.js';
import { packageVersion } from './version.js';
import { fileStoreInterrupt } from '../node/file-store.js';

/** Exit status after a signal, as a shell reports it. */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
let interruptedBy: NodeJS.Signals | undefined;
const processAbort = new AbortController();

/**
 * Handle SIGINT, SIGTERM and SIGHUP for the CLI process (bin.ts calls this;
 * tests that call main() in-process do not). With no write in progress the
 * process exits at once (128 + signal number), dropping any directory lock
 * it holds. During a write set, the set is told to stop: it undoes what it
 * did (temp files, files it published, files it replaced), the command fails
 * with ERR_ABORTED and main() returns 128 + signal number. A repeated signal
 * during that cleanup (milliseconds) is ignored.
 */
export function installSignalHandlers(): void {
  for (const sig of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) {
    process.on(sig, () => {
      if (interruptedBy) return;
      interruptedBy = sig;
      if (fileStoreInterrupt.writing()) {
        fileStoreInterrupt.interrupt();
        processAbort.abort(new MailPkiError('ERR_ABORTED', `interrupted by ${sig}`));
        return;
      }
      fileStoreInterrupt.interrupt();
      fileStoreInterrupt.releaseLocksSync();
      process.stderr.write(`error: interrupted by ${sig} (ERR_ABORTED)\n`);
      process.exit(SIGNAL_EXIT[sig]);
    });
  }
}

interface Entry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<{ spec: CommandSpec }>;
}

/** Every command, in the order `mailpki --help` lists them. */
const COMMANDS: readonly Entry[] = [
  { name: 'mail init', summary: 'make a private CA, server key + cert, Postfix/Dovecot configs, TLSA and SELinux steps', load: () => import('./commands/mail-init.js') },
  { name: 'mail renew', summary: 'renew the server certificate mail init made (all files at once, old set kept as *.prev)', load: () => import('./commands/mail-renew.js') },
  { name: 'key new', summary: 'generate a private key (RSA, EC, Ed25519)', load: () => import('./commands/key-new.js') },
  { name: 'ca new', summary: 'create a root CA (self-signed, optionally name-constrained)', load: () => import('./commands/ca-new.js') },
  { name: 'ca intermediate', summary: 'create an intermediate CA signed by a CA', load: () => import('./commands/ca-intermediate.js') },
  { name: 'ca list', summary: 'list what a CA issued (its issuance database) and when each certificate expires', load: () => import('./commands/ca-list.js') },
  { name: 'csr new', summary: 'create a certificate signing request (PKCS#10) with SANs', load: () => import('./commands/csr-new.js') },
  { name: 'sign', summary: 'issue a certificate from a CSR (SANs kept, profile applied)', load: () => import('./commands/sign.js') },
  { name: 'revoke', summary: 'mark a certificate revoked in its CA\'s issuance database', load: () => import('./commands/revoke.js') },
  { name: 'crl', summary: 'sign a CRL of the certificates revoked in the CA\'s issuance database', load: () => import('./commands/crl.js') },
  { name: 'chain', summary: 'order certificates into a chain file (optionally key first, for Postfix)', load: () => import('./commands/chain.js') },
  { name: 'pkcs12', summary: 'bundle key + certificate + chain into a .p12 for mail clients and OSes, or --extract one to PEM', load: () => import('./commands/pkcs12.js') },
  { name: 'smime new', summary: 'issue an S/MIME certificate for a mailbox: key, certificate, .p12 and import steps', load: () => import('./commands/smime-new.js') },
  { name: 'inspect', summary: 'show a certificate, chain, CSR, CRL, PKCS#12 file or key (no key material is printed)', load: () => import('./commands/inspect.js') },
  { name: 'verify', summary: 'verify a certificate against a CA: chain, validity, host, purpose, revocation (--crl)', load: () => import('./commands/verify.js') },
  { name: 'config', summary: 'print the Postfix or Dovecot TLS configuration for a cert and key', load: () => import('./commands/config.js') },
  { name: 'check', summary: 'connect to a mail server (STARTTLS or implicit TLS) and check its certificate', load: () => import('./commands/check.js') },
  { name: 'tlsa', summary: 'print the DANE TLSA record for a certificate', load: () => import('./commands/tlsa.js') },
];

function processIo(): CliIo {
  return {
    // The last net: whatever a command prints, no control character from a peer or a file
    // reaches the terminal raw (fields are escaped where they are formatted, too).
    out: (t) => void process.stdout.write(escapeTerminal(t, 'text')),
    err: (t) => void process.stderr.write(escapeTerminal(t, 'text')),
    errControl: (t) => void process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    env: process.env,
  };
}

function topHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Usage: mailpki <command> [options]',
    '',
    'A PKI toolkit for mail-server TLS: keys, CSRs, a private CA, certificates,',
    'Postfix/Dovecot configuration and a STARTTLS-aware server check. No openssl needed.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    'Run `mailpki <command> --help` (or `mailpki help <command>`) for its options and examples.',
    'Global: --version, --help, --debug (print the stack of an error).',
    '',
    'Start here:',
    '  mailpki mail init mail.example.com --san smtp.example.com',
    '',
  ].join('\n');
}

/** Split argv into the command entry and its arguments. */
function findCommand(argv: readonly string[]): { entry?: Entry; rest: string[]; tried: string } {
  const words = argv.filter((a) => !a.startsWith('-')).slice(0, 2);
  for (const n of [2, 1]) {
    const name = words.slice(0, n).join(' ');
    const entry = COMMANDS.find((c) => c.name === name);
    if (entry) {
      // remove the first n non-option words
      const rest = [...argv];
      let removed = 0;
      for (let i = 0; i < rest.length && removed < n; ) {
        if (!rest[i]!.startsWith('-')) {
          rest.splice(i, 1);
          removed++;
        } else i++;
      }
      return { entry, rest, tried: name };
    }
  }
  return { rest: [...argv], tried: words.join(' ') };
}

/**
 * Run the CLI with `argv` (without node and script), return the exit code.
 * @param io streams and terminal flags (tests inject their own)
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    if (argv.length === 0 || (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h'))) {
      io.out(topHelp());
      return argv.length === 0 ? 2 : 0;
    }
    if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
      const extra = argv.slice(1).filter((a) => a !== '--debug');
      if (extra.length) throw new MailPkiError('ERR_USAGE', `${argv[0]}: unexpected argument ${JSON.stringify(extra[0]!.slice(0, 40))}`);
      io.out(`${packageVersion()}\n`);
      return 0;
    }
    let args = argv.filter((a) => a !== '--debug');
    let help = false;
    if (args[0] === 'help') {
      args = args.slice(1);
      help = true;
      if (args.length === 0) {
        io.out(topHelp());
        return 0;
      }
    }
    const { entry, rest, tried } = findCommand(args);
    if (!entry) {
      const group = COMMANDS.filter((c) => c.name.startsWith(`${tried.split(' ')[0]} `));
      if (group.length && tried.split(' ')[0] === args[0]) {
        if (help || args.includes('--help') || args.includes('-h')) {
          const extra = args.slice(1).filter((a) => a !== '--help' && a !== '-h');
          if (extra.length) throw new MailPkiError('ERR_USAGE', `${args[0]}: unexpected argument ${JSON.stringify(extra[0]!.slice(0, 40))}`);
          const w = Math.max(...group.map((c) => c.name.length)) + 2;
          io.out(`Usage: mailpki ${args[0]} <subcommand> [options]\n\n${group.map((c) => `  ${c.name.padEnd(w)}${c.summary}`).join('\n')}\n\nRun \`mailpki ${group[0]!.name} --help\` for options and examples.\n`);
          return 0;
        }
        throw new MailPkiError('ERR_USAGE', `${args[0]}: expected a subcommand: ${group.map((c) => c.name).join(', ')}`);
      }
      const first = args.find((a) => !a.startsWith('-'));
      throw new MailPkiError('ERR_USAGE', first ? `unknown command ${JSON.stringify(first.slice(0, 40))} (see mailpki --help)` : 'no command given (see mailpki --help)');
    }
    const { spec } = await entry.load();
    if (help) {
      // `help CMD [VARIANT]`: nothing else (a stray argument is an error, not ignored).
      const extra = rest.filter((a) => a !== '--help' && a !== '-h');
      const variant = extra.length ? spec.positionals.choices?.find((c) => c.toLowerCase() === extra[0]!.toLowerCase()) : undefined;
      const stray = extra[variant ? 1 : 0];
      if (stray !== undefined) throw new MailPkiError('ERR_USAGE', `help ${spec.name}: unexpected argument ${JSON.stringify(stray.slice(0, 40))}`);
      io.out(formatHelp(spec, variant));
      return 0;
    }
    const parsed = parseCommandArgs(spec, rest);
    if (parsed.values.help) {
      const variant = parsed.positionals.find((p) => spec.positionals.choices?.some((c) => c.toLowerCase() === p.toLowerCase()));
      io.out(formatHelp(spec, variant?.toLowerCase()));
      return 0;
    }
    const code = await spec.run({ values: parsed.values, positionals: parsed.positionals, io, signal: processAbort.signal });
    if (interruptedBy) {
      io.err(`error: interrupted by ${interruptedBy} after the files were written (ERR_ABORTED)\n`);
      return SIGNAL_EXIT[interruptedBy]!;
    }
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    const exit = reportError(e, io, debug);
    return interruptedBy ? SIGNAL_EXIT[interruptedBy]! : exit;
  }
}

/** CLI wording for library options named in MailPkiError details. */
const OPTION_FLAG_HINTS: Readonly<Record<string, string>> = {
  allowLongValidity: 'use --allow-long-validity to override',
  leaf: 'name the leaf with --leaf FILE',
};

/** One line on stderr; the stack only with --debug. */
function reportError(e: unknown, io: CliIo, debug: boolean): number {
  let code: string;
  let message: string;
  let exit = 1;
  if (e instanceof MailPkiError) {
    code = e.code;
    message = e.message;
    // The library words its hints for library callers (`pass allowLongValidity: true`); say the flag instead.
    const flagHint = e.details?.option !== undefined ? OPTION_FLAG_HINTS[e.details.option] : undefined;
    if (flagHint && e.details?.summary) message = `${e.details.summary}; ${flagHint}`;
    if (code === 'ERR_USAGE') exit = 2;
  } else if (e instanceof RangeError && /call stack/i.test(e.message)) {
    code = 'ERR_ASN1_STRUCTURE';
    message = 'input is nested too deeply';
  } else if (e instanceof TypeError || e instanceof RangeError) {
    // the library's argument errors: a flag value it refused
    code = 'ERR_USAGE';
    message = e.message;
    exit = 2;
  } else {
    code = 'ERR_INTERNAL';
    message = e instanceof Error ? e.message : String(e);
    message += ' (a bug in mailpki: please report it with the output of --debug)';
  }
  io.err(`error: ${oneLine(message)} (${code})\n`);
  if (debug && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
  return exit;
}

/** Collapse to one printable line: no control characters (escape sequences in file names), capped. */
function oneLine(s: string): string {
  const flat = escapeTerminal(s.replace(/[\r\n\t]+/g, ' ')).trim();
  return flat.length > 400 ? `${flat.slice(0, 397)}...` : flat;
}
