// The committed client types are what the generator makes from the contracts in the tree:
// a contract or operation list changed without regenerating fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('src/providers/*/openapi.d.ts are up to date (node scripts/gen-api-types.ts --check)', () => {
  const script = fileURLToPath(new URL('../../../scripts/gen-api-types.ts', import.meta.url));
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
