// The whole flow of the engine commands (preview, deploy, refresh, destroy): open the stack,
// preview, confirm, run the engine with Ctrl-C wired to cancellation, render the events, and
// turn the outcome into an exit code. preview/deploy take the desired graph as an argument
// (the config loader and cluster planner build it); refresh/destroy need none.
import type { ProviderPackage } from '../engine/index.ts';
import { Cancellation, deploy, destroy, hasChanges, packageNames, preview, previewDestroy, ProviderRegistry, refresh } from '../engine/index.ts';
import type { DesiredState, EngineEvent, Plan } from '../engine/index.ts';
import type { OpenedStack } from '../state/index.ts';
import { CliError } from './errors.ts';
import { interactive } from './io.ts';
import type { CliIO } from './io.ts';
import { confirm } from './prompt.ts';
import { openStackForCommand } from './stack-context.ts';
import { createRenderer, planJson, planText, renderMode } from './render/index.ts';
import { AuditSession } from './audit/session.ts';
import { EngineRecording, withAuditedStack, type EngineRecorder } from './audit/engine.ts';

/** A cloud the planner maps but whose provider package is not written yet: preview works, deploy refuses. */
const pendingCloud = (name: string) => () =>
  import('../cluster/index.ts').then((m) => m.pendingCloudPackages().find((p) => p.name === name)!);

/**
 * Provider packages the CLI knows, loaded only when a stack or a graph uses them (start-up
 * stays fast). A provider folder replaces its pending entry, e.g.
 *   aws: () => import('../providers/aws/index.ts').then((m) => m.provider),
 */
const BUILTIN_PROVIDERS: Record<string, () => Promise<ProviderPackage>> = {
  sloth: () => import('../cluster/index.ts').then((m) => m.slothPackage),
  aws: () => import('../providers/aws/index.ts').then((m) => m.provider),
  digitalocean: () => import('../providers/digitalocean/index.ts').then((m) => m.provider),
  linode: pendingCloud('linode'),
  hcloud: pendingCloud('hcloud'),
};
const extraProviders = new Map<string, () => Promise<ProviderPackage> | ProviderPackage>();

/** Adds a provider package (tests register the test provider this way). */
export function registerProviderPackage(name: string, load: () => Promise<ProviderPackage> | ProviderPackage): () => void {
  extraProviders.set(name, load);
  return () => extraProviders.delete(name);
}

/** A registry holding the known packages among `names` (unknown ones are reported by the engine). */
export async function providerRegistry(names: Iterable<string>): Promise<ProviderRegistry> {
  const registry = new ProviderRegistry();
  for (const name of new Set(names)) {
    const load = extraProviders.get(name) ?? BUILTIN_PROVIDERS[name];
    if (load) registry.register(await load());
  }
  return registry;
}

/** The manifest registry's follower (loaded only by the commands that use it: destroy, refresh). */
const followRegistry = async (command: 'destroy' | 'refresh', audit: AuditSession): Promise<EngineRecorder> =>
  (await import('./manifests/engine.ts')).registryFollower(command, audit);

/** Where Ctrl-C comes from: the process, or a stand-in in tests. */
export interface InterruptSource {
  on(event: 'SIGINT', listener: () => void): unknown;
  off(event: 'SIGINT', listener: () => void): unknown;
}

export interface CommonFlags {
  json?: boolean;
  /** Show info-level diagnostics (provider and remote-step log lines) and every retry. */
  verbose?: boolean;
  passwordStdin?: boolean;
  target?: string[];
  targetDependents?: boolean;
  parallel?: number;
}

export interface DeployFlags extends CommonFlags {
  yes?: boolean;
  diff?: boolean;
  dryRun?: boolean;
  message?: string;
}

export interface RefreshFlags extends CommonFlags {
  expectNoChanges?: boolean;
}

export interface RunDeps {
  interrupts?: InterruptSource;
  /** Overrides the registry built from the known packages. */
  registry?: ProviderRegistry;
  /** The command's audit session (default: one named after the engine command). */
  audit?: AuditSession;
  /** History recording of a cluster deploy (metadata, snapshot, manifests). */
  recorder?: EngineRecorder;
}

function session(io: CliIO, deps: RunDeps, command: string, type: 'deployment' | 'state', action: 'apply' | 'delete' | 'refresh', stack: string | undefined): AuditSession {
  return deps.audit ?? new AuditSession(io, command, { type, action, resourceId: stack ?? '', resourceType: 'stack', description: `${command} of stack '${stack ?? ''}'` });
}

/**
 * Root outputs that outlive a destroy: the stack's memory (the config and its Lisp text, the
 * deployment history, the audit anchor, the manifest registry; `operationsHistory` in stacks
 * of the Go implementation). Everything else described the resources (kubeconfig, nodes,
 * Salt and ArgoCD credentials) and goes with them.
 */
export const STACK_MEMORY_OUTPUTS = ['configJson', 'lispManifest', 'deploymentMeta', 'auditIndex', 'manifestRegistry', 'operationsHistory'] as const;

/** Builds the desired graph once the stack (and so its name) is known. */
export type DesiredBuilder = (stack: OpenedStack) => DesiredState | Promise<DesiredState>;

export async function runPreview(io: CliIO, stackName: string | undefined, flags: DeployFlags, build: DesiredBuilder, deps: RunDeps = {}): Promise<void> {
  // A stack that holds no secret is previewed without deriving its key (PBKDF2 costs ~0.13 s).
  const { store, stack } = await openStackForCommand(io, stackName, { passwordStdin: flags.passwordStdin, readOnly: true });
  try {
    const desired = await build(stack);
    const registry = deps.registry ?? (await providerRegistry(packageNames(desired, stack.deployment)));
    const plan = preview(stack, desired, { registry, targets: flags.target, targetDependents: flags.targetDependents });
    writePlan(io, plan, flags, false);
  } finally {
    store.close();
  }
}

export async function runDeploy(io: CliIO, stackName: string | undefined, flags: DeployFlags, build: DesiredBuilder, deps: RunDeps = {}): Promise<void> {
  const audit = session(io, deps, 'deploy', 'deployment', 'apply', stackName);
  await withAuditedStack(io, audit, stackName, { passwordStdin: flags.passwordStdin }, async (store, stack) => {
    const desired = await build(stack);
    const registry = deps.registry ?? (await providerRegistry(packageNames(desired, stack.deployment)));
    const options = { registry, targets: flags.target, targetDependents: flags.targetDependents };
    const plan = preview(stack, desired, options);
    writePlan(io, plan, flags, true);
    if (flags.dryRun) return;
    if (!hasChanges(plan) && plan.warnings.length === 0) {
      audit.summary.description = `${audit.command} of stack '${stack.name}': no changes`;
      return;
    }
    await deps.recorder?.checkPlan?.(plan, stack);
    await confirmOrRefuse(io, flags, `Do you want to deploy these changes to stack '${stack.name}'?`, 'deploy');
    const recording = new EngineRecording(audit, stack, Boolean(flags.target?.length), deps.recorder);
    const result = await withInterrupts(io, flags, deps, (cancellation, onEvent) =>
      deploy(recording.handle(), desired, { ...options, env: store.env, parallel: flags.parallel, cancellation, onEvent: recording.tap(onEvent), message: flags.message }),
    );
    recording.finished(result, audit.command);
    exitFor(result.result);
  });
}

export async function runDestroy(io: CliIO, stackName: string | undefined, flags: DeployFlags, deps: RunDeps = {}): Promise<void> {
  const audit = session(io, deps, 'destroy', 'deployment', 'delete', stackName);
  await withAuditedStack(io, audit, stackName, { passwordStdin: flags.passwordStdin }, async (store, stack) => {
    const registry = deps.registry ?? (await providerRegistry(packageNames(undefined, stack.deployment)));
    const options = { registry, targets: flags.target, targetDependents: flags.targetDependents, keepOutputs: STACK_MEMORY_OUTPUTS };
    const plan = previewDestroy(stack, options);
    writePlan(io, plan, flags, true);
    // A stack that holds only its memory (a root with kept outputs) has nothing to destroy.
    const onlyMemory = stack.deployment.resources.every((r) => r.type === 'pulumi:pulumi:Stack' && Object.keys(r.outputs ?? {}).length > 0);
    if (!hasChanges(plan) && plan.warnings.length === 0 && onlyMemory) {
      audit.summary.description = `destroy of stack '${stack.name}': nothing to destroy`;
      return;
    }
    await confirmOrRefuse(io, flags, `Do you want to destroy ${plan.counts.delete} resource${plan.counts.delete === 1 ? '' : 's'} of stack '${stack.name}'? This cannot be undone.`, 'destroy');
    const recording = new EngineRecording(audit, stack, Boolean(flags.target?.length), deps.recorder ?? (await followRegistry('destroy', audit)));
    const result = await withInterrupts(io, flags, deps, (cancellation, onEvent) =>
      destroy(recording.handle(), { ...options, env: store.env, parallel: flags.parallel, cancellation, onEvent: recording.tap(onEvent) }),
    );
    recording.finished(result, 'destroy');
    exitFor(result.result);
  });
}

/**
 * Refresh; with `build` (refresh --config), the config's resources the stack does not track
 * are first looked up in their clouds by their URN tags and recorded when found.
 */
export async function runRefresh(io: CliIO, stackName: string | undefined, flags: RefreshFlags, deps: RunDeps = {}, build?: DesiredBuilder): Promise<void> {
  const audit = session(io, deps, 'refresh', 'state', 'refresh', stackName);
  await withAuditedStack(io, audit, stackName, { passwordStdin: flags.passwordStdin }, async (store, stack) => {
    const adopt = build ? await build(stack) : undefined;
    const registry = deps.registry ?? (await providerRegistry(packageNames(adopt, stack.deployment)));
    const recording = new EngineRecording(audit, stack, Boolean(flags.target?.length), deps.recorder ?? (await followRegistry('refresh', audit)));
    const result = await withInterrupts(io, flags, deps, (cancellation, onEvent) =>
      refresh(recording.handle(), {
        registry,
        env: store.env,
        parallel: flags.parallel,
        targets: flags.target,
        targetDependents: flags.targetDependents,
        expectNoChanges: flags.expectNoChanges,
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
    if (flags.expectNoChanges && result.drifted + result.gone > 0) {
      throw new CliError(`${result.drifted + result.gone} resource(s) drifted from the stack`, { display: '', exitCode: 1 });
    }
    exitFor(result.result);
  });
}

function writePlan(io: CliIO, plan: Plan, flags: DeployFlags, willApply: boolean): void {
  if (flags.json) {
    // A preview prints one JSON document; a deploy streams JSON lines, the plan first.
    io.stdout.write(willApply && !flags.dryRun ? `${JSON.stringify({ type: 'plan', ...planJson(plan) })}\n` : `${JSON.stringify(planJson(plan), null, 2)}\n`);
  } else {
    io.stdout.write(planText(plan, { diff: flags.diff }));
  }
}

async function confirmOrRefuse(io: CliIO, flags: DeployFlags, question: string, what: string): Promise<void> {
  if (flags.yes) return;
  if (!interactive(io) || flags.passwordStdin) {
    throw new CliError(`refusing to ${what} without confirmation: there is no terminal to ask on`, {
      hint: `Review the plan above, then run again with --yes${what === 'deploy' ? ' (or --auto-approve)' : ''}.`,
      exitCode: 1,
    });
  }
  io.stderr.write('\n');
  if (!(await confirm(io, question))) throw new CliError(`${what} cancelled; nothing was changed`, { exitCode: 1 });
}

async function withInterrupts<T>(io: CliIO, flags: CommonFlags, deps: RunDeps, body: (cancellation: Cancellation, onEvent: (e: EngineEvent) => void) => Promise<T>): Promise<T> {
  const interrupts = deps.interrupts ?? process;
  const cancellation = new Cancellation();
  const onSigint = (): void => {
    cancellation.request();
  };
  interrupts.on('SIGINT', onSigint);
  const renderer = createRenderer(io, renderMode(io, flags.json), { verbose: flags.verbose });
  try {
    return await body(cancellation, (e) => renderer.onEvent(e));
  } finally {
    renderer.close();
    interrupts.off('SIGINT', onSigint);
  }
}

function exitFor(result: 'succeeded' | 'failed' | 'cancelled'): void {
  // The summary has already said what happened; only the exit code is left to set.
  if (result === 'failed') throw new CliError('the operation failed', { display: '', exitCode: 1 });
  if (result === 'cancelled') throw new CliError('the operation was cancelled', { display: '', exitCode: 130 });
}
