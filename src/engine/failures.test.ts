import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../test/provider/harness.ts';
import type { EngineEvent } from './events.ts';

function graph(h: Harness, options: { timeout?: number } = {}) {
  const g = h.graph();
  const a = g.resource('test:index:Thing', 'a', { size: 1 }, options.timeout ? { customTimeouts: { create: options.timeout } } : {});
  g.resource('test:index:Thing', 'b', { parentArn: a.output('arn') });
  g.resource('test:index:Thing', 'c', { size: 3 });
  const d = g.resource('test:index:Thing', 'd', { size: 4 });
  g.resource('test:index:Thing', 'e', { parentArn: d.output('arn') });
  return g;
}

test('throttling and transient errors are retried with backoff, then the step succeeds', async () => {
  const h = new Harness();
  try {
    h.cloud.setFaults({ a: { create: { error: 'throttled', times: 2, message: 'Rate exceeded' } }, c: { create: { error: 'transient', times: 1 } } });
    const r = await h.deploy(graph(h));
    assert.equal(r.result, 'succeeded');
    const retries = h.events.filter((e): e is Extract<EngineEvent, { type: 'retry' }> => e.type === 'retry');
    assert.deepEqual(retries.map((e) => `${e.step.name}#${e.attempt}`).sort(), ['a#1', 'a#2', 'c#1']);
    assert.equal(retries.find((e) => e.step.name === 'a')!.error, 'Rate exceeded');
    assert.equal(h.provider.stats.count('create', 'a'), 3);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  } finally {
    h.cleanup();
  }
});

test('a permanent failure fails that resource, skips its dependents, finishes independent branches, and names it', async () => {
  const h = new Harness();
  try {
    h.cloud.setFaults({ a: { create: { error: 'permanent', message: 'InvalidParameterValue: size 1 is too small' } } });
    const r = await h.deploy(graph(h));
    assert.equal(r.result, 'failed');
    assert.deepEqual(r.failures, [{ urn: 'urn:pulumi:dev::sloth-kubernetes::test:index:Thing::a', op: 'create', error: 'InvalidParameterValue: size 1 is too small' }]);
    assert.equal(h.provider.stats.count('create', 'a'), 1);
    assert.deepEqual(r.changes, { create: 4 });
    const skipped = h.events.filter((e) => e.type === 'step-skipped');
    assert.equal(skipped.length, 1);
    assert.match(JSON.stringify(skipped[0]), /"name":"b".*::a did not complete/);
    assert.deepEqual(h.managed().map((x) => x.urn.split('::').at(-1)).sort(), ['c', 'd', 'e']);
    assert.equal(h.stack.deployment.pendingOperations.length, 0);
    assert.equal(h.stack.entries.at(-1)!.result, 'failed');
    const summary = h.events.at(-1)!;
    assert.ok(summary.type === 'summary' && summary.failures.length === 1);
    // Fix the cause and deploy again: converges.
    h.cloud.setFaults({});
    const r2 = await h.deploy(graph(h));
    assert.equal(r2.result, 'succeeded');
    assert.deepEqual(r2.changes, { create: 2, same: 4 });
  } finally {
    h.cleanup();
  }
});

test('retries give up after the policy limit and fail the step', async () => {
  const h = new Harness();
  try {
    h.cloud.setFaults({ c: { create: { error: 'throttled' } } });
    const r = await h.deploy(graph(h));
    assert.equal(r.result, 'failed');
    assert.match(r.failures[0]!.error, /gave up after 5 attempts/);
    assert.equal(h.provider.stats.count('create', 'c'), 5);
  } finally {
    h.cleanup();
  }
});

test('a create that fails after making its object has the object adopted: no orphan', async () => {
  const h = new Harness();
  try {
    h.cloud.setFaults({ c: { create: { afterEffect: true, error: 'permanent', message: 'waiter failed' } } });
    const r = await h.deploy(graph(h));
    assert.equal(r.result, 'failed');
    assert.ok(h.stack.resource('c')?.id);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
    assert.ok(h.events.some((e) => e.type === 'diagnostic' && /left an object behind/.test(e.message)));
    h.cloud.setFaults({});
    const r2 = await h.deploy(graph(h));
    assert.equal(r2.result, 'succeeded');
    assert.equal(h.cloud.list().length, 5);
  } finally {
    h.cleanup();
  }
});

test('a per-resource timeout fails a hung call; the interrupted create is resolved by the next run', async () => {
  const h = new Harness();
  try {
    // A call that never returns: the run ends only because the timeout does not wait for it.
    h.cloud.setFaults({ a: { create: { hangMs: 3_600_000, ignoreAbort: true, times: 1 } } });
    const r = await h.deploy(graph(h, { timeout: 0.1 }));
    assert.equal(r.result, 'failed');
    assert.match(r.failures[0]!.error, /timed out after 0.1s/);
    assert.equal(h.stack.deployment.pendingOperations.length, 1);
    h.cloud.setFaults({});
    const r2 = await h.deploy(graph(h, { timeout: 0.1 }));
    assert.equal(r2.result, 'succeeded');
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  } finally {
    h.cleanup();
  }
});

test('provider error text is scrubbed of secret values', async () => {
  const h = new Harness();
  try {
    h.cloud.setFaults({ s: { create: { error: 'permanent', message: 'invalid token tok-12345-secret for account' } } });
    const g = h.graph();
    g.resource('test:index:Thing', 's', { token: 'tok-12345-secret' }, { secretInputs: ['token'] });
    const r = await h.deploy(g);
    assert.equal(r.failures[0]!.error, 'invalid token [secret] for account');
    assert.doesNotMatch(JSON.stringify(h.events), /tok-12345/);
  } finally {
    h.cleanup();
  }
});

test('when the state cannot be saved the run stops, reports it, and keeps what was saved', async () => {
  const h = new Harness();
  try {
    h.stack.failRecordAt = 2;
    await assert.rejects(h.deploy(graph(h), { parallel: 1 }), (err: Error & { hint?: string }) => {
      assert.match(err.message, /could not save the stack's state: disk full/);
      assert.match(err.hint!, /run the command again/);
      return true;
    });
    assert.equal(h.stack.locked, false);
    h.stack.failRecordAt = undefined;
    const r = await h.deploy(graph(h));
    assert.equal(r.result, 'succeeded');
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
  } finally {
    h.cleanup();
  }
});

test('a second update while one holds the lock is refused by the state layer', async () => {
  const h = new Harness({ latencyMs: 20 });
  try {
    const first = h.deploy(graph(h));
    await new Promise((r) => setTimeout(r, 5));
    await assert.rejects(h.deploy(graph(h)), /locked/);
    assert.equal((await first).result, 'succeeded');
  } finally {
    h.cleanup();
  }
});
