import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../test/provider/harness.ts';
import type { EngineEvent } from './events.ts';

function graph(h: Harness) {
  const g = h.graph();
  g.resource('test:index:Thing', 'a', { size: 1, token: 'abcd-secret-token' }, { secretInputs: ['token'] });
  g.resource('test:index:Thing', 'b', { size: 2 });
  g.resource('test:index:Thing', 'c', { size: 3 });
  return g;
}

type Drift = Extract<EngineEvent, { type: 'drift' }>;

test('refresh with no drift reads every resource and changes nothing', async () => {
  const h = new Harness();
  try {
    await h.deploy(graph(h));
    const before = JSON.stringify(h.stack.deployment.resources);
    const r = await h.refresh();
    assert.equal(r.result, 'succeeded');
    assert.equal(r.drifted + r.gone, 0);
    assert.deepEqual(r.changes, { same: 3 });
    assert.equal(h.provider.stats.count('read'), 3);
    assert.equal(JSON.stringify(h.stack.deployment.resources), before);
    assert.equal(h.stack.entries.at(-1)!.kind, 'refresh');
  } finally {
    h.cleanup();
  }
});

test('refresh reports drift as a diff and stores it; a vanished resource is reported and dropped', async () => {
  const h = new Harness();
  try {
    await h.deploy(graph(h));
    const a = h.stack.resource('a')!;
    const b = h.stack.resource('b')!;
    const objA = h.cloud.get(a.id!)!;
    h.cloud.put({ ...objA, props: { ...objA.props, size: 10, token: 'changed-secret-value' } });
    h.cloud.remove(b.id!);
    const r = await h.refresh();
    assert.equal(r.result, 'succeeded');
    assert.equal(r.drifted, 1);
    assert.equal(r.gone, 1);
    const drift = h.events.filter((e): e is Drift => e.type === 'drift');
    const da = drift.find((d) => d.name === 'a')!;
    assert.equal(da.kind, 'changed');
    assert.deepEqual(da.changes, [
      { key: 'size', kind: 'update', old: 1, new: 10 },
      { key: 'token', kind: 'update', old: '[secret]', new: '[secret]' },
    ]);
    assert.equal(drift.find((d) => d.name === 'b')!.kind, 'gone');
    assert.doesNotMatch(JSON.stringify(h.events), /changed-secret-value|abcd-secret/);
    assert.equal(h.stack.resource('b'), undefined);
    assert.equal(h.stack.resource('a')!.outputs!.size, 10);
    assert.equal(h.stack.resource('a')!.inputs!.size, 10);
    // The next deploy puts back what the config says, and recreates b.
    const d = await h.deploy(graph(h));
    assert.deepEqual(d.changes, { update: 1, create: 1, same: 2 });
    assert.equal(h.cloud.get(a.id!)!.props.size, 1);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  } finally {
    h.cleanup();
  }
});

test('refresh --expect-no-changes fails on drift and stores nothing it read', async () => {
  const h = new Harness();
  try {
    await h.deploy(graph(h));
    const c = h.stack.resource('c')!;
    const obj = h.cloud.get(c.id!)!;
    h.cloud.put({ ...obj, props: { size: 99 } });
    const r = await h.refresh({ expectNoChanges: true });
    assert.equal(r.result, 'failed');
    assert.match(r.errors[0]!, /1 resource\(s\) drifted/);
    assert.equal(h.stack.resource('c')!.inputs!.size, 3);
    assert.equal(h.stack.entries.at(-1)!.result, 'failed');
  } finally {
    h.cleanup();
  }
});

test('refresh --target reads only the named resources', async () => {
  const h = new Harness();
  try {
    await h.deploy(graph(h));
    const r = await h.refresh({ targets: ['urn:pulumi:dev::sloth-kubernetes::test:index:Thing::b'] });
    assert.deepEqual(r.changes, { same: 1 });
    assert.equal(h.provider.stats.count('read'), 1);
    await assert.rejects(h.refresh({ targets: ['urn:pulumi:dev::sloth-kubernetes::test:index:Thing::zz'] }), /--target .*zz matches no resource/);
  } finally {
    h.cleanup();
  }
});

test('refresh --target --target-dependents also reads what depends on the targets', async () => {
  const h = new Harness();
  try {
    const g = h.graph();
    const a = g.resource('test:index:Thing', 'a', { size: 1 });
    g.resource('test:index:Thing', 'b', { parentArn: a.output('arn') });
    g.resource('test:index:Thing', 'c', { size: 3 });
    await h.deploy(g);
    const r = await h.refresh({ targets: [a.urn], targetDependents: true });
    assert.deepEqual(r.changes, { same: 2 });
    assert.deepEqual(h.provider.stats.calls.filter((c) => c.op === 'read').map((c) => c.name).sort(), ['a', 'b']);
  } finally {
    h.cleanup();
  }
});

test('a vanished resource that others still depend on is dropped without breaking the checkpoint', async () => {
  const h = new Harness();
  try {
    const g = h.graph();
    const vpc = g.resource('test:index:Thing', 'vpc', { cidr: '10.0.0.0/16' });
    g.resource('test:index:Thing', 'subnet', { vpcArn: vpc.output('arn') });
    await h.deploy(g);
    h.cloud.remove(h.stack.resource('vpc')!.id!);
    const sub = h.cloud.get(h.stack.resource('subnet')!.id!)!;
    h.cloud.put({ ...sub, props: { ...sub.props, extra: 1 } });
    const r = await h.refresh();
    assert.equal(r.gone, 1);
    assert.equal(r.drifted, 1);
    const subnet = h.stack.resource('subnet')!;
    assert.equal(subnet.dependencies, undefined);
    assert.equal(subnet.propertyDependencies, undefined);
    // The next deploy re-creates the vpc and points the subnet at it again.
    const d = await h.deploy(g);
    assert.equal(d.result, 'succeeded');
    assert.deepEqual(h.stack.resource('subnet')!.dependencies, [vpc.urn]);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  } finally {
    h.cleanup();
  }
});
