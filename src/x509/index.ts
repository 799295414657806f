/** Public API of src/x509: named re-exports only. */
export {};
export { matchesHost, matchesEmail } from './hostname.js';
export { checkNameConstraints, type NameConstraintViolation } from './name-constraints.js';
