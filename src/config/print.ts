// A configuration back to canonical Lisp: schema order, two-space indentation, enum values
// as bare names, strings quoted. Keys left at their schema default are omitted (reading the
// text back fills the same defaults), derived values are written out, so that
// `decode(print(config))` equals `config`. Secrets are printed as they are: redact first
// (json.ts) when the text leaves the user's hands.
import { printNumber, printString } from '../lisp/index.ts';
import type { ClusterConfig } from './schema.ts';
import { clusterSchema } from './schema.ts';
import type { Fields, FormsSpec, Spec } from './schema-dsl.ts';
import { lispKey } from './schema-dsl.ts';

type Obj = Record<string, unknown>;

/** Names that read back as a symbol: no number look-alikes, no `true`/`false`/`nil`. */
const SYMBOL_SAFE = /^[A-Za-z][A-Za-z0-9._/+*!?<>=-]*$/;
function atom(name: string): string {
  return SYMBOL_SAFE.test(name) && name !== 'true' && name !== 'false' && name !== 'nil' ? name : printString(name);
}

function isDefault(spec: Spec, value: unknown): boolean {
  switch (spec.kind) {
    case 'list':
      return (value as string[]).length === 0 && !spec.derived
        ? true
        : spec.default !== undefined &&
            (value as string[]).length === spec.default.length &&
            (value as string[]).every((v, i) => v === spec.default![i]);
    case 'map':
    case 'named':
      return Object.keys(value as Obj).length === 0;
    case 'forms':
      return (value as unknown[]).length === 0;
    case 'section':
      return false;
    default:
      return spec.default !== undefined && spec.default === value;
  }
}

function scalar(spec: Spec, value: unknown): string {
  switch (spec.kind) {
    case 'string':
      return printString(value as string);
    case 'int':
    case 'number':
      return printNumber(value as number);
    case 'bool':
      return value ? 'true' : 'false';
    case 'enum':
      return atom(value as string);
    default:
      throw new Error(`not a scalar: ${spec.kind}`);
  }
}

/** Lines of `(key …)` for one field, or none when it is left at its default. */
function field(key: string, spec: Spec, value: unknown, indent: string): string[] {
  if (value === undefined || isDefault(spec, value)) return [];
  const inner = `${indent}  `;
  switch (spec.kind) {
    case 'section': {
      const body = fields(spec.fields, value as Obj, inner);
      if (body.length === 0) return spec.optional ? [`${indent}(${key})`] : [];
      return wrap(`${indent}(${key}`, body);
    }
    case 'named': {
      const body: string[] = [];
      for (const [name, entry] of Object.entries(value as Record<string, Obj>)) {
        const entryBody = fields(spec.item.fields, entry, `${inner}  `);
        body.push(...(entryBody.length === 0 ? [`${inner}(${atom(name)})`] : wrap(`${inner}(${atom(name)}`, entryBody)));
      }
      return wrap(`${indent}(${key}`, body);
    }
    case 'forms':
      return wrap(`${indent}(${key}`, (value as Obj[]).flatMap((item) => formItem(spec, item, inner)));
    case 'list': {
      const items = (value as string[]).map((v) => (spec.values ? atom(v) : printString(v)));
      return [`${indent}(${[key, ...items].join(' ')})`];
    }
    case 'map': {
      const body = Object.entries(value as Record<string, string | string[]>).map(([k, v]) => {
        const vs = Array.isArray(v) ? v.map(printString).join(' ') : printString(v);
        return `${inner}(${atom(k)} ${vs})`;
      });
      return wrap(`${indent}(${key}`, body);
    }
    default:
      return [`${indent}(${key} ${scalar(spec, value)})`];
  }
}

function formItem(spec: FormsSpec, item: Obj, indent: string): string[] {
  const tag = spec.tagField ? (item[spec.tagField] as string) : Object.keys(spec.forms)[0]!;
  const form = spec.forms[tag]!;
  const body = fields(form.fields, item, `${indent}  `);
  return body.length === 0 ? [`${indent}(${tag})`] : wrap(`${indent}(${tag}`, body);
}

function fields(specs: Fields, obj: Obj, indent: string): string[] {
  const out: string[] = [];
  for (const [prop, spec] of Object.entries(specs)) out.push(...field(lispKey(prop, spec), spec, obj[prop], indent));
  return out;
}

/** `(head` + body lines, the closing parenthesis on the last line. */
function wrap(open: string, body: string[]): string[] {
  if (body.length === 0) return [`${open})`];
  const lines = [open, ...body];
  lines[lines.length - 1] += ')';
  return lines;
}

export function printConfig(config: ClusterConfig): string {
  const body = fields(clusterSchema.fields, config as unknown as Obj, '  ');
  return `${wrap('(cluster', body).join('\n')}\n`;
}
