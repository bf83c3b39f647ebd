// The source line under an error, with a caret under the column. A line longer than the
// window (a minified or generated one-line file) is cut to a window around the column, so an
// error never echoes megabytes of source. Used by every renderer of positioned errors.

/** Characters of a long line shown around the column. */
export const EXCERPT_WIDTH = 100;
/** Of those, how many come before the column. */
const BEFORE = 40;

/**
 * `N | text` and `  | ^` for line `line` (1-based, counted from `firstLine`) at `col`, each
 * line starting with `indent`; tabs stay tabs so the caret lines up. Empty when `text` has no
 * such line.
 */
export function excerptLines(text: string, line: number, col: number, opts: { indent?: string; firstLine?: number } = {}): string[] {
  const wanted = line - (opts.firstLine ?? 1) + 1;
  if (wanted < 1) return [];
  let start = 0;
  for (let i = 1; i < wanted; i++) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return [];
    start = nl + 1;
  }
  const nl = text.indexOf('\n', start);
  const full = text.slice(start, nl < 0 ? undefined : nl).replace(/\r$/, '');
  const at = Math.max(0, col - 1);
  let from = 0;
  let to = full.length;
  if (full.length > EXCERPT_WIDTH) {
    from = Math.max(0, Math.min(at - BEFORE, full.length - EXCERPT_WIDTH));
    to = Math.min(full.length, from + EXCERPT_WIDTH);
  }
  const head = from > 0 ? '…' : '';
  const shown = `${head}${full.slice(from, to)}${to < full.length ? '…' : ''}`;
  const lead = `${head ? ' ' : ''}${full.slice(from, Math.min(at, to)).replace(/[^\t]/g, ' ')}`;
  const gutter = String(line);
  const indent = opts.indent ?? ' ';
  return [`${indent}${gutter} | ${shown}`, `${indent}${' '.repeat(gutter.length)} | ${lead}^`];
}
