// Helpers for tests of the configuration layer (and of layers that start from a config).
import { ConfigError, type Diagnostic } from './diagnostics.ts';
import { loadConfigText, type LoadedConfig, type LoadOptions } from './load.ts';

/** A small valid configuration; tests add or replace sections with `withSections`. */
export const BASE_SECTIONS: Record<string, string> = {
  metadata: '(metadata (name "test"))',
  providers: '(providers (aws (region "us-east-1")))',
  'node-pools': '(node-pools (masters (count 1) (size "t3.medium")) (workers (count 2) (size "t3.large")))',
};

/** `(cluster …)` text from the base sections, with some replaced (value null: removed) or added. */
export function withSections(overrides: Record<string, string | null> = {}): string {
  const sections = { ...BASE_SECTIONS, ...overrides };
  const body = Object.values(sections)
    .filter((s): s is string => s !== null)
    .map((s) => `  ${s}`)
    .join('\n');
  return `(cluster\n${body})\n`;
}

export function load(text: string, options: Partial<LoadOptions> = {}): LoadedConfig {
  return loadConfigText(text, 'test.lisp', { env: {}, ...options });
}

/** The diagnostics loading `text` fails with (empty when it loads). */
export function diagnosticsOf(text: string, options: Partial<LoadOptions> = {}): Diagnostic[] {
  try {
    load(text, options);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.diagnostics.filter((d) => d.severity === 'error');
    throw err;
  }
}

export function errorsOf(text: string, options: Partial<LoadOptions> = {}): string[] {
  return diagnosticsOf(text, options).map((d) => d.message);
}
