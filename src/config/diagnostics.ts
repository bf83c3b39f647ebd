// What is wrong with a configuration, where, and what to do — collected, not thrown one by
// one, so that the user sees every problem of a file at once.
import { excerptLines } from '../lisp/index.ts';
import type { Pos } from '../lisp/index.ts';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  message: string;
  /** Config path in Lisp keys: `node-pools.workers.count`. */
  path?: string;
  pos?: Pos;
  hint?: string;
  /** The source line holds a credential: the location is shown, the line is not. */
  secret?: boolean;
}

/** Collects diagnostics while decoding and validating. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  error(message: string, at: { path?: string; pos?: Pos; hint?: string; secret?: boolean } = {}): void {
    this.items.push({ severity: 'error', message, ...at });
  }

  warning(message: string, at: { path?: string; pos?: Pos; hint?: string } = {}): void {
    this.items.push({ severity: 'warning', message, ...at });
  }

  get errorCount(): number {
    let n = 0;
    for (const d of this.items) if (d.severity === 'error') n++;
    return n;
  }
}

/** Source texts by file name, to quote the offending line under each diagnostic. */
export type Sources = ReadonlyMap<string, string>;

/**
 * `FILE:LINE:COL: error: message`, then the source line (cut to a window around the column
 * when long) and a caret under the column, then the hint.
 */
export function formatDiagnostic(d: Diagnostic, sources: Sources): string {
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}: ` : '';
  const lines = [`${where}${d.severity}: ${d.message}`];
  if (d.pos) {
    const text = sources.get(d.pos.file);
    if (d.secret) lines.push('   (source line not shown: it holds a secret)');
    else if (text !== undefined) lines.push(...excerptLines(text, d.pos.line, d.pos.col));
  }
  if (d.hint) lines.push(`   hint: ${d.hint}`);
  return lines.join('\n');
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], sources: Sources): string {
  return diagnostics.map((d) => formatDiagnostic(d, sources)).join('\n');
}

function sortKey(d: Diagnostic): [string, number, number] {
  return d.pos ? [d.pos.file, d.pos.line, d.pos.col] : ['\uffff', 0, 0];
}

/** In source order; diagnostics without a position last. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const [fa, la, ca] = sortKey(a);
    const [fb, lb, cb] = sortKey(b);
    return fa < fb ? -1 : fa > fb ? 1 : la - lb || ca - cb;
  });
}

/**
 * A configuration that cannot be used. Carries every diagnostic; `display` is the full,
 * formatted report the CLI prints.
 */
export class ConfigError extends Error {
  readonly exitCode = 1;
  readonly diagnostics: Diagnostic[];
  readonly sources: Sources;
  readonly file: string;
  /** `FILE: N errors in the configuration`: the last line of `display`. */
  readonly summary: string;
  constructor(file: string, diagnostics: readonly Diagnostic[], sources: Sources) {
    const sorted = sortDiagnostics(diagnostics);
    const errorList = sorted.filter((d) => d.severity === 'error');
    const errors = errorList.length;
    const count = `${file}: ${errors} ${errors === 1 ? 'error' : 'errors'} in the configuration`;
    // The message names the first error, so that logs and API callers see what is wrong
    // without formatting the whole report.
    const first = errorList[0];
    const firstText = first ? `${first.pos ? `${first.pos.line}:${first.pos.col}: ` : ''}${first.message}` : '';
    super(first ? `${count}: ${firstText}${errors > 1 ? ` (and ${errors - 1} more)` : ''}` : count);
    this.summary = count;
    this.name = 'ConfigError';
    this.file = file;
    this.diagnostics = sorted;
    this.sources = sources;
  }

  get display(): string {
    // One error about the file as a whole (it cannot be read) is the whole report.
    const [only, ...rest] = this.diagnostics;
    if (only && rest.length === 0 && !only.pos) return formatDiagnostics(this.diagnostics, this.sources);
    return `${formatDiagnostics(this.diagnostics, this.sources)}\n${this.summary}`;
  }
}
