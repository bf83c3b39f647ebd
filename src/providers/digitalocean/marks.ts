// How an object we create carries its URN tag, so that `adopt` finds what an interrupted
// create left behind (DigitalOcean has no idempotency key). Droplets take tags; VPCs a
// description; firewalls and load balancers have neither, so their name ends with a short
// form of the tag; SSH keys are unique by fingerprint and named with the tag.
import type { PropertyMap } from '../../state/types.ts';

/** The DigitalOcean tag a droplet carries (tag names allow letters, digits, `:`, `-`, `_`). */
export const urnTagName = (urnTag: string): string => `sloth-urn:${urnTag}`;

export const isUrnTagName = (tag: string): boolean => tag.startsWith('sloth-urn:');

/** The VPC description (at most 255 characters). */
export const urnDescription = (urnTag: string): string => `managed by sloth-kubernetes (urn ${urnTag})`;

/** Suffix of firewall and load balancer names: 16 hex characters of the URN tag. */
export const nameSuffix = (urnTag: string): string => `-${urnTag.slice(0, 16)}`;

export const withSuffix = (name: string, urnTag: string): string => `${name}${nameSuffix(urnTag)}`;

/** The name as the config gave it, without our suffix (names not carrying it are returned as they are). */
export function withoutSuffix(name: string): string {
  return name.replace(/-[0-9a-f]{16}$/, '');
}

/** SSH key names carry the tag in brackets. */
export const keyName = (name: string, urnTag: string): string => `${name} [${urnTagName(urnTag)}]`;

export function keyNameBase(name: string): string {
  return name.replace(/ \[sloth-urn:[0-9a-f]+\]$/, '');
}

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
