/** Public API of src/mail: named re-exports only. */
export {};
