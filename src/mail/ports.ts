/**
 * The mail ports and how TLS is used on each (RFC 8314 §3, RFC 3207, RFC 2595,
 * RFC 9051 / RFC 3501, RFC 1939 / RFC 2449).
 *
 * Out of scope: anything that opens a connection (see `src/node/probe.ts`).
 */

/** The three mail protocols that have a STARTTLS-style upgrade. @public */
export type MailProtocol = 'smtp' | 'imap' | 'pop3';

/** How a port uses TLS: `starttls` (plaintext first, then upgrade) or `implicit` (TLS from the first byte). @public */
export type TlsMode = 'starttls' | 'implicit';

/** One well-known mail port. @public */
export interface MailPort {
  /** TCP port number. */
  readonly port: number;
  /** IANA service name as it appears in `/etc/services` and Postfix's master.cf. */
  readonly service: string;
  /** Application protocol spoken on the port. */
  readonly protocol: MailProtocol;
  /** Whether TLS starts with STARTTLS (STLS for POP3) or from the first byte. */
  readonly tls: TlsMode;
  /** One line: what the port is for. */
  readonly purpose: string;
}

/**
 * The well-known mail ports (RFC 8314 §3: servers should offer both 587 and 465
 * for submission; 465 is implicit TLS, 587 is STARTTLS; port 25 is server to
 * server, where TLS can only be opportunistic).
 * @public
 */
export const MAIL_PORTS: readonly MailPort[] = [
  { port: 25, service: 'smtp', protocol: 'smtp', tls: 'starttls', purpose: 'SMTP relay between servers (MX); STARTTLS is opportunistic' },
  { port: 587, service: 'submission', protocol: 'smtp', tls: 'starttls', purpose: 'message submission by clients; STARTTLS required' },
  { port: 465, service: 'submissions', protocol: 'smtp', tls: 'implicit', purpose: 'message submission by clients over implicit TLS (RFC 8314)' },
  { port: 143, service: 'imap', protocol: 'imap', tls: 'starttls', purpose: 'IMAP with STARTTLS' },
  { port: 993, service: 'imaps', protocol: 'imap', tls: 'implicit', purpose: 'IMAP over implicit TLS' },
  { port: 110, service: 'pop3', protocol: 'pop3', tls: 'starttls', purpose: 'POP3 with STLS' },
  { port: 995, service: 'pop3s', protocol: 'pop3', tls: 'implicit', purpose: 'POP3 over implicit TLS' },
] as const;

/**
 * The well-known mail port `port`, or undefined when it is not one.
 *
 * @example
 * ```ts
 * mailPortInfo(587) // { port: 587, service: 'submission', protocol: 'smtp', tls: 'starttls', ... }
 * mailPortInfo(8443) // undefined
 * ```
 * @public
 */
export function mailPortInfo(port: number): MailPort | undefined {
  return MAIL_PORTS.find((p) => p.port === port);
}
