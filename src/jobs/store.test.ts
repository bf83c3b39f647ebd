// The queue on SQLite (node:sqlite, a real file): FIFO per stack, stacks in parallel, one active
// job per stack enforced by the database, two processes' worth of claims racing, transitions
// timestamped, recovery of a runner that stopped beating, logs in order from an offset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from './db.ts';
import { migrate } from './schema.ts';
import { JobStore } from './store.ts';
import { DEFAULT_POLICY, resolvePolicy, stepsFor } from './policy.ts';
import { specFor } from './testing.ts';


async function withStore(fn: (store: JobStore, file: string) => Promise<void>, now?: () => number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-jobs-store-'));
  const file = join(dir, 'jobs.db');
  const db = await openSqlite(file);
  try {
    await migrate(db);
    await fn(new JobStore(db, now), file);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the database file is private (0600) and the schema is created once', () =>
  withStore(async (store, file) => {
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await migrate(store.db);
    assert.equal((await store.list()).length, 0);
  }));

test('one job at a time per stack, FIFO per stack, other stacks in parallel', () =>
  withStore(async (store) => {
    const a1 = await store.create(specFor('a'), 'x');
    const a2 = await store.create(specFor('a'), 'x');
    const b1 = await store.create(specFor('b'), 'x');
    assert.equal(await store.queuePosition(a2), 2);
    const first = await store.claim('r1');
    const second = await store.claim('r2');
    assert.deepEqual([first?.id, second?.id], [a1.id, b1.id], 'a1 first, then b1 while a is busy');
    assert.equal(await store.claim('r3'), undefined, 'a2 waits for a1');
    assert.ok(await store.transition(a1.id, ['running'], 'succeeded', { runner: 'r1' }));
    const third = await store.claim('r3');
    assert.equal(third?.id, a2.id);
    const done = await store.get(a1.id);
    assert.deepEqual(done!.transitions.map((t) => t.status), ['queued', 'running', 'succeeded']);
    assert.ok(done!.transitions.every((t) => typeof t.at === 'number'));
    assert.ok(done!.finishedAt! >= done!.startedAt!);
  }));

test('a job awaiting approval holds its stack; the database refuses a second active job whatever the code does', () =>
  withStore(async (store) => {
    const a1 = await store.create(specFor('a'), 'x');
    const a2 = await store.create(specFor('a'), 'x');
    await store.claim('r1');
    assert.ok(await store.transition(a1.id, ['running'], 'awaiting_approval', { runner: 'r1' }));
    assert.equal(await store.claim('r2'), undefined);
    await assert.rejects(store.db.run(`UPDATE jobs SET status = 'running' WHERE id = ?`, [a2.id]), /UNIQUE/);
  }));

test('many claims racing for one job: exactly one runner gets it', () =>
  withStore(async (store) => {
    const job = await store.create(specFor('race'), 'x');
    const got = await Promise.all(Array.from({ length: 8 }, (_, i) => store.claim(`r${i}`)));
    assert.deepEqual(got.filter(Boolean).map((j) => j!.id), [job.id]);
  }));

test('cancel: a queued job at once, a running one by request; approve only while awaiting, once', () =>
  withStore(async (store) => {
    const q = await store.create(specFor('a'), 'x');
    const queued2 = await store.create(specFor('b'), 'x');
    assert.equal((await store.cancel(queued2.id, 'alice')).status, 'cancelled');
    await store.claim('r1');
    const asked = await store.cancel(q.id, 'alice');
    assert.equal(asked.status, 'running');
    assert.equal(asked.cancelRequested, true);
    await assert.rejects(store.decide(q.id, { approved: true, by: 'bob', at: 1 }), /only a job awaiting approval/);
    await store.transition(q.id, ['running'], 'awaiting_approval', { runner: 'r1' });
    await store.decide(q.id, { approved: true, by: 'bob', at: 1 });
    await assert.rejects(store.decide(q.id, { approved: false, by: 'carol', at: 2 }), /already approved by bob/);
    await assert.rejects(store.cancel(queued2.id, 'alice'), /cancelled; it cannot be cancelled/);
  }));

test('a runner that stops beating: its job is queued again if nothing was applied, failed otherwise', async () => {
  let clock = 1_000_000;
  await withStore(
    async (store) => {
      const clean = await store.create(specFor('a'), 'x');
      const dirty = await store.create(specFor('b'), 'x');
      await store.claim('dead/1/aa');
      await store.claim('dead/1/aa');
      await store.update(dirty.id, 'dead/1/aa', { applied: true });
      clock += 5_000;
      assert.deepEqual(await store.recoverStale(10_000), [], 'not stale yet');
      clock += 10_000;
      const got = await store.recoverStale(10_000);
      assert.deepEqual(got.map((r) => [r.job.id, r.action]).sort(), [[clean.id, 'requeued'], [dirty.id, 'failed']].sort());
      assert.equal((await store.get(clean.id))!.status, 'queued');
      const failed = (await store.get(dirty.id))!;
      assert.equal(failed.status, 'failed');
      assert.match(failed.error!, /stopped responding.*may have been applied/);
      const again = await store.claim('live/2/bb');
      assert.equal(again?.id, clean.id);
      assert.equal(again?.attempt, 2);
      assert.equal(await store.heartbeat(clean.id, 'dead/1/aa'), undefined, 'the dead runner no longer owns it');
    },
    () => clock,
  );
});

test('logs: appended in order, read from an offset', () =>
  withStore(async (store) => {
    const job = await store.create(specFor('a'), 'x');
    await store.appendLog(job.id, [{ kind: 'message', data: { n: 1 } }, { kind: 'message', data: { n: 2 } }]);
    await Promise.all([3, 4, 5].map((n) => store.appendLog(job.id, [{ kind: 'message', data: { n } }])));
    const all = await store.logs(job.id);
    assert.deepEqual(all.map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.deepEqual((await store.logs(job.id, 3)).map((e) => e.seq), [4, 5]);
  }));

test('policy: the most specific level wins, each setting says where it came from; a pause without preview is refused', () => {
  const r = resolvePolicy([
    { scope: 'stack', name: 'prod', policy: { skipRefresh: true } },
    { scope: 'platform', name: '', policy: { pauseBetweenPreviewAndUpdate: true, skipRefresh: false } },
    { scope: 'environment', name: 'production', policy: { pauseBetweenPreviewAndUpdate: false } },
    { scope: 'organization', name: 'acme', policy: { pauseBetweenPreviewAndUpdate: true } },
  ]);
  assert.deepEqual(r, {
    previewBeforeUpdate: { value: DEFAULT_POLICY.previewBeforeUpdate, from: 'default' },
    pauseBetweenPreviewAndUpdate: { value: false, from: 'environment', scopeName: 'production' },
    skipRefresh: { value: true, from: 'stack', scopeName: 'prod' },
  });
  assert.deepEqual(stepsFor('deploy', r), ['init', 'preview', 'apply']);
  assert.deepEqual(stepsFor('destroy', resolvePolicy([])), ['init', 'refresh', 'preview', 'destroy']);
  assert.deepEqual(stepsFor('deploy', resolvePolicy([{ scope: 'stack', name: 's', policy: { previewBeforeUpdate: false } }])), ['init', 'refresh', 'apply']);
  assert.throws(() => resolvePolicy([{ scope: 'organization', name: 'acme', policy: { previewBeforeUpdate: false, pauseBetweenPreviewAndUpdate: true } }]), /pauseBetweenPreviewAndUpdate \(set at organization acme\) needs previewBeforeUpdate/);
});
