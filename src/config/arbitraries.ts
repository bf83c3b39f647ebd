// fast-check arbitraries for configurations, derived from the schema: every key, every kind,
// strings with quotes, escapes and any code point. Used by the printer round-trip property;
// other layers may use them for their own properties (they are not validated configs).
import fc from 'fast-check';
import { applyDerivedDefaults } from './derive.ts';
import { cloneConfig } from './json.ts';
import type { ClusterConfig } from './schema.ts';
import { clusterSchema } from './schema.ts';
import type { Fields, FormsSpec, SectionSpec, Spec } from './schema-dsl.ts';
import { fillDefaults } from './schema-dsl.ts';

type Obj = Record<string, unknown>;

// Names of built-ins too: a pool may be called `list` or `when`.
const entryName = fc.oneof(
  fc.stringMatching(/^[a-z](?:[a-z0-9-]{0,8}[a-z0-9])?$/),
  fc.constantFrom('list', 'when', 'if', 'let', 'env', 'user', 'time', 'format', 'default', 'masters'),
);
const mapKey = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,10}[A-Za-z0-9])?$/);
const text = fc.string({ unit: 'binary', maxLength: 12 });

function entries<T>(value: fc.Arbitrary<T>): fc.Arbitrary<Record<string, T>> {
  return fc
    .uniqueArray(fc.tuple(entryName, value), { maxLength: 3, selector: ([k]) => k })
    .map((pairs) => Object.fromEntries(pairs));
}

function arbitraryOf(spec: Spec): fc.Arbitrary<unknown> {
  switch (spec.kind) {
    case 'string':
      return text;
    case 'int':
      return fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.integer());
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v));
    case 'bool':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...spec.values);
    case 'list':
      return fc.array(spec.values ? fc.constantFrom(...spec.values) : text, { maxLength: 3, minLength: spec.derived ? 1 : 0 });
    case 'map': {
      const value = spec.listValues ? fc.array(text, { minLength: 1, maxLength: 2 }) : text;
      return fc
        .uniqueArray(fc.tuple(mapKey, value), { maxLength: 3, selector: ([k]) => k })
        .map((pairs) => Object.fromEntries(pairs));
    }
    case 'section':
      return sectionArbitrary(spec);
    case 'named':
      return entries(sectionArbitrary(spec.item));
    case 'forms':
      return fc.array(formArbitrary(spec), { maxLength: 2 });
  }
}

function fieldsArbitrary(fields: Fields): fc.Arbitrary<Obj> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const [prop, spec] of Object.entries(fields)) {
    model[prop] = arbitraryOf(spec);
    if (spec.kind === 'section' && !spec.optional) required.push(prop);
  }
  return fc.record(model, { requiredKeys: required }).map((o) => ({ ...o }) as Obj);
}

function sectionArbitrary(spec: SectionSpec): fc.Arbitrary<Obj> {
  return fieldsArbitrary(spec.fields);
}

function formArbitrary(spec: FormsSpec): fc.Arbitrary<Obj> {
  const tags = Object.keys(spec.forms);
  return fc.constantFrom(...tags).chain((tag) =>
    fieldsArbitrary(spec.forms[tag]!.fields).map((o) => (spec.tagField ? { [spec.tagField]: tag, ...o } : o)),
  );
}

/** Schema defaults at every level, as the decoder fills them. */
function normalize(fields: Fields, obj: Obj): Obj {
  for (const [prop, spec] of Object.entries(fields)) {
    const v = obj[prop];
    if (v === undefined) continue;
    if (spec.kind === 'section') normalize(spec.fields, v as Obj);
    else if (spec.kind === 'named') for (const e of Object.values(v as Record<string, Obj>)) normalize(spec.item.fields, e);
    else if (spec.kind === 'forms')
      for (const item of v as Obj[]) normalize(spec.forms[spec.tagField ? (item[spec.tagField] as string) : Object.keys(spec.forms)[0]!]!.fields, item);
  }
  return fillDefaults(fields, obj);
}

/** Normalized configurations (defaults and derived defaults filled), not necessarily valid. */
export function arbitraryConfig(): fc.Arbitrary<ClusterConfig> {
  return sectionArbitrary(clusterSchema).map((raw) =>
    cloneConfig(applyDerivedDefaults(normalize(clusterSchema.fields, raw) as unknown as ClusterConfig)),
  );
}
