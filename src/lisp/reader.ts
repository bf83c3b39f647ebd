// The reader: source text → syntax nodes, each carrying FILE:LINE:COL. It is iterative (an
// explicit stack, not recursion) so that no input, however deep or hostile, can overflow the
// JS stack: it returns nodes or throws a LispError, nothing else.
//
// A node keeps only its offset in the text; its line and column are worked out when `pos` is
// asked for (an error, a duplicate key), from the text's line starts, found once. A position
// object per node was half of the reader's time on a large file (2,000 node pools: 100,000
// nodes), most of it the garbage collector copying them.
import { LispError } from './types.ts';
import type { BoolNode, ListNode, NilNode, Node, NumberNode, Pos, StringNode, SymbolNode } from './types.ts';
import { DEFAULT_LIMITS } from './options.ts';
import { checkSourceSize, tooManyNodes } from './source.ts';
import type { SourceLimits } from './source.ts';

/** Lists nested deeper than this are refused, so evaluating and printing never recurse unboundedly. */
export const MAX_DEPTH = 1000;

export interface ReadOptions {
  /** Line and column where `text` starts in its file (the REPL reads one entry at a time). */
  line?: number;
  col?: number;
  /** Size bounds (default DEFAULT_LIMITS); pass the interpreter's `limits`, which are tighter in restricted mode. */
  limits?: SourceLimits;
}

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?\d+(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+)$/;

const CH_TAB = 9, CH_LF = 10, CH_VT = 11, CH_FF = 12, CH_CR = 13, CH_SPACE = 32;
const CH_QUOTE = 34, CH_LPAREN = 40, CH_RPAREN = 41, CH_SEMI = 59, CH_BACKSLASH = 92;

// A symbol or number runs up to white space, a parenthesis, a quote or a comment.
const ATOM = /[^ \t\n\r\f\v()";]+/y;
const BLANKS = /[ \t\r\f\v]*/y;
const STRING_SPECIAL = /["\\\n]/g;

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v',
};

interface Open {
  /** Where this list's items start in the shared item buffer. */
  start: number;
  /** Offset of the opening parenthesis. */
  at: number;
}

/** Line and column of an offset in a text, from its line starts (found the first time). */
class Lines {
  readonly #file: string;
  readonly #text: string;
  readonly #line: number;
  readonly #col: number;
  #starts: number[] | undefined;
  constructor(file: string, text: string, line: number, col: number) {
    this.#file = file;
    this.#text = text;
    this.#line = line;
    this.#col = col;
  }

  posAt(offset: number): Pos {
    let starts = this.#starts;
    if (!starts) {
      starts = this.#starts = [0];
      for (let i = this.#text.indexOf('\n'); i >= 0; i = this.#text.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    // The last line start at or before the offset.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    // The first line may start at a later column (the REPL reads one entry at a time).
    return { file: this.#file, line: this.#line + lo, col: offset - starts[lo]! + (lo === 0 ? this.#col : 1) };
  }
}

// The nodes the reader makes: each keeps its place as the source's lines and an offset.
abstract class Read {
  readonly #lines: Lines;
  readonly #at: number;
  constructor(lines: Lines, at: number) {
    this.#lines = lines;
    this.#at = at;
  }
  get pos(): Pos {
    return this.#lines.posAt(this.#at);
  }
}
class ReadString extends Read implements StringNode {
  readonly kind = 'string';
  readonly value: string;
  constructor(value: string, lines: Lines, at: number) {
    super(lines, at);
    this.value = value;
  }
}
class ReadNumber extends Read implements NumberNode {
  readonly kind = 'number';
  readonly value: number;
  readonly isFloat: boolean;
  constructor(value: number, isFloat: boolean, lines: Lines, at: number) {
    super(lines, at);
    this.value = value;
    this.isFloat = isFloat;
  }
}
class ReadBool extends Read implements BoolNode {
  readonly kind = 'bool';
  readonly value: boolean;
  constructor(value: boolean, lines: Lines, at: number) {
    super(lines, at);
    this.value = value;
  }
}
class ReadNil extends Read implements NilNode {
  readonly kind = 'nil';
}
class ReadSymbol extends Read implements SymbolNode {
  readonly kind = 'symbol';
  readonly name: string;
  constructor(name: string, lines: Lines, at: number) {
    super(lines, at);
    this.name = name;
  }
}
class ReadList extends Read implements ListNode {
  readonly kind = 'list';
  readonly items: Node[];
  constructor(items: Node[], lines: Lines, at: number) {
    super(lines, at);
    this.items = items;
  }
}

export function read(text: string, file: string, options: ReadOptions = {}): Node[] {
  const limits = options.limits ?? DEFAULT_LIMITS;
  checkSourceSize(text, file, limits);
  let nodes = 0;
  // Items of all open lists live in one buffer; a closed list gets an exact-size copy of its
  // part. (Arrays grown by push reserve room for ~16 more items: most lists have 2 or 3.)
  const items: Node[] = [];
  const stack: Open[] = [];
  const names = new Map<string, string>();
  const n = text.length;
  let i = 0;
  const lines = new Lines(file, text, options.line ?? 1, options.col ?? 1);
  const posAt = (index: number): Pos => lines.posAt(index);

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === CH_LF) {
      i++;
    } else if (c === CH_SPACE || c === CH_TAB || c === CH_CR || c === CH_FF || c === CH_VT) {
      // Runs of blanks (indentation) are skipped by the regex engine, which is fast even before the JIT warms up.
      BLANKS.lastIndex = i + 1;
      i = BLANKS.test(text) ? BLANKS.lastIndex : i + 1;
    } else if (c === CH_SEMI) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
    } else if (c === CH_LPAREN) {
      if (stack.length >= MAX_DEPTH) {
        throw new LispError(`lists are nested deeper than ${MAX_DEPTH} levels`, posAt(i), {
          code: 'syntax',
          hint: 'flatten the structure; no configuration needs this much nesting',
        });
      }
      if (++nodes > limits.maxNodes) throw tooManyNodes(limits, posAt(i));
      stack.push({ start: items.length, at: i });
      i++;
    } else if (c === CH_RPAREN) {
      const open = stack.pop();
      if (!open) {
        throw new LispError(`unexpected ')' with no matching '('`, posAt(i), {
          code: 'syntax',
          hint: `remove this ')', or add the missing '(' before it`,
        });
      }
      const list = new ReadList(items.slice(open.start), lines, open.at);
      items.length = open.start;
      items.push(list);
      i++;
    } else if (c === CH_QUOTE) {
      const startIdx = i;
      if (++nodes > limits.maxNodes) throw tooManyNodes(limits, posAt(i));
      i++;
      let value = '';
      let chunk = i;
      for (;;) {
        // Jump to the next character that needs attention.
        STRING_SPECIAL.lastIndex = i;
        i = STRING_SPECIAL.test(text) ? STRING_SPECIAL.lastIndex - 1 : n;
        if (i >= n) {
          throw new LispError(`unterminated string: no closing '"' before the end of the input`, posAt(startIdx), {
            code: 'incomplete',
            hint: 'add the closing " (a " inside a string is written \\")',
          });
        }
        const d = text.charCodeAt(i);
        if (d === CH_QUOTE) {
          value += text.slice(chunk, i);
          i++;
          break;
        }
        if (d === CH_LF) {
          i++;
        } else if (d === CH_BACKSLASH) {
          value += text.slice(chunk, i);
          const escPos = posAt(i);
          const e = text[i + 1];
          if (e === undefined) {
            throw new LispError(`unterminated string: no closing '"' before the end of the input`, posAt(startIdx), {
              code: 'incomplete',
              hint: 'add the closing " (a " inside a string is written \\")',
            });
          }
          if (e === 'u') {
            const [ch, len] = readUnicodeEscape(text, i, escPos);
            value += ch;
            i += len;
          } else if (Object.hasOwn(SIMPLE_ESCAPES, e)) {
            value += SIMPLE_ESCAPES[e];
            i += 2;
          } else {
            const shown = e.charCodeAt(0) < 32 ? `\\ followed by ${e === '\n' ? 'a line break' : `U+${e.charCodeAt(0).toString(16).padStart(4, '0')}`}` : `'\\${e}'`;
            throw new LispError(`unknown escape ${shown} in string`, escPos, {
              code: 'syntax',
              hint: `write '\\\\' for a backslash (a regex \\d is written "\\\\d"); known escapes: \\n \\t \\r \\" \\\\ \\0 \\a \\b \\f \\v \\uXXXX \\u{X…}`,
            });
          }
          chunk = i;
        } else {
          i++;
        }
      }
      items.push(new ReadString(value, lines, startIdx));
    } else {
      const startIdx = i;
      if (++nodes > limits.maxNodes) throw tooManyNodes(limits, posAt(i));
      ATOM.lastIndex = i;
      i = ATOM.test(text) ? ATOM.lastIndex : i + 1;
      let tok = text.slice(startIdx, i);
      // Symbols repeat (key names): one string per distinct name keeps the tree small.
      const known = names.get(tok);
      if (known === undefined) names.set(tok, tok);
      else tok = known;
      items.push(atom(tok, lines, startIdx));
    }
  }
  if (stack.length > 0) {
    const innermost = stack[stack.length - 1]!;
    const outer = stack.length - 1;
    throw new LispError(`unclosed '(': this list is never closed before the end of the input`, posAt(innermost.at), {
      code: 'incomplete',
      hint:
        outer > 0
          ? `add the missing ')'; ${outer} enclosing list${outer === 1 ? ' is' : 's are'} unclosed too (the outermost opens at line ${posAt(stack[0]!.at).line}, column ${posAt(stack[0]!.at).col})`
          : `add the missing ')'`,
    });
  }
  return items;
}

function readUnicodeEscape(text: string, i: number, pos: Pos): [string, number] {
  // i points at the backslash of \uXXXX or \u{X…}
  const bad = (): never => {
    throw new LispError(`bad unicode escape in string`, pos, {
      code: 'syntax',
      hint: 'write \\u followed by four hex digits (\\u00e9) or \\u{hex} (\\u{1F600})',
    });
  };
  if (text[i + 2] === '{') {
    const close = text.indexOf('}', i + 3);
    if (close < 0 || close - (i + 3) > 6) bad();
    const hex = text.slice(i + 3, close);
    if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) bad();
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) bad();
    return [String.fromCodePoint(cp), close + 1 - i];
  }
  const hex = text.slice(i + 2, i + 6);
  if (!/^[0-9a-fA-F]{4}$/.test(hex)) bad();
  return [String.fromCharCode(parseInt(hex, 16)), 6];
}

function atom(tok: string, lines: Lines, at: number): Node {
  switch (tok) {
    case 'true':
    case '#t':
      return new ReadBool(true, lines, at);
    case 'false':
    case '#f':
      return new ReadBool(false, lines, at);
    case 'nil':
      return new ReadNil(lines, at);
  }
  const c = tok.charCodeAt(0);
  const c1 = tok.length > 1 ? tok.charCodeAt(1) : 0;
  const numeric = (c >= 48 && c <= 57) || ((c === 43 || c === 45) && c1 >= 48 && c1 <= 57);
  if (numeric) {
    if (INT.test(tok)) {
      const value = Number(tok) + 0; // + 0 turns -0 into 0
      if (!Number.isSafeInteger(value)) {
        throw new LispError(`integer ${tok} is too large: integers must lie within ±${Number.MAX_SAFE_INTEGER}`, lines.posAt(at), {
          code: 'syntax',
          hint: `write it as a string: "${tok}"`,
        });
      }
      return new ReadNumber(value, false, lines, at);
    }
    if (FLOAT.test(tok)) {
      const value = Number(tok) + 0;
      if (!Number.isFinite(value)) {
        throw new LispError(`number ${tok} is out of range`, lines.posAt(at), { code: 'syntax', hint: `write it as a string: "${tok}"` });
      }
      return new ReadNumber(value, true, lines, at);
    }
  }
  return new ReadSymbol(tok, lines, at);
}
