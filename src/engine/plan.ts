// The plan: for every resource, the step a deploy (or destroy) would take, computed from the
// desired graph and the stack's checkpoint without calling any cloud. Preview shows it; apply
// re-decides each resource once its dependencies are done (values unknown in the plan are
// then known) and follows the plan's ordering decisions (targets, delete-before-replace).
import type { Deployment, PropertyMap, ResourceState } from '../state/types.ts';
import type { DesiredState, ResourceSpec } from './model.ts';
import { indexDesired, transitiveDependents } from './graph.ts';
import type { DesiredIndex } from './graph.ts';
import type { ProviderRegistry, ResourceType } from './provider.ts';
import type { InputDiff } from './diff.ts';
import { addedChanges, mapChanges, propertyChanges, removedChanges } from './diff.ts';
import type { PropertyChange, StepOp } from './events.ts';
import { decide, plannedOutputs, withSecrets } from './decide.ts';
import { resolveInputs } from './values.ts';
import { StackView, stateDeps } from './view.ts';
import { managesOutputs, plannedRootOutputs } from './outputs.ts';
import { EngineError } from './errors.ts';
import { formatProviderRef, isProviderType, packageOf, parseUrn, ROOT_STACK_TYPE } from './urn.ts';

export type PlanKind = 'update' | 'destroy';
export type ChangeCounts = Record<'create' | 'update' | 'replace' | 'delete' | 'same', number>;

export interface PlannedStep {
  urn: string;
  type: string;
  name: string;
  op: Exclude<StepOp, 'read' | 'import'>;
  custom: boolean;
  parent?: string;
  diff?: InputDiff;
  /**
   * Redacted property-level detail: what an update or replacement changes, every input of a
   * create (unknowns as "(known after apply)"), every stored input of a delete.
   */
  changes?: PropertyChange[];
  deleteBeforeReplace?: boolean;
  /** Why a replacement happens when no input forces it. */
  reason?: string;
  /** Deletes the old half of a replacement an earlier run left behind. */
  replacedCopy?: boolean;
  /** Delete only from the stack (retainOnDelete): the cloud object stays. */
  retain?: boolean;
}

export interface PlanOptions {
  targets?: readonly string[];
  targetDependents?: boolean;
}

export interface Plan {
  kind: PlanKind;
  stack: string;
  /** Desired resources in dependency order, then deletions. Excludes the root stack. */
  steps: PlannedStep[];
  counts: ChangeCounts;
  warnings: string[];
  /** Changes to the root stack's outputs. */
  outputChanges: PropertyChange[];
  /** For apply: the checked desired graph (update plans). */
  index?: DesiredIndex;
  /** For apply: the resources a targeted run may touch; undefined = all. */
  targeted?: Set<string>;
}

export function emptyCounts(): ChangeCounts {
  return { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
}

export function typeFor(registry: ProviderRegistry, spec: { urn: string; type: string; custom: boolean }): ResourceType | undefined {
  if (!spec.custom || isProviderType(spec.type)) return undefined;
  const pkgName = packageOf(spec.type);
  const pkg = registry.get(pkgName);
  if (!pkg) {
    const have = registry.names();
    throw new EngineError(`no provider for package '${pkgName}' (needed by ${spec.urn})`, {
      hint: have.length ? `Known packages: ${have.join(', ')}.` : 'No provider packages are registered.',
    });
  }
  const type = pkg.resources[spec.type];
  if (!type) {
    throw new EngineError(`provider '${pkgName}' has no resource type ${spec.type} (needed by ${spec.urn})`, {
      hint: `Types it knows: ${Object.keys(pkg.resources).sort().join(', ') || '(none)'}.`,
    });
  }
  return type;
}

export function planUpdate(desired: DesiredState, deployment: Deployment, registry: ProviderRegistry, options: PlanOptions = {}): Plan {
  const index = indexDesired(desired);
  const view = StackView.from(deployment);
  const warnings = pendingWarnings(view);
  const known = new Map<string, PropertyMap | undefined>();
  const lookup = (urn: string): PropertyMap | undefined => (known.has(urn) ? known.get(urn) : view.live.get(urn)?.outputs);
  const steps: PlannedStep[] = [];
  const byUrn = new Map<string, PlannedStep>();

  const targeted = resolveTargets(options, index, view);

  for (const urn of index.order) {
    const node = index.nodes.get(urn)!;
    const spec = node.spec;
    const old = view.live.get(urn);
    const type = typeFor(registry, spec);
    if (targeted && !targeted.has(urn)) {
      // Not targeted: stays exactly as stored, and others see its stored outputs.
      known.set(urn, old?.outputs);
      continue;
    }
    const inputs = withSecrets(spec, resolveInputs(spec.inputs, lookup));
    const providerRef = spec.provider ? formatProviderRef(spec.provider, view.live.get(spec.provider)?.id) : undefined;
    const decision = decide(spec, old, inputs, type, providerRef, node, index.rootUrn);
    known.set(urn, plannedOutputs(spec, decision, old, inputs, type));
    const step: PlannedStep = { urn, type: spec.type, name: spec.name, op: decision.op, custom: spec.custom, parent: spec.parent };
    if (decision.diff) {
      step.diff = decision.diff;
      step.changes = spec.custom ? propertyChanges(old?.inputs ?? {}, inputs, decision.diff) : mapChanges(old?.outputs ?? {}, spec.outputs ?? {});
    } else if (decision.op === 'create') {
      step.changes = addedChanges(spec.custom ? inputs : (spec.outputs ?? {}));
    }
    if (decision.reason) step.reason = decision.reason;
    if (decision.op === 'replace' && spec.deleteBeforeReplace) step.deleteBeforeReplace = true;
    steps.push(step);
    byUrn.set(urn, step);
  }

  cascadeDeleteBeforeReplace(steps, byUrn, view);

  for (const r of view.live.values()) {
    if (r.type === ROOT_STACK_TYPE || index.nodes.has(r.urn)) continue;
    if (targeted && !targeted.has(r.urn)) continue;
    steps.push(deleteStep(r, false));
  }
  for (const [urn, copies] of view.oldCopies) {
    if (targeted && !targeted.has(urn)) continue;
    for (const r of copies) steps.push(deleteStep(r, true));
  }

  checkProtected(steps, index, view);
  if (targeted) checkTargets(steps, targeted, index, view, options);

  const counts = countSteps(steps);
  // A targeted run leaves the stack outputs as they are.
  let outputChanges: PropertyChange[] = [];
  if (!targeted && managesOutputs(desired)) {
    const stored = view.live.get(index.rootUrn)?.outputs ?? {};
    const resourcesChange = counts.create + counts.update + counts.replace + counts.delete > 0;
    outputChanges = mapChanges(stored, plannedRootOutputs(desired, stored, resourcesChange, () => [...view.all()]));
  }
  return { kind: 'update', stack: desired.stack, steps, counts, warnings, outputChanges, index, targeted };
}

export function planDestroy(stack: string, deployment: Deployment, options: PlanOptions & { registry?: ProviderRegistry; keepOutputs?: readonly string[] } = {}): Plan {
  const view = StackView.from(deployment);
  if (options.registry) checkProviders(options.registry, [...view.all()].filter((r) => !r.retainOnDelete));
  const warnings = pendingWarnings(view);
  const targeted = resolveTargets(options, undefined, view);
  const steps: PlannedStep[] = [];
  for (const r of view.live.values()) {
    if (r.type === ROOT_STACK_TYPE) continue;
    if (targeted && !targeted.has(r.urn)) continue;
    steps.push(deleteStep(r, false));
  }
  for (const [urn, copies] of view.oldCopies) {
    if (targeted && !targeted.has(urn)) continue;
    for (const r of copies) steps.push(deleteStep(r, true));
  }
  checkProtected(steps, undefined, view);
  if (targeted) checkTargets(steps, targeted, undefined, view, options);
  // A complete destroy keeps only the outputs named in keepOutputs (the stack's memory).
  const keep = new Set(options.keepOutputs ?? []);
  const stored = [...view.live.values()].find((r) => r.type === ROOT_STACK_TYPE)?.outputs ?? {};
  const outputChanges = targeted ? [] : removedChanges(Object.fromEntries(Object.entries(stored).filter(([k]) => !keep.has(k))));
  return { kind: 'destroy', stack, steps, counts: countSteps(steps), warnings, outputChanges, targeted };
}

function deleteStep(r: ResourceState, replacedCopy: boolean): PlannedStep {
  const { name } = parseUrn(r.urn);
  const step: PlannedStep = { urn: r.urn, type: r.type, name, op: 'delete', custom: r.custom, parent: r.parent };
  const gone = removedChanges(r.custom ? (r.inputs ?? {}) : (r.outputs ?? {}));
  if (gone.length > 0) step.changes = gone;
  if (replacedCopy) step.replacedCopy = true;
  if (r.retainOnDelete) step.retain = true;
  return step;
}

/**
 * A resource replaced by deleting first takes down, first, every resource whose stored copy
 * depends on it and that is itself replaced: those are replaced delete-first too.
 */
function cascadeDeleteBeforeReplace(steps: PlannedStep[], byUrn: Map<string, PlannedStep>, view: StackView): void {
  let changed = true;
  while (changed) {
    changed = false;
    for (const step of steps) {
      if (step.op !== 'replace' || step.deleteBeforeReplace) continue;
      const old = view.live.get(step.urn);
      if (!old) continue;
      const cause = stateDeps(old).find((d) => byUrn.get(d)?.deleteBeforeReplace);
      if (cause) {
        step.deleteBeforeReplace = true;
        step.reason ??= `${cause} is replaced by deleting it first`;
        changed = true;
      }
    }
  }
}

function checkProtected(steps: PlannedStep[], index: DesiredIndex | undefined, view: StackView): void {
  const refused: string[] = [];
  for (const s of steps) {
    if (s.op !== 'delete' && s.op !== 'replace') continue;
    if (s.replacedCopy) continue;
    // The desired graph decides protection for resources it still has (unprotecting and
    // replacing in one deploy is allowed); a resource it dropped keeps its stored flag.
    const desired = index?.nodes.get(s.urn)?.spec;
    const isProtected = desired ? desired.protect === true : view.live.get(s.urn)?.protect === true;
    if (isProtected) refused.push(`${s.urn} (would be ${s.op === 'delete' ? 'deleted' : 'replaced'})`);
  }
  if (refused.length > 0) {
    throw new EngineError(`refusing to change protected resources:\n  ${refused.join('\n  ')}`, {
      hint: 'Nothing was changed. Set protect to false for them and deploy first, or leave them out with --target.',
    });
  }
}

export function resolveTargets(options: PlanOptions, index: DesiredIndex | undefined, view: StackView): Set<string> | undefined {
  if (!options.targets || options.targets.length === 0) return undefined;
  const all = new Set<string>([...(index?.nodes.keys() ?? []), ...view.live.keys(), ...view.oldCopies.keys()]);
  const out = new Set<string>();
  for (const t of options.targets) {
    if (!all.has(t)) {
      const byName = [...all].filter((u) => u.endsWith(`::${t}`));
      const close = (byName.length > 0 ? byName : [...all].filter((u) => t.length >= 3 && u.includes(t))).slice(0, 5);
      throw new EngineError(`--target ${t} matches no resource in the stack or the desired graph`, {
        hint: close.length ? `Did you mean:\n  ${close.join('\n  ')}` : 'Give full URNs, as `stacks info` and `preview --json` show them.',
      });
    }
    out.add(t);
  }
  if (options.targetDependents) {
    const dependents = new Map<string, Set<string>>();
    const add = (from: string, to: string): void => {
      let set = dependents.get(from);
      if (!set) dependents.set(from, (set = new Set()));
      set.add(to);
    };
    for (const node of index?.nodes.values() ?? []) for (const d of node.deps) add(d, node.spec.urn);
    for (const r of view.all()) for (const d of stateDeps(r)) add(d, r.urn);
    for (const u of transitiveDependents(out, (u) => dependents.get(u) ?? [])) out.add(u);
  }
  // Providers and components a targeted resource needs but the stack lacks come along: they
  // change nothing in the cloud.
  for (const t of [...out]) {
    const node = index?.nodes.get(t);
    for (const dep of [node?.spec.provider, node?.spec.parent]) {
      if (dep && index?.nodes.has(dep) && !view.live.has(dep) && (isProviderType(index.nodes.get(dep)!.spec.type) || !index.nodes.get(dep)!.spec.custom)) out.add(dep);
    }
  }
  return out;
}

function checkTargets(steps: PlannedStep[], targeted: Set<string>, index: DesiredIndex | undefined, view: StackView, options: PlanOptions): void {
  const problems: string[] = [];
  // What is missing: dependencies to create with the targets, dependents left behind.
  const dependencies = new Set<string>();
  const dependents = new Set<string>();
  for (const s of steps) {
    if (s.op === 'create' || s.op === 'replace') {
      for (const dep of index?.nodes.get(s.urn)?.deps ?? []) {
        if (!targeted.has(dep) && !view.live.has(dep)) {
          problems.push(`${s.urn} needs ${dep}, which does not exist yet and is not targeted`);
          dependencies.add(dep);
        }
      }
    }
    if (s.op === 'delete' || s.op === 'replace') {
      for (const r of view.live.values()) {
        if (targeted.has(r.urn) || r.type === ROOT_STACK_TYPE) continue;
        // An untargeted resource stays as it is, still referring to what this run deletes.
        if (stateDeps(r).includes(s.urn)) {
          problems.push(`${r.urn} depends on ${s.urn}, which would be ${s.op === 'delete' ? 'deleted' : 'replaced'}`);
          dependents.add(r.urn);
        }
      }
    }
  }
  if (problems.length > 0) {
    const hints: string[] = [];
    // --target-dependents adds what depends on the targets, never what they depend on.
    if (dependencies.size > 0) hints.push(`Target what they need as well: ${[...dependencies].map((u) => `--target ${u}`).join(' ')}`);
    if (dependents.size > 0) {
      hints.push(options.targetDependents ? `Target the dependents as well: ${[...dependents].map((u) => `--target ${u}`).join(' ')}` : 'Add --target-dependents, or target the dependents named above with --target.');
    }
    throw new EngineError(`the targeted run cannot be done on its own:\n  ${[...new Set(problems)].join('\n  ')}`, { hint: hints.join('\n') });
  }
}

function pendingWarnings(view: StackView): string[] {
  const out: string[] = [];
  for (const op of view.pending.values()) {
    const what = op.type === 'creating' ? 'create' : op.type === 'deleting' ? 'delete' : op.type === 'updating' ? 'update' : op.type;
    out.push(`an earlier run was interrupted during the ${what} of ${op.resource.urn}; the next deploy, refresh or destroy resolves it first (looking the object up in the cloud)`);
  }
  return out;
}

export function countSteps(steps: readonly PlannedStep[]): ChangeCounts {
  const counts = emptyCounts();
  for (const s of steps) counts[s.op]++;
  return counts;
}

export function hasChanges(plan: Plan): boolean {
  const c = plan.counts;
  return c.create + c.update + c.replace + c.delete > 0 || plan.outputChanges.length > 0;
}

export type { ResourceSpec };

/** The provider packages a desired graph and a deployment need (to load only those). */
export function packageNames(desired: DesiredState | undefined, deployment: Deployment | undefined): string[] {
  const out = new Set<string>();
  for (const r of desired?.resources ?? []) if (r.custom) out.add(packageOf(r.type));
  for (const r of deployment?.resources ?? []) if (r.custom) out.add(packageOf(r.type));
  for (const op of deployment?.pendingOperations ?? []) if (op.resource.custom) out.add(packageOf(op.resource.type));
  return [...out].sort();
}

/** Fails up front, naming the package, when a resource's provider is not available. */
export function checkProviders(registry: ProviderRegistry, resources: Iterable<{ urn: string; type: string; custom: boolean }>): void {
  for (const r of resources) typeFor(registry, r);
}
