import { defineConfig } from 'tsup';

// Library entries get declarations (bundled .d.ts, read by api-extractor);
// the CLI is an executable only.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' },
    format: ['esm'],
    platform: 'neutral',
    target: 'es2022',
    dts: true,
    splitting: true,
    treeshake: true,
    clean: true,
    sourcemap: false,
    outDir: 'dist',
    external: [/^node:/],
  },
  {
    entry: { 'cli/bin': 'src/cli/bin.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    splitting: false,
    treeshake: true,
    clean: false,
    outDir: 'dist',
  },
]);
