import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { runGraph } from './scheduler.ts';
import type { Task } from './scheduler.ts';
import { Slots } from './slots.ts';
import { callWithRetry } from './retry.ts';

function task(id: string, deps: string[], body: () => Promise<void> = async () => undefined, weight = 1): Task {
  return { id, deps, weight, run: body };
}

test('tasks run after their dependencies; a failure skips its dependents only', async () => {
  const order: string[] = [];
  const t = (id: string, deps: string[], fail = false) => task(id, deps, async () => {
    order.push(id);
    if (fail) throw new Error(`${id} failed`);
  });
  const tasks = new Map([t('a', []), t('b', ['a'], true), t('c', ['b']), t('d', ['c']), t('e', ['a'])].map((x) => [x.id, x]));
  const skipped: string[] = [];
  const out = await runGraph(tasks, { stopping: () => false, onSkip: (id) => skipped.push(id) });
  assert.deepEqual([...out.done].sort(), ['a', 'e']);
  assert.deepEqual([...out.failed.keys()], ['b']);
  assert.deepEqual(skipped.sort(), ['c', 'd']);
  assert.ok(order.indexOf('a') < order.indexOf('b'));
});

test('slots bound concurrency and serve the highest priority first', async () => {
  const slots = new Slots(1);
  const first = await slots.acquire(0);
  const served: number[] = [];
  const waiters = [1, 5, 3].map((p) => slots.acquire(p).then((release) => {
    served.push(p);
    release();
  }));
  first();
  await Promise.all(waiters);
  assert.deepEqual(served, [5, 3, 1]);
  assert.throws(() => new Slots(0), /at least 1/);
});

test('the longest chain starts first when slots are scarce (critical path first)', async () => {
  const slots = new Slots(1);
  const started: string[] = [];
  const mk = (id: string, deps: string[]) => task(id, deps, async () => {
    const release = await slots.acquire(priorities.get(id)!);
    started.push(id);
    await sleep(1);
    release();
  });
  const priorities = new Map<string, number>();
  const tasks = new Map([mk('short', []), mk('long1', []), mk('long2', ['long1']), mk('long3', ['long2'])].map((x) => [x.id, x]));
  for (const [id, t] of tasks) tasks.set(id, { ...t, run: (p) => (priorities.set(id, p), t.run(p)) });
  await runGraph(tasks, { stopping: () => false });
  assert.equal(started[0], 'long1');
});

test('retries back off with jitter inside the cap, and stop at once on a permanent error', async () => {
  const delays: number[] = [];
  let calls = 0;
  const result = await callWithRetry(async () => {
    if (++calls < 4) throw new Error('slow down');
    return 'ok';
  }, {
    classify: () => 'throttled',
    policy: { maxAttempts: 5, baseDelayMs: 4, maxDelayMs: 10 },
    timeoutMs: 5_000,
    runSignal: new AbortController().signal,
    scrub: (t) => t,
    onRetry: (_a, d) => delays.push(d),
    random: () => 1,
  });
  assert.equal(result, 'ok');
  assert.deepEqual(delays, [4, 8, 10]);
  let permanentCalls = 0;
  await assert.rejects(
    callWithRetry(async () => {
      permanentCalls++;
      throw new Error('AccessDenied');
    }, { classify: () => 'permanent', policy: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 }, timeoutMs: 5_000, runSignal: new AbortController().signal, scrub: (t) => t }),
    /AccessDenied/,
  );
  assert.equal(permanentCalls, 1);
});
