import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../test/provider/harness.ts';
import { preview, previewDestroy, hasChanges } from './index.ts';
import { UNKNOWN_VALUE } from '../state/types.ts';

function harness(): Harness {
  return new Harness();
}

test('a preview of an empty stack plans creates, shows references as (known after apply), and writes nothing', () => {
  const h = harness();
  try {
    const g = h.graph();
    const a = g.resource('test:index:Thing', 'a', { size: 1 });
    g.resource('test:index:Thing', 'b', { parentArn: a.output('arn') });
    const plan = preview(h.stack, g.build(), { registry: h.registry });
    assert.deepEqual(plan.counts, { create: 3, update: 0, replace: 0, delete: 0, same: 0 });
    assert.ok(hasChanges(plan));
    assert.equal(h.stack.writes.length, 0);
    assert.equal(h.stack.locked, false);
    assert.equal(h.provider.stats.calls.length, 0);
    assert.deepEqual(plan.steps.map((s) => `${s.op} ${s.name}`), ['create default', 'create a', 'create b']);
  } finally {
    h.cleanup();
  }
});

test('a preview against a deployed stack tells update from replace, with unknowns where a value will change', async () => {
  const h = harness();
  try {
    const build = (size: number, zone: string) => {
      const g = h.graph();
      const a = g.resource('test:index:Thing', 'a', { size, zone });
      g.resource('test:index:Thing', 'byArn', { parentArn: a.output('arn') });
      g.resource('test:index:Thing', 'byRevision', { rev: a.output('revision') });
      g.resource('test:index:Thing', 'bySize', { size: a.output('size') });
      return g;
    };
    await h.deploy(build(1, 'z1'));
    const update = preview(h.stack, build(2, 'z1').build(), { registry: h.registry });
    const ops = Object.fromEntries(update.steps.map((s) => [s.name, s.op]));
    // arn survives an update; revision is computedOnUpdate; size takes the new input value.
    assert.deepEqual(ops, { default: 'same', a: 'update', byArn: 'same', byRevision: 'update', bySize: 'update' });
    const byRevision = update.steps.find((s) => s.name === 'byRevision')!;
    assert.deepEqual(byRevision.changes, [{ key: 'rev', kind: 'update', old: 1, new: '(known after apply)' }]);
    const replace = preview(h.stack, build(1, 'z2').build(), { registry: h.registry });
    const a = replace.steps.find((s) => s.name === 'a')!;
    assert.equal(a.op, 'replace');
    assert.deepEqual(a.diff, { changed: ['zone'], replace: ['zone'] });
    assert.equal(replace.steps.find((s) => s.name === 'byArn')!.op, 'update');
    assert.deepEqual(replace.counts, { create: 0, update: 3, replace: 1, delete: 0, same: 1 });
  } finally {
    h.cleanup();
  }
});

test('a preview of a removed resource plans a delete; previewDestroy plans every resource', async () => {
  const h = harness();
  try {
    const g = h.graph();
    g.resource('test:index:Thing', 'a', { size: 1 });
    g.resource('test:index:Thing', 'b', { size: 1 });
    await h.deploy(g);
    const g2 = h.graph();
    g2.resource('test:index:Thing', 'a', { size: 1 });
    const plan = preview(h.stack, g2.build(), { registry: h.registry });
    assert.deepEqual(plan.counts, { create: 0, update: 0, replace: 0, delete: 1, same: 2 });
    const d = previewDestroy(h.stack);
    assert.deepEqual(d.counts, { create: 0, update: 0, replace: 0, delete: 3, same: 0 });
    assert.ok(!hasChanges(preview(h.stack, g.build(), { registry: h.registry })));
  } finally {
    h.cleanup();
  }
});

test('bad graphs are refused with the resource named: cycles, missing dependencies, unknown types and packages', () => {
  const h = harness();
  try {
    const g = h.graph();
    const a = g.resource('test:index:Thing', 'a', { size: 1 });
    const d = g.build();
    d.resources.find((r) => r.name === 'a')!.dependsOn.push('urn:pulumi:dev::sloth-kubernetes::test:index:Thing::ghost');
    assert.throws(() => preview(h.stack, d, { registry: h.registry }), /a depends on urn:pulumi:dev::sloth-kubernetes::test:index:Thing::ghost, which is not in the desired graph/);

    const c = h.graph();
    const x = c.resource('test:index:Thing', 'x', { size: 1 });
    const y = c.resource('test:index:Thing', 'y', { ref: x.output('arn') });
    const cd = c.build();
    cd.resources.find((r) => r.name === 'x')!.inputs.ref = y.output('arn');
    assert.throws(() => preview(h.stack, cd, { registry: h.registry }), /cycle: .*::x -> .*::y -> .*::x|cycle: .*::y -> .*::x -> .*::y/);

    const t = h.graph();
    t.resource('test:index:Nope', 'n', {});
    assert.throws(() => preview(h.stack, t.build(), { registry: h.registry }), /provider 'test' has no resource type test:index:Nope .*\n?/);

    const p = h.graph();
    p.resource('aws:ec2/vpc:Vpc', 'v', {});
    assert.throws(() => preview(h.stack, p.build(), { registry: h.registry }), (err: Error & { hint?: string }) => /no provider for package 'aws'/.test(err.message) && /Known packages: test/.test(err.hint ?? ''));
    void a;
    const gg = h.graph();
    gg.resource('test:index:Thing', 'dup', {});
    assert.throws(() => gg.resource('test:index:Thing', 'dup', {}), /two resources have the URN .*::dup; give them different names/);
  } finally {
    h.cleanup();
  }
});

test('a preview notes interrupted operations that the next run resolves', () => {
  const h = harness();
  try {
    h.stack.deployment.pendingOperations.push({ type: 'creating', resource: { urn: 'urn:pulumi:dev::sloth-kubernetes::test:index:Thing::a', custom: true, type: 'test:index:Thing', inputs: { size: UNKNOWN_VALUE } } });
    const g = h.graph();
    g.resource('test:index:Thing', 'a', { size: 1 });
    const plan = preview(h.stack, g.build(), { registry: h.registry });
    assert.match(plan.warnings[0]!, /interrupted during the create of .*::a/);
  } finally {
    h.cleanup();
  }
});

test('creates and deletes carry their properties: every input of a create (unknowns and secrets marked), every stored input of a delete', async () => {
  const h = harness();
  try {
    const g = h.graph();
    const a = g.resource('test:index:Thing', 'a', { size: 1, tags: { team: 'infra' } });
    g.resource('test:index:Thing', 'b', { parentArn: a.output('arn'), token: 'tok-create-1234' }, { secretInputs: ['token'] });
    const plan = preview(h.stack, g.build(), { registry: h.registry });
    const changes = (name: string) => plan.steps.find((s) => s.name === name)!.changes;
    assert.deepEqual(changes('a'), [
      { key: 'size', kind: 'add', new: 1 },
      { key: 'tags', kind: 'add', new: { team: 'infra' } },
    ]);
    assert.deepEqual(changes('b'), [
      { key: 'parentArn', kind: 'add', new: '(known after apply)' },
      { key: 'token', kind: 'add', new: '[secret]' },
    ]);
    assert.doesNotMatch(JSON.stringify(plan.steps), /tok-create-1234/);
    await h.deploy(g);
    const destroy = previewDestroy(h.stack, { registry: h.registry });
    const b = destroy.steps.find((s) => s.name === 'b')!;
    assert.deepEqual(b.changes, [
      { key: 'parentArn', kind: 'delete', old: `arn:test:${h.stack.resource('a')!.id}` },
      { key: 'token', kind: 'delete', old: '[secret]' },
    ]);
    // A resource dropped from the graph shows what goes with it, too.
    const g2 = h.graph();
    g2.resource('test:index:Thing', 'a', { size: 1, tags: { team: 'infra' } });
    const dropped = preview(h.stack, g2.build(), { registry: h.registry }).steps.find((s) => s.name === 'b')!;
    assert.equal(dropped.op, 'delete');
    assert.deepEqual(dropped.changes?.map((c) => c.key), ['parentArn', 'token']);
  } finally {
    h.cleanup();
  }
});
