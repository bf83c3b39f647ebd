import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_DEPTH, read } from './reader.ts';
import { LispError } from './types.ts';
import { DEFAULT_LIMITS, RESTRICTED_LIMITS } from './options.ts';
import type { ListNode, Node } from './types.ts';

function readOne(text: string): Node {
  const nodes = read(text, 'f.lisp');
  assert.equal(nodes.length, 1);
  return nodes[0]!;
}

function readError(text: string): LispError {
  try {
    read(text, 'f.lisp');
  } catch (err) {
    assert.ok(err instanceof LispError, `expected a LispError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(text)} to fail`);
}

test('atoms: strings, integers, floats, symbols, booleans, nil', () => {
  const nodes = read('"a" 42 -7 +3 2.5 -0.5 1e3 1.5e-3 foo env? #t #f true false nil 10.0.0.0/16 - +', 'f.lisp');
  assert.deepEqual(
    nodes.map((n) => (n.kind === 'symbol' ? ['symbol', n.name] : n.kind === 'nil' ? ['nil'] : n.kind === 'list' ? ['list'] : [n.kind, n.value])),
    [
      ['string', 'a'], ['number', 42], ['number', -7], ['number', 3], ['number', 2.5], ['number', -0.5], ['number', 1000], ['number', 0.0015],
      ['symbol', 'foo'], ['symbol', 'env?'], ['bool', true], ['bool', false], ['bool', true], ['bool', false], ['nil'],
      ['symbol', '10.0.0.0/16'], ['symbol', '-'], ['symbol', '+'],
    ],
  );
  const floats = read('1 1.0 1e2', 'f').map((n) => (n.kind === 'number' ? n.isFloat : undefined));
  assert.deepEqual(floats, [false, true, true]);
  assert.ok(Object.is((readOne('-0') as { value: number }).value, 0), '-0 reads as 0');
});

test('string escapes', () => {
  const s = readOne(String.raw`"a\"b\\c\nd\te\rf\0g\u00e9\u{1F600}"`);
  assert.equal(s.kind === 'string' && s.value, 'a"b\\c\nd\te\rf\0gé😀');
  const multi = read('"line1\nline2" x', 'f');
  assert.equal(multi[0]!.kind === 'string' && multi[0]!.value, 'line1\nline2');
  assert.deepEqual(multi[1]!.pos, { file: 'f', line: 2, col: 8 });
});

test('every node carries FILE:LINE:COL; comments are skipped', () => {
  const text = '; a comment\n(cluster ; trailing\n  (name "x")\n\t42)';
  const root = readOne(text) as ListNode;
  assert.deepEqual(root.pos, { file: 'f.lisp', line: 2, col: 1 });
  assert.deepEqual(root.items[0]!.pos, { file: 'f.lisp', line: 2, col: 2 });
  const name = root.items[1] as ListNode;
  assert.deepEqual(name.pos, { file: 'f.lisp', line: 3, col: 3 });
  assert.deepEqual(name.items[1]!.pos, { file: 'f.lisp', line: 3, col: 9 });
  assert.deepEqual(root.items[2]!.pos, { file: 'f.lisp', line: 4, col: 2 });
});

test('a start line and column offset positions (the REPL reads entry by entry)', () => {
  const [n] = read('  x', '<repl>', { line: 7, col: 5 });
  assert.deepEqual(n!.pos, { file: '<repl>', line: 7, col: 7 });
});

test('CRLF line endings count lines once', () => {
  const nodes = read('a\r\nb\r\n  c', 'f');
  assert.deepEqual(nodes.map((n) => [n.pos.line, n.pos.col]), [[1, 1], [2, 1], [3, 3]]);
});

test('an unclosed list points at its opening parenthesis and names the enclosing ones', () => {
  const err = readError('(cluster\n  (metadata\n    (name "x")');
  assert.equal(err.message, 'f.lisp:2:3: unclosed \'(\': this list is never closed before the end of the input');
  assert.deepEqual(err.pos, { file: 'f.lisp', line: 2, col: 3 });
  assert.equal(err.code, 'incomplete');
  assert.match(err.hint!, /1 enclosing list is unclosed too \(the outermost opens at line 1, column 1\)/);
});

test('a stray closing parenthesis is reported where it is', () => {
  const err = readError('(a 1))\n');
  assert.equal(err.message, "f.lisp:1:6: unexpected ')' with no matching '('");
  assert.equal(err.code, 'syntax');
});

test('an unterminated string points at its opening quote', () => {
  const err = readError('(name "abc)\n');
  assert.equal(err.message, 'f.lisp:1:7: unterminated string: no closing \'"\' before the end of the input');
  assert.equal(err.code, 'incomplete');
  assert.equal(readError('"abc\\').code, 'incomplete');
});

test('bad escapes, bad unicode escapes and out-of-range numbers are syntax errors with a hint', () => {
  const esc = readError('"\\d+"');
  assert.equal(esc.message, "f.lisp:1:2: unknown escape '\\d' in string");
  assert.match(esc.hint!, /"\\\\d"/);
  assert.match(readError('"\\u12"').message, /bad unicode escape/);
  assert.match(readError('"\\u{110000}"').message, /bad unicode escape/);
  assert.match(readError('99999999999999999999').message, /integer 99999999999999999999 is too large/);
  assert.match(readError('1e999').message, /out of range/);
});

test(`nesting deeper than ${MAX_DEPTH} levels is refused, not a stack overflow`, () => {
  const err = readError('('.repeat(MAX_DEPTH + 1) + ')'.repeat(MAX_DEPTH + 1));
  assert.match(err.message, /nested deeper than 1000/);
  assert.doesNotThrow(() => read('('.repeat(MAX_DEPTH) + ')'.repeat(MAX_DEPTH), 'f'));
});

test('property: the reader returns nodes or throws a LispError, nothing else, on any input', () => {
  const lispish = fc.array(fc.constantFrom('(', ')', '"', '\\', ';', '\n', ' ', 'a', '1', '.', '-', 'e', 'u', '{', '}', '#t', 'nil', '\\u{', '9'), {
    maxLength: 60,
  }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), lispish), (text) => {
      try {
        read(text, 'fuzz');
      } catch (err) {
        if (!(err instanceof LispError)) throw err;
        assert.ok(err.pos, 'a reader error has a position');
      }
    }),
    { numRuns: 3000 },
  );
});

test('a source larger than the limit is refused before it is read; so is one with too many forms', () => {
  const limits = { maxSourceBytes: 64, maxNodes: 10 };
  assert.doesNotThrow(() => read('(a b c)', 'f', { limits }));
  assert.throws(() => read(`"${'x'.repeat(70)}"`, 'big.lisp', { limits }), (e: unknown) => e instanceof LispError && e.code === 'limit' && e.message === 'big.lisp is larger than 64 bytes, the limit for a source');
  // Bytes, not characters: 30 'é' are 60 bytes of UTF-8.
  assert.throws(() => read(`"${'é'.repeat(33)}"`, 'f', { limits }), /larger than 64 bytes/);
  assert.doesNotThrow(() => read(`"${'é'.repeat(30)}"`, 'f', { limits }));
  // The eleventh form, wherever it is: an atom, a string or a list.
  for (const text of ['(a b c d e f g h i j)', '(a b c d e f g h i "j")', '(a b c d e f g h (i) j)']) {
    assert.throws(
      () => read(text, 'f', { limits }),
      (e: unknown) => e instanceof LispError && e.code === 'limit' && /^f:1:\d+: the source holds more than 10 forms \(atoms, strings and lists\), the limit for a source$/.test(e.message),
      text,
    );
  }
  assert.doesNotThrow(() => read('(a b c d e f g h i)', 'f', { limits }));
});

test('the default and restricted source limits', () => {
  assert.deepEqual([DEFAULT_LIMITS.maxSourceBytes, DEFAULT_LIMITS.maxNodes], [8 * 1024 * 1024, 2_000_000]);
  assert.deepEqual([RESTRICTED_LIMITS.maxSourceBytes, RESTRICTED_LIMITS.maxNodes], [2 * 1024 * 1024, 500_000]);
  assert.throws(() => read(' '.repeat(DEFAULT_LIMITS.maxSourceBytes + 1), 'f'), /larger than 8 MiB/);
  assert.throws(() => read(`(${'a '.repeat(RESTRICTED_LIMITS.maxNodes)})`, 'f', { limits: RESTRICTED_LIMITS }), /more than 500,000 forms/);
});
