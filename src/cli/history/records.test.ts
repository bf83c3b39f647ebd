// The records a deploy keeps, when the stack's checkpoint and its records disagree: an older
// export imported (the deployment count goes back) never makes a deploy reuse a snapshot id,
// and records this version cannot read stop a deploy before anything is created.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnapshotStore } from '../../history/index.ts';
import type { Snapshot } from '../../history/index.ts';
import { openStateStore, setStackOutputs } from '../../state/index.ts';
import type { PropertyMap } from '../../state/index.ts';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
import { HistoryEnv, PASSPHRASE } from './testing.ts';

const seeds = join(import.meta.dirname, '../../../test/fixtures/config/seeds');
let unregister: () => void;
before(() => {
  unregister = registerSimulatedClouds();
});
after(() => unregister());

/** A copy of the dev seed with one more worker pool: a second, different deployment. */
function bigger(e: HistoryEnv): string {
  const file = join(e.dir, 'bigger.lisp');
  writeFileSync(file, readFileSync(join(seeds, 'development.lisp'), 'utf8').replace('(size "s-4vcpu-8gb")))', '(size "s-4vcpu-8gb"))\n    (extra\n      (name "extra")\n      (provider "digitalocean")\n      (count 1)\n      (roles worker)\n      (size "s-2vcpu-4gb")))'));
  return file;
}

test('an older export imported rewinds the deployment count; the next deploy takes a number no snapshot holds and overwrites none', async () => {
  const e = new HistoryEnv(undefined);
  try {
    const v1 = join(seeds, 'development.lisp');
    const v2 = bigger(e);
    assert.equal((await e.run(['stacks', 'create', 'dev-cluster'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', v1, '--yes'])).code, 0);
    const exported = await e.run(['stacks', 'export', 'dev-cluster']);
    assert.equal(exported.code, 0, exported.stderr);
    const file = join(e.dir, 'after-first.json');
    writeFileSync(file, exported.stdout);
    assert.equal((await e.run(['deploy', '--config', v2, '--yes'])).code, 0);
    const before = (await e.records('dev-cluster')).snapshots;
    assert.deepEqual(before.map((s) => s.deploymentId.replace(/-\d{4}-\d\d-\d\d$/, '')), ['deploy-1', 'deploy-2']);

    const imported = await e.run(['stacks', 'import', 'dev-cluster', file, '--force']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal((await e.records('dev-cluster')).meta!.deploymentCount, 1, 'the import rewound the record');

    const again = await e.run(['deploy', '--config', v2, '--yes']);
    assert.equal(again.code, 0, again.stderr);
    const rec = await e.records('dev-cluster');
    assert.match(rec.meta!.deploymentId, /^deploy-3-/);
    assert.equal(rec.snapshots.length, 3);
    assert.equal(new Set(rec.snapshots.map((s) => s.id)).size, 3);
    assert.equal(rec.meta!.stateSnapshotId, rec.snapshots.find((s) => s.deploymentId === rec.meta!.deploymentId)!.id);
    for (const s of before) assert.deepEqual(rec.snapshots.find((x) => x.id === s.id), s, `${s.id} is untouched`);
  } finally {
    e.cleanup();
  }
});

test('a snapshot id already taken gets the next free suffix; the one there stays', async () => {
  const e = new HistoryEnv(undefined);
  try {
    assert.equal((await e.run(['stacks', 'create', 'dev-cluster'])).code, 0);
    const store = await openStateStore({ env: e.env, homedir: e.dir, cwd: e.dir });
    try {
      const stack = await store.openStack('dev-cluster', { passphrase: async () => PASSPHRASE });
      const snapshots = new SnapshotStore(stack.attachments);
      const s = { id: 'state-deploy-1-2026-11-23-abc', deploymentId: 'deploy-1-2026-11-23', parentId: 'first' } as Partial<Snapshot> as Snapshot;
      assert.equal(await snapshots.create(s), 'state-deploy-1-2026-11-23-abc');
      assert.equal(await snapshots.create({ ...s, parentId: 'second' }), 'state-deploy-1-2026-11-23-abc-2');
      assert.equal(await snapshots.create({ ...s, parentId: 'third' }), 'state-deploy-1-2026-11-23-abc-3');
      assert.equal((await snapshots.get('state-deploy-1-2026-11-23-abc'))!.parentId, 'first');
      assert.equal((await snapshots.get('state-deploy-1-2026-11-23-abc-2'))!.id, 'state-deploy-1-2026-11-23-abc-2');
    } finally {
      store.close();
    }
  } finally {
    e.cleanup();
  }
});

test('deployment metadata from a newer version stops a deploy or rollback that changes something before anything changes; the stack is as it was', async () => {
  const e = new HistoryEnv(undefined);
  try {
    assert.equal((await e.run(['stacks', 'create', 'dev-cluster'])).code, 0);
    const v1 = join(seeds, 'development.lisp');
    assert.equal((await e.run(['deploy', '--config', v1, '--yes'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', bigger(e), '--yes'])).code, 0);
    const first = (await e.records('dev-cluster')).snapshots[0]!;
    const store = await openStateStore({ env: e.env, homedir: e.dir, cwd: e.dir });
    try {
      await store.editStack('dev-cluster', { passphrase: async () => PASSPHRASE, message: 'test: metadata of a newer version' }, (d) => {
        const put = setStackOutputs(d, 'dev-cluster', { deploymentMeta: { schemaVersion: '9.0', deploymentCount: 7 } as PropertyMap });
        if (put.op !== 'put') throw new Error('expected a put');
        return { resources: d.resources.map((r) => (r.urn === put.resource.urn ? put.resource : r)), changes: ['deploymentMeta'], unfixable: [] };
      });
    } finally {
      store.close();
    }
    const resources = (await e.records('dev-cluster')).stack.deployment.resources.length;

    const deploy = await e.run(['deploy', '--config', v1, '--yes']);
    assert.equal(deploy.code, 1);
    assert.match(deploy.stderr, /refusing to deploy: stack 'dev-cluster' holds deployment metadata this version cannot read \(.*schema version 9\.0.*\); nothing was changed/);
    assert.match(deploy.stderr, /upgrade sloth-kubernetes/);
    assert.match(deploy.stdout, /Previewing update/, 'the preview is shown; nothing after it runs');
    const rollback = await e.run(['rollback', 'dev-cluster', '--to', first.deploymentId, '--yes', '--allow-destroy']);
    assert.equal(rollback.code, 1, rollback.stdout + rollback.stderr);
    assert.match(rollback.stderr, /refusing to rollback: stack 'dev-cluster' holds deployment metadata/);

    const rec = await e.records('dev-cluster');
    assert.equal(rec.stack.deployment.resources.length, resources, 'no resource added');
    assert.equal(rec.snapshots.length, 2, 'no snapshot added');
  } finally {
    e.cleanup();
  }
});
