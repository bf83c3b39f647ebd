// The JSON form of a configuration, secret redaction, and the configuration hash.
import { createHash } from 'node:crypto';
import type { ClusterConfig } from './schema.ts';
import { clusterSchema } from './schema.ts';
import type { Fields, Spec } from './schema-dsl.ts';

/** What a secret value is replaced by in redacted output. */
export const REDACTED = '[secret]';

type Obj = Record<string, unknown>;

// Copies follow the schema's key order, so the JSON form reads like the reference docs
// whatever order the Lisp was written in.
function copyValue(spec: Spec, value: unknown, hide: boolean): unknown {
  if (value === undefined) return undefined;
  if (spec.secret && hide) return REDACTED;
  switch (spec.kind) {
    case 'section':
      return copyFields(spec.fields, value as Obj, hide);
    case 'named': {
      const out: Obj = {};
      for (const [name, entry] of Object.entries(value as Record<string, Obj>)) out[name] = copyFields(spec.item.fields, entry, hide);
      return out;
    }
    case 'forms':
      return (value as Obj[]).map((item) => {
        const tag = spec.tagField ? (item[spec.tagField] as string) : Object.keys(spec.forms)[0]!;
        const form = spec.forms[tag]!;
        return { ...(spec.tagField ? { [spec.tagField]: tag } : {}), ...copyFields(form.fields, item, hide) };
      });
    case 'list':
      return [...(value as string[])];
    case 'map': {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(value as Record<string, string | string[]>)) out[k] = Array.isArray(v) ? [...v] : v;
      return out;
    }
    default:
      return value;
  }
}

function copyFields(fields: Fields, obj: Obj, hide: boolean): Obj {
  const out: Obj = {};
  for (const [prop, spec] of Object.entries(fields)) {
    const v = copyValue(spec, obj[prop], hide);
    if (v !== undefined) out[prop] = v;
  }
  return out;
}

/** A deep copy, in schema key order, with every secret-bearing value replaced by "[secret]". */
export function redact(config: ClusterConfig): ClusterConfig {
  return copyFields(clusterSchema.fields, config as unknown as Obj, true) as unknown as ClusterConfig;
}

/** A deep copy in schema key order. */
export function cloneConfig(config: ClusterConfig): ClusterConfig {
  return copyFields(clusterSchema.fields, config as unknown as Obj, false) as unknown as ClusterConfig;
}

/** Paths (Lisp keys) of the secret values a configuration holds: `providers.aws.secret-access-key`. */
export function secretPaths(config: ClusterConfig): string[] {
  const paths: string[] = [];
  const walk = (fields: Fields, obj: Obj, path: string) => {
    for (const [prop, spec] of Object.entries(fields)) {
      const value = obj[prop];
      if (value === undefined) continue;
      const key = spec.key ?? prop.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      const p = path ? `${path}.${key}` : key;
      if (spec.secret) paths.push(p);
      else if (spec.kind === 'section') walk(spec.fields, value as Obj, p);
      else if (spec.kind === 'named') for (const [n, e] of Object.entries(value as Record<string, Obj>)) walk(spec.item.fields, e, `${p}.${n}`);
      else if (spec.kind === 'forms')
        (value as Obj[]).forEach((item, i) => {
          const tag = spec.tagField ? (item[spec.tagField] as string) : Object.keys(spec.forms)[0]!;
          const form = spec.forms[tag];
          if (form) walk(form.fields, item, `${p}[${i}]`);
        });
    }
  };
  walk(clusterSchema.fields, config as unknown as Obj, '');
  return paths;
}

/** The JSON form: camelCase keys as in ClusterConfig, secrets redacted unless asked for. */
export function toJSON(config: ClusterConfig, options: { showSecrets?: boolean } = {}): string {
  return `${JSON.stringify(options.showSecrets ? cloneConfig(config) : redact(config), null, 2)}\n`;
}

/** JSON with object keys sorted at every level, no whitespace: equal configs, equal text. */
export function canonicalJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Obj)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJSON(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 (hex) of the canonical JSON of the redacted configuration. Secrets do not enter it:
 * the hash is recorded in plaintext history, and rotating a credential is not a change of
 * the cluster's shape.
 */
export function configHash(config: ClusterConfig): string {
  return createHash('sha256').update(canonicalJSON(redact(config))).digest('hex');
}

/**
 * Whether a stored configuration JSON text is exactly this layer's JSON form of a configuration
 * (ours), as opposed to an earlier writer's.
 */
export function isConfigJson(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as unknown;
    return !!parsed && typeof parsed === 'object' && toJSON(parsed as ClusterConfig, { showSecrets: true }) === text;
  } catch {
    return false;
  }
}
