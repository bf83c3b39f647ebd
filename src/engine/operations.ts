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
import { readAll } from './refresh.ts';
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
export function previewDestroy(stack: Pick<StackHandle, 'deployment' | 'name'>, options: PlanOptions & { registry?: ProviderRegistry } = {}): Plan {
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
    await runPreflight(run, plan, desired);
    run.total = plan.counts.create + plan.counts.update + plan.counts.replace + plan.counts.delete;
    start(run, 'update');
    for (const w of plan.warnings) run.emit({ type: 'diagnostic', severity: 'warning', message: w });
    const rootUrn = rootStackUrn(stack.name);
    const root = rootState(run, rootUrn, undefined);
    // Not awaited: the journal keeps order, so any later record that is durable implies this
    // one is; a failure stops the run through the journal.
    if (root) run.journal.write([{ op: 'put', resource: root }]).catch(() => undefined);
    await applyUpdate(run, plan);
    const ok = run.failures.length === 0 && !run.stopping();
    if (ok && (desired.stackOutputs !== undefined || desired.computeOutputs) && !(options.targets?.length)) {
      const current = run.view.live.get(rootUrn);
      const given = desired.stackOutputs ?? current?.outputs ?? {};
      const outputs = desired.computeOutputs ? { ...given, ...desired.computeOutputs([...run.view.all()]) } : given;
      if (!current || !valuesEqual(current.outputs ?? {}, outputs)) {
        await run.journal.write([{ op: 'put', resource: rootState(run, rootUrn, outputs)! }]);
      }
    }
    const outputs = run.view.live.get(rootUrn)?.outputs ?? {};
    if (Object.keys(outputs).length > 0) run.emit({ type: 'outputs', outputs: redact(outputs) as Record<string, unknown> });
    return { plan };
  });
}

export async function destroy(stack: StackHandle, options: EngineOptions & PlanOptions): Promise<DeployResult> {
  return withUpdate(stack, 'destroy', 'destroy', options, async (run) => {
    await resolvePending(run);
    const plan = planDestroy(stack.name, { manifest: { time: '', magic: '', version: '' }, resources: [...run.view.all()], pendingOperations: [] }, { ...options, registry: options.registry });
    run.total = plan.counts.delete;
    start(run, 'destroy');
    await applyDestroy(run, plan);
    const rootUrn = rootStackUrn(stack.name);
    const ok = run.failures.length === 0 && !run.stopping();
    // The root stack resource goes with the last resource, unless it holds outputs: those
    // are the stack's memory (the config, the Lisp text, the deployment history) and stay
    // until `stacks delete`, so a destroyed cluster can be traced and recreated.
    const root = run.view.live.get(rootUrn);
    if (ok && !options.targets?.length && root && [...run.view.all()].length === 1 && Object.keys(root.outputs ?? {}).length === 0) {
      await run.journal.write([{ op: 'remove', urn: rootUrn }]);
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
}

export interface RefreshResult extends OperationResult {
  drifted: number;
  gone: number;
}

export async function refresh(stack: StackHandle, options: RefreshOptions): Promise<RefreshResult> {
  const r = await withUpdate(stack, 'refresh', 'refresh', options, async (run) => {
    await resolvePending(run);
    const targeted = resolveTargets({ targets: options.targets, targetDependents: options.targetDependents }, undefined, run.view);
    checkProviders(options.registry, [...run.view.all()].filter((r) => !targeted || targeted.has(r.urn)));
    start(run, 'refresh');
    const outcome = await readAll(run, targeted);
    const drift = outcome.drifted + outcome.gone > 0;
    if (!(options.expectNoChanges && drift) && outcome.records.length > 0) await run.journal.write(outcome.records, { applied: true });
    if (options.expectNoChanges && drift) {
      run.errors.push(`${outcome.drifted + outcome.gone} resource(s) drifted from the stack (--expect-no-changes); nothing read was stored`);
    }
    return { drifted: outcome.drifted, gone: outcome.gone };
  });
  return r;
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
