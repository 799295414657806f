// Types for web/bundle.mjs (used by test/browser/csr-page.test.ts).
export function buildPage(options: { outDir: string; entry?: string; fileName?: string; minify?: boolean }): Promise<{
  file: string;
  bytes: number;
  gzipBytes: number;
  scriptBytes: number;
}>;
