/**
 * Terminal and file plumbing for commands: capped input reads, passphrases
 * (file, environment variable, or a no-echo prompt; never a flag value),
 * progress on a TTY, and the output file set.
 */
import { INPUT_WAIT_MS, MAX_INPUT_FILE, readInputFile, type WriteFilesOptions } from '../node/file-store.js';
import { MailPkiError } from '../errors.js';
import { looksLikePem } from '../encoding/pem.js';
import { checkNewPassphrase } from '../keys/passphrase.js';
import { escapeTerminal } from '../encoding/terminal.js';
import { str, type CliIo, type CommandContext } from './args.js';

/** Most PEM blocks one input may hold (certificates, keys, CSRs together). */
export const MAX_PEM_BLOCKS = 1000;

/** Read an input file (16 MiB cap; `-` = stdin); PEM comes back as text, anything else as bytes (DER). */
export async function readInput(path: string): Promise<string | Uint8Array> {
  // `-` is standard input (e.g. `openssl s_client -showcerts ... | mailpki inspect -`).
  const bytes = path === '-' ? await readStdin(MAX_INPUT_FILE) : await readInputFile(path);
  if (bytes.length === 0) throw new MailPkiError('ERR_PEM_NOT_FOUND', `${path} is empty`);
  if (!looksLikePem(bytes)) return bytes;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  // Parsing costs ~1 ms per certificate: 16 MiB of one repeated cert is ~20,000 of them. A chain
  // has a handful, the whole Mozilla bundle ~150; refuse more than MAX_PEM_BLOCKS up front.
  let blocks = 0;
  for (let i = text.indexOf('-----BEGIN '); i >= 0; i = text.indexOf('-----BEGIN ', i + 11)) {
    if (++blocks > MAX_PEM_BLOCKS) throw new MailPkiError('ERR_INPUT_TOO_LARGE', `${path === '-' ? 'standard input' : path} holds more than ${MAX_PEM_BLOCKS} PEM blocks`);
  }
  return text;
}

/**
 * Standard input, refused beyond `max` bytes, and given up after `waitMs`
 * (the limit input files and FIFOs have: `sleep 1000 | mailpki inspect -`
 * fails after 10 s instead of waiting). On a terminal a person types or
 * pastes and ends with Ctrl-D, so there is no time limit there.
 */
export function readStdin(max: number, waitMs: number = INPUT_WAIT_MS, stdin: NodeJS.ReadStream = process.stdin): Promise<Uint8Array> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      if (err) {
        stdin.destroy();
        reject(err);
      } else resolvePromise(new Uint8Array(Buffer.concat(chunks)));
    };
    const onData = (chunk: Buffer | string): void => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += b.length;
      if (total > max) finish(new MailPkiError('ERR_INPUT_TOO_LARGE', `standard input is larger than ${max} bytes`));
      else chunks.push(b);
    };
    const onEnd = (): void => finish();
    const onError = (e: Error): void => finish(new MailPkiError('ERR_IO', `standard input: ${(e as NodeJS.ErrnoException).code ?? e.message.split('\n')[0]}`, { cause: e }));
    const timer = stdin.isTTY
      ? undefined
      : setTimeout(() => finish(new MailPkiError('ERR_IO', `standard input: the data did not end within ${waitMs / 1000} s (a pipe whose writer is silent?)`)), waitMs);
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onError);
    stdin.resume();
  });
}

/** Where a passphrase may come from, as flag names of the command. */
export interface PassphraseSource {
  /** e.g. `ca-passphrase-file` */
  readonly fileFlag: string;
  /** e.g. `ca-passphrase-env` */
  readonly envFlag: string;
  /** e.g. `CA key`, used in prompts and errors. */
  readonly what: string;
}

/**
 * A passphrase from `--<x>-passphrase-file F` (first line, line end
 * stripped), `--<x>-passphrase-env NAME`, or a no-echo prompt when stdin is
 * a terminal (asked twice when `confirm`). `undefined` when none was given
 * and there is no terminal: the caller decides whether that is an error.
 */
export async function getPassphrase(ctx: CommandContext, src: PassphraseSource, options: { confirm: boolean; prompt?: boolean }): Promise<string | undefined> {
  const p = await readPassphrase(ctx, src, options);
  // confirm = a passphrase for something new: the library's rule, the same as the CSR page's.
  const weak = p !== undefined && options.confirm ? checkNewPassphrase(p) : undefined;
  if (weak) throw new MailPkiError('ERR_USAGE', `${src.what}: ${weak}`);
  return p;
}

async function readPassphrase(ctx: CommandContext, src: PassphraseSource, options: { confirm: boolean; prompt?: boolean }): Promise<string | undefined> {
  const file = str(ctx, src.fileFlag);
  const envName = str(ctx, src.envFlag);
  if (file !== undefined) {
    const bytes = await readInputFile(file, { maxBytes: 64 * 1024 });
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    const first = text.split(/\r?\n/)[0] ?? '';
    if (first === '') throw new MailPkiError('ERR_USAGE', `--${src.fileFlag} ${file}: the first line is empty`);
    return first;
  }
  if (envName !== undefined) {
    const v = ctx.io.env[envName];
    if (v === undefined || v === '') throw new MailPkiError('ERR_USAGE', `--${src.envFlag}: environment variable ${envName} is not set or empty`);
    return v;
  }
  if (options.prompt === false || !ctx.io.stdinIsTTY || !ctx.io.stderrIsTTY) return undefined;
  const first = await promptHidden(ctx.io, `Passphrase for the ${src.what}: `);
  if (first === '') throw new MailPkiError('ERR_USAGE', 'empty passphrase');
  if (options.confirm) {
    const again = await promptHidden(ctx.io, `Repeat the passphrase for the ${src.what}: `);
    if (again !== first) throw new MailPkiError('ERR_USAGE', 'the passphrases do not match');
  }
  return first;
}

/** The error for an encrypted key with no passphrase source and no terminal. */
export function passphraseRequired(src: PassphraseSource, path: string): MailPkiError {
  return new MailPkiError(
    'ERR_PASSPHRASE_REQUIRED',
    `${path}: the ${src.what} is encrypted; give --${src.fileFlag} FILE or --${src.envFlag} NAME (no terminal to prompt on)`,
  );
}

/** Read a line from the terminal without echo (stdin in raw mode). */
function promptHidden(io: CliIo, prompt: string): Promise<string> {
  const stdin = process.stdin;
  io.err(prompt);
  return new Promise((resolvePromise, reject) => {
    let buf = '';
    const cleanup = () => {
      stdin.removeListener('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      io.err('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          cleanup();
          resolvePromise(buf);
          return;
        }
        if (ch === '\u0003' || (ch === '\u0004' && buf === '')) {
          cleanup();
          reject(new MailPkiError('ERR_ABORTED', 'passphrase entry cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else if (ch === '\u0015') buf = '';
        else if (ch >= ' ') buf += ch;
      }
    };
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** A progress line on stderr, shown only on a terminal and only once the work has taken ~1 s. */
export interface Progress {
  update(p: { phase: string; fraction?: number }): void;
  done(): void;
}

export function startProgress(io: CliIo, label: string): Progress {
  const control = io.errControl?.bind(io);
  if (!io.stderrIsTTY || !control) return { update: () => undefined, done: () => undefined };
  const t0 = Date.now();
  let last = '';
  let shown = false;
  let state: { phase: string; fraction?: number } = { phase: '' };
  const frames = ['|', '/', '-', '\\'];
  let frame = 0;
  const render = () => {
    if (Date.now() - t0 < 1000) return;
    const pct = state.fraction !== undefined ? ` ${Math.round(Math.min(1, Math.max(0, state.fraction)) * 100)}%` : '';
    const line = `${frames[frame++ % frames.length]} ${label}${state.phase ? ` (${state.phase})` : ''}${pct}`;
    if (line !== last) {
      control(`\r\u001b[K${line}`);
      last = line;
      shown = true;
    }
  };
  const timer = setInterval(render, 200);
  timer.unref();
  return {
    update(p) {
      state = p;
    },
    done() {
      clearInterval(timer);
      if (shown) control('\r\u001b[K');
    },
  };
}

/** Print `note: ...` on stderr (explanations the user should see, e.g. why a key is unencrypted). */
export function note(io: CliIo, text: string): void {
  io.err(`note: ${escapeTerminal(text)}\n`);
}

/**
 * TEST-ONLY hook for the signal tests (test/e2e/cli-signals.test.ts): with
 * MAILPKI_TEST_PAUSE_AFTER_PUBLISH=N in the environment, a write set stops
 * after publishing N files (0: after the temp files, before the first
 * publish), says `mailpki-test: paused after N published` on stderr and
 * waits MAILPKI_TEST_PAUSE_MS (default 5000) or until the process is
 * interrupted. Without the variable it adds nothing. It only delays: it
 * writes nothing and changes no result.
 */
export function testPublishPause(ctx: CommandContext): Pick<WriteFilesOptions, 'beforePublish' | 'afterPublish'> {
  const raw = ctx.io.env.MAILPKI_TEST_PAUSE_AFTER_PUBLISH;
  if (raw === undefined || !/^\d{1,3}$/.test(raw)) return {};
  const at = Number(raw);
  const ms = Math.min(60_000, Number(/^\d{1,5}$/.test(ctx.io.env.MAILPKI_TEST_PAUSE_MS ?? '') ? ctx.io.env.MAILPKI_TEST_PAUSE_MS : 5000));
  const pause = (n: number): Promise<void> | undefined => {
    if (n !== at) return undefined;
    ctx.io.err(`mailpki-test: paused after ${n} published\n`);
    return new Promise<void>((resolvePause) => {
      const timer = setTimeout(resolvePause, ms);
      ctx.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolvePause();
      });
    });
  };
  return { beforePublish: () => pause(0), afterPublish: (n) => pause(n) };
}
