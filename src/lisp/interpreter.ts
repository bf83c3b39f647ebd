// The evaluator. Three ways to look at a list:
//  - value position (`evalValue`): a list headed by a built-in is a call;
//  - key position inside a section (`expandSection`): a list headed by a key of that section
//    is that key, a built-in call there is evaluated and the section(s) it yields are spliced;
//  - top-level data (`evalProgram`): a form headed by a name that is no built-in, like
//    `(cluster …)`, is data whose values are evaluated (the config decoder replaces this
//    schema-less view with its schema).
import { BUILTINS } from './builtins/index.ts';
import type { Builtin } from './builtins/registry.ts';
import { limitsOf, systemHooks } from './options.ts';
import type { EvalOptions, Limits, SystemHooks } from './options.ts';
import { Restrictions } from './restrictions.ts';
import { Scope } from './scope.ts';
import { suggestionText } from './suggest.ts';
import { LispError } from './types.ts';
import type { ListNode, Node, Pos, SymbolNode, Value } from './types.ts';
import { describe, isSymbolValue } from './values.ts';

/** One entry of a section: a node standing where a key stands, and the scope its values see. */
export interface SectionEntry {
  node: Node;
  scope: Scope;
}

/**
 * How branch bodies chosen by `if`/`when`/`unless`/`cond`/`let` are used: as a value (the
 * last body), as section entries, or as data items.
 */
export interface Mode<T> {
  kind: 'value' | 'section' | 'data';
  body(nodes: readonly Node[], scope: Scope): T;
  none(): T;
  value(v: Value, at: Node): T;
}

/** A top-level data form handler (see evalProgram). */
export type DataFormEvaluator = (node: ListNode, scope: Scope, interp: Interpreter) => Value;

export class Interpreter {
  readonly globals: Scope = new Scope();
  readonly limits: Readonly<Limits>;
  readonly restrictions: Restrictions;
  readonly system: SystemHooks;
  readonly env: Record<string, string | undefined>;
  readonly baseDir: string;
  readonly valueMode: Mode<Value>;
  private readonly dataMode: Mode<Value[]>;
  /** Metering (restricted mode): remaining work, and the sizes of lists already measured. */
  private readonly metered: boolean;
  private workLeft: number;
  private readonly sizes = new WeakMap<Value[], number>();

  constructor(options: EvalOptions) {
    this.env = options.env;
    this.baseDir = options.baseDir;
    this.restrictions = new Restrictions(options.restricted?.allow);
    this.limits = limitsOf(options);
    this.system = systemHooks(options);
    this.metered = Number.isFinite(this.limits.maxWork) || Number.isFinite(this.limits.maxValueSize);
    this.workLeft = this.limits.maxWork;
    this.valueMode = {
      kind: 'value',
      body: (nodes, scope) => {
        let last: Value = null;
        for (const n of nodes) last = this.evalValue(n, scope);
        return last;
      },
      none: () => null,
      value: (v) => v,
    };
    this.dataMode = {
      kind: 'data',
      body: (nodes, scope) => {
        const out: Value[] = [];
        for (const n of nodes) this.pushData(n, scope, out);
        return out;
      },
      none: () => [],
      value: (v) => [v],
    };
  }

  isBuiltin(name: string): boolean {
    return BUILTINS.has(name);
  }

  builtin(name: string): Builtin | undefined {
    return BUILTINS.get(name);
  }

  builtinNames(): string[] {
    return [...BUILTINS.keys()];
  }

  /** Value position: literals, variable references, calls. */
  evalValue(node: Node, scope: Scope): Value {
    switch (node.kind) {
      case 'string':
      case 'number':
      case 'bool':
        return node.value;
      case 'nil':
        return null;
      case 'symbol': {
        const v = scope.lookup(node.name);
        if (v === undefined) throw this.unbound(node, scope);
        return v;
      }
      case 'list':
        return this.evalList(node, scope);
    }
  }

  /** Like evalValue, but an unbound symbol yields its own name as a string (`(roles master etcd)`). */
  evalBareword(node: Node, scope: Scope): Value {
    if (node.kind === 'symbol') return scope.lookup(node.name) ?? node.name;
    return this.evalValue(node, scope);
  }

  /**
   * Key position inside a section: the section entries `node` stands for. A list headed by a
   * key, or by a name that is neither key nor built-in, is returned as is (the decoder reports
   * unknown keys); a built-in call is evaluated in section mode (see docs/lisp.md).
   */
  expandSection(node: Node, scope: Scope, isKey: (name: string) => boolean): SectionEntry[] {
    const head = node.kind === 'list' ? node.items[0] : undefined;
    if (!head || head.kind !== 'symbol' || isKey(head.name)) return [{ node, scope }];
    const b = BUILTINS.get(head.name);
    if (!b) return [{ node, scope }];
    const list = node as ListNode;
    try {
      if (b.kind === 'special') {
        const mode = this.sectionMode(isKey);
        if (b.expand) return b.expand(list, scope, this, mode);
        if (b.section) return b.section(list, scope, this, mode);
      }
      return this.valueToSections(this.evalValue(list, scope), list, scope);
    } catch (err) {
      throw located(err, list);
    }
  }

  /**
   * Evaluates top-level forms in order (so `(set …)` runs before `(cluster …)`), one result per
   * form. A form headed by a name that is no built-in is data: `dataForm` evaluates it
   * (default: keep its shape, evaluate the values in it).
   */
  evalProgram(nodes: readonly Node[], dataForm: DataFormEvaluator = (n, s) => this.evalData(n, s)): Value[] {
    const results: Value[] = [];
    for (const node of nodes) {
      const head = node.kind === 'list' ? node.items[0] : undefined;
      if (head?.kind === 'symbol' && !BUILTINS.has(head.name)) results.push(dataForm(node as ListNode, this.globals, this));
      else results.push(this.evalValue(node, this.globals));
    }
    return results;
  }

  /**
   * A data form without a schema: `(head item…)` becomes a list whose first element is the
   * symbol `head`; nested data forms likewise; symbols that are not variables stay symbols;
   * `if`/`when`/`unless`/`cond`/`let` splice the items of the chosen branch; any other
   * built-in call is a value.
   */
  evalData(node: ListNode, scope: Scope): Value {
    const out: Value[] = [];
    const items = node.items;
    const head = items[0];
    let i = 0;
    if (head?.kind === 'symbol') {
      out.push({ symbol: head.name });
      i = 1;
    }
    for (; i < items.length; i++) this.pushData(items[i]!, scope, out);
    return this.metered ? this.checkSize(out, head?.kind === 'symbol' ? head.name : 'data', node.pos) : out;
  }

  private pushData(node: Node, scope: Scope, out: Value[]): void {
    if (node.kind === 'symbol') {
      out.push(scope.lookup(node.name) ?? { symbol: node.name });
      return;
    }
    if (node.kind !== 'list') {
      out.push(this.evalValue(node, scope));
      return;
    }
    const head = node.items[0];
    const b = head?.kind === 'symbol' ? BUILTINS.get(head.name) : undefined;
    if (!b) out.push(this.evalData(node, scope));
    else if (b.kind === 'special' && b.expand) {
      const expand = b.expand;
      let values: Value[];
      try {
        values = expand(node, scope, this, this.dataMode);
      } catch (err) {
        throw located(err, node);
      }
      for (const v of values) out.push(v);
    } else out.push(this.evalValue(node, scope));
  }

  private sectionMode(isKey: (name: string) => boolean): Mode<SectionEntry[]> {
    return {
      kind: 'section',
      body: (nodes, scope) => nodes.flatMap((n) => this.expandSection(n, scope, isKey)),
      none: () => [],
      value: (v, at) => this.valueToSections(v, at, undefined),
    };
  }

  /**
   * A value a built-in returned where sections are expected: nil is no section, a list headed
   * by a name (string or symbol) is one section, a list of such lists is several.
   */
  valueToSections(v: Value, at: Node, scope: Scope | undefined): SectionEntry[] {
    const s = scope ?? this.globals;
    if (v === null) return [];
    if (Array.isArray(v)) {
      if (v.length === 0) return [];
      if (isName(v[0]!)) return [{ node: sectionNode(v, at.pos), scope: s }];
      if (v.every((x) => Array.isArray(x) && x.length > 0 && isName(x[0]!))) {
        return v.map((x) => ({ node: sectionNode(x as Value[], at.pos), scope: s }));
      }
    }
    const what = at.kind === 'list' && at.items[0]?.kind === 'symbol' ? `(${at.items[0].name} …)` : 'this form';
    throw new LispError(`expected a section here, but ${what} gave ${describe(v)}`, at.pos, {
      hint: 'in a section, a built-in call must give a list like ("key" value …), a list of them, or nil',
    });
  }

  /**
   * Spends evaluation work (restricted mode); an error once the budget is used up. `what`
   * (with `hint`) names the cost when it is a built-in's own (a regex), not sizes of values.
   */
  charge(units: number, what?: string, hint?: string): void {
    if (!this.metered) return;
    this.workLeft -= units;
    if (this.workLeft < 0) {
      const limit = this.limits.maxWork;
      throw new LispError(what ? `${what} needs more work than is left of the limit of ${limit} units` : `evaluation needs more work than the limit of ${limit} units`, undefined, {
        hint: hint ?? 'restricted mode bounds the work one configuration may cause; simplify the computation',
      });
    }
  }

  /** A value's size counting every element and character reachable (see Limits.maxValueSize). */
  sizeOf(v: Value): number {
    if (typeof v === 'string') return 1 + v.length;
    if (!Array.isArray(v)) return 1;
    let size = this.sizes.get(v);
    if (size === undefined) {
      size = 1;
      for (const x of v) size += this.sizeOf(x);
      this.sizes.set(v, size);
    }
    return size;
  }

  private checkSize(v: Value, what: string, pos?: Pos): Value {
    const size = this.sizeOf(v);
    if (size > this.limits.maxValueSize) {
      throw new LispError(`${what}: the result is too large (${size} elements and characters, the limit is ${this.limits.maxValueSize})`, pos, {
        hint: 'restricted mode bounds the size of values, counting a list each time it is included',
      });
    }
    this.charge(size);
    return v;
  }

  /** Unevaluated data (`quote`): symbols become symbol values. */
  nodeToValue(node: Node): Value {
    switch (node.kind) {
      case 'string':
      case 'number':
      case 'bool':
        return node.value;
      case 'nil':
        return null;
      case 'symbol':
        return { symbol: node.name };
      case 'list':
        return node.items.map((n) => this.nodeToValue(n));
    }
  }

  private evalList(node: ListNode, scope: Scope): Value {
    const items = node.items;
    if (items.length === 0) return [];
    const head = items[0]!;
    if (head.kind !== 'symbol') {
      throw new LispError(`a list in value position must start with a function name, not ${describeNode(head)}`, head.pos, {
        hint: `write (list …) for a list of values`,
      });
    }
    const b = BUILTINS.get(head.name);
    if (!b) throw this.unknownFunction(head, scope);
    try {
      if (b.kind === 'special') return b.eval(node, scope, this);
      const argc = items.length - 1;
      if (argc < b.min || argc > b.max) throw arityError(b.name, b.min, b.max, argc, b.usage, node.pos);
      const args: Value[] = new Array<Value>(argc);
      for (let i = 0; i < argc; i++) args[i] = this.evalValue(items[i + 1]!, scope);
      if (!this.metered) return b.call({ interp: this, node, name: head.name, args, scope });
      let cost = 1;
      for (const a of args) cost += this.sizeOf(a);
      const result = this.checkSize(b.call({ interp: this, node, name: head.name, args, scope }), head.name);
      this.charge(cost);
      return result;
    } catch (err) {
      throw located(err, node);
    }
  }

  private unknownFunction(head: SymbolNode, scope: Scope): LispError {
    const suggestion = suggestionText(head.name, BUILTINS.keys());
    const isVar = scope.lookup(head.name) !== undefined;
    const hint = isVar
      ? `'${head.name}' is a variable, not a function; write it without parentheses`
      : (suggestion ??
        `where a value is expected, a list is a call of a built-in (see docs/lisp.md); for data write (list …) or (quote (${head.name} …)); a form like (${head.name} …) is data only at the top level or as a key of a section`);
    return new LispError(`unknown function '${head.name}'`, head.pos, { hint });
  }

  private unbound(node: SymbolNode, scope: Scope): LispError {
    const suggestion = suggestionText(node.name, scope.names());
    const quoteIt = `to use the text ${node.name}, write it as a string: "${node.name}"`;
    const builtinHint = BUILTINS.has(node.name) ? `; to call ${node.name}, write (${node.name} …)` : '';
    return new LispError(`unbound symbol '${node.name}'`, node.pos, {
      hint: suggestion ? `${suggestion} Or, ${quoteIt}` : `${quoteIt}${builtinHint}`,
    });
  }
}

export function arityError(name: string, min: number, max: number, got: number, usage: string, pos: Pos): LispError {
  const expected =
    min === max ? `${min} argument${min === 1 ? '' : 's'}` : max === Infinity ? `at least ${min} argument${min === 1 ? '' : 's'}` : `${min} to ${max} arguments`;
  return new LispError(`${name} expects ${expected}, got ${got}`, pos, { hint: `usage: ${usage}` });
}

function isName(v: Value): boolean {
  return typeof v === 'string' || isSymbolValue(v);
}

function describeNode(node: Node): string {
  switch (node.kind) {
    case 'list':
      return 'a list';
    case 'nil':
      return 'nil';
    case 'string':
      return `the string "${node.value}"`;
    case 'symbol':
      return `symbol ${node.name}`;
    default:
      return `${node.kind} ${String(node.value)}`;
  }
}

/**
 * An error thrown while evaluating `node`, as it reaches the caller: position-less errors get
 * the call's position, and engine limits become LispErrors.
 */
function located(err: unknown, node: ListNode): unknown {
  if (err instanceof LispError) return err.pos ? err : new LispError(err.reason, node.pos, { hint: err.hint, code: err.code });
  if (err instanceof RangeError) {
    // Stack exhausted by a deeply nested value, or a string/array beyond what V8 allows.
    return new LispError(`evaluation exceeded a limit of the runtime: ${err.message}`, node.pos, {
      hint: 'a value built here is too large or too deeply nested',
    });
  }
  return err;
}

/** A section value back to syntax, positioned at the call that produced it. */
function sectionNode(v: Value[], pos: Pos): ListNode {
  const head = v[0]!;
  const name = typeof head === 'string' ? head : (head as { symbol: string }).symbol;
  return { kind: 'list', items: [{ kind: 'symbol', name, pos }, ...v.slice(1).map((x) => valueNode(x, pos))], pos };
}

/**
 * A value as syntax that evaluates back to it: a list headed by a symbol value stays a
 * symbol-headed list (data or a sub-section), any other list becomes a `(list …)` call.
 */
export function valueNode(v: Value, pos: Pos): Node {
  if (v === null) return { kind: 'nil', pos };
  switch (typeof v) {
    case 'string':
      return { kind: 'string', value: v, pos };
    case 'number':
      return { kind: 'number', value: v, isFloat: !Number.isInteger(v), pos };
    case 'boolean':
      return { kind: 'bool', value: v, pos };
  }
  if (!Array.isArray(v)) return { kind: 'symbol', name: v.symbol, pos };
  if (v.length > 0 && isSymbolValue(v[0]!)) return sectionNode(v, pos);
  return { kind: 'list', items: [{ kind: 'symbol', name: 'list', pos }, ...v.map((x) => valueNode(x, pos))], pos };
}

