// The root stack's outputs: what a plan promises and what an apply stores. Both are compared
// with the stored outputs in the form the stack keeps them (DesiredState.protectOutputs), so
// a value stored as a secret equals the same value given in the clear and an unchanged
// deploy never rewrites the root.
import { UNKNOWN_VALUE } from '../state/types.ts';
import type { PropertyMap, ResourceState } from '../state/types.ts';
import type { DesiredState } from './model.ts';
import { preserveUnchangedMap } from './values.ts';

/** Whether the desired state says anything about the root outputs. */
export function managesOutputs(desired: DesiredState): boolean {
  return desired.stackOutputs !== undefined || desired.computeOutputs !== undefined;
}

function protect(desired: DesiredState, outputs: PropertyMap): PropertyMap {
  return desired.protectOutputs ? desired.protectOutputs(outputs) : outputs;
}

/**
 * The outputs a deploy of this plan would store. With no resource change the computed ones
 * are computed now, from the stack as it is (the apply would see the same resources); with
 * changes, each declared computed key is unknown until the apply.
 */
export function plannedRootOutputs(desired: DesiredState, stored: PropertyMap, resourcesChange: boolean, resources: () => readonly ResourceState[]): PropertyMap {
  const given = desired.stackOutputs ?? stored;
  if (!desired.computeOutputs) return protect(desired, given);
  let computed: PropertyMap;
  if (resourcesChange) {
    computed = {};
    for (const key of desired.computedOutputKeys ?? []) computed[key] = UNKNOWN_VALUE;
  } else computed = desired.computeOutputs(resources());
  return protect(desired, { ...given, ...computed });
}

/** The outputs to store after a complete apply, reusing the stored form of unchanged values. */
export function appliedRootOutputs(desired: DesiredState, stored: PropertyMap | undefined, resources: readonly ResourceState[]): PropertyMap {
  const given = desired.stackOutputs ?? stored ?? {};
  const outputs = protect(desired, desired.computeOutputs ? { ...given, ...desired.computeOutputs(resources) } : given);
  return preserveUnchangedMap(stored, outputs);
}

/** Only the named keys (what a destroyed stack remembers). */
export function keptOutputs(outputs: PropertyMap, keep: readonly string[]): PropertyMap {
  const out: PropertyMap = {};
  for (const key of keep) if (Object.hasOwn(outputs, key)) out[key] = outputs[key]!;
  return out;
}
