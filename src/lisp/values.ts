// Questions about runtime values that the evaluator, the built-ins and the config decoder share.
import { printNumber, printValue } from './printer.ts';
import type { SymbolValue, Value } from './types.ts';

export function isSymbolValue(v: Value): v is SymbolValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Falsy: `false`, `nil` and `""`. Everything else (0, empty lists included) is truthy. */
export function truthy(v: Value): boolean {
  return !(v === false || v === null || v === '');
}

/** `nil`, `""` or `()`: what `default` and `empty?` treat as missing. */
export function isEmpty(v: Value): boolean {
  return v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

export type TypeName = 'string' | 'number' | 'bool' | 'nil' | 'list' | 'symbol';

export function typeName(v: Value): TypeName {
  if (v === null) return 'nil';
  if (Array.isArray(v)) return 'list';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'symbol';
  }
}

/** For error messages: the type and a short rendering, e.g. `string "abc"`, `list (1 2)`. */
export function describe(v: Value): string {
  const t = typeName(v);
  if (t === 'nil') return 'nil';
  let text = printValue(v, { maxLength: 60 });
  if (text.length > 60) text = `${text.slice(0, 57)}...`;
  return `${t} ${text}`;
}

/**
 * Text of a value as `concat`, `to-string`, `join` and `format`'s `%s`/`%v` use it: strings
 * as they are, nil as "", numbers and booleans as printed, symbols by name, lists in Lisp
 * notation.
 */
export function display(v: Value, options: { maxLength?: number } = {}): string {
  if (v === null) return '';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return printNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  return Array.isArray(v) ? printValue(v, options) : v.symbol;
}

/** Deep equality over strings, numbers, booleans, nil, symbols and lists. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i]!, b[i]!)) return false;
    return true;
  }
  if (isSymbolValue(a)) return isSymbolValue(b) && a.symbol === b.symbol;
  return false;
}
