// Core data of the Lisp language: source positions, syntax nodes, runtime values, errors.
// This file is the contract between the language (src/lisp/) and its users (src/config/,
// the CLI). Keep it small and stable.

/** A place in a source file; line and col are 1-based, col counts UTF-16 code units. */
export interface Pos {
  file: string;
  line: number;
  col: number;
}

export type Node = StringNode | NumberNode | BoolNode | NilNode | SymbolNode | ListNode;

export interface StringNode {
  kind: 'string';
  value: string;
  pos: Pos;
}
/** Integers and floats; `isFloat` records how the literal was written (`1.0` vs `1`). */
export interface NumberNode {
  kind: 'number';
  value: number;
  isFloat: boolean;
  pos: Pos;
}
export interface BoolNode {
  kind: 'bool';
  value: boolean;
  pos: Pos;
}
export interface NilNode {
  kind: 'nil';
  pos: Pos;
}
export interface SymbolNode {
  kind: 'symbol';
  name: string;
  pos: Pos;
}
/** Anything with a place in a source. A node the reader made works its line and column out when asked. */
export interface Located {
  readonly pos: Pos;
}

export interface ListNode {
  kind: 'list';
  items: Node[];
  /** Position of the opening parenthesis. */
  pos: Pos;
}

/**
 * Runtime values. Numbers are JS numbers (an integer value is an int). Lists are arrays.
 * `nil` is null. Symbols only appear as values where a built-in returns unevaluated data.
 */
export type Value = string | number | boolean | null | Value[] | SymbolValue;

export interface SymbolValue {
  symbol: string;
}

/**
 * Why a text could not be read. `incomplete` means more input could complete it (an open
 * parenthesis or string at the end): the REPL keeps reading lines instead of reporting it.
 * `limit`: the source is larger than its limits allow (source.ts).
 */
export type LispErrorCode = 'incomplete' | 'syntax' | 'eval' | 'restricted' | 'limit';

/**
 * An error in a Lisp source or evaluation, pointing at the offending place. `message` starts
 * with `FILE:LINE:COL: ` when the place is known; `reason` is the message without it.
 */
export class LispError extends Error {
  readonly pos: Pos | undefined;
  readonly exitCode = 1;
  readonly reason: string;
  readonly hint: string | undefined;
  readonly code: LispErrorCode;
  constructor(message: string, pos?: Pos, options: { hint?: string; code?: LispErrorCode } = {}) {
    super(pos ? `${formatPos(pos)}: ${message}` : message);
    this.name = 'LispError';
    this.pos = pos;
    this.reason = message;
    this.hint = options.hint;
    this.code = options.code ?? 'eval';
  }
}

export function formatPos(pos: Pos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}
