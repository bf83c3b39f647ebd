// Decides what a resource needs: nothing, an in-place update (with the changed properties), or
// a replacement (and which changes force it). Works on resolved inputs; a value that is not
// known yet (the unknown marker) counts as changed.
import type { PropertyMap, PropertyValue, ResourceState } from '../state/types.ts';
import type { ResourceType } from './provider.ts';
import type { PropertyChange } from './events.ts';
import { containsUnknown, redact, valuesEqual } from './values.ts';

export interface InputDiff {
  changed: string[];
  replace: string[];
}

export function diffInputs(olds: PropertyMap, news: PropertyMap, type: ResourceType | undefined, replaceOnChanges: readonly string[] = []): InputDiff {
  let result: InputDiff;
  if (type?.diff) {
    result = type.diff(olds, news);
  } else {
    const changed: string[] = [];
    for (const key of new Set([...Object.keys(olds), ...Object.keys(news)])) {
      const n = news[key];
      if (n !== undefined && containsUnknown(n)) changed.push(key);
      else if (!valuesEqual(olds[key], n)) changed.push(key);
    }
    const forceNew = new Set(type?.forceNew ?? []);
    const replace = type && !type.update ? [...changed] : changed.filter((k) => forceNew.has(k));
    result = { changed, replace };
  }
  const extra = replaceOnChanges.includes('*') ? result.changed : result.changed.filter((k) => replaceOnChanges.includes(k));
  const replace = [...new Set([...result.replace, ...extra])];
  return { changed: [...result.changed].sort(), replace: replace.sort() };
}

/** Property-level detail for display and events (values redacted). */
export function propertyChanges(olds: PropertyMap, news: PropertyMap, diff: InputDiff): PropertyChange[] {
  const replace = new Set(diff.replace);
  return diff.changed.map((key) => {
    const o: PropertyValue | undefined = olds[key];
    const n: PropertyValue | undefined = news[key];
    const kind = o === undefined ? 'add' : n === undefined ? 'delete' : 'update';
    const change: PropertyChange = { key, kind };
    if (o !== undefined) change.old = redact(o);
    if (n !== undefined) change.new = redact(n);
    if (replace.has(key)) change.replace = true;
    return change;
  });
}

/** Every property of something created: `+ key: value`, unknowns as "(known after apply)". */
export function addedChanges(news: PropertyMap): PropertyChange[] {
  return Object.keys(news)
    .sort()
    .map((key) => ({ key, kind: 'add', new: redact(news[key]!) }));
}

/** Every property of something deleted: `- key: value`. */
export function removedChanges(olds: PropertyMap): PropertyChange[] {
  return Object.keys(olds)
    .sort()
    .map((key) => ({ key, kind: 'delete', old: redact(olds[key]!) }));
}

/** Changes between two maps where every differing key is a change (refresh drift, outputs). */
export function mapChanges(olds: PropertyMap, news: PropertyMap): PropertyChange[] {
  const changed: string[] = [];
  for (const key of new Set([...Object.keys(olds), ...Object.keys(news)])) {
    if (!valuesEqual(olds[key], news[key])) changed.push(key);
  }
  return propertyChanges(olds, news, { changed: changed.sort(), replace: [] });
}

/** Options recorded in the checkpoint whose change needs a state write but no cloud call. */
export function metadataDiffers(old: ResourceState, next: ResourceState): boolean {
  return (
    Boolean(old.protect) !== Boolean(next.protect) ||
    Boolean(old.retainOnDelete) !== Boolean(next.retainOnDelete) ||
    (old.parent ?? '') !== (next.parent ?? '') ||
    (old.provider ?? '') !== (next.provider ?? '') ||
    !sameList(old.replaceOnChanges, next.replaceOnChanges) ||
    !sameList(old.additionalSecretOutputs, next.additionalSecretOutputs) ||
    !sameList(old.dependencies, next.dependencies) ||
    !sameRecord(old.customTimeouts as Record<string, unknown> | undefined, next.customTimeouts as Record<string, unknown> | undefined, (a, b) => a === b) ||
    !sameRecord(old.propertyDependencies, next.propertyDependencies, (a, b) => sameList(a as string[] | undefined, b as string[] | undefined))
  );
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function sameRecord(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined, same: (x: unknown, y: unknown) => boolean): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b!, k) && same(a![k], b![k]));
}
