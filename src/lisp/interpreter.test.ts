import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Interpreter } from './interpreter.ts';
import type { SectionEntry } from './interpreter.ts';
import { printNode, printValue } from './printer.ts';
import { read } from './reader.ts';
import { LispError } from './types.ts';
import type { Node, Value } from './types.ts';

function interp(env: Record<string, string | undefined> = {}) {
  return new Interpreter({ env, baseDir: '/tmp', now: () => new Date('2026-01-05T11:42:41Z') });
}

function evalText(text: string, env: Record<string, string | undefined> = {}): string {
  const it = interp(env);
  return it.evalProgram(read(text, 't.lisp')).map((v) => printValue(v)).join(' ');
}

function evalError(text: string, env: Record<string, string | undefined> = {}): LispError {
  try {
    evalText(text, env);
  } catch (err) {
    assert.ok(err instanceof LispError, `expected a LispError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${text} to fail`);
}

const node = (text: string): Node => read(text, 'c.lisp')[0]!;
const show = (entries: SectionEntry[]) => entries.map((e) => printNode(e.node));

test('special forms are lazy: branches not taken are never evaluated', () => {
  assert.equal(evalText('(if true "yes" (/ 1 0))'), '"yes"');
  assert.equal(evalText('(if false (/ 1 0))'), 'nil');
  assert.equal(evalText('(when false (/ 1 0))'), 'nil');
  assert.equal(evalText('(unless true (/ 1 0))'), 'nil');
  assert.equal(evalText('(and false (/ 1 0))'), 'false');
  assert.equal(evalText('(or "x" (/ 1 0))'), '"x"');
  assert.equal(evalText('(default "v" (/ 1 0))'), '"v"');
  assert.equal(evalText('(cond (false (/ 1 0)) (true "t") (else (/ 1 0)))'), '"t"');
  assert.equal(evalText('(let ((x 1)) (if (eq x 1) "one" (/ 1 0)))'), '"one"');
});

test('truthiness: false, nil and "" are falsy; 0 and () are truthy', () => {
  assert.equal(evalText('(list (not false) (not nil) (not "") (not 0) (not (list)) (not "a"))'), '(true true true false false false)');
});

test('and/or return values; default falls back on nil, "" and ()', () => {
  assert.equal(evalText('(and 1 2 3) (and 1 nil 3) (and) (or nil "" "b") (or nil "") (or)'), '3 nil true "b" "" nil');
  assert.equal(evalText('(default nil 1) (default "" 2) (default (list) 3) (default false 4) (default 0 5)'), '1 2 3 false 0');
});

test('env: unset is nil, a default covers unset and empty; env? tells whether it is set', () => {
  const env = { SET: 'v', EMPTY: '' };
  assert.equal(evalText('(env "SET") (env "UNSET") (env "EMPTY") (env "UNSET" "d") (env "EMPTY" "d") (env "SET" "d")', env), '"v" nil "" "d" "d" "v"');
  assert.equal(evalText('(env? "SET") (env? "EMPTY") (env? "UNSET") (getenv "SET") (env-or "EMPTY" "f")', env), 'true true false "v" "f"');
  assert.equal(evalText('(default (env "SIZE") "t3.medium")'), '"t3.medium"');
});

test('variables: let (sequential), set (global, returns the value), var, symbols read both', () => {
  assert.equal(evalText('(let ((x 1) (y (+ x 1))) (* x y 10))'), '20');
  assert.equal(evalText('(set "region" "eu") region (var "region") (set zone "a") (var zone)'), '"eu" "eu" "eu" "a" "a"');
  assert.equal(evalText('(set "x" 1) (let ((x 2)) (list x (var "x")))'), '1 (2 2)');
  assert.equal(evalText('(let ((x 1)) (set "g" x)) g'), '1 1', 'set inside let binds globally');
});

test('eq/= compare deeply; ordering compares numbers, or strings, never mixed', () => {
  assert.equal(evalText('(eq (list 1 "a" (list nil)) (list 1 "a" (list nil))) (= 1 1.0) (eq 1 "1") (!= nil false) (eq 1 1 1)'), 'true true false true true');
  assert.equal(evalText('(< 1 2 3) (< 1 3 2) (< "a" "b") (>= "b" "a") (<= 2 2)'), 'true false true true true');
  const err = evalError('(< 1 "2")');
  assert.equal(err.message, 't.lisp:1:6: <: cannot compare number 1 with string "2"');
});

test('arithmetic: integer division gives an integer when even, a float otherwise; errors on zero and overflow', () => {
  assert.equal(evalText('(/ 10 2) (/ 7 2) (/ 1 3) (mod 10 3) (mod -7 3) (- 5) (+) (*) (+ 0.1 0.2) (* 1.5 2)'), '5 3.5 0.3333333333333333 1 -1 -5 0 1 0.30000000000000004 3');
  assert.equal(evalError('(/ 1 0)').message, 't.lisp:1:6: /: division by zero');
  assert.equal(evalError('(mod 1 0)').message, 't.lisp:1:8: mod: modulo by zero');
  assert.match(evalError('(* 9007199254740991 2)').message, /integer overflow/);
  assert.match(evalError('(* 1e300 1e300)').message, /out of range/);
});

test('an unknown function is an error with a did-you-mean', () => {
  const err = evalError('(list (concatt "a" "b"))');
  assert.equal(err.message, "t.lisp:1:8: unknown function 'concatt'");
  assert.equal(err.hint, "did you mean 'concat'?");
});

test('wrong arity and wrong types name the function, the position and the usage', () => {
  const arity = evalError('(substring "hello")');
  assert.equal(arity.message, 't.lisp:1:1: substring expects 2 to 3 arguments, got 1');
  assert.equal(arity.hint, 'usage: (substring str start [end])');
  assert.equal(evalError('(if)').message, 't.lisp:1:1: if expects 2 to 3 arguments, got 0');
  assert.equal(evalError('(not 1 2)').message, 't.lisp:1:1: not expects 1 argument, got 2');
  const type = evalError('(upper 42)');
  assert.equal(type.message, 't.lisp:1:8: upper: argument 1 must be a string, got number 42');
  assert.equal(evalError('(upper (env "NOPE"))').message, 't.lisp:1:8: upper: argument 1 must be a string, got nil');
});

test('an unbound symbol is an error that suggests quoting it', () => {
  const err = evalError('(list master)');
  assert.equal(err.message, "t.lisp:1:7: unbound symbol 'master'");
  assert.equal(err.hint, 'to use the text master, write it as a string: "master"');
  assert.match(evalError('(let ((region "x")) regoin)').hint!, /did you mean 'region'\?/);
});

test('a list in value position must start with a function name', () => {
  const err = evalError('(list (1 2))');
  assert.match(err.message, /t\.lisp:1:8: a list in value position must start with a function name, not number 1/);
  assert.equal(evalText('()'), '()');
});

test('evalBareword: an unbound symbol is its name; a bound one is its value', () => {
  const it = interp();
  it.globals.define('pool', 'workers');
  assert.equal(it.evalBareword(node('master'), it.globals), 'master');
  assert.equal(it.evalBareword(node('pool'), it.globals), 'workers');
  assert.equal(it.evalBareword(node('(concat "a" "b")'), it.globals), 'ab');
});

test('expandSection: a key stays a key even when a built-in has its name', () => {
  const it = interp();
  const isKey = (k: string) => ['user', 'format', 'time', 'name'].includes(k);
  for (const text of ['(user "ubuntu")', '(format "qcow2")', '(time "12:00")', '(name (concat "a" "b"))']) {
    const entries = it.expandSection(node(text), it.globals, isKey);
    assert.equal(entries.length, 1);
    assert.equal(printNode(entries[0]!.node), text);
  }
  // Neither a key nor a built-in: handed back for the decoder to report.
  assert.deepEqual(show(it.expandSection(node('(colour "red")'), it.globals, isKey)), ['(colour "red")']);
});

test('expandSection: when/if/unless/cond/and/or/default choose branches lazily and splice them', () => {
  const it = interp({ PROD: '1' });
  const isKey = (k: string) => ['monitoring', 'logging', 'enabled', 'replicas'].includes(k);
  const ex = (text: string) => show(it.expandSection(node(text), it.globals, isKey));
  assert.deepEqual(ex('(when (env? "PROD") (monitoring (enabled true)) (logging (enabled true)))'), ['(monitoring (enabled true))', '(logging (enabled true))']);
  assert.deepEqual(ex('(when (env? "DEV") (monitoring (/ 1 0)))'), []);
  assert.deepEqual(ex('(unless (env? "PROD") (monitoring))'), []);
  assert.deepEqual(ex('(if (env? "PROD") (replicas 3) (replicas 1))'), ['(replicas 3)']);
  assert.deepEqual(ex('(if false (replicas 3))'), []);
  assert.deepEqual(ex('(cond ((env? "DEV") (replicas 1)) (else (replicas 5) (logging)))'), ['(replicas 5)', '(logging)']);
  assert.deepEqual(ex('(when true (when true (if true (logging))))'), ['(logging)'], 'nested forms expand recursively');
  assert.deepEqual(ex('(and (env? "PROD") (logging))'), ['(logging)']);
  assert.deepEqual(ex('(and (env? "DEV") (logging))'), []);
  assert.deepEqual(ex('(or nil (logging))'), ['(logging)']);
  assert.deepEqual(ex('(default nil (logging))'), ['(logging)']);
});

test('expandSection: let hands back its scope with the entries; set runs and yields nothing', () => {
  const it = interp();
  const isKey = (k: string) => k === 'replicas';
  const entries = it.expandSection(node('(let ((n 3)) (replicas n))'), it.globals, isKey);
  assert.equal(entries.length, 1);
  const replicas = entries[0]!.node;
  assert.ok(replicas.kind === 'list');
  assert.equal(it.evalValue(replicas.items[1]!, entries[0]!.scope), 3);
  assert.deepEqual(it.expandSection(node('(set "r" 2)'), it.globals, isKey), []);
  assert.equal(it.globals.lookup('r'), 2);
});

test('expandSection: another built-in must give sections, which are positioned at the call', () => {
  const it = interp();
  const isKey = (k: string) => ['labels', 'zone', 'tier', 'replicas', 'roles'].includes(k);
  it.globals.define('extra', [['tier', 'gold'], ['zone', 'a']]);
  const entries = it.expandSection(node('(var "extra")'), it.globals, isKey);
  assert.deepEqual(show(entries), ['(tier "gold")', '(zone "a")']);
  assert.deepEqual(entries[0]!.node.pos, { file: 'c.lisp', line: 1, col: 1 });
  assert.deepEqual(show(it.expandSection(node('(list "replicas" 3)'), it.globals, isKey)), ['(replicas 3)']);
  assert.deepEqual(show(it.expandSection(node('(quote (roles master etcd))'), it.globals, isKey)), ['(roles master etcd)']);
  // A nested plain list becomes a (list …) call, so it evaluates back to the same list.
  const zones = it.expandSection(node('(list "zone" (list "a" "b"))'), it.globals, isKey)[0]!;
  assert.equal(printNode(zones.node), '(zone (list "a" "b"))');
  assert.ok(zones.node.kind === 'list');
  assert.deepEqual(it.evalValue(zones.node.items[1]!, zones.scope), ['a', 'b']);
  assert.deepEqual(it.expandSection(node('(env "UNSET")'), it.globals, isKey), [], 'nil is no section');
  assert.throws(
    () => it.expandSection(node('(+ 1 2)'), it.globals, isKey),
    (e) => e instanceof LispError && e.message === 'c.lisp:1:1: expected a section here, but (+ …) gave number 3',
  );
});

test('evalProgram: forms run in order; a form headed by a non-built-in is data with its values evaluated', () => {
  const text = `
(set "env" (env "CLUSTER_ENV" "dev"))
(cluster
  (metadata (name (concat "cluster-" env)) (labels (team "core")))
  (node-pools (masters (count (if (eq env "production") 3 1)) (roles master etcd)))
  (when (eq env "dev") (debug true))
  (unless (eq env "dev") (monitoring (enabled true))))`;
  assert.equal(
    evalText(text),
    '"dev" (cluster (metadata (name "cluster-dev") (labels (team "core"))) (node-pools (masters (count 1) (roles master etcd))) (debug true))',
  );
  assert.match(evalText(text, { CLUSTER_ENV: 'production' }), /\(count 3\).*\(monitoring \(enabled true\)\)\)$/);
});

test('evalProgram: a custom data-form evaluator replaces the schema-less view', () => {
  const it = interp();
  const seen: string[] = [];
  const out = it.evalProgram(read('(set "a" 1) (cluster (x a))', 'p'), (n, scope, i) => {
    seen.push(printNode(n));
    assert.equal(i, it);
    return scope.lookup('a')!;
  });
  assert.deepEqual(out, [1, 1]);
  assert.deepEqual(seen, ['(cluster (x a))']);
});

test('quote gives data; symbols stay symbols', () => {
  const it = interp();
  const v = it.evalValue(node('(quote (roles master "x" 1))'), it.globals) as Value[];
  assert.deepEqual(v, [{ symbol: 'roles' }, { symbol: 'master' }, 'x', 1]);
});

test('errors inside nested calls keep the innermost position', () => {
  const err = evalError('(concat "a"\n  (upper\n    (list 1)))');
  assert.equal(err.message, 't.lisp:3:5: upper: argument 1 must be a string, got list (1)');
});

test('a value too deep for the runtime is a LispError, not a crash', () => {
  const it = interp();
  const deep = (): Value => {
    let v: Value = [];
    for (let i = 0; i < 200_000; i++) v = [v];
    return v;
  };
  it.globals.define('a', deep());
  it.globals.define('b', deep());
  assert.throws(() => it.evalValue(node('(eq a b)'), it.globals), (e) => e instanceof LispError && /limit of the runtime/.test(e.message));
});
