/**
 * SELinux labels for certificate directories (RHEL, Fedora, and relatives).
 *
 * Durable labelling is `semanage fcontext` (a rule in the policy store) plus
 * `restorecon` (apply it). `chcon` is not used: any relabel (`restorecon`, an
 * autorelabel after a policy update) undoes it, and two chcon calls on the
 * same file (`cert_t`, then `dovecot_cert_t`) overwrite each other.
 * `cert_t` is readable by both Postfix and Dovecot; Fedora's policy already
 * labels `/etc/pki(/.*)?` and `/etc/ssl(/.*)?` `cert_t`, and
 * `/etc/pki/dovecot(/.*)?` `dovecot_cert_t` (Dovecot only).
 *
 * Out of scope: running the commands; anything but file labels.
 */
import { shQuote } from './tls-profile.js';

/** Options of {@link selinuxCommands}. @public */
export interface SelinuxOptions {
  /** SELinux type to give the directories; default `cert_t` (readable by Postfix and Dovecot). */
  readonly type?: string;
}

const POLICY_LABELLED = [/^\/etc\/pki(\/|$)/, /^\/etc\/ssl(\/|$)/];

/** Escape a path for the regular expression semanage takes. */
function regexEscape(path: string): string {
  return path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}


/**
 * The shell commands that label certificate directories for SELinux, with
 * comments (run as root; harmless no-ops to skip where SELinux is off).
 *
 * Accepts directories as separate arguments, arrays, or both; an options
 * object may come last.
 *
 * @param dirs - absolute directory paths (normalised: trailing slashes removed).
 * @returns the commands as text, one per line, ending in a newline.
 * @throws TypeError when no directory is given; RangeError for a relative path,
 *   `/` itself, or a path with control characters.
 *
 * @example
 * ```ts
 * selinuxCommands('/etc/mailpki');
 * // semanage fcontext -a -t cert_t '/etc/mailpki(/.*)?' ... && restorecon -Rv '/etc/mailpki'
 * ```
 * @public
 */
export function selinuxCommands(...dirs: Array<string | readonly string[] | SelinuxOptions>): string {
  let options: SelinuxOptions = {};
  const list: string[] = [];
  for (const d of dirs) {
    if (typeof d === 'string') list.push(d);
    else if (Array.isArray(d)) list.push(...(d as readonly string[]));
    else if (d !== null && typeof d === 'object') options = d as SelinuxOptions;
    else throw new TypeError('dirs: expected directory paths');
  }
  if (list.length === 0) throw new TypeError('dirs: at least one directory is required');
  const type = options.type ?? 'cert_t';
  if (!/^[a-z0-9_]+_t$/.test(type)) throw new RangeError(`type: not an SELinux type name: ${JSON.stringify(type.slice(0, 40))}`);

  const out: string[] = [
    '# mailpki: SELinux labels for the certificate files (RHEL, Fedora, ...). Run as root.',
    '# Durable: a rule in the policy (semanage fcontext) applied with restorecon.',
    '# Not chcon: any relabel undoes it, and a second chcon overwrites the first.',
    `# ${type === 'cert_t' ? 'cert_t is readable by both Postfix and Dovecot.' : `${type}: make sure every daemon that reads these files may read this type.`}`,
    '# Skip all of this when `getenforce` says Disabled or the command is missing.',
  ];
  for (const raw of list) {
    if (typeof raw !== 'string' || raw.length === 0) throw new TypeError('dirs: expected directory paths');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(raw)) throw new RangeError('dirs: control characters are not allowed in a path');
    if (!raw.startsWith('/')) throw new RangeError(`dirs: semanage needs an absolute path: ${JSON.stringify(raw.slice(0, 200))}`);
    const dir = raw.replace(/\/+$/, '').replace(/\/{2,}/g, '/');
    if (dir === '') throw new RangeError('dirs: refusing to relabel /');
    if (/(^|\/)\.\.?(\/|$)/.test(dir)) throw new RangeError(`dirs: use a normalised path without . or ..: ${JSON.stringify(raw.slice(0, 200))}`);
    const spec = `${regexEscape(dir)}(/.*)?`;
    out.push('');
    if (/^\/etc\/pki\/dovecot(\/|$)/.test(dir)) {
      out.push(`# ${dir}: the policy labels /etc/pki/dovecot dovecot_cert_t, which Postfix cannot read. Prefer a directory outside it.`);
    }
    if (type === 'cert_t' && POLICY_LABELLED.some((r) => r.test(dir)) && !/^\/etc\/pki\/dovecot(\/|$)/.test(dir)) {
      out.push(`# ${dir} is under /etc/pki or /etc/ssl, which the policy already labels cert_t: restorecon is enough.`);
    } else {
      // -a fails when a rule for the same spec exists; -m then modifies it.
      out.push(`semanage fcontext -a -t ${type} ${shQuote(spec)} 2>/dev/null || semanage fcontext -m -t ${type} ${shQuote(spec)}`);
    }
    out.push(`restorecon -Rv ${shQuote(dir)}`);
    out.push(`ls -Zd ${shQuote(dir)}   # check: the context shows ${type}`);
  }
  return out.join('\n') + '\n';
}
