import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, formatDiagnostic } from './diagnostics.ts';
import { load, withSections } from './testing.ts';

function failure(text: string): ConfigError {
  try {
    load(text);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail('expected the configuration to fail');
}

test('FILE:LINE:COL: error: message, the source line, a caret under the column', () => {
  const err = failure(withSections({ providers: '(providers (aws (regoin "us-east-1")))' }));
  assert.equal(
    err.display,
    [
      `test.lisp:3:20: error: unknown key 'regoin' in providers.aws; did you mean 'region'?`,
      ` 3 |   (providers (aws (regoin "us-east-1")))`,
      `   |                    ^`,
      `   hint: keys here: enabled, region, access-key-id, secret-access-key, session-token, vpc, security-groups, key-pair, iam-role`,
      'test.lisp: 1 error in the configuration',
    ].join('\n'),
  );
  assert.equal(err.exitCode, 1);
});

test('every error is listed, in source order', () => {
  const err = failure(`(cluster
  (metadata (name "x") (owner 5))
  (node-pools (masters (count "1"))))`);
  const lines = err.display.split('\n').filter((l) => /^test\.lisp:\d+:\d+: error:/.test(l));
  assert.deepEqual(lines, [
    `test.lisp:2:31: error: 'metadata.owner' expects a string, got the integer 5`,
    `test.lisp:3:31: error: 'node-pools.masters.count' expects an integer, got the string "1"`,
  ]);
  assert.match(err.display, /2 errors in the configuration$/);
  assert.equal(err.message, `test.lisp: 2 errors in the configuration: 2:31: 'metadata.owner' expects a string, got the integer 5 (and 1 more)`);
});

test('tabs before the column are kept so the caret lines up', () => {
  const text = formatDiagnostic(
    { severity: 'error', message: 'm', pos: { file: 'f', line: 1, col: 3 } },
    new Map([['f', '\t\t(x)']]),
  );
  assert.equal(text, 'f:1:3: error: m\n 1 | \t\t(x)\n   | \t\t^');
});

test('a diagnostic on a secret does not quote its line', () => {
  const err = failure(withSections({ providers: '(providers (aws (region "us-east-1") (secret-access-key "abc" "def")))' }));
  assert.ok(!err.display.includes('abc'), err.display);
  assert.match(err.display, /source line not shown: it holds a secret/);
});

test('a diagnostic without a position has no location prefix', () => {
  assert.equal(formatDiagnostic({ severity: 'warning', message: 'w', hint: 'h' }, new Map()), 'warning: w\n   hint: h');
});

test('a misspelt or repeated credential key does not quote its line either', () => {
  const misspelt = failure(withSections({ providers: '(providers (do (region "nyc3") (tokn "dop_v1_abcdef")))' }));
  assert.match(misspelt.display, /unknown key 'tokn' in providers\.digitalocean; did you mean 'token'\?/);
  assert.ok(!misspelt.display.includes('dop_v1_abcdef'), misspelt.display);
  const repeated = failure(withSections({ providers: '(providers (do (region "nyc3") (token "t1") (token "t2-secret")))' }));
  assert.ok(!repeated.display.includes('t2-secret'), repeated.display);
});
