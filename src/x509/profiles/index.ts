/** Public API of src/x509/profiles: named re-exports only. */
export type { CertificateProfile, ProfileName, LeafProfileName } from './types.js';
export { ROOT_CA_PROFILE } from './root-ca.js';
export { INTERMEDIATE_CA_PROFILE } from './intermediate-ca.js';
export { TLS_SERVER_PROFILE } from './tls-server.js';
export { TLS_CLIENT_PROFILE } from './tls-client.js';
export { SMIME_PROFILE } from './smime.js';
