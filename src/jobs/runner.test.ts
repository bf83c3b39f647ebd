// A job runs what `deploy` runs, through the ops layer, on a real file backend with the
// simulated cloud: pre-flight refuses with every problem listed and nothing queued; a deploy
// job pauses with its plan for approval, is approved, applies and keeps the outputs, and the
// stack's own audit log names the actors; a rejected job changes nothing; a cancel stops a
// paused job; a second job on the same stack waits for the first; a config from a local git
// repository runs at the commit recorded when the job was created; a cancel during an apply
// stops it gracefully, then hard.
import { after, before, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { missing } from '../../test/helpers/parts.ts';
import { FileCloud } from '../../test/provider/file-cloud.ts';
import assert from 'node:assert/strict';
import type { Jobs } from './context.ts';
import { JobsError } from './errors.ts';
import type { JobRequest } from './preflight.ts';
import { Runner } from './runner.ts';
import { JobService } from './service.ts';
import { DO_TOKEN, FAST, JobsEnv, PASSPHRASE, SMALL_CONFIG, waitFor } from './testing.ts';

let env: JobsEnv;
let jobs: Jobs;
let service: JobService;
let runner: Runner;

before(async () => {
  env = new JobsEnv();
  await env.createStack('jobs-small');
  jobs = await env.open('jobs-small');
  await jobs.settings.setPolicy('organization', 'acme', { pauseBetweenPreviewAndUpdate: true });
  runner = new Runner(jobs, FAST);
  service = new JobService(jobs, () => runner.wake());
  runner.start();
});
after(async () => {
  await runner?.stop();
  await jobs?.close();
  env?.cleanup();
});

async function refused(request: JobRequest): Promise<JobsError> {
  const err = await service.create(request, 'token:alice').then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof JobsError, `refused: ${String(err)}`);
  return err;
}

const deploy = (text = SMALL_CONFIG) => ({ stack: 'jobs-small', operation: 'deploy' as const, config: { text }, message: 'first deploy' });

test('pre-flight: every problem at once, and no job', async () => {
  const before = (await jobs.jobs.list()).length;
  const err = await service.create({ stack: 'nope', operation: 'deploy', config: { text: '(cluster (metadata (name "x")) (node-pools (p (count "two"))))' }, credentials: ['do', 'missing'] }, 'token:alice').catch((e: unknown) => e);
  assert.ok(err instanceof JobsError, String(err));
  assert.equal(err.reason, 'preflight');
  assert.ok(err.problems.some((p) => /credential 'missing' does not exist/.test(p)), err.problems.join('\n'));
  const err2 = await refused({ stack: 'nope', operation: 'deploy', config: { text: '(cluster (metadata (name "x")) (node-pools (p (count "two"))))' } });
  assert.ok(err2.problems.some((p) => /^cluster\.lisp:1:\d+: /.test(p)), err2.problems.join('\n'));
  assert.ok(err2.problems.some((p) => /stack 'nope' does not exist/.test(p)), err2.problems.join('\n'));
  const restricted = await refused(deploy(SMALL_CONFIG.replace('(region "nyc3")', '(region (env "HOME"))')));
  assert.ok(restricted.problems.some((p) => /env/.test(p) && /restricted/.test(p)), restricted.problems.join('\n'));
  const invalid = await refused({ stack: 'jobs-small', operation: 'destroy', config: { text: 'x' } });
  assert.equal(invalid.reason, 'invalid');
  assert.equal((await jobs.jobs.list()).length, before, 'nothing queued');
});

test('a deploy job pauses with its plan, is approved, applies, and keeps the outputs; the audit log names the actors', async () => {
  const job = await service.create(deploy(), 'token:alice');
  assert.deepEqual(job.spec.steps, ['init', 'refresh', 'preview', 'apply']);
  assert.deepEqual(job.spec.policy.pauseBetweenPreviewAndUpdate, { value: true, from: 'organization', scopeName: 'acme' });
  assert.deepEqual(job.spec.credentials.map((c) => c.name), ['do', 'pass']);
  assert.equal(JSON.stringify(job).includes(DO_TOKEN), false, 'credentials by reference only');
  assert.equal(JSON.stringify(job).includes('s-2vcpu-4gb'), false, 'the config text is sealed');
  const paused = await waitFor(jobs, job.id, ['awaiting_approval']);
  assert.ok((paused.plan!.steps as unknown[]).length > 5, 'the plan is on the job');
  assert.deepEqual(paused.steps.map((s) => `${s.step}:${s.status}`), ['init:done', 'refresh:done', 'preview:done', 'apply:running']);
  await service.approve(job.id, 'token:bob', 'looks right');
  const done = await waitFor(jobs, job.id, ['succeeded', 'failed']);
  assert.equal(done.status, 'succeeded', done.error);
  assert.deepEqual(done.transitions.map((t) => t.status), ['queued', 'running', 'awaiting_approval', 'running', 'succeeded']);
  assert.equal(done.transitions[3]!.by, 'token:bob');
  assert.ok(done.outputs && 'kubeConfig' in done.outputs, JSON.stringify(done.outputs));
  assert.equal(done.outputs.kubeConfig, '[secret]');
  const log = await jobs.jobs.logs(job.id);
  assert.ok(log.some((e) => e.data.type === 'step-done'), 'engine events are in the log');
  assert.equal(JSON.stringify(log).includes(DO_TOKEN) || JSON.stringify(log).includes(PASSPHRASE), false);
  const audit = await env.cli(['audit', 'list', 'jobs-small', '--json']);
  assert.equal(audit.code, 0, audit.stderr);
  assert.match(audit.stdout, /"actor": ?"token:alice"[^}]*"description": ?"deploy job for stack 'jobs-small' created"|jobs create/);
  assert.match(audit.stdout, /token:bob/);
  assert.match(audit.stdout, /"command": ?"deploy"/);
});

test('a rejected job changes nothing; a cancel ends a paused job; a second job waits for the first', async () => {
  const changed = SMALL_CONFIG.replace('(count 1)\n      (roles worker)', '(count 2)\n      (roles worker)');
  const a = await service.create(deploy(changed), 'token:alice');
  const b = await service.create(deploy(changed), 'token:alice');
  await waitFor(jobs, a.id, ['awaiting_approval']);
  assert.equal((await jobs.jobs.require(b.id)).status, 'queued', 'b waits for a');
  await service.reject(a.id, 'token:bob', 'not today');
  const rejected = await waitFor(jobs, a.id, ['rejected', 'failed', 'succeeded']);
  assert.equal(rejected.status, 'rejected', rejected.error);
  assert.match(rejected.error!, /rejected by token:bob: not today; nothing was changed/);
  await waitFor(jobs, b.id, ['awaiting_approval']);
  await service.cancel(b.id, 'token:carol');
  const cancelled = await waitFor(jobs, b.id, ['cancelled', 'failed', 'succeeded']);
  assert.equal(cancelled.status, 'cancelled', cancelled.error);
  const nodes = await env.cli(['nodes', 'list', 'jobs-small', '--json']);
  assert.equal((JSON.parse(nodes.stdout) as unknown[]).length, 2, 'still one master and one worker');
});

test('a config from a local git repository: fetched shallow at creation, run at the commit recorded even after the branch moves', { skip: missing('git') }, async () => {
  const repo = join(env.dir, 'infra');
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.test', ...args], { encoding: 'utf8' }).trim();
  mkdirSync(join(repo, 'clusters'), { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'clusters/small.lisp'), SMALL_CONFIG);
  git('add', '.');
  git('commit', '-qm', 'one worker');
  const first = git('rev-parse', 'HEAD');
  await jobs.settings.setPolicy('stack', 'jobs-small', { skipRefresh: true, previewBeforeUpdate: false, pauseBetweenPreviewAndUpdate: false });
  try {
    const bad = await refused({ stack: 'jobs-small', operation: 'deploy', git: { url: `file://${repo}`, ref: 'no-such-branch', path: 'clusters/small.lisp' } });
    assert.ok(bad.problems.some((p) => /cannot fetch no-such-branch/.test(p)), bad.problems.join('\n'));
    const missingFile = await refused({ stack: 'jobs-small', operation: 'deploy', git: { url: `file://${repo}`, ref: 'main', path: 'clusters/none.lisp' } });
    assert.ok(missingFile.problems.some((p) => /clusters\/none.lisp does not exist at main/.test(p)), missingFile.problems.join('\n'));
    const job = await service.create({ stack: 'jobs-small', operation: 'deploy', git: { url: `file://${repo}`, ref: 'main', path: 'clusters/small.lisp' } }, 'token:alice');
    assert.deepEqual(job.spec.source, { kind: 'git', url: `file://${repo}`, ref: 'main', path: 'clusters/small.lisp', commit: first });
    assert.deepEqual(job.spec.steps, ['init', 'apply']);
    // The branch moves on before the job runs: the job still runs what it was created with.
    writeFileSync(join(repo, 'clusters/small.lisp'), SMALL_CONFIG.replace('(count 1)\n      (roles worker)', '(count 3)\n      (roles worker)'));
    git('commit', '-qam', 'three workers');
    const done = await waitFor(jobs, job.id, ['succeeded', 'failed']);
    assert.equal(done.status, 'succeeded', done.error);
    const nodes = await env.cli(['nodes', 'list', 'jobs-small', '--json']);
    assert.equal((JSON.parse(nodes.stdout) as unknown[]).length, 2, 'the commit recorded, not the branch\'s new head');
  } finally {
    await jobs.settings.setPolicy('stack', 'jobs-small', {});
  }
});

test('cancel during an apply: no new step starts, the running one is aborted after the grace period, what finished is saved', async () => {
  const cloud = new FileCloud(env.baseEnv.SLOTH_SIM_CLOUD!);
  await jobs.settings.setPolicy('stack', 'jobs-small', { pauseBetweenPreviewAndUpdate: false });
  const bigger = SMALL_CONFIG.replace('(count 1)\n      (roles worker)', '(count 3)\n      (roles worker)');
  cloud.setFaults({ 'workers-2': { create: { hangMs: 60_000 } } });
  try {
    const job = await service.create(deploy(bigger), 'token:alice');
    for (let i = 0; !(await jobs.jobs.logs(job.id)).some((e) => e.data.type === 'step-start' && (e.data.step as { name: string }).name === 'workers-2'); i++) {
      if (i > 400) throw new Error('the apply never reached workers-2');
      await sleep(50);
    }
    const asked = Date.now();
    await service.cancel(job.id, 'token:carol');
    const done = await waitFor(jobs, job.id, ['cancelled', 'failed', 'succeeded']);
    assert.equal(done.status, 'cancelled', done.error);
    assert.ok(Date.now() - asked < 20_000, 'the hanging step was aborted, not waited for');
    const log = await jobs.jobs.logs(job.id);
    assert.ok(log.some((e) => /cancel requested by token:carol/.test(String(e.data.message))));
    assert.ok(log.some((e) => e.data.type === 'cancel'), 'the engine was told');
    assert.equal(done.transitions.at(-1)!.status, 'cancelled');
  } finally {
    cloud.setFaults({});
    await jobs.settings.setPolicy('stack', 'jobs-small', {});
  }
});
