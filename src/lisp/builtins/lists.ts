// Lists. nil counts as the empty list where a list is expected.
import type { Value } from '../types.ts';
import { argError, checkListLength, fn, int, list, typeError } from './registry.ts';
import type { Call } from './registry.ts';

function nth(c: Call): Value {
  const items = list(c, 0);
  const n = int(c, 1);
  if (n < 0 || n >= items.length) throw argError(c, 1, `index ${n} is out of range for a list of length ${items.length}`);
  return items[n]!;
}

function len(c: Call): Value {
  const v = c.args[0]!;
  if (v === null) return 0;
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'string') {
    let n = 0;
    for (const _ of v) n++;
    return n;
  }
  throw typeError(c, 0, 'a list or a string');
}

function append(c: Call): Value {
  let total = 0;
  for (const v of c.args) total += Array.isArray(v) ? v.length : v === null ? 0 : 1;
  checkListLength(c, total);
  const out: Value[] = [];
  for (const v of c.args) {
    if (Array.isArray(v)) for (const x of v) out.push(x);
    else if (v !== null) out.push(v);
  }
  return out;
}

function range(c: Call): Value {
  const [start, end, step] =
    c.args.length === 1 ? [0, int(c, 0), 1] : [int(c, 0), int(c, 1), c.args.length > 2 ? int(c, 2) : 1];
  if (step === 0) throw argError(c, 2, 'step must not be 0');
  const count = Math.max(0, Math.ceil((end - start) / step));
  checkListLength(c, count);
  const out: number[] = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = start + i * step;
  return out;
}

export const listBuiltins = [
  fn('list', [0, Infinity], { usage: '(list a b …)', summary: 'a list of the arguments', examples: [['(list 1 2 3)', '(1 2 3)']] }, (c) => {
    checkListLength(c, c.args.length);
    return c.args.slice();
  }),
  fn('first', [1, 1], { usage: '(first lst)', summary: 'the first element (nil for an empty list)', examples: [['(first (list 1 2 3))', '1']] }, (c) => list(c, 0)[0] ?? null),
  fn('rest', [1, 1], { usage: '(rest lst)', summary: 'all elements but the first', examples: [['(rest (list 1 2 3))', '(2 3)']] }, (c) => list(c, 0).slice(1)),
  fn('nth', [2, 2], { usage: '(nth lst n)', summary: 'the element at index n, counted from 0 (an error when out of range)', examples: [['(nth (list "a" "b") 1)', '"b"']] }, nth),
  fn('len', [1, 1], { usage: '(len x)', summary: 'the number of elements of a list, or characters of a string', examples: [['(len (list 1 2 3))', '3']] }, len),
  fn(
    'append',
    [0, Infinity],
    { usage: '(append a b …)', summary: 'the lists joined; a non-list argument is added as one element, nil adds nothing', examples: [['(append (list 1) (list 2))', '(1 2)']] },
    append,
  ),
  fn(
    'range',
    [1, 3],
    { usage: '(range n) | (range start end [step])', summary: 'the integers 0…n-1, or start up to (not including) end by step', examples: [['(range 5)', '(0 1 2 3 4)'], ['(range 2 10 3)', '(2 5 8)']] },
    range,
  ),
];
