import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, goSprintf } from './go-format.ts';
import type { Value } from '../types.ts';

const f = (template: string, ...args: Value[]) => goSprintf(template, args, 1 << 20);

test('verbs %s %v %d %f %q %x %X %t %% as Go prints them', () => {
  assert.equal(f('cluster-%s', 'prod'), 'cluster-prod');
  assert.equal(f('%v %v %v %v %v', 'a', 1, 2.5, true, null), 'a 1 2.5 true ');
  assert.equal(f('%v|%#v', ['a', 1], ['a', 1]), '("a" 1)|("a" 1)');
  assert.equal(f('%d %d', 42, -7), '42 -7');
  assert.equal(f('%f %.2f %.0f %f', 3.14159, 3.14159, 2.5, -1), '3.141590 3.14 2 -1.000000');
  assert.equal(f('%q', 'say "hi"\n'), '"say \\"hi\\"\\n"');
  assert.equal(f('%x %X %x %#x %x', 255, 255, 'hi', 255, -255), 'ff FF 6869 0xff -ff');
  assert.equal(f('% x|%#x', 'hi', 'hi'), '68 69|0x6869');
  assert.equal(f('%t %t', true, false), 'true false');
  assert.equal(f('100%%'), '100%');
});

test('flags, width and precision', () => {
  assert.equal(f('[%5s][%-5s][%.2s][%5.1s]', 'abc', 'abc', 'abc', 'abc'), '[  abc][abc  ][ab][    a]');
  assert.equal(f('[%05d][%-5d][%+d][% d][%.3d][%+05d]', 42, 42, 42, 42, 7, -42), '[00042][42   ][+42][ 42][007][-0042]');
  assert.equal(f('[%8.3f][%-8.2f][%08.3f][%+.1f]', 3.14159, 2.5, -3.14159, 2), '[   3.142][2.50    ][-003.142][+2.0]');
  assert.equal(f('[%6x][%06x]', 255, 255), '[    ff][0000ff]');
  assert.equal(f('[%3s]', 'é😀'), '[ é😀]', 'width counts characters');
  assert.equal(f('%f', 1e21), '1000000000000000000000.000000');
  assert.equal(f('%.0f %.0f %.0f %.2f %.2f %.1f', 0.5, 1.5, 2.5, 0.125, 0.375, 0.25), '0 2 2 0.12 0.38 0.2', 'exact ties round to even');
  assert.equal(f('%.2f %.1f', 1.005, 0.35), '1.00 0.3', 'near-ties round by their exact value');
  assert.equal(f('%d', 2 ** 60), '1152921504606846976');
});

function fails(pattern: RegExp, argIndex: number, template: string, ...args: Value[]) {
  assert.throws(() => f(template, ...args), (e) => e instanceof FormatError && pattern.test(e.message) && e.argIndex === argIndex);
}

test('a verb without an argument, or an argument without a verb, is an error', () => {
  fails(/the 2nd verb %s has no argument \(1 argument given\)/, -1, '%s-%s', 'a');
  fails(/1 argument is left over: the template has 1 verb for 2 arguments/, 1, '%s', 'a', 'b');
  fails(/2 arguments are left over: the template has 0 verbs for 2 arguments/, 0, 'plain', 'a', 'b');
});

test('a value of the wrong type for its verb is an error naming the argument', () => {
  fails(/%d needs an integer, got string "x"/, 0, '%d', 'x');
  fails(/%d needs an integer, got number 2.5/, 1, '%s %d', 'a', 2.5);
  fails(/%t needs a bool, got number 1/, 0, '%t', 1);
  fails(/%f needs a number, got nil/, 0, '%f', null);
  fails(/%q needs a string/, 0, '%q', 1);
  fails(/%x needs a string or an integer, got number 1.5/, 0, '%x', 1.5);
});

test('unknown verbs, incomplete verbs and unsupported forms are errors', () => {
  fails(/unknown verb %y/, -1, '%y', 1);
  fails(/ends with an incomplete verb '%-5'/, -1, 'abc %-5');
  fails(/'\*' in a verb/, -1, '%*d', 5, 1);
  fails(/'\[' in a verb/, -1, '%[1]d', 5);
  fails(/the # flag is not supported with %d/, -1, '%#d', 5);
  fails(/precision 101 is larger than 100/, -1, '%.101f', 1);
  assert.throws(() => goSprintf('%2000s', ['a'], 1000), /width or precision in %s is too large/);
});
