// The configuration reference (docs/configuration.md), rendered from the schema.
import { clusterSchema, DEFAULT_VERSIONS } from './schema.ts';
import type { Fields, Format, FormSpec, Spec } from './schema-dsl.ts';
import { isSupported, lispKey } from './schema-dsl.ts';

const FORMAT_TEXT: Record<Format, string> = {
  cidr: 'IPv4 CIDR',
  ipv4: 'IPv4 address',
  'dns-label': 'DNS label',
  domain: 'DNS name',
  host: 'DNS name or IP',
  url: 'URL',
  'git-url': 'git URL',
  'abs-path': 'absolute path',
  'port-range': 'port or range',
  cron: 'cron schedule',
  duration: 'duration',
};

function code(s: string): string {
  return `\`${s}\``;
}

function typeOf(spec: Spec): string {
  switch (spec.kind) {
    case 'string':
      return spec.format ? `string (${FORMAT_TEXT[spec.format]})` : 'string';
    case 'int': {
      const range = spec.min !== undefined || spec.max !== undefined ? ` ${spec.min ?? ''}–${spec.max ?? ''}` : '';
      return `integer${range}`;
    }
    case 'number':
      return 'number';
    case 'bool':
      return 'boolean';
    case 'enum':
      return `one of ${spec.values.map((v) => (spec.unsupportedValues?.includes(v) ? `${code(v)}¹` : code(v))).join(', ')}`;
    case 'list':
      return spec.values
        ? `list of ${spec.values.map(code).join(', ')}`
        : `list of strings${spec.format ? ` (${FORMAT_TEXT[spec.format]})` : ''}`;
    case 'map':
      return spec.listValues ? 'map of string lists' : 'map of strings';
    case 'section':
      return spec.shorthand ? `section, or a string for ${code(lispKey(spec.shorthand, spec.fields[spec.shorthand]!))}` : 'section';
    case 'named':
      return `named ${spec.itemNoun}s`;
    case 'forms':
      return `list of ${Object.keys(spec.forms).map((t) => code(`(${t} …)`)).join(', ')}`;
  }
}

function defaultOf(spec: Spec): string {
  if (spec.derived) return spec.derived;
  if (spec.required) return '**required**';
  if ('default' in spec && spec.default !== undefined) {
    const d = spec.default;
    if (Array.isArray(d)) return d.length === 0 ? '' : code(d.join(' '));
    return code(String(d));
  }
  return '';
}

function notes(spec: Spec): string {
  const parts: string[] = [];
  if (spec.secret) parts.push('**secret**');
  if (!isSupported(spec)) parts.push('*not supported yet*');
  if (spec.aliases?.length) parts.push(`also ${spec.aliases.map(code).join(', ')}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

interface Table {
  heading: string;
  doc: string;
  rows: string[];
}

function collect(fields: Fields, path: string, doc: string, tables: Table[]): void {
  const rows: string[] = [];
  const nested: Array<() => void> = [];
  for (const [prop, spec] of Object.entries(fields)) {
    const key = lispKey(prop, spec);
    const p = path ? `${path}.${key}` : key;
    rows.push(
      `| ${code(key)} | ${escapeCell(typeOf(spec))} | ${escapeCell(defaultOf(spec))} | ${escapeCell(spec.doc)}${notes(spec)} |`,
    );
    if (spec.kind === 'section') nested.push(() => collect(spec.fields, p, spec.doc, tables));
    else if (spec.kind === 'named') nested.push(() => collect(spec.item.fields, `${p}.<name>`, spec.doc, tables));
    else if (spec.kind === 'forms') {
      for (const [tag, form] of Object.entries(spec.forms) as Array<[string, FormSpec]>) {
        nested.push(() => collect(form.fields, `${p} (${tag} …)`, formDoc(tag, form), tables));
      }
    }
  }
  tables.push({ heading: path || 'cluster', doc, rows });
  for (const n of nested) n();
}

function formDoc(tag: string, form: FormSpec): string {
  const shapes = (form.positional ?? []).map((p) => code(`(${tag} ${p.map((k) => `<${k}>`).join(' ')})`));
  return shapes.length ? `${form.doc} Short forms: ${shapes.join(', ')}.` : form.doc;
}

export function renderConfigurationDoc(): string {
  const tables: Table[] = [];
  collect(clusterSchema.fields, '', clusterSchema.doc, tables);
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `node src/config/gen-docs.ts`. Do not edit by hand. -->',
    '',
    'A cluster is described by one `(cluster …)` form. Each key below is written `(key value)`;',
    'a section holds keys: `(providers (aws (region "us-east-1")))`. A section with a single key',
    'works like any other. Values may be computed with the Lisp built-ins (`(env "X" "default")`,',
    '`(concat …)`, `(if …)`); a built-in call standing where a key would be, such as',
    '`(when (env? "PROD") (monitoring …))`, adds the sections it yields. Inside a section a key',
    'wins over a built-in of the same name (`(image (user "ubuntu"))`).',
    '',
    'Conventions:',
    '',
    '- **Named sections** (`node-pools`, `nodes`) are keyed by a name you choose: a DNS label that',
    '  starts with a letter. Node host names are `<pool name>-<n>`, counting from 1.',
    '- **Lists** are written inline: `(roles master etcd)`, `(zones "us-east-1a" "us-east-1b")`; an',
    '  evaluated list such as `(split (env "ZONES") ",")` works too. **Maps** are pairs:',
    '  `(labels (team "platform") (tier "web"))`.',
    '- **Enum values** are written bare or as strings: `(distribution k3s)`, `(distribution "k3s")`.',
    '- A value that evaluates to `nil` (an unset `(env "X")`) counts as not written.',
    '- A provider, bastion or add-on block that is present is enabled unless it says `(enabled false)`.',
    '- **secret** values (credentials, tokens, passwords) never have a default: what you do not give is',
    '  read from the environment or generated at deploy time and kept encrypted in the stack. They are',
    '  shown as `"[secret]"` in JSON output unless `--show-secrets` is given.',
    '- *not supported yet*: the key is read, but nothing acts on it yet, so `validate` rejects it unless',
    '  it is left at its default or its section says `(enabled false)`. ¹ marks values not supported yet.',
    '- An unknown key is an error with a suggestion; a value of the wrong type says which type was expected.',
    '',
    'Defaults worth knowing: a pool without `provider` uses the only enabled provider; without `region`,',
    "its provider's region; without `roles`, `master etcd` when it is named `master`, `masters`,",
    '`control-plane` or `server`, else `worker`. `network.mode` is `wireguard`; pods `10.42.0.0/16`,',
    `services \`10.43.0.0/16\`, WireGuard \`10.8.0.0/24\` on port 51820. The distribution is \`rke2\` at`,
    `\`${DEFAULT_VERSIONS.rke2}\` (\`${DEFAULT_VERSIONS.k3s}\` for k3s). The stack is named after \`metadata.name\`.`,
    '',
    'Rules checked by `sloth-kubernetes validate`: at least one master; an odd number of etcd members',
    '(3 or more for high availability); pools on enabled providers, each with a size and the region of',
    'its provider (one region per provider for now);',
    'valid, non-overlapping networks (VPCs, pods, services, WireGuard); a WireGuard subnet large enough',
    'for every node and the bastion; the version format of the distribution (`v1.29.0+rke2r1`,',
    '`v1.29.0+k3s1`); DNS-safe names; unique host names.',
    '',
  ];
  for (const t of tables) {
    out.push(`## ${t.heading}`, '', t.doc, '', '| key | type | default | description |', '| --- | --- | --- | --- |', ...t.rows, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
