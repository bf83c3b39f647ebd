// Carries out a plan. Every desired resource is converged once its dependencies are done
// (re-deciding with real values); deletions (removed resources, old halves of replacements)
// run in reverse dependency order, each after the resources that referred to the doomed
// object have moved off it. Every step is journaled: intent before a cloud call, result
// after, durable before any dependent starts.
import type { JournalRecord, PropertyMap, ResourceState } from '../state/types.ts';
import type { Plan, PlannedStep } from './plan.ts';
import { typeFor } from './plan.ts';
import type { DesiredIndex } from './graph.ts';
import type { StepRef } from './events.ts';
import type { ResourceType } from './provider.ts';
import { buildState, decide, secureOutputs, withSecrets } from './decide.ts';
import { propertyChanges, mapChanges } from './diff.ts';
import { NotStarted, runGraph } from './scheduler.ts';
import type { Task } from './scheduler.ts';
import { isCustomResource, newProviderId, timeoutSeconds } from './run.ts';
import type { Run } from './run.ts';
import { detachRecords, stateDeps } from './view.ts';
import { EngineError, StepError, errorMessage } from './errors.ts';
import { containsUnknown, revealMap, resolveInputs } from './values.ts';
import { formatProviderRef, isProviderType, parseUrn, ROOT_STACK_TYPE } from './urn.ts';

const A = (urn: string): string => `A ${urn}`;
const DL = (urn: string): string => `DL ${urn}`;
const DO = (urn: string): string => `DO ${urn}`;

interface DeleteNode {
  urn: string;
  /** Delete the live copy (removal, or first half of a delete-before-replace). */
  live: boolean;
  /** Count as a deletion in the summary (not when it is part of a replacement). */
  counted: boolean;
  /** Copies whose references decide this node's order. */
  copies: ResourceState[];
  /** Old copies: this run creates the replacement first, so wait for it. */
  afterCreate?: boolean;
}

/** Runs the steps of an update plan. */
export async function applyUpdate(run: Run, plan: Plan): Promise<void> {
  const index = plan.index!;
  const tasks = new Map<string, Task>();
  const planned = new Map<string, PlannedStep>();
  for (const s of plan.steps) if (s.op !== 'delete') planned.set(s.urn, s);
  const deleteNodes = new Map<string, DeleteNode>();
  const preexistingOld = new Set<ResourceState>();
  for (const list of run.view.oldCopies.values()) for (const r of list) preexistingOld.add(r);

  for (const s of plan.steps) {
    const live = run.view.live.get(s.urn);
    if (s.op === 'delete' && !s.replacedCopy && live) deleteNodes.set(DL(s.urn), { urn: s.urn, live: true, counted: true, copies: [live] });
    if (s.op === 'replace' && s.deleteBeforeReplace && live) deleteNodes.set(DL(s.urn), { urn: s.urn, live: true, counted: false, copies: [live] });
    const old = run.view.oldCopies.get(s.urn) ?? [];
    const createBeforeDelete = s.op === 'replace' && !s.deleteBeforeReplace;
    if (old.length > 0 || createBeforeDelete) {
      deleteNodes.set(DO(s.urn), { urn: s.urn, live: false, counted: true, copies: [...old, ...(createBeforeDelete && live ? [live] : [])], afterCreate: createBeforeDelete });
    }
  }

  for (const urn of index.order) {
    const step = planned.get(urn);
    if (!step) continue;
    const node = index.nodes.get(urn)!;
    const deps = node.deps.filter((d) => planned.has(d)).map(A);
    if (step.op === 'replace' && step.deleteBeforeReplace && deleteNodes.has(DL(urn))) deps.push(DL(urn));
    tasks.set(A(urn), { id: A(urn), deps, weight: step.op === 'same' ? 0 : 1, run: (p) => converge(run, index, step, p, deleteNodes.get(DO(urn))?.afterCreate === true) });
  }

  // Who refers to each URN: delete nodes of copies that refer to it, and desired resources
  // whose stored copy refers to it (they must move off it before it goes).
  const refDeleteNodes = new Map<string, string[]>();
  for (const [id, d] of deleteNodes) {
    for (const c of d.copies) for (const dep of stateDeps(c)) push(refDeleteNodes, dep, id);
  }
  const refDesired = new Map<string, string[]>();
  for (const urn of planned.keys()) {
    const live = run.view.live.get(urn);
    if (live) for (const dep of stateDeps(live)) push(refDesired, dep, A(urn));
  }
  for (const [id, d] of deleteNodes) {
    const deps = new Set<string>();
    for (const other of refDeleteNodes.get(d.urn) ?? []) if (other !== id) deps.add(other);
    const dbr = d.live && !d.counted;
    if (!dbr) for (const a of refDesired.get(d.urn) ?? []) if (a !== A(d.urn)) deps.add(a);
    if (!d.live) {
      if (d.afterCreate && tasks.has(A(d.urn))) deps.add(A(d.urn));
      if (deleteNodes.has(DL(d.urn))) deps.add(DL(d.urn));
    }
    tasks.set(id, {
      id,
      deps: [...deps],
      weight: 1,
      run: (p) => (d.live ? deleteLive(run, d, p) : deleteOld(run, d, p, preexistingOld)),
    });
  }

  const outcome = await runGraph(tasks, {
    stopping: () => run.stopping(),
    onSkip: (id, blockedBy) => {
      const urn = id.slice(id.indexOf(' ') + 1);
      const step = planned.get(urn);
      run.emit({
        type: 'step-skipped',
        step: { urn, type: step?.type ?? parseUrn(urn).type, name: parseUrn(urn).name, op: step?.op ?? 'delete' },
        reason: `${blockedBy.slice(blockedBy.indexOf(' ') + 1)} did not complete`,
      });
    },
  });
  for (const [, err] of outcome.failed) if (err instanceof EngineError && !(err instanceof StepError)) reportInternal(run, err);
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function reportInternal(run: Run, err: EngineError): void {
  if (!run.failures.some((f) => f.error === err.message)) run.emit({ type: 'diagnostic', severity: 'error', message: err.message });
}

function ref(urn: string, type: string, op: StepRef['op'], extra: Partial<StepRef> = {}): StepRef {
  return { urn, type, name: parseUrn(urn).name, op, ...extra };
}

async function converge(run: Run, index: DesiredIndex, planned: PlannedStep, priority: number, hasOldNode: boolean): Promise<void> {
  const urn = planned.urn;
  const node = index.nodes.get(urn)!;
  const spec = node.spec;
  const old = run.view.live.get(urn);
  const type = typeFor(run.registry, spec);
  const inputs = withSecrets(spec, resolveInputs(spec.inputs, (u) => run.view.live.get(u)?.outputs));
  if (containsUnknown(inputs)) {
    const err = new EngineError(`${urn}: an input refers to a resource output that does not exist`);
    const step = ref(urn, spec.type, 'create');
    run.stepFailed(step, performance.now(), err);
    throw err;
  }
  const providerRef = spec.provider ? formatProviderRef(spec.provider, run.view.live.get(spec.provider)?.id) : undefined;
  const decision = decide(spec, old, inputs, type, providerRef, node, index.rootUrn);
  const now = new Date().toISOString();
  const wasDeletedFirst = planned.op === 'replace' && planned.deleteBeforeReplace === true && !old;
  const countAs = wasDeletedFirst ? 'replace' : decision.op;

  if (decision.op === 'same') {
    if (decision.metadataOnly && old) {
      await run.journal.write([{ op: 'put', resource: buildState(spec, node, { inputs: old.inputs ?? {}, id: old.id, outputs: old.outputs ?? {}, providerRef, old, rootUrn: index.rootUrn, now }) }]);
    }
    run.count('same');
    return;
  }

  const step = ref(urn, spec.type, countAs, wasDeletedFirst || (decision.op === 'replace' && spec.deleteBeforeReplace) ? { deleteBeforeReplace: true } : {});
  const changes = decision.diff ? (spec.custom ? propertyChanges(old?.inputs ?? {}, inputs, decision.diff) : mapChanges(old?.outputs ?? {}, spec.outputs ?? {})) : undefined;

  // Components and provider configurations: state only, no cloud call.
  if (!isCustomResource(spec)) {
    const t0 = run.stepStarted(step);
    try {
      let id = old?.id;
      let outputs: PropertyMap = spec.outputs ?? {};
      if (isProviderType(spec.type)) {
        const pkgName = spec.type.slice('pulumi:providers:'.length);
        const pkg = run.registry.get(pkgName);
        if (!pkg) throw new EngineError(`no provider for package '${pkgName}' (configuration ${urn})`);
        try {
          await pkg.configure(revealMap(inputs), { env: run.env, signal: run.cancel.signal });
        } catch (err) {
          throw new EngineError(`the provider configuration ${urn} was rejected: ${errorMessage(err)}`);
        }
        id ??= newProviderId();
        outputs = inputs;
      }
      // A step with no cloud side effect need not wait for durability: the journal keeps
      // order, so a dependent's intent, once durable, implies this record is too.
      run.journal.write([{ op: 'put', resource: buildState(spec, node, { inputs, id, outputs, providerRef, old, rootUrn: index.rootUrn, now }) }]).catch(() => undefined);
      if (isProviderType(spec.type)) run.forgetProvider(urn);
      run.stepDone(step, t0, changes);
      run.count(countAs);
    } catch (err) {
      run.stepFailed(step, t0, err);
      throw err;
    }
    return;
  }

  if (decision.op === 'update' && old) {
    await updateResource(run, index, planned, priority, step, { inputs, providerRef, old, type: type!, now, changes });
    run.count('update');
    return;
  }
  if (decision.op === 'replace' && old && spec.deleteBeforeReplace) {
    // Discovered only now (the plan could not tell): delete first, then create.
    await deleteCopy(run, old, false, ref(urn, spec.type, 'delete', { replacedCopy: true }), priority, true);
  }
  const replacing = decision.op === 'replace' && !spec.deleteBeforeReplace;
  await createResource(run, index, planned, priority, step, { inputs, providerRef, type: type!, now, changes, replacing });
  run.count(countAs);
  if (replacing && !hasOldNode) {
    // The plan expected no replacement, so no later step deletes the old copy: do it now.
    const copy = run.view.oldCopies.get(urn)?.at(-1);
    if (copy) await deleteCopy(run, copy, true, ref(urn, spec.type, 'delete', { replacedCopy: true }), priority);
  }
}

interface CreateArgs {
  inputs: PropertyMap;
  providerRef: string | undefined;
  type: ResourceType;
  now: string;
  changes: ReturnType<typeof propertyChanges> | undefined;
  replacing: boolean;
}

async function createResource(run: Run, index: DesiredIndex, planned: PlannedStep, priority: number, step: StepRef, a: CreateArgs): Promise<void> {
  const unlock = await run.lockUrn(planned.urn);
  try {
    await createLocked(run, index, planned, priority, step, a);
  } finally {
    unlock();
  }
}

async function createLocked(run: Run, index: DesiredIndex, planned: PlannedStep, priority: number, step: StepRef, a: CreateArgs): Promise<void> {
  const node = index.nodes.get(planned.urn)!;
  const spec = node.spec;
  let t0: number | undefined;
  let release: (() => void) | undefined;
  let intentSaved = false;
  try {
    const { pkg, client } = await run.configured(spec.provider!);
    const intent = buildState(spec, node, { inputs: a.inputs, id: undefined, outputs: {}, providerRef: a.providerRef, old: undefined, rootUrn: index.rootUrn, now: a.now });
    release = await intentThenSlot(run, spec.urn, { op: 'pending', operation: { type: 'creating', resource: intent } }, priority);
    intentSaved = true;
    t0 = run.stepStarted(step);
    const created = await run.call(step, pkg, timeoutSeconds('create', spec, a.type), [a.inputs], (signal) => a.type.create(revealMap(a.inputs), run.context(spec, client, signal, [a.inputs])));
    release();
    release = undefined;
    if (typeof created?.id !== 'string' || created.id === '') throw new EngineError(`${spec.urn}: the provider's create returned no id`);
    const outputs = secureOutputs(spec, a.inputs, created.outputs ?? {});
    const state = buildState(spec, node, { inputs: a.inputs, id: created.id, outputs, providerRef: a.providerRef, old: undefined, rootUrn: index.rootUrn, now: a.now });
    const records: JournalRecord[] = a.replacing ? [{ op: 'mark-delete', urn: spec.urn }] : [];
    records.push({ op: 'put', resource: state }, { op: 'settle', urn: spec.urn });
    recordResult(run, records);
    run.stepDone(step, t0, a.changes);
  } catch (err) {
    release?.();
    if (err instanceof NotStarted) throw err;
    if (intentSaved) await afterFailedCreate(run, index, planned, step, a, err);
    run.stepFailed(step, t0 ?? run.stepStarted(step), err);
    throw err;
  }
}

/**
 * Queues a step's result without waiting for it to be durable. That is safe because the
 * journal keeps order and no dependent calls a provider before its own intent, queued after
 * this result, is durable; and it lets that intent share this write. If the write fails, the
 * journal stops the run (the step's intent is durable, so the next run resolves it).
 */
function recordResult(run: Run, records: JournalRecord[]): void {
  run.journal.write(records).catch(() => undefined);
}

/**
 * Records a step's intent and takes a provider-call slot, both at once: when slots are
 * scarce the intent becomes durable while the step waits its turn, and when they are not the
 * slot would sit idle anyway. The call starts only once both are done. If the run stops
 * before a slot is granted, the intent is settled again.
 */
async function intentThenSlot(run: Run, urn: string, intent: JournalRecord, priority: number): Promise<() => void> {
  if (run.stopping()) throw new NotStarted();
  const written = run.journal.write([intent]);
  const slot = run.acquire(priority);
  const [w, s] = await Promise.allSettled([written, slot]);
  if (w.status === 'fulfilled' && s.status === 'fulfilled') return s.value;
  if (s.status === 'fulfilled') s.value();
  if (w.status === 'fulfilled') await run.journal.write([{ op: 'settle', urn }]).catch(() => undefined);
  throw w.status === 'rejected' ? w.reason : (s as PromiseRejectedResult).reason;
}

/**
 * A create that failed may still have made an object (a timeout after the API accepted the
 * request, a crash in the provider after the call). Look for it now, so no object is left
 * untracked; if it cannot be decided, the pending operation stays for the next run.
 */
async function afterFailedCreate(run: Run, index: DesiredIndex, planned: PlannedStep, step: StepRef, a: CreateArgs, err: unknown): Promise<void> {
  if (err instanceof StepError && (err.errorClass === 'cancelled' || err.errorClass === 'timeout')) return;
  if (run.journal.failure || run.cancel.aborted) return;
  const node = index.nodes.get(planned.urn)!;
  const spec = node.spec;
  try {
    const { pkg, client } = await run.configured(spec.provider!);
    const knownIds = knownIdsOf(run, spec.urn);
    const found = await run.call(step, pkg, timeoutSeconds('read', spec, a.type), [a.inputs], (signal) => a.type.adopt(revealMap(a.inputs), { ...run.context(spec, client, signal, [a.inputs]), knownIds }));
    if (!found) {
      await run.journal.write([{ op: 'settle', urn: spec.urn }]);
      return;
    }
    const state = buildState(spec, node, { inputs: a.inputs, id: found.id, outputs: secureOutputs(spec, a.inputs, found.outputs ?? {}), providerRef: a.providerRef, old: undefined, rootUrn: index.rootUrn, now: a.now });
    const records: JournalRecord[] = a.replacing ? [{ op: 'mark-delete', urn: spec.urn }] : [];
    records.push({ op: 'put', resource: state }, { op: 'settle', urn: spec.urn });
    await run.journal.write(records);
    run.emit({ type: 'diagnostic', severity: 'warning', urn: spec.urn, message: `the failed create left an object behind (id ${found.id}); it is now tracked in the stack` });
  } catch {
    run.emit({ type: 'diagnostic', severity: 'warning', urn: spec.urn, message: 'could not check whether the failed create left an object behind; the next run looks again' });
  }
}

export function knownIdsOf(run: Run, urn: string): string[] {
  const ids: string[] = [];
  const live = run.view.live.get(urn);
  if (live?.id) ids.push(live.id);
  for (const c of run.view.oldCopies.get(urn) ?? []) if (c.id) ids.push(c.id);
  return ids;
}

interface UpdateArgs {
  inputs: PropertyMap;
  providerRef: string | undefined;
  old: ResourceState;
  type: ResourceType;
  now: string;
  changes: ReturnType<typeof propertyChanges> | undefined;
}

async function updateResource(run: Run, index: DesiredIndex, planned: PlannedStep, priority: number, step: StepRef, a: UpdateArgs): Promise<void> {
  const unlock = await run.lockUrn(planned.urn);
  try {
    await updateLocked(run, index, planned, priority, step, a);
  } finally {
    unlock();
  }
}

async function updateLocked(run: Run, index: DesiredIndex, planned: PlannedStep, priority: number, step: StepRef, a: UpdateArgs): Promise<void> {
  const node = index.nodes.get(planned.urn)!;
  const spec = node.spec;
  let t0: number | undefined;
  let release: (() => void) | undefined;
  let intentSaved = false;
  try {
    if (!a.type.update) throw new EngineError(`${spec.urn}: ${spec.type} cannot be updated in place`);
    const update = a.type.update.bind(a.type);
    const { pkg, client } = await run.configured(spec.provider!);
    release = await intentThenSlot(run, spec.urn, { op: 'pending', operation: { type: 'updating', resource: a.old } }, priority);
    intentSaved = true;
    t0 = run.stepStarted(step);
    const snapshot = { inputs: revealMap(a.old.inputs ?? {}), outputs: revealMap(a.old.outputs ?? {}) };
    const result = await run.call(step, pkg, timeoutSeconds('update', spec, a.type), [a.inputs, a.old.inputs, a.old.outputs], (signal) => update(a.old.id!, snapshot, revealMap(a.inputs), run.context(spec, client, signal, [a.inputs, a.old.inputs, a.old.outputs])));
    release();
    release = undefined;
    const outputs = secureOutputs(spec, a.inputs, result?.outputs ?? {});
    const state = buildState(spec, node, { inputs: a.inputs, id: a.old.id, outputs, providerRef: a.providerRef, old: a.old, rootUrn: index.rootUrn, now: a.now });
    recordResult(run, [{ op: 'put', resource: state }, { op: 'settle', urn: spec.urn }]);
    run.stepDone(step, t0, a.changes);
  } catch (err) {
    release?.();
    if (err instanceof NotStarted) throw err;
    const interrupted = err instanceof StepError && (err.errorClass === 'cancelled' || err.errorClass === 'timeout');
    // The stored copy keeps its old inputs, so the next deploy tries the update again.
    if (intentSaved && !interrupted && !run.journal.failure) await run.journal.write([{ op: 'settle', urn: spec.urn }]).catch(() => undefined);
    run.stepFailed(step, t0 ?? run.stepStarted(step), err);
    throw err;
  }
}

async function deleteLive(run: Run, d: DeleteNode, priority: number): Promise<void> {
  const copy = run.view.live.get(d.urn);
  if (!copy) return;
  const step = ref(d.urn, copy.type, 'delete', d.counted ? {} : { replacedCopy: true });
  await deleteCopy(run, copy, false, step, priority, !d.counted);
  if (d.counted) run.count('delete');
}

async function deleteOld(run: Run, d: DeleteNode, priority: number, preexisting: Set<ResourceState>): Promise<void> {
  for (;;) {
    const copy = run.view.oldCopies.get(d.urn)?.[0];
    if (!copy) return;
    const counted = [...preexisting].some((p) => p.urn === copy.urn && p.id === copy.id);
    await deleteCopy(run, copy, true, ref(d.urn, copy.type, 'delete', { replacedCopy: true }), priority);
    if (counted) run.count('delete');
  }
}

/** Deletes one copy of a resource: from the cloud (unless retained), then from the stack. */
export async function deleteCopy(run: Run, copy: ResourceState, isOld: boolean, step: StepRef, priority: number, detach = false): Promise<void> {
  const unlock = await run.lockUrn(copy.urn);
  try {
    await deleteLocked(run, copy, isOld, step, priority, detach);
  } finally {
    unlock();
  }
}

async function deleteLocked(run: Run, copy: ResourceState, isOld: boolean, step: StepRef, priority: number, detach: boolean): Promise<void> {
  const removal: JournalRecord = isOld ? { op: 'remove', urn: copy.urn, deleted: true } : { op: 'remove', urn: copy.urn };
  // Resources that stay and still refer to this one (delete-before-replace) let go of it in
  // the same write; computed when written, against the view as it is then.
  const removing = (): JournalRecord[] => (detach && !isOld ? [...detachRecords(run.view, copy.urn), removal] : [removal]);
  if (!isCustomResource(copy) || copy.retainOnDelete || !copy.id) {
    const t0 = run.stepStarted(step);
    try {
      await run.journal.write(removing());
      if (copy.retainOnDelete && isCustomResource(copy)) run.emit({ type: 'diagnostic', severity: 'info', urn: copy.urn, message: `kept in the cloud (retainOnDelete); id ${copy.id ?? '(none)'} is no longer managed` });
      run.stepDone(step, t0);
    } catch (err) {
      run.stepFailed(step, t0, err);
      throw err;
    }
    return;
  }
  let t0: number | undefined;
  let release: (() => void) | undefined;
  let intentSaved = false;
  try {
    const { pkg, client, type } = await run.providerFor(copy);
    release = await intentThenSlot(run, copy.urn, { op: 'pending', operation: { type: 'deleting', resource: isOld ? { ...copy, delete: true } : copy } }, priority);
    intentSaved = true;
    t0 = run.stepStarted(step);
    const snapshot = { inputs: revealMap(copy.inputs ?? {}), outputs: revealMap(copy.outputs ?? {}) };
    await run.call(step, pkg, timeoutSeconds('delete', copy, type), [copy.inputs, copy.outputs], (signal) => type.delete(copy.id!, snapshot, run.context(copy, client, signal, [copy.inputs, copy.outputs])));
    release();
    release = undefined;
    recordResult(run, [...removing(), { op: 'settle', urn: copy.urn }]);
    run.stepDone(step, t0);
  } catch (err) {
    release?.();
    if (err instanceof NotStarted) throw err;
    const interrupted = err instanceof StepError && (err.errorClass === 'cancelled' || err.errorClass === 'timeout');
    if (intentSaved && !interrupted && !run.journal.failure) await run.journal.write([{ op: 'settle', urn: copy.urn }]).catch(() => undefined);
    run.stepFailed(step, t0 ?? run.stepStarted(step), err);
    throw err;
  }
}

/** Runs the steps of a destroy plan: every targeted copy, in reverse dependency order. */
export async function applyDestroy(run: Run, plan: Plan): Promise<void> {
  const tasks = new Map<string, Task>();
  const nodes = new Map<string, DeleteNode>();
  for (const s of plan.steps) {
    if (s.replacedCopy) nodes.set(DO(s.urn), { urn: s.urn, live: false, counted: true, copies: run.view.oldCopies.get(s.urn) ?? [] });
    else {
      const live = run.view.live.get(s.urn);
      if (live) nodes.set(DL(s.urn), { urn: s.urn, live: true, counted: true, copies: [live] });
    }
  }
  const refs = new Map<string, string[]>();
  for (const [id, d] of nodes) for (const c of d.copies) for (const dep of stateDeps(c)) push(refs, dep, id);
  const preexisting = new Set<ResourceState>(plan.steps.filter((s) => s.replacedCopy).flatMap((s) => run.view.oldCopies.get(s.urn) ?? []));
  for (const [id, d] of nodes) {
    const deps = new Set((refs.get(d.urn) ?? []).filter((o) => o !== id));
    if (!d.live && nodes.has(DL(d.urn))) deps.add(DL(d.urn));
    tasks.set(id, { id, deps: [...deps], weight: 1, run: (p) => (d.live ? deleteLive(run, d, p) : deleteOld(run, d, p, preexisting)) });
  }
  await runGraph(tasks, {
    stopping: () => run.stopping(),
    onSkip: (id, blockedBy) => {
      const urn = id.slice(id.indexOf(' ') + 1);
      run.emit({ type: 'step-skipped', step: ref(urn, parseUrn(urn).type, 'delete'), reason: `${blockedBy.slice(blockedBy.indexOf(' ') + 1)} was not deleted` });
    },
  });
}

export function rootState(run: Run, rootUrn: string, outputs: PropertyMap | undefined): ResourceState | undefined {
  const old = run.view.live.get(rootUrn);
  if (old && outputs === undefined) return undefined;
  const now = new Date().toISOString();
  const r: ResourceState = { urn: rootUrn, custom: false, type: ROOT_STACK_TYPE, outputs: outputs ?? old?.outputs ?? {}, created: old?.created ?? now, modified: now };
  return r;
}
