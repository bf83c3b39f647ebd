import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../test/provider/harness.ts';
import { Secret } from '../state/types.ts';
import type { EngineEvent } from './events.ts';
import { parseProviderRef } from './urn.ts';
import { previewDestroy } from './operations.ts';

function withHarness(fn: (h: Harness) => Promise<void>, options?: ConstructorParameters<typeof Harness>[0]) {
  return async () => {
    const h = new Harness(options);
    try {
      await fn(h);
    } finally {
      h.cleanup();
    }
  };
}

/** a → b → c, and d on its own. */
function chain(h: Harness, overrides: { aSize?: number; cZone?: string } = {}) {
  const g = h.graph();
  const a = g.resource('test:index:Thing', 'a', { size: overrides.aSize ?? 1 });
  const b = g.resource('test:index:Thing', 'b', { parentArn: a.output('arn') });
  g.resource('test:index:Thing', 'c', { parentArn: b.output('arn'), zone: overrides.cZone ?? 'z1' });
  g.resource('test:index:Thing', 'd', { size: 4 });
  return g;
}

function callOrder(h: Harness, op: string): string[] {
  return h.provider.stats.calls.filter((c) => c.op === op).sort((x, y) => x.start - y.start).map((c) => c.name);
}

test(
  'a first deploy creates every resource in dependency order and the cloud matches the stack',
  withHarness(async (h) => {
    const r = await h.deploy(chain(h));
    assert.equal(r.result, 'succeeded');
    assert.deepEqual(r.changes, { create: 5 });
    const order = callOrder(h, 'create');
    assert.ok(order.indexOf('a') < order.indexOf('b') && order.indexOf('b') < order.indexOf('c'), order.join());
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
    assert.equal(h.managed().length, 4);
    const b = h.stack.resource('b')!;
    const a = h.stack.resource('a')!;
    assert.equal(b.inputs!.parentArn, `arn:test:${a.id}`);
    assert.deepEqual(b.dependencies, [a.urn]);
    assert.deepEqual(b.propertyDependencies, { parentArn: [a.urn] });
    const provider = h.stack.deployment.resources.find((x) => x.type === 'pulumi:providers:test')!;
    assert.match(provider.id!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(parseProviderRef(b.provider!), { urn: provider.urn, id: provider.id });
    assert.equal(h.stack.deployment.resources[0]!.type, 'pulumi:pulumi:Stack');
    assert.equal(h.stack.deployment.pendingOperations.length, 0);
    assert.equal(h.stack.entries.at(-1)!.result, 'succeeded');
    assert.deepEqual(h.stack.entries.at(-1)!.resourceChanges, { create: 5 });
    const summary = h.events.find((e) => e.type === 'summary');
    assert.ok(summary && summary.type === 'summary' && summary.result === 'succeeded');
  }),
);

test(
  'a second deploy of the same graph calls no provider and writes nothing',
  withHarness(async (h) => {
    await h.deploy(chain(h));
    const calls = h.provider.stats.calls.length;
    const writes = h.stack.writes.length;
    const r = await h.deploy(chain(h));
    assert.deepEqual(r.changes, { same: 5 });
    assert.equal(h.provider.stats.calls.length, calls);
    assert.equal(h.stack.writes.length, writes);
    assert.equal(h.events.filter((e) => e.type === 'step-start').length, 0);
  }),
);

test(
  'changing an updatable input updates in place, with the changed property in the event',
  withHarness(async (h) => {
    await h.deploy(chain(h));
    const before = h.stack.resource('a')!;
    const r = await h.deploy(chain(h, { aSize: 2 }));
    assert.deepEqual(r.changes, { update: 1, same: 4 });
    const after = h.stack.resource('a')!;
    assert.equal(after.id, before.id);
    assert.equal(after.inputs!.size, 2);
    assert.equal(after.outputs!.revision, 2);
    assert.equal(after.created, before.created);
    const done = h.events.find((e): e is Extract<EngineEvent, { type: 'step-done' }> => e.type === 'step-done' && e.step.name === 'a')!;
    assert.deepEqual(done.changes, [{ key: 'size', kind: 'update', old: 1, new: 2 }]);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  }),
);

test(
  'a forceNew change replaces create-before-delete, and dependents move to the new object before the old goes',
  withHarness(async (h) => {
    const g1 = h.graph();
    const a1 = g1.resource('test:index:Thing', 'a', { zone: 'z1' });
    g1.resource('test:index:Thing', 'b', { parentArn: a1.output('arn') });
    await h.deploy(g1);
    const oldA = h.stack.resource('a')!;
    const g2 = h.graph();
    const a2 = g2.resource('test:index:Thing', 'a', { zone: 'z2' });
    g2.resource('test:index:Thing', 'b', { parentArn: a2.output('arn') });
    h.provider.stats.calls = [];
    const r = await h.deploy(g2);
    assert.deepEqual(r.changes, { replace: 1, update: 1, same: 1 });
    const calls = h.provider.stats.calls.map((c) => `${c.op} ${c.name}`);
    assert.deepEqual(calls, ['create a', 'update b', 'delete a']);
    const newA = h.stack.resource('a')!;
    assert.notEqual(newA.id, oldA.id);
    assert.equal(h.stack.resource('b')!.inputs!.parentArn, `arn:test:${newA.id}`);
    assert.equal(h.stack.deployment.resources.filter((r) => r.delete).length, 0);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  }),
);

test(
  'deleteBeforeReplace deletes first, and takes down first the dependents that are replaced too',
  withHarness(async (h) => {
    const build = (zone: string) => {
      const g = h.graph();
      const a = g.resource('test:index:Thing', 'a', { zone }, { deleteBeforeReplace: true });
      g.resource('test:index:Immutable', 'b', { parentArn: a.output('arn') });
      g.resource('test:index:Thing', 'c', { size: 1 });
      return g;
    };
    await h.deploy(build('z1'));
    h.provider.stats.calls = [];
    const r = await h.deploy(build('z2'));
    assert.equal(r.result, 'succeeded');
    assert.deepEqual(r.changes, { replace: 2, same: 2 });
    const calls = h.provider.stats.calls.map((c) => `${c.op} ${c.name}`);
    assert.deepEqual(calls, ['delete b', 'delete a', 'create a', 'create b']);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  }),
);

test(
  'a type without update replaces on any change; replaceOnChanges forces replacement of an updatable type',
  withHarness(async (h) => {
    const build = (n: number) => {
      const g = h.graph();
      g.resource('test:index:Immutable', 'i', { n });
      g.resource('test:index:Thing', 't', { n }, { replaceOnChanges: ['n'] });
      g.resource('test:index:Thing', 'u', { n });
      return g;
    };
    await h.deploy(build(1));
    const r = await h.deploy(build(2));
    assert.deepEqual(r.changes, { replace: 2, update: 1, same: 1 });
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  }),
);

test(
  'resources dropped from the graph are deleted in reverse dependency order',
  withHarness(async (h) => {
    await h.deploy(chain(h));
    const g = h.graph();
    g.resource('test:index:Thing', 'd', { size: 4 });
    h.provider.stats.calls = [];
    const r = await h.deploy(g);
    assert.deepEqual(r.changes, { delete: 3, same: 2 });
    assert.deepEqual(callOrder(h, 'delete'), ['c', 'b', 'a']);
    assert.deepEqual(h.managed().map((x) => x.urn.split('::').at(-1)), ['d']);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  }),
);

test(
  'parallelism is bounded and used: at most N provider calls in flight, and N reached',
  withHarness(
    async (h) => {
      const g = h.graph();
      for (let i = 0; i < 24; i++) g.resource('test:index:Thing', `r${i}`, { i });
      const r = await h.deploy(g, { parallel: 4 });
      assert.equal(r.result, 'succeeded');
      assert.equal(h.provider.stats.maxRunning, 4);
      const start = h.events.find((e) => e.type === 'start');
      assert.ok(start && start.type === 'start' && start.parallel === 4);
    },
    { latencyMs: 15 },
  ),
);

test(
  'the default parallelism runs independent steps 16 at a time',
  withHarness(
    async (h) => {
      const g = h.graph();
      for (let i = 0; i < 40; i++) g.resource('test:index:Thing', `r${i}`, { i });
      await h.deploy(g);
      assert.equal(h.provider.stats.maxRunning, 16);
    },
    { latencyMs: 15 },
  ),
);

test(
  'a protected resource is never deleted or replaced, and the refusal changes nothing',
  withHarness(async (h) => {
    const g = h.graph();
    g.resource('test:index:Thing', 'keep', { zone: 'z1' }, { protect: true });
    g.resource('test:index:Thing', 'other', { size: 1 });
    await h.deploy(g);
    const before = JSON.stringify(h.stack.deployment.resources);
    const writes = h.stack.writes.length;
    const g2 = h.graph();
    g2.resource('test:index:Thing', 'other', { size: 2 });
    await assert.rejects(h.deploy(g2), /refusing to change protected resources:\n.*keep \(would be deleted\)/);
    const g3 = h.graph();
    g3.resource('test:index:Thing', 'keep', { zone: 'z2' }, { protect: true });
    g3.resource('test:index:Thing', 'other', { size: 2 });
    await assert.rejects(h.deploy(g3), /keep \(would be replaced\)/);
    assert.equal(JSON.stringify(h.stack.deployment.resources), before);
    assert.equal(h.stack.writes.length, writes);
    assert.equal(h.stack.locked, false);
    // Unprotecting in the config allows the replacement in the same deploy.
    const g4 = h.graph();
    g4.resource('test:index:Thing', 'keep', { zone: 'z2' });
    g4.resource('test:index:Thing', 'other', { size: 1 });
    const r = await h.deploy(g4);
    assert.deepEqual(r.changes, { replace: 1, same: 2 });
    assert.equal(h.stack.resource('keep')!.protect, undefined);
  }),
);

test(
  'retainOnDelete drops the resource from the stack and leaves the object in the cloud',
  withHarness(async (h) => {
    const g = h.graph();
    g.resource('test:index:Thing', 'kept', { size: 1 }, { retainOnDelete: true });
    await h.deploy(g);
    const id = h.stack.resource('kept')!.id!;
    const r = await h.deploy(h.graph());
    assert.deepEqual(r.changes, { delete: 2 }); // the resource and its (now unused) provider
    assert.equal(h.stack.resource('kept'), undefined);
    assert.ok(h.cloud.get(id));
    assert.equal(h.provider.stats.count('delete'), 0);
  }),
);

test(
  'secret inputs are stored as secrets, propagate to outputs and references, and never appear in events',
  withHarness(async (h) => {
    const g = h.graph();
    const a = g.resource('test:index:Thing', 'a', { token: 'hunter2-very-secret', size: 1 }, { secretInputs: ['token'] });
    g.resource('test:index:Thing', 'b', { copied: a.output('token') });
    await h.deploy(g);
    const ra = h.stack.resource('a')!;
    assert.ok(ra.inputs!.token instanceof Secret);
    assert.ok(ra.outputs!.token instanceof Secret);
    assert.equal((ra.inputs!.token as Secret).value, 'hunter2-very-secret');
    assert.ok(h.stack.resource('b')!.inputs!.copied instanceof Secret);
    // The provider saw the plain value.
    assert.equal(h.cloud.get(ra.id!)!.props.token, 'hunter2-very-secret');
    assert.doesNotMatch(JSON.stringify(h.events), /hunter2/);
    // Changing it shows [secret] on both sides.
    const g2 = h.graph();
    g2.resource('test:index:Thing', 'a', { token: 'hunter3-very-secret', size: 1 }, { secretInputs: ['token'] });
    g2.resource('test:index:Thing', 'b', { copied: 'x' });
    await h.deploy(g2);
    const done = h.events.find((e): e is Extract<EngineEvent, { type: 'step-done' }> => e.type === 'step-done' && e.step.name === 'a')!;
    assert.deepEqual(done.changes, [{ key: 'token', kind: 'update', old: '[secret]', new: '[secret]' }]);
    assert.doesNotMatch(JSON.stringify(h.events), /hunter/);
  }),
);

test(
  'an unchanged secret keeps its cached ciphertext through an update of other keys',
  withHarness(async (h) => {
    const g = h.graph();
    g.resource('test:index:Thing', 'a', { token: 's3cr3t-value', size: 1 }, { secretInputs: ['token'] });
    await h.deploy(g);
    (h.stack.resource('a')!.inputs!.token as Secret).ciphertext = 'v1:cached';
    const g2 = h.graph();
    g2.resource('test:index:Thing', 'a', { token: 's3cr3t-value', size: 2 }, { secretInputs: ['token'] });
    await h.deploy(g2);
    assert.equal((h.stack.resource('a')!.inputs!.token as Secret).ciphertext, 'v1:cached');
  }),
);

test(
  'components group children: URNs carry the parent type, and they are created before their children',
  withHarness(async (h) => {
    const g = h.graph();
    const pool = g.component('sloth:cluster:NodePool', 'workers', { count: 2 });
    g.resource('test:index:Thing', 'w1', { n: 1 }, { parent: pool });
    await h.deploy(g);
    const w1 = h.stack.resource('w1')!;
    assert.equal(w1.urn, 'urn:pulumi:dev::sloth-kubernetes::sloth:cluster:NodePool$test:index:Thing::w1');
    assert.equal(w1.parent, pool.urn);
    const types = h.stack.deployment.resources.map((r) => r.type);
    assert.ok(types.indexOf('sloth:cluster:NodePool') < types.indexOf('test:index:Thing'));
    // A component's outputs change: an update, no provider call.
    const calls = h.provider.stats.calls.length;
    const g2 = h.graph();
    const pool2 = g2.component('sloth:cluster:NodePool', 'workers', { count: 3 });
    g2.resource('test:index:Thing', 'w1', { n: 1 }, { parent: pool2 });
    const r = await h.deploy(g2);
    assert.deepEqual(r.changes, { update: 1, same: 2 });
    assert.equal(h.provider.stats.calls.length, calls);
    // Dropping the component deletes the child first.
    await h.deploy(h.graph());
    assert.equal(h.stack.deployment.resources.filter((r) => r.type !== 'pulumi:pulumi:Stack').length, 0);
  }),
);

test(
  'stack outputs are stored on the root stack resource, secrets stay secret in the outputs event',
  withHarness(async (h) => {
    const g = h.graph();
    g.resource('test:index:Thing', 'a', { size: 1 });
    g.stackOutputs = { clusterName: 'prod', kubeConfig: new Secret('apiVersion: v1 top-secret') };
    await h.deploy(g);
    const root = h.stack.deployment.resources.find((r) => r.type === 'pulumi:pulumi:Stack')!;
    assert.equal(root.urn, 'urn:pulumi:dev::sloth-kubernetes::pulumi:pulumi:Stack::sloth-kubernetes-dev');
    assert.equal(root.outputs!.clusterName, 'prod');
    assert.ok(root.outputs!.kubeConfig instanceof Secret);
    const out = h.events.find((e) => e.type === 'outputs');
    assert.deepEqual(out && out.type === 'outputs' && out.outputs, { clusterName: 'prod', kubeConfig: '[secret]' });
    // Leaving stackOutputs undefined keeps them.
    const g2 = h.graph();
    g2.resource('test:index:Thing', 'a', { size: 1 });
    await h.deploy(g2);
    assert.equal(h.stack.deployment.resources.find((r) => r.type === 'pulumi:pulumi:Stack')!.outputs!.clusterName, 'prod');
  }),
);

test(
  'destroy keeps only the root outputs named as the stack\'s memory, and the root only when one of them is left',
  withHarness(async (h) => {
    const g = h.graph();
    g.resource('test:index:Thing', 'a', { size: 1 });
    g.stackOutputs = { lispManifest: new Secret('(cluster)'), clusterName: 'prod' };
    g.computeOutputs = (resources) => ({ kubeConfig: new Secret(`server: ${resources.find((r) => r.type === 'test:index:Thing')?.id}`), nodes: { a: 'up' } });
    await h.deploy(g);
    const root = () => h.stack.deployment.resources.find((r) => r.type === 'pulumi:pulumi:Stack');
    assert.deepEqual(Object.keys(root()!.outputs!).sort(), ['clusterName', 'kubeConfig', 'lispManifest', 'nodes']);
    // The destroy preview says which outputs go.
    const plan = previewDestroy(h.stack, { registry: h.registry, keepOutputs: ['lispManifest', 'deploymentMeta'] });
    assert.deepEqual(plan.outputChanges.map((c) => [c.kind, c.key, c.old]), [['delete', 'clusterName', 'prod'], ['delete', 'kubeConfig', '[secret]'], ['delete', 'nodes', { a: 'up' }]]);
    assert.equal((await h.destroy({ keepOutputs: ['lispManifest', 'deploymentMeta'] })).result, 'succeeded');
    assert.equal(h.cloud.list().length, 0);
    const left = h.stack.deployment.resources;
    assert.deepEqual(left.map((r) => r.type), ['pulumi:pulumi:Stack']);
    assert.deepEqual(Object.keys(left[0]!.outputs!), ['lispManifest']);
    assert.ok(left[0]!.outputs!.lispManifest instanceof Secret);
    // With nothing to keep, the root goes too (as with Pulumi).
    await h.deploy(g);
    assert.equal((await h.destroy()).result, 'succeeded');
    assert.deepEqual(h.stack.deployment.resources, []);
    // A targeted destroy leaves the outputs alone.
    await h.deploy(g);
    await h.destroy({ targets: [h.stack.resource('a')!.urn], keepOutputs: [] });
    assert.deepEqual(Object.keys(root()!.outputs!).sort(), ['clusterName', 'kubeConfig', 'lispManifest', 'nodes']);
  }),
);

test(
  'computed stack outputs are read from the applied resources and merged over the given ones',
  withHarness(async (h) => {
    const g = h.graph();
    g.resource('test:index:Thing', 'a', { size: 1 });
    g.stackOutputs = { clusterName: 'prod' };
    g.computeOutputs = (resources) => ({ things: resources.filter((r) => r.type === 'test:index:Thing').map((r) => r.id ?? '') });
    await h.deploy(g);
    const outputs = () => h.stack.deployment.resources.find((r) => r.type === 'pulumi:pulumi:Stack')!.outputs!;
    assert.equal(outputs().clusterName, 'prod');
    assert.deepEqual(outputs().things, [h.stack.resource('a')!.id]);
    // A failed apply leaves the stored outputs alone.
    const g2 = h.graph();
    g2.resource('test:index:Thing', 'a', { size: 1 });
    g2.resource('test:index:Thing', 'b', { size: 1 });
    g2.computeOutputs = () => ({ things: ['never'] });
    h.cloud.setFaults({ b: { create: { error: 'permanent', message: 'no capacity' } } });
    assert.equal((await h.deploy(g2)).result, 'failed');
    assert.deepEqual(outputs().things, [h.stack.resource('a')!.id]);
  }),
);

test(
  'state writes batch the records of steps that complete together, and bytes grow linearly',
  withHarness(async (h) => {
    const sizes: number[] = [];
    for (const n of [40, 80, 160]) {
      const hh = new Harness();
      try {
        const g = hh.graph();
        for (let i = 0; i < n; i++) g.resource('test:index:Thing', `r${i}`, { i, label: `resource-${i}` });
        await hh.deploy(g, { parallel: 8 });
        sizes.push(hh.stack.bytesWritten / n);
        assert.ok(hh.stack.writes.length < 2 * n, `${hh.stack.writes.length} writes for ${n} resources`);
      } finally {
        hh.cleanup();
      }
    }
    void h;
    const [s40, , s160] = sizes as [number, number, number];
    assert.ok(Math.abs(s160 - s40) / s40 < 0.15, `bytes per resource ${sizes.join(', ')}`);
  }),
);

test(
  'a provider configuration change updates the provider resource and reconfigures it',
  withHarness(async (h) => {
    const g = h.graph();
    const p = g.provider('test', 'fast', { latencyMs: 0 });
    g.resource('test:index:Thing', 'a', { size: 1 }, { provider: p });
    await h.deploy(g);
    const a = h.stack.resource('a')!;
    assert.match(a.provider!, /pulumi:providers:test::fast::/);
    const g2 = h.graph();
    const p2 = g2.provider('test', 'fast', { latencyMs: 1 });
    g2.resource('test:index:Thing', 'a', { size: 1 }, { provider: p2 });
    const r = await h.deploy(g2);
    assert.deepEqual(r.changes, { update: 1, same: 1 });
    const bad = h.graph();
    const p3 = bad.provider('test', 'fast', { latencyMs: 'slow' });
    bad.resource('test:index:Thing', 'a', { size: 1 }, { provider: p3 });
    const r3 = await h.deploy(bad);
    assert.equal(r3.result, 'failed');
    assert.match(r3.failures[0]!.error, /rejected: latencyMs must be a number/);
  }),
);

test(
  'a delete-before-replace under a dependent that is only updated keeps every intermediate checkpoint valid',
  withHarness(async (h) => {
    const build = (zone: string) => {
      const g = h.graph();
      const a = g.resource('test:index:Thing', 'a', { zone }, { deleteBeforeReplace: true });
      g.resource('test:index:Thing', 'b', { parentArn: a.output('arn') });
      return g;
    };
    await h.deploy(build('z1'));
    h.provider.stats.calls = [];
    const r = await h.deploy(build('z2'));
    assert.deepEqual(r.changes, { replace: 1, update: 1, same: 1 });
    assert.deepEqual(h.provider.stats.calls.map((c) => `${c.op} ${c.name}`), ['delete a', 'create a', 'update b']);
    assert.deepEqual(h.stack.resource('b')!.dependencies, [h.stack.resource('a')!.urn]);
    assert.deepEqual(h.stack.integrityProblems, []);
  }),
);
