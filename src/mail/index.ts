/** Public API of src/mail: named re-exports only. */
export { MAIL_PORTS, mailPortInfo } from './ports.js';
export type { MailProtocol, TlsMode, MailPort } from './ports.js';
export { INTERMEDIATE_TLS12_CIPHERS } from './tls-profile.js';
export type { TlsProfile } from './tls-profile.js';
export { generatePostfixConfig, DEFAULT_POSTFIX_VERSION } from './postfix.js';
export type { PostfixConfigOptions, PostfixConfig } from './postfix.js';
export { generateDovecotConfig, DEFAULT_DOVECOT_VERSION } from './dovecot.js';
export type { DovecotConfigOptions } from './dovecot.js';
export { tlsaRecord } from './tlsa.js';
export type { TlsaOptions, TlsaRecord } from './tlsa.js';
export { selinuxCommands } from './selinux.js';
export type { SelinuxOptions } from './selinux.js';
export { mailServerFiles, mailRootSubject, DEFAULT_MAIL_FILE_NAMES, MAIL_SERVER_FILE_NAMES } from './mail-server.js';
export type { MailServerFilesOptions, MailServerFileNames, MailServerFile } from './mail-server.js';
