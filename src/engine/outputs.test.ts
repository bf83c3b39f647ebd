import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../test/provider/harness.ts';
import { preview, hasChanges } from './index.ts';
import type { DesiredGraph } from './index.ts';
import { Secret } from '../state/types.ts';
import type { PropertyMap } from '../state/types.ts';

/** What the state layer does to root outputs on write: credential-bearing keys become secrets. */
const protect = (outputs: PropertyMap): PropertyMap =>
  Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, /kube|nodes/i.test(k) && !(v instanceof Secret) ? new Secret(v) : v]));

/** A graph whose computed outputs come back in the clear, while the stack stores them as secrets. */
function build(h: Harness, size: number): DesiredGraph {
  const g = h.graph();
  g.resource('test:index:Thing', 'a', { size });
  g.stackOutputs = { clusterName: 'prod', lispManifest: new Secret('(cluster)') };
  g.computeOutputs = (resources) => ({
    kubeConfig: `server: ${resources.find((r) => r.urn.endsWith('::a'))?.id}`,
    nodes: { a: { size: resources.find((r) => r.urn.endsWith('::a'))?.outputs?.size ?? null } },
  });
  g.computedOutputKeys = ['kubeConfig', 'nodes'];
  g.protectOutputs = protect;
  return g;
}

test('an unchanged deploy reports no changes: computed outputs are computed from the stack and compared in their stored (protected) form', async () => {
  const h = new Harness();
  try {
    // The memory stack stores what it is given; protect as the state layer would.
    await h.deploy(build(h, 1));
    const root = () => h.stack.deployment.resources.find((r) => r.type === 'pulumi:pulumi:Stack')!;
    assert.ok(root().outputs!.kubeConfig instanceof Secret, 'stored protected');
    assert.ok(root().outputs!.nodes instanceof Secret);
    const outputsEvent = h.events.find((e) => e.type === 'outputs');
    assert.deepEqual(outputsEvent?.type === 'outputs' && outputsEvent.outputs, { clusterName: 'prod', lispManifest: '[secret]', kubeConfig: '[secret]', nodes: '[secret]' });

    const plan = preview(h.stack, build(h, 1).build(), { registry: h.registry });
    assert.deepEqual(plan.outputChanges, []);
    assert.equal(hasChanges(plan), false);
    // Even when a deploy runs (no resource change), the root is not rewritten.
    const writes = h.stack.writes.length;
    const r = await h.deploy(build(h, 1));
    assert.deepEqual(r.changes, { same: 2 });
    assert.deepEqual(h.stack.writes.slice(writes), [], 'nothing written, the root included');
  } finally {
    h.cleanup();
  }
});

test('a plan that changes resources shows each declared computed output as (known after apply), the apply stores the real values', async () => {
  const h = new Harness();
  try {
    await h.deploy(build(h, 1));
    const plan = preview(h.stack, build(h, 2).build(), { registry: h.registry });
    assert.deepEqual(plan.outputChanges, [
      { key: 'kubeConfig', kind: 'update', old: '[secret]', new: '(known after apply)' },
      { key: 'nodes', kind: 'update', old: '[secret]', new: '(known after apply)' },
    ]);
    await h.deploy(build(h, 2));
    const nodes = h.stack.deployment.resources.find((r) => r.type === 'pulumi:pulumi:Stack')!.outputs!.nodes;
    assert.ok(nodes instanceof Secret);
    assert.deepEqual(nodes.value, { a: { size: 2 } });
    // Targeted runs leave the outputs as they are, and their plans say so.
    const targeted = preview(h.stack, build(h, 3).build(), { registry: h.registry, targets: [h.stack.resource('a')!.urn] });
    assert.deepEqual(targeted.outputChanges, []);
  } finally {
    h.cleanup();
  }
});
