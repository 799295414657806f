/**
 * mailpki/node: Node.js-only adapters (safe file store, TLS/STARTTLS probe,
 * worker-thread key generation). Named re-exports only.
 * @packageDocumentation
 */
export { writeFilesAtomic, writeFileAtomic, checkWritable, readInputFile, ensureDirectory, FILE_MODES, MAX_INPUT_FILE } from './file-store.js';
export type { FileKind, FileToWrite, WriteFilesOptions, WrittenFile } from './file-store.js';
export { probeTls } from './probe.js';
export type { ProbeOptions, ProbeResult, ProbeFailureCode, ProbeStage } from './probe.js';
export { createKeygenPool, generateKeyPairParallel, type KeygenPool, type KeygenPoolOptions } from './keygen-workers.js';
export { openIssuanceDatabase, defaultIssuanceDatabasePath, encodeIssuanceJournal } from './issuance-db.js';
export type { FileIssuanceDatabase, FileIssuanceDatabaseOptions, IssuanceDatabaseCheck } from './issuance-db.js';
