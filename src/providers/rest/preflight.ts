// Helpers every pre-flight of this folder shares: a planned input's value when it is known
// (values that depend on resources not made yet are UNKNOWN_VALUE), and one problem per config
// origin and value ("size 'x' does not exist (also workers-2, workers-3)").
import { UNKNOWN_VALUE } from '../../state/types.ts';
import type { PropertyMap } from '../../state/types.ts';
import type { PreflightItem } from '../../engine/index.ts';

export const known = (inputs: PropertyMap, key: string): string | undefined => {
  const v = inputs[key];
  return typeof v === 'string' && v !== '' && v !== UNKNOWN_VALUE ? v : undefined;
};

export const nameOf = (item: PreflightItem): string => item.urn.slice(item.urn.lastIndexOf('::') + 2);

/** Items of the same config origin (a node pool) that name the same value, keyed by that value. */
export function group(items: readonly PreflightItem[], key: (i: PreflightItem) => string | undefined): { value: string; items: PreflightItem[] }[] {
  const out = new Map<string, { value: string; items: PreflightItem[] }>();
  for (const item of items) {
    const value = key(item);
    if (value === undefined) continue;
    const k = `${value}\u0000${item.sourcePosition ?? ''}`;
    if (!out.has(k)) out.set(k, { value, items: [] });
    out.get(k)!.items.push(item);
  }
  return [...out.values()];
}

/** " (also b, c)" for the items after the first. */
export const also = (items: readonly PreflightItem[]): string => (items.length > 1 ? ` (also ${items.slice(1).map(nameOf).join(', ')})` : '');
