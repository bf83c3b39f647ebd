// The engine operations as use cases, for any desired graph: open the stack, preview, ask
// before acting, run the engine with the caller's signals wired to cancellation and its events
// passed on, record, and turn the outcome into a result or an error. The cluster use cases
// (cluster.ts, rollback.ts) build the graph from a configuration and add the history recorder.
import type { AuditSession } from '../audit/index.ts';
import { adoptionGraph, Cancellation, deploy as engineDeploy, destroy as engineDestroy, hasChanges, packageNames, preview as enginePreview, previewDestroy, refresh as engineRefresh } from '../engine/index.ts';
import type { Adoption, DesiredState, EngineEvent, OperationKind, OperationResult, Plan, RefreshResult } from '../engine/index.ts';
import type { UpdateRecorder } from '../history/recorders.ts';
import type { OpenedStack } from '../state/index.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';
import { providerRegistry } from './providers.ts';
import { EngineRecording } from './recording.ts';
import { auditSession, withAuditedStack, withStack } from './stack.ts';

/** Builds the desired graph once the stack (and so its name and what it holds) is known. */
export type DesiredBuilder = (stack: OpenedStack) => DesiredState | Promise<DesiredState>;

/** Which resources, and how many provider calls at once. */
export interface RunOptions {
  /** Only these URNs. */
  targets?: readonly string[];
  /** With targets: also the resources that depend on them. */
  targetDependents?: boolean;
  /** Provider calls in flight at once (default 16). */
  parallel?: number;
}

/**
 * Root outputs that outlive a destroy: the stack's memory (the config and its Lisp text, the
 * deployment history, the audit anchor, the manifest registry; `operationsHistory` in stacks
 * of the Go implementation). Everything else described the resources (kubeconfig, nodes,
 * Salt and ArgoCD credentials) and goes with them.
 */
const STACK_MEMORY_OUTPUTS = ['configJson', 'lispManifest', 'deploymentMeta', 'auditIndex', 'manifestRegistry', 'operationsHistory'] as const;

/** What an apply use case did: `result` is undefined when the plan had nothing to apply. */
export interface ApplyOutcome {
  stack: string;
  plan: Plan;
  result?: OperationResult;
}

export interface RefreshOutcome {
  stack: string;
  result: RefreshResult;
}

/** The manifest registry's follower, loaded only by the use cases that need it (destroy, refresh). */
const followRegistry = async (command: 'destroy' | 'refresh', audit: AuditSession): Promise<UpdateRecorder> =>
  (await import('../history/recorders.ts')).registryFollower(command, audit);

const targetsOf = (o: RunOptions) => ({ targets: o.targets ? [...o.targets] : undefined, targetDependents: o.targetDependents });

/**
 * What a deploy of the graph would change. Takes no lock and writes nothing; a stack that holds
 * no secret is opened without deriving its key (PBKDF2 costs ~0.13 s).
 */
export async function previewGraph(ctx: OpsContext, input: RunOptions & { stack?: string; build: DesiredBuilder }): Promise<Plan> {
  return withStack(
    ctx,
    input.stack,
    async ({ stack }) => {
      const desired = await input.build(stack);
      const registry = await providerRegistry(packageNames(desired, stack.deployment));
      const plan = enginePreview(stack, desired, { registry, ...targetsOf(input) });
      ctx.host.notify({ type: 'plan', plan, apply: false });
      return plan;
    },
    { readOnly: true },
  );
}

export interface DeployGraphInput extends RunOptions {
  stack?: string;
  build: DesiredBuilder;
  /** Recorded with the update. */
  message?: string;
  /** The use case's audit session (default: one named `deploy`). */
  audit?: AuditSession;
  /** What is recorded besides the engine's changes (the cluster's history). */
  recorder?: UpdateRecorder;
  /** After the preview, before confirmation: throw to refuse the run. */
  check?: (plan: Plan, stack: OpenedStack) => Promise<void>;
  /** After the confirmation, before the engine runs (nodes remove drains here); throw to stop with nothing applied. */
  beforeApply?: (plan: Plan, stack: OpenedStack) => Promise<void>;
}

/** Previews, asks, applies. An unchanged graph applies nothing and needs no confirmation. */
export async function deployGraph(ctx: OpsContext, input: DeployGraphInput): Promise<ApplyOutcome> {
  const audit = input.audit ?? engineSession(ctx, 'deploy', 'deployment', 'apply', input.stack);
  return withAuditedStack(ctx, audit, input.stack, async ({ store, stack }) => {
    const desired = await input.build(stack);
    const registry = await providerRegistry(packageNames(desired, stack.deployment));
    const options = { registry, ...targetsOf(input) };
    const plan = enginePreview(stack, desired, options);
    ctx.host.notify({ type: 'plan', plan, apply: true });
    if (!hasChanges(plan) && plan.warnings.length === 0) {
      audit.summary.description = `${audit.command} of stack '${stack.name}': no changes`;
      return { stack: stack.name, plan };
    }
    await input.check?.(plan, stack);
    await confirmOrDecline(ctx, { kind: 'apply', stack: stack.name, plan, question: `Do you want to deploy these changes to stack '${stack.name}'?` }, 'deploy');
    await input.beforeApply?.(plan, stack);
    const recording = new EngineRecording(audit, stack, Boolean(input.targets?.length), input.recorder);
    const result = await runEngine(ctx, 'update', stack.name, (cancellation, onEvent) =>
      engineDeploy(recording.handle(), desired, { ...options, env: store.env, parallel: input.parallel, cancellation, onEvent: recording.tap(onEvent), message: input.message }),
    );
    recording.finished(result, audit.command);
    return { stack: stack.name, plan, result: settled(result) };
  });
}

/** Deletes every resource of the stack (or the targeted ones); the stack keeps its memory. */
export async function destroy(ctx: OpsContext, input: RunOptions & { stack: string }): Promise<ApplyOutcome> {
  const audit = engineSession(ctx, 'destroy', 'deployment', 'delete', input.stack);
  return withAuditedStack(ctx, audit, input.stack, async ({ store, stack }) => {
    const registry = await providerRegistry(packageNames(undefined, stack.deployment));
    const options = { registry, ...targetsOf(input), keepOutputs: STACK_MEMORY_OUTPUTS };
    const plan = previewDestroy(stack, options);
    ctx.host.notify({ type: 'plan', plan, apply: true });
    // A stack that holds only its memory (a root with kept outputs) has nothing to destroy.
    const onlyMemory = stack.deployment.resources.every((r) => r.type === 'pulumi:pulumi:Stack' && Object.keys(r.outputs ?? {}).length > 0);
    if (!hasChanges(plan) && plan.warnings.length === 0 && onlyMemory) {
      audit.summary.description = `destroy of stack '${stack.name}': nothing to destroy`;
      return { stack: stack.name, plan };
    }
    const n = plan.counts.delete;
    await confirmOrDecline(ctx, { kind: 'destroy', stack: stack.name, plan, question: `Do you want to destroy ${n} resource${n === 1 ? '' : 's'} of stack '${stack.name}'? This cannot be undone.` }, 'destroy');
    const recording = new EngineRecording(audit, stack, Boolean(input.targets?.length), await followRegistry('destroy', audit));
    const result = await runEngine(ctx, 'destroy', stack.name, (cancellation, onEvent) =>
      engineDestroy(recording.handle(), { ...options, env: store.env, parallel: input.parallel, cancellation, onEvent: recording.tap(onEvent) }),
    );
    recording.finished(result, 'destroy');
    return { stack: stack.name, plan, result: settled(result) };
  });
}

export interface RefreshStackInput extends RunOptions {
  stack?: string;
  /** Fail, and store nothing read, when anything drifted. */
  expectNoChanges?: boolean;
  /** First look up in the clouds what this graph describes and the stack does not track (by URN tag), and record what is found. */
  adopt?: (stack: OpenedStack) => Adoption | Promise<Adoption>;
}

/** Reads every resource back: drift is shown, vanished resources are dropped. */
export async function refreshStack(ctx: OpsContext, input: RefreshStackInput): Promise<RefreshOutcome> {
  const audit = engineSession(ctx, 'refresh', 'state', 'refresh', input.stack);
  return withAuditedStack(ctx, audit, input.stack, async ({ store, stack }) => {
    const adopt = input.adopt ? await input.adopt(stack) : undefined;
    const registry = await providerRegistry(packageNames(adopt && adoptionGraph(adopt), stack.deployment));
    const recording = new EngineRecording(audit, stack, Boolean(input.targets?.length), await followRegistry('refresh', audit));
    const result = await runEngine(ctx, 'refresh', stack.name, (cancellation, onEvent) =>
      engineRefresh(recording.handle(), {
        registry,
        env: store.env,
        parallel: input.parallel,
        ...targetsOf(input),
        expectNoChanges: input.expectNoChanges,
        adopt,
        cancellation,
        onEvent: recording.tap(onEvent),
      }),
    );
    recording.finished(result, 'refresh');
    audit.summary.metadata = {
      ...audit.summary.metadata,
      drifted: String(result.drifted),
      gone: String(result.gone),
      ...(adopt ? { adopted: String(result.adopted.length), notFound: String(result.notFound.length) } : {}),
    };
    if (input.expectNoChanges && result.drifted + result.gone > 0) throw new OpsError('drifted', `${result.drifted + result.gone} resource(s) drifted from the stack`);
    settled(result);
    return { stack: stack.name, result };
  });
}

function engineSession(ctx: OpsContext, command: string, type: 'deployment' | 'state', action: 'apply' | 'delete' | 'refresh', stack: string | undefined): AuditSession {
  return auditSession(ctx, command, { type, action, resourceId: stack ?? '', resourceType: 'stack', description: `${command} of stack '${stack ?? ''}'` });
}

/** Asks the host; a no ends the use case with nothing changed. */
export async function confirmOrDecline(ctx: OpsContext, request: Parameters<OpsContext['host']['confirm']>[0], what: string): Promise<void> {
  if (!(await ctx.host.confirm(request))) throw new OpsError('declined', `${what} cancelled; nothing was changed`);
}

/**
 * Runs an engine operation with the context's signals wired to its cancellation (stop: no new
 * step starts; abort: running steps are aborted) and its events passed to the host.
 */
async function runEngine<T>(ctx: OpsContext, kind: OperationKind, stack: string, body: (cancellation: Cancellation, onEvent: (e: EngineEvent) => void) => Promise<T>): Promise<T> {
  const cancellation = new Cancellation();
  const stop = (): void => {
    if (!cancellation.stopping) cancellation.request();
  };
  const abort = (): void => {
    while (!cancellation.aborted) cancellation.request();
  };
  ctx.host.notify({ type: 'run', kind, stack });
  ctx.signal?.addEventListener('abort', stop);
  ctx.abortSignal?.addEventListener('abort', abort);
  if (ctx.signal?.aborted) stop();
  if (ctx.abortSignal?.aborted) abort();
  try {
    return await body(cancellation, (e) => ctx.host.notify(e));
  } finally {
    ctx.signal?.removeEventListener('abort', stop);
    ctx.abortSignal?.removeEventListener('abort', abort);
  }
}

/** The result of a run that succeeded; a failed or cancelled run is an error whose story the events told. */
function settled<T extends OperationResult>(result: T): T {
  if (result.result === 'failed') throw new OpsError('failed', 'the operation failed');
  if (result.result === 'cancelled') throw new OpsError('cancelled', 'the operation was cancelled');
  return result;
}
