// The engine's entry points: preview (no lock, writes nothing), deploy, refresh and destroy
// (each under the stack's lock, journaled, finished with a history entry).
import type { StackHandle, StackUpdate, UpdateKind } from '../state/types.ts';
import type { ProviderRegistry } from './provider.ts';
import type { DesiredState } from './model.ts';
import { checkProviders, planDestroy, planUpdate, resolveTargets } from './plan.ts';
import type { Plan, PlanOptions } from './plan.ts';
import { applyDestroy, applyUpdate, rootState } from './apply.ts';
import { resolvePending } from './recover.ts';
import { runPreflight } from './preflight.ts';
import { readAll, readableCopies } from './refresh.ts';
import { adopt as adoptGraph, adoptionGraph, adoptionLookups } from './adopt.ts';
import type { Adoption, NotFound } from './adopt.ts';
import { appliedRootOutputs, keptOutputs, managesOutputs } from './outputs.ts';
import { Run } from './run.ts';
import type { EngineOptions, OperationResult } from './run.ts';
import type { OperationKind } from './events.ts';
import { EngineError } from './errors.ts';
import { redact, valuesEqual } from './values.ts';
import { rootStackUrn } from './urn.ts';

export type DeployOptions = EngineOptions & PlanOptions;

/** What a deploy would do. Takes no lock and writes nothing. */
export function preview(stack: Pick<StackHandle, 'deployment'>, desired: DesiredState, options: Pick<EngineOptions, 'registry'> & PlanOptions): Plan {
  return planUpdate(desired, stack.deployment, options.registry, options);
}

/** What a destroy would do. Takes no lock and writes nothing. */
export function previewDestroy(stack: Pick<StackHandle, 'deployment' | 'name'>, options: PlanOptions & { registry?: ProviderRegistry; keepOutputs?: readonly string[] } = {}): Plan {
  return planDestroy(stack.name, stack.deployment, options);
}

export interface DeployResult extends OperationResult {
  plan: Plan;
}

export async function deploy(stack: StackHandle, desired: DesiredState, options: DeployOptions): Promise<DeployResult> {
  if (desired.stack !== stack.name) throw new EngineError(`the desired graph is for stack '${desired.stack}', not '${stack.name}'`);
  return withUpdate(stack, 'update', 'update', options, async (run) => {
    await resolvePending(run);
    const plan = planUpdate(desired, { manifest: { time: '', magic: '', version: '' }, resources: [...run.view.all()], pendingOperations: [] }, options.registry, options);
    const unchecked = await runPreflight(run, plan, desired);
    run.total = plan.counts.create + plan.counts.update + plan.counts.replace + plan.counts.delete;
    start(run, 'update');
    for (const w of [...unchecked.map((u) => `pre-flight could not check: ${u}`), ...plan.warnings]) run.emit({ type: 'diagnostic', severity: 'warning', message: w });
    const rootUrn = rootStackUrn(stack.name);
    const root = rootState(run, rootUrn, undefined);
    // Not awaited: the journal keeps order, so any later record that is durable implies this
    // one is; a failure stops the run through the journal.
    if (root) run.journal.write([{ op: 'put', resource: root }]).catch(() => undefined);
    await applyUpdate(run, plan);
    const ok = run.failures.length === 0 && !run.stopping();
    if (ok && managesOutputs(desired) && !(options.targets?.length)) await storeRootOutputs(run, rootUrn, desired);
    const outputs = run.view.live.get(rootUrn)?.outputs ?? {};
    if (Object.keys(outputs).length > 0) run.emit({ type: 'outputs', outputs: redact(outputs) as Record<string, unknown> });
    return { plan };
  });
}

/** Writes the root outputs of a complete run, when they differ from the stored ones. */
async function storeRootOutputs(run: Run, rootUrn: string, desired: DesiredState): Promise<void> {
  const current = run.view.live.get(rootUrn);
  const outputs = appliedRootOutputs(desired, current?.outputs, [...run.view.all()]);
  if (!current || !valuesEqual(current.outputs ?? {}, outputs)) {
    await run.journal.write([{ op: 'put', resource: rootState(run, rootUrn, outputs)! }]);
  }
}

export interface DestroyOptions extends EngineOptions, PlanOptions {
  /**
   * Root stack outputs that outlive the resources (the stack's memory: its configuration,
   * history, audit anchor). After a complete, untargeted destroy every other output is
   * dropped, and the root stack resource too when none of these is left. Default: none.
   */
  keepOutputs?: readonly string[];
}

export async function destroy(stack: StackHandle, options: DestroyOptions): Promise<DeployResult> {
  return withUpdate(stack, 'destroy', 'destroy', options, async (run) => {
    await resolvePending(run);
    const plan = planDestroy(stack.name, { manifest: { time: '', magic: '', version: '' }, resources: [...run.view.all()], pendingOperations: [] }, { ...options, registry: options.registry });
    run.total = plan.counts.delete;
    start(run, 'destroy');
    await applyDestroy(run, plan);
    const rootUrn = rootStackUrn(stack.name);
    const ok = run.failures.length === 0 && !run.stopping();
    // What outlives the resources is the stack's memory (keepOutputs); outputs that described
    // them (addresses, credentials of machines that no longer exist) go with them, and so does
    // the root stack resource when nothing is left to remember.
    const root = run.view.live.get(rootUrn);
    if (ok && !options.targets?.length && root && [...run.view.all()].length === 1) {
      const kept = keptOutputs(root.outputs ?? {}, options.keepOutputs ?? []);
      if (Object.keys(kept).length === 0) await run.journal.write([{ op: 'remove', urn: rootUrn }]);
      else if (!valuesEqual(root.outputs ?? {}, kept)) await run.journal.write([{ op: 'put', resource: rootState(run, rootUrn, kept)! }]);
    }
    return { plan };
  });
}

export interface RefreshOptions extends EngineOptions {
  targets?: readonly string[];
  /** With targets: also read the resources that depend on them. */
  targetDependents?: boolean;
  /** Fail, and store nothing read, when anything drifted. */
  expectNoChanges?: boolean;
  /**
   * Adopt first: every resource of this graph the stack does not track is looked up in its
   * cloud by its URN tag and recorded when found (a stack rebuilt from what exists), possibly
   * in two stages (StagedAdoption). After a complete run the root outputs are stored as a
   * deploy of the (last) graph would store them.
   */
  adopt?: Adoption;
}

export interface RefreshResult extends OperationResult {
  drifted: number;
  gone: number;
  /** With `adopt`: the resources found in the cloud and recorded. */
  adopted: string[];
  /** With `adopt`: the resources not found (the next deploy creates them). */
  notFound: NotFound[];
}

export async function refresh(stack: StackHandle, options: RefreshOptions): Promise<RefreshResult> {
  const adopt = options.adopt;
  if (adopt && (options.targets?.length || options.expectNoChanges)) {
    throw new EngineError(`adopting resources into the stack cannot be combined with ${options.targets?.length ? 'targets' : '--expect-no-changes'}`, {
      hint: 'Adoption records what it finds; run it on its own, then refresh with the other options.',
    });
  }
  const r = await withUpdate(stack, 'refresh', 'refresh', options, async (run) => {
    await resolvePending(run);
    const targeted = resolveTargets({ targets: options.targets, targetDependents: options.targetDependents }, undefined, run.view);
    checkProviders(options.registry, [...run.view.all()].filter((r) => !targeted || targeted.has(r.urn)));
    const lookups = adopt ? adoptionLookups(run, adoptionGraph(adopt)) : 0;
    run.total = lookups + readableCopies(run, targeted).length;
    start(run, 'refresh');
    const adopted = adopt ? await adoptGraph(run, adopt) : undefined;
    if (adopted && adopted.notFound.length > 0) run.emit({ type: 'diagnostic', severity: 'warning', message: notFoundMessage(adopted.notFound) });
    const outcome = await readAll(run, targeted, lookups);
    const drift = outcome.drifted + outcome.gone > 0;
    if (!(options.expectNoChanges && drift) && outcome.records.length > 0) await run.journal.write(outcome.records, { applied: true });
    if (options.expectNoChanges && drift) {
      run.errors.push(`${outcome.drifted + outcome.gone} resource(s) drifted from the stack (--expect-no-changes); nothing read was stored`);
    }
    if (adopted && managesOutputs(adopted.desired) && run.failures.length === 0 && !run.stopping()) await storeRootOutputs(run, rootStackUrn(stack.name), adopted.desired);
    return { drifted: outcome.drifted, gone: outcome.gone, adopted: adopted?.adopted ?? [], notFound: adopted?.notFound ?? [] };
  });
  return r;
}

function notFoundMessage(notFound: readonly NotFound[]): string {
  const shown = notFound.slice(0, 20).map((n) => `  ${n.urn}${n.reason ? ` (not looked up: ${n.reason})` : ''}`);
  if (notFound.length > shown.length) shown.push(`  … and ${notFound.length - shown.length} more`);
  return `${notFound.length} resource${notFound.length === 1 ? '' : 's'} of the configuration ${notFound.length === 1 ? 'was' : 'were'} not found in the cloud; the next deploy creates ${notFound.length === 1 ? 'it' : 'them'}:\n${shown.join('\n')}`;
}

function start(run: Run, kind: OperationKind): void {
  run.emit({ type: 'start', kind, stack: run.stack, total: run.total, parallel: run.slots.capacity });
}

async function withUpdate<T extends object>(stack: StackHandle, updateKind: UpdateKind, kind: OperationKind, options: EngineOptions, body: (run: Run) => Promise<T>): Promise<OperationResult & T> {
  const update: StackUpdate = await stack.beginUpdate(updateKind, options.message);
  let run: Run;
  try {
    run = new Run(kind, stack.name, update, options);
  } catch (err) {
    await update.abandon();
    throw err;
  }
  let extra: T;
  try {
    extra = await body(run);
    await run.journal.settled();
  } catch (err) {
    // Whatever was recorded stays; close the update so the lock is released.
    await run.journal.settled();
    await update.finish({ result: 'failed', resourceChanges: run.changes }).catch(() => update.abandon());
    throw err;
  }
  const result = run.result();
  const failure = run.journal.failure;
  if (failure) {
    await update.abandon();
    throw failure;
  }
  await update.finish({ result: result.result === 'succeeded' ? 'succeeded' : 'failed', resourceChanges: result.changes });
  run.emit({ type: 'summary', kind, result: result.result, changes: result.changes, failures: result.failures, errors: result.errors, elapsedMs: result.elapsedMs });
  return { ...result, ...extra };
}
