import type { PropertyMap } from '../../state/types.ts';

// Input accessors: the engine hands providers plain values; the planner's contract says which
// keys exist, and these fail loudly when one is missing or of the wrong kind.
export function str(inputs: PropertyMap, key: string): string {
  const v = inputs[key];
  if (typeof v !== 'string' || v === '') throw new Error(`input '${key}' must be a non-empty string`);
  return v;
}

export function optStr(inputs: PropertyMap, key: string): string | undefined {
  const v = inputs[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Error(`input '${key}' must be a string`);
  return v;
}

export function num(inputs: PropertyMap, key: string): number {
  const v = inputs[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`input '${key}' must be a number`);
  return v;
}

export function bool(inputs: PropertyMap, key: string, fallback: boolean): boolean {
  const v = inputs[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new Error(`input '${key}' must be true or false`);
  return v;
}

export function strList(inputs: PropertyMap, key: string): string[] {
  const v = inputs[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(`input '${key}' must be a list of strings`);
  return v as string[];
}

export function list(inputs: PropertyMap, key: string): PropertyMap[] {
  const v = inputs[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) throw new Error(`input '${key}' must be a list of objects`);
  return v as PropertyMap[];
}

/** The same strings, in any order (a list read back from a cloud that does not keep the order). */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
