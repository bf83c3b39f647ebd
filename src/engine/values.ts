// Desired inputs may hold references to other resources' outputs (known only once those
// resources exist). This file resolves them, compares property values, and renders values
// for people and events without ever revealing a secret.
import { Secret, UNKNOWN_VALUE, reveal, scrubSecrets } from '../state/types.ts';
import type { PropertyMap, PropertyValue } from '../state/types.ts';

/** A reference to an output of another resource: `path` walks into the outputs map. */
export class OutputRef {
  readonly urn: string;
  readonly path: readonly (string | number)[];
  constructor(urn: string, path: readonly (string | number)[]) {
    if (path.length === 0) throw new Error('an output reference needs a property path');
    this.urn = urn;
    this.path = path;
  }
}

export type InputValue = PropertyValue | OutputRef | InputValue[] | { [key: string]: InputValue };
export type InputMap = { [key: string]: InputValue };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Secret) && !(v instanceof OutputRef);
}

/** Every resource an input value refers to, in first-seen order. */
export function referencedUrns(value: InputValue, into: Set<string> = new Set()): Set<string> {
  if (value instanceof OutputRef) into.add(value.urn);
  else if (Array.isArray(value)) for (const v of value) referencedUrns(v, into);
  else if (isPlainObject(value)) for (const v of Object.values(value)) referencedUrns(v as InputValue, into);
  return into;
}

/**
 * Outputs of a resource as far as they are known: undefined means "not known yet" (the
 * resource is still to be created, or will be changed), so references to it resolve to the
 * unknown marker.
 */
export type OutputLookup = (urn: string) => PropertyMap | undefined;

export function resolveInputs(inputs: InputMap, lookup: OutputLookup): PropertyMap {
  return resolveValue(inputs, lookup) as PropertyMap;
}

function resolveValue(value: InputValue, lookup: OutputLookup): PropertyValue {
  if (value instanceof OutputRef) return resolveRef(value, lookup);
  if (value instanceof Secret || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, lookup));
  const out: PropertyMap = {};
  for (const [k, v] of Object.entries(value)) out[k] = resolveValue(v as InputValue, lookup);
  return out;
}

function resolveRef(ref: OutputRef, lookup: OutputLookup): PropertyValue {
  const outputs = lookup(ref.urn);
  if (outputs === undefined) return UNKNOWN_VALUE;
  let cur: PropertyValue = outputs;
  let secret = false;
  for (const step of ref.path) {
    if (cur instanceof Secret) {
      secret = true;
      cur = cur.value;
    }
    if (cur === UNKNOWN_VALUE) return wrap(UNKNOWN_VALUE, secret);
    if (typeof step === 'number' && Array.isArray(cur)) cur = cur[step] ?? null;
    else if (typeof step === 'string' && isPlainObject(cur)) cur = (cur as PropertyMap)[step] ?? null;
    else return wrap(null, secret);
  }
  if (cur instanceof Secret) return new Secret(cur.value);
  return wrap(cur, secret);
}

function wrap(v: PropertyValue, secret: boolean): PropertyValue {
  return secret ? new Secret(v) : v;
}

export function containsUnknown(value: PropertyValue): boolean {
  if (value === UNKNOWN_VALUE) return true;
  if (value instanceof Secret) return containsUnknown(value.value);
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isPlainObject(value)) return Object.values(value).some((v) => containsUnknown(v as PropertyValue));
  return false;
}

export function containsSecret(value: PropertyValue): boolean {
  if (value instanceof Secret) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (isPlainObject(value)) return Object.values(value).some((v) => containsSecret(v as PropertyValue));
  return false;
}

/** Structural equality; a secret equals a secret with an equal value (ciphertexts are ignored). */
export function valuesEqual(a: PropertyValue | undefined, b: PropertyValue | undefined): boolean {
  if (a === b) return true;
  if (a instanceof Secret || b instanceof Secret) {
    return a instanceof Secret && b instanceof Secret && valuesEqual(a.value, b.value);
  }
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => valuesEqual(v, b[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && valuesEqual(a[k], b[k]));
}

/**
 * Returns `next`, reusing the parts of `prev` that are equal to it. An unchanged secret keeps
 * its cached ciphertext, so the state layer writes it back byte-identical (no churn).
 */
export function preserveUnchanged(prev: PropertyValue | undefined, next: PropertyValue): PropertyValue {
  if (prev === undefined) return next;
  if (valuesEqual(prev, next)) return prev;
  if (isPlainObject(prev) && isPlainObject(next)) {
    const out: PropertyMap = {};
    for (const [k, v] of Object.entries(next)) out[k] = preserveUnchanged((prev as PropertyMap)[k], v as PropertyValue);
    return out;
  }
  return next;
}

export function preserveUnchangedMap(prev: PropertyMap | undefined, next: PropertyMap): PropertyMap {
  return preserveUnchanged(prev, next) as PropertyMap;
}

/** Wraps the named top-level keys as secrets (idempotent). */
export function markSecret(map: PropertyMap, keys: readonly string[] | undefined): PropertyMap {
  if (!keys || keys.length === 0) return map;
  let out: PropertyMap | undefined;
  for (const k of keys) {
    const v = map[k];
    if (v === undefined || v instanceof Secret) continue;
    out ??= { ...map };
    out[k] = new Secret(v);
  }
  return out ?? map;
}

export const SECRET_DISPLAY = '[secret]';
export const UNKNOWN_DISPLAY = '(known after apply)';

/** A JSON-safe copy for events and output: secrets become `[secret]`, unknowns a readable marker. */
export function redact(value: PropertyValue): unknown {
  // A value not known yet holds no secret: say it is unknown.
  if (value instanceof Secret) return value.value === UNKNOWN_VALUE ? UNKNOWN_DISPLAY : SECRET_DISPLAY;
  if (value === UNKNOWN_VALUE) return UNKNOWN_DISPLAY;
  if (Array.isArray(value)) return value.map(redact);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(v as PropertyValue);
    return out;
  }
  return value;
}

/** One-line rendering of a value for diffs. */
export function formatValue(value: PropertyValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (value instanceof Secret) return value.value === UNKNOWN_VALUE ? UNKNOWN_DISPLAY : SECRET_DISPLAY;
  if (value === UNKNOWN_VALUE) return UNKNOWN_DISPLAY;
  if (containsSecret(value) || containsUnknown(value)) return JSON.stringify(redact(value));
  return JSON.stringify(value);
}

/**
 * Every secret string (at least 4 characters) held in the given maps, longest first, so that
 * error text from a provider can be scrubbed before it reaches events, logs or the terminal.
 */
export function secretStrings(...maps: (PropertyMap | undefined)[]): string[] {
  const found = new Set<string>();
  const visit = (v: PropertyValue, inSecret: boolean): void => {
    if (v instanceof Secret) visit(v.value, true);
    else if (typeof v === 'string') {
      if (inSecret && v.length >= 4) found.add(v);
    } else if (inSecret && (typeof v === 'number' || typeof v === 'boolean')) {
      // Short scalars would scrub innocent text; only strings are worth hiding.
    } else if (Array.isArray(v)) for (const x of v) visit(x, inSecret);
    else if (isPlainObject(v)) for (const x of Object.values(v)) visit(x as PropertyValue, inSecret);
  };
  for (const m of maps) if (m) visit(m, false);
  return [...found].sort((a, b) => b.length - a.length);
}

export { scrubSecrets as scrub };

/** The plain value with every secret unwrapped: what providers receive. */
export { reveal };

export function revealMap(map: PropertyMap): PropertyMap {
  return reveal(map) as PropertyMap;
}

/** Keeps secret the keys of `next` that were secret in `prev` (values read back from a cloud). */
export function keepSecretness(prev: PropertyMap | undefined, next: PropertyMap, extraKeys: readonly string[] = []): PropertyMap {
  const keys = new Set(extraKeys);
  for (const [k, v] of Object.entries(prev ?? {})) if (containsSecret(v)) keys.add(k);
  return markSecret(next, [...keys]);
}
