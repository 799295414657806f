import { readFileSync } from 'node:fs';

/**
 * The package version, read from package.json at run time. Both
 * src/cli/version.ts (tsx) and dist/cli/bin.js (the bundle) sit two levels
 * below the package root, so the same relative URL works for both.
 */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'mailpki' && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // fall through
  }
  return 'unknown';
}
