// Every built-in, by name, with the group it is documented under (docs/lisp.md follows
// the same order).
import { arithmeticBuiltins } from './arithmetic.ts';
import { compareBuiltins } from './compare.ts';
import { controlBuiltins } from './control.ts';
import { encodingBuiltins } from './encoding.ts';
import { envBuiltins } from './env.ts';
import { fileBuiltins } from './files.ts';
import { listBuiltins } from './lists.ts';
import { typeBuiltins } from './predicates.ts';
import { randomBuiltins } from './random.ts';
import { regexBuiltins } from './regex.ts';
import type { Builtin } from './registry.ts';
import { stringBuiltins } from './strings.ts';
import { systemBuiltins } from './system.ts';
import { timeBuiltins } from './time.ts';
import { variableBuiltins } from './variables.ts';

const GROUPS: Array<[group: string, builtins: Array<Omit<Builtin, 'group'>>]> = [
  ['Environment variables', envBuiltins],
  ['Strings', stringBuiltins],
  ['Control flow', controlBuiltins],
  ['Comparison', compareBuiltins],
  ['Arithmetic', arithmeticBuiltins],
  ['Encoding and hashing', encodingBuiltins],
  ['UUID and random', randomBuiltins],
  ['Time and date', timeBuiltins],
  ['System', systemBuiltins],
  ['Files', fileBuiltins],
  ['Variables', variableBuiltins],
  ['Lists', listBuiltins],
  ['Type checks and conversion', typeBuiltins],
  ['Regular expressions', regexBuiltins],
];

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map(
  GROUPS.flatMap(([group, list]) => list.map((b) => [b.name, { ...b, group } as Builtin] as const)),
);
