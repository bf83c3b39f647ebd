import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../test/provider/harness.ts';
import { preview } from './index.ts';

const urn = (name: string) => `urn:pulumi:dev::sloth-kubernetes::test:index:Thing::${name}`;

/** a → b → c, and d. */
function graph(h: Harness, size = 1) {
  const g = h.graph();
  const a = g.resource('test:index:Thing', 'a', { size });
  const b = g.resource('test:index:Thing', 'b', { size, parentArn: a.output('arn') });
  g.resource('test:index:Thing', 'c', { size, parentArn: b.output('arn') });
  g.resource('test:index:Thing', 'd', { size });
  return g;
}

test('--target creates only the targeted resource (and the provider it needs)', async () => {
  const h = new Harness();
  try {
    const r = await h.deploy(graph(h), { targets: [urn('d')] });
    assert.deepEqual(r.changes, { create: 2 });
    assert.deepEqual(h.managed().map((x) => x.urn), [urn('d')]);
  } finally {
    h.cleanup();
  }
});

test('--target on a resource whose dependency does not exist yet is refused, naming it and how to target it', async () => {
  const h = new Harness();
  try {
    await assert.rejects(h.deploy(graph(h), { targets: [urn('b')] }), (err: Error & { hint?: string }) => {
      assert.match(err.message, /::b needs .*::a, which does not exist yet and is not targeted/);
      // --target-dependents adds dependents, not dependencies: the hint names the dependency to add.
      assert.equal(err.hint, `Target what they need as well: --target ${urn('a')}`);
      assert.doesNotMatch(err.hint!, /--target-dependents/);
      return true;
    });
    // Following the hint works.
    const r = await h.deploy(graph(h), { targets: [urn('b'), urn('a')] });
    assert.equal(r.result, 'succeeded');
    assert.deepEqual(h.managed().map((m) => m.urn.split('::').at(-1)).sort(), ['a', 'b']);
    await h.destroy();
    assert.equal(h.managed().length, 0);
  } finally {
    h.cleanup();
  }
});

test('--target updates only what is named; --target-dependents brings the dependents along', async () => {
  const h = new Harness();
  try {
    await h.deploy(graph(h));
    const r = await h.deploy(graph(h, 2), { targets: [urn('b')] });
    assert.deepEqual(r.changes, { update: 1 });
    assert.equal(h.stack.resource('a')!.inputs!.size, 1);
    assert.equal(h.stack.resource('b')!.inputs!.size, 2);
    assert.equal(h.stack.resource('c')!.inputs!.size, 1);
    const r2 = await h.deploy(graph(h, 3), { targets: [urn('b')], targetDependents: true });
    assert.deepEqual(r2.changes, { update: 2 });
    assert.equal(h.stack.resource('c')!.inputs!.size, 3);
    assert.equal(h.stack.resource('d')!.inputs!.size, 1);
  } finally {
    h.cleanup();
  }
});

test('an unknown --target is refused with close matches', async () => {
  const h = new Harness();
  try {
    await h.deploy(graph(h));
    assert.throws(() => preview(h.stack, graph(h).build(), { registry: h.registry, targets: ['b'] }), (err: Error & { hint?: string }) => {
      assert.match(err.message, /--target b matches no resource/);
      assert.match(err.hint!, /Did you mean:\n {2}urn:pulumi:dev::sloth-kubernetes::test:index:Thing::b/);
      return true;
    });
  } finally {
    h.cleanup();
  }
});

test('destroy --target refuses to pull a resource from under a dependent unless --target-dependents', async () => {
  const h = new Harness();
  try {
    await h.deploy(graph(h));
    await assert.rejects(h.destroy({ targets: [urn('a')] }), (err: Error & { hint?: string }) => {
      assert.match(err.message, /::b depends on .*::a, which would be deleted/);
      // Here what is missing are dependents, which is what --target-dependents adds.
      assert.equal(err.hint, 'Add --target-dependents, or target the dependents named above with --target.');
      return true;
    });
    assert.equal(h.managed().length, 4);
    const r = await h.destroy({ targets: [urn('a')], targetDependents: true });
    assert.deepEqual(r.changes, { delete: 3 });
    assert.deepEqual(h.managed().map((x) => x.urn), [urn('d')]);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  } finally {
    h.cleanup();
  }
});

test('destroy removes everything in reverse order, refuses protected resources, and leaves an empty stack', async () => {
  const h = new Harness();
  try {
    const g = graph(h);
    g.resource('test:index:Thing', 'guard', { size: 1 }, { protect: true });
    await h.deploy(g);
    await assert.rejects(h.destroy(), (err: Error & { hint?: string }) => {
      assert.match(err.message, /refusing to change protected resources:\n {2}.*::guard \(would be deleted\)/);
      return true;
    });
    assert.equal(h.managed().length, 5);
    const g2 = graph(h);
    g2.resource('test:index:Thing', 'guard', { size: 1 });
    await h.deploy(g2);
    h.provider.stats.calls = [];
    const r = await h.destroy();
    assert.equal(r.result, 'succeeded');
    assert.deepEqual(r.changes, { delete: 6 });
    const order = h.provider.stats.calls.filter((c) => c.op === 'delete').sort((x, y) => x.start - y.start).map((c) => c.name);
    assert.ok(order.indexOf('c') < order.indexOf('b') && order.indexOf('b') < order.indexOf('a'), order.join());
    assert.deepEqual(h.stack.deployment.resources, []);
    assert.equal(h.cloud.list().length, 0);
    assert.equal(h.stack.entries.at(-1)!.kind, 'destroy');
  } finally {
    h.cleanup();
  }
});
