// Type checks and conversions.
import type { Value } from '../types.ts';
import { display, isEmpty } from '../values.ts';
import { argError, checkString, fn, typeError } from './registry.ts';
import type { Call } from './registry.ts';

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 'True', 'TRUE', 't', 'T', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', 'f', 'F', '0', '']);

function toInt(c: Call): Value {
  const v = c.args[0]!;
  if (typeof v === 'number') return Math.trunc(v) + 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const s = v.trim();
    if (!NUMBER.test(s)) throw argError(c, 0, `cannot convert "${v}" to an integer`, 'expected decimal digits, e.g. "42" (a fraction is cut off: "3.7" gives 3)');
    const n = Math.trunc(Number(s)) + 0;
    if (!Number.isSafeInteger(n)) throw argError(c, 0, `"${v}" is beyond the integer range ±${Number.MAX_SAFE_INTEGER}`);
    return n;
  }
  throw typeError(c, 0, 'a number, a string of digits or a bool');
}

function toBool(c: Call): Value {
  const v = c.args[0]!;
  if (typeof v === 'boolean') return v;
  if (v === null) return false;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') {
    const s = v.trim();
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
    throw argError(c, 0, `cannot convert "${v}" to a bool`, 'expected true/false, t/f, 1/0 (any case), or ""');
  }
  throw typeError(c, 0, 'a bool, a number, a string or nil');
}

export const typeBuiltins = [
  fn('string?', [1, 1], { usage: '(string? x)', summary: 'true for a string', examples: [['(string? "hello")', 'true']] }, (c) => typeof c.args[0] === 'string'),
  fn('number?', [1, 1], { usage: '(number? x)', summary: 'true for a number', examples: [['(number? 42)', 'true']] }, (c) => typeof c.args[0] === 'number'),
  fn('bool?', [1, 1], { usage: '(bool? x)', summary: 'true for true or false', examples: [['(bool? true)', 'true']] }, (c) => typeof c.args[0] === 'boolean'),
  fn('list?', [1, 1], { usage: '(list? x)', summary: 'true for a list (nil is not a list)', examples: [['(list? (list 1))', 'true']] }, (c) => Array.isArray(c.args[0])),
  fn('nil?', [1, 1], { usage: '(nil? x)', summary: 'true for nil', examples: [['(nil? nil)', 'true']] }, (c) => c.args[0] === null),
  fn('empty?', [1, 1], { usage: '(empty? x)', summary: 'true for nil, "" and ()', examples: [['(empty? "")', 'true']] }, (c) => isEmpty(c.args[0]!)),
  fn('to-string', [1, 1], { usage: '(to-string x)', summary: 'the text of x (nil gives "", lists their Lisp notation)', examples: [['(to-string 42)', '"42"']] }, (c) =>
    checkString(c, display(c.args[0]!, { maxLength: c.interp.limits.maxStringLength })),
  ),
  fn('to-int', [1, 1], { usage: '(to-int x)', summary: 'an integer from a number (cut toward zero), a string of digits, or a bool (1/0)', examples: [['(to-int "42")', '42']] }, toInt),
  fn('to-bool', [1, 1], { usage: '(to-bool x)', summary: 'a bool from a string (true/false, t/f, 1/0, ""), a number (non-zero) or nil (false)', examples: [['(to-bool "true")', 'true']] }, toBool),
];
