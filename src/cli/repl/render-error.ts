// A LispError as the user sees it: the message, the source line (cut to a window around the
// column when long) with a caret under the place, and the hint.
import { excerptLines } from '../../lisp/index.ts';
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
  if (pos && source) lines.push(...excerptLines(source.text, pos.line, pos.col, { indent: '  ', firstLine: source.firstLine }));
  if (withHint && err.hint) lines.push(err.hint);
  return lines.join('\n');
}
