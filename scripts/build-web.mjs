// Builds the offline CSR page (web/) into dist/web/. Filled in by the browser work;
// until then there is nothing to build.
import { existsSync } from 'node:fs';
if (existsSync(new URL('../web/build.mjs', import.meta.url))) {
  await import('../web/build.mjs');
}
