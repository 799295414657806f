/**
 * mailpki/node: Node.js-only adapters (safe file store, TLS/STARTTLS probe,
 * worker-thread key generation). Named re-exports only.
 * @packageDocumentation
 */
export {};
