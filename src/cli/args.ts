/**
 * Command specs and argument parsing for the CLI, over node:util `parseArgs`
 * (no dependency). Every command declares its options once; the same
 * declaration drives parsing, value checks (choices, integers, required,
 * mutually exclusive) and `--help`.
 *
 * Usage errors (unknown option, bad value, missing argument) throw
 * `MailPkiError('ERR_USAGE')`; main.ts turns them into one line and exit 2.
 */
import { parseArgs } from 'node:util';
import { MailPkiError } from '../errors.js';
import { escapeTerminal } from '../encoding/terminal.js';

/** One option of one command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** Option may be repeated (`--san a --san b`); value is an array. */
  readonly multiple?: boolean;
  readonly short?: string;
  /** Allowed values (checked, and listed in help); matched case-insensitively, the canonical spelling is what the command sees. */
  readonly choices?: readonly string[];
  /** Other spellings of a choice (lower-case alias -> choice), e.g. `prime256v1` -> `P-256`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Value must be an integer in [min, max]. */
  readonly integer?: readonly [min: number, max: number];
  readonly required?: boolean;
  /** Placeholder in help, e.g. `FILE`, `DN`, `N`. */
  readonly arg?: string;
  /** Default shown in help (the command applies it). */
  readonly default?: string;
  readonly desc: string;
}

/** What a command sees when it runs. */
export interface CommandContext {
  /** Parsed option values (integers already converted). */
  readonly values: Readonly<Record<string, string | boolean | number | string[] | undefined>>;
  readonly positionals: readonly string[];
  readonly io: CliIo;
  /** Fires when the process is interrupted (SIGINT / SIGTERM / SIGHUP) while a write set is in progress. */
  readonly signal?: AbortSignal;
}

/** The process's terminal and streams, injectable for tests. */
export interface CliIo {
  /** Standard output. The process's own io escapes control characters here as a last net (escapeTerminal 'text'). */
  out(text: string): void;
  /** Standard error (same net). */
  err(text: string): void;
  /**
   * Terminal control written by mailpki itself (the progress line's `\r` and erase-line);
   * never text from a peer or a file. Absent: progress is not drawn.
   */
  errControl?(text: string): void;
  /** stderr is a terminal: progress and prompts may be shown. */
  readonly stderrIsTTY: boolean;
  /** stdin is a terminal: passphrase prompts are possible. */
  readonly stdinIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A CLI command: its spec (drives parsing and help) and its action. */
export interface CommandSpec {
  /** e.g. `key new`, `sign`. */
  readonly name: string;
  readonly summary: string;
  /** Synopsis lines after `mailpki`. */
  readonly usage: readonly string[];
  /** Paragraphs shown under the synopsis. */
  readonly description?: readonly string[];
  readonly positionals: { readonly min: number; readonly max: number; readonly name: string; readonly choices?: readonly string[] };
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Groups of options that exclude each other. */
  readonly exclusive?: ReadonlyArray<readonly string[]>;
  readonly examples: readonly string[];
  run(ctx: CommandContext): Promise<number | void>;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h', desc: 'show this help' },
  debug: { type: 'boolean', desc: 'print the stack trace of an error' },
};

/** A usage error: exit code 2. */
export function usageError(message: string): MailPkiError {
  return new MailPkiError('ERR_USAGE', message);
}

/** Parse `args` for `spec`: options, positionals and value checks. */
export function parseCommandArgs(spec: CommandSpec, args: readonly string[]): { values: Record<string, string | boolean | number | string[] | undefined>; positionals: string[] } {
  const all = { ...COMMON_OPTIONS, ...spec.options };
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, o] of Object.entries(all)) {
    options[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError(`${spec.name}: ${parseErrorMessage(e)}${suggestOption(e, Object.keys(all))}`);
  }
  const values: Record<string, string | boolean | number | string[] | undefined> = { ...(parsed.values as Record<string, string | boolean | string[] | undefined>) };
  if (values.help) {
    // `CMD ARGS... --help` shows the help, but a stray argument is still an error.
    if (parsed.positionals.length > spec.positionals.max) throw usageError(`${spec.name}: unexpected argument ${quote(parsed.positionals[spec.positionals.max]!)}`);
    return { values, positionals: parsed.positionals };
  }

  for (const [name, o] of Object.entries(all)) {
    const v = values[name];
    if (v === undefined) {
      if (o.required) throw usageError(`${spec.name}: --${name} is required`);
      continue;
    }
    const list = Array.isArray(v) ? v : [v];
    for (const item of list) {
      if (typeof item !== 'string') continue;
      if (item === '') throw usageError(`${spec.name}: --${name} needs a non-empty value`);
    }
    if (o.choices && typeof v === 'string') {
      const canonical = matchChoice(v, o.choices, o.aliases);
      if (canonical === undefined) throw usageError(`${spec.name}: invalid value ${quote(v)} for --${name} (expected ${o.choices.join(', ')})`);
      values[name] = canonical;
    }
    if (o.integer && typeof v === 'string') {
      const [min, max] = o.integer;
      if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) {
        throw usageError(`${spec.name}: invalid value ${quote(v)} for --${name} (expected an integer from ${min} to ${max})`);
      }
      values[name] = Number(v);
    }
  }
  for (const group of spec.exclusive ?? []) {
    const given = group.filter((n) => values[n] !== undefined && values[n] !== false);
    if (given.length > 1) throw usageError(`${spec.name}: ${given.map((n) => `--${n}`).join(' and ')} cannot be used together`);
  }
  const { min, max, name, choices } = spec.positionals;
  const pos = parsed.positionals;
  if (pos.length < min) throw usageError(`${spec.name}: missing ${name}`);
  if (pos.length > max) throw usageError(`${spec.name}: unexpected argument ${quote(pos[max]!)}`);
  if (choices) {
    pos.forEach((p, i) => {
      const canonical = matchChoice(p, choices);
      if (canonical === undefined) throw usageError(`${spec.name}: invalid ${name} ${quote(p)} (expected ${choices.join(' or ')})`);
      pos[i] = canonical;
    });
  }
  return { values, positionals: pos };
}

/** The canonical choice for `value`: exact, case-insensitive, or through an alias. */
export function matchChoice(value: string, choices: readonly string[], aliases?: Readonly<Record<string, string>>): string | undefined {
  if (choices.includes(value)) return value;
  const lower = value.toLowerCase();
  return choices.find((c) => c.toLowerCase() === lower) ?? (aliases && Object.hasOwn(aliases, lower) ? aliases[lower] : undefined);
}

/** ` (did you mean --x?)` for an unknown long option close to a known one; '' otherwise. */
function suggestOption(e: unknown, names: readonly string[]): string {
  const err = e as { code?: string; message?: string };
  if (err.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return '';
  const opt = /'--([^' =]+)/.exec(String(err.message ?? ''))?.[1];
  if (!opt || opt.length > 40) return '';
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = n.startsWith(opt) || opt.startsWith(n) ? Math.min(1, editDistance(opt, n)) : editDistance(opt, n);
    if (d < bestD) [best, bestD] = [n, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(opt.length / 4)) + 1 ? ` (did you mean --${best}?)` : '';
}

/** Levenshtein distance (short strings only: option names). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function parseErrorMessage(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? 'invalid arguments');
  const opt = /'(-[^' ]+)/.exec(msg)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${opt ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(msg)) return `${opt} needs a value`;
      if (/does not take an argument/.test(msg)) return `${opt} does not take a value`;
      if (/ambiguous/.test(msg)) return `${opt} needs a value (to pass a value starting with '-', write ${opt}=VALUE)`;
      return msg.split('\n')[0]!;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return msg.split('\n')[0]!;
    default:
      return msg.split('\n')[0]!;
  }
}

/** Quote a user-supplied value for a one-line message (control characters escaped, length capped). */
export function quote(s: string): string {
  const clipped = s.length > 80 ? `${s.slice(0, 77)}...` : s;
  return escapeTerminal(JSON.stringify(clipped), 'json');
}

/**
 * Help text for a command, generated from its spec. With `variant` (a
 * positional choice, e.g. `postfix` in `config postfix --help`), usage lines,
 * examples and options that belong to another choice (their text names it:
 * `config dovecot ...`, `Dovecot: ...`) are left out.
 */
export function formatHelp(spec: CommandSpec, variant?: string): string {
  const others = variant ? (spec.positionals.choices ?? []).filter((c) => c !== variant) : [];
  const forOther = (text: string) => others.some((o) => text.includes(`${spec.name} ${o}`) || text.toLowerCase().startsWith(`${o.toLowerCase()}:`));
  const usage = spec.usage.filter((u) => !forOther(u.trim()));
  const lines: string[] = [];
  // a usage line starting with spaces continues the previous one
  lines.push(`Usage: ${usage.map((u, i) => (i === 0 ? `mailpki ${u}` : /^\s/.test(u) ? `               ${u.trimStart()}` : `       mailpki ${u}`)).join('\n')}`, '');
  lines.push(spec.summary);
  for (const p of spec.description ?? []) lines.push('', wrap(p, 78));
  lines.push('', 'Options:');
  const entries = Object.entries({ ...spec.options, ...COMMON_OPTIONS }).filter(([, o]) => !forOther(o.desc));
  const heads = entries.map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : '    ';
    const arg = o.type === 'string' ? ` ${o.choices ? o.choices.join('|') : (o.arg ?? 'VALUE')}` : '';
    return `  ${short}--${name}${arg}`;
  });
  const width = Math.min(40, Math.max(...heads.map((h) => h.length)) + 2);
  entries.forEach(([, o], i) => {
    const extra = [o.required ? 'required' : '', o.multiple ? 'repeatable' : '', o.default ? `default: ${o.default}` : ''].filter(Boolean).join('; ');
    const desc = o.desc + (extra ? ` (${extra})` : '');
    const head = heads[i]!;
    const pad = head.length + 2 > width ? `\n${' '.repeat(width)}` : ' '.repeat(width - head.length);
    lines.push(`${head}${pad}${wrap(desc, 78 - width).split('\n').join(`\n${' '.repeat(width)}`)}`);
  });
  const examples = spec.examples.filter((ex) => !forOther(ex.replace(/^mailpki /, '')));
  if (examples.length) {
    lines.push('', 'Examples:');
    for (const ex of examples) lines.push(`  ${ex}`);
  }
  return lines.join('\n') + '\n';
}

function wrap(text: string, width: number): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join('\n');
}

/** Typed accessors for parsed values. */
export function str(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}
export function num(ctx: CommandContext, name: string): number | undefined {
  const v = ctx.values[name];
  return typeof v === 'number' ? v : undefined;
}
export function flag(ctx: CommandContext, name: string): boolean {
  return ctx.values[name] === true;
}
export function list(ctx: CommandContext, name: string): string[] {
  const v = ctx.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
