// What one engine operation (deploy, destroy, refresh) shares while it runs: the stack view
// and its journal, configured providers, provider-call slots, cancellation, events, counts.
import { randomUUID } from 'node:crypto';
import type { PropertyMap, ResourceState, StackUpdate } from '../state/types.ts';
import type { CallContext, ProviderPackage, ProviderRegistry, ResourceType } from './provider.ts';
import type { EngineEvent, EventSink, OperationKind, PropertyChange, StepOp, StepRef } from './events.ts';
import { Cancellation } from './cancel.ts';
import { callWithRetry, DEFAULT_RETRY } from './retry.ts';
import type { RetryPolicy } from './retry.ts';
import { Slots } from './slots.ts';
import { NotStarted } from './scheduler.ts';
import { Journal } from './journal.ts';
import { StackView } from './view.ts';
import { EngineError, errorMessage, StepError } from './errors.ts';
import { isProviderType, packageOf, parseProviderRef, parseUrn, urnTag } from './urn.ts';
import { revealMap, scrub, secretStrings } from './values.ts';
import { typeFor } from './plan.ts';

/**
 * Default number of provider calls in flight. Steps are network-bound, so this is not tied to
 * CPUs; 16 keeps a cluster-sized graph (tens to hundreds of resources) moving while staying
 * well inside the request-rate limits of the clouds we target (throttling is retried anyway).
 */
export const DEFAULT_PARALLEL = 16;

/** Seconds, per operation, when neither the resource nor its type says otherwise. */
export const DEFAULT_TIMEOUTS = { create: 1200, update: 1200, delete: 1200, read: 300 } as const;

export interface EngineOptions {
  registry: ProviderRegistry;
  /** Passed to providers' configure (credentials, regions). */
  env?: Readonly<Record<string, string | undefined>>;
  parallel?: number;
  onEvent?: EventSink;
  cancellation?: Cancellation;
  retry?: Partial<RetryPolicy>;
  /** Recorded in the stack's history. */
  message?: string;
}

export interface Failure {
  urn: string;
  op: StepOp;
  error: string;
}

export interface OperationResult {
  kind: OperationKind;
  result: 'succeeded' | 'failed' | 'cancelled';
  changes: Record<string, number>;
  failures: Failure[];
  errors: string[];
  elapsedMs: number;
}

interface Configured {
  pkg: ProviderPackage;
  client: unknown;
}

export class Run {
  readonly kind: OperationKind;
  readonly stack: string;
  readonly view: StackView;
  readonly journal: Journal;
  readonly slots: Slots;
  readonly cancel: Cancellation;
  readonly registry: ProviderRegistry;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly retry: RetryPolicy;
  readonly started = performance.now();
  readonly changes: Record<string, number> = {};
  readonly failures: Failure[] = [];
  /** Steps cut short by an abort (second Ctrl-C): not failures, resolved by the next run. */
  readonly interrupted: Failure[] = [];
  /** Failures of the operation as a whole (not of one resource). */
  readonly errors: string[] = [];
  readonly #emit: EventSink;
  readonly #configured = new Map<string, Promise<Configured>>();
  readonly #urnLocks = new Map<string, Promise<void>>();
  total = 0;
  #done = 0;
  #running = 0;

  constructor(kind: OperationKind, stack: string, update: StackUpdate, options: EngineOptions) {
    this.kind = kind;
    this.stack = stack;
    this.view = StackView.from(update.deployment);
    this.journal = new Journal(update, this.view);
    const parallel = options.parallel ?? DEFAULT_PARALLEL;
    if (!Number.isInteger(parallel) || parallel < 1) throw new EngineError(`--parallel must be a whole number of at least 1, not ${parallel}`);
    this.slots = new Slots(parallel);
    this.cancel = options.cancellation ?? new Cancellation();
    this.registry = options.registry;
    this.env = options.env ?? {};
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#emit = options.onEvent ?? (() => undefined);
    this.cancel.onRequest((mode) => {
      this.emit({ type: 'cancel', mode });
      this.slots.close(new NotStarted());
    });
  }

  emit(event: EngineEvent): void {
    try {
      this.#emit(event);
    } catch {
      // A renderer that throws must not take the run (and the state) down with it.
    }
  }

  /** Stops starting steps: after a Ctrl-C, or when the state can no longer be saved. */
  stopping(): boolean {
    return this.cancel.stopping || this.journal.failure !== undefined;
  }

  count(op: string): void {
    this.changes[op] = (this.changes[op] ?? 0) + 1;
  }

  /**
   * Serializes the steps of one URN: a pending operation is identified by its URN alone, so
   * two steps on copies of the same resource must not overlap between intent and settle.
   */
  async lockUrn(urn: string): Promise<() => void> {
    const prev = this.#urnLocks.get(urn) ?? Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    const chained = prev.then(() => promise);
    this.#urnLocks.set(urn, chained);
    await prev;
    return () => {
      resolve();
      if (this.#urnLocks.get(urn) === chained) this.#urnLocks.delete(urn);
    };
  }

  /** Takes a provider-call slot, or throws NotStarted when the run is stopping. */
  async acquire(priority: number): Promise<() => void> {
    if (this.stopping()) throw new NotStarted();
    const release = await this.slots.acquire(priority);
    if (this.stopping()) {
      release();
      throw new NotStarted();
    }
    return release;
  }

  stepStarted(step: StepRef): number {
    this.#running++;
    this.emit({ type: 'step-start', step, at: Date.now() });
    return performance.now();
  }

  stepDone(step: StepRef, t0: number, changes?: PropertyChange[], note?: string): void {
    this.#running--;
    this.#done++;
    this.emit({ type: 'step-done', step, elapsedMs: Math.round(performance.now() - t0), ...(changes?.length ? { changes } : {}), ...(note ? { note } : {}) });
    this.#progress();
  }

  stepFailed(step: StepRef, t0: number, err: unknown): void {
    this.#running--;
    this.#done++;
    const error = errorMessage(err);
    if (err instanceof StepError && err.errorClass === 'cancelled') this.interrupted.push({ urn: step.urn, op: step.op, error });
    else this.failures.push({ urn: step.urn, op: step.op, error });
    this.emit({ type: 'step-failed', step, elapsedMs: Math.round(performance.now() - t0), error });
    this.#progress();
  }

  #progress(): void {
    this.total = Math.max(this.total, this.#done + this.#running);
    this.emit({ type: 'progress', done: this.#done, total: this.total, running: this.#running, failed: this.failures.length });
  }

  /** The package and configured client for a resource's provider reference or provider URN. */
  async providerFor(r: { urn: string; type: string; provider?: string }): Promise<Configured & { type: ResourceType }> {
    const type = typeFor(this.registry, { urn: r.urn, type: r.type, custom: true })!;
    if (!r.provider) throw new EngineError(`${r.urn} has no provider reference in the checkpoint`);
    const providerUrn = parseProviderRef(r.provider).urn;
    return { ...(await this.configured(providerUrn)), type };
  }

  configured(providerUrn: string): Promise<Configured> {
    let p = this.#configured.get(providerUrn);
    if (!p) {
      p = this.#configure(providerUrn);
      this.#configured.set(providerUrn, p);
      p.catch(() => this.#configured.delete(providerUrn));
    }
    return p;
  }

  /** Called after a provider resource's configuration changed. */
  forgetProvider(providerUrn: string): void {
    this.#configured.delete(providerUrn);
  }

  async #configure(providerUrn: string): Promise<Configured> {
    const state = this.view.live.get(providerUrn) ?? this.view.oldCopies.get(providerUrn)?.[0];
    if (!state) throw new EngineError(`the provider configuration ${providerUrn} is missing from the stack`);
    const name = packageOf(parseUrn(providerUrn).type);
    const pkg = this.registry.get(name);
    if (!pkg) throw new EngineError(`no provider for package '${name}' (configuration ${providerUrn})`);
    try {
      const client = await pkg.configure(revealMap(state.inputs ?? {}), { env: this.env, signal: this.cancel.signal });
      return { pkg, client };
    } catch (err) {
      throw new EngineError(`the provider configuration ${providerUrn} was rejected: ${scrub(errorMessage(err), secretStrings(state.inputs))}`);
    }
  }

  /** Calls a provider with retries, the resource's time limit, and secret-scrubbed errors. */
  call<T>(step: StepRef, pkg: ProviderPackage, timeoutSeconds: number, secretsOf: (PropertyMap | undefined)[], fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const secrets = secretStrings(...secretsOf);
    return callWithRetry(fn, {
      classify: (e) => pkg.classifyError(e),
      policy: this.retry,
      timeoutMs: timeoutSeconds * 1000,
      runSignal: this.cancel.signal,
      scrub: (t) => scrub(t, secrets),
      onRetry: (attempt, delayMs, error) => this.emit({ type: 'retry', step, attempt, delayMs, error }),
    });
  }

  /**
   * What a provider call receives. Its log lines are scrubbed of every secret string in
   * `secretsOf` (the resource's inputs and outputs), like its errors.
   */
  context<C>(r: { urn: string; type: string }, client: C, signal: AbortSignal, secretsOf: (PropertyMap | undefined)[]): CallContext<C> {
    const { name } = parseUrn(r.urn);
    let secrets: string[] | undefined;
    return {
      urn: r.urn,
      name,
      type: r.type,
      urnTag: urnTag(r.urn),
      client,
      signal,
      log: (message, severity = 'info') => this.emit({ type: 'diagnostic', severity, message: scrub(String(message), (secrets ??= secretStrings(...secretsOf))), urn: r.urn }),
    };
  }

  result(): OperationResult {
    const cancelled = this.cancel.stopping && this.journal.failure === undefined;
    const result = this.failures.length > 0 || this.errors.length > 0 || this.journal.failure ? 'failed' : cancelled ? 'cancelled' : 'succeeded';
    return { kind: this.kind, result, changes: { ...this.changes }, failures: [...this.failures], errors: [...this.errors], elapsedMs: Math.round(performance.now() - this.started) };
  }
}

export function timeoutSeconds(op: 'create' | 'update' | 'delete' | 'read', state: Pick<ResourceState, 'customTimeouts'> | undefined, type: ResourceType | undefined): number {
  return state?.customTimeouts?.[op] ?? type?.timeouts?.[op] ?? DEFAULT_TIMEOUTS[op];
}

export function isCustomResource(r: { custom: boolean; type: string }): boolean {
  return r.custom && !isProviderType(r.type);
}

export function newProviderId(): string {
  return randomUUID();
}

export { StepError };
