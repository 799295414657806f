/** Public API of src/crypto: named re-exports only. */
export {};
