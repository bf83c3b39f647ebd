import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from '../../test/provider/harness.ts';
import { Cancellation } from './cancel.ts';
import type { EngineEvent } from './events.ts';

function wide(h: Harness, n: number) {
  const g = h.graph();
  for (let i = 0; i < n; i++) g.resource('test:index:Thing', `r${i}`, { i });
  return g;
}

test('the first cancel stops starting steps, lets running ones finish and saves them', async () => {
  const h = new Harness({ latencyMs: 40 });
  try {
    const cancellation = new Cancellation();
    const run = h.deploy(wide(h, 12), { parallel: 3, cancellation, onEvent: (e: EngineEvent) => {
      h.events.push(e);
      if (e.type === 'step-start' && e.step.name === 'r0') setImmediate(() => cancellation.request());
    } });
    const r = await run;
    assert.equal(r.result, 'cancelled');
    assert.deepEqual(r.failures, []);
    // The provider configuration and the three steps running when Ctrl-C came.
    const created = h.managed().length;
    assert.ok(created >= 1 && created <= 3, `${created} created`);
    assert.equal(h.provider.stats.count('create'), created);
    assert.equal(h.stack.deployment.pendingOperations.length, 0);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
    assert.ok(h.events.some((e) => e.type === 'cancel' && e.mode === 'graceful'));
    assert.equal(h.stack.locked, false);
    const again = await h.deploy(wide(h, 12));
    assert.equal(again.result, 'succeeded');
    assert.equal(h.cloud.list().length, 12);
  } finally {
    h.cleanup();
  }
});

test('the second cancel aborts running calls; their pending operations are resolved by the next run', async () => {
  const h = new Harness();
  try {
    // Calls that would never return: the run can only end if the abort does not wait for them.
    const hang = { create: { hangMs: 3_600_000, ignoreAbort: true } };
    h.cloud.setFaults(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`r${i}`, hang])));
    const cancellation = new Cancellation();
    let started = 0;
    const r = await h.deploy(wide(h, 6), { parallel: 6, cancellation, onEvent: (e: EngineEvent) => {
      h.events.push(e);
      if (e.type === 'step-start' && e.step.op === 'create' && ++started === 6) {
        cancellation.request();
        cancellation.request();
      }
    } });
    assert.equal(r.result, 'cancelled');
    assert.ok(h.events.some((e) => e.type === 'cancel' && e.mode === 'abort'));
    assert.equal(h.stack.deployment.pendingOperations.length, 6);
    assert.equal(h.stack.locked, false);
    h.cloud.setFaults({});
    const again = await h.deploy(wide(h, 6));
    assert.equal(again.result, 'succeeded');
    assert.equal(h.stack.deployment.pendingOperations.length, 0);
    assert.deepEqual(h.cloudMatchesStack(), { missing: [], orphans: [] });
    assert.equal(h.cloud.list().length, 6);
  } finally {
    h.cleanup();
  }
});
