// Every built-in's documented examples (the seed's tables, docs/lisp.md) evaluate to exactly
// the result shown, in a fixed world: environment, clock, randomness and machine facts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Interpreter } from '../interpreter.ts';
import { printValue } from '../printer.ts';
import { read } from '../reader.ts';
import type { EvalOptions } from '../options.ts';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/lisp/', import.meta.url));

/** Deterministic "random" bytes: SHA-256 in counter mode. */
export function fakeRandomBytes(): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 32) {
      const block = createHash('sha256').update(`block-${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, n - i)), i);
    }
    return out;
  };
}

export function exampleWorld(builtin: string): EvalOptions {
  return {
    env: { AWS_REGION: 'us-east-1', ENV: 'prod', NAME: 'web', TZ: 'UTC' },
    baseDir: fixtures,
    now: () => new Date(builtin === 'timestamp' ? '2025-01-05T12:00:00Z' : '2026-01-05T11:42:41Z'),
    randomUUID: () => '550e8400-e29b-41d4-a716-446655440000',
    randomBytes: fakeRandomBytes(),
    hostname: () => 'build-01',
    username: () => 'alice',
    homedir: () => (builtin === 'read-file' ? `${fixtures}home` : '/home/user'),
    cwd: '/home/user/clusters',
  };
}

const interp = new Interpreter(exampleWorld(''));
const names = interp.builtinNames();

test('there is a built-in for every function in the seed tables (and the aliases getenv, str)', () => {
  const seed = [
    'env', 'env-or', 'env?', 'getenv', 'concat', 'str', 'format', 'upper', 'lower', 'trim', 'replace', 'substring', 'split', 'join',
    'if', 'when', 'unless', 'cond', 'default', 'or', 'and', 'not', 'eq', '=', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', 'mod',
    'base64-encode', 'base64-decode', 'sha256', 'uuid', 'random-string', 'now', 'timestamp', 'date', 'time',
    'hostname', 'user', 'home', 'cwd', 'read-file', 'file-exists?', 'dirname', 'basename', 'expand-path',
    'let', 'set', 'var', 'list', 'first', 'rest', 'nth', 'len', 'append', 'range',
    'string?', 'number?', 'bool?', 'list?', 'nil?', 'empty?', 'to-string', 'to-int', 'to-bool', 'match', 'match?',
  ];
  for (const name of seed) assert.ok(interp.isBuiltin(name), `missing built-in ${name}`);
  assert.ok(!interp.isBuiltin('shell'), 'no built-in runs a command');
});

for (const name of names) {
  const b = interp.builtin(name)!;
  test(`${name}: documented examples give the documented results`, () => {
    assert.ok(b.examples.length > 0, `${name} has no example`);
    for (const [expr, expected] of b.examples) {
      const it = new Interpreter(exampleWorld(name));
      it.globals.define('x', 2);
      it.globals.define('count', 5);
      it.globals.define('region', 'us-east-1');
      const results = it.evalProgram(read(expr, '<example>'));
      assert.equal(printValue(results[results.length - 1]!), expected, expr);
    }
  });
}
