/**
 * A socket read line by line under a time budget: one overall deadline for
 * the whole conversation plus an idle limit for each read. A peer can never
 * hold the reader past the deadline, however it paces its bytes (one byte or
 * one continuation line just before each idle limit expires still ends at
 * the deadline). Used by the TLS / STARTTLS probe and its dialogue table.
 *
 * Out of scope: what the lines mean (mail-dialogue.ts), TLS (probe.ts).
 * @internal
 */
import type * as net from 'node:net';
import type { ProbeFailureCode } from './probe.js';

/** Longest line accepted. RFC 5321 4.5.3.1.5: reply lines are ≤ 512 octets; generous for IMAP CAPABILITY. */
export const MAX_LINE = 8192;
/** Most lines kept in a transcript. */
export const MAX_TRANSCRIPT = 400;

/** A failure of the probe, carrying its stable code. @internal */
export class ProbeFailure extends Error {
  constructor(
    readonly code: ProbeFailureCode,
    message: string,
  ) {
    super(message);
  }
}

/** Overall deadline and per-read idle limit (ms since the epoch / ms). @internal */
export class Budget {
  readonly deadline: number;
  constructor(
    readonly overallMs: number,
    readonly idleMs: number,
    start = Date.now(),
  ) {
    this.deadline = start + overallMs;
  }

  /** ms left before the overall deadline (may be ≤ 0). */
  left(): number {
    return this.deadline - Date.now();
  }

  /** Time allowed for the next step: the idle limit, cut at the deadline. */
  step(): number {
    return Math.max(0, Math.min(this.idleMs, this.left()));
  }

  /** The timeout failure for a step that ran out of time, saying which limit it hit. */
  timeout(what: string, startedAt: number): ProbeFailure {
    if (startedAt + this.idleMs >= this.deadline) {
      return new ProbeFailure('timeout', `${what}: the overall time limit of ${secs(this.overallMs)} was reached`);
    }
    return new ProbeFailure('timeout', `${what}: nothing complete arrived within ${secs(this.idleMs)}`);
  }
}

const secs = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/** A socket read line by line within a {@link Budget}. @internal */
export class LineConn {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private err: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (d: Buffer): void => {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    this.notify();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (e: Error): void => {
    this.err = e;
    this.notify();
  };

  constructor(
    readonly sock: net.Socket,
    private readonly transcript: string[],
    readonly budget: Budget,
  ) {
    sock.on('data', this.onData);
    sock.on('end', this.onEnd);
    sock.on('close', this.onEnd);
    sock.on('error', this.onError);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Sleep until data, end or error arrives, or until `ms` have passed. */
  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  log(line: string): void {
    if (this.transcript.length < MAX_TRANSCRIPT) this.transcript.push(line.length > 300 ? `${line.slice(0, 300)}...` : line);
  }

  /** Bytes received and not consumed yet. */
  get pending(): number {
    return this.buf.length;
  }

  /** Read one line (CRLF or LF stripped) within the idle limit and the overall deadline. */
  async readLine(what: string, limitMs = this.budget.step()): Promise<string> {
    const started = Date.now();
    const until = started + limitMs;
    for (;;) {
      const i = this.buf.indexOf(0x0a);
      if (i >= 0 && i <= MAX_LINE) {
        const raw = this.buf.subarray(0, i > 0 && this.buf[i - 1] === 0x0d ? i - 1 : i);
        this.buf = this.buf.subarray(i + 1);
        const line = raw.toString('latin1');
        this.log(`S: ${line}`);
        return line;
      }
      if (this.buf.length > MAX_LINE) throw new ProbeFailure('protocol-error', `${what}: a reply line longer than ${MAX_LINE} bytes`);
      if (this.err) throw new ProbeFailure('connection-closed', `${what}: ${this.err.message.split('\n')[0]}`);
      if (this.ended) throw new ProbeFailure('connection-closed', `${what}: the server closed the connection`);
      const left = until - Date.now();
      if (left <= 0) throw this.budget.timeout(what, started);
      await this.wait(left);
    }
  }

  /**
   * Wait up to `ms` (cut at the deadline) for more bytes; true when any
   * arrived. Used after the STARTTLS reply: an honest server sends nothing
   * until the client's TLS ClientHello, so anything here is injected.
   */
  async moreArrives(ms: number): Promise<boolean> {
    const until = Date.now() + Math.max(0, Math.min(ms, this.budget.left()));
    while (this.buf.length === 0 && !this.ended && !this.err) {
      const left = until - Date.now();
      if (left <= 0) break;
      await this.wait(left);
    }
    return this.buf.length > 0;
  }

  /** Send a command line. The peer must not have sent anything we did not ask for yet. */
  write(line: string, what: string): void {
    if (this.buf.length > 0) {
      const first = this.buf.subarray(0, Math.min(this.buf.length, 80)).toString('latin1').split(/\r?\n/)[0] ?? '';
      throw new ProbeFailure('protocol-error', `${what}: the server sent an unsolicited reply before the client's command: ${JSON.stringify(first)}`);
    }
    this.log(`C: ${line}`);
    this.sock.write(`${line}\r\n`);
  }

  /** Send a line without the unsolicited-data check (the goodbye). */
  writeAnyway(line: string): void {
    this.log(`C: ${line}`);
    this.sock.write(`${line}\r\n`);
  }

  /** Stop reading (before the TLS handshake); returns whatever arrived and was not consumed. */
  detach(): Buffer {
    this.sock.pause();
    this.sock.off('data', this.onData);
    this.sock.off('end', this.onEnd);
    this.sock.off('close', this.onEnd);
    this.sock.off('error', this.onError);
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }
}
