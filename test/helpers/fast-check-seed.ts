// Loaded into every test process by scripts/test.sh (--import). In CI
// (CI=true) or when MAILPKI_FC_SEED is set, fast-check runs with a fixed seed
// so a CI result is reproducible; local runs draw a fresh seed each time and
// keep exploring (a failure prints its seed and counterexample).
import fc from 'fast-check';

const fixed = process.env.MAILPKI_FC_SEED ?? (process.env.CI ? '20261127' : undefined);
if (fixed !== undefined) fc.configureGlobal({ seed: Number(fixed) });
