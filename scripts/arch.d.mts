// Types for scripts/arch.mjs, so test/unit/architecture.test.ts can use it under strict TypeScript.
export interface Layer {
  name: string;
  patterns: string[];
}
export interface UpwardImport {
  from: string;
  to: string;
  fromLayer: string;
  toLayer: string;
}
export interface Report {
  directories: Record<string, { files: number; lines: number }>;
  total: { files: number; lines: number };
  workers: { files: number; lines: number };
  unlayered: string[];
  upward: UpwardImport[];
  cycles: string[][];
  optionalMembers: string[];
  optionalCalls: string[];
  /** Shared code asking which mode or runtime it runs in (REDIS_URL, shared/uncached flags, runtime globals). */
  modeChecks: string[];
}
export const LAYERS: Layer[];
export const WORKERS_PATTERNS: string[];
export const PORT_NAMES: string[];
export function layerOf(file: string, layers?: Layer[]): number;
export function importsOf(text: string, fileName?: string): { found: string[] };
export function upwardImports(edges: Map<string, Set<string>>, layers?: Layer[]): UpwardImport[];
export function cycles(edges: Map<string, Set<string>>): string[][];
export function analyse(root: string, layers?: Layer[]): Report;
