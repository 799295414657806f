/** Public API of src/keys: named re-exports only. */
export {};
