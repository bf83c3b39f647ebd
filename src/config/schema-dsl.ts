// A small declarative language for describing the `(cluster …)` configuration. The schema
// written with it (schema.ts) is the single source of truth: the decoder, the defaults, the
// validator, the JSON form, the Lisp printer and docs/configuration.md all walk it, and the
// TypeScript type of a decoded config is inferred from it (`Infer`), so no field is declared
// twice.
//
// Property names are the camelCase names used in the JSON form and in TypeScript; the Lisp
// key is their kebab-case form (`accessKeyId` → `access-key-id`) unless `key` overrides it.

/** Value formats the validator checks (and the docs describe). */
export type Format =
  | 'cidr' // IPv4 network in CIDR notation, host bits zero
  | 'ipv4' // IPv4 address
  | 'dns-label' // RFC 1123 label: lowercase letters, digits, '-', at most 63 characters
  | 'domain' // DNS name: labels separated by '.'
  | 'host' // DNS name or IP address (TLS subject alternative names)
  | 'url' // http(s) URL
  | 'git-url' // http(s), ssh:// or scp-like git@host:path
  | 'abs-path' // absolute file system path
  | 'port-range' // "22", "80-443" or "all"
  | 'cron' // five-field cron schedule
  | 'duration'; // Go-style duration such as "30s", "15m", "720h"

interface FieldBase {
  /** One line for the reference documentation. */
  readonly doc: string;
  /** Carries a credential: redacted in JSON output, hidden in errors, stored as a secret. */
  readonly secret?: boolean;
  /** Other Lisp keys accepted for this field (`do` for `digitalocean`). */
  readonly aliases?: readonly string[];
  /**
   * `false` while nothing acts on the key yet: it is accepted by the reader but validation
   * rejects it with "not supported yet" unless it is left at its default (or its section is
   * disabled). One flag per key, so later work flips it.
   */
  readonly supported?: boolean;
  /** The Lisp key, when it is not the kebab-case form of the property name. */
  readonly key?: string;
  /** Must be given (after derived defaults are applied). */
  readonly required?: boolean;
  /** When unset, the value is derived from other keys (derive.ts); the text documents how. */
  readonly derived?: string;
}

export interface StringSpec extends FieldBase {
  readonly kind: 'string';
  readonly default?: string;
  readonly format?: Format;
  /** Accept a number and keep its decimal text (ports written as `22` or `"80-443"`). */
  readonly fromNumber?: boolean;
}
export interface IntSpec extends FieldBase {
  readonly kind: 'int';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
}
export interface NumberSpec extends FieldBase {
  readonly kind: 'number';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
}
export interface BoolSpec extends FieldBase {
  readonly kind: 'bool';
  readonly default?: boolean;
}
export interface EnumSpec<V extends string = string> extends FieldBase {
  readonly kind: 'enum';
  readonly values: readonly V[];
  readonly default?: V;
  /** Other spellings, normalized to a value (`do` → `digitalocean`). */
  readonly valueAliases?: Readonly<Record<string, V>>;
  /** Values the schema knows but nothing acts on yet (rejected by validation). */
  readonly unsupportedValues?: readonly V[];
}
/** A list of strings: `(zones "a" "b")`, or of enum values: `(roles master etcd)`. */
export interface ListSpec<V extends string = string> extends FieldBase {
  readonly kind: 'list';
  readonly values?: readonly V[];
  readonly valueAliases?: Readonly<Record<string, V>>;
  readonly format?: Format;
  readonly default?: readonly V[];
}
/**
 * String to string: `(labels (team "a") (tier "web"))`; with `listValues`, string to list of
 * strings: `(registry-mirrors (docker.io "https://m1" "https://m2"))`.
 */
export interface MapSpec extends FieldBase {
  readonly kind: 'map';
  readonly listValues?: boolean;
}
export interface Fields {
  readonly [prop: string]: Spec;
}
export interface SectionSpec<F extends Fields = Fields> extends FieldBase {
  readonly kind: 'section';
  readonly fields: F;
  /** Absent unless written. Sections that are not optional are always filled with defaults. */
  readonly optional?: boolean;
  /** `(image "ubuntu-22.04")` is short for `(image (id "ubuntu-22.04"))`. */
  readonly shorthand?: string;
}
/** Sections named by the user: `(node-pools (masters …) (workers …))`. */
export interface NamedSpec<F extends Fields = Fields> extends FieldBase {
  readonly kind: 'named';
  readonly item: SectionSpec<F>;
  /** What one entry is called in messages ("node pool"). */
  readonly itemNoun: string;
}
export interface FormSpec<F extends Fields = Fields> {
  readonly doc: string;
  readonly fields: F;
  /**
   * Leading values that may be written without keys, by how many are given:
   * `[['key', 'effect'], ['key', 'value', 'effect']]` accepts `(taint "k" NoSchedule)`.
   */
  readonly positional?: readonly (readonly string[])[];
}
export interface FormsMap {
  readonly [tag: string]: FormSpec;
}
/** A list of tagged sub-forms: `(inbound-rules (rule …) (rule …))`, `(taints (taint …))`. */
export interface FormsSpec<M extends FormsMap = FormsMap, T extends string | undefined = string | undefined>
  extends FieldBase {
  readonly kind: 'forms';
  readonly forms: M;
  /** Property that records which tag an item was written with (hooks: script, kubectl…). */
  readonly tagField?: T;
}

export type Spec =
  | StringSpec
  | IntSpec
  | NumberSpec
  | BoolSpec
  | EnumSpec
  | ListSpec
  | MapSpec
  | SectionSpec
  | NamedSpec
  | FormsSpec;

// ---------------------------------------------------------------------------------------
// Builders. Each returns its options intersected with the kind, so `Infer` sees literal
// defaults, `required` flags and enum values.

type Opts<S> = Omit<S, 'kind' | 'doc'>;

export function str<const O extends Opts<StringSpec> = Record<never, never>>(doc: string, o?: O) {
  return { kind: 'string', doc, ...o } as { kind: 'string'; doc: string } & NoInfer<O>;
}
export function int<const O extends Opts<IntSpec> = Record<never, never>>(doc: string, o?: O) {
  return { kind: 'int', doc, ...o } as { kind: 'int'; doc: string } & NoInfer<O>;
}
export function num<const O extends Opts<NumberSpec> = Record<never, never>>(doc: string, o?: O) {
  return { kind: 'number', doc, ...o } as { kind: 'number'; doc: string } & NoInfer<O>;
}
export function bool<const O extends Opts<BoolSpec> = Record<never, never>>(doc: string, o?: O) {
  return { kind: 'bool', doc, ...o } as { kind: 'bool'; doc: string } & NoInfer<O>;
}
export function oneOf<const V extends string, const O extends Omit<Opts<EnumSpec<V>>, 'values'> = Record<never, never>>(
  values: readonly V[],
  doc: string,
  o?: O,
) {
  return { kind: 'enum', doc, values, ...o } as { kind: 'enum'; doc: string; values: readonly V[] } & NoInfer<O>;
}
export function list<const O extends Opts<ListSpec<string>> = Record<never, never>>(doc: string, o?: O) {
  return { kind: 'list', doc, ...o } as { kind: 'list'; doc: string } & NoInfer<O>;
}
export function listOf<const V extends string, const O extends Omit<Opts<ListSpec<V>>, 'values'> = Record<never, never>>(
  values: readonly V[],
  doc: string,
  o?: O,
) {
  return { kind: 'list', doc, values, ...o } as { kind: 'list'; doc: string; values: readonly V[] } & NoInfer<O>;
}
export function map<const O extends Opts<MapSpec> = Record<never, never>>(doc: string, o?: O) {
  return { kind: 'map', doc, ...o } as { kind: 'map'; doc: string } & NoInfer<O>;
}
export function section<
  const F extends Fields,
  const O extends Omit<Opts<SectionSpec<F>>, 'fields' | 'shorthand'> & { shorthand?: keyof F & string } = Record<never, never>,
>(doc: string, fields: F, o?: O) {
  return { kind: 'section', doc, fields, ...o } as { kind: 'section'; doc: string; fields: F } & NoInfer<O>;
}
export function named<const F extends Fields, const O extends Omit<Opts<NamedSpec<F>>, 'item' | 'itemNoun'> = Record<never, never>>(
  doc: string,
  itemNoun: string,
  item: SectionSpec<F>,
  o?: O,
) {
  return { kind: 'named', doc, itemNoun, item, ...o } as {
    kind: 'named';
    doc: string;
    itemNoun: string;
    item: SectionSpec<F>;
  } & NoInfer<O>;
}
export function form<const F extends Fields>(
  doc: string,
  fields: F,
  positional?: readonly (readonly (keyof F & string)[])[],
): FormSpec<F> {
  return positional ? { doc, fields, positional } : { doc, fields };
}
export function forms<
  const M extends FormsMap,
  const O extends Omit<Opts<FormsSpec<M, string | undefined>>, 'forms'> = Record<never, never>,
>(doc: string, formMap: M, o?: O) {
  return { kind: 'forms', doc, forms: formMap, ...o } as { kind: 'forms'; doc: string; forms: M } & NoInfer<O>;
}

// ---------------------------------------------------------------------------------------
// Type inference: the decoded, normalized value of a spec.

type ItemOf<V> = V extends readonly (infer E)[] ? E : never;

export type Infer<S> = S extends { kind: 'string' }
  ? string
  : S extends { kind: 'int' } | { kind: 'number' }
    ? number
    : S extends { kind: 'bool' }
      ? boolean
      : S extends { kind: 'enum'; values: infer V }
        ? ItemOf<V>
        : S extends { kind: 'list'; values: infer V }
          ? ItemOf<V>[]
          : S extends { kind: 'list' }
            ? string[]
            : S extends { kind: 'map'; listValues: true }
              ? Record<string, string[]>
              : S extends { kind: 'map' }
              ? Record<string, string>
              : S extends { kind: 'section'; fields: infer F }
                ? InferFields<F>
                : S extends { kind: 'named'; item: { fields: infer F } }
                  ? Record<string, InferFields<F>>
                  : S extends { kind: 'forms'; forms: infer M }
                    ? InferForm<M, S extends { tagField: infer T extends string } ? T : undefined>[]
                    : never;

/** Whether a normalized config always holds a value for the field. */
type Filled<S> = S extends { optional: true }
  ? false
  : S extends { default: unknown }
    ? true
    : S extends { required: true }
      ? true
      : S extends { derived: string }
        ? true
        : S extends { kind: 'section' | 'named' | 'forms' | 'map' | 'list' }
          ? true
          : false;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

export type InferFields<F> = Simplify<
  { -readonly [K in keyof F as Filled<F[K]> extends true ? K : never]: Infer<F[K]> } & {
    -readonly [K in keyof F as Filled<F[K]> extends true ? never : K]?: Infer<F[K]>;
  }
>;

type InferForm<M, T> = {
  [Tag in keyof M]: M[Tag] extends { fields: infer F }
    ? T extends string
      ? Simplify<InferFields<F> & { [P in T]: Tag }>
      : InferFields<F>
    : never;
}[keyof M];

// ---------------------------------------------------------------------------------------
// Helpers over specs shared by the decoder, validator, printer and docs.

const lispKeyCache = new WeakMap<Spec, Map<string, string>>();

export function lispKey(prop: string, spec: Spec): string {
  let byProp = lispKeyCache.get(spec);
  if (!byProp) lispKeyCache.set(spec, (byProp = new Map()));
  let key = byProp.get(prop);
  if (key === undefined) byProp.set(prop, (key = spec.key ?? prop.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)));
  return key;
}

export function isSupported(spec: Spec): boolean {
  return spec.supported !== false;
}

/** The value a field takes when not written, or undefined (lists and maps start empty). */
export function defaultOf(spec: Spec): unknown {
  switch (spec.kind) {
    case 'list':
      return spec.default ? [...spec.default] : spec.derived ? undefined : [];
    case 'map':
      return {};
    case 'named':
      return {};
    case 'forms':
      return [];
    case 'section':
      return undefined;
    default:
      return spec.default;
  }
}

/**
 * Fills schema defaults into `out` for every field not set: scalar defaults, empty lists and
 * maps, and every non-optional section (recursively). Derived defaults are not touched.
 */
export function fillDefaults(fields: Fields, out: Record<string, unknown>): Record<string, unknown> {
  for (const [prop, spec] of defaulted(fields)) {
    if (out[prop] !== undefined) continue;
    out[prop] = spec.kind === 'section' ? fillDefaults(spec.fields, {}) : defaultOf(spec);
  }
  return out;
}

const defaultedCache = new WeakMap<Fields, ReadonlyArray<readonly [string, Spec]>>();

/** The fields fillDefaults fills: those with a default, and the sections that are not optional. */
function defaulted(fields: Fields): ReadonlyArray<readonly [string, Spec]> {
  let entries = defaultedCache.get(fields);
  if (!entries) {
    entries = fieldEntries(fields).filter(([, spec]) => (spec.kind === 'section' ? !spec.optional : defaultOf(spec) !== undefined));
    defaultedCache.set(fields, entries);
  }
  return entries;
}

const entriesCache = new WeakMap<Fields, ReadonlyArray<readonly [string, Spec]>>();

/** `Object.entries(fields)`, computed once per section (the hot paths walk it per instance). */
export function fieldEntries(fields: Fields): ReadonlyArray<readonly [string, Spec]> {
  let entries = entriesCache.get(fields);
  if (!entries) entriesCache.set(fields, (entries = Object.entries(fields)));
  return entries;
}

/** Lisp key → property name and spec, including aliases. Built once per section, cached. */
export interface KeyIndex {
  byKey: Map<string, { prop: string; spec: Spec; key: string }>;
  keys: string[];
}
const keyIndexCache = new WeakMap<Fields, KeyIndex>();

export function keyIndex(fields: Fields): KeyIndex {
  let index = keyIndexCache.get(fields);
  if (index) return index;
  const byKey = new Map<string, { prop: string; spec: Spec; key: string }>();
  const keys: string[] = [];
  for (const [prop, spec] of Object.entries(fields)) {
    const key = lispKey(prop, spec);
    byKey.set(key, { prop, spec, key });
    keys.push(key);
    for (const alias of spec.aliases ?? []) byKey.set(alias, { prop, spec, key });
  }
  index = { byKey, keys };
  keyIndexCache.set(fields, index);
  return index;
}
