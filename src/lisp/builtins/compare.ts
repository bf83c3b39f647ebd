// Comparison. `eq`/`=`/`!=` compare deeply and never fail; `<` `>` `<=` `>=` order numbers,
// or strings lexically, and refuse to compare anything else.
import type { Value } from '../types.ts';
import { describe, valuesEqual } from '../values.ts';
import { argError, fn } from './registry.ts';
import type { Call } from './registry.ts';

function allEqual(c: Call): Value {
  const first = c.args[0]!;
  for (let i = 1; i < c.args.length; i++) if (!valuesEqual(first, c.args[i]!)) return false;
  return true;
}

function ordered(test: (cmp: number) => boolean) {
  return (c: Call): Value => {
    const args = c.args;
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!;
      if (typeof v !== 'number' && typeof v !== 'string') {
        throw argError(c, i, `can only compare numbers or strings, got ${describe(v)}`);
      }
      if (i > 0 && typeof v !== typeof args[0]) {
        throw argError(c, i, `cannot compare ${describe(args[0]!)} with ${describe(v)}`, 'both sides must be numbers, or both strings; convert with to-int or to-string');
      }
    }
    for (let i = 1; i < args.length; i++) {
      const a = args[i - 1] as number | string;
      const b = args[i] as number | string;
      if (!test(a < b ? -1 : a > b ? 1 : 0)) return false;
    }
    return true;
  };
}

const eqDoc = {
  usage: '(eq a b …)',
  summary: 'true when all arguments are equal (deeply: strings, numbers, bools, nil, lists)',
  examples: [['(eq (env "ENV") "prod")', 'true'], ['(eq (list 1 "a") (list 1 "a"))', 'true']] as Array<[string, string]>,
};

export const compareBuiltins = [
  fn('eq', [2, Infinity], eqDoc, allEqual),
  fn('=', [2, Infinity], { ...eqDoc, usage: '(= a b …)', summary: 'another name for eq', examples: [['(= 1 1)', 'true']] }, allEqual),
  fn('!=', [2, 2], { usage: '(!= a b)', summary: 'true when a and b differ', examples: [['(!= (env "ENV") "dev")', 'true']] }, (c) => !valuesEqual(c.args[0]!, c.args[1]!)),
  fn('<', [2, Infinity], { usage: '(< a b …)', summary: 'less than (numbers, or strings lexically); chained', examples: [['(< count 10)', 'true']] }, ordered((x) => x < 0)),
  fn('>', [2, Infinity], { usage: '(> a b …)', summary: 'greater than', examples: [['(> count 0)', 'true']] }, ordered((x) => x > 0)),
  fn('<=', [2, Infinity], { usage: '(<= a b …)', summary: 'less than or equal', examples: [['(<= count 100)', 'true']] }, ordered((x) => x <= 0)),
  fn('>=', [2, Infinity], { usage: '(>= a b …)', summary: 'greater than or equal', examples: [['(>= count 3)', 'true']] }, ordered((x) => x >= 0)),
];
