// Types for scripts/bundle-size.mjs (used by test/unit/bundle-size.test.ts).
export interface BundleEntry {
  name: string;
  title: string;
  exports: string[] | '*';
  budget: number;
  forbidden: string[];
}
export interface BundleResult {
  name: string;
  title: string;
  budget: number;
  from: 'package' | 'src';
  error?: string;
  minBytes: number;
  gzipBytes: number;
  overBudget: boolean;
  forbiddenHits: string[];
  usesSubtle: boolean;
  packages: Array<{ name: string; bytes: number }>;
  inputs: Array<{ path: string; bytes: number }>;
}
export const ROOT: string;
export const ENTRIES: BundleEntry[];
export function measureEntry(entry: BundleEntry, opts?: { from?: 'package' | 'src'; root?: string }): Promise<BundleResult>;
export function measureAll(opts?: { from?: 'package' | 'src'; root?: string }): Promise<BundleResult[]>;
export function problems(r: BundleResult): string[];
export function kb(n: number): string;
export function formatReport(results: BundleResult[]): string;
