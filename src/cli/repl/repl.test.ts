import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runInProcess, runProcess } from '../../../test/helpers/cli.ts';

test('piped input: forms over several lines, one result per form, variables persist', async () => {
  const r = await runInProcess(['repl'], { stdin: '(set "x" 2)\n(+ x\n   40) (list "a"\n"b")\n\n(concat "a" "b")\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '2\n42\n("a" "b")\n"ab"\n');
  assert.equal(r.stderr, '');
});

test('piped input: an error is reported with its line and the session goes on; the exit status is 1', async () => {
  const r = await runInProcess(['repl'], { stdin: '(+ 1 2)\n\n(upper\n  1)\n(+ 2 2)\n' });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '3\n4\n');
  assert.equal(r.stderr, 'error: <repl>:4:3: upper: argument 1 must be a string, got number 1\n  4 |   1)\n    |   ^\nusage: (upper str)\n');
});

test('piped input: a stray parenthesis, and an entry left open at the end', async () => {
  const r = await runInProcess(['repl'], { stdin: '(+ 1 2))\n(list 1\n' });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /error: <repl>:1:8: unexpected '\)' with no matching '\('/);
  assert.match(r.stderr, /error: <repl>:2:1: unclosed '\(': this list is never closed/);
});

test(':help, :help NAME, :vars, unknown commands and :quit', async () => {
  const r = await runInProcess(['repl'], { stdin: ':help\n:help format cncat\n(set "region" "eu")\n:vars\n:hlep\n:quit\n(never evaluated)\n' });
  assert.equal(r.code, 1, 'the unknown command counts as an error');
  assert.match(r.stdout, /:help NAME/);
  assert.match(r.stdout, /Strings: {2,}concat str format/);
  assert.match(r.stdout, /\(format "template" args…\)\n {2}Go's fmt\.Sprintf/);
  assert.match(r.stdout, /no built-in named 'cncat'; did you mean 'concat'\?/);
  assert.match(r.stdout, /region = "eu"/);
  assert.doesNotMatch(r.stdout, /never/);
  assert.match(r.stderr, /unknown REPL command :hlep; did you mean ':help'\?/);
});

test('restricted mode applies to the REPL too', async () => {
  const r = await runInProcess(['repl', '--allow', 'env:SLOTH_OK'], { stdin: '(env "SLOTH_OK")\n(env "HOME")\n', env: cleanEnv({ SLOTH_OK: 'yes' }) });
  assert.equal(r.stdout, '"yes"\n');
  assert.match(r.stderr, /env: reading environment variable 'HOME' is not allowed in restricted mode/);
});

test('on a terminal: prompts, continuation lines, history saved to ~/.sloth-kubernetes/repl_history with mode 0600', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sloth-repl-'));
  const r = await runInProcess(['repl'], { tty: true, env: cleanEnv({ HOME: home }), stdin: '(concat "a"\n"b")\n(+ 1 2)\n:quit\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /sloth> /);
  assert.match(r.stdout, / {2}\.\.\.> /);
  assert.match(r.stdout, /"ab"/);
  assert.match(r.stdout, /\n3\n/);
  const file = join(home, '.sloth-kubernetes', 'repl_history');
  assert.equal(readFileSync(file, 'utf8'), '(concat "a"\n"b")\n(+ 1 2)\n:quit\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(join(home, '.sloth-kubernetes')).mode & 0o777, 0o700);
});

test('on a terminal: earlier history is loaded, and a looser history file is tightened to 0600', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sloth-repl-'));
  mkdirSync(join(home, '.sloth-kubernetes'));
  const file = join(home, '.sloth-kubernetes', 'repl_history');
  writeFileSync(file, '(list "old")\n');
  chmodSync(file, 0o644);
  // Up-arrow recalls the previous session's entry.
  const r = await runInProcess(['repl'], { tty: true, env: cleanEnv({ HOME: home }), stdin: '\u001b[A\n:quit\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\("old"\)/);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file, 'utf8'), '(list "old")\n:quit\n');
});

test('as a real process with piped input', async () => {
  const r = await runProcess(['repl'], { stdin: '(format "%s-%03d" "node" 7)\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '"node-007"\n');
});
