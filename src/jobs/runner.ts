// The runner: claims the next job it may run, prepares an isolated workspace (the config,
// temporary files; removed afterwards — the log stays in the database), opens the job's
// credentials into the environment of that run only, and runs the job's steps through the ops
// layer — the same use cases `deploy`, `preview`, `refresh`, `destroy` and `rollback` run —
// with the job as the ops port: every event goes to the durable log, the plan to the job, the
// confirmation to the approval gate (pauseBetweenPreviewAndUpdate). It beats while it works;
// a cancel request stops it gracefully (no new step starts), and after the grace period hard
// (running steps are aborted). A runner that stops beating is found by any other runner (or the
// next start): its job is queued again when nothing had been applied, failed otherwise, and
// the stack lock its process held is released.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { planJson } from '../engine/index.ts';
import type { ConfirmRequest, OpsContext, OpsEvent, OpsHost } from '../ops/index.ts';
import { redactValue, secretList } from '../redact/index.ts';
import type { Jobs } from './context.ts';
import { JobsError } from './errors.ts';
import { configHash, fetchGit } from './source.ts';
import type { Job, JobStatus, LogEntry, Step, StepState } from './types.ts';
import { deliverWebhooks } from './webhooks.ts';

export interface RunnerTimings {
  /** How often an idle runner looks for work, and a paused job for a decision. */
  pollMs: number;
  heartbeatMs: number;
  /** No heartbeat for this long: the runner is taken for dead. */
  staleMs: number;
  /** After a graceful cancel, how long before running steps are aborted. */
  graceMs: number;
}

export const DEFAULT_TIMINGS: RunnerTimings = { pollMs: 1000, heartbeatMs: 2000, staleMs: 30_000, graceMs: 30_000 };

/** Appends a job's log entries in order without blocking the run (notify must not block). */
class LogWriter {
  readonly #jobs: Jobs;
  readonly #jobId: string;
  readonly #secrets: string[];
  readonly #onAppend: (seq: number) => void;
  #pending: Omit<LogEntry, 'seq' | 'at'>[] = [];
  #chain: Promise<void> = Promise.resolve();
  #failed: unknown;

  constructor(jobs: Jobs, jobId: string, secrets: string[], onAppend: (seq: number) => void) {
    this.#jobs = jobs;
    this.#jobId = jobId;
    this.#secrets = secrets;
    this.#onAppend = onAppend;
  }

  write(kind: LogEntry['kind'], data: Record<string, unknown>): void {
    this.#pending.push({ kind, data: redactValue(data, this.#secrets) as Record<string, unknown> });
    if (this.#pending.length === 1) this.#chain = this.#chain.then(() => this.#drain());
  }

  async #drain(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    try {
      this.#onAppend(await this.#jobs.jobs.appendLog(this.#jobId, batch));
    } catch (err) {
      this.#failed ??= err;
    }
  }

  async flush(): Promise<void> {
    await this.#chain;
    if (this.#pending.length) await this.#drain();
  }

  get failure(): unknown {
    return this.#failed;
  }
}

/** How a run ended, before it is written as the job's final state. */
interface Ending {
  status: Extract<JobStatus, 'succeeded' | 'failed' | 'cancelled' | 'rejected'>;
  error?: string;
  by?: string;
}

export class Runner {
  readonly id = `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
  readonly #jobs: Jobs;
  readonly #t: RunnerTimings;
  #stopping = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  /** Told after each append to a job's log (the server wakes its live streams). */
  onLog: (jobId: string, seq: number) => void = () => undefined;
  /** Told of an error the loop survived (a database hiccup). */
  onError: (err: unknown) => void = () => undefined;

  constructor(jobs: Jobs, timings: Partial<RunnerTimings> = {}) {
    this.#jobs = jobs;
    this.#t = { ...DEFAULT_TIMINGS, ...timings };
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Look for work now (a job was just created). */
  wake(): void {
    this.#wake?.();
  }

  /** Stops claiming; resolves once the job in hand (if any) has ended. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.wake();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      try {
        await this.recover();
        const job = await this.#jobs.jobs.claim(this.id);
        if (job) {
          await this.#execute(job);
          continue;
        }
      } catch (err) {
        this.onError(err);
      }
      if (this.#stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#t.pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Recovers the jobs of runners that stopped beating and releases their stack locks. */
  async recover(): Promise<void> {
    for (const job of await this.#jobs.jobs.stale(this.#t.staleMs)) {
      // The lock first: nobody can take the stack while the job still shows running.
      await this.#releaseLock(job);
      const r = await this.#jobs.jobs.recover(job, this.#t.staleMs);
      if (r?.action === 'failed') await this.#notifyEnd(job.id);
    }
  }

  /** The stack lock a dead runner's process held (same host name and pid), if it is still there. */
  async #releaseLock(job: Job): Promise<void> {
    if (!job.runner) return;
    const [host, pid] = job.runner.split('/');
    const { openStore } = await import('../ops/index.ts');
    const store = await openStore({ env: this.#jobs.baseEnv, cwd: this.#jobs.dataDir, homedir: this.#jobs.dataDir });
    try {
      const holders = await store.locks(job.stack);
      if (holders.length && holders.every((h) => h.hostname === host && String(h.pid) === pid)) {
        await store.cancel(job.stack);
        await this.#jobs.jobs.appendLog(job.id, [{ kind: 'status', data: { message: `released the lock runner ${job.runner} held on stack '${job.stack}'` } }]);
      } else if (holders.length) {
        await this.#jobs.jobs.appendLog(job.id, [{ kind: 'status', data: { message: `stack '${job.stack}' is locked by another process (${holders.map((h) => `${h.username}@${h.hostname} pid ${h.pid}`).join(', ')}); left in place` } }]);
      }
    } finally {
      store.close();
    }
  }

  async #notifyEnd(jobId: string): Promise<void> {
    const job = await this.#jobs.jobs.get(jobId);
    if (!job) return;
    const results = await deliverWebhooks(await this.#jobs.settings.webhookSecrets(), job);
    if (results.length) await this.#jobs.jobs.appendLog(job.id, results.map((r) => ({ kind: 'message' as const, data: { message: r } })));
  }

  async #execute(claimed: Job): Promise<void> {
    const jobs = this.#jobs;
    const job = claimed;
    const stop = new AbortController();
    const abort = new AbortController();
    const workspace = join(jobs.dataDir, 'workspaces', job.id);
    let log = new LogWriter(jobs, job.id, [], (seq) => this.onLog(job.id, seq));
    const steps: StepState[] = job.spec.steps.map((step) => ({ step, status: 'pending' }));
    const state = { rejectedBy: undefined as string | undefined, rejectComment: undefined as string | undefined, cancelled: false, lost: false };

    const setStep = (step: Step, status: StepState['status']) => {
      const s = steps.find((x) => x.step === step);
      if (!s || s.status === status) return;
      s.status = status;
      if (status === 'running') s.startedAt = Date.now();
      else s.finishedAt = Date.now();
      log.write('step', { step, status });
      void jobs.jobs.update(job.id, this.id, { steps }).catch(this.onError);
    };
    const requestCancel = (why: string) => {
      if (stop.signal.aborted) return;
      state.cancelled = true;
      log.write('status', { message: `${why}: no new step starts; running steps are aborted after ${Math.round(this.#t.graceMs / 1000)} s` });
      stop.abort();
      setTimeout(() => abort.abort(), this.#t.graceMs).unref();
    };
    const beat = setInterval(() => {
      jobs.jobs
        .heartbeat(job.id, this.id)
        .then((now) => {
          if (!now) {
            state.lost = true;
            stop.abort();
            abort.abort();
          } else if (now.cancelRequested) requestCancel('cancel requested');
        })
        .catch(this.onError);
    }, this.#t.heartbeatMs);

    let ending: Ending;
    try {
      const env: Record<string, string | undefined> = { ...jobs.baseEnv, ...(await jobs.credentials.environment(job.spec.credentials)), HOME: workspace, TMPDIR: join(workspace, 'tmp') };
      log = new LogWriter(jobs, job.id, secretList(Object.entries(env).filter(([k]) => !['PULUMI_BACKEND_URL', 'HOME', 'TMPDIR', 'AWS_REGION', 'AWS_ENDPOINT_URL'].includes(k)).map(([, v]) => v ?? '')), (seq) => this.onLog(job.id, seq));
      log.write('status', { message: `attempt ${job.attempt} on runner ${this.id}: ${job.spec.steps.join(' → ')}` });
      const host = this.#host(job, log, steps, setStep, state);
      const ctx: OpsContext = { host, env, cwd: workspace, homedir: workspace, actor: job.spec.trigger.actor, signal: stop.signal, abortSignal: abort.signal };
      await this.#steps(job, ctx, workspace, setStep);
      ending = { status: 'succeeded' };
    } catch (err) {
      ending = this.#ending(err, state);
      for (const s of steps) if (s.status === 'running') setStep(s.step, 'failed');
      log.write('error', { message: ending.error ?? ending.status });
    } finally {
      clearInterval(beat);
    }
    for (const s of steps) if (s.status === 'pending') setStep(s.step, 'skipped');
    await rm(workspace, { recursive: true, force: true }).catch(() => undefined);
    await log.flush();
    await jobs.jobs.update(job.id, this.id, { steps });
    if (state.lost) return; // another runner or a recovery owns the job now
    const moved = await jobs.jobs.transition(job.id, ['running', 'awaiting_approval'], ending.status, { runner: this.id, error: ending.error, by: ending.by, note: ending.error });
    if (moved) {
      this.onLog(job.id, await jobs.jobs.appendLog(job.id, [{ kind: 'status', data: { status: ending.status, ...(ending.error ? { message: ending.error } : {}) } }]));
      await this.#notifyEnd(job.id);
    }
  }

  #ending(err: unknown, state: { rejectedBy?: string; rejectComment?: string; cancelled: boolean; lost: boolean }): Ending {
    if (state.rejectedBy) return { status: 'rejected', by: state.rejectedBy, error: `rejected by ${state.rejectedBy}${state.rejectComment ? `: ${state.rejectComment}` : ''}; nothing was changed` };
    const reason = (err as { reason?: string }).reason;
    const message = `${(err as Error).message ?? String(err)}${(err as { hint?: string }).hint ? ` (${(err as { hint: string }).hint})` : ''}`;
    if (state.cancelled || reason === 'cancelled') return { status: 'cancelled', error: reason === 'declined' || state.cancelled ? 'cancelled; what finished is saved, the next run continues' : message };
    if (reason === 'failed') return { status: 'failed', error: 'the operation failed; the log lists what went wrong' };
    return { status: 'failed', error: message };
  }

  /** The job as the ops port. */
  #host(job: Job, log: LogWriter, steps: StepState[], setStep: (s: Step, st: StepState['status']) => void, state: { rejectedBy?: string; rejectComment?: string; cancelled: boolean }): OpsHost {
    const jobs = this.#jobs;
    const has = (s: Step) => steps.some((x) => x.step === s);
    const applyStep: Step = job.operation === 'destroy' ? 'destroy' : 'apply';
    return {
      notify: (event: OpsEvent) => {
        if (event.type === 'plan') {
          const plan = planJson(event.plan);
          log.write('event', { type: 'plan', apply: event.apply, plan });
          if (has('preview')) {
            void jobs.jobs.update(job.id, this.id, { plan }).catch(this.onError);
            setStep('preview', 'done');
          }
          if (event.apply) setStep(applyStep, 'running');
          return;
        }
        if (event.type === 'run' && (event.kind === 'update' || event.kind === 'destroy')) void jobs.jobs.update(job.id, this.id, { applied: true }).catch(this.onError);
        if (event.type === 'outputs') void jobs.jobs.update(job.id, this.id, { outputs: event.outputs }).catch(this.onError);
        log.write('event', event as unknown as Record<string, unknown>);
      },
      confirm: async (request: ConfirmRequest) => {
        if (request.kind === 'audit-prune') return false;
        if (!job.spec.policy.pauseBetweenPreviewAndUpdate.value) {
          if (request.kind !== 'data-loss') return true;
          log.write('error', { message: `${request.question} — a job applies that only with an approval: set pauseBetweenPreviewAndUpdate for this stack`, resources: request.resources });
          return false;
        }
        return this.#awaitDecision(job, request, log, state);
      },
    };
  }

  /** Waits in awaiting_approval for an approval, a rejection or a cancel request. */
  async #awaitDecision(job: Job, request: ConfirmRequest, log: LogWriter, state: { rejectedBy?: string; rejectComment?: string; cancelled: boolean }): Promise<boolean> {
    const jobs = this.#jobs;
    await jobs.jobs.transition(job.id, ['running'], 'awaiting_approval', { runner: this.id, note: request.question });
    log.write('status', { status: 'awaiting_approval', message: request.question, ...(request.kind === 'data-loss' ? { resources: request.resources } : {}) });
    for (;;) {
      const now = await jobs.jobs.get(job.id);
      if (!now || now.runner !== this.id || now.status !== 'awaiting_approval') return false;
      if (now.cancelRequested) {
        state.cancelled = true;
        return false;
      }
      if (now.decision) {
        const d = now.decision;
        await jobs.db.run(`UPDATE jobs SET decision = NULL WHERE id = ?`, [job.id]);
        if (!d.approved) {
          state.rejectedBy = d.by;
          state.rejectComment = d.comment;
          log.write('status', { message: `rejected by ${d.by}${d.comment ? `: ${d.comment}` : ''}` });
          return false;
        }
        await jobs.jobs.transition(job.id, ['awaiting_approval'], 'running', { runner: this.id, by: d.by, note: `approved${d.comment ? `: ${d.comment}` : ''}` });
        log.write('status', { status: 'running', message: `approved by ${d.by}${d.comment ? `: ${d.comment}` : ''}` });
        return true;
      }
      await sleep(this.#t.pollMs);
    }
  }

  /** Runs the job's steps in order. */
  async #steps(job: Job, ctx: OpsContext, workspace: string, setStep: (s: Step, st: StepState['status']) => void): Promise<void> {
    const ops = await import('../ops/index.ts');
    const spec = job.spec;
    const restricted = { allow: this.#jobs.allow };
    let configPath = '';
    const cluster = () => ({ config: configPath, bootstrap: spec.bootstrap, operatorCidrs: spec.operatorCidrs, restricted });
    for (const step of spec.steps) {
      if (ctx.signal?.aborted) throw new JobsError('conflict', 'cancelled before the step started');
      // Before an apply, the preview is the first half of the same use case: its plan event ends it.
      if (step === 'preview' && spec.operation !== 'preview') continue;
      setStep((step === 'apply' || step === 'destroy') && spec.steps.includes('preview') ? 'preview' : step, 'running');
      switch (step) {
        case 'init':
          configPath = await this.#prepare(job, workspace);
          break;
        case 'refresh':
          await ops.refresh(ctx, { stack: spec.stack });
          break;
        case 'preview':
          await ops.preview(ctx, { stack: spec.stack, cluster: cluster() });
          break;
        case 'apply':
          if (spec.operation === 'rollback') await ops.rollback(ctx, { stack: spec.stack, to: spec.rollbackTo!, operatorCidrs: spec.operatorCidrs, message: spec.message });
          else await ops.deploy(ctx, { stack: spec.stack, cluster: cluster(), message: spec.message ?? `job ${job.id}` });
          break;
        case 'destroy':
          await ops.destroy(ctx, { stack: spec.stack });
          break;
      }
      setStep(step, 'done');
    }
  }

  /** The workspace: the config (the text sent, or the repository at the recorded commit), a temp folder. */
  async #prepare(job: Job, workspace: string): Promise<string> {
    await mkdir(join(workspace, 'tmp'), { recursive: true, mode: 0o700 });
    const source = job.spec.source;
    if (!source) return '';
    let path: string;
    let text: string;
    if (source.kind === 'upload') {
      text = this.#jobs.key.open(job.spec.sealedConfig!);
      path = join(workspace, 'config', source.name);
      await mkdir(join(workspace, 'config'), { recursive: true, mode: 0o700 });
      await writeFile(path, text, { mode: 0o600 });
    } else {
      ({ text } = await fetchGit({ url: source.url, ref: source.commit ?? source.ref, path: source.path }, join(workspace, 'source'), this.#jobs.git));
      path = join(workspace, 'source', source.path);
    }
    if (configHash(text) !== job.spec.configHash) throw new JobsError('conflict', `the config is not the one the job was created with (sha256 ${job.spec.configHash?.slice(0, 12)}…)`);
    return path;
  }
}
