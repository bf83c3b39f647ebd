// What one desired resource needs, given its stored copy: shared by the plan (with values
// that may be unknown) and by apply (with everything known), so both decide the same way.
import { UNKNOWN_VALUE } from '../state/types.ts';
import type { PropertyMap, PropertyValue, ResourceState } from '../state/types.ts';
import type { ResourceSpec } from './model.ts';
import type { GraphNode } from './graph.ts';
import type { ResourceType } from './provider.ts';
import { diffInputs, metadataDiffers } from './diff.ts';
import type { InputDiff } from './diff.ts';
import { containsSecret, markSecret, preserveUnchangedMap, valuesEqual } from './values.ts';
import { isProviderType, parseProviderRef } from './urn.ts';

export type DesiredOp = 'create' | 'update' | 'replace' | 'same';

export interface Decision {
  op: DesiredOp;
  diff?: InputDiff;
  /** Why a replacement that no input forces. */
  reason?: string;
  /** Only options stored in the checkpoint changed: write, don't call the provider. */
  metadataOnly?: boolean;
}

export function decide(spec: ResourceSpec, old: ResourceState | undefined, inputs: PropertyMap, type: ResourceType | undefined, providerRef: string | undefined, node: GraphNode, rootUrn: string): Decision {
  if (!old) return { op: 'create' };
  if (!spec.custom) {
    const same = valuesEqual(old.outputs ?? {}, spec.outputs ?? {});
    if (!same) return { op: 'update', diff: { changed: changedKeys(old.outputs ?? {}, spec.outputs ?? {}), replace: [] } };
    return metadataDecision(spec, old, node, providerRef, rootUrn);
  }
  if (isProviderType(spec.type)) {
    const diff = diffInputs(old.inputs ?? {}, inputs, undefined);
    if (diff.changed.length > 0) return { op: 'update', diff: { changed: diff.changed, replace: [] } };
    return metadataDecision(spec, old, node, providerRef, rootUrn);
  }
  if (old.provider && spec.provider && parseProviderRef(old.provider).urn !== spec.provider) {
    return { op: 'replace', reason: `its provider changed to ${spec.provider}`, diff: diffInputs(old.inputs ?? {}, inputs, type, spec.replaceOnChanges) };
  }
  const diff = diffInputs(old.inputs ?? {}, inputs, type, spec.replaceOnChanges);
  if (diff.replace.length > 0) return { op: 'replace', diff };
  if (diff.changed.length > 0) return { op: 'update', diff };
  return metadataDecision(spec, old, node, providerRef, rootUrn);
}

function metadataDecision(spec: ResourceSpec, old: ResourceState, node: GraphNode, providerRef: string | undefined, rootUrn: string): Decision {
  // Only the stored options are compared; inputs and outputs are known to be equal here.
  const next: ResourceState = { urn: spec.urn, custom: spec.custom, type: spec.type };
  metadataInto(next, spec, node, providerRef ?? old.provider);
  void rootUrn;
  return metadataDiffers(old, next) ? { op: 'same', metadataOnly: true } : { op: 'same' };
}

/** The options a checkpoint entry records besides its values. */
function metadataInto(r: ResourceState, spec: ResourceSpec, node: GraphNode, providerRef: string | undefined): void {
  if (spec.parent) r.parent = spec.parent;
  if (spec.protect) r.protect = true;
  const deps = [...node.stateDeps].sort();
  if (deps.length > 0) r.dependencies = deps;
  if (providerRef) r.provider = providerRef;
  if (Object.keys(node.propertyDeps).length > 0) r.propertyDependencies = node.propertyDeps;
  if (spec.additionalSecretOutputs?.length) r.additionalSecretOutputs = spec.additionalSecretOutputs;
  if (spec.customTimeouts && Object.keys(spec.customTimeouts).length > 0) r.customTimeouts = spec.customTimeouts;
  if (spec.retainOnDelete) r.retainOnDelete = true;
  if (spec.replaceOnChanges?.length) r.replaceOnChanges = spec.replaceOnChanges;
}

function changedKeys(a: PropertyMap, b: PropertyMap): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !valuesEqual(a[k], b[k])).sort();
}

/** The spec's inputs with its secret keys wrapped. */
export function withSecrets(spec: ResourceSpec, resolved: PropertyMap): PropertyMap {
  return markSecret(resolved, spec.secretInputs);
}

/**
 * Outputs that become secret: keys named like a secret input, and additionalSecretOutputs.
 * Providers may also return Secret values themselves.
 */
export function secureOutputs(spec: ResourceSpec, inputs: PropertyMap, outputs: PropertyMap): PropertyMap {
  const keys = new Set(spec.additionalSecretOutputs ?? []);
  for (const [k, v] of Object.entries(inputs)) if (containsSecret(v)) keys.add(k);
  return markSecret(outputs, [...keys]);
}

/**
 * The outputs a preview can promise for a resource after its step: all of them when nothing
 * changes, the current ones overlaid with the new inputs for an update (keys the type lists
 * in computedOnUpdate become unknown), none (undefined = unknown) for a create or replace.
 */
export function plannedOutputs(spec: ResourceSpec, decision: Decision, old: ResourceState | undefined, inputs: PropertyMap, type: ResourceType | undefined): PropertyMap | undefined {
  if (!spec.custom) return spec.outputs ?? {};
  if (isProviderType(spec.type)) return inputs;
  if (decision.op === 'same') return old?.outputs ?? {};
  if (decision.op === 'update' && old) {
    const out: PropertyMap = { ...(old.outputs ?? {}) };
    for (const k of decision.diff?.changed ?? []) {
      const v: PropertyValue | undefined = inputs[k];
      if (v === undefined) delete out[k];
      else out[k] = v;
    }
    for (const k of type?.computedOnUpdate ?? []) out[k] = UNKNOWN_VALUE;
    return out;
  }
  return undefined;
}

export interface StateFields {
  inputs: PropertyMap;
  id: string | undefined;
  outputs: PropertyMap;
  providerRef: string | undefined;
  old: ResourceState | undefined;
  rootUrn: string;
  now: string;
}

/** The checkpoint entry for a desired resource, reusing unchanged parts of the old one. */
export function buildState(spec: ResourceSpec, node: GraphNode, f: StateFields): ResourceState {
  const r: ResourceState = { urn: spec.urn, custom: spec.custom, type: spec.type };
  if (spec.custom && f.id !== undefined) r.id = f.id;
  r.inputs = preserveUnchangedMap(f.old?.inputs, f.inputs);
  r.outputs = preserveUnchangedMap(f.old?.outputs, f.outputs);
  metadataInto(r, spec, node, f.providerRef);
  r.created = f.old?.created ?? f.now;
  r.modified = f.old && valuesEqual(f.old.inputs ?? {}, r.inputs) && valuesEqual(f.old.outputs ?? {}, r.outputs) ? (f.old.modified ?? f.now) : f.now;
  return r;
}
