// nodes list: rows from the `nodes` output, in the order people read them, the answers for a
// stack with no nodes yet or no stack at all, and the stack named by a config's metadata.name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runInProcess } from '../../test/helpers/cli.ts';
import { nodeRows } from './nodes.ts';

describe('nodes list', () => {
  it('puts the bastion first and numbers in numeric order; missing fields become null', () => {
    const rows = nodeRows({
      'workers-10': { kind: 'node', roles: ['worker'], provider: 'aws', region: 'us-east-1', publicAddress: '1.2.3.10', privateAddress: '10.0.0.10', meshAddress: '10.8.0.10', joined: true },
      'workers-2': { kind: 'node', roles: ['worker'], provider: 'aws', region: 'us-east-1', publicAddress: null, privateAddress: '10.0.0.2', meshAddress: '10.8.0.2', joined: false },
      bastion: { kind: 'bastion', roles: [], provider: 'aws', region: 'us-east-1', publicAddress: '1.2.3.1', privateAddress: null, meshAddress: '10.8.0.1', joined: false, hostKey: 'ssh-ed25519 AAAA' },
    });
    assert.deepEqual(
      rows.map((r) => r.name),
      ['bastion', 'workers-2', 'workers-10'],
    );
    assert.equal(rows[1]!.publicAddress, null);
    assert.equal(rows[2]!.joined, true);
    assert.equal('hostKey' in rows[0]!, false);
    assert.deepEqual(nodeRows(undefined), []);
  });

  it('says a stack has no nodes yet, and names a stack that does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sloth-nodes-'));
    try {
      const env = cleanEnv({ PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: 'nodes passphrase' });
      assert.equal((await runInProcess(['stacks', 'create', 'empty', '--password-stdin'], { env, stdin: 'nodes passphrase\n' })).code, 0);
      const none = await runInProcess(['nodes', 'list', 'empty'], { env });
      assert.equal(none.code, 0);
      assert.match(none.stdout, /Stack 'empty' has no nodes yet/);
      const json = await runInProcess(['nodes', 'list', 'empty', '--json'], { env });
      assert.deepEqual(JSON.parse(json.stdout), []);
      const missing = await runInProcess(['nodes', 'list', 'nope'], { env });
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /nope/);

      // Like deploy: with --config the stack is the config's metadata.name ('lifecycle'), without
      // a name or a config the backend's only stack — here there are two.
      const config = join(import.meta.dirname, '../../test/fixtures/history/lifecycle-1-initial.lisp');
      const noLifecycle = await runInProcess(['nodes', 'list', '--config', config], { env });
      assert.notEqual(noLifecycle.code, 0);
      assert.match(noLifecycle.stderr, /'lifecycle'/);
      assert.equal((await runInProcess(['stacks', 'create', 'lifecycle'], { env })).code, 0);
      const byConfig = await runInProcess(['nodes', 'list', '-c', config], { env });
      assert.equal(byConfig.code, 0, byConfig.stderr);
      assert.match(byConfig.stdout, /Stack 'lifecycle' has no nodes yet/);
      const two = await runInProcess(['nodes', 'list'], { env });
      assert.notEqual(two.code, 0);
      assert.match(two.stderr, /2 stacks; name the one to use/);
      const badConfig = await runInProcess(['nodes', 'list', '--config', join(dir, 'absent.lisp')], { env });
      assert.notEqual(badConfig.code, 0);
      assert.match(badConfig.stderr, /absent\.lisp/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
