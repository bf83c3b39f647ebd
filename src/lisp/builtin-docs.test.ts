import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DOC_PATH, renderedDoc } from './builtin-docs.ts';
import { BUILTINS } from './builtins/index.ts';

test('docs/lisp.md has the generated reference of every built-in, up to date', () => {
  const doc = readFileSync(DOC_PATH, 'utf8');
  assert.equal(doc, renderedDoc(doc), 'run: node src/lisp/builtin-docs.ts --write');
  for (const name of BUILTINS.keys()) assert.ok(doc.includes(`\`(${name}`), `docs/lisp.md does not show (${name} …)`);
});
