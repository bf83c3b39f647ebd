// The jobs use cases the API offers: create (after pre-flight), approve, reject, cancel, retry.
// Each mutation is recorded in the stack's own audit log with the actor (a token's name), the
// same log `deploy` writes to, in the same transaction of intent: the stack is opened with
// the job's credentials, the log attached, the change made, the outcome recorded.
import { AuditSession } from '../audit/index.ts';
import type { EventAction } from '../audit/index.ts';
import { OpsError } from '../ops/errors.ts';
import type { OpsContext } from '../ops/index.ts';
import { StackNotFoundError } from '../state/errors.ts';
import type { Jobs } from './context.ts';
import { JobsError } from './errors.ts';
import { preflight } from './preflight.ts';
import type { StackSettings } from './settings.ts';
import type { JobRequest } from './preflight.ts';
import type { CredentialRef, Job } from './types.ts';

export class JobService {
  readonly jobs: Jobs;
  readonly #wake: () => void;
  /** Warnings the audit layer gave (a log it could not write after a failure). */
  onWarning: (message: string) => void = () => undefined;

  constructor(jobs: Jobs, wake: () => void = () => undefined) {
    this.jobs = jobs;
    this.#wake = wake;
  }

  /** Runs `body` with the stack's audit log attached, as `actor`, under the credentials given. */
  async #audited<T>(stack: string, credentials: readonly CredentialRef[], actor: string, what: { command: string; action: EventAction; description: string; metadata?: Record<string, string> }, body: () => Promise<T>): Promise<T> {
    const { withAuditedStack } = await import('../ops/index.ts');
    const env = { ...this.jobs.baseEnv, ...(await this.jobs.credentials.environment(credentials)) };
    const ctx: OpsContext = {
      env,
      cwd: this.jobs.dataDir,
      homedir: this.jobs.dataDir,
      actor,
      host: { notify: (e) => (e.type === 'warning' ? this.onWarning(e.message) : undefined), confirm: async () => false },
    };
    const session = new AuditSession(what.command, { type: 'deployment', action: what.action, resourceId: stack, resourceType: 'job', description: what.description, metadata: what.metadata }, { actor, secrets: Object.values(env), warn: this.onWarning });
    return withAuditedStack(ctx, session, stack, body);
  }

  /** Pre-flight, then the job, queued. */
  async create(request: JobRequest, actor: string, retryOf?: string): Promise<Job> {
    const { spec } = await preflight(this.jobs, request, actor);
    if (retryOf) {
      spec.retryOf = retryOf;
      spec.trigger.event = 'retry';
    }
    const job = await this.#audited(spec.stack, spec.credentials, actor, { command: 'jobs create', action: 'create', description: `${spec.operation} job for stack '${spec.stack}' created`, metadata: { operation: spec.operation, steps: spec.steps.join(','), ...(retryOf ? { retryOf } : {}) } }, () => this.jobs.jobs.create(spec, actor));
    this.#wake();
    return job;
  }

  async approve(id: string, actor: string, comment?: string): Promise<Job> {
    return this.#decide(id, actor, true, comment);
  }

  async reject(id: string, actor: string, comment?: string): Promise<Job> {
    return this.#decide(id, actor, false, comment);
  }

  async #decide(id: string, actor: string, approved: boolean, comment?: string): Promise<Job> {
    if (comment !== undefined && (typeof comment !== 'string' || comment.length > 1000)) throw new JobsError('invalid', 'comment: text of at most 1000 characters');
    const job = await this.jobs.jobs.require(id);
    if (job.status !== 'awaiting_approval') throw new JobsError('conflict', `job ${id} is ${job.status}; only a job awaiting approval can be ${approved ? 'approved' : 'rejected'}`);
    const verb = approved ? 'approved' : 'rejected';
    return this.#audited(job.stack, job.spec.credentials, actor, { command: approved ? 'jobs approve' : 'jobs reject', action: 'update', description: `${job.operation} job ${id} ${verb}`, metadata: { job: id, ...(comment ? { comment } : {}) } }, async () => {
      const decided = await this.jobs.jobs.decide(id, { approved, by: actor, at: Date.now(), ...(comment ? { comment } : {}) });
      await this.jobs.jobs.appendLog(id, [{ kind: 'status', data: { message: `${verb} by ${actor}${comment ? `: ${comment}` : ''}` } }]);
      return decided;
    });
  }

  async cancel(id: string, actor: string): Promise<Job> {
    const job = await this.jobs.jobs.require(id);
    return this.#audited(job.stack, job.spec.credentials, actor, { command: 'jobs cancel', action: 'update', description: `${job.operation} job ${id} cancelled`, metadata: { job: id, was: job.status } }, () => this.jobs.jobs.cancel(id, actor));
  }

  /**
   * A stack's job settings, recorded in the stack's own audit log (opened with the credentials
   * being set, so credentials that cannot open it are refused) when the stack exists; the
   * settings of a stack not created yet go to the server's log only (the caller's).
   */
  async setStackSettings(input: StackSettings, actor: string): Promise<{ saved: StackSettings; inStackLog: boolean }> {
    this.jobs.settings.checkStack(input);
    const refs = await this.jobs.credentials.refs(input.credentials);
    let saved: StackSettings | undefined;
    try {
      await this.#audited(input.stack, refs, actor, { command: 'server stack-settings', action: 'update', description: `job settings of stack '${input.stack}' set`, metadata: { organization: String(input.organization), environment: String(input.environment), credentials: refs.map((r) => r.name).join(',') } }, async () => {
        saved = await this.jobs.settings.setStack(input);
      });
      return { saved: saved!, inStackLog: true };
    } catch (err) {
      const notCreated = err instanceof StackNotFoundError || (err instanceof OpsError && err.reason === 'no-stack');
      if (saved !== undefined || !notCreated) throw err;
      return { saved: await this.jobs.settings.setStack(input), inStackLog: false };
    }
  }

  /** A new job with the same request (the same config: the text sent, or the commit recorded). */
  async retry(id: string, actor: string): Promise<Job> {
    const old = await this.jobs.jobs.require(id);
    const s = old.spec;
    const request: JobRequest = {
      stack: s.stack,
      operation: s.operation,
      message: s.message,
      credentials: s.credentials.map((c) => c.name),
      bootstrap: s.bootstrap,
      operatorCidrs: s.operatorCidrs,
      rollbackTo: s.rollbackTo,
      ...(s.source?.kind === 'upload' ? { config: { text: this.jobs.key.open(s.sealedConfig!), name: s.source.name } } : {}),
      ...(s.source?.kind === 'git' ? { git: { url: s.source.url, ref: s.source.commit ?? s.source.ref, path: s.source.path } } : {}),
    };
    return this.create(request, actor, id);
  }

  /** An ops context for reading a stack with its mapped credentials (history, audit). */
  async #readContext(stack: string): Promise<OpsContext> {
    const settings = await this.jobs.settings.stack(stack);
    const refs = await this.jobs.credentials.refs(settings.credentials).catch(() => []);
    const env = { ...this.jobs.baseEnv, ...(await this.jobs.credentials.environment(refs)) };
    return { env, cwd: this.jobs.dataDir, homedir: this.jobs.dataDir, actor: 'server', host: { notify: (e) => (e.type === 'warning' ? this.onWarning(e.message) : undefined), confirm: async () => false } };
  }

  /** The backend's stacks, each with its settings and its latest job. */
  async stacks(): Promise<{ name: string; organization: string; environment: string; resources?: number; lastUpdate?: string; lastJob?: { id: string; operation: string; status: string } }[]> {
    const { openStore } = await import('../ops/index.ts');
    const store = await openStore({ env: this.jobs.baseEnv, cwd: this.jobs.dataDir, homedir: this.jobs.dataDir });
    try {
      const out = [];
      for (const s of await store.listStacks()) {
        const settings = await this.jobs.settings.stack(s.name);
        const [last] = await this.jobs.jobs.list({ stack: s.name, limit: 1 });
        out.push({
          name: s.name,
          organization: settings.organization,
          environment: settings.environment,
          resources: s.resourceCount,
          ...(s.lastUpdate ? { lastUpdate: s.lastUpdate.toISOString() } : {}),
          ...(last ? { lastJob: { id: last.id, operation: last.operation, status: last.status } } : {}),
        });
      }
      return out;
    } finally {
      store.close();
    }
  }

  /** The stack's update history (the Pulumi-compatible entries). */
  async history(stack: string, limit = 50): Promise<unknown[]> {
    const { openStore } = await import('../ops/index.ts');
    const store = await openStore({ env: this.jobs.baseEnv, cwd: this.jobs.dataDir, homedir: this.jobs.dataDir });
    try {
      if (!(await store.stackExists(stack))) throw new JobsError('not-found', `no stack '${stack}'`);
      return (await store.history(stack, limit)).map(({ key: _k, checkpointKey: _c, ...entry }) => entry);
    } finally {
      store.close();
    }
  }

  /** The stack's audit events (opened with the stack's mapped passphrase). */
  async audit(stack: string): Promise<unknown[]> {
    const { openStore, readAudit } = await import('../ops/index.ts');
    const ctx = await this.#readContext(stack);
    const store = await openStore(ctx);
    try {
      if (!(await store.stackExists(stack))) throw new JobsError('not-found', `no stack '${stack}'`);
    } finally {
      store.close();
    }
    return (await readAudit(ctx, { stack })).events;
  }
}
