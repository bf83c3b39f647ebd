// The operator's small rules, each on its own: durations, the plan digest (steps and keys,
// never values), kstatus conditions (a transition time moves only with the status), whose lock
// an interrupted update may release, the revision (what makes an update due), and URLs shown
// without credentials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Plan } from '../engine/index.ts';
import { durationMs } from './controller.ts';
import { redactUrl } from './git.ts';
import { revisionOf } from './source.ts';
import type { RefCaches } from './source.ts';
import { conditionsFor, phases, replacing, showsPhase } from './status.ts';
import type { StackResource } from './types.ts';
import { locksOf, planDigest } from './update.ts';

test('durations: 90s, 30m, 1h30m', () => {
  assert.equal(durationMs('90s'), 90_000);
  assert.equal(durationMs('30m'), 1_800_000);
  assert.equal(durationMs('1h30m'), 5_400_000);
});

const plan = (steps: { urn: string; op: string; value: string }[]): Plan =>
  ({
    kind: 'update',
    stack: 's',
    steps: steps.map((s) => ({ urn: s.urn, type: 't', name: 'n', op: s.op, custom: true, changes: [{ key: 'publicKey', kind: 'add', new: s.value }] })),
    counts: { create: steps.length, update: 0, replace: 0, delete: 0, same: 0 },
    warnings: [],
    outputChanges: [],
  }) as unknown as Plan;

test('the plan digest covers commit, steps and changed keys, not values (a generated key differs on every preview)', () => {
  const a = planDigest(plan([{ urn: 'urn:a', op: 'create', value: 'key-1' }]), 'c1');
  assert.equal(planDigest(plan([{ urn: 'urn:a', op: 'create', value: 'key-2' }]), 'c1'), a);
  assert.notEqual(planDigest(plan([{ urn: 'urn:a', op: 'create', value: 'key-1' }]), 'c2'), a);
  assert.notEqual(planDigest(plan([{ urn: 'urn:b', op: 'create', value: 'key-1' }]), 'c1'), a);
  assert.notEqual(planDigest(plan([{ urn: 'urn:a', op: 'replace', value: 'key-1' }]), 'c1'), a);
  assert.match(a, /^[0-9a-f]{16}$/);
});

const stack = (status?: StackResource['status'], generation = 1): StackResource => ({
  metadata: { name: 'prod', namespace: 'team', generation, annotations: {} },
  spec: { stack: 'prod', config: '(cluster)', envRefs: { K: { type: 'Secret', secret: { name: 'aws', key: 'k' } } } },
  status,
});

test('conditions: Ready/Reconciling/Stalled per phase; a transition time moves only when the status does', () => {
  const t1 = new Date('2026-01-01T00:00:00Z');
  const t2 = new Date('2026-01-01T01:00:00Z');
  const first = conditionsFor(stack(), phases.progressing('Updating', 'running'), t1);
  assert.deepEqual(first.map((c) => [c.type, c.status, c.reason]), [['Ready', 'False', 'Updating'], ['Reconciling', 'True', 'Updating'], ['Stalled', 'False', 'NotStalled']]);
  const s = stack({ conditions: first, observedGeneration: 1 });
  const retry = conditionsFor(s, phases.progressing('RetryingAfterFailure', 'again'), t2);
  assert.equal(retry.find((c) => c.type === 'Reconciling')!.lastTransitionTime, t1.toISOString(), 'still True: unchanged');
  const stalled = conditionsFor(s, phases.stalled('ConfigInvalid', 'bad'), t2);
  assert.equal(stalled.find((c) => c.type === 'Stalled')!.lastTransitionTime, t2.toISOString());
  assert.equal(stalled.find((c) => c.type === 'Reconciling')!.reason, 'Idle');
  assert.ok(showsPhase(s, phases.progressing('Updating', 'running')));
  assert.ok(!showsPhase(stack({ conditions: first, observedGeneration: 1 }, 2), phases.progressing('Updating', 'running')), 'a new generation is not yet observed');
});

test('an interrupted update\'s lock is released only when every lock is that process\'s', () => {
  const h = (hostname: string, pid: number) => ({ pid, hostname, username: 'op', timestamp: '', stale: false });
  assert.ok(locksOf([h('op-a', 7)], 'op-a pid 7'));
  assert.ok(!locksOf([h('op-a', 7), h('laptop', 9)], 'op-a pid 7'), 'someone else holds one too');
  assert.ok(!locksOf([h('laptop', 9)], 'op-a pid 7'));
  assert.ok(!locksOf([], 'op-a pid 7'), 'no lock: nothing to release');
  assert.ok(!locksOf([h('op-a', 7)], undefined));
});

test('the revision changes with the generation, the commit, a referenced object\'s version and the reconcile request — not with unrelated objects', () => {
  const objects = new Map<string, string>([['aws', '10'], ['other', '5']]);
  const cache = (): RefCaches['secrets'] => ({
    list: () => [],
    get: (name) => (objects.has(name) ? ({ metadata: { name, resourceVersion: objects.get(name) } } as KubernetesObject) : undefined),
    stop: async () => undefined,
  });
  const caches: RefCaches = { secrets: cache(), configmaps: cache() };
  const base = revisionOf(stack(), 'c1', caches);
  assert.equal(revisionOf(stack(), 'c1', caches), base);
  assert.notEqual(revisionOf(stack(undefined, 2), 'c1', caches), base);
  assert.notEqual(revisionOf(stack(), 'c2', caches), base);
  objects.set('other', '6');
  assert.equal(revisionOf(stack(), 'c1', caches), base);
  objects.set('aws', '11');
  assert.notEqual(revisionOf(stack(), 'c1', caches), base);
  const requested = stack();
  requested.metadata.annotations = { 'sloth-kubernetes.io/reconcile-request': 'now' };
  assert.notEqual(revisionOf(requested, 'c1', caches), revisionOf(stack(), 'c1', caches));
});

test('URLs in messages lose their credentials', () => {
  assert.equal(redactUrl('fetch of https://user:tok3n@example.com/r.git failed'), 'fetch of https://[secret]@example.com/r.git failed');
  assert.equal(redactUrl('https://example.com/r.git'), 'https://example.com/r.git');
});

test('a status object is replaced whole through a merge patch: what the new one lacks is removed', () => {
  assert.deepEqual(replacing({ id: 'a', reason: 'ConfigInvalid', failures: 2 }, { id: 'b', failures: 0 }), { id: 'b', reason: null, failures: 0 });
  assert.deepEqual(replacing(undefined, { id: 'b' }), { id: 'b' });
});
