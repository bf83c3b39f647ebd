// Stack jobs: the queue and the runners, and the web UI.
//  - job start latency (queued → running: the job's createdAt to its startedAt), one job at a
//    time, a runner waiting in the same process (woken as the server wakes it), on SQLite and
//    on PostgreSQL; and the same with the runner finding the job by polling (a runner process
//    of its own, default 1 s poll);
//  - 1,000 queued no-op jobs (no steps: claim, workspace, log, transitions, webhooks lookup)
//    on 250 stacks drained by 4 runners, on SQLite and on PostgreSQL;
//  - the UI's first load in Chromium: navigation to the stacks table rendered, fresh browser
//    context each time (no cache), the server on loopback.
//   node bench/jobs.ts
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runner, openJobs } from '../src/jobs/index.ts';
import type { Jobs } from '../src/jobs/index.ts';
import { FAST, JobsEnv, specFor, waitFor } from '../src/jobs/testing.ts';
import { startServer } from '../src/server/index.ts';
import { CHROMIUM, CHROMIUM_FLAGS, missing } from '../test/helpers/parts.ts';
import { startPostgres } from '../test/helpers/postgres.ts';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const load = () => loadavg()[0]!.toFixed(1);

async function latency(jobs: Jobs, n: number, wake: boolean): Promise<number[]> {
  const runner = new Runner(jobs, wake ? FAST : { ...FAST, pollMs: 1000 });
  runner.start();
  await sleep(50);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    // A job with no steps: everything a runner does for a job but the operation itself.
    const job = await jobs.jobs.create({ ...specFor(`lat-${i % 5}`, 'refresh'), steps: [] }, 'bench');
    if (wake) runner.wake();
    const done = await waitFor(jobs, job.id, ['succeeded', 'failed'], 30_000);
    if (done.status !== 'succeeded') throw new Error(done.error);
    out.push(done.startedAt! - done.createdAt);
  }
  await runner.stop();
  return out;
}

async function drain(jobs: Jobs, total: number, stacks: number, runners: number): Promise<number> {
  const spec = (i: number) => ({ ...specFor(`drain-${i % stacks}`, 'refresh'), steps: [] });
  await jobs.db.tx(async (tx) => {
    for (let i = 0; i < total; i++) {
      const s = spec(i);
      await tx.run(`INSERT INTO jobs (id, stack, operation, status, spec, created_at, updated_at, operations, transitions) VALUES (?, ?, 'refresh', 'queued', ?, ?, ?, '[]', '[]')`, [`sj_drain_${i}`, s.stack, JSON.stringify(s), Date.now(), Date.now()]);
    }
  });
  const started = performance.now();
  const rs = Array.from({ length: runners }, () => new Runner(jobs, { ...FAST, pollMs: 20 }));
  for (const r of rs) r.start();
  for (;;) {
    const [row] = await jobs.db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE id LIKE 'sj_drain_%' AND status NOT IN ('succeeded', 'failed')`);
    if (Number(row!.n) === 0) break;
    await sleep(20);
  }
  const ms = performance.now() - started;
  await Promise.all(rs.map((r) => r.stop()));
  const [failed] = await jobs.db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE id LIKE 'sj_drain_%' AND status = 'failed'`);
  if (Number(failed!.n)) throw new Error(`${failed!.n} jobs failed`);
  return ms;
}

async function queueBench(name: string, databaseUrl: string | undefined): Promise<void> {
  const env = new JobsEnv();
  try {
    const jobs = await openJobs({ dataDir: env.dataDir, baseEnv: env.baseEnv, databaseUrl });
    const woken = await latency(jobs, 200, true);
    console.log(`${name}: start latency, runner woken in-process: p50 ${pct(woken, 50)} ms, p99 ${pct(woken, 99)} ms (200 jobs; load ${load()})`);
    const polled = await latency(jobs, 20, false);
    console.log(`${name}: start latency, runner polling every 1 s: p50 ${pct(polled, 50)} ms, p99 ${pct(polled, 99)} ms (20 jobs; load ${load()})`);
    const ms = await drain(jobs, 1000, 250, 4);
    console.log(`${name}: 1,000 queued no-op jobs on 250 stacks drained by 4 runners: ${(ms / 1000).toFixed(2)} s, ${(1000 / (ms / 1000)).toFixed(0)} jobs/s (load ${load()})`);
    await jobs.close();
  } finally {
    env.cleanup();
  }
}

async function uiBench(): Promise<void> {
  if (missing('chromium')) return console.log('ui: skipped (no chromium)');
  const env = new JobsEnv();
  const server = await startServer({ dataDir: env.dataDir, baseEnv: env.baseEnv, host: '127.0.0.1', port: 0, runners: 0, log: () => undefined });
  await env.createStack('bench-ui');
  const admin = readFileSync(server.adminTokenFile!, 'utf8').trim();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const context = await browser.newContext();
      await context.addInitScript((t: string) => (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem('sloth-token', t), admin);
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${server.url}/`);
      await page.waitForSelector('#stacks td a');
      times.push(performance.now() - t0);
      await context.close();
    }
    console.log(`ui: first load (navigation → stacks table rendered, fresh context): median ${pct(times, 50).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms (7 loads; load ${load()})`);
  } finally {
    await browser.close();
    await server.close();
    env.cleanup();
  }
}

await queueBench('sqlite', undefined);
if (!missing('postgres')) {
  const pg = await startPostgres();
  try {
    await queueBench('postgres', pg.url);
  } finally {
    await pg.stop();
  }
}
await uiBench();
