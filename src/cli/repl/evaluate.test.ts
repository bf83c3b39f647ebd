import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { cleanEnv, runInProcess, runProcess } from '../../../test/helpers/cli.ts';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/lisp/', import.meta.url));

test('eval --expr prints each top-level result in Lisp notation', async () => {
  const r = await runInProcess(['eval', '--expr', '"a\\"b" 42 2.5 true false nil (list 1 "x" (list)) (/ 7 2)']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '"a\\"b"\n42\n2.5\ntrue\nfalse\nnil\n(1 "x" ())\n3.5\n');
});

test('eval --expr is repeatable; the expressions share variables', async () => {
  const r = await runInProcess(['eval', '-e', '(set "x" 20)', '-e', '(* x 2)']);
  assert.equal(r.stdout, '20\n40\n');
});

test('eval FILE: a (cluster …) form is data with its values evaluated', async () => {
  const r = await runInProcess(['eval', `${fixtures}dynamic-cluster.lisp`], { env: cleanEnv({ CLUSTER_ENV: 'production', K8S_MINOR: '30' }) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    '"production"\n(cluster (metadata (name "cluster-production") (environment "production")) (providers (aws (enabled true) (region "us-east-1"))) (node-pools (masters (count 3) (roles master etcd) (size "t3.medium"))) (monitoring (enabled true)) (kubernetes (version "v1.30.0+rke2r1")))\n',
  );
  const dev = await runInProcess(['eval', `${fixtures}dynamic-cluster.lisp`]);
  assert.match(dev.stdout, /\(count 1\)/);
  assert.doesNotMatch(dev.stdout, /monitoring/);
});

test('eval FILE resolves relative paths against the file\'s directory, --expr against the working directory', async () => {
  const r = await runInProcess(['eval', 'lisp/read-relative.lisp'], { cwd: `${fixtures}..` });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '"token-from-file"\ntrue\n"token.txt"\n');
  const e = await runInProcess(['eval', '--expr', '(file-exists? "token.txt")'], { cwd: fixtures });
  assert.equal(e.stdout, 'true\n');
});

test('eval - reads standard input', async () => {
  const r = await runInProcess(['eval', '-'], { stdin: '(upper "piped")' });
  assert.equal(r.stdout, '"PIPED"\n');
});

test('errors: position, source line with a caret, hint, exit status 1; results before the error are printed', async () => {
  const r = await runInProcess(['eval', '--expr', '(+ 1 1)\n(list (concatt "a"))']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '2\n');
  assert.equal(r.stderr, "error: <expr>:2:8: unknown function 'concatt'\n  2 | (list (concatt \"a\"))\n    |        ^\ndid you mean 'concat'?\n");
});

test('syntax errors: unclosed list at its opening parenthesis, stray ), unterminated string', async () => {
  const unclosed = await runInProcess(['eval', '--expr', '(cluster\n  (name "x")\n  (count 3)']);
  assert.equal(unclosed.code, 1);
  assert.match(unclosed.stderr, /^error: <expr>:1:1: unclosed '\(': this list is never closed before the end of the input\n {2}1 \| \(cluster\n {4}\| \^\n/);
  const stray = await runInProcess(['eval', '--expr', '(list 1))']);
  assert.match(stray.stderr, /^error: <expr>:1:9: unexpected '\)' with no matching '\('/);
  const str = await runInProcess(['eval', '--expr', '(concat "abc)']);
  assert.match(str.stderr, /^error: <expr>:1:9: unterminated string/);
  assert.equal(str.stdout, '', 'nothing is evaluated when the text cannot be read');
});

test('a top-level form that looks like a misspelt built-in is data, with a note', async () => {
  const r = await runInProcess(['eval', '--expr', '(concatt "a" "b")']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '(concatt "a" "b")\n');
  assert.match(r.stderr, /note: <expr>:1:2: 'concatt' is not a built-in, so \(concatt …\) is printed as data; did you mean 'concat'\?/);
});

test('--restricted refuses env, files and system look-ups; --allow lets named ones through', async () => {
  const env = cleanEnv({ SLOTH_A: 'a', SLOTH_B: 'b' });
  const refused = await runInProcess(['eval', '--restricted', '--expr', '(env "SLOTH_A")'], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /env: reading environment variable 'SLOTH_A' is not allowed in restricted mode/);
  assert.match(refused.stderr, /--allow env:SLOTH_A/);
  const allowed = await runInProcess(['eval', '--restricted', '--allow', 'env:SLOTH_A,hostname', '--expr', '(env "SLOTH_A") (string? (hostname))'], { env });
  assert.equal(allowed.stdout, '"a"\ntrue\n');
  const implied = await runInProcess(['eval', '--allow', 'env:SLOTH_A', '--expr', '(env "SLOTH_B")'], { env });
  assert.equal(implied.code, 1, '--allow implies --restricted');
  const files = await runInProcess(['eval', '--restricted', `${fixtures}read-relative.lisp`]);
  assert.match(files.stderr, /read-file is not allowed in restricted mode/);
  const bad = await runInProcess(['eval', '--allow', 'shell', '--expr', '1']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown allow-list entry 'shell'/);
});

test('usage errors: nothing to evaluate, both a file and --expr, a missing file', async () => {
  const none = await runInProcess(['eval']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /nothing to evaluate: give a FILE or --expr EXPR/);
  const both = await runInProcess(['eval', 'x.lisp', '--expr', '1']);
  assert.match(both.stderr, /give either a FILE or --expr, not both/);
  const missing = await runInProcess(['eval', 'does-not-exist.lisp']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read does-not-exist\.lisp: no such file/);
});

test('as a real process: exit status and output', async () => {
  const ok = await runProcess(['eval', '--expr', '(sha256 "password")']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, '"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"\n');
  const bad = await runProcess(['eval', '--expr', '(/ 1 0)']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /<expr>:1:6: \/: division by zero/);
});
