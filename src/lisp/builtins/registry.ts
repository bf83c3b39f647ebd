// How a built-in is declared, and the helpers built-ins use to check their arguments. An
// error thrown without a position gets the call's position from the interpreter.
import { LispError } from '../types.ts';
import type { ListNode, Node, Pos, Value } from '../types.ts';
import { describe, isSymbolValue } from '../values.ts';
import type { Interpreter, Mode, SectionEntry } from '../interpreter.ts';
import type { Scope } from '../scope.ts';

export interface Doc {
  /** `(substring str start [end])` */
  usage: string;
  summary: string;
  /** `(substring "hello" 0 2)` → `"he"` — the seed's examples, pinned by tests. */
  examples: Array<[expr: string, result: string]>;
  group: string;
}

/** The arguments of one call, already evaluated. */
export interface Call {
  readonly interp: Interpreter;
  readonly node: ListNode;
  readonly name: string;
  readonly args: Value[];
  readonly scope: Scope;
}

export interface FunctionBuiltin extends Doc {
  kind: 'function';
  name: string;
  min: number;
  max: number;
  call(c: Call): Value;
}

/** Special forms get their arguments unevaluated (`if`, `let`, `set`, …). */
export interface SpecialBuiltin extends Doc {
  kind: 'special';
  name: string;
  eval(node: ListNode, scope: Scope, interp: Interpreter): Value;
  /** Branching forms (`if`, `when`, `unless`, `cond`, `let`): choose bodies lazily, in any mode. */
  expand?<T>(node: ListNode, scope: Scope, interp: Interpreter, mode: Mode<T>): T;
  /** Other special forms' meaning in key position (`and`, `or`, `default`, `set`). */
  section?(node: ListNode, scope: Scope, interp: Interpreter, mode: Mode<SectionEntry[]>): SectionEntry[];
}

export type Builtin = FunctionBuiltin | SpecialBuiltin;

export function fn(
  name: string,
  arity: [min: number, max: number],
  doc: Omit<Doc, 'group'>,
  call: (c: Call) => Value,
): Omit<FunctionBuiltin, 'group'> {
  return { kind: 'function', name, min: arity[0], max: arity[1], ...doc, call };
}

export function argNode(c: Call, i: number): Node {
  return c.node.items[i + 1] ?? c.node;
}

export function argPos(c: Call, i: number): Pos {
  return argNode(c, i).pos;
}

export function typeError(c: Call, i: number, expected: string): LispError {
  return new LispError(`${c.name}: argument ${i + 1} must be ${expected}, got ${describe(c.args[i] ?? null)}`, argPos(c, i), {
    hint: usageHint(c),
  });
}

export function argError(c: Call, i: number, message: string, hint?: string): LispError {
  return new LispError(`${c.name}: ${message}`, argPos(c, i), { hint: hint ?? usageHint(c) });
}

function usageHint(c: Call): string | undefined {
  const usage = c.interp.builtin(c.name)?.usage;
  return usage ? `usage: ${usage}` : undefined;
}

export function str(c: Call, i: number): string {
  const v = c.args[i];
  if (typeof v !== 'string') throw typeError(c, i, 'a string');
  return v;
}

export function num(c: Call, i: number): number {
  const v = c.args[i];
  if (typeof v !== 'number') throw typeError(c, i, 'a number');
  return v;
}

export function int(c: Call, i: number): number {
  const v = c.args[i];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(c, i, 'an integer');
  return v;
}

export function nonNegativeInt(c: Call, i: number): number {
  const v = int(c, i);
  if (v < 0) throw argError(c, i, `argument ${i + 1} must not be negative, got ${v}`);
  return v;
}

/** A list argument; nil counts as the empty list. */
export function list(c: Call, i: number): Value[] {
  const v = c.args[i];
  if (v === null) return [];
  if (!Array.isArray(v)) throw typeError(c, i, 'a list');
  return v;
}

/** A string, number, bool, symbol or nil: something with a plain text form. */
export function scalar(c: Call, i: number): Value {
  const v = c.args[i]!;
  if (Array.isArray(v)) throw typeError(c, i, 'a string, number, bool or nil (not a list)');
  return v;
}

/** Checks a produced string against the interpreter's size bound. */
export function checkString(c: Call, s: string): string {
  if (s.length > c.interp.limits.maxStringLength) throw stringTooLong(c);
  return s;
}

export function stringTooLong(c: Call): LispError {
  return new LispError(`${c.name}: the result would be longer than ${c.interp.limits.maxStringLength} characters`, c.node.pos);
}

export function checkListLength(c: Call, length: number): void {
  const max = c.interp.limits.maxListLength;
  if (length > max) throw new LispError(`${c.name}: result would have ${length} elements, more than the limit of ${max}`, c.node.pos);
}

export function isName(v: Value): v is string | { symbol: string } {
  return typeof v === 'string' || isSymbolValue(v);
}
