// Regular expressions with RE2 syntax (Go's regexp), matched in linear time by re2js, so no
// pattern can make matching take exponential time. re2js is loaded on first use.
import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';
import type { Value } from '../types.ts';
import { argError, fn, str } from './registry.ts';
import type { Call } from './registry.ts';

let engine: typeof RE2JSClass | undefined;
const compiled = new Map<string, RE2JSClass>();
const CACHE_SIZE = 256;

function compile(c: Call): RE2JSClass {
  const pattern = str(c, 0);
  const limits = c.interp.limits;
  if (pattern.length > limits.maxRegexPatternLength) {
    throw argError(c, 0, `the pattern is ${pattern.length} characters, more than the limit of ${limits.maxRegexPatternLength}`);
  }
  let re = compiled.get(pattern);
  if (re) return re;
  engine ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JSClass }).RE2JS;
  try {
    re = engine.compile(pattern);
  } catch (err) {
    const detail = (err as { getDescription?: () => string }).getDescription?.() ?? (err as Error).message;
    throw argError(c, 0, `bad regular expression: ${detail}`, 'patterns use RE2 syntax (as Go): no backreferences or look-around; write a backslash in a string as \\\\');
  }
  if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
  compiled.set(pattern, re);
  return re;
}

function input(c: Call): string {
  const s = str(c, 1);
  const max = c.interp.limits.maxRegexInputLength;
  if (s.length > max) throw argError(c, 1, `the input is ${s.length} characters, more than the limit of ${max}`);
  // Matching costs more per character than most built-ins: weigh it in the work budget.
  c.interp.charge(s.length * 10);
  return s;
}

function match(c: Call): Value {
  const re = compile(c);
  const m = re.exec(input(c));
  if (!m) return null;
  return Array.from(m, (g: unknown) => (typeof g === 'string' ? g : null));
}

export const regexBuiltins = [
  fn(
    'match',
    [2, 2],
    { usage: '(match pattern str)', summary: 'the first match and its groups (nil for a group that did not take part), or nil', examples: [['(match "v([0-9]+)" "v123")', '("v123" "123")']] },
    match,
  ),
  fn('match?', [2, 2], { usage: '(match? pattern str)', summary: 'true when pattern matches somewhere in str', examples: [['(match? "^prod" "production")', 'true']] }, (c) => {
    const re = compile(c);
    return re.test(input(c));
  }),
];
