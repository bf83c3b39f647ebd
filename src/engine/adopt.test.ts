import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../test/provider/harness.ts';
import { MemoryStack } from '../../test/provider/memory-stack.ts';
import { Secret } from '../state/types.ts';
import { preview, hasChanges } from './index.ts';
import type { DesiredGraph, EngineEvent } from './index.ts';

/** a → b (by reference) → c (explicit), d on its own, under a component, with a secret input. */
function graph(h: Harness, extra = false): DesiredGraph {
  const g = h.graph();
  const group = g.component('test:index:Group', 'group', { label: 'g' });
  const a = g.resource('test:index:Thing', 'a', { size: 1 }, { parent: group });
  const b = g.resource('test:index:Thing', 'b', { parentArn: a.output('arn'), token: 'tok-adopt-5678' }, { secretInputs: ['token'] });
  g.resource('test:index:Thing', 'c', { size: 3 }, { dependsOn: [b] });
  g.resource('test:index:Immutable', 'd', { size: 4 });
  if (extra) g.resource('test:index:Thing', 'e', { size: 5 });
  g.stackOutputs = { clusterName: 'prod', lispManifest: new Secret('(cluster)') };
  return g;
}

test('refresh with a desired graph adopts the tagged objects a lost stack tracked; the next deploy changes nothing', async () => {
  const h = new Harness();
  try {
    await h.deploy(graph(h));
    const ids = Object.fromEntries(h.managed().map((r) => [r.urn.split('::').at(-1), r.id]));
    // The stack is lost; the objects stay in the cloud.
    const lost = new MemoryStack('dev');
    Object.assign(h, { stack: lost });
    h.provider.stats.calls = [];
    const r = await h.refresh({ adopt: graph(h, true).build() });
    assert.equal(r.result, 'succeeded', JSON.stringify(r.failures));
    assert.deepEqual([...r.adopted].map((u) => u.split('::').at(-1)).sort(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(r.notFound.map((n) => n.urn.split('::').at(-1)), ['e']);
    assert.equal(r.changes.import, 4);
    // Found by tag, then read back like any tracked resource; nothing made or changed.
    assert.deepEqual(new Set(h.provider.stats.calls.map((c) => c.op)), new Set(['adopt', 'read']));
    assert.equal(h.provider.stats.count('adopt'), 5);
    assert.equal(h.provider.stats.count('read'), 4);
    assert.deepEqual(Object.fromEntries(h.managed().map((m) => [m.urn.split('::').at(-1), m.id])), ids);
    assert.ok(h.stack.resource('b')!.inputs!.token instanceof Secret, 'secret inputs stay secret');
    assert.deepEqual(h.stack.resource('b')!.dependencies, [h.stack.resource('a')!.urn]);
    assert.deepEqual(h.stack.resource('c')!.dependencies, [h.stack.resource('b')!.urn]);
    assert.equal(h.stack.resource('a')!.parent, h.stack.resource('group')!.urn);
    assert.deepEqual(h.stack.integrityProblems, []);
    // The root outputs are stored as a deploy of the graph stores them.
    const root = h.stack.deployment.resources.find((x) => x.type === 'pulumi:pulumi:Stack')!;
    assert.equal(root.outputs!.clusterName, 'prod');
    // Events: a step per look-up, the resource not found named in a warning, no secret.
    const done = h.events.filter((e): e is Extract<EngineEvent, { type: 'step-done' }> => e.type === 'step-done' && e.step.op === 'import');
    assert.deepEqual(done.map((e) => e.note).sort(), [...Object.values(ids).map((id) => `found ${id}`), 'not found in the cloud'].sort());
    const start = h.events.find((e) => e.type === 'start');
    assert.equal(start?.type === 'start' && start.total, 5, 'five look-ups; the adopted resources are then read too');
    assert.match(JSON.stringify(h.events.filter((e) => e.type === 'diagnostic')), /1 resource of the configuration was not found in the cloud.*::e/);
    assert.doesNotMatch(JSON.stringify(h.events), /tok-adopt-5678/);

    // The next deploy creates only what was not found; then nothing is left to do.
    const plan = preview(h.stack, graph(h, true).build(), { registry: h.registry });
    assert.deepEqual(plan.steps.filter((s) => s.op !== 'same').map((s) => `${s.op} ${s.name}`), ['create e']);
    await h.deploy(graph(h, true));
    assert.equal(hasChanges(preview(h.stack, graph(h, true).build(), { registry: h.registry })), false);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  } finally {
    h.cleanup();
  }
});

test('adoption skips what needs a resource that was not found, leaves tracked resources alone, and a second run is a plain refresh', async () => {
  const h = new Harness();
  try {
    await h.deploy(graph(h));
    // a is gone from the cloud and from a new stack: b, which refers to it, is not looked up,
    // and neither is c (it depends on b).
    h.cloud.remove(h.stack.resource('a')!.id!);
    Object.assign(h, { stack: new MemoryStack('dev') });
    const r = await h.refresh({ adopt: graph(h).build() });
    assert.equal(r.result, 'succeeded');
    assert.deepEqual(r.adopted.map((u) => u.split('::').at(-1)), ['d']);
    const notFound = Object.fromEntries(r.notFound.map((n) => [n.urn.split('::').at(-1), n.reason ?? 'looked up']));
    assert.equal(notFound.a, 'looked up');
    assert.match(notFound.b!, /needs .*::a, which is not in the stack/);
    assert.match(notFound.c!, /needs .*::b, which is not in the stack/);
    h.provider.stats.calls = [];
    const again = await h.refresh({ adopt: graph(h).build() });
    assert.deepEqual(again.adopted, []);
    assert.equal(h.provider.stats.count('read', 'd'), 1);
    // Adoption does not mix with targets or --expect-no-changes.
    await assert.rejects(h.refresh({ adopt: graph(h).build(), expectNoChanges: true }), /cannot be combined with --expect-no-changes/);
  } finally {
    h.cleanup();
  }
});

test('a failed look-up fails the refresh, names what it blocked, and stores no root outputs; a re-run completes', async () => {
  const h = new Harness();
  try {
    await h.deploy(graph(h));
    Object.assign(h, { stack: new MemoryStack('dev') });
    h.cloud.setFaults({ a: { adopt: { error: 'permanent', message: 'AccessDenied: tag:GetResources' } } });
    const r = await h.refresh({ adopt: graph(h).build() });
    assert.equal(r.result, 'failed');
    assert.deepEqual(r.failures.map((f) => [f.urn.split('::').at(-1), f.op, f.error]), [['a', 'import', 'AccessDenied: tag:GetResources']]);
    assert.deepEqual(r.adopted.map((u) => u.split('::').at(-1)), ['d']);
    const a = 'urn:pulumi:dev::sloth-kubernetes::test:index:Group$test:index:Thing::a';
    assert.deepEqual(r.notFound.map((n) => [n.urn.split('::').at(-1), n.reason]), [
      ['b', `the look-up of ${a} failed`],
      ['c', `the look-up of ${a} failed`],
    ]);
    assert.deepEqual(h.events.filter((e) => e.type === 'step-skipped').map((e) => e.type === 'step-skipped' && e.step.name), ['b', 'c']);
    assert.deepEqual(h.stack.deployment.resources.find((x) => x.type === 'pulumi:pulumi:Stack')!.outputs, {});
    h.cloud.setFaults({});
    const again = await h.refresh({ adopt: graph(h).build() });
    assert.equal(again.result, 'succeeded');
    assert.deepEqual(again.adopted.map((u) => u.split('::').at(-1)).sort(), ['a', 'b', 'c']);
    assert.equal(h.stack.deployment.resources.find((x) => x.type === 'pulumi:pulumi:Stack')!.outputs!.clusterName, 'prod');
  } finally {
    h.cleanup();
  }
});

test('provider log lines are scrubbed of the resource\'s secrets, like its errors', async () => {
  const h = new Harness();
  try {
    const g = h.graph();
    g.resource('test:index:Thing', 'chatty', { token: 'tok-logged-9012', log: 'connecting with token tok-logged-9012' }, { secretInputs: ['token'] });
    const r = await h.deploy(g);
    assert.equal(r.result, 'succeeded');
    const lines = h.events.filter((e): e is Extract<EngineEvent, { type: 'diagnostic' }> => e.type === 'diagnostic').map((e) => e.message);
    assert.deepEqual(lines, ['create: connecting with token [secret]']);
    assert.doesNotMatch(JSON.stringify(h.events), /tok-logged-9012/);
  } finally {
    h.cleanup();
  }
});

test('a resource is found when what it needs was recovered in the same run: a look-up is made again (recover), and what refers to it is looked up by tag', async () => {
  const h = new Harness();
  const withLookup = () => {
    const g = h.graph();
    const image = g.resource('test:index:Lookup', 'image', { of: 'ubuntu' });
    g.resource('test:index:Thing', 'machine', { image: image.output('value') });
    return g;
  };
  try {
    await h.deploy(withLookup());
    const id = h.stack.resource('machine')!.id;
    Object.assign(h, { stack: new MemoryStack('dev') });
    const r = await h.refresh({ adopt: withLookup().build() });
    assert.equal(r.result, 'succeeded', JSON.stringify(r.failures));
    assert.deepEqual(r.notFound, []);
    assert.deepEqual(r.adopted.map((u) => u.split('::').at(-1)).sort(), ['image', 'machine']);
    assert.equal(h.stack.resource('machine')!.id, id, 'the machine the lost stack tracked, no twin');
    assert.equal(h.provider.stats.count('recover', 'image'), 1);
    assert.equal(hasChanges(preview(h.stack, withLookup().build(), { registry: h.registry })), false);
  } finally {
    h.cleanup();
  }
});

test('staged adoption: the graph to adopt is made from what the probe found (a value the lost stack generated), and the probed object is looked up once', async () => {
  const h = new Harness();
  // A key the planner generated: the cloud's key object holds it; the lost stack knew it.
  const keyed = (publicKey: string) => {
    const g = h.graph();
    const key = g.resource('test:index:Thing', 'key', { publicKey });
    g.resource('test:index:Immutable', 'machine', { keyId: key.output('arn'), userData: `authorized: ${publicKey}` });
    return g;
  };
  try {
    await h.deploy(keyed('ssh-ed25519 ORIGINAL'));
    const ids = Object.fromEntries(h.managed().map((r) => [r.urn.split('::').at(-1), r.id]));
    Object.assign(h, { stack: new MemoryStack('dev') });
    h.provider.stats.calls = [];
    // Rebuilt from nothing, the planner would generate another key; the probe reads the cloud's.
    const first = keyed('ssh-ed25519 REGENERATED').build();
    const keyUrn = first.resources.find((x) => x.name === 'key')!.urn;
    let seen: unknown;
    const r = await h.refresh({
      adopt: {
        first,
        probe: [keyUrn],
        next: (found) => {
          seen = found.get(keyUrn)?.publicKey;
          return keyed(String(seen)).build();
        },
      },
    });
    assert.equal(r.result, 'succeeded', JSON.stringify(r.failures));
    assert.equal(seen, 'ssh-ed25519 ORIGINAL');
    assert.deepEqual(r.adopted.map((u) => u.split('::').at(-1)).sort(), ['key', 'machine']);
    assert.equal(r.changes.import, 2);
    assert.equal(h.provider.stats.count('adopt', 'key'), 1, 'the probe\'s look-up is not made again');
    assert.deepEqual(Object.fromEntries(h.managed().map((m) => [m.urn.split('::').at(-1), m.id])), ids);
    // The graph that holds the cloud's key is the one recorded: nothing to replace.
    const plan = preview(h.stack, keyed('ssh-ed25519 ORIGINAL').build(), { registry: h.registry });
    assert.equal(hasChanges(plan), false, JSON.stringify(plan.steps.filter((s) => s.op !== 'same')));
    assert.equal(r.drifted, 0);
  } finally {
    h.cleanup();
  }
});
