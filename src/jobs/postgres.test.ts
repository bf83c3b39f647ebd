// The queue on a real PostgreSQL (started by the test): the same rules as on SQLite — FIFO per
// stack, one active job per stack enforced by the database — and two runner processes' worth
// of connections (two pools) racing for jobs: each job is claimed exactly once, FOR UPDATE
// SKIP LOCKED lets them take different stacks at the same time, and a runner that stops
// beating has its job recovered by the other; two servers starting at once make one admin token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { missing } from '../../test/helpers/parts.ts';
import { startPostgres } from '../../test/helpers/postgres.ts';
import type { Postgres } from '../../test/helpers/postgres.ts';
import type { Db } from './db.ts';
import { openPostgres } from './db.ts';
import { migrate } from './schema.ts';
import { JobStore } from './store.ts';
import { specFor } from './testing.ts';

const skip = missing('postgres');
let pg: Postgres;
let a: Db;
let b: Db;

before(async () => {
  if (skip) return;
  pg = await startPostgres();
  a = await openPostgres(pg.url);
  b = await openPostgres(pg.url);
  await Promise.all([migrate(a), migrate(b)]);
});
after(async () => {
  await a?.close();
  await b?.close();
  await pg?.stop();
});

test('two runners (two connection pools) racing: every job claimed once, one active job per stack, FIFO per stack', { skip }, async () => {
  const ra = new JobStore(a);
  const rb = new JobStore(b);
  const created = [];
  for (let i = 0; i < 12; i++) created.push(await ra.create(specFor(`race-${i % 4}`), 'x'));
  const claimedBy = new Map<string, string>();
  const finish = async (store: JobStore, runner: string) => {
    for (;;) {
      const job = await store.claim(runner);
      if (!job) {
        if ((await store.list({ status: 'queued' })).length === 0) return;
        continue;
      }
      assert.equal(claimedBy.has(job.id), false, `${job.id} claimed twice`);
      claimedBy.set(job.id, runner);
      const active = await store.db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE stack = ? AND status IN ('running', 'awaiting_approval')`, [job.stack]);
      assert.equal(Number(active[0]!.n), 1);
      assert.ok(await store.transition(job.id, ['running'], 'succeeded', { runner }));
    }
  };
  await Promise.all([finish(ra, 'a/1/x'), finish(rb, 'b/2/y'), finish(ra, 'a/1/z'), finish(rb, 'b/2/w')]);
  assert.equal(claimedBy.size, 12);
  for (let s = 0; s < 4; s++) {
    const jobs = (await ra.list({ stack: `race-${s}` })).sort((x, y) => x.seq - y.seq);
    const starts = jobs.map((j) => j.startedAt!);
    assert.deepEqual(starts, [...starts].sort((x, y) => x - y), 'FIFO within a stack');
  }
  await assert.rejects(
    (async () => {
      const one = await ra.create(specFor('uniq'), 'x');
      const two = await ra.create(specFor('uniq'), 'x');
      await a.run(`UPDATE jobs SET status = 'running' WHERE id IN (?, ?)`, [one.id, two.id]);
    })(),
    /jobs_one_active_per_stack/,
  );
});

test('exactly one of two runners gets a single job, many times over', { skip }, async () => {
  await a.run('DELETE FROM jobs');
  const ra = new JobStore(a);
  const rb = new JobStore(b);
  for (let i = 0; i < 20; i++) {
    const job = await ra.create(specFor(`single-${i}`), 'x');
    const [x, y] = await Promise.all([ra.claim('a/1/x'), rb.claim('b/2/y')]);
    assert.deepEqual([x, y].filter(Boolean).map((j) => j!.id), [job.id]);
    assert.ok(await ra.transition(job.id, ['running'], 'succeeded'));
  }
});

test('a runner that stops beating: the other recovers its job within the stale time', { skip }, async () => {
  await a.run('DELETE FROM jobs');
  let clock = Date.now();
  const dead = new JobStore(a, () => clock);
  const live = new JobStore(b, () => clock);
  const job = await dead.create(specFor('crash'), 'x');
  assert.equal((await dead.claim('dead/9/aa'))!.id, job.id);
  clock += 1_000;
  assert.deepEqual(await live.recoverStale(5_000), []);
  clock += 5_000;
  const got = await live.recoverStale(5_000);
  assert.deepEqual(got.map((r) => [r.job.id, r.action]), [[job.id, 'requeued']]);
  assert.equal((await live.claim('live/8/bb'))!.id, job.id);
});

test('two servers starting at once on a new database: exactly one makes the first admin token', { skip }, async () => {
  const { TokenStore } = await import('./tokens.ts');
  for (let i = 0; i < 10; i++) {
    await a.run('DELETE FROM tokens');
    await a.run(`DELETE FROM meta WHERE key = 'first-admin'`);
    const made = await Promise.all([new TokenStore(a).createFirstAdmin(), new TokenStore(b).createFirstAdmin()]);
    assert.equal(made.filter(Boolean).length, 1, `round ${i}`);
    assert.equal(await new TokenStore(a).count(), 1);
  }
  // A database that already has tokens (made before the claim existed) gets no second admin.
  await a.run(`DELETE FROM meta WHERE key = 'first-admin'`);
  assert.equal(await new TokenStore(b).createFirstAdmin(), undefined);
});
