/**
 * mailpki/node: Node.js-only adapters (safe file store, TLS/STARTTLS probe,
 * worker-thread key generation). Named re-exports only.
 * @packageDocumentation
 */
export {
  writeFilesAtomic,
  writeFileAtomic,
  checkWritable,
  checkOutputDirectory,
  readInputFile,
  ensureDirectory,
  lockDirectory,
  removeStaleTempFiles,
  FILE_MODES,
  MAX_INPUT_FILE,
  INPUT_WAIT_MS,
  LOCK_FILE_NAME,
} from './file-store.js';
export type { FileKind, FileToWrite, WriteFilesOptions, WrittenFile, DirectoryLock } from './file-store.js';
export { probeTls, PROBE_DEFAULT_TIMEOUT_MS, PROBE_MIN_IDLE_MS } from './probe.js';
export type { ProbeOptions, ProbeResult, ProbeFailureCode, ProbeStage } from './probe.js';
export { createKeygenPool, generateKeyPairParallel, type KeygenPool, type KeygenPoolOptions } from './keygen-workers.js';
export { openIssuanceDatabase, defaultIssuanceDatabasePath, encodeIssuanceJournal } from './issuance-db.js';
export type { FileIssuanceDatabase, FileIssuanceDatabaseOptions, IssuanceDatabaseCheck } from './issuance-db.js';
