/**
 * The offline CSR page: a key and a PKCS#10 request made in the browser with
 * mailpki. No network, no WebCrypto (only crypto.getRandomValues), no
 * storage: the key exists in this page's memory and in the file the user
 * downloads. Built by web/bundle.mjs into one self-contained HTML file.
 */
import {
  parseCertificateRequest,
  verifyCertificateRequest,
  parseSan,
  formatNameRfc4514,
  describeKey,
  isMailPkiError,
  checkNewPassphrase,
} from '../src/index.js';
import { startJob, workerMain, type KeyChoice } from './job.js';

type GeneralName = ReturnType<typeof parseSan>;

// RFC 5280 appendix A upper bounds (ub-common-name 64, ub-organization-name 64, ...).
const MAX_ATTR = 64;

if (typeof document === 'undefined') workerMain();
else pageMain();

function pageMain(): void {
  const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
    const el = document.getElementById(id);
    if (!el) throw new Error(`page is missing #${id}`);
    return el as T;
  };

  const form = $<HTMLFormElement>('csr-form');
  const keyType = $<HTMLSelectElement>('key-type');
  const sansEl = $<HTMLTextAreaElement>('sans');
  const passEl = $<HTMLInputElement>('passphrase');
  const pass2El = $<HTMLInputElement>('passphrase2');
  const generateBtn = $<HTMLButtonElement>('generate');
  const cancelBtn = $<HTMLButtonElement>('cancel');
  const progressBox = $('progress-box');
  const progress = $<HTMLProgressElement>('progress');
  const statusEl = $('status');
  const result = $('result');
  const csrPemEl = $<HTMLTextAreaElement>('csr-pem');
  const copyStatus = $('copy-status');

  const SUBJECT_FIELDS = [
    { id: 'cn', attr: 'CN', label: 'Common name' },
    { id: 'o', attr: 'O', label: 'Organization' },
    { id: 'ou', attr: 'OU', label: 'Organizational unit' },
    { id: 'l', attr: 'L', label: 'City' },
    { id: 'st', attr: 'ST', label: 'State' },
    { id: 'c', attr: 'C', label: 'Country' },
    { id: 'email', attr: 'emailAddress', label: 'E-mail address' },
  ] as const;

  let current: { keyPem: string; csrPem: string; baseName: string } | undefined;
  const outdatedEl = $('result-outdated');
  const keyBtn = $<HTMLButtonElement>('download-key');
  const csrBtn = $<HTMLButtonElement>('download-csr');
  const copyBtn = $<HTMLButtonElement>('copy-csr');

  /**
   * The shown key and CSR no longer match the form (an entry changed, or a
   * new attempt failed). They stay available (a key not yet saved is not
   * thrown away) but are marked, and the buttons say they are the previous ones.
   */
  function markOutdated(why: string): void {
    if (result.hidden || !current) return;
    result.dataset.outdated = 'true';
    outdatedEl.textContent = `Outdated: ${why} The key and CSR below were made from the previous entries (${current.baseName}); generate again for the new ones.`;
    outdatedEl.hidden = false;
    keyBtn.textContent = 'Download previous key';
    csrBtn.textContent = 'Download previous CSR';
    copyBtn.textContent = 'Copy previous CSR';
  }

  function clearOutdated(): void {
    delete result.dataset.outdated;
    outdatedEl.textContent = '';
    outdatedEl.hidden = true;
    keyBtn.textContent = 'Download key';
    csrBtn.textContent = 'Download CSR';
    copyBtn.textContent = 'Copy CSR';
  }
  let running: AbortController | undefined;

  // ---- validation -----------------------------------------------------------

  function setError(id: string, message: string | undefined): void {
    const input = $(id);
    const err = $(`${id}-error`);
    if (message) {
      err.textContent = message;
      err.hidden = false;
      input.setAttribute('aria-invalid', 'true');
    } else {
      err.textContent = '';
      err.hidden = true;
      input.removeAttribute('aria-invalid');
    }
  }

  function errorText(e: unknown): string {
    if (isMailPkiError(e)) return e.message;
    if (e instanceof Error) return e.message;
    return String(e);
  }

  /**
   * Internationalized host names go into certificates as IDNA A-labels
   * (RFC 5890, RFC 5280 7.2); the browser's own URL parser converts them,
   * so the page needs no IDNA tables.
   */
  function toALabel(name: string): string {
    if (/^[\x00-\x7f]*$/.test(name) || name.includes('@') || name.includes('/') || name.includes(':')) return name;
    try {
      const host = new URL(`http://${name}`).hostname;
      return /^[\x00-\x7f]+$/.test(host) ? host : name;
    } catch {
      return name;
    }
  }

  /** Split the host-name box: one per line or comma-separated. */
  function splitSans(text: string): string[] {
    return text
      .split(/[\n,;]+/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  function validateSans(): GeneralName[] | undefined {
    const items = splitSans(sansEl.value);
    if (items.length === 0) {
      setError('sans', 'Enter at least one host name (for example mail.example.com): clients check the certificate against these names.');
      return undefined;
    }
    const out: GeneralName[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      if (/\s/.test(item)) {
        setError('sans', `"${item}" contains a space: put each name on its own line or separate them with commas.`);
        return undefined;
      }
      let gn: GeneralName;
      try {
        // The library's rule, as in the CLI: a name with a port or a URL is refused with the host it probably meant.
        gn = parseSan(toALabel(item));
      } catch (e) {
        const msg = errorText(e);
        setError('sans', msg.startsWith(JSON.stringify(item)) ? msg : `"${item}" is not a valid host name, IP address or e-mail address: ${msg}`);
        return undefined;
      }
      const key = `${gn.type}:${gnText(gn).toLowerCase()}`;
      if (!seen.has(key)) out.push(gn);
      seen.add(key);
    }
    setError('sans', undefined);
    return out;
  }

  function validateSubject(sans: GeneralName[] | undefined): Record<string, string> | undefined {
    const subject: Record<string, string> = {};
    let ok = true;
    for (const f of SUBJECT_FIELDS) {
      const input = $<HTMLInputElement>(f.id);
      let v = input.value.trim();
      let msg: string | undefined;
      if (f.attr === 'C' && v) {
        v = v.toUpperCase();
        if (!/^[A-Z]{2}$/.test(v)) msg = 'Country must be a two-letter code (ISO 3166), e.g. DE or US.';
      } else if (f.attr === 'emailAddress' && v) {
        let isEmail = false;
        try {
          isEmail = parseSan(v).type === 'email';
        } catch {
          isEmail = false;
        }
        if (!isEmail || v.length > 128) msg = `"${v}" is not a valid e-mail address.`;
      } else if (v.length > MAX_ATTR) {
        msg = `${f.label} may be at most ${MAX_ATTR} characters (RFC 5280), this one has ${v.length}.`;
      }
      if (f.attr === 'CN' && !v && sans) {
        // Browsers and mail clients ignore the CN, but some CAs still require one.
        const first = sans.find((s) => s.type === 'dns' || s.type === 'ip');
        if (first && gnText(first).length <= MAX_ATTR) v = gnText(first);
      }
      setError(f.id, msg);
      if (msg) ok = false;
      else if (v) subject[f.attr] = v;
    }
    return ok ? subject : undefined;
  }

  function validatePassphrase(): string | undefined | false {
    const p = passEl.value;
    const p2 = pass2El.value;
    let ok = true;
    const weak = p ? checkNewPassphrase(p) : undefined;
    if (weak) {
      // The library's rule, the same as the CLI's.
      setError('passphrase', `${weak[0]!.toUpperCase()}${weak.slice(1)}; or leave it empty for an unencrypted key.`);
      ok = false;
    } else setError('passphrase', undefined);
    if (p !== p2) {
      setError('passphrase2', 'The two passphrases differ.');
      ok = false;
    } else setError('passphrase2', undefined);
    return ok ? p || undefined : false;
  }

  // ---- UI state -------------------------------------------------------------

  function setStatus(text: string, failed = false): void {
    statusEl.textContent = text;
    statusEl.classList.toggle('failed', failed);
  }

  function setBusy(busy: boolean): void {
    generateBtn.disabled = busy;
    cancelBtn.hidden = !busy;
    progressBox.hidden = !busy;
    for (const el of Array.from(form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea'))) el.disabled = busy;
    if (busy) progress.removeAttribute('value');
  }

  function fileBase(sans: GeneralName[], subject: Record<string, string>): string {
    const first = subject.CN ?? sans.map(gnText).find(Boolean) ?? 'server';
    return first.replace(/^\*\./, 'wildcard.').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64) || 'server';
  }

  /** The value of a GeneralName as text ('' for otherName). */
  function gnText(gn: GeneralName): string {
    if (gn.type === 'dn') return formatNameRfc4514(gn.value);
    if (gn.type === 'other') return gn.oid;
    return gn.value;
  }

  function sanText(gn: GeneralName): string {
    const label = { dns: 'DNS', ip: 'IP', email: 'email', uri: 'URI', dn: 'DirName', other: 'otherName', registeredId: 'RID' }[gn.type];
    return `${label}: ${gnText(gn)}`;
  }

  async function onGenerate(ev: Event): Promise<void> {
    ev.preventDefault();
    if (running) return;
    const sans = validateSans();
    const subject = validateSubject(sans);
    const passphrase = validatePassphrase();
    if (!sans || !subject || passphrase === false) {
      setStatus('Please correct the marked fields.', true);
      markOutdated('the last attempt failed.');
      const firstBad = form.querySelector<HTMLElement>('[aria-invalid="true"]');
      if (firstBad) {
        const details = firstBad.closest('details');
        if (details) details.open = true;
        firstBad.focus();
      }
      return;
    }
    running = new AbortController();
    const { signal } = running;
    setBusy(true);
    markOutdated('a new key and CSR are being made.');
    setStatus('Making the key…');
    const t0 = performance.now();
    try {
      const job = { key: keyType.value as KeyChoice, subject, sans, ...(passphrase ? { passphrase } : {}) };
      const r = await startJob(job, signal, (p) => {
        if (typeof p.fraction === 'number') progress.value = p.fraction;
        else progress.removeAttribute('value');
        setStatus(`${p.phase[0]!.toUpperCase()}${p.phase.slice(1)}…`);
      });
      document.documentElement.dataset.engine = r.engine;
      document.documentElement.dataset.keyWorkers = String(r.keyWorkers);
      const keyPem = r.keyPem;
      // The preview shows what a CA will read: parse the PEM back, check its signature.
      const parsed = parseCertificateRequest(r.csrPem);
      verifyCertificateRequest(parsed);
      $('preview-subject').textContent = formatNameRfc4514(parsed.subject); // RFC 4514, as the CLI prints names
      const list = document.createElement('ul');
      for (const gn of parsed.decoded.subjectAltName ?? []) {
        const li = document.createElement('li');
        li.textContent = sanText(gn);
        list.append(li);
      }
      $('preview-sans').replaceChildren(list);
      $('preview-key').textContent = describeKey(parsed.publicKey);
      $('preview-sig').textContent = `${parsed.signatureAlgorithm.name} (verified in this page)`;
      $('preview-keyfile').textContent = passphrase ? 'PKCS#8, encrypted with your passphrase' : 'PKCS#8, not encrypted';
      csrPemEl.value = parsed.pem;
      current = { keyPem, csrPem: parsed.pem, baseName: fileBase(sans, subject) };
      clearOutdated();
      copyStatus.textContent = '';
      result.hidden = false;
      const threads = r.keyWorkers > 1 ? ` (key made on ${r.keyWorkers} threads)` : '';
      setStatus(`Done in ${((performance.now() - t0) / 1000).toFixed(1)} s${threads}. Download the key and keep it safe; send the CSR to your CA.`);
      $('result-title').focus();
    } catch (e) {
      if (signal.aborted) setStatus('Cancelled: no key was made.');
      else setStatus(`Failed: ${errorText(e)}`, true);
      markOutdated(signal.aborted ? 'the new attempt was cancelled.' : 'the new attempt failed.');
    } finally {
      running = undefined;
      setBusy(false);
    }
  }

  function download(text: string, filename: string): void {
    const url = URL.createObjectURL(new Blob([text], { type: 'application/x-pem-file' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  async function copyCsr(): Promise<void> {
    if (!current) return;
    const text = current.csrPem;
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no async clipboard');
      await navigator.clipboard.writeText(text);
      copyStatus.textContent = 'CSR copied to the clipboard.';
      return;
    } catch {
      // file:// and plain http have no async clipboard in some browsers: select and copy.
    }
    csrPemEl.focus();
    csrPemEl.select();
    const ok = typeof document.execCommand === 'function' && document.execCommand('copy');
    copyStatus.textContent = ok ? 'CSR copied to the clipboard.' : 'Copy did not work here: the CSR text is selected, press Ctrl+C (⌘C).';
  }

  form.addEventListener('submit', (ev) => void onGenerate(ev));
  // Any edit makes a shown result stale: say so at once (typing, pasting, choosing a key type).
  for (const type of ['input', 'change']) form.addEventListener(type, () => markOutdated('the form changed since they were made.'));
  cancelBtn.addEventListener('click', () => {
    running?.abort();
    setStatus('Cancelling…');
  });
  // Errors appear on submit; while the user fixes a marked field, its message
  // updates as they type (never on blur: a message appearing then would move
  // the button under the pointer).
  const live = (ids: string[], check: () => unknown): void => {
    for (const id of ids) $(id).addEventListener('input', () => ids.some((i) => $(i).getAttribute('aria-invalid') === 'true') && void check());
  };
  live(['sans'], validateSans);
  live(['cn', 'o', 'ou', 'l', 'st', 'c', 'email'], () => validateSubject(undefined));
  live(['passphrase', 'passphrase2'], validatePassphrase);
  $('download-key').addEventListener('click', () => current && download(current.keyPem, `${current.baseName}.key.pem`));
  $('download-csr').addEventListener('click', () => current && download(current.csrPem, `${current.baseName}.csr.pem`));
  $('copy-csr').addEventListener('click', () => void copyCsr());
  document.documentElement.dataset.ready = 'true';
}
