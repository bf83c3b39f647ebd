// The objects a recorded manifest declares, and the objects `kubectl get -f - -o json` read
// back for it, matched by identity (API group, kind, namespace, name). The recorded YAML is
// read as kubectl reads it (YAML 1.1: `0644` is octal, `on` is true); `kind: List`
// documents are flattened as kubectl flattens them.
import { parseAllDocuments } from 'yaml';

export type KubeObject = Record<string, unknown>;

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** As written in the manifest (absent: the kubeconfig's namespace, or cluster-scoped). */
  namespace?: string;
}

export interface RecordedObject {
  ref: ObjectRef;
  object: KubeObject;
}

/** A manifest that cannot be compared object by object (what is wrong, and where). */
export class ManifestObjectsError extends Error {
  override readonly name = 'ManifestObjectsError';
}

const isObject = (v: unknown): v is KubeObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** `Deployment default/web`, `ClusterRole admin`. */
export function describeRef(ref: ObjectRef, liveNamespace?: string): string {
  const ns = ref.namespace ?? liveNamespace;
  return `${ref.kind} ${ns ? `${ns}/` : ''}${ref.name}`;
}

function refOf(obj: KubeObject, where: string): ObjectRef {
  const apiVersion = str(obj.apiVersion);
  const kind = str(obj.kind);
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const name = str(meta.name);
  if (!apiVersion || !kind) throw new ManifestObjectsError(`${where} has no apiVersion or kind`);
  if (!name) throw new ManifestObjectsError(`${where} (${kind}) has no metadata.name${str(meta.generateName) ? ' (generateName objects cannot be looked up)' : ''}`);
  const namespace = str(meta.namespace);
  return { apiVersion, kind, name, ...(namespace ? { namespace } : {}) };
}

/** Every object of a manifest, in order; empty documents are skipped. */
export function recordedObjects(content: string): RecordedObject[] {
  const docs = parseAllDocuments(content, { version: '1.1', merge: true, uniqueKeys: false });
  const out: RecordedObject[] = [];
  for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    const where = `document ${i + 1}`;
    if (doc.errors.length > 0) throw new ManifestObjectsError(`${where} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) continue;
    if (!isObject(value)) throw new ManifestObjectsError(`${where} is not a Kubernetes object (a ${Array.isArray(value) ? 'list' : typeof value})`);
    if (value.kind === 'List' || (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items))) {
      for (const [j, item] of ((value.items as unknown[] | undefined) ?? []).entries()) {
        if (!isObject(item)) throw new ManifestObjectsError(`${where}, item ${j + 1} is not a Kubernetes object`);
        out.push({ ref: refOf(item, `${where}, item ${j + 1}`), object: item });
      }
      continue;
    }
    out.push({ ref: refOf(value, where), object: value });
  }
  return out;
}

/**
 * The objects in `kubectl get -o json` output: a `List` (several objects, or one read from
 * stdin), a single object, or nothing (every object absent, with --ignore-not-found).
 */
export function kubectlGetItems(stdout: string): KubeObject[] {
  if (stdout.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new ManifestObjectsError(`kubectl printed something that is not JSON: ${JSON.stringify(stdout.trim().slice(0, 80))}`);
  }
  if (!isObject(parsed)) throw new ManifestObjectsError('kubectl printed JSON that is not an object');
  if (parsed.kind === 'List' || Array.isArray(parsed.items)) {
    if (!Array.isArray(parsed.items)) throw new ManifestObjectsError('kubectl printed a List without items');
    return parsed.items.filter(isObject);
  }
  if (typeof parsed.kind !== 'string') throw new ManifestObjectsError('kubectl printed an object without a kind');
  return [parsed];
}

/** The live object `ref` names among `items` (the kubeconfig's namespace is `default`). */
export function findLive(ref: ObjectRef, items: readonly KubeObject[], defaultNamespace = 'default'): KubeObject | undefined {
  const group = groupOf(ref.apiVersion);
  return items.find((o) => {
    const meta = isObject(o.metadata) ? o.metadata : {};
    if (o.kind !== ref.kind || meta.name !== ref.name || groupOf(String(o.apiVersion ?? '')) !== group) return false;
    // A cluster-scoped object reads back without a namespace, whatever the manifest said.
    return meta.namespace === undefined || meta.namespace === (ref.namespace ?? defaultNamespace);
  });
}

export interface UnknownKind {
  /** Absent when kubectl did not say which object (then every object of the kind). */
  name?: string;
  namespace?: string;
  kind: string;
  apiVersion: string;
}

// kubectl words it two ways: "resource mapping not found for name: "w" namespace: "x" from
// "STDIN": no matches for kind …" for a document, "unable to recognize no matches for kind …"
// for an item of a List.
const NO_MATCH = /no matches for kind "([^"]+)" in version "([^"]+)"/;
const FOR_NAME = /for name: "([^"]*)" namespace: "([^"]*)"/;
const BENIGN = /^(ensure CRDs are installed first|Warning: .*)$/;

/**
 * When kubectl failed only because the cluster does not know some kinds (their CRDs are not
 * installed), those objects: they are missing, the others were read. Undefined when stderr
 * holds any other error.
 */
export function unknownKinds(stderr: string): UnknownKind[] | undefined {
  const found: UnknownKind[] = [];
  for (const line of stderr.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const m = NO_MATCH.exec(line);
    if (m) {
      const n = FOR_NAME.exec(line);
      found.push({ ...(n ? { name: n[1]! } : {}), ...(n?.[2] ? { namespace: n[2] } : {}), kind: m[1]!, apiVersion: m[2]! });
    } else if (!BENIGN.test(line)) return undefined;
  }
  return found.length > 0 ? found : undefined;
}
