// Faults with real processes: a runner killed (SIGKILL) in the middle of an apply on
// PostgreSQL — another runner recovers the job within the heartbeat timeout, fails it (it may
// have changed the cloud), releases the stack lock the dead process held, and a retry finishes
// the cluster without twins; and an API server killed and restarted during a live log stream
// (SQLite shared by an API process and a runner process) — the client resumes from the last
// entry it saw, with no gap and no repeat.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../test/helpers/moto.ts';
import { missing } from '../../test/helpers/parts.ts';
import { startPostgres } from '../../test/helpers/postgres.ts';
import { FileCloud } from '../../test/provider/file-cloud.ts';
import { openStateStore } from '../state/index.ts';
import { JobService, Runner } from '../jobs/index.ts';
import type { Jobs } from '../jobs/index.ts';
import { FAST, JobsEnv, SMALL_CONFIG, waitFor } from '../jobs/testing.ts';
import { ApiClient } from './client.ts';

const SIM_CLI = join(import.meta.dirname, '../../test/provider/simulated-cli.ts');
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** `sloth-kubernetes server …` as a process with the simulated cloud; resolves once it has said it runs. */
async function serverProcess(env: JobsEnv, args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SIM_CLI, 'server', '--data-dir', env.dataDir, '--backend', env.baseEnv.PULUMI_BACKEND_URL!, '--pass-env', 'SLOTH_SIM_CLOUD', ...args], {
    env: { PATH: process.env.PATH, HOME: env.dir, SLOTH_SIM_CLOUD: env.baseEnv.SLOTH_SIM_CLOUD, SLOTH_OPERATOR_CIDRS: env.baseEnv.SLOTH_OPERATOR_CIDRS },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/sloth-kubernetes server: /.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  return child;
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

test('a runner killed mid-apply: another recovers the job, releases the lock, and a retry finishes without twins', { skip: missing('postgres'), timeout: 180_000 }, async () => {
  const pg = await startPostgres();
  const env = new JobsEnv();
  let jobs: Jobs | undefined;
  let rescuer: Runner | undefined;
  const errors: unknown[] = [];
  try {
    await env.createStack('jobs-small');
    jobs = await env.open('jobs-small', { databaseUrl: pg.url });
    const service = new JobService(jobs);
    const cloud = new FileCloud(env.baseEnv.SLOTH_SIM_CLOUD!);
    cloud.setFaults({ 'workers-1': { create: { hangMs: 120_000 } } });
    const doomed = await serverProcess(env, ['--no-listen', '--database', pg.url, '--heartbeat-timeout', '2']);
    const job = await service.create({ stack: 'jobs-small', operation: 'deploy', config: { text: SMALL_CONFIG } }, 'token:alice');
    // Mid-apply: the worker's create hangs in the runner process.
    for (let i = 0; ; i++) {
      const log = await jobs.jobs.logs(job.id);
      if (log.some((e) => e.data.type === 'step-start' && (e.data.step as { name: string }).name === 'workers-1')) break;
      if (i > 600 || ['failed', 'succeeded'].includes((await jobs.jobs.require(job.id)).status)) throw new Error(`the apply never reached workers-1: ${JSON.stringify(log.slice(-5))}`);
      await sleep(100);
    }
    const running = await jobs.jobs.require(job.id);
    assert.equal(running.status, 'running');
    assert.equal(running.applied, true);
    const store = await openStateStore({ env: env.baseEnv, homedir: env.dir, cwd: env.dir });
    assert.equal((await store.locks('jobs-small')).length, 1, 'the runner holds the stack lock');
    await killed(doomed);
    cloud.setFaults({});

    rescuer = new Runner(jobs, { ...FAST, staleMs: 2_000 });
    rescuer.onError = (err) => errors.push(err);
    rescuer.start();
    const failed = await waitFor(jobs, job.id, ['failed', 'queued', 'succeeded'], 30_000);
    assert.equal(failed.status, 'failed', 'it had applied changes: failed, not run again behind the user\'s back');
    assert.match(failed.error!, /stopped responding.*may have been applied/);
    assert.deepEqual(errors, []);
    assert.deepEqual(await store.locks('jobs-small'), [], 'the dead runner\'s lock is released');
    assert.ok((await jobs.jobs.logs(job.id)).some((e) => /released the lock/.test(String(e.data.message))));

    const retry = await service.retry(job.id, 'token:alice');
    const done = await waitFor(jobs, retry.id, ['succeeded', 'failed'], 60_000);
    assert.equal(done.status, 'succeeded', done.error);
    const droplets = cloud.list().filter((o) => o.type === 'digitalocean:index/droplet:Droplet');
    assert.deepEqual(droplets.map((d) => d.name).sort(), ['masters-1', 'workers-1'], 'one of each: no twin');
    assert.equal((await jobs.jobs.list({ stack: 'jobs-small' })).filter((j) => j.status === 'running').length, 0);
    store.close();
  } finally {
    await rescuer?.stop();
    await jobs?.close();
    env.cleanup();
    await pg.stop();
  }
});

test('an API server restarted during a live log stream: the client resumes without a gap or a repeat', { timeout: 180_000 }, async () => {
  const env = new JobsEnv();
  try {
    await env.createStack('jobs-small');
    await (await env.open('jobs-small')).close();
    const port = String(await freePort());
    let api = await serverProcess(env, ['--listen', `127.0.0.1:${port}`, '--runners', '0']);
    const runner = await serverProcess(env, ['--no-listen', '--runners', '1', '--heartbeat-timeout', '5']);
    const admin = readFileSync(join(env.dataDir, 'admin.token'), 'utf8').trim();
    const client = new ApiClient(`http://127.0.0.1:${port}`, admin);
    await client.request('PUT', '/api/v1/policies/stack/jobs-small', { pauseBetweenPreviewAndUpdate: true });
    const job = await client.request<{ id: string }>('POST', '/api/v1/jobs', { stack: 'jobs-small', operation: 'deploy', config: { text: SMALL_CONFIG } });
    const seen: number[] = [];
    const following = (async () => {
      const stream = client.follow(job.id, 0, { retries: 100 });
      for (;;) {
        const next = await stream.next();
        if (next.done) return next.value;
        seen.push(next.value.seq);
      }
    })();
    for (let i = 0; (await client.request<{ status: string }>('GET', `/api/v1/jobs/${job.id}`)).status !== 'awaiting_approval'; i++) {
      if (i > 600) throw new Error('the job never paused');
      await sleep(100);
    }
    // The stream is live: it has delivered what was written up to the pause.
    for (let i = 0; seen.length < 4; i++) {
      if (i > 300) throw new Error(`the stream delivered only ${seen.length} entries`);
      await sleep(100);
    }
    const before = seen.length;
    await killed(api);
    await sleep(500);
    api = await serverProcess(env, ['--listen', `127.0.0.1:${port}`, '--runners', '0']);
    await client.request('POST', `/api/v1/jobs/${job.id}/approve`, { comment: 'after the restart' });
    const end = await following;
    assert.equal(end.status, 'succeeded', end.error);
    assert.ok(seen.length > before, 'entries written after the restart arrived');
    assert.deepEqual(seen, Array.from({ length: seen.length }, (_, i) => i + 1), 'every entry once, in order');
    const all = await client.request<{ entries: { seq: number }[] }>('GET', `/api/v1/jobs/${job.id}/logs?limit=5000`);
    assert.equal(all.entries.length, seen.length, 'nothing written was missed');
    await killed(api);
    await killed(runner);
  } finally {
    env.cleanup();
  }
});
