/** Public API of src/profiles: named re-exports only. */
export {};
