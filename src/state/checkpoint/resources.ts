// ResourceV3 between checkpoint JSON and ResourceState (STATE-FORMAT.md §2.4). Keys are
// written in Pulumi's order and empty fields are omitted, as Pulumi's `omitempty` does, so a
// checkpoint we write diffs cleanly against one Pulumi wrote.
import type { PendingOperation, PendingOperationType, PropertyMap, ResourceState } from '../types.ts';
import { decodeMapValue, decodeValue, encodeValue, PropertyValueError } from './property-values.ts';
import type { DecodeOptions, EncodeOptions } from './property-values.ts';

export type JsonObject = Record<string, unknown>;

type Kind = 'string' | 'bool' | 'strings' | 'map' | 'propdeps' | 'timeouts' | 'value' | 'stacktrace';

/** Pulumi's field order (apitype.ResourceV3). */
const FIELDS: [keyof ResourceState, Kind][] = [
  ['urn', 'string'],
  ['custom', 'bool'],
  ['delete', 'bool'],
  ['id', 'string'],
  ['type', 'string'],
  ['inputs', 'map'],
  ['outputs', 'map'],
  ['parent', 'string'],
  ['protect', 'bool'],
  ['external', 'bool'],
  ['dependencies', 'strings'],
  ['initErrors', 'strings'],
  ['provider', 'string'],
  ['propertyDependencies', 'propdeps'],
  ['pendingReplacement', 'bool'],
  ['additionalSecretOutputs', 'strings'],
  ['aliases', 'strings'],
  ['customTimeouts', 'timeouts'],
  ['importID', 'string'],
  ['retainOnDelete', 'bool'],
  ['deletedWith', 'string'],
  ['created', 'string'],
  ['modified', 'string'],
  ['sourcePosition', 'string'],
  ['stackTrace', 'stacktrace'],
  ['ignoreChanges', 'strings'],
  ['hideDiff', 'strings'],
  ['replaceOnChanges', 'strings'],
  ['replacementTrigger', 'value'],
  ['refreshBeforeUpdate', 'bool'],
];

export const KNOWN_RESOURCE_KEYS = new Set<string>(FIELDS.map(([k]) => k));
const TIMEOUT_KEYS = ['create', 'update', 'delete', 'read'] as const;
export const PENDING_TYPES: PendingOperationType[] = ['creating', 'updating', 'deleting', 'reading', 'importing'];

export function decodeResource(raw: unknown, opts: DecodeOptions, where: string): ResourceState {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PropertyValueError(`${where}: a resource must be an object`);
  const obj = raw as JsonObject;
  const urn = typeof obj.urn === 'string' ? obj.urn : '?';
  const at = `${where} (${urn})`;
  const out: Record<string, unknown> = {};
  for (const [key, kind] of FIELDS) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    switch (kind) {
      case 'string':
        if (typeof v !== 'string') throw wrongType(at, key);
        out[key] = v;
        break;
      case 'bool':
        if (typeof v !== 'boolean') throw wrongType(at, key);
        out[key] = v;
        break;
      case 'strings':
        if (!Array.isArray(v) || v.some((e) => typeof e !== 'string')) throw wrongType(at, key);
        out[key] = [...(v as string[])];
        break;
      case 'map':
        out[key] = decodeMapValue(v, opts, `${at}.${key}`);
        break;
      case 'value':
        out[key] = decodeValue(v, opts, `${at}.${key}`);
        break;
      case 'propdeps': {
        if (typeof v !== 'object' || Array.isArray(v)) throw wrongType(at, key);
        const deps: Record<string, string[]> = {};
        for (const [prop, list] of Object.entries(v as JsonObject)) {
          // Pulumi's own fixtures hold `null` here; it means "no dependencies".
          if (list === null) deps[prop] = [];
          else if (Array.isArray(list) && list.every((e) => typeof e === 'string')) deps[prop] = [...(list as string[])];
          else throw wrongType(at, key);
        }
        out[key] = deps;
        break;
      }
      case 'timeouts': {
        if (typeof v !== 'object' || Array.isArray(v)) throw wrongType(at, key);
        const t: Record<string, number> = {};
        for (const k of TIMEOUT_KEYS) {
          const n = (v as JsonObject)[k];
          if (n === undefined) continue;
          if (typeof n !== 'number') throw wrongType(at, key);
          t[k] = n;
        }
        out[key] = t;
        break;
      }
      case 'stacktrace':
        if (!Array.isArray(v)) throw wrongType(at, key);
        out[key] = v.map((e) => ({ ...(e as JsonObject) }));
        break;
    }
  }
  if (typeof out.urn !== 'string' || out.urn === '') throw new PropertyValueError(`${where}: a resource has no "urn"`);
  if (typeof out.type !== 'string' || out.type === '') throw new PropertyValueError(`${at}: the resource has no "type"`);
  out.custom = out.custom === true;
  return out as unknown as ResourceState;
}

// A function, not a closure made for each field: a bundle (keepNames) names every closure it makes.
const wrongType = (at: string, key: string) => new PropertyValueError(`${at}: field "${key}" has the wrong type`);

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object' && v.constructor === Object) return Object.keys(v).length === 0;
  return false;
}

export function encodeResource(r: ResourceState, opts: EncodeOptions): JsonObject {
  const out: JsonObject = {};
  for (const [key, kind] of FIELDS) {
    const v = r[key];
    if (key === 'urn' || key === 'type' || key === 'custom') {
      out[key] = key === 'custom' ? r.custom === true : v;
      continue;
    }
    if (kind === 'value' ? v === undefined : isEmpty(v)) continue;
    if (kind === 'map') out[key] = encodeValue(v as PropertyMap, opts);
    else if (kind === 'value') out[key] = encodeValue(v as PropertyMap, opts);
    else out[key] = v;
  }
  return out;
}

export function decodePendingOperation(raw: unknown, opts: DecodeOptions, where: string): PendingOperation {
  const obj = raw as JsonObject | null;
  if (!obj || typeof obj !== 'object' || !PENDING_TYPES.includes(obj.type as PendingOperationType)) {
    throw new PropertyValueError(`${where}: a pending operation needs a "resource" and a "type" (${PENDING_TYPES.join(', ')})`);
  }
  return { resource: decodeResource(obj.resource, opts, `${where}.resource`), type: obj.type as PendingOperationType };
}

export function encodePendingOperation(op: PendingOperation, opts: EncodeOptions): JsonObject {
  return { resource: encodeResource(op.resource, opts), type: op.type };
}
