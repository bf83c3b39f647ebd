// Google Compute Engine's published contract, as the official client ships it: the protobuf
// descriptors of @google-cloud/compute (build/protos/protos.json, generated from Google's
// API definitions). Two things come from them:
//   - `rpcFor(method, path)`: which RPC an HTTP request is, by the `google.api.http` rules of
//     the services (the REST transcoding the client itself uses), with its request message,
//     the field that carries the body, and the response message;
//   - `checkMessage(type, json)`: what a JSON body breaks in a message (proto3 JSON mapping):
//     a field the message does not have, at any depth, a value of the wrong type, an enum
//     value the enum does not have. Request messages also check their REQUIRED fields.
import { createRequire } from 'node:module';

interface Field {
  type: string;
  rule?: 'repeated';
  keyType?: string;
  options?: Record<string, unknown>;
}
interface MessageDef {
  fields: Record<string, Field>;
  nested?: Record<string, MessageDef | EnumDef>;
}
interface EnumDef {
  values: Record<string, number>;
}
interface MethodDef {
  requestType: string;
  responseType: string;
  options?: Record<string, string>;
}

const require = createRequire(import.meta.url);
const root = require('@google-cloud/compute/build/protos/protos.json') as { nested: Record<string, { nested: Record<string, unknown> }> };
const V1 = (root.nested.google!.nested.cloud as { nested: { compute: { nested: { v1: { nested: Record<string, MessageDef | EnumDef | { methods: Record<string, MethodDef> }> } } } } }).nested.compute.nested.v1.nested;

export interface Rpc {
  /** `Service.Method`, e.g. `Networks.Insert`. */
  name: string;
  requestType: string;
  responseType: string;
  /** The request field the body carries (camelCase), or undefined (no body). */
  bodyField?: string;
  /** The path parameters, by name (camelCase). */
  params: Record<string, string>;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

interface Rule {
  name: string;
  verb: string;
  re: RegExp;
  names: string[];
  method: MethodDef;
}

const RULES: Rule[] = [];
for (const [service, def] of Object.entries(V1)) {
  const methods = (def as { methods?: Record<string, MethodDef> }).methods;
  if (!methods) continue;
  for (const [name, m] of Object.entries(methods)) {
    for (const verb of ['get', 'post', 'put', 'patch', 'delete']) {
      const template = m.options?.[`(google.api.http).${verb}`];
      if (!template) continue;
      const names: string[] = [];
      const re = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{([a-z_]+)\}/g, (_, n: string) => (names.push(camel(n)), '([^/]+)'))}$`);
      RULES.push({ name: `${service}.${name}`, verb: verb.toUpperCase(), re, names, method: m });
    }
  }
}
// Literal paths first (`…/images/family/{family}` before `…/images/{image}`).
RULES.sort((a, b) => b.re.source.replace(/\(\[\^\/\]\+\)/g, '').length - a.re.source.replace(/\(\[\^\/\]\+\)/g, '').length);

/** The RPC an HTTP request is, or undefined when no rule of the API matches it. */
export function rpcFor(method: string, path: string): Rpc | undefined {
  for (const r of RULES) {
    if (r.verb !== method) continue;
    const m = r.re.exec(path);
    if (!m) continue;
    const body = r.method.options?.['(google.api.http).body'];
    return { name: r.name, requestType: r.method.requestType, responseType: r.method.responseType, bodyField: body ? camel(body) : undefined, params: Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
  }
  return undefined;
}

function lookup(type: string, scope?: MessageDef): MessageDef | EnumDef | undefined {
  return (scope?.nested?.[type] as MessageDef | EnumDef | undefined) ?? (V1[type] as MessageDef | EnumDef | undefined);
}

/** The type of the request field that carries the body. */
export function bodyType(rpc: Rpc): string | undefined {
  if (!rpc.bodyField) return undefined;
  const req = lookup(rpc.requestType) as MessageDef;
  return req.fields[rpc.bodyField]?.type;
}

/** Query parameters that the request message does not have. */
export function checkQuery(rpc: Rpc, query: URLSearchParams): string[] {
  const req = lookup(rpc.requestType) as MessageDef;
  return [...query.keys()].filter((k) => k !== '$alt' && k !== 'alt' && !(k in req.fields)).map((k) => `${rpc.name}: query parameter '${k}' is not a field of ${rpc.requestType}`);
}

const INTS = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** What `json` breaks in message `type` (empty: it keeps the contract). */
export function checkMessage(type: string, json: unknown, options: { required?: boolean } = {}): string[] {
  const problems: string[] = [];
  checkValue(type, undefined, json, type, problems);
  if (options.required) {
    const def = lookup(type) as MessageDef;
    for (const [name, f] of Object.entries(def.fields)) {
      if (f.options?.['(google.api.field_behavior)'] === 'REQUIRED' && (json as Record<string, unknown>)?.[name] === undefined) problems.push(`${type}.${name}: REQUIRED, missing`);
    }
  }
  return problems;
}

function checkValue(type: string, scope: MessageDef | undefined, v: unknown, path: string, problems: string[]): void {
  if (v === null || v === undefined) return;
  const bad = (what: string) => problems.push(`${path}: ${what} (got ${JSON.stringify(v).slice(0, 60)})`);
  if (type === 'string' || type === 'bytes') return void (typeof v !== 'string' && bad(`a ${type} must be a string`));
  if (type === 'bool') return void (typeof v !== 'boolean' && bad('a bool must be true or false'));
  if (type === 'double' || type === 'float') return void (typeof v !== 'number' && bad(`a ${type} must be a number`));
  if (INTS.has(type)) return void (!Number.isInteger(v) && bad(`an ${type} must be an integer`));
  if (LONGS.has(type)) return void (!(Number.isInteger(v) || (typeof v === 'string' && /^-?\d+$/.test(v))) && bad(`an ${type} must be an integer or a decimal string`));
  const def = lookup(type, scope);
  if (!def) return void problems.push(`${path}: the descriptors name type ${type}, which they do not define`);
  if ('values' in def) return void (!(typeof v === 'string' && v in def.values) && bad(`not a value of enum ${type}`));
  if (typeof v !== 'object' || Array.isArray(v)) return void bad(`a ${type} must be an object`);
  for (const [k, fv] of Object.entries(v)) {
    const f = def.fields[k];
    if (!f) {
      problems.push(`${path}.${k}: ${type} has no such field`);
      continue;
    }
    if (f.keyType) {
      if (typeof fv !== 'object' || fv === null || Array.isArray(fv)) problems.push(`${path}.${k}: a map must be an object`);
      else for (const [mk, mv] of Object.entries(fv)) checkValue(f.type, def, mv, `${path}.${k}.${mk}`, problems);
    } else if (f.rule === 'repeated') {
      if (!Array.isArray(fv)) problems.push(`${path}.${k}: a repeated field must be a list`);
      else fv.forEach((x, i) => checkValue(f.type, def, x, `${path}.${k}[${i}]`, problems));
    } else checkValue(f.type, def, fv, `${path}.${k}`, problems);
  }
}
