// Kubeconfig documents: the cluster's admin kubeconfig as a stack keeps it (RKE2/K3s write one
// cluster, user and context, all called `default`), renamed to the name a user sees it under,
// and merged into a user's own kubeconfig without losing anything else in it — other
// clusters, users, contexts, the current context, preferences, extensions, even comments
// (the file is edited as a YAML document, not re-serialised from data).
import { isMap, isSeq, parseDocument, stringify } from 'yaml';
import type { Document, YAMLSeq } from 'yaml';

export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

type Entry = Record<string, unknown>;

export interface NamedKubeconfig {
  /** One cluster, user and context, all called `name`; current-context `name`. */
  text: string;
  name: string;
  /** The API server URL. */
  server: string;
}

const named = (list: unknown, name: unknown): Entry | undefined => (Array.isArray(list) ? (list as Entry[]).find((e) => e && typeof e === 'object' && e['name'] === name) : undefined);

/**
 * The admin kubeconfig `text` (its current context, else its only one) as a document of
 * its own whose cluster, user and context are all called `name`.
 */
export function namedKubeconfig(text: string, name: string): NamedKubeconfig {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new KubeconfigError(`the kubeconfig is not YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  const data = doc.toJS() as Entry | null;
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new KubeconfigError('the kubeconfig is not a YAML mapping');
  const contexts = Array.isArray(data['contexts']) ? (data['contexts'] as Entry[]) : [];
  const context = named(contexts, data['current-context']) ?? (contexts.length === 1 ? contexts[0] : undefined);
  const ref = context?.['context'] as Entry | undefined;
  if (!ref) throw new KubeconfigError(contexts.length === 0 ? 'the kubeconfig has no context' : `the kubeconfig has ${contexts.length} contexts and none is current`);
  const cluster = named(data['clusters'], ref['cluster'])?.['cluster'] as Entry | undefined;
  const user = named(data['users'], ref['user'])?.['user'] as Entry | undefined;
  if (!cluster || typeof cluster['server'] !== 'string') throw new KubeconfigError(`the kubeconfig names cluster '${String(ref['cluster'])}' but has no server for it`);
  if (!user) throw new KubeconfigError(`the kubeconfig names user '${String(ref['user'])}' but does not define it`);
  const out = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [{ name, context: { ...ref, cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  };
  return { text: stringify(out, { lineWidth: 0 }), name, server: cluster['server'] };
}

export interface Merged {
  text: string;
  /** Entries called like the new ones that were replaced (`cluster`, `user`, `context`). */
  replaced: string[];
  /** The current context before and after. */
  currentBefore?: string;
  currentAfter: string;
}

/** The sequence under `key`, created when absent; throws when something else is there. */
function listOf(doc: Document, key: string, file: string): YAMLSeq {
  const node = doc.get(key, true);
  if (node === undefined || node === null || (typeof node === 'object' && 'value' in node && (node as { value: unknown }).value === null)) {
    const seq = doc.createNode([]) as YAMLSeq;
    doc.set(key, seq);
    return seq;
  }
  if (!isSeq(node)) throw new KubeconfigError(`${file}: '${key}' is not a list`);
  return node;
}

/**
 * Merges `entry` (a document from namedKubeconfig) into the kubeconfig `existing` (undefined
 * or empty: a new file): its cluster, user and context replace the ones of the same name and
 * everything else stays. The current context changes only when `use` is set, or when the file
 * had none. `file` names the file in errors. Throws KubeconfigError (nothing is written then).
 */
export function mergeKubeconfig(existing: string | undefined, entry: NamedKubeconfig, opts: { use?: boolean; file: string }): Merged {
  const doc: Document = parseDocument(existing ?? '');
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const where = e.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : '';
    throw new KubeconfigError(`${opts.file}${where} is not valid YAML (${e.message.split('\n')[0]}); it was left as it is`);
  }
  if (doc.contents === null || doc.contents === undefined) doc.contents = doc.createNode({});
  else if (!isMap(doc.contents)) throw new KubeconfigError(`${opts.file} is not a kubeconfig (its top level is not a mapping); it was left as it is`);
  const add = parseDocument(entry.text).toJS() as Entry;
  if (!doc.has('apiVersion')) doc.set('apiVersion', 'v1');
  if (!doc.has('kind')) doc.set('kind', 'Config');
  const replaced: string[] = [];
  for (const [key, kind] of [
    ['clusters', 'cluster'],
    ['users', 'user'],
    ['contexts', 'context'],
  ] as const) {
    const seq = listOf(doc, key, opts.file);
    const before = seq.items.length;
    seq.items = seq.items.filter((item) => !(isMap(item) && item.get('name') === entry.name));
    if (seq.items.length !== before) replaced.push(kind);
    seq.add(doc.createNode((add[key] as Entry[])[0]));
  }
  const current = doc.get('current-context');
  const currentBefore = typeof current === 'string' && current !== '' ? current : undefined;
  const currentAfter = opts.use || !currentBefore ? entry.name : currentBefore;
  doc.set('current-context', currentAfter);
  return { text: doc.toString({ lineWidth: 0 }), replaced, ...(currentBefore ? { currentBefore } : {}), currentAfter };
}

/** The first path of a KUBECONFIG value (`a:b:c`), else `~/.kube/config`. */
export function defaultKubeconfigPath(env: Readonly<Record<string, string | undefined>>, homedir: string): string {
  const first = (env.KUBECONFIG ?? '').split(':').find((p) => p !== '');
  return first ?? `${env.HOME || homedir}/.kube/config`;
}
