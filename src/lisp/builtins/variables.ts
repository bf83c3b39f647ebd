// Variables: `let` binds locally (sequentially: a binding sees the ones before it), `set`
// binds globally and returns the value, `var` reads a variable by name. Symbols in value
// position read the same bindings.
import type { Interpreter } from '../interpreter.ts';
import { Scope } from '../scope.ts';
import { suggestionText } from '../suggest.ts';
import { LispError } from '../types.ts';
import type { ListNode, Node } from '../types.ts';
import type { SpecialBuiltin } from './registry.ts';
import { branching } from './control.ts';
import { checkSpecialArity } from './special.ts';

const letForm = branching(
  'let',
  {
    usage: '(let ((name value) …) body…)',
    summary: 'binds each name to its value (in order, each seeing the ones before) for the bodies; the last body is the value',
    examples: [['(let ((x 1) (y 2)) (+ x y))', '3']],
  },
  [1, Infinity],
  (node, scope, interp, mode) => {
    const bindings = node.items[1]!;
    if (bindings.kind !== 'list') {
      throw new LispError('let: the first argument must be a list of bindings ((name value) …)', bindings.pos, {
        hint: 'usage: (let ((x 1) (y 2)) (+ x y))',
      });
    }
    const inner = new Scope(scope);
    for (const b of bindings.items) {
      if (b.kind !== 'list' || b.items.length !== 2 || b.items[0]!.kind !== 'symbol') {
        throw new LispError('let: each binding must be (name value) with a symbol name', b.pos, {
          hint: 'usage: (let ((x 1) (y 2)) (+ x y))',
        });
      }
      inner.define((b.items[0] as { name: string }).name, interp.evalValue(b.items[1]!, inner));
    }
    return mode.body(node.items.slice(2), inner);
  },
);

/** A variable name: a symbol as written, or an expression giving a string. */
function nameOf(node: Node, scope: Scope, interp: Interpreter, form: string): string {
  if (node.kind === 'symbol') return node.name;
  const v = interp.evalValue(node, scope);
  if (typeof v !== 'string' || v === '') {
    throw new LispError(`${form}: the variable name must be a non-empty string or a symbol`, node.pos, {
      hint: `usage: (${form} "name"${form === 'set' ? ' value' : ''})`,
    });
  }
  return v;
}

const setForm: Omit<SpecialBuiltin, 'group'> = {
  kind: 'special',
  name: 'set',
  usage: '(set name value)',
  summary: 'binds the global variable name to value and returns the value',
  examples: [['(set "region" "us-east-1")', '"us-east-1"']],
  eval(node: ListNode, scope, interp) {
    checkSpecialArity(node, 2, 2, this.usage);
    const name = nameOf(node.items[1]!, scope, interp, 'set');
    const value = interp.evalValue(node.items[2]!, scope);
    interp.globals.define(name, value);
    return value;
  },
  section(node, scope, interp) {
    this.eval(node, scope, interp);
    return [];
  },
};

const varForm: Omit<SpecialBuiltin, 'group'> = {
  kind: 'special',
  name: 'var',
  usage: '(var name)',
  summary: 'the value of the variable name (an error when it is not set)',
  examples: [['(var "region")', '"us-east-1"']],
  eval(node: ListNode, scope, interp) {
    checkSpecialArity(node, 1, 1, this.usage);
    const name = nameOf(node.items[1]!, scope, interp, 'var');
    const v = scope.lookup(name);
    if (v === undefined) {
      const suggestion = suggestionText(name, scope.names());
      throw new LispError(`var: variable '${name}' is not set`, node.items[1]!.pos, {
        hint: suggestion ?? `set it first: (set "${name}" value)`,
      });
    }
    return v;
  },
};

export const variableBuiltins = [letForm, setForm, varForm];
