// A vendor's OpenAPI document as Prism is given it: the published document (test/contracts/)
// with the corrections listed here applied, each a reading of what the authors meant that
// the document as written makes impossible. Nothing else changes. Each correction counts what
// it changed; a test pins the counts, so a new contract version is looked at again.
//
// - Linode (`mergeClosedAllOf`): several schemas are properties beside an `allOf` of inline
//   object schemas (or several such branches) where a branch forbids additional properties:
//   read literally, no body satisfies them (a firewall create with `devices`, or
//   `rules.inbound_policy`, which the API requires, breaks one part or the other). Read as one
//   object with the properties of every part (nested objects merged the same way), still
//   closed to anything else.
// - Hetzner (`upperCaseStatusRanges`): the conversion names response ranges `4xx`/`5xx`;
//   OpenAPI spells them `4XX`/`5XX`, and Prism matches no error answer to the lower-case form.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

type Schema = { [k: string]: unknown };
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Merges two inline object schemas: properties (recursively), required, closedness. */
function merge(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a, ...b };
  const pa = (a.properties ?? {}) as Record<string, unknown>;
  const pb = (b.properties ?? {}) as Record<string, unknown>;
  const props: Record<string, unknown> = { ...pa };
  for (const [k, v] of Object.entries(pb)) props[k] = isObject(props[k]) && isObject(v) && 'properties' in (props[k] as Schema) && 'properties' in v ? merge(props[k] as Schema, v) : v;
  out.properties = props;
  const required = [...new Set([...((a.required as string[] | undefined) ?? []), ...((b.required as string[] | undefined) ?? [])])];
  if (required.length) out.required = required;
  else delete out.required;
  if (a.additionalProperties === false || b.additionalProperties === false) out.additionalProperties = false;
  return out;
}

export function mergeClosedAllOf(doc: unknown): { doc: unknown; changed: number } {
  let merged = 0;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isObject(node)) return node;
    const out: Schema = {};
    for (const [k, v] of Object.entries(node)) out[k] = walk(v);
    const parts = out.allOf;
    if (!Array.isArray(parts) || !parts.every((p) => isObject(p) && !('$ref' in p) && (p.type === undefined || p.type === 'object') && 'properties' in p)) return out;
    const { allOf: _drop, ...own } = out;
    const all = [...('properties' in own ? [own] : []), ...(parts as Schema[])];
    if (all.length < 2 || !all.some((p) => p.additionalProperties === false)) return out;
    merged++;
    return all.reduce(merge);
    return out;
  };
  return { doc: walk(doc), changed: merged };
}

export function upperCaseStatusRanges(doc: unknown): { doc: unknown; changed: number } {
  let changed = 0;
  const walk = (node: unknown, key?: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n));
    if (!isObject(node)) return node;
    const out: Schema = {};
    for (const [k, v] of Object.entries(node)) {
      const upper = key === 'responses' && /^[1-5]xx$/.test(k) ? k.toUpperCase() : k;
      if (upper !== k) changed++;
      out[upper] = walk(v, k);
    }
    return out;
  };
  return { doc: walk(doc), changed };
}

export type Correction = (doc: unknown) => { doc: unknown; changed: number };

const written = new Map<string, string>();

/** The path of the corrected document (written once per content to the temporary folder). */
export function specForPrism(spec: string, corrections: readonly Correction[]): string {
  const key = `${spec}\u0000${corrections.map((c) => c.name).join(',')}`;
  if (written.has(key)) return written.get(key)!;
  const text = readFileSync(spec, 'utf8');
  const path = join(tmpdir(), `sloth-openapi-${createHash('sha256').update(key).update(text).digest('hex').slice(0, 16)}.json`);
  if (!existsSync(path)) {
    let doc = spec.endsWith('.json') ? (JSON.parse(text) as unknown) : (parse(text, { maxAliasCount: -1 }) as unknown);
    for (const c of corrections) doc = c(doc).doc;
    writeFileSync(path, JSON.stringify(doc));
  }
  written.set(key, path);
  return path;
}
