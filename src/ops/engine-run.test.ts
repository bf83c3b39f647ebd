// The ops port without a terminal, as the jobs server and the operator will use it: a host that
// records every event, answers confirmations asynchronously, and stops a run through an
// AbortSignal. The CLI's side of the port is tested through the CLI (src/cli/*.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliStackEnv } from '../../test/provider/cli-env.ts';
import { testProvider } from '../../test/provider/test-provider.ts';
import { DesiredGraph } from '../engine/index.ts';
import { OpsError } from './errors.ts';
import { deployGraph, destroy, previewGraph } from './engine-run.ts';
import type { ConfirmRequest, OpsContext, OpsEvent } from './host.ts';
import { registerProviderPackage } from './providers.ts';

interface Recorded {
  ctx: OpsContext;
  events: OpsEvent[];
  asked: ConfirmRequest[];
}

/** A context whose host records events and answers each confirmation `answer` after a delay. */
function context(e: CliStackEnv, answer: boolean, signals: { signal?: AbortSignal; abortSignal?: AbortSignal } = {}): Recorded {
  const events: OpsEvent[] = [];
  const asked: ConfirmRequest[] = [];
  const host = {
    notify: (ev: OpsEvent) => void events.push(ev),
    confirm: async (request: ConfirmRequest) => {
      asked.push(request);
      await sleep(20); // an approval that arrives later
      return answer;
    },
  };
  return { ctx: { host, env: e.env, cwd: e.dir, homedir: e.dir, actor: 'job-runner@server', ...signals }, events, asked };
}

function graph(count: number, latencyMs = 0): DesiredGraph {
  const g = new DesiredGraph('dev');
  const p = g.provider('test', 'p', { latencyMs });
  for (let i = 0; i < count; i++) g.resource('test:index:Thing', `t${i}`, { i }, { provider: p });
  return g;
}

async function withEnv(fn: (e: CliStackEnv) => Promise<void>): Promise<void> {
  const e = new CliStackEnv();
  const unregister = registerProviderPackage('test', () => testProvider({ dir: e.cloudDir }));
  try {
    await e.create();
    await fn(e);
  } finally {
    unregister();
    e.cleanup();
  }
}

test('a deploy asks its host with the plan; a later no changes nothing, a later yes applies; every step is an event', () =>
  withEnv(async (e) => {
    const preview = context(e, false);
    const plan = await previewGraph(preview.ctx, { stack: 'dev', build: () => graph(3).build() });
    assert.equal(plan.counts.create, 4, 'the three things and the stack');
    assert.deepEqual(preview.events.map((ev) => ev.type), ['plan']);

    const no = context(e, false);
    await assert.rejects(deployGraph(no.ctx, { stack: 'dev', build: () => graph(3).build() }), (err: OpsError) => err instanceof OpsError && err.reason === 'declined');
    assert.equal(no.asked.length, 1);
    assert.equal(no.asked[0]!.kind, 'apply');
    assert.equal(no.asked[0]!.kind === 'apply' && no.asked[0]!.plan.counts.create, 4);
    assert.equal(e.cloud.list().length, 0);

    const yes = context(e, true);
    const outcome = await deployGraph(yes.ctx, { stack: 'dev', build: () => graph(3).build() });
    assert.equal(outcome.result?.result, 'succeeded');
    assert.equal(e.cloud.list().length, 3);
    const types = yes.events.map((ev) => ev.type);
    assert.deepEqual([types[0], types[1], types[2]], ['plan', 'run', 'start']);
    assert.equal(types.filter((t) => t === 'step-done').length, 4, 'the three things and the stack');
    assert.equal(types.at(-1), 'summary');

    // Nothing to change: no question, no run.
    const same = context(e, false);
    const unchanged = await deployGraph(same.ctx, { stack: 'dev', build: () => graph(3).build() });
    assert.equal(unchanged.result, undefined);
    assert.equal(same.asked.length, 0);
    assert.deepEqual(same.events.map((ev) => ev.type), ['plan']);
  }));

test('the stop signal ends a run gracefully: running steps finish and are saved, nothing new starts; the reason is cancelled', () =>
  withEnv(async (e) => {
    const stop = new AbortController();
    const run = context(e, true, { signal: stop.signal });
    const stopped = deployGraph(run.ctx, { stack: 'dev', parallel: 2, build: () => graph(10, 50).build() });
    const poll = setInterval(() => {
      if (run.events.some((ev) => ev.type === 'step-start')) stop.abort();
    }, 2);
    await assert.rejects(stopped, (err: OpsError) => err instanceof OpsError && err.reason === 'cancelled' && err.reported);
    clearInterval(poll);
    assert.ok(run.events.some((ev) => ev.type === 'cancel' && ev.mode === 'graceful'));
    const created = e.cloud.list().length;
    assert.ok(created >= 1 && created < 10, `${created} created`);
    const { store, stack } = await e.open();
    assert.equal(stack.deployment.pendingOperations.length, 0);
    store.close();

    // Destroy asks with its own kind of request.
    const gone = context(e, true);
    await destroy(gone.ctx, { stack: 'dev' });
    assert.equal(gone.asked[0]!.kind, 'destroy');
    assert.equal(e.cloud.list().length, 0);
  }));
