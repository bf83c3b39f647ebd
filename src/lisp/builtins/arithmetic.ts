// Arithmetic on JS numbers. Integers stay exact: a result of integer operands outside
// ±2^53-1 is an error rather than a silently rounded number; so is any infinite result.
// Division and mod by zero are errors.
import { LispError } from '../types.ts';
import type { Value } from '../types.ts';
import { argError, argPos, fn, num } from './registry.ts';
import type { Call } from './registry.ts';

function checked(c: Call, result: number, integers: boolean): number {
  if (!Number.isFinite(result)) throw new LispError(`${c.name}: the result is out of range`, c.node.pos);
  if (integers && Number.isInteger(result) && !Number.isSafeInteger(result)) {
    throw new LispError(`${c.name}: integer overflow: the result is beyond ±${Number.MAX_SAFE_INTEGER}`, c.node.pos);
  }
  return result + 0; // no -0
}

function fold(op: (a: number, b: number) => number, unit: number) {
  return (c: Call): Value => {
    let acc = unit;
    let integers = true;
    for (let i = 0; i < c.args.length; i++) {
      const x = num(c, i);
      if (!Number.isInteger(x)) integers = false;
      acc = i === 0 ? x : op(acc, x);
    }
    return checked(c, c.args.length === 0 ? unit : acc, integers);
  };
}

function subtract(c: Call): Value {
  if (c.args.length === 1) return checked(c, -num(c, 0), true);
  return fold((a, b) => a - b, 0)(c);
}

function divide(c: Call): Value {
  let acc = num(c, 0);
  let integers = Number.isInteger(acc);
  for (let i = 1; i < c.args.length; i++) {
    const d = num(c, i);
    if (d === 0) throw new LispError(`/: division by zero`, argPos(c, i));
    if (!Number.isInteger(d)) integers = false;
    acc /= d;
  }
  return checked(c, acc, integers);
}

function mod(c: Call): Value {
  const a = num(c, 0);
  const b = num(c, 1);
  if (b === 0) throw argError(c, 1, 'modulo by zero');
  return checked(c, a % b, Number.isInteger(a) && Number.isInteger(b));
}

export const arithmeticBuiltins = [
  fn('+', [0, Infinity], { usage: '(+ a b …)', summary: 'sum', examples: [['(+ 1 2 3)', '6']] }, fold((a, b) => a + b, 0)),
  fn('-', [1, Infinity], { usage: '(- a b …)', summary: 'a minus the others; (- a) negates', examples: [['(- 10 3)', '7']] }, subtract),
  fn('*', [0, Infinity], { usage: '(* a b …)', summary: 'product', examples: [['(* 2 3 4)', '24']] }, fold((a, b) => a * b, 1)),
  fn(
    '/',
    [2, Infinity],
    { usage: '(/ a b …)', summary: 'a divided by the others: an integer when it divides evenly, else a float', examples: [['(/ 10 2)', '5'], ['(/ 7 2)', '3.5']] },
    divide,
  ),
  fn('mod', [2, 2], { usage: '(mod a b)', summary: 'remainder of a / b, with the sign of a', examples: [['(mod 10 3)', '1']] }, mod),
];
