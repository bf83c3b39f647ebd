// Lisp syntax → configuration data, guided by the schema. The schema decides what a list
// is: inside a section, a list whose head is one of the section's keys is that key, even
// when a built-in shares its name (`(user "ubuntu")` in an image block); where a value is
// expected, a list is evaluated; a built-in call standing where a key would be
// (`(when (env? "PROD") (monitoring …))`) is evaluated by the interpreter and the sections
// it yields are spliced in. Every problem is collected, never thrown, so the user sees them
// all at once. Defaults declared in the schema are filled here; defaults derived from other
// keys are filled by derive.ts.
import { LispError } from '../lisp/index.ts';
import type { ListNode, Located, Node, Pos, SymbolNode, Value } from '../lisp/index.ts';
import type { Diagnostics } from './diagnostics.ts';
import { closest, didYouMean } from './did-you-mean.ts';
import { SourceMap, joinPath } from './source-map.ts';
import {
  fillDefaults,
  keyIndex,
  lispKey,
  type KeyIndex,
  type EnumSpec,
  type FormsSpec,
  type ListSpec,
  type MapSpec,
  type NamedSpec,
  type SectionSpec,
  type Spec,
} from './schema-dsl.ts';

/**
 * What the decoder needs from the Lisp interpreter (src/lisp `Interpreter` provides it).
 * Scopes are opaque here: they are only handed back to the interpreter.
 */
export interface ConfigEvaluator {
  readonly globals: unknown;
  isBuiltin(name: string): boolean;
  evalValue(node: Node, scope: unknown): Value;
  evalBareword(node: Node, scope: unknown): Value;
  expandSection(node: Node, scope: unknown, isKey: (name: string) => boolean): Array<{ node: Node; scope: unknown }>;
}

type Obj = Record<string, unknown>;

/**
 * Keys other tools (and older examples) accept in one section that live elsewhere here:
 * section path → key → the section it belongs in.
 */
const ELSEWHERE: Record<string, Record<string, string>> = {
  '': {
    salt: 'addons',
    argocd: 'addons',
    'private-cluster': 'network',
    wireguard: 'network',
    tailscale: 'network',
    dns: 'network',
    firewall: 'network',
    bastion: 'security',
    ssh: 'security',
    rke2: 'kubernetes',
    k3s: 'kubernetes',
  },
  'kubernetes.rke2': { 'tls-san': 'kubernetes', version: 'kubernetes' },
  'kubernetes.k3s': { 'tls-san': 'kubernetes', version: 'kubernetes' },
};

/** Key names that suggest a credential (for hiding source lines of misspelt keys). */
const CREDENTIAL_NAME = /token|password|secret|credential|access-key|api-key|auth-key/i;

/** Names that may become object keys: letters/digits first and last, `-._/` inside. */
const MAP_KEY = /^[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,251}[A-Za-z0-9])?$/;
/**
 * A named section's name: a DNS label (it becomes part of host names and resource names)
 * that starts with a letter (so that it reads as a name, never as a number).
 */
const ENTRY_NAME = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function describeValue(v: Value, secret = false): string {
  if (v === null) return 'nil';
  if (Array.isArray(v)) return `a list of ${v.length} ${v.length === 1 ? 'item' : 'items'}`;
  switch (typeof v) {
    case 'string':
      return secret ? 'a string' : `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`;
    case 'number':
      return secret ? 'a number' : `${Number.isInteger(v) ? 'the integer' : 'the number'} ${v}`;
    case 'boolean':
      return secret ? 'a boolean' : `the boolean ${v}`;
    default:
      return `the symbol ${v.symbol}`;
  }
}

function nodeKind(node: Node): string {
  switch (node.kind) {
    case 'list':
      return node.items.length === 0 ? 'an empty list' : 'a list';
    case 'symbol':
      return `the symbol ${node.name}`;
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'bool':
      return 'a boolean';
    case 'nil':
      return 'nil';
  }
}

function headSymbol(node: Node): SymbolNode | undefined {
  if (node.kind !== 'list') return undefined;
  const head = node.items[0];
  return head?.kind === 'symbol' ? head : undefined;
}

/** Whether every item after the head is a `(key …)` form of the section. */
function allKeys(items: readonly Node[], index: KeyIndex): boolean {
  for (let i = 1; i < items.length; i++) {
    const h = headSymbol(items[i]!);
    if (h === undefined || !index.byKey.has(h.name)) return false;
  }
  return true;
}

function expectedType(spec: Spec): string {
  switch (spec.kind) {
    case 'string':
      return spec.fromNumber ? 'a string or a number' : 'a string';
    case 'int':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'bool':
      return 'a boolean (true or false)';
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    default:
      return spec.kind;
  }
}

export class Decoder {
  private readonly ev: ConfigEvaluator;
  private readonly diags: Diagnostics;
  readonly positions: SourceMap;
  private readonly showSecrets: boolean;

  constructor(ev: ConfigEvaluator, diags: Diagnostics, options: { showSecrets?: boolean } = {}) {
    this.ev = ev;
    this.diags = diags;
    this.positions = new SourceMap();
    this.showSecrets = options.showSecrets ?? false;
  }

  /** The whole file: exactly one `(cluster …)` form, possibly produced by `let`/`when` around it. */
  decodeProgram(nodes: readonly Node[], root: SectionSpec, file: string): Obj | undefined {
    const clusters: Array<{ node: ListNode; scope: unknown }> = [];
    for (const top of nodes) {
      for (const { node, scope } of this.expand(top, this.ev.globals, (n) => n === 'cluster')) {
        const head = headSymbol(node);
        if (head?.name === 'cluster') {
          clusters.push({ node: node as ListNode, scope });
        } else if (head) {
          this.diags.error(`unknown top-level form '${head.name}'${didYouMean(head.name, ['cluster'])}`, {
            pos: node.pos,
            hint: 'a configuration file holds one (cluster …) form',
          });
        } else if (node.kind !== 'nil') {
          this.diags.error(`unexpected ${nodeKind(node)} at the top level`, {
            pos: node.pos,
            hint: 'a configuration file holds one (cluster …) form',
          });
        }
      }
    }
    if (clusters.length === 0) {
      this.diags.error('no (cluster …) form in the file', {
        pos: nodes[0]?.pos ?? { file, line: 1, col: 1 },
        hint: 'write the configuration as (cluster (metadata (name "my-cluster")) …)',
      });
      return undefined;
    }
    for (const extra of clusters.slice(1)) {
      this.diags.error('a second (cluster …) form; a file describes one cluster', {
        pos: extra.node.pos,
        hint: `the first one is at line ${clusters[0]!.node.pos.line}`,
      });
    }
    const { node, scope } = clusters[0]!;
    this.positions.set('', node);
    return this.decodeSection(root, node.items.slice(1), scope, '');
  }

  /** Runs the interpreter's splicing, turning its errors into diagnostics. */
  private expand(node: Node, scope: unknown, isKey: (name: string) => boolean): Array<{ node: Node; scope: unknown }> {
    // A plain key form needs no interpreter (the common case, and the hot path).
    const head = node.kind === 'list' ? node.items[0] : undefined;
    if (head?.kind === 'symbol' && isKey(head.name)) return [{ node, scope }];
    try {
      return this.ev.expandSection(node, scope, isKey);
    } catch (err) {
      this.lispError(err, node.pos, false);
      return [];
    }
  }

  private lispError(err: unknown, fallback: Pos, secret: boolean, path?: string): void {
    if (!(err instanceof LispError)) throw err;
    const { reason, hint } = err;
    // A refused look-up names the variable or built-in, never a value: safe to show.
    const refused = err.code === 'restricted';
    if (secret && !this.showSecrets && !refused) {
      this.diags.error(`the value of secret key '${path}' could not be evaluated`, {
        pos: err.pos ?? fallback,
        path,
        secret: true,
        hint: 'run with --show-secrets to see the evaluation error',
      });
    } else {
      // The message is safe to show; a secret's source line still is not quoted.
      this.diags.error(reason, { pos: err.pos ?? fallback, path, hint, secret: secret && !this.showSecrets });
    }
  }

  private evaluate(node: Node, scope: unknown, bareword: boolean, secret: boolean, path: string): Value | undefined {
    try {
      return bareword ? this.ev.evalBareword(node, scope) : this.ev.evalValue(node, scope);
    } catch (err) {
      this.lispError(err, node.pos, secret, path);
      return undefined;
    }
  }

  decodeSection(spec: SectionSpec, args: readonly Node[], scope: unknown, path: string): Obj {
    const fields = spec.fields;
    const index = keyIndex(fields);
    const out: Obj = {};
    const seen = new Set<string>();
    for (const arg of args) {
      if (arg.kind !== 'list') {
        this.diags.error(`expected a (key value) form in ${path || 'cluster'}, got ${nodeKind(arg)}`, {
          pos: arg.pos,
          path,
          hint: `keys here: ${index.keys.join(', ')}`,
        });
        continue;
      }
      // A plain key form needs no interpreter (the common case, and the hot path).
      const head = arg.items[0];
      if (head?.kind === 'symbol' && index.byKey.has(head.name)) {
        this.decodeEntry(index, arg, scope, path, out, seen);
        continue;
      }
      for (const { node, scope: childScope } of this.expand(arg, scope, (name) => index.byKey.has(name))) {
        this.decodeEntry(index, node, childScope, path, out, seen);
      }
    }
    fillDefaults(fields, out);
    return out;
  }

  /** One `(key value…)` form of the section at `path`, into `out`; `seen`: the keys given so far. */
  private decodeEntry(index: KeyIndex, node: Node, scope: unknown, path: string, out: Obj, seen: Set<string>): void {
    const head = headSymbol(node);
    if (!head) {
      if (node.kind === 'nil') return; // `(when false …)` yields nothing
      this.diags.error(`expected a (key value) form in ${path || 'cluster'}, got ${nodeKind(node)}`, {
        pos: node.pos,
        path,
        hint: `keys here: ${index.keys.join(', ')}`,
      });
      return;
    }
    const entry = index.byKey.get(head.name);
    if (!entry) {
      const where = path ? `in ${path}` : 'in cluster';
      const suggestion = closest(head.name, index.keys);
      // A misspelt credential key still holds a credential: do not quote its line.
      const secret = CREDENTIAL_NAME.test(head.name) || (suggestion !== undefined && index.byKey.get(suggestion)?.spec.secret === true);
      const home = ELSEWHERE[path]?.[head.name];
      this.diags.error(
        home
          ? `unknown key '${head.name}' ${where}; it belongs in ${home}`
          : `unknown key '${head.name}' ${where}${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
        {
          pos: head.pos,
          path: joinPath(path, head.name),
          hint: home ? `write (${home} (${head.name} …))` : `keys here: ${index.keys.join(', ')}`,
          secret,
        },
      );
      return;
    }
    const childPath = joinPath(path, entry.key);
    const first = seen.has(entry.prop) ? this.positions.locate(childPath, 'form') : undefined;
    if (first) {
      this.diags.error(`duplicate key '${entry.key}' in ${path || 'cluster'}`, {
        pos: head.pos,
        path: childPath,
        hint: `it is first given at line ${first.line}, column ${first.col}; keep one`,
        secret: entry.spec.secret,
      });
      return;
    }
    seen.add(entry.prop);
    const list = node as ListNode;
    this.positions.set(childPath, list, list.items[1]);
    const value = this.decodeField(entry.spec, list.items.slice(1), scope, childPath, list);
    if (value !== undefined) out[entry.prop] = value;
  }

  private decodeField(spec: Spec, args: readonly Node[], scope: unknown, path: string, form: Located): unknown {
    switch (spec.kind) {
      case 'section':
        return this.decodeSubsection(spec, args, scope, path);
      case 'named':
        return this.decodeNamed(spec, args, scope, path);
      case 'forms':
        return this.decodeForms(spec, args, scope, path);
      case 'list':
        return this.decodeList(spec, args, scope, path);
      case 'map':
        return this.decodeMap(spec, args, scope, path);
      default:
        return this.decodeScalar(spec, args, scope, path, form);
    }
  }

  private decodeScalar(spec: Spec, args: readonly Node[], scope: unknown, path: string, form: Located): unknown {
    const key = path.slice(path.lastIndexOf('.') + 1);
    if (args.length === 0) {
      this.diags.error(`'${key}' needs a value: expected ${expectedType(spec)}`, { pos: form.pos, path });
      return undefined;
    }
    if (args.length > 1) {
      this.diags.error(`'${key}' takes one value, got ${args.length}`, {
        pos: args[1]!.pos,
        path,
        secret: spec.secret,
        hint: spec.kind === 'string' ? 'to join several strings use (concat …)' : undefined,
      });
      return undefined;
    }
    const node = args[0]!;
    const v = this.evaluate(node, scope, spec.kind === 'enum', spec.secret === true, path);
    if (v === undefined || v === null) return undefined; // nil: as if not written
    return this.convertScalar(spec, v, node, path);
  }

  convertScalar(spec: Spec, v: Value, at: Located, path: string): unknown {
    switch (spec.kind) {
      case 'string':
        if (typeof v === 'string') return v;
        if (spec.fromNumber && typeof v === 'number' && Number.isInteger(v)) return String(v);
        return this.wrongType(spec, v, at, path);
      case 'int':
        return typeof v === 'number' && Number.isInteger(v) ? v : this.wrongType(spec, v, at, path);
      case 'number':
        return typeof v === 'number' && Number.isFinite(v) ? v : this.wrongType(spec, v, at, path);
      case 'bool':
        return typeof v === 'boolean' ? v : this.wrongType(spec, v, at, path);
      case 'enum':
        return this.enumValue(spec, v, at, path);
      default:
        return this.wrongType(spec, v, at, path);
    }
  }

  private wrongType(spec: Spec, v: Value, at: Located, path: string): undefined {
    const secret = spec.secret === true && !this.showSecrets;
    // Environment variables are strings: say how to convert one.
    const convert =
      typeof v === 'string' && (spec.kind === 'int' || spec.kind === 'number')
        ? 'to-int'
        : typeof v === 'string' && spec.kind === 'bool'
          ? 'to-bool'
          : typeof v === 'number' && spec.kind === 'string'
            ? 'to-string'
            : undefined;
    this.diags.error(`'${path}' expects ${expectedType(spec)}, got ${describeValue(v, secret)}`, {
      pos: at.pos,
      path,
      secret,
      hint: convert ? `convert it: (${convert} …)` : undefined,
    });
    return undefined;
  }

  private enumValue(spec: EnumSpec | ListSpec, v: Value, at: Located, path: string): string | undefined {
    const values = spec.values ?? [];
    let name: string | undefined;
    if (typeof v === 'string') name = v;
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) name = v.symbol;
    if (name === undefined) {
      this.diags.error(`'${path}' expects one of ${values.join(', ')}, got ${describeValue(v)}`, { pos: at.pos, path });
      return undefined;
    }
    const canonical = spec.valueAliases?.[name] ?? name;
    if ((values as readonly string[]).includes(canonical)) return canonical;
    this.diags.error(
      `'${path}' expects one of ${values.join(', ')}, got '${name}'${didYouMean(name, [...values, ...Object.keys(spec.valueAliases ?? {})])}`,
      { pos: at.pos, path },
    );
    return undefined;
  }

  private decodeList(spec: ListSpec, args: readonly Node[], scope: unknown, path: string): string[] | undefined {
    const out: string[] = [];
    for (const node of args) {
      const v = this.evaluate(node, scope, true, spec.secret === true, path);
      if (v === undefined || v === null) continue;
      for (const item of Array.isArray(v) ? v : [v]) {
        if (item === null) continue;
        if (spec.values) {
          const e = this.enumValue(spec, item, node, path);
          if (e !== undefined) out.push(e);
        } else if (typeof item === 'string') {
          out.push(item);
        } else if (typeof item === 'object' && !Array.isArray(item)) {
          out.push(item.symbol);
        } else {
          this.diags.error(`'${path}' expects strings, got ${describeValue(item, spec.secret)}`, {
            pos: node.pos,
            path,
          });
        }
      }
    }
    // Written with no values, a list that has a derived default stays unset (derive fills it).
    return out.length === 0 && args.length === 0 && spec.derived ? undefined : out;
  }

  private decodeMap(spec: MapSpec, args: readonly Node[], scope: unknown, path: string): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    const seen = new Map<string, Node>();
    for (const node of args) {
      const head = node.kind === 'list' ? node.items[0] : undefined;
      const name = head?.kind === 'symbol' ? head.name : head?.kind === 'string' ? head.value : undefined;
      if (node.kind !== 'list' || name === undefined) {
        this.diags.error(`'${path}' holds (name value) pairs, got ${nodeKind(node)}`, {
          pos: node.pos,
          path,
          hint: `write (${path.slice(path.lastIndexOf('.') + 1)} (team "platform") (tier "web"))`,
        });
        continue;
      }
      const entryPath = joinPath(path, name);
      if (!MAP_KEY.test(name)) {
        this.diags.error(`'${name}' is not a valid name in ${path}`, {
          pos: head!.pos,
          path: entryPath,
          hint: 'names start and end with a letter or digit and contain only letters, digits, "-", "_", "." and "/"',
        });
        continue;
      }
      const first = seen.get(name);
      if (first) {
        this.diags.error(`duplicate name '${name}' in ${path}`, {
          pos: head!.pos,
          path: entryPath,
          hint: `it is first given at line ${first.pos.line}; keep one`,
        });
        continue;
      }
      seen.set(name, node);
      const valueNodes = node.items.slice(1);
      if (spec.listValues ? valueNodes.length === 0 : valueNodes.length !== 1) {
        this.diags.error(
          spec.listValues
            ? `'${entryPath}' needs at least one value`
            : `'${entryPath}' takes one value, got ${valueNodes.length}`,
          { pos: node.pos, path: entryPath, secret: spec.secret },
        );
        continue;
      }
      this.positions.set(entryPath, node, valueNodes[0]);
      const values: string[] = [];
      for (const valueNode of valueNodes) {
        const v = this.evaluate(valueNode, scope, true, spec.secret === true, entryPath);
        if (v === undefined || v === null) continue;
        for (const item of spec.listValues && Array.isArray(v) ? v : [v]) {
          if (typeof item === 'string') values.push(item);
          else if (typeof item === 'object' && item !== null && !Array.isArray(item)) values.push(item.symbol);
          else if (item !== null)
            this.diags.error(`'${entryPath}' expects ${spec.listValues ? 'strings' : 'a string'}, got ${describeValue(item, spec.secret)}`, {
              pos: valueNode.pos,
              path: entryPath,
            });
        }
      }
      if (spec.listValues) out[name] = values;
      else if (values.length === 1) out[name] = values[0]!;
    }
    return out;
  }

  private decodeSubsection(spec: SectionSpec, args: readonly Node[], scope: unknown, path: string): Obj | undefined {
    const index = keyIndex(spec.fields);
    const first = args[0];
    const isKeyForm = (n: Node) => {
      const h = headSymbol(n);
      return h !== undefined && index.byKey.has(h.name);
    };
    if (spec.shorthand && args.length === 1 && first && !isKeyForm(first) && !yieldsKeyForms(first, (n) => index.byKey.has(n))) {
      const fieldSpec = spec.fields[spec.shorthand]!;
      const v = this.evaluate(first, scope, false, fieldSpec.secret === true, path);
      if (v === undefined || v === null) return undefined;
      const converted = this.convertScalar(fieldSpec, v, first, joinPath(path, lispKey(spec.shorthand, spec.fields[spec.shorthand]!)));
      if (converted === undefined) return undefined;
      const out: Obj = { [spec.shorthand]: converted };
      fillDefaults(spec.fields, out);
      return out;
    }
    for (const arg of args) {
      if (arg.kind !== 'list') {
        const key = path.slice(path.lastIndexOf('.') + 1);
        this.diags.error(`'${key}' is a section: expected (key value) forms inside it, got ${nodeKind(arg)}`, {
          pos: arg.pos,
          path,
          hint: spec.shorthand
            ? `write (${key} "…") or (${key} (${lispKey(spec.shorthand, spec.fields[spec.shorthand]!)} "…") …)`
            : `keys of ${key}: ${index.keys.join(', ')}`,
        });
        return undefined;
      }
    }
    return this.decodeSection(spec, args, scope, path);
  }

  private decodeNamed(spec: NamedSpec, args: readonly Node[], scope: unknown, path: string): Record<string, Obj> {
    const out: Record<string, Obj> = {};
    const seen = new Map<string, Node>();
    const itemKeys = keyIndex(spec.item.fields);
    const isName = (name: string) => !this.ev.isBuiltin(name);
    for (const arg of args) {
      // An entry named like a built-in (`(list (count 3))`) is still an entry when everything
      // in it is a key of the entry; otherwise a built-in call here yields entries (`when`…).
      const head = headSymbol(arg);
      if (head && (isName(head.name) || allKeys((arg as ListNode).items, itemKeys))) {
        this.decodeNamedEntry(spec, arg, scope, path, out, seen);
        continue;
      }
      for (const { node, scope: entryScope } of this.expand(arg, scope, isName)) this.decodeNamedEntry(spec, node, entryScope, path, out, seen);
    }
    return out;
  }

  /** One `(name key…)` entry of the named sections at `path`, into `out`; `seen`: the names so far. */
  private decodeNamedEntry(spec: NamedSpec, node: Node, scope: unknown, path: string, out: Record<string, Obj>, seen: Map<string, Node>): void {
    const head = headSymbol(node);
    if (!head) {
      if (node.kind === 'nil') return;
      this.diags.error(`expected a named ${spec.itemNoun} such as (workers (count 3) …) in ${path}, got ${nodeKind(node)}`, {
        pos: node.pos,
        path,
      });
      return;
    }
    const name = head.name;
    const entryPath = joinPath(path, name);
    if (!ENTRY_NAME.test(name)) {
      this.diags.error(`${spec.itemNoun} name '${name}' is not a valid DNS label`, {
        pos: head.pos,
        path: entryPath,
        hint: 'use lowercase letters, digits and "-", starting with a letter and ending with a letter or digit, at most 63 characters',
      });
      return;
    }
    const first = seen.get(name);
    if (first) {
      this.diags.error(`duplicate ${spec.itemNoun} '${name}' in ${path}`, {
        pos: head.pos,
        path: entryPath,
        hint: `it is first declared at line ${first.pos.line}; give each ${spec.itemNoun} its own name`,
      });
      return;
    }
    seen.set(name, node);
    const list = node as ListNode;
    this.positions.set(entryPath, list);
    const value = this.decodeSubsection(spec.item, list.items.slice(1), scope, entryPath);
    if (value) out[name] = value;
  }

  private decodeForms(spec: FormsSpec, args: readonly Node[], scope: unknown, path: string): Obj[] {
    const out: Obj[] = [];
    const tags = Object.keys(spec.forms);
    const isTag = (name: string) => Object.hasOwn(spec.forms, name);
    for (const arg of args) {
      for (const { node, scope: itemScope } of this.expand(arg, scope, isTag)) {
        const head = headSymbol(node);
        const itemPath = `${path}[${out.length}]`;
        if (!head || !isTag(head.name)) {
          if (node.kind === 'nil') continue;
          const got = head ? `'${head.name}'${didYouMean(head.name, tags)}` : nodeKind(node);
          this.diags.error(`'${path}' holds ${tags.map((t) => `(${t} …)`).join(' or ')} forms, got ${got}`, {
            pos: (head ?? node).pos,
            path,
          });
          continue;
        }
        const formSpec = spec.forms[head.name]!;
        const list = node as ListNode;
        const items = list.items.slice(1);
        const index = keyIndex(formSpec.fields);
        let split = 0;
        while (split < items.length) {
          const h = headSymbol(items[split]!);
          if (h && index.byKey.has(h.name)) break;
          split++;
        }
        const positional = items.slice(0, split);
        const keyed = items.slice(split);
        this.positions.set(itemPath, list);
        const item: Obj = spec.tagField ? { [spec.tagField]: head.name } : {};
        if (positional.length > 0) {
          const shape = formSpec.positional?.find((p) => p.length === positional.length);
          if (!shape) {
            const shapes = (formSpec.positional ?? []).map((p) => `(${head.name} ${p.map((k) => `<${k}>`).join(' ')})`);
            this.diags.error(
              `(${head.name} …) does not take ${positional.length} leading ${positional.length === 1 ? 'value' : 'values'}`,
              {
                pos: positional[0]!.pos,
                path: itemPath,
                hint: shapes.length > 0 ? `write ${shapes.join(' or ')}, or use keys` : `use keys: ${index.keys.join(', ')}`,
              },
            );
            continue;
          }
          shape.forEach((prop, i) => {
            const fieldSpec = formSpec.fields[prop]!;
            const fieldPath = joinPath(itemPath, lispKey(prop, fieldSpec));
            const v = this.evaluate(positional[i]!, itemScope, fieldSpec.kind === 'enum', fieldSpec.secret === true, fieldPath);
            if (v === undefined || v === null) return;
            this.positions.set(fieldPath, positional[i]!, positional[i]);
            const converted = this.convertScalar(fieldSpec, v, positional[i]!, fieldPath);
            if (converted !== undefined) item[prop] = converted;
          });
        }
        const shapeProps = formSpec.positional?.find((p) => p.length === positional.length) ?? [];
        const keyedHere = keyed.filter((n) => {
          const h = headSymbol(n);
          const prop = h ? index.byKey.get(h.name)?.prop : undefined;
          if (h && prop !== undefined && shapeProps.includes(prop)) {
            this.diags.error(`'${h.name}' is given twice in (${head.name} …): as a leading value and as a key`, {
              pos: h.pos,
              path: joinPath(itemPath, h.name),
            });
            return false;
          }
          return true;
        });
        const rest = this.decodeSection({ kind: 'section', doc: '', fields: formSpec.fields }, keyedHere, itemScope, itemPath);
        for (const [k, v] of Object.entries(rest)) if (item[k] === undefined) item[k] = v;
        out.push(item);
      }
    }
    return out;
  }
}

/**
 * Whether a control form (`when`, `unless`, `if`, `cond`, `let`) has key forms where its
 * result would be: `(image (when arm (id "ami-1")))` is a section, `(image (if arm "a" "b"))`
 * a value. Used only where a section also has a one-value short form.
 */
function yieldsKeyForms(node: Node, isKey: (name: string) => boolean): boolean {
  const h = headSymbol(node);
  if (!h || node.kind !== 'list') return false;
  const items = node.items;
  let results: Node[];
  switch (h.name) {
    case 'when':
    case 'unless':
    case 'let':
      results = items.slice(2);
      break;
    case 'if':
      results = items.slice(2, 4);
      break;
    case 'cond':
      results = items.slice(1).flatMap((clause) => (clause.kind === 'list' ? clause.items.slice(1) : []));
      break;
    default:
      return false;
  }
  return results.some((r) => {
    const rh = headSymbol(r);
    return rh !== undefined && (isKey(rh.name) || yieldsKeyForms(r, isKey));
  });
}
