// Behaviour of the built-ins beyond their documented examples: edge cases and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Interpreter } from '../interpreter.ts';
import type { EvalOptions } from '../options.ts';
import { printValue } from '../printer.ts';
import { read } from '../reader.ts';
import { LispError } from '../types.ts';

function run(text: string, options: Partial<EvalOptions> = {}): string {
  const it = new Interpreter({ env: {}, baseDir: '/tmp', ...options });
  return it.evalProgram(read(text, 'b.lisp')).map((v) => printValue(v)).join(' ');
}

function fails(text: string, pattern: RegExp, options: Partial<EvalOptions> = {}): LispError {
  try {
    run(text, options);
  } catch (err) {
    assert.ok(err instanceof LispError, `expected a LispError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return err;
  }
  assert.fail(`expected ${text} to fail`);
}

test('concat/str: nil is "", numbers and bools print, lists are refused', () => {
  assert.equal(run('(concat "a" nil 1 2.5 true) (str) (concat "x" (env "UNSET"))'), '"a12.5true" "" "x"');
  fails('(concat "a" (list 1))', /b\.lisp:1:13: concat: argument 2 must be a string, number, bool or nil \(not a list\), got list \(1\)/);
});

test('string functions count characters, not bytes', () => {
  assert.equal(run('(substring "héllo😀" 1 6) (len "héllo😀") (substring "abc" 1) (upper "straße")'), '"éllo😀" 6 "bc" "STRASSE"');
  fails('(substring "abc" 2 1)', /end 1 is before start 2/);
  fails('(substring "abc" 0 9)', /b\.lisp:1:20: substring: end 9 is past the end of the string \(length 3\)/);
  fails('(substring "abc" -1 2)', /must not be negative/);
  fails('(substring "abc" 1.5)', /argument 2 must be an integer, got number 1.5/);
});

test('split, join, replace', () => {
  assert.equal(run('(split "abc" "") (split "" ",") (split "a--b" "-")'), '("a" "b" "c") ("") ("a" "" "b")');
  assert.equal(run('(join (list "a" 1 true nil) ",") (join (list "a" "b")) (join nil "-")'), '"a,1,true," "ab" ""');
  fails('(join (list (list 1)) ",")', /join: argument 1 must be a list of strings/);
  assert.equal(run('(replace "aaa" "a" "bb") (replace "ab" "" "-") (replace "x" "y" "z")'), '"bbbbbb" "-a-b-" "x"');
});

test('lists: first/rest on empty, nth bounds, len of nil, append of non-lists, range forms', () => {
  assert.equal(run('(first (list)) (rest (list)) (first nil) (len nil) (append (list 1) 2 nil (list 3 4)) (append)'), 'nil () nil 0 (1 2 3 4) ()');
  assert.equal(run('(range 0) (range 3 6) (range 10 0 -3) (range 5 1)'), '() (3 4 5) (10 7 4 1) ()');
  fails('(nth (list 1 2) 2)', /nth: index 2 is out of range for a list of length 2/);
  fails('(range 1 5 0)', /step must not be 0/);
  fails('(first "abc")', /first: argument 1 must be a list, got string "abc"/);
  fails('(len 5)', /len: argument 1 must be a list or a string/);
  fails('(range 20000000)', /range: result would have 20000000 elements, more than the limit of 10000000/);
});

test('type checks and conversions', () => {
  assert.equal(run('(list (string? 1) (number? "1") (bool? nil) (list? nil) (nil? false) (empty? (list)) (empty? 0) (empty? nil))'), '(false false false false false true false true)');
  assert.equal(run('(to-string nil) (to-string (list 1 "a")) (to-string true) (to-string 2.5)'), '"" "(1 \\"a\\")" "true" "2.5"');
  assert.equal(run('(to-int 3.7) (to-int -3.7) (to-int " 12 ") (to-int "3.9") (to-int true) (to-int "-5")'), '3 -3 12 3 1 -5');
  fails('(to-int "abc")', /to-int: cannot convert "abc" to an integer/);
  fails('(to-int nil)', /to-int: argument 1 must be a number, a string of digits or a bool, got nil/);
  assert.equal(run('(to-bool "false") (to-bool "T") (to-bool "1") (to-bool "") (to-bool 0) (to-bool 2) (to-bool nil)'), 'false true true false false true false');
  fails('(to-bool "maybe")', /cannot convert "maybe" to a bool/);
});

test('encoding: base64 round trip over UTF-8, bad base64 and non-text are errors', () => {
  assert.equal(run('(base64-decode (base64-encode "héllo 😀")) (base64-decode "aGVs\\nbG8") (base64-encode "")'), '"héllo 😀" "hello" ""');
  fails('(base64-decode "a$b=")', /b\.lisp:1:16: base64-decode: not valid base64/);
  fails('(base64-decode "/w==")', /not UTF-8 text/);
  assert.equal(run('(sha256 "")'), '"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"');
});

test('uuid and random-string use the injected CSPRNG, and are real by default', () => {
  const a = run('(uuid)');
  assert.match(a, /^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$/);
  assert.notEqual(run('(uuid)'), a);
  const s = JSON.parse(run('(random-string 64)')) as string;
  assert.match(s, /^[A-Za-z0-9]{64}$/);
  assert.equal(run('(random-string 0)'), '""');
  // Bytes at or above 248 would bias the alphabet: they are skipped.
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 255 : 61));
  assert.equal(run('(random-string 3)', { randomBytes: bytes }), '"999"');
  fails('(random-string -1)', /must not be negative/);
  fails('(random-string 2000000)', /length 2000000 is larger than the limit of 1048576/);
});

test('files: ~ and relative paths resolve against the home and the config directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-lisp-'));
  mkdirSync(join(dir, 'home'));
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'home', 'key.pub'), 'ssh-ed25519 AAAA test\n');
  writeFileSync(join(dir, 'conf', 'token.txt'), 'secret-token');
  writeFileSync(join(dir, 'conf', 'binary.bin'), Buffer.from([0xff, 0xfe]));
  const opts = { baseDir: join(dir, 'conf'), homedir: () => join(dir, 'home') };
  assert.equal(run('(read-file "~/key.pub") (read-file "token.txt") (trim (read-file "./token.txt"))', opts), '"ssh-ed25519 AAAA test\\n" "secret-token" "secret-token"');
  assert.equal(run('(file-exists? "token.txt") (file-exists? "nope") (file-exists? "~")', opts), 'true false true');
  assert.equal(run('(expand-path "~/x") (expand-path "a/../b") (expand-path "/etc/../etc/hosts")', opts), `${JSON.stringify(join(dir, 'home', 'x'))} ${JSON.stringify(join(dir, 'conf', 'b'))} "/etc/hosts"`);
  const missing = fails('(read-file "missing.txt")', /b\.lisp:1:12: read-file: cannot read 'missing.txt' \(.*conf\/missing\.txt\): no such file/, opts);
  assert.match(missing.hint!, /relative to the directory of the file being evaluated/);
  fails('(read-file "~")', /is a directory, not a file/, opts);
  fails('(read-file "binary.bin")', /is not UTF-8 text/, opts);
  fails('(read-file "token.txt")', /is 12 bytes, more than the limit of 5/, { ...opts, limits: { maxFileSize: 5 } });
  assert.equal(run('(dirname "c.txt") (basename "/a/b/") (dirname "/")'), '"." "b" "/"');
});

test('regex: RE2 syntax, groups that did not match are nil, bad patterns point at the pattern', () => {
  assert.equal(run('(match "v([0-9]+)(-rc)?" "v1.29") (match "^x" "abc") (match? "(?i)PROD" "production") (match "(\\\\d+)\\\\.(\\\\d+)" "v1.29")'), '("v1" "1" nil) nil true ("1.29" "1" "29")');
  const bad = fails('(match "a(b" "ab")', /b\.lisp:1:8: match: bad regular expression: missing closing \)/);
  assert.match(bad.hint!, /RE2 syntax/);
  fails('(match? "(a)\\\\1" "aa")', /bad regular expression: invalid escape sequence/);
  fails('(match? 1 "a")', /match\?: argument 1 must be a string, got number 1/);
});

test('regex: a catastrophic-backtracking pattern runs in linear time', () => {
  assert.equal(run(`(match? "(a+)+$" "${'a'.repeat(50_000)}b")`), 'false');
});

test('system look-ups come from the injected hooks', () => {
  assert.equal(
    run('(list (hostname) (user) (home) (cwd))', { hostname: () => 'h', username: () => 'u', homedir: () => '/h', cwd: '/c' }),
    '("h" "u" "/h" "/c")',
  );
  assert.equal(run('(home)', { env: { HOME: '/from/env' } }), '"/from/env"', 'HOME comes from the env passed in');
});

test('time: now/timestamp/date/time from the injected clock and TZ', () => {
  const at = { now: () => new Date('2026-07-04T23:30:05.250Z') };
  assert.equal(run('(now) (timestamp)', at), '"2026-07-04T23:30:05Z" 1783207805');
  assert.equal(run('(date) (time)', { ...at, env: { TZ: 'UTC' } }), '"2026-07-04" "23:30:05"');
  assert.equal(run('(date) (time "15:04 MST")', { ...at, env: { TZ: 'Asia/Tokyo' } }), '"2026-07-05" "08:30 JST"');
  assert.equal(run('(time "15:04 -07:00")', { ...at, env: { TZ: ':America/New_York' } }), '"19:30 -04:00"');
  assert.equal(run('(time)', { ...at, env: { TZ: '' } }), '"23:30:05"', 'an empty TZ is UTC');
  const bad = fails('(date)', /b\.lisp:1:1: TZ=Mars\/Base is not a time zone this system knows/, { ...at, env: { TZ: 'Mars/Base' } });
  assert.match(bad.hint!, /IANA/);
});
