// Azure's published contract, as the official SDK ships it: the serialization mappers of
// @azure/arm-resources, -network, -compute and -dns (generated from the Azure REST API specs).
// `checkAzure(model, value, direction)` walks a JSON body against a model's mapper and lists
// everything that breaks it: a field the model does not have (at any depth, flattened
// `properties.*` included), a value of the wrong type, an enum value it does not allow, a
// broken constraint, a required field missing, a read-only field in a request. The SDK's own
// serializer drops unknown fields silently; this check does not.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Mapper {
  serializedName?: string;
  required?: boolean;
  readOnly?: boolean;
  nullable?: boolean;
  constraints?: { Pattern?: string | RegExp; MaxLength?: number; MinLength?: number; InclusiveMaximum?: number; InclusiveMinimum?: number; MaxItems?: number; MinItems?: number };
  type: {
    name: string;
    className?: string;
    modelProperties?: Record<string, Mapper>;
    additionalProperties?: unknown;
    element?: Mapper;
    value?: Mapper;
    allowedValues?: unknown[];
  };
}
type Mappers = Record<string, Mapper>;

const require = createRequire(import.meta.url);
const pkgDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** Every model of the four SDKs (names are unique across them, or the same model). */
async function loadAll(): Promise<Mappers> {
  const files = [
    join(pkgDir('@azure/arm-resources'), 'dist/commonjs/models/mappers.js'),
    join(pkgDir('@azure/arm-network'), 'dist/commonjs/models/mappers.js'),
    join(pkgDir('@azure/arm-compute'), 'dist/commonjs/models/mappers.js'),
  ];
  const all: Mappers = {};
  for (const f of files) Object.assign(all, require(f) as Mappers);
  // @azure/arm-dns ships its mappers as an ES module.
  const dns = (await import(pathToFileURL(join(pkgDir('@azure/arm-dns'), 'dist-esm/src/models/mappers.js')).href)) as Mappers;
  for (const [k, v] of Object.entries(dns)) if (!(k in all)) all[k] = v;
  // The record set of DNS and of the other SDKs differ: keep DNS's under its own name.
  all['DnsRecordSet'] = dns['RecordSet']!;
  all['DnsCloudError'] = dns['CloudError']!;
  return all;
}

export const MAPPERS: Mappers = await loadAll();

export type Direction = 'request' | 'response';

/** What the body breaks in the model's mapper (empty: it keeps the contract). */
export function checkAzure(model: string, value: unknown, direction: Direction): string[] {
  const mapper = MAPPERS[model];
  if (!mapper) throw new Error(`no Azure SDK model named ${model}`);
  const problems: string[] = [];
  checkValue(mapper, value, model, direction, problems);
  return problems;
}

/** A body that is a list of a model (image versions). */
export function checkAzureList(model: string, value: unknown, direction: Direction): string[] {
  if (!Array.isArray(value)) return [`${model}[]: not a list`];
  return value.flatMap((v, i) => checkAzure(model, v, direction).map((p) => p.replace(model, `${model}[${i}]`)));
}

function resolve(m: Mapper): Mapper {
  if (m.type.name === 'Composite' && !m.type.modelProperties && m.type.className) {
    const named = MAPPERS[m.type.className];
    if (!named) throw new Error(`the SDK names model ${m.type.className}, which it does not define`);
    return named;
  }
  return m;
}

function checkValue(raw: Mapper, value: unknown, path: string, dir: Direction, problems: string[]): void {
  if (value === null || value === undefined) return;
  const m = resolve(raw);
  const t = m.type.name;
  const bad = (what: string) => problems.push(`${path}: ${what} (got ${JSON.stringify(value).slice(0, 60)})`);
  switch (t) {
    case 'String':
    case 'DateTime':
    case 'DateTimeRfc1123':
    case 'Date':
    case 'TimeSpan':
    case 'ByteArray':
    case 'Base64Url':
    case 'Uuid':
      if (typeof value !== 'string') return void bad(`a ${t} must be a string`);
      if (t.startsWith('DateTime') && Number.isNaN(Date.parse(value))) bad('not a date');
      checkConstraints(m, value, path, problems);
      return;
    case 'Number':
    case 'UnixTime':
      if (typeof value !== 'number') return void bad('a Number must be a number');
      checkConstraints(m, value, path, problems);
      return;
    case 'Boolean':
      if (typeof value !== 'boolean') bad('a Boolean must be true or false');
      return;
    case 'Enum':
      if (!m.type.allowedValues?.includes(value)) bad(`not one of ${JSON.stringify(m.type.allowedValues)}`);
      return;
    case 'Object':
      return;
    case 'Sequence':
      if (!Array.isArray(value)) return void bad('a Sequence must be a list');
      checkConstraints(m, value, path, problems);
      value.forEach((v, i) => checkValue(m.type.element!, v, `${path}[${i}]`, dir, problems));
      return;
    case 'Dictionary':
      if (typeof value !== 'object' || Array.isArray(value)) return void bad('a Dictionary must be an object');
      for (const [k, v] of Object.entries(value)) checkValue(m.type.value!, v, `${path}.${k}`, dir, problems);
      return;
    case 'Composite':
      checkComposite(m, value, path, dir, problems);
      return;
    default:
      problems.push(`${path}: the check does not know mapper type ${t}`);
  }
}

function checkConstraints(m: Mapper, value: string | number | unknown[], path: string, problems: string[]): void {
  const c = m.constraints;
  if (!c) return;
  const fail = (what: string) => problems.push(`${path}: ${what}`);
  if (typeof value === 'string') {
    if (c.MaxLength !== undefined && value.length > c.MaxLength) fail(`longer than ${c.MaxLength}`);
    if (c.MinLength !== undefined && value.length < c.MinLength) fail(`shorter than ${c.MinLength}`);
    if (c.Pattern !== undefined && !new RegExp(c.Pattern).test(value)) fail(`does not match ${String(c.Pattern)}`);
  } else if (typeof value === 'number') {
    if (c.InclusiveMaximum !== undefined && value > c.InclusiveMaximum) fail(`above ${c.InclusiveMaximum}`);
    if (c.InclusiveMinimum !== undefined && value < c.InclusiveMinimum) fail(`below ${c.InclusiveMinimum}`);
  } else {
    if (c.MaxItems !== undefined && value.length > c.MaxItems) fail(`more than ${c.MaxItems} items`);
    if (c.MinItems !== undefined && value.length < c.MinItems) fail(`fewer than ${c.MinItems} items`);
  }
}

interface Node {
  leaf?: Mapper;
  children: Map<string, Node>;
}

/** `properties.addressSpace` → ['properties', 'addressSpace'] (a `\.` is a dot inside a name). */
const segments = (name: string) => name.split(/(?<!\\)\./).map((s) => s.replace(/\\\./g, '.'));

const trees = new WeakMap<Mapper, Node>();
function treeOf(m: Mapper): Node {
  let root = trees.get(m);
  if (root) return root;
  root = { children: new Map() };
  for (const prop of Object.values(m.type.modelProperties ?? {})) {
    if (!prop.serializedName) continue;
    let node = root;
    for (const seg of segments(prop.serializedName)) {
      if (!node.children.has(seg)) node.children.set(seg, { children: new Map() });
      node = node.children.get(seg)!;
    }
    node.leaf = prop;
  }
  trees.set(m, root);
  return root;
}

function checkComposite(m: Mapper, value: unknown, path: string, dir: Direction, problems: string[]): void {
  if (typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${path}: a ${m.type.className} must be an object`);
  const open = m.type.additionalProperties !== undefined;
  const walk = (node: Node, obj: Record<string, unknown>, at: string) => {
    for (const [key, v] of Object.entries(obj)) {
      const child = node.children.get(key);
      if (!child) {
        if (!open) problems.push(`${at}.${key}: ${m.type.className} has no such field`);
        continue;
      }
      if (child.leaf) {
        if (dir === 'request' && child.leaf.readOnly && v !== undefined && v !== null) problems.push(`${at}.${key}: read-only, a request may not set it`);
        checkValue(child.leaf, v, `${at}.${key}`, dir, problems);
      } else if (v !== null && v !== undefined) {
        if (typeof v !== 'object' || Array.isArray(v)) problems.push(`${at}.${key}: must be an object`);
        else walk(child, v as Record<string, unknown>, `${at}.${key}`);
      }
    }
  };
  walk(treeOf(m), value as Record<string, unknown>, path);
  for (const prop of Object.values(m.type.modelProperties ?? {})) {
    if (!prop.required || !prop.serializedName || (dir === 'request' && prop.readOnly)) continue;
    let v: unknown = value;
    for (const seg of segments(prop.serializedName)) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
    if (v === undefined) problems.push(`${path}.${prop.serializedName}: required by ${m.type.className}, missing`);
  }
}
