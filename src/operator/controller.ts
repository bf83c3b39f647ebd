// The Stack controller. Watches Stacks (and the metadata of the Secrets and ConfigMaps they
// reference), keeps a queue of Stacks to look at, and reconciles each: finalizer, source,
// prerequisites, then — when the revision (spec, commit, referenced objects) is not the one
// last applied, a retry is due, a resync or a drift check is due — one update through the
// ops layer. At most one update runs per stack (backend + name) in this process; the stack's
// lock in the backend is the last guard against anyone else. Failures back off
// exponentially; errors that only a change can fix stall the Stack until that change.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ConfigError } from '../config/index.ts';
import { LispError } from '../lisp/index.ts';
import type { ConfirmRequest, OpsContext } from '../ops/index.ts';
import { OpsError } from '../ops/index.ts';
import { StackLockedError, StateError } from '../state/index.ts';
import { APPROVE_ANNOTATION, FINALIZER, RECONCILE_ANNOTATION } from './crd.ts';
import { GitSource, SourceError, SourceMissingError } from './git.ts';
import type { Kube, Watched } from './kube.ts';
import { isConflict } from './kube.ts';
import { References, references, revisionOf } from './source.ts';
import type { ResolvedSource } from './source.ts';
import { conditionOf, conditionsFor, driftCondition, phases, replacing, showsPhase } from './status.ts';
import type { Phase } from './status.ts';
import { keyOf } from './types.ts';
import type { Operation, StackResource, StackStatus, UpdateRecord } from './types.ts';
import { DEFAULT_BACKEND, locksOf, outputsSummary, planDigest, planSummary, UpdateHost, workspace } from './update.ts';
import type { Log } from './update.ts';

export interface ControllerOptions {
  kube: Kube;
  /** This replica (the Lease holder name). */
  identity: string;
  /** Watch only these namespaces; default every namespace. */
  namespaces?: readonly string[];
  /** Work directories and the git cache. */
  workDir: string;
  /** PATH for git and ssh. */
  path?: string;
  /** Reconciles at once (default 4). */
  concurrency?: number;
  /** First pause after a failed update (default 10 s); each further failure triples it, up to the Stack's maxBackoffSeconds. */
  backoffBaseMs?: number;
  log: Log;
}

const DEFAULT_RESYNC = 60;
const DEFAULT_MAX_BACKOFF = 3600;
const SOURCE_RETRY_MS = 30_000;
const CONFLICT_RETRY_MS = 10_000;

/** Reasons of failures a retry cannot fix: the Stack stalls until something changes. */
const STALLING = new Set(['ConfigInvalid', 'SpecInvalid', 'SourceMissing', 'UpdateConflict', 'StackMissing']);

interface Failure {
  reason: string;
  message: string;
  retryAfterMs?: number;
}

interface Result {
  /** Look at the Stack again after this long. */
  requeueMs?: number;
}

export class Controller {
  readonly #o: Required<Omit<ControllerOptions, 'namespaces' | 'path'>> & Pick<ControllerOptions, 'namespaces' | 'path'>;
  readonly #kube: Kube;
  readonly #refs: References;
  /** The process that takes stack locks here (as the state layer writes it in a lock). */
  readonly #process = `${hostname()} pid ${process.pid}`;
  #stacks: Watched<StackResource>[] = [];
  #metadata: { secrets: Watched<KubernetesObject>[]; configmaps: Watched<KubernetesObject>[] } = { secrets: [], configmaps: [] };

  readonly #due = new Map<string, number>();
  readonly #running = new Set<string>();
  readonly #again = new Set<string>();
  /** stack identity (backend + name) → the Stack resource updating it. */
  readonly #stackBusy = new Map<string, string>();
  readonly #updateIds = new Set<string>();
  /** Stack → the lastUpdate id this process wrote last: until the watch shows it, the cache is behind and decides nothing. */
  readonly #written = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  /** The watches are up: the queue may run. */
  #started = false;
  #stopping = false;
  #idle: (() => void) | undefined;
  /** Graceful stop of running updates (no new step starts), then abort (running steps stop). */
  readonly stop = new AbortController();
  readonly abort = new AbortController();

  constructor(options: ControllerOptions) {
    this.#o = { concurrency: 4, backoffBaseMs: 10_000, ...options };
    this.#kube = options.kube;
    this.#refs = new References(options.kube, new GitSource(join(options.workDir, 'git'), options.path));
  }

  #log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.#o.log(level, message, fields);
  }

  /** Starts the watches; from then on Stacks are reconciled as they change. */
  async start(): Promise<void> {
    const scopes = this.#o.namespaces?.length ? [...this.#o.namespaces] : [undefined];
    const onError = (what: string) => (err: unknown) => this.#log('warn', `watch of ${what} failed; reconnecting: ${(err as Error).message ?? err}`);
    for (const ns of scopes) {
      this.#metadata.secrets.push(await this.#kube.watchMetadata('secrets', ns, (_k, o) => this.#referenced('Secret', o), onError('secrets')));
      this.#metadata.configmaps.push(await this.#kube.watchMetadata('configmaps', ns, (_k, o) => this.#referenced('ConfigMap', o), onError('configmaps')));
    }
    for (const ns of scopes) {
      this.#stacks.push(await this.#kube.watchStacks(ns, (kind, s) => this.#stackChanged(kind, s), onError('stacks')));
    }
    this.#log('info', `watching Stacks in ${scopes[0] === undefined ? 'every namespace' : scopes.join(', ')}`);
    this.#started = true;
    this.#schedule();
  }

  /**
   * Stops: no new reconcile starts, running updates are asked to stop gracefully (each saves
   * what it did and releases the stack lock), after `graceMs` they are aborted.
   */
  async shutdown(graceMs = 60_000): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.stop.abort();
    const idle = this.#running.size === 0 ? Promise.resolve() : new Promise<void>((r) => (this.#idle = r));
    const timer = setTimeout(() => this.abort.abort(), graceMs);
    await idle;
    clearTimeout(timer);
    for (const w of [...this.#stacks, ...this.#metadata.secrets, ...this.#metadata.configmaps]) await w.stop();
  }

  #caches() {
    const pick = (list: Watched<KubernetesObject>[]) => ({
      list: () => list.flatMap((w) => w.list()),
      get: (name: string, ns: string) => list.map((w) => w.get(name, ns)).find(Boolean),
      stop: async () => undefined,
    });
    return { secrets: pick(this.#metadata.secrets), configmaps: pick(this.#metadata.configmaps) };
  }

  #allStacks(): StackResource[] {
    return this.#stacks.flatMap((w) => w.list());
  }

  #getStack(key: string): StackResource | undefined {
    const [ns, name] = key.split('/') as [string, string];
    return this.#stacks.map((w) => w.get(name, ns)).find(Boolean);
  }

  #stackChanged(kind: 'add' | 'update' | 'delete', s: StackResource): void {
    const key = keyOf(s);
    if (kind !== 'delete') this.enqueue(key);
    // Stacks that wait for this one look again.
    for (const other of this.#allStacks()) {
      if (other.metadata.namespace === s.metadata.namespace && other.spec.prerequisites?.some((p) => p.name === s.metadata.name)) this.enqueue(keyOf(other));
    }
  }

  #referenced(kind: 'Secret' | 'ConfigMap', obj: KubernetesObject): void {
    for (const s of this.#allStacks()) {
      if (s.metadata.namespace !== obj.metadata?.namespace) continue;
      if (references(s.spec).some(([k, n]) => k === kind && n === obj.metadata?.name)) this.enqueue(keyOf(s));
    }
  }

  /** Look at the Stack `key` (namespace/name) after `delayMs`. */
  enqueue(key: string, delayMs = 0): void {
    if (this.#stopping) return;
    const at = Date.now() + delayMs;
    const cur = this.#due.get(key);
    if (cur === undefined || at < cur) this.#due.set(key, at);
    this.#schedule();
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (!this.#started || this.#stopping || this.#due.size === 0) return;
    const next = Math.min(...this.#due.values());
    this.#timer = setTimeout(() => this.#pump(), Math.max(0, Math.min(next - Date.now(), 2 ** 31 - 1)));
  }

  #pump(): void {
    const now = Date.now();
    for (const [key, at] of [...this.#due].sort((a, b) => a[1] - b[1])) {
      if (this.#running.size >= this.#o.concurrency) break;
      if (at > now) break;
      this.#due.delete(key);
      if (this.#running.has(key)) {
        this.#again.add(key);
        continue;
      }
      this.#running.add(key);
      void this.#reconcileSafely(key).then((r) => {
        this.#running.delete(key);
        if (this.#again.delete(key)) this.enqueue(key);
        else if (r.requeueMs !== undefined) this.enqueue(key, r.requeueMs);
        if (this.#stopping && this.#running.size === 0) this.#idle?.();
        this.#schedule();
      });
    }
    this.#schedule();
  }

  async #reconcileSafely(key: string): Promise<Result> {
    try {
      return await this.reconcile(key);
    } catch (err) {
      // The API server refused a write (a conflict: the Stack changed meanwhile), or could not be reached.
      this.#log(isConflict(err) ? 'info' : 'warn', `reconcile of ${key} ${isConflict(err) ? 'met a newer version of the Stack; again' : `failed: ${(err as Error).message}`}`, { stack: key });
      return { requeueMs: isConflict(err) ? 0 : 5_000 };
    }
  }

  /** One look at the Stack `key`. */
  async reconcile(key: string): Promise<Result> {
    let stack = this.#getStack(key);
    if (!stack) {
      this.#written.delete(key);
      return {};
    }
    const written = this.#written.get(key);
    if (written !== undefined) {
      // The status this process wrote has not come back through the watch yet.
      if (stack.status?.lastUpdate?.id !== written) return { requeueMs: 5_000 };
      this.#written.delete(key);
    }
    if (stack.metadata.deletionTimestamp) return this.#finalize(stack);
    if (!stack.metadata.finalizers?.includes(FINALIZER)) {
      stack = await this.#kube.patchMetadata(stack, { finalizers: [...(stack.metadata.finalizers ?? []), FINALIZER] });
    }
    const spec = stack.spec;
    const resync = (spec.resyncFrequencySeconds ?? DEFAULT_RESYNC) * 1000;

    let source: ResolvedSource;
    try {
      source = await this.#refs.resolve(stack);
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      const missing = err instanceof SourceMissingError;
      await this.#setPhase(stack, phases.stalled(missing ? 'SourceMissing' : 'SourceUnavailable', err.message));
      return { requeueMs: missing ? undefined : SOURCE_RETRY_MS };
    }
    const revision = revisionOf(stack, source.commit, this.#caches());

    const interrupted = stack.status?.currentUpdate && !this.#updateIds.has(stack.status.currentUpdate.id) ? stack.status.currentUpdate : undefined;
    const last = stack.status?.lastUpdate;
    const now = Date.now();
    const poll = spec.branch ? resync : undefined;
    let operation: 'update' | 'drift' = 'update';

    if (!interrupted && last?.revision === revision) {
      if (last.result === 'succeeded') {
        const sinceUpdate = now - Date.parse(last.endTime ?? last.startTime ?? '');
        const resyncDue = spec.continueResyncOnCommitMatch && sinceUpdate >= resync;
        const driftEvery = spec.driftDetection ? spec.driftDetection.intervalSeconds * 1000 : undefined;
        const lastCheck = Math.max(Date.parse(stack.status?.drift?.checkTime ?? '') || 0, Date.parse(last.endTime ?? '') || 0);
        const driftDue = driftEvery !== undefined && now - lastCheck >= driftEvery;
        if (!resyncDue && !driftDue) {
          await this.#setPhase(stack, phases.ready(`stack ${spec.stack} is up to date${source.commit ? ` at ${short(source.commit)}` : ''}`));
          const waits = [poll, spec.continueResyncOnCommitMatch ? resync - sinceUpdate : undefined, driftEvery !== undefined ? driftEvery - (now - lastCheck) : undefined];
          return { requeueMs: minOf(waits) };
        }
        if (!resyncDue) operation = 'drift';
      } else if (last.reason === 'AwaitingApproval') {
        const pending = stack.status?.pendingApproval;
        if (!pending || stack.metadata.annotations?.[APPROVE_ANNOTATION] !== pending.digest) return { requeueMs: poll };
      } else if (last.reason !== 'Interrupted') {
        if (STALLING.has(last.reason ?? '') && !(last.reason === 'UpdateConflict' && spec.retryOnUpdateConflict)) return { requeueMs: poll };
        const wait = Date.parse(stack.status?.nextRetryTime ?? '') - now;
        if (wait > 0) return { requeueMs: minOf([wait, poll]) };
      }
    }

    const waiting = await this.#prerequisites(stack);
    if (waiting) {
      await this.#setPhase(stack, phases.progressing('PrerequisiteNotSatisfied', waiting));
      return { requeueMs: minOf([poll, 60_000]) };
    }

    const identity = `${spec.backend ?? DEFAULT_BACKEND}\0${spec.stack}`;
    const holder = this.#stackBusy.get(identity);
    if (holder && holder !== key) {
      const queued = phases.progressing('WaitingForStack', `stack ${spec.stack} is being updated by Stack ${holder}; this one follows`);
      if (!showsPhase(stack, queued)) await this.#event(stack, 'Normal', 'UpdateQueued', queued.message);
      await this.#setPhase(stack, queued);
      return { requeueMs: 1_000 };
    }
    this.#stackBusy.set(identity, key);
    try {
      if (operation === 'drift') return await this.#checkDrift(stack, source, revision);
      return await this.#update(stack, source, revision, 'update', interrupted);
    } finally {
      this.#stackBusy.delete(identity);
    }
  }

  /** The first prerequisite that is not satisfied, in words; undefined when all are. */
  async #prerequisites(stack: StackResource): Promise<string | undefined> {
    for (const p of stack.spec.prerequisites ?? []) {
      const other = this.#getStack(`${stack.metadata.namespace}/${p.name}`);
      if (!other) return `prerequisite Stack ${p.name} does not exist`;
      const last = other.status?.lastUpdate;
      const ready = conditionOf(other, 'Ready')?.status === 'True' && other.status?.observedGeneration === other.metadata.generation;
      if (!ready || last?.result !== 'succeeded') return `waiting for prerequisite Stack ${p.name} to succeed`;
      const within = p.requirement?.succeededWithinDuration;
      if (within && Date.now() - Date.parse(last.endTime ?? '') > durationMs(within)) {
        // Ask the prerequisite to run again (once per its last update).
        const request = `after-${last.id}`;
        if (other.metadata.annotations?.[RECONCILE_ANNOTATION] !== request) {
          await this.#kube.patchMetadata(other, { annotations: { [RECONCILE_ANNOTATION]: request } }, false);
        }
        return `prerequisite Stack ${p.name} last succeeded more than ${within} ago; it was asked to run again`;
      }
    }
    return undefined;
  }

  async #setPhase(stack: StackResource, phase: Phase, extra: Partial<Record<keyof StackStatus, unknown>> = {}): Promise<StackResource> {
    if (showsPhase(stack, phase) && Object.keys(extra).length === 0) return stack;
    return this.#kube.patchStatus(stack, { observedGeneration: stack.metadata.generation, conditions: conditionsFor(stack, phase), ...extra });
  }

  async #event(stack: StackResource, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    try {
      await this.#kube.event(stack, type, reason, message);
    } catch (err) {
      this.#log('warn', `cannot record event ${reason} on ${keyOf(stack)}: ${(err as Error).message}`);
    }
  }

  /** Runs `body` with an ops context for the Stack: its environment, a workspace with the config, the operator's signals, a host. */
  async #withUpdate<T>(
    stack: StackResource,
    source: ResolvedSource | undefined,
    approve: (request: ConfirmRequest) => boolean,
    body: (ctx: OpsContext, host: UpdateHost, file: string) => Promise<T>,
  ): Promise<T> {
    const env = { ...(await this.#refs.environment(stack)), PULUMI_BACKEND_URL: stack.spec.backend ?? DEFAULT_BACKEND };
    const text = source ? await source.load() : '';
    const secrets = Object.entries(env).filter(([k]) => k !== 'PULUMI_BACKEND_URL' && !stack.spec.envRefs?.[k]?.type.startsWith('Literal')).map(([, v]) => v);
    const log: Log = (level, message, fields) => this.#log(level, message, { stack: keyOf(stack), ...fields });
    const host = new UpdateHost(log, secrets, approve);
    const ws = await workspace(join(this.#o.workDir, 'updates'), source?.file ?? 'cluster.lisp', text, {
      host,
      env,
      actor: `sloth-kubernetes-operator (Stack ${keyOf(stack)})`,
      signal: this.stop.signal,
      abortSignal: this.abort.signal,
    });
    try {
      return await body(ws.ctx, host, ws.file);
    } catch (err) {
      throw new UpdateFailure(err, host, `${ws.dir}/`);
    } finally {
      await ws.cleanup();
    }
  }

  /** An update (or, deleting, a destroy) of the stack, its status and Events before and after. */
  async #update(stack: StackResource, source: ResolvedSource | undefined, revision: string, operation: Operation, interrupted?: UpdateRecord): Promise<Result> {
    const spec = stack.spec;
    const last = stack.status?.lastUpdate;
    const id = `${stack.metadata.name}-${Date.now().toString(36)}-${randomUUID().slice(0, 4)}`;
    const current: UpdateRecord = { id, operation, commit: source?.commit, generation: stack.metadata.generation, revision, holder: this.#o.identity, process: this.#process, startTime: new Date().toISOString() };
    if (interrupted) {
      await this.#event(stack, 'Warning', 'UpdateInterrupted', `update ${interrupted.id} (${interrupted.holder ?? 'another replica'}) did not finish; ${operation === 'destroy' ? 'destroying' : 'updating'} again`);
    }
    this.#updateIds.add(id);
    stack = await this.#setPhase(stack, phases.progressing('Updating', `${operation} ${id} of stack ${spec.stack}${source?.commit ? ` at ${short(source.commit)}` : ''} is running`), { currentUpdate: replacing(stack.status?.currentUpdate, current), nextRetryTime: null });
    await this.#event(stack, 'Normal', operation === 'destroy' ? 'DestroyStarted' : 'UpdateStarted', `${operation} ${id} of stack ${spec.stack}${source?.commit ? ` at ${source.commit}` : ''}`);
    this.#log('info', `${operation} ${id} started`, { stack: keyOf(stack), commit: source?.commit });

    let approval: { digest: string; summary: string; changes: Record<string, number> } | undefined;
    const approve = (r: ConfirmRequest): boolean => {
      if (r.kind === 'destroy') return operation === 'destroy';
      if (r.kind !== 'apply') return false;
      if (!spec.approval?.required) return true;
      const digest = planDigest(r.plan, source?.commit);
      if (stack.metadata.annotations?.[APPROVE_ANNOTATION] === digest) return true;
      approval = { digest, ...planSummary(r.plan) };
      return false;
    };
    const ended = (): Partial<UpdateRecord> => ({ endTime: new Date().toISOString() });
    /** Writes the outcome; until the watch brings it back, this Stack's cache entry is behind. */
    const finish = async (phase: Phase, extra: Partial<Record<keyof StackStatus, unknown>>) => {
      stack = await this.#setPhase(stack, phase, extra);
      this.#written.set(keyOf(stack), id);
    };
    try {
      const changes = await this.#withUpdate(stack, source, approve, async (ctx, _host, file) => {
        const ops = await import('../ops/index.ts');
        if (operation === 'destroy') {
          // A stack that was never created has nothing to destroy.
          if (!(await ops.listStacks(ctx)).stacks.some((s) => s.name === spec.stack)) return {};
          if (interrupted) await this.#releaseInterruptedLock(ctx, stack, interrupted);
          const out = await ops.destroy(ctx, { stack: spec.stack });
          return out.result?.changes ?? {};
        }
        await this.#ensureStack(ctx, stack);
        if (interrupted) await this.#releaseInterruptedLock(ctx, stack, interrupted);
        if (spec.refresh) await ops.refresh(ctx, { stack: spec.stack });
        const out = await ops.deploy(ctx, {
          stack: spec.stack,
          cluster: { config: file, bootstrap: spec.bootstrap !== false, operatorCidrs: spec.operatorCidrs, restricted: { allow: [] } },
          message: `Stack ${keyOf(stack)}${source?.commit ? ` at ${source.commit}` : ''}`,
        });
        const outputs = await outputsSummary(ctx, spec.stack);
        stack = await this.#kube.patchStatus(stack, { outputs: replacing(stack.status?.outputs, outputs) });
        return out.result?.changes ?? {};
      });
      const record: UpdateRecord = { ...current, ...ended(), result: 'succeeded', changes, failures: 0, message: `${operation} succeeded` };
      const done = operation === 'destroy' ? phases.ready(`stack ${spec.stack} destroyed`) : phases.ready(`stack ${spec.stack} is up to date${source?.commit ? ` at ${short(source.commit)}` : ''}`);
      await finish(done, {
        currentUpdate: null,
        lastUpdate: replacing(stack.status?.lastUpdate, record),
        pendingApproval: null,
        ...(source?.commit && operation !== 'destroy' ? { lastSuccessfulCommit: source.commit } : {}),
      });
      await this.#event(stack, 'Normal', operation === 'destroy' ? 'Destroyed' : 'UpdateSucceeded', `${operation} ${id} succeeded${describeChanges(changes)}`);
      this.#log('info', `${operation} ${id} succeeded`, { stack: keyOf(stack), changes });
      return { requeueMs: spec.branch ? (spec.resyncFrequencySeconds ?? DEFAULT_RESYNC) * 1000 : operation === 'destroy' ? undefined : 0 };
    } catch (err) {
      if (approval) {
        const record: UpdateRecord = { ...current, ...ended(), result: 'failed', reason: 'AwaitingApproval', message: `the plan (${approval.summary}) waits for approval` };
        await finish(phases.waiting('AwaitingApproval', `plan ${approval.digest} (${approval.summary}) waits for approval: annotate the Stack ${APPROVE_ANNOTATION}=${approval.digest}`), {
          currentUpdate: null,
          lastUpdate: replacing(stack.status?.lastUpdate, record),
          pendingApproval: { ...approval, commit: source?.commit, since: new Date().toISOString() },
        });
        await this.#event(stack, 'Normal', 'ApprovalRequired', `plan ${approval.digest} (${approval.summary}) waits for approval: kubectl annotate stack ${stack.metadata.name} ${APPROVE_ANNOTATION}=${approval.digest}`);
        return {};
      }
      const f = this.#classify(err);
      const interruptedNow = this.stop.signal.aborted;
      const sameRevision = last?.revision === revision && last.result === 'failed' && last.reason !== 'Interrupted';
      const failures = interruptedNow ? (last?.failures ?? 0) : (sameRevision ? (last?.failures ?? 0) : 0) + 1;
      const record: UpdateRecord = { ...current, ...ended(), result: 'failed', reason: interruptedNow ? 'Interrupted' : f.reason, message: f.message, failures };
      const stalls = !interruptedNow && STALLING.has(f.reason) && !(f.reason === 'UpdateConflict' && spec.retryOnUpdateConflict);
      const cap = (spec.maxBackoffSeconds ?? DEFAULT_MAX_BACKOFF) * 1000;
      const wait = interruptedNow ? 0 : (f.retryAfterMs ?? Math.min(cap, this.#o.backoffBaseMs * 3 ** (failures - 1)));
      const phase = interruptedNow
        ? phases.progressing('Interrupted', `the operator stopped during ${operation} ${id}; it continues when the operator runs again`)
        : stalls
          ? phases.stalled(f.reason, f.message)
          : phases.progressing('RetryingAfterFailure', `${operation} ${id} failed (${failures} in a row): ${f.message}; retrying in ${Math.round(wait / 1000)} s`);
      await finish(phase, { currentUpdate: null, lastUpdate: replacing(stack.status?.lastUpdate, record), nextRetryTime: stalls || interruptedNow ? null : new Date(Date.now() + wait).toISOString() });
      await this.#event(stack, 'Warning', operation === 'destroy' ? 'DestroyFailed' : 'UpdateFailed', `${operation} ${id} failed: ${f.message}`);
      this.#log('warn', `${operation} ${id} failed: ${f.message}`, { stack: keyOf(stack), reason: f.reason });
      return { requeueMs: stalls || interruptedNow ? (stack.spec.branch ? (spec.resyncFrequencySeconds ?? DEFAULT_RESYNC) * 1000 : undefined) : wait };
    } finally {
      this.#updateIds.delete(id);
    }
  }

  /** A missing stack is created, encrypted as secretsProvider says. */
  async #ensureStack(ctx: OpsContext, stack: StackResource): Promise<void> {
    const { createStack, listStacks } = await import('../ops/index.ts');
    const name = stack.spec.stack;
    if ((await listStacks(ctx)).stacks.some((s) => s.name === name)) return;
    const provider = stack.spec.secretsProvider ?? 'passphrase';
    let secrets: { passphrase: string } | { kmsKey: string };
    if (provider.startsWith('awskms://')) secrets = { kmsKey: provider };
    else {
      const passphrase = ctx.env.PULUMI_CONFIG_PASSPHRASE;
      if (!passphrase) throw new OpsError('invalid', `stack ${name} does not exist, and no PULUMI_CONFIG_PASSPHRASE is given to create it`, 'Add PULUMI_CONFIG_PASSPHRASE to envRefs (from a Secret), or set secretsProvider to awskms://KEY.');
      secrets = { passphrase };
    }
    const created = await createStack(ctx, { stack: name, secrets });
    await this.#event(stack, 'Normal', 'StackCreated', `stack ${name} created in ${created.backend} (${created.encryption})`);
  }

  /**
   * An update another replica (or this one, before a restart) left unfinished holds the stack
   * lock still. This replica leads now, so that process acts no more: its lock is released —
   * only when every lock of the stack is that process's; anyone else's lock is a conflict.
   */
  async #releaseInterruptedLock(ctx: OpsContext, stack: StackResource, interrupted: UpdateRecord): Promise<void> {
    const { cancelStack, inspectStack } = await import('../ops/index.ts');
    const { locks } = await inspectStack(ctx, { stack: stack.spec.stack });
    if (!locksOf(locks, interrupted.process)) return;
    await cancelStack(ctx, { stack: stack.spec.stack });
    await this.#event(stack, 'Normal', 'StaleLockReleased', `released the lock of stack ${stack.spec.stack} left by update ${interrupted.id} (${interrupted.holder ?? 'unknown replica'})`);
  }

  /** Compares the clouds with the stack (a refresh that stores nothing if anything drifted); with remediate, corrects it. */
  async #checkDrift(stack: StackResource, source: ResolvedSource, revision: string): Promise<Result> {
    const spec = stack.spec;
    const every = spec.driftDetection!.intervalSeconds * 1000;
    const checkTime = new Date().toISOString();
    try {
      const found = await this.#withUpdate(stack, undefined, () => false, async (ctx, host) => {
        const { refresh } = await import('../ops/index.ts');
        try {
          await refresh(ctx, { stack: spec.stack, expectNoChanges: true });
          return undefined;
        } catch (err) {
          if (err instanceof OpsError && err.reason === 'drifted') return { urns: host.drifted, summary: host.summary };
          throw err;
        }
      });
      if (!found) {
        stack = await this.#kube.patchStatus(stack, { drift: replacing(stack.status?.drift, { checkTime, drifted: 0, gone: 0, resources: [], message: 'no drift' }), conditions: driftCondition(stack, false, 'NoDrift', `no drift at ${checkTime}`) });
        return { requeueMs: minOf([every, spec.branch ? (spec.resyncFrequencySeconds ?? DEFAULT_RESYNC) * 1000 : undefined]) };
      }
      const drifted = found.summary?.changes['drifted'] ?? found.urns.length;
      const gone = found.summary?.changes['gone'] ?? 0;
      const message = `${found.urns.length} resource(s) drifted from stack ${spec.stack}${spec.driftDetection!.remediate ? '; correcting' : ''}`;
      stack = await this.#kube.patchStatus(stack, { drift: replacing(stack.status?.drift, { checkTime, drifted, gone, resources: found.urns.slice(0, 20), message }), conditions: driftCondition(stack, true, 'DriftDetected', message) });
      await this.#event(stack, 'Warning', 'DriftDetected', `${message}: ${found.urns.slice(0, 5).join(', ')}`);
      if (!spec.driftDetection!.remediate) return { requeueMs: every };
      const result = await this.#update({ ...stack, spec: { ...spec, refresh: true } }, source, revision, 'update');
      const after = this.#getStack(keyOf(stack)) ?? stack;
      if (after.status?.lastUpdate?.result === 'succeeded') {
        await this.#kube.patchStatus(after, { conditions: driftCondition(after, false, 'DriftCorrected', `drift corrected by update ${after.status.lastUpdate.id}`) });
      }
      return result;
    } catch (err) {
      const f = this.#classify(err);
      await this.#kube.patchStatus(stack, { drift: replacing(stack.status?.drift, { checkTime, message: `the drift check failed: ${f.message}` }) });
      return { requeueMs: every };
    }
  }

  /** A Stack being deleted: destroy first when destroyOnFinalize says so, then let it go. */
  async #finalize(stack: StackResource): Promise<Result> {
    if (!stack.metadata.finalizers?.includes(FINALIZER)) return {};
    if (stack.spec.destroyOnFinalize) {
      const last = stack.status?.lastUpdate;
      const destroyed = last?.operation === 'destroy' && last.result === 'succeeded' && !stack.status?.currentUpdate;
      if (!destroyed) {
        const wait = Date.parse(stack.status?.nextRetryTime ?? '') - Date.now();
        if (last?.operation === 'destroy' && last.result === 'failed' && wait > 0) return { requeueMs: wait };
        const identity = `${stack.spec.backend ?? DEFAULT_BACKEND}\0${stack.spec.stack}`;
        const holder = this.#stackBusy.get(identity);
        if (holder && holder !== keyOf(stack)) return { requeueMs: 1_000 };
        this.#stackBusy.set(identity, keyOf(stack));
        try {
          const interrupted = stack.status?.currentUpdate && !this.#updateIds.has(stack.status.currentUpdate.id) ? stack.status.currentUpdate : undefined;
          const r = await this.#update(stack, undefined, 'destroy', 'destroy', interrupted);
          const now = this.#getStack(keyOf(stack));
          if (now?.status?.lastUpdate?.operation !== 'destroy' || now.status.lastUpdate.result !== 'succeeded') return r;
          stack = now;
        } finally {
          this.#stackBusy.delete(identity);
        }
      }
    }
    // Another replica or a person may have changed it since: the patch names the resourceVersion.
    const fresh = (await this.#kube.getStack(stack.metadata.namespace!, stack.metadata.name!)) ?? stack;
    const finalizers = (fresh.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
    await this.#kube.patchMetadata(fresh, { finalizers: finalizers.length ? finalizers : null });
    this.#log('info', `Stack ${keyOf(stack)} released${stack.spec.destroyOnFinalize ? ' after its stack was destroyed' : ' (the stack and its cluster are left as they are)'}`);
    return {};
  }

  #classify(thrown: unknown): Failure {
    const err = thrown instanceof UpdateFailure ? thrown.cause : thrown;
    // What the update's host knows (the engine's failures), without the Stack's secrets.
    const message = thrown instanceof UpdateFailure ? thrown.message : ((err as Error)?.message ?? String(err));
    if (err instanceof ConfigError || err instanceof LispError) return { reason: 'ConfigInvalid', message };
    if (err instanceof SourceMissingError) return { reason: 'SourceMissing', message };
    if (err instanceof SourceError) return { reason: 'SourceUnavailable', message, retryAfterMs: SOURCE_RETRY_MS };
    if (err instanceof StackLockedError) return { reason: 'UpdateConflict', message, retryAfterMs: CONFLICT_RETRY_MS };
    if (err instanceof OpsError) {
      if (err.reason === 'invalid' || err.reason === 'refused') return { reason: 'ConfigInvalid', message };
      if (err.reason === 'no-stack') return { reason: 'StackMissing', message };
    }
    if (err instanceof StateError && !(err instanceof OpsError)) return { reason: 'StateUnavailable', message };
    return { reason: 'UpdateFailed', message };
  }
}

/** An update's error, with a message for the status and Events: the engine's first failures or the error and its hint, secrets scrubbed. */
class UpdateFailure extends Error {
  override readonly cause: unknown;
  /** `workspace`: the update's directory, left out of paths (the config shows as src/cluster.lisp). */
  constructor(cause: unknown, host: UpdateHost, workspace: string) {
    const err = cause as { message?: string; hint?: string };
    const hint = err?.hint && !(cause instanceof ConfigError) ? ` (${err.hint.split('\n')[0]})` : '';
    const story = cause instanceof OpsError && cause.reported ? host.failureStory() : undefined;
    super(host.scrub(story ?? `${err?.message ?? String(cause)}${hint}`).split(workspace).join(''));
    this.name = 'UpdateFailure';
    this.cause = cause;
  }
}

const short = (commit: string): string => (commit.startsWith('sha256:') ? commit : commit.slice(0, 12));

function minOf(values: (number | undefined)[]): number | undefined {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).map((v) => Math.max(0, v));
  return xs.length ? Math.min(...xs) : undefined;
}

function describeChanges(changes: Record<string, number>): string {
  const parts = Object.entries(changes).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  return parts.length ? `: ${parts.join(', ')}` : ': no changes';
}

/** "1h30m", "90s" → milliseconds. */
export function durationMs(text: string): number {
  let ms = 0;
  for (const m of text.matchAll(/(\d+)([smh])/g)) ms += Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
  return ms;
}
