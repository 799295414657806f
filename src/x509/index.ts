/** Public API of src/x509: named re-exports only. */
export {};
