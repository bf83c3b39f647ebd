import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Interpreter } from './interpreter.ts';
import { printNode, printNumber, printString, printValue } from './printer.ts';
import { read } from './reader.ts';
import type { Value } from './types.ts';

const interp = new Interpreter({ env: {}, baseDir: '/' });

test('printing: strings quoted with escapes, lists in parentheses, true/false/nil, numbers plain', () => {
  assert.equal(printValue(['a', 1, 2.5, true, false, null, [], [{ symbol: 'x' }, 'y\n"z"']]), '("a" 1 2.5 true false nil () (x "y\\n\\"z\\""))');
  assert.equal(printString('tab\there\\ \u0001 \u007f'), '"tab\\there\\\\ \\u0001 \\u007f"');
  assert.equal(printString('é😀'), '"é😀"', 'printable Unicode stays as it is');
  assert.equal(printString('\ud800'), '"\\ud800"', 'a lone surrogate is escaped');
});

test('numbers: integers plain, floats shortest round-trip, integral floats as integers', () => {
  assert.equal(printNumber(42), '42');
  assert.equal(printNumber(-7), '-7');
  assert.equal(printNumber(3.5), '3.5');
  assert.equal(printNumber(0.1 + 0.2), '0.30000000000000004');
  assert.equal(printNumber(1.0), '1');
  assert.equal(printNumber(-0), '0');
  assert.equal(printNumber(1e-7), '1e-7');
  assert.equal(printNumber(1e21), '1e+21');
  assert.equal(printNumber(2 ** 60), '1.152921504606847e+18', 'beyond the exact integer range a number prints as a float');
});

test('printNode keeps how a float literal was written', () => {
  assert.equal(printNode(read('(a 1.0 2 "s" nil #t)', 'f')[0]!), '(a 1.0 2 "s" nil true)');
});

test('printing is iterative: a very deeply nested value prints without overflowing the stack', () => {
  let v: Value = [];
  for (let i = 0; i < 100_000; i++) v = [v];
  const text = printValue(v);
  assert.equal(text.length, 200_002);
});

const symbolName = fc
  .stringMatching(/^[a-z*+!?<>=/_-][a-z0-9*+!?<>=/_.-]{0,8}$/)
  .filter((s) => !['true', 'false', 'nil'].includes(s) && !/^[+-]?\d/.test(s));

const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d + 0),
    fc.boolean(),
    fc.constant(null),
    symbolName.map((symbol) => ({ symbol })),
    fc.array(tie('v'), { maxLength: 5 }),
  ),
})).v;

test('property: printing a value and reading it back gives the same value', () => {
  fc.assert(
    fc.property(value, (v) => {
      const nodes = read(printValue(v), 'p');
      assert.equal(nodes.length, 1);
      assert.deepStrictEqual(interp.nodeToValue(nodes[0]!), v);
    }),
    { numRuns: 2000 },
  );
});

test('property: a printed string evaluates back to the same string', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (s) => {
      assert.equal(interp.evalValue(read(printString(s), 'p')[0]!, interp.globals), s);
    }),
  );
});
