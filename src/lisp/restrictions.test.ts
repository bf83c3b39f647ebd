import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Interpreter } from './interpreter.ts';
import type { EvalOptions } from './options.ts';
import { printValue } from './printer.ts';
import { read } from './reader.ts';
import { GUARDED_BUILTINS } from './restrictions.ts';
import { LispError } from './types.ts';
import { RE2JS } from 're2js';
import { COMPILE_COST } from './builtins/regex.ts';

const env = { AWS_REGION: 'eu-west-1', SECRET: 's3cr3t', TZ: 'Asia/Tokyo' };

function restricted(allow: string[], extra: Partial<EvalOptions> = {}) {
  return new Interpreter({
    env,
    baseDir: '/etc',
    restricted: { allow },
    hostname: () => 'h',
    username: () => 'u',
    homedir: () => '/home/u',
    cwd: '/w',
    now: () => new Date('2026-01-05T20:00:00Z'),
    ...extra,
  });
}

function run(it: Interpreter, text: string): string {
  return it.evalProgram(read(text, 'r.lisp')).map((v) => printValue(v)).join(' ');
}

function refused(it: Interpreter, text: string): LispError {
  try {
    run(it, text);
  } catch (err) {
    assert.ok(err instanceof LispError);
    assert.equal(err.code, 'restricted');
    return err;
  }
  assert.fail(`${text} was allowed`);
}

test('restricted mode refuses every env, file and system built-in by default, with a clear error', () => {
  const it = restricted([]);
  const calls: Record<string, string> = {
    env: '(env "AWS_REGION")', getenv: '(getenv "AWS_REGION")', 'env-or': '(env-or "AWS_REGION" "x")', 'env?': '(env? "AWS_REGION")',
    'read-file': '(read-file "hosts")', 'file-exists?': '(file-exists? "hosts")', 'expand-path': '(expand-path "~")',
    hostname: '(hostname)', user: '(user)', home: '(home)', cwd: '(cwd)',
  };
  assert.deepEqual(Object.keys(calls).sort(), [...GUARDED_BUILTINS].sort());
  for (const [name, text] of Object.entries(calls)) {
    const err = refused(it, text);
    assert.match(err.message, /^r\.lisp:1:1: /);
    assert.match(err.message, new RegExp(`${name.replace('?', '\\?')}`));
    assert.match(err.hint!, /allow-list entry/);
  }
  const e = refused(it, '(env "SECRET")');
  assert.equal(e.message, "r.lisp:1:1: env: reading environment variable 'SECRET' is not allowed in restricted mode");
  assert.equal(e.hint, 'allow it with the allow-list entry "env:SECRET" (or "env" for every variable), e.g. --allow env:SECRET');
  const f = refused(it, '(read-file "/etc/passwd")');
  assert.equal(f.message, 'r.lisp:1:1: read-file is not allowed in restricted mode');
});

test('a refused built-in in a branch not taken does not stop evaluation', () => {
  assert.equal(run(restricted([]), '(if false (env "SECRET") "safe")'), '"safe"');
});

test('allow-list: single variables, whole built-ins, and getenv/env as one', () => {
  const one = restricted(['env:AWS_REGION']);
  assert.equal(run(one, '(env "AWS_REGION") (getenv "AWS_REGION") (env? "AWS_REGION") (env-or "AWS_REGION" "x")'), '"eu-west-1" "eu-west-1" true "eu-west-1"');
  refused(one, '(env "SECRET")');
  assert.equal(run(restricted(['getenv']), '(env "SECRET")'), '"s3cr3t"');
  assert.equal(run(restricted(['env?']), '(env? "SECRET")'), 'true');
  refused(restricted(['env?']), '(env "SECRET")');
  assert.equal(run(restricted(['hostname', 'file-exists?']), '(hostname) (file-exists? "hosts")'), '"h" true');
  refused(restricted(['hostname']), '(user)');
});

test('pure built-ins (dirname, basename, now, …) work in restricted mode', () => {
  assert.equal(run(restricted([]), '(dirname "/a/b") (basename "/a/b") (now) (upper "x")'), '"/a" "b" "2026-01-05T20:00:00Z" "X"');
});

test('date and time use UTC in restricted mode unless TZ may be read', () => {
  assert.equal(run(restricted([]), '(time "15:04 MST")'), '"20:00 UTC"');
  assert.equal(run(restricted(['env:TZ']), '(time "15:04 MST")'), '"05:00 JST"');
});

test('unknown allow-list entries are rejected, not ignored', () => {
  assert.throws(() => restricted(['shell']), (e) => e instanceof LispError && /unknown allow-list entry 'shell'/.test(e.message) && /env:NAME/.test(e.hint!));
  assert.throws(() => restricted(['env:']), /bad allow-list entry 'env:'/);
  assert.throws(() => restricted(['concat']), /unknown allow-list entry 'concat'/);
});

test('restricted mode bounds sizes so a hostile file cannot exhaust the process', () => {
  const it = restricted([]);
  assert.match(refusedSize(it, '(range 1000000)'), /range: result would have 1000000 elements, more than the limit of 100000/);
  assert.match(refusedSize(it, '(random-string 5000)'), /length 5000 is larger than the limit of 1024/);
  assert.match(refusedSize(it, `(match? "${'a'.repeat(1001)}" "a")`), /the pattern is 1001 characters, more than the limit of 1000/);
  // Doubling a string: stops at 1 MiB instead of growing to gigabytes.
  const doubling = '(set "s" "0123456789abcdef")' + '(set "s" (concat s s))'.repeat(40);
  assert.match(refusedSize(it, doubling), /concat: the result would be longer than 1048576 characters/);
  assert.match(refusedSize(it, '(set "l" (range 60000)) (append l l)'), /append: result would have 120000 elements/);
  assert.match(refusedSize(it, '(format "%2000000s" "x")'), /too large/);
  assert.match(refusedSize(it, '(set "x" (format "%1000s" "")) (replace (format "%2000s" "") " " x)'), /replace: the result would be longer/);
  assert.match(refusedSize(restricted(['read-file']), '(read-file "/dev/zero")'), /read-file: '\/dev\/zero' \(\/dev\/zero\) is not a regular file/);
});

function refusedSize(it: Interpreter, text: string): string {
  try {
    run(it, text);
  } catch (err) {
    assert.ok(err instanceof LispError, String(err));
    return err.message;
  }
  assert.fail(`${text.slice(0, 40)} was allowed`);
}

test('restricted mode bounds values that repeat a big list, and the total work of a file', () => {
  const it = restricted([]);
  // Each level holds the one below ten times: 10^k elements reachable from k short lines.
  const levels = ['(set "l0" (range 1000))'];
  for (let k = 1; k <= 6; k++) levels.push(`(set "l${k}" (list ${`l${k - 1} `.repeat(10)}))`);
  assert.match(refusedSize(it, levels.join('\n')), /list: the result is too large \(\d+ elements and characters, the limit is 16777216\)/);
  // A data form embedding such a value is measured too.
  assert.match(refusedSize(restricted([]), `${levels.slice(0, 5).join('\n')} (cluster (x l4 l4 l4 l4 l4 l4 l4 l4 l4 l4 l4 l4 l4 l4 l4 l4 l4 l4 l4 l4))`), /r\.lisp:5:\d+: x: the result is too large/);
  // Repeating affordable work until the budget runs out.
  const repeat = '(set "s" (format "%100000s" "")) ' + '(len s) '.repeat(600);
  assert.match(refusedSize(restricted([]), repeat), /evaluation needs more work than the limit of 50000000 units/);
  // A printed error never renders a huge value in full.
  const err = refusedSize(restricted([], { limits: { maxValueSize: Infinity, maxWork: Infinity } }), `${levels.join('\n')} (upper l6)`);
  assert.ok(err.length < 300, err);
});

test('an ordinary configuration is far inside the restricted budgets', () => {
  const it = restricted(['env:AWS_REGION']);
  const pools = Array.from({ length: 2000 }, (_, i) => `(p${i} (name (format "pool-%04d" ${i})) (region (env "AWS_REGION")) (count (+ 1 ${i % 5})) (roles worker))`);
  assert.doesNotThrow(() => run(it, `(cluster (node-pools ${pools.join(' ')}))`));
});

test('a regex is charged its program size, compiled and times the input, before it runs', { timeout: 60_000 }, () => {
  // The case that took 234 s of CPU: a 990-character pattern of 178,824 instructions against
  // 65,000 characters. It is refused before matching starts.
  const pattern = `${'(?:a?){999}'.repeat(89)}(?:a){999}$`;
  const it = restricted([]);
  assert.throws(
    () => run(it, `(len (match "${pattern}" "${'a'.repeat(65_000)}"))`),
    (e: unknown) =>
      e instanceof LispError &&
      e.message === 'r.lisp:1:6: match: matching 65,000 characters against a pattern of 178,824 instructions needs more work than is left of the limit of 50000000 units' &&
      /program size .* times the input's length/.test(e.hint ?? ''),
  );
  // The charge: COMPILE_COST units per instruction compiled, one per character (and one more) per instruction matched.
  const used = (text: string) => {
    const i = restricted([], { limits: { maxWork: 1e12 } });
    const before = (i as unknown as { workLeft: number }).workLeft;
    run(i, text);
    return before - (i as unknown as { workLeft: number }).workLeft;
  };
  const size = RE2JS.compile('^v([0-9]+)$').programSize();
  const small = used('(match? "^v([0-9]+)$" "v123")');
  assert.ok(small >= size * (COMPILE_COST + 5), `${small} units`);
  // Each character more costs the program size, plus the one every argument character costs.
  assert.equal(used(`(match? "^v([0-9]+)$" "v${'1'.repeat(1003)}")`) - small, 1000 * (size + 1));
  // A pattern that repeats the same work with fresh patterns (the cache does not help) runs out too.
  const fresh = Array.from({ length: 60 }, (_, k) => `(match? (concat "${'(?:a?){999}'.repeat(40)}" "${k}") "b")`).join(' ');
  assert.throws(() => run(restricted([]), fresh), /match\?: compiling a pattern of [\d,]+ instructions needs more work than is left/);
  // An ordinary use stays cheap: 2,000 matches of a short pattern on short strings.
  assert.ok(used(Array.from({ length: 2000 }, (_, k) => `(match? "^pool-[0-9]{4}$" "pool-${k}")`).join(' ')) < 5_000_000);
});
