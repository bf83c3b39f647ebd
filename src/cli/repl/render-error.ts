// A LispError as the user sees it: the message, the source line with a caret under the
// place, and the hint.
import type { LispError } from '../../lisp/index.ts';

export interface Source {
  text: string;
  /** Line number of the text's first line in its file (the REPL reads entry by entry). */
  firstLine: number;
}

export function renderLispError(err: LispError, sources: ReadonlyMap<string, Source>, withHint = true): string {
  const lines = [`error: ${err.message}`];
  const pos = err.pos;
  const source = pos ? sources.get(pos.file) : undefined;
  if (pos && source) {
    const line = sourceLine(source.text, pos.line - source.firstLine + 1);
    if (line !== undefined) {
      const gutter = String(pos.line);
      // Tabs stay tabs so the caret lines up under the right character.
      const lead = line.slice(0, pos.col - 1).replace(/[^\t]/g, ' ');
      lines.push(`  ${gutter} | ${line}`, `  ${' '.repeat(gutter.length)} | ${lead}^`);
    }
  }
  if (withHint && err.hint) lines.push(err.hint);
  return lines.join('\n');
}

function sourceLine(text: string, line: number): string | undefined {
  if (line < 1) return undefined;
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  const s = text.slice(start, end < 0 ? undefined : end).replace(/\r$/, '');
  // A minified one-line file would flood the terminal; the position says enough.
  return s.length > 300 ? undefined : s;
}
