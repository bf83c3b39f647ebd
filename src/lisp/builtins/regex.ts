// Regular expressions with RE2 syntax (Go's regexp), matched in linear time by re2js, so no
// pattern can make matching take exponential time. re2js is loaded on first use.
//
// Linear in the input is not cheap: matching costs up to (input length × program size) steps,
// and a 1,000-character pattern can compile to 180,000 instructions (`(?:a?){999}` repeated),
// so one call on 64 KiB took minutes. Both are charged to the work budget before they run:
// compiling, COMPILE_COST per instruction; matching, one unit per character and instruction.
// A restricted evaluation is then bounded in time by its budget (docs/lisp.md).
import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';
import type { Value } from '../types.ts';
import { argError, fn, str } from './registry.ts';
import type { Call } from './registry.ts';

let engine: typeof RE2JSClass | undefined;
const compiled = new Map<string, RE2JSClass>();
const CACHE_SIZE = 256;
/** Work units per program instruction compiled: compiling one takes as long as ~60 matching steps (bench/lisp-restricted.ts). */
export const COMPILE_COST = 64;
const COST_HINT =
  "restricted mode charges a regex its program size (repetition counts multiply it: (?:a?){999} is thousands of instructions) times the input's length; use smaller counts or a shorter input";

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

/** The pattern, compiled and its compilation charged (a cached one too, so the cost does not depend on what ran before). */
function pattern(c: Call): RE2JSClass {
  const re = compile(c);
  c.interp.charge(re.programSize() * COMPILE_COST, `${c.name}: compiling a pattern of ${re.programSize().toLocaleString('en-US')} instructions`, COST_HINT);
  return re;
}

/** The input, its matching charged before it runs. */
function input(c: Call, re: RE2JSClass): string {
  const s = str(c, 1);
  const max = c.interp.limits.maxRegexInputLength;
  if (s.length > max) throw argError(c, 1, `the input is ${s.length} characters, more than the limit of ${max}`);
  c.interp.charge((s.length + 1) * re.programSize(), `${c.name}: matching ${s.length.toLocaleString('en-US')} characters against a pattern of ${re.programSize().toLocaleString('en-US')} instructions`, COST_HINT);
  return s;
}

function match(c: Call): Value {
  const re = pattern(c);
  const m = re.exec(input(c, re));
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
    const re = pattern(c);
    return re.test(input(c, re));
  }),
];
