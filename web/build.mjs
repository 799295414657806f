// `npm run build` (via scripts/build-web.mjs): the offline CSR page -> dist/web/index.html.
// Open that file directly (file://) or put it on any static host.
import { fileURLToPath } from 'node:url';
import { buildPage } from './bundle.mjs';

const outDir = fileURLToPath(new URL('../dist/web/', import.meta.url));
const r = await buildPage({ outDir });
console.log(`web: ${r.file} (${(r.bytes / 1024).toFixed(1)} KB, ${(r.gzipBytes / 1024).toFixed(1)} KB gz)`);
