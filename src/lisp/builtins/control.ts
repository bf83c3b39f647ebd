// Control flow. `if`, `when`, `unless`, `cond`, `and`, `or` and `default` evaluate lazily:
// only the branches they choose run. In key position (see Interpreter.expandSection) the
// chosen bodies are expanded as sections.
import type { Interpreter, Mode } from '../interpreter.ts';
import type { Scope } from '../scope.ts';
import type { ListNode, Value } from '../types.ts';
import { LispError } from '../types.ts';
import { isEmpty, truthy } from '../values.ts';
import { fn } from './registry.ts';
import type { SpecialBuiltin } from './registry.ts';
import { checkSpecialArity } from './special.ts';

type Special = Omit<SpecialBuiltin, 'group'>;

function branching(
  name: string,
  doc: Pick<SpecialBuiltin, 'usage' | 'summary' | 'examples'>,
  arity: [number, number],
  expand: <T>(node: ListNode, scope: Scope, interp: Interpreter, mode: Mode<T>) => T,
): Special {
  const checked = <T>(node: ListNode, scope: Scope, interp: Interpreter, mode: Mode<T>): T => {
    checkSpecialArity(node, arity[0], arity[1], doc.usage);
    return expand(node, scope, interp, mode);
  };
  return { kind: 'special', name, ...doc, expand: checked, eval: (node, scope, interp) => checked(node, scope, interp, interp.valueMode) };
}

const ifForm = branching(
  'if',
  { usage: '(if cond then [else])', summary: 'then when cond is truthy, else otherwise (nil without else)', examples: [['(if (env? "PROD") "prod" "dev")', '"dev"']] },
  [2, 3],
  (node, scope, interp, mode) => {
    const [, cond, then, otherwise] = node.items;
    if (truthy(interp.evalValue(cond!, scope))) return mode.body([then!], scope);
    return otherwise ? mode.body([otherwise], scope) : mode.none();
  },
);

const whenForm = branching(
  'when',
  { usage: '(when cond body…)', summary: 'the bodies when cond is truthy (the last one is the value), else nil', examples: [['(when (env? "DEBUG") (set "log" "verbose"))', 'nil']] },
  [1, Infinity],
  (node, scope, interp, mode) =>
    truthy(interp.evalValue(node.items[1]!, scope)) ? mode.body(node.items.slice(2), scope) : mode.none(),
);

const unlessForm = branching(
  'unless',
  { usage: '(unless cond body…)', summary: 'the bodies when cond is falsy, else nil', examples: [['(unless (env? "CI") "local")', '"local"']] },
  [1, Infinity],
  (node, scope, interp, mode) =>
    truthy(interp.evalValue(node.items[1]!, scope)) ? mode.none() : mode.body(node.items.slice(2), scope),
);

const condForm = branching(
  'cond',
  {
    usage: '(cond (test body…) … [(else body…)])',
    summary: 'the bodies of the first clause whose test is truthy; else matches always; nil when none does',
    examples: [['(cond ((eq x 1) "one") ((eq x 2) "two"))', '"two"']],
  },
  [0, Infinity],
  (node, scope, interp, mode) => {
    for (const clause of node.items.slice(1)) {
      if (clause.kind !== 'list' || clause.items.length === 0) {
        throw new LispError('cond: each clause must be a list (test body…)', clause.pos, {
          hint: 'usage: (cond ((eq x 1) "one") (else "other"))',
        });
      }
      const test = clause.items[0]!;
      const isElse = test.kind === 'symbol' && test.name === 'else' && scope.lookup('else') === undefined;
      const v: Value = isElse ? true : interp.evalValue(test, scope);
      if (!truthy(v)) continue;
      return clause.items.length === 1 ? mode.value(v, clause) : mode.body(clause.items.slice(1), scope);
    }
    return mode.none();
  },
);

const andForm: Special = {
  kind: 'special',
  name: 'and',
  usage: '(and a b …)',
  summary: 'the first falsy argument, else the last one (true with none); stops at the first falsy',
  examples: [['(and (env? "A") (env? "B"))', 'false']],
  eval(node, scope, interp) {
    let v: Value = true;
    for (const arg of node.items.slice(1)) {
      v = interp.evalValue(arg, scope);
      if (!truthy(v)) return v;
    }
    return v;
  },
  section(node, scope, interp, mode) {
    const args = node.items.slice(1);
    if (args.length === 0) return [];
    for (const arg of args.slice(0, -1)) if (!truthy(interp.evalValue(arg, scope))) return [];
    return mode.body([args[args.length - 1]!], scope);
  },
};

const orForm: Special = {
  kind: 'special',
  name: 'or',
  usage: '(or a b …)',
  summary: 'the first truthy argument, else the last one (nil with none); stops at the first truthy',
  examples: [['(or (env "A") (env "B") "default")', '"default"']],
  eval(node, scope, interp) {
    let v: Value = null;
    for (const arg of node.items.slice(1)) {
      v = interp.evalValue(arg, scope);
      if (truthy(v)) return v;
    }
    return v;
  },
  section(node, scope, interp, mode) {
    const args = node.items.slice(1);
    if (args.length === 0) return [];
    for (const arg of args.slice(0, -1)) {
      const v = interp.evalValue(arg, scope);
      if (truthy(v)) return mode.value(v, node);
    }
    return mode.body([args[args.length - 1]!], scope);
  },
};

const defaultForm: Special = {
  kind: 'special',
  name: 'default',
  usage: '(default value fallback)',
  summary: 'value unless it is nil, "" or (); then fallback (evaluated only then)',
  examples: [['(default (env "SIZE") "t3.medium")', '"t3.medium"']],
  eval(node, scope, interp) {
    checkSpecialArity(node, 2, 2, this.usage);
    const v = interp.evalValue(node.items[1]!, scope);
    return isEmpty(v) ? interp.evalValue(node.items[2]!, scope) : v;
  },
  section(node, scope, interp, mode) {
    checkSpecialArity(node, 2, 2, this.usage);
    const v = interp.evalValue(node.items[1]!, scope);
    return isEmpty(v) ? mode.body([node.items[2]!], scope) : mode.value(v, node);
  },
};

const quoteForm: Special = {
  kind: 'special',
  name: 'quote',
  usage: '(quote form)',
  summary: 'form as data, unevaluated: symbols stay symbols',
  examples: [['(quote (roles master etcd))', '(roles master etcd)']],
  eval(node, _scope, interp) {
    checkSpecialArity(node, 1, 1, this.usage);
    return interp.nodeToValue(node.items[1]!);
  },
};

export const controlBuiltins = [
  ifForm,
  whenForm,
  unlessForm,
  condForm,
  defaultForm,
  orForm,
  andForm,
  fn('not', [1, 1], { usage: '(not x)', summary: 'true when x is falsy (false, nil, "")', examples: [['(not false)', 'true']] }, (c) => !truthy(c.args[0]!)),
  quoteForm,
];

export { branching };
