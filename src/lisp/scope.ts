// Variable bindings: `let` makes a child scope, `set` binds in the interpreter's globals.
// Variables and `set` globals share one namespace; built-in functions are not variables.
import type { Value } from './types.ts';

export class Scope {
  readonly parent: Scope | undefined;
  private readonly vars = new Map<string, Value>();

  constructor(parent?: Scope) {
    this.parent = parent;
  }

  /** The value bound to `name` here or in an enclosing scope; `undefined` when unbound (nil is `null`). */
  lookup(name: string): Value | undefined {
    const v = this.vars.get(name);
    if (v !== undefined) return v;
    return this.parent?.lookup(name);
  }

  define(name: string, value: Value): void {
    this.vars.set(name, value);
  }

  /** Every bound name, innermost first, each once (for suggestions and the REPL's :vars). */
  names(): string[] {
    const seen = new Set<string>(this.vars.keys());
    for (const k of this.parent?.names() ?? []) seen.add(k);
    return [...seen];
  }

  /** Bindings made in this scope itself, in the order they were first made. */
  entries(): Array<[string, Value]> {
    return [...this.vars.entries()];
  }
}
