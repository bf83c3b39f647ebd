// Adoption (refresh with a desired graph, e.g. `refresh --config` after a stack was lost):
// every resource of the graph that the stack does not track is looked up in its cloud by its
// URN tag (the provider's `adopt`) and, when found, recorded with the desired inputs and the
// outputs the cloud reports; the refresh that follows reads it back like any other. Provider
// configurations and components the found resources need are recorded too. Nothing in the
// cloud is created, changed or deleted.
import type { PropertyMap } from '../state/types.ts';
import type { DesiredState } from './model.ts';
import type { DesiredIndex, GraphNode } from './graph.ts';
import { indexDesired } from './graph.ts';
import type { StepRef } from './events.ts';
import { buildState, secureOutputs, withSecrets } from './decide.ts';
import { checkProviders } from './plan.ts';
import { knownIdsOf, rootState } from './apply.ts';
import { runGraph } from './scheduler.ts';
import type { Task } from './scheduler.ts';
import type { Run } from './run.ts';
import { isCustomResource, newProviderId, timeoutSeconds } from './run.ts';
import { EngineError } from './errors.ts';
import { containsUnknown, resolveInputs, revealMap } from './values.ts';
import { formatProviderRef, isProviderType, parseUrn } from './urn.ts';

export interface NotFound {
  urn: string;
  /** Why it was not looked up (a resource it needs is not in the stack); absent: looked up, not there. */
  reason?: string;
}

export interface AdoptOutcome {
  adopted: string[];
  notFound: NotFound[];
}

/** The cloud look-ups adoption will make: custom resources of the graph the stack does not track. */
export function adoptionLookups(run: Run, desired: DesiredState): number {
  return desired.resources.filter((r) => isCustomResource(r) && !run.view.live.has(r.urn)).length;
}

export async function adoptMissing(run: Run, desired: DesiredState): Promise<AdoptOutcome> {
  if (desired.stack !== run.stack) throw new EngineError(`the desired graph is for stack '${desired.stack}', not '${run.stack}'`);
  const index = indexDesired(desired);
  checkProviders(run.registry, desired.resources.filter((r) => !run.view.live.has(r.urn)));
  const outcome: AdoptOutcome = { adopted: [], notFound: [] };
  if (!run.view.live.has(index.rootUrn)) await run.journal.write([{ op: 'put', resource: rootState(run, index.rootUrn, undefined)! }]);
  const tasks = new Map<string, Task>();
  for (const urn of index.order) {
    const node = index.nodes.get(urn)!;
    tasks.set(urn, { id: urn, deps: node.deps, weight: isCustomResource(node.spec) ? 1 : 0, run: (priority) => adoptOne(run, index, node, priority, outcome) });
  }
  await runGraph(tasks, {
    stopping: () => run.stopping(),
    onSkip: (urn, blockedBy) => {
      const spec = index.nodes.get(urn)!.spec;
      if (!isCustomResource(spec)) return;
      outcome.notFound.push({ urn, reason: `the look-up of ${blockedBy} failed` });
      run.emit({ type: 'step-skipped', step: { urn, type: spec.type, name: parseUrn(urn).name, op: 'import' }, reason: `${blockedBy} could not be looked up` });
    },
  });
  return outcome;
}

async function adoptOne(run: Run, index: DesiredIndex, node: GraphNode, priority: number, outcome: AdoptOutcome): Promise<void> {
  const spec = node.spec;
  if (run.view.live.has(spec.urn)) return;
  const custom = isCustomResource(spec);
  const notFound = (reason: string): void => {
    if (custom) outcome.notFound.push({ urn: spec.urn, reason });
  };
  // Recorded only when everything it refers to is in the stack (the checkpoint's integrity).
  const absent = node.deps.find((d) => d !== index.rootUrn && !run.view.live.has(d));
  if (absent) return notFound(`it needs ${absent}, which is not in the stack`);
  const inputs = withSecrets(spec, resolveInputs(spec.inputs, (u) => run.view.live.get(u)?.outputs));
  if (containsUnknown(inputs)) return notFound('an input refers to an output the stack does not have');
  const now = new Date().toISOString();
  const put = (id: string | undefined, outputs: PropertyMap, providerRef?: string): void => {
    const resource = buildState(spec, node, { inputs, id, outputs, providerRef, old: undefined, rootUrn: index.rootUrn, now });
    // No cloud side effect: the journal keeps order, so nothing needs to wait for this write.
    run.journal.write([{ op: 'put', resource }]).catch(() => undefined);
  };
  if (!custom) {
    put(isProviderType(spec.type) ? newProviderId() : undefined, isProviderType(spec.type) ? inputs : (spec.outputs ?? {}));
    return;
  }

  const step: StepRef = { urn: spec.urn, type: spec.type, name: parseUrn(spec.urn).name, op: 'import' };
  let release: (() => void) | undefined = await run.acquire(priority);
  const t0 = run.stepStarted(step);
  try {
    const { pkg, client, type } = await run.providerFor({ urn: spec.urn, type: spec.type, provider: formatProviderRef(spec.provider!, run.view.live.get(spec.provider!)?.id) });
    const knownIds = knownIdsOf(run, spec.urn);
    const found = await run.call(step, pkg, timeoutSeconds('read', spec, type), [inputs], (signal) =>
      type.adopt(revealMap(inputs), { ...run.context(spec, client, signal, [inputs]), knownIds }),
    );
    release();
    release = undefined;
    if (!found) {
      outcome.notFound.push({ urn: spec.urn });
      run.stepDone(step, t0, undefined, 'not found in the cloud');
      return;
    }
    put(found.id, secureOutputs(spec, inputs, found.outputs ?? {}), formatProviderRef(spec.provider!, run.view.live.get(spec.provider!)?.id));
    outcome.adopted.push(spec.urn);
    run.count('import');
    run.stepDone(step, t0, undefined, `found ${found.id}`);
  } catch (err) {
    release?.();
    run.stepFailed(step, t0, err);
    throw err;
  }
}
