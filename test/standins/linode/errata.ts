// Linode's OpenAPI document, as Prism is given it. The published document (test/contracts/
// linode/) describes several schemas as properties beside an `allOf` of inline object schemas
// (or several such branches) where a branch forbids additional properties: read literally, no
// body can satisfy them (a firewall create with `devices`, or `rules.inbound_policy`, which the
// API requires, breaks one part or the other). Such a schema is read as its authors meant it:
// one object with the properties of every part (nested objects merged the same way), still
// closed to anything else. Nothing
// else in the document changes; `ERRATA` counts the merges, and a test pins that number.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LINODE_SPEC } from '../prism.ts';

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

export function correct(doc: unknown): { doc: unknown; merged: number } {
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
  return { doc: walk(doc), merged };
}

let cached: string | undefined;

/** The path of the corrected document (written once per content to the temporary folder). */
export function linodeSpecForPrism(): string {
  if (cached) return cached;
  const text = readFileSync(LINODE_SPEC, 'utf8');
  const path = join(tmpdir(), `sloth-linode-openapi-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.json`);
  if (!existsSync(path)) writeFileSync(path, JSON.stringify(correct(parse(text, { maxAliasCount: -1 })).doc));
  cached = path;
  return path;
}
