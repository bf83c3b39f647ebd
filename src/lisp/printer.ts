// Values and nodes back to Lisp text. What is printed reads back (src/lisp/reader.ts) as the
// same value: strings are quoted with escapes, integers print plain, other numbers in the
// shortest form that round-trips. Printing is iterative so that no value can overflow the stack.
import type { Node, Value } from './types.ts';

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' };

// Quote, backslash, control characters, DEL, and lone surrogates (which no encoding can carry).
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function printString(s: string): string {
  return `"${s.replace(NEEDS_ESCAPE, (ch) => ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

export function printNumber(n: number): string {
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return n.toExponential(); // `1e+21`, reads back as the same float
  return String(n + 0); // + 0: -0 prints as 0
}

function printScalar(v: Exclude<Value, Value[]>): string {
  if (v === null) return 'nil';
  switch (typeof v) {
    case 'string':
      return printString(v);
    case 'number':
      return printNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return v.symbol;
  }
}

/**
 * Lisp notation: `"text"`, `42`, `2.5`, `true`, `nil`, `(1 "a" (b))`. With `maxLength`, stops
 * once the text is longer and returns it cut there with `...` (a list may include the same
 * big list many times: its text can be far larger than the memory it takes).
 */
export function printValue(v: Value, options: { maxLength?: number } = {}): string {
  const maxLength = options.maxLength ?? Infinity;
  if (!Array.isArray(v)) return printScalar(v);
  let out = '';
  const stack: Array<{ list: Value[]; i: number }> = [{ list: v, i: 0 }];
  out += '(';
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i >= top.list.length) {
      out += ')';
      stack.pop();
      continue;
    }
    if (out.length > maxLength) return `${out.slice(0, maxLength)}...`;
    if (top.i > 0) out += ' ';
    const item = top.list[top.i++]!;
    if (Array.isArray(item)) {
      out += '(';
      stack.push({ list: item, i: 0 });
    } else {
      out += printScalar(item);
    }
  }
  return out;
}

/** A syntax node as source text on one line (literals as written, lists in parentheses). */
export function printNode(node: Node): string {
  switch (node.kind) {
    case 'string':
      return printString(node.value);
    case 'number':
      return node.isFloat && Number.isInteger(node.value) && Number.isSafeInteger(node.value)
        ? `${node.value}.0`
        : printNumber(node.value);
    case 'bool':
      return node.value ? 'true' : 'false';
    case 'nil':
      return 'nil';
    case 'symbol':
      return node.name;
    case 'list':
      return `(${node.items.map(printNode).join(' ')})`;
  }
}
