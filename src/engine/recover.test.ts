import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../test/provider/harness.ts';
import type { ResourceState } from '../state/types.ts';
import { urnTag } from './urn.ts';

const urn = (name: string) => `urn:pulumi:dev::sloth-kubernetes::test:index:Thing::${name}`;

async function deployed(h: Harness) {
  const g = h.graph();
  g.resource('test:index:Thing', 'a', { size: 1 });
  g.resource('test:index:Thing', 'b', { size: 2 });
  await h.deploy(g);
  return g;
}

test('a pending create whose object exists is adopted, not created twice', async () => {
  const h = new Harness();
  try {
    const g = await deployed(h);
    const provider = h.stack.deployment.resources.find((r) => r.type === 'pulumi:providers:test')!;
    // Simulate a crash after the cloud made c but before the result was recorded.
    h.cloud.put({ id: 'thing-orphan1', type: 'test:index:Thing', name: 'c', tag: urnTag(urn('c')), props: { size: 3 }, revision: 1 });
    const intent: ResourceState = { urn: urn('c'), custom: true, type: 'test:index:Thing', inputs: { size: 3 }, provider: `${provider.urn}::${provider.id}` };
    h.stack.deployment.pendingOperations.push({ type: 'creating', resource: intent });
    g.resource('test:index:Thing', 'c', { size: 3 });
    h.provider.stats.calls = [];
    const r = await h.deploy(g);
    assert.equal(r.result, 'succeeded');
    assert.equal(h.stack.resource('c')!.id, 'thing-orphan1');
    assert.equal(h.provider.stats.count('create', 'c'), 0);
    assert.equal(h.stack.deployment.pendingOperations.length, 0);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
    assert.ok(h.events.some((e) => e.type === 'diagnostic' && /interrupted create had made thing-orphan1/.test(e.message)));
  } finally {
    h.cleanup();
  }
});

test('a pending create of a replacement adopts the new object next to the old one, which is then deleted', async () => {
  const h = new Harness();
  try {
    await deployed(h);
    const a = h.stack.resource('a')!;
    h.cloud.put({ id: 'thing-newhalf', type: 'test:index:Thing', name: 'a', tag: urnTag(urn('a')), props: { size: 1, zone: 'z9' }, revision: 1 });
    h.stack.deployment.pendingOperations.push({ type: 'creating', resource: { ...a, id: undefined, inputs: { size: 1, zone: 'z9' }, outputs: {} } });
    h.provider.stats.calls = [];
    const g = h.graph();
    g.resource('test:index:Thing', 'a', { size: 1, zone: 'z9' });
    g.resource('test:index:Thing', 'b', { size: 2 });
    const r = await h.deploy(g);
    assert.equal(r.result, 'succeeded');
    assert.equal(h.stack.resource('a')!.id, 'thing-newhalf');
    assert.equal(h.cloud.get(a.id!), undefined);
    assert.equal(h.provider.stats.count('create', 'a'), 0);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  } finally {
    h.cleanup();
  }
});

test('a pending create that made nothing is settled and the resource created', async () => {
  const h = new Harness();
  try {
    const g = await deployed(h);
    const provider = h.stack.deployment.resources.find((r) => r.type === 'pulumi:providers:test')!;
    h.stack.deployment.pendingOperations.push({ type: 'creating', resource: { urn: urn('c'), custom: true, type: 'test:index:Thing', inputs: { size: 3 }, provider: `${provider.urn}::${provider.id}` } });
    g.resource('test:index:Thing', 'c', { size: 3 });
    const r = await h.deploy(g);
    assert.equal(r.result, 'succeeded');
    assert.equal(h.provider.stats.count('create', 'c'), 1);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  } finally {
    h.cleanup();
  }
});

test('a pending delete is re-checked: gone is dropped, still there stays tracked', async () => {
  const h = new Harness();
  try {
    await deployed(h);
    const a = h.stack.resource('a')!;
    const b = h.stack.resource('b')!;
    h.cloud.remove(a.id!);
    h.stack.deployment.pendingOperations.push({ type: 'deleting', resource: a }, { type: 'deleting', resource: b });
    const r = await h.refresh();
    assert.equal(r.result, 'succeeded');
    assert.equal(h.stack.resource('a'), undefined);
    assert.equal(h.stack.resource('b')!.id, b.id);
    assert.equal(h.stack.deployment.pendingOperations.length, 0);
  } finally {
    h.cleanup();
  }
});

test('old halves of replacements left by a crash are deleted by the next deploy, or by destroy', async () => {
  const h = new Harness();
  try {
    const g = await deployed(h);
    const a = h.stack.resource('a')!;
    h.cloud.put({ id: 'thing-leftover', type: 'test:index:Thing', name: 'a', tag: urnTag(urn('a')), props: { size: 0 }, revision: 1 });
    h.stack.deployment.resources.push({ ...a, id: 'thing-leftover', delete: true });
    const r = await h.deploy(g);
    assert.deepEqual(r.changes, { delete: 1, same: 3 });
    assert.equal(h.cloud.get('thing-leftover'), undefined);
    assert.equal(h.stack.deployment.resources.filter((x) => x.delete).length, 0);
    h.cloud.put({ id: 'thing-leftover2', type: 'test:index:Thing', name: 'a', tag: urnTag(urn('a')), props: { size: 0 }, revision: 1 });
    h.stack.deployment.resources.push({ ...a, id: 'thing-leftover2', delete: true });
    const d = await h.destroy();
    assert.equal(d.result, 'succeeded');
    assert.equal(h.cloud.list().length, 0);
    assert.deepEqual(h.stack.deployment.resources, []);
  } finally {
    h.cleanup();
  }
});

test('an interrupted update is re-read, and the next deploy finishes it', async () => {
  const h = new Harness();
  try {
    await deployed(h);
    const a = h.stack.resource('a')!;
    h.stack.deployment.pendingOperations.push({ type: 'updating', resource: a });
    const obj = h.cloud.get(a.id!)!;
    h.cloud.put({ ...obj, props: { size: 5 }, revision: 2 });
    const g = h.graph();
    g.resource('test:index:Thing', 'a', { size: 7 });
    g.resource('test:index:Thing', 'b', { size: 2 });
    const r = await h.deploy(g);
    assert.deepEqual(r.changes, { update: 1, same: 2 });
    assert.equal(h.cloud.get(a.id!)!.props.size, 7);
    assert.equal(h.stack.resource('a')!.outputs!.revision, 3);
  } finally {
    h.cleanup();
  }
});
