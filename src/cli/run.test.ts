import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { launcher, runInProcess, runProcess } from '../../test/helpers/cli.ts';

test('--help lists the commands and exits 0', async () => {
  const r = await runInProcess(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: sloth-kubernetes/);
  assert.match(r.stdout, /completion/);
});

test('an unknown command exits non-zero with a suggestion', async () => {
  const r = await runInProcess(['versoin']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown command 'versoin'/);
  assert.match(r.stderr, /Did you mean version\?/);
});

test('version --json reports the package version and a Node 24 runtime', async () => {
  const r = await runInProcess(['version', '--json']);
  assert.equal(r.code, 0);
  const info = JSON.parse(r.stdout) as { version: string; node: string };
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.ok(Number(info.node.split('.')[0]) >= 24);
});

for (const shell of ['bash', 'zsh', 'fish']) {
  test(`completion ${shell} prints a script that calls back into the CLI`, async () => {
    const r = await runProcess(['completion', shell]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sloth-kubernetes/);
    assert.match(r.stdout, /complete/);
  });
}

test('completion callback completes sub-commands', async () => {
  const r = await runProcess(['complete', '--', 'vers']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^version\t/m);
});

// The system Node on these machines is 20; `npm test` itself runs under the project's Node 24.
function systemNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.includes('node_modules')) continue;
    const candidate = join(dir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

test('the launcher runs the CLI under Node 24 even from an older system Node', async (t) => {
  const node = systemNode();
  if (!node) return t.skip('no system node on PATH');
  const r = spawnSync(node, [launcher, 'version', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Number((JSON.parse(r.stdout) as { node: string }).node.split('.')[0]) >= 24);
});
