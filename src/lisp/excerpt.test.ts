import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXCERPT_WIDTH, excerptLines } from './excerpt.ts';

test('a short line is shown whole, the caret under the column, tabs kept', () => {
  assert.deepEqual(excerptLines('(a)\n\t(bad 1)\n', 2, 3), [' 2 | \t(bad 1)', '   | \t ^']);
  assert.deepEqual(excerptLines('x', 1, 1, { indent: '  ' }), ['  1 | x', '    | ^']);
});

test('the line number counts from the first line of the text', () => {
  assert.deepEqual(excerptLines('one\ntwo', 11, 2, { firstLine: 10 }), [' 11 | two', '    |  ^']);
  assert.deepEqual(excerptLines('one', 9, 1, { firstLine: 10 }), []);
  assert.deepEqual(excerptLines('one', 3, 1), []);
});

test('a long line is cut to a window around the column, marked with …', () => {
  const line = `${'a'.repeat(4_000_000)}(bad)${'b'.repeat(4_000_000)}`;
  const col = 4_000_001;
  const [text, caret] = excerptLines(line, 1, col);
  assert.ok(text!.length < EXCERPT_WIDTH + 20, `${text!.length} characters`);
  assert.match(text!, /^ 1 \| …a+\(bad\)b+…$/);
  assert.equal(caret!.indexOf('^'), text!.indexOf('(bad)'));
  // At the start and at the end of a long line the window stays inside it.
  assert.match(excerptLines(line, 1, 1)[0]!, /^ 1 \| a{100}…$/);
  const end = excerptLines(line, 1, line.length);
  assert.match(end[0]!, /^ 1 \| …b{100}$/);
  assert.equal(end[1]!.indexOf('^'), end[0]!.length - 1);
});
