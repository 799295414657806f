/**
 * Terminal-safe text: the one place that decides how text from a peer or a
 * file (a server greeting, a certificate subject, a file name) is made safe
 * to print. A terminal interprets C0 controls (ESC starts sequences that set
 * the window title, clear the screen, move the cursor up to overwrite an
 * earlier line), DEL, C1 controls (U+0080..U+009F: U+009B is a one-character
 * CSI on many terminals, also when UTF-8 encoded), and Unicode's invisible
 * reordering marks (bidi overrides and isolates, "Trojan Source") change
 * what a reader sees. All of them are shown escaped instead.
 *
 * Out of scope: quoting for a shell, width/grapheme handling, truncation.
 */

// C0 (tab and line feed handled per mode), DEL, C1, line/paragraph separators,
// bidi embeddings/overrides/isolates and marks, zero-width joiners.
// eslint-disable-next-line no-control-regex
const UNSAFE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
// Inside a JSON.stringify result only these can still be raw (it escapes C0 itself).
const UNSAFE_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/**
 * How {@link escapeTerminal} treats line structure:
 * - `line`: one field inside a line; line feeds and tabs are escaped too, so a
 *   value cannot fake a line of its own (the default);
 * - `text`: multi-line text that we produced around values already escaped
 *   (line feeds and tabs kept, everything else escaped);
 * - `json`: the output of `JSON.stringify` (which escapes C0 itself); the rest
 *   becomes `\uXXXX`, so the JSON stays valid and means the same.
 * @public
 */
export type TerminalEscapeMode = 'line' | 'text' | 'json';

const hex = (c: number, n: number): string => c.toString(16).padStart(n, '0');

/**
 * Make text from a peer or a file safe to print on a terminal: control
 * characters and invisible reordering marks become visible escapes (`\x1b`,
 * `\x9b`, `\u202e`; `\uXXXX` in `json` mode). Printable text, including
 * non-ASCII letters, is unchanged.
 *
 * @param text - any string (e.g. a server's reply, a certificate subject).
 * @param mode - `line` (default), `text` or `json`; see {@link TerminalEscapeMode}.
 * @returns the escaped string.
 * @example
 * ```ts
 * escapeTerminal('OK\x1b]0;pwned\x07'); // 'OK\\x1b]0;pwned\\x07'
 * ```
 * @public
 */
export function escapeTerminal(text: string, mode: TerminalEscapeMode = 'line'): string {
  if (typeof text !== 'string') throw new TypeError('escapeTerminal: text must be a string');
  if (mode === 'json') return text.replace(UNSAFE_JSON, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
  const re = mode === 'text' ? UNSAFE_TEXT : UNSAFE_LINE;
  return text.replace(re, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
  });
}
