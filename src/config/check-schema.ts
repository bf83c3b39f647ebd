// Validation that follows from the schema alone: required keys, number ranges, value
// formats, and keys or values that are accepted but not acted on yet ("not supported yet").
// A section switched off with `(enabled false)` is not checked further: nothing will use it.
import type { Diagnostics } from './diagnostics.ts';
import { checkFormat } from './formats.ts';
import { REDACTED } from './json.ts';
import type { Fields, Spec } from './schema-dsl.ts';
import { fieldEntries, isSupported, keyIndex, lispKey } from './schema-dsl.ts';
import { joinPath, type SourceMap } from './source-map.ts';

type Obj = Record<string, unknown>;

function equalsDefault(spec: Spec, value: unknown): boolean {
  switch (spec.kind) {
    case 'list':
      return Array.isArray(value) && value.length === (spec.default?.length ?? 0) && value.every((v, i) => v === spec.default?.[i]);
    case 'map':
    case 'named':
      return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
    case 'forms':
      return Array.isArray(value) && value.length === 0;
    case 'section':
      return false;
    default:
      return spec.default !== undefined && value === spec.default;
  }
}

function isDisabled(spec: Spec, value: unknown): boolean {
  return spec.kind === 'section' && 'enabled' in spec.fields && (value as Obj | undefined)?.enabled === false;
}

export function checkSchema(fields: Fields, config: Obj, positions: SourceMap, diags: Diagnostics): void {
  walkFields(fields, config, '', positions, diags);
}

function walkFields(fields: Fields, obj: Obj, path: string, positions: SourceMap, diags: Diagnostics): void {
  for (const [prop, spec] of fieldEntries(fields)) {
    const value = obj[prop];
    if (value === undefined) {
      if (spec.required) {
        const key = lispKey(prop, spec);
        diags.error(`'${joinPath(path, key)}' is required`, {
          pos: positions.locate(path, 'form'),
          path: joinPath(path, key),
          hint: `add (${key} …) to ${path || 'cluster'}`,
        });
      }
      continue;
    }
    if (isSupported(spec)) {
      walkValue(spec, value, path, prop, positions, diags);
    } else if (!isDisabled(spec, value) && !equalsDefault(spec, value)) {
      const p = joinPath(path, lispKey(prop, spec));
      diags.error(`'${p}' is not supported yet`, {
        pos: positions.locate(p, 'form'),
        path: p,
        hint:
          spec.kind === 'section' && 'enabled' in spec.fields
            ? `remove it or set (enabled false): sloth-kubernetes does not act on it yet`
            : `remove it: sloth-kubernetes does not act on it yet`,
      });
    }
  }
}

/** Checks the value of property `prop` of the section at `parent` (its path is built only when needed). */
function walkValue(spec: Spec, value: unknown, parent: string, prop: string, positions: SourceMap, diags: Diagnostics): void {
  switch (spec.kind) {
    case 'section':
      if (!isDisabled(spec, value)) walkFields(spec.fields, value as Obj, joinPath(parent, lispKey(prop, spec)), positions, diags);
      return;
    case 'named': {
      const path = joinPath(parent, lispKey(prop, spec));
      for (const [name, entry] of Object.entries(value as Record<string, Obj>)) {
        walkFields(spec.item.fields, entry, joinPath(path, name), positions, diags);
      }
      return;
    }
    case 'forms': {
      const path = joinPath(parent, lispKey(prop, spec));
      (value as Obj[]).forEach((item, i) => {
        const tag = spec.tagField ? (item[spec.tagField] as string) : Object.keys(spec.forms)[0]!;
        const form = spec.forms[tag];
        if (form) walkFields(form.fields, item, `${path}[${i}]`, positions, diags);
      });
      return;
    }
    case 'list':
      if (spec.format) {
        for (const item of value as string[]) {
          const problem = checkFormat(spec.format, item);
          if (problem) report(diags, positions, joinPath(parent, lispKey(prop, spec)), `item ${problem}`);
        }
      }
      return;
    case 'string':
      // `validate --format lisp` and `export-config` print secrets as this placeholder; a file
      // made from that output must not deploy with the placeholder as the credential.
      if (spec.secret && value === REDACTED) {
        report(diags, positions, joinPath(parent, lispKey(prop, spec)), `holds the placeholder ${REDACTED}, not a secret`, {
          hint: 'The file was printed with secrets hidden. Put the real value here, e.g. (env "VARIABLE"), or print it again with --show-secrets.',
        });
        return;
      }
      if (spec.format) {
        const problem = checkFormat(spec.format, value as string);
        if (problem) report(diags, positions, joinPath(parent, lispKey(prop, spec)), problem, { secret: spec.secret });
      }
      return;
    case 'int':
    case 'number': {
      const n = value as number;
      if (spec.min !== undefined && n < spec.min) report(diags, positions, joinPath(parent, lispKey(prop, spec)), `must be at least ${spec.min}, got ${n}`);
      else if (spec.max !== undefined && n > spec.max) report(diags, positions, joinPath(parent, lispKey(prop, spec)), `must be at most ${spec.max}, got ${n}`);
      return;
    }
    case 'enum':
      if (spec.unsupportedValues?.includes(value as string)) {
        const supported = spec.values.filter((v) => !spec.unsupportedValues!.includes(v));
        report(diags, positions, joinPath(parent, lispKey(prop, spec)), `${value} is not supported yet`, { hint: `supported: ${supported.join(', ')}` });
      }
      return;
    default:
      return;
  }
}

function report(diags: Diagnostics, positions: SourceMap, path: string, problem: string, more: { hint?: string; secret?: boolean } = {}): void {
  diags.error(`'${path}' ${problem}`, { pos: positions.locate(path), path, ...more });
}

/** The spec at a config path such as `node-pools.workers.count` (for tools and tests). */
export function specAt(fields: Fields, path: string): Spec | undefined {
  let current: Fields | undefined = fields;
  let spec: Spec | undefined;
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    if (!current) return undefined;
    spec = keyIndex(current).byKey.get(parts[i]!.replace(/\[\d+\]$/, ''))?.spec;
    if (!spec) return undefined;
    if (spec.kind === 'section') current = spec.fields;
    else if (spec.kind === 'named') {
      current = spec.item.fields;
      i++; // skip the entry name
    } else if (spec.kind === 'forms') current = Object.values(spec.forms)[0]?.fields;
    else current = undefined;
  }
  return spec;
}
