// One recorded object against its live copy, comparing only the fields the recorded object
// sets: what the server manages (uid, resourceVersion, managedFields, status, …) and what
// it defaulted (imagePullPolicy, a Service's clusterIP, …) is not a difference. Lists are
// compared as server-side apply merges them: a list of named items (containers, env,
// volumes, ports) item by key, so items another manager added are not ours to report; any
// other list as a whole, item by item. Quantities compare by value (`0.5` = `500m`). A
// Secret's `data`/`stringData` values are compared decoded and never copied into the result.
import type { KubeObject } from './live-objects.ts';
import { groupOf } from './live-objects.ts';
import { sameQuantity } from './quantity.ts';

export interface Difference {
  /** `spec.replicas`, `spec.template.spec.containers[name=web].image`, `data["tls.key"]`. */
  path: string;
  /** changed: both set, different; absent: the recorded field is not live; extra: the live list has more items. */
  change: 'changed' | 'absent' | 'extra';
  recorded?: unknown;
  live?: unknown;
  /** A Secret's data: the values are not in the result. */
  secret?: true;
}

const SERVER_METADATA = new Set(['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace']);
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Merge keys of Kubernetes' associative lists, most common first. */
const LIST_KEYS = ['name', 'mountPath', 'devicePath', 'containerPort', 'port', 'ip', 'topologyKey'];
/** Maps whose values are resource quantities. */
const QUANTITY_PARENTS = new Set(['limits', 'requests', 'hard', 'capacity', 'allocatable']);
const QUANTITY_KEYS = new Set(['storage', 'sizeLimit']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: unknown): boolean => v === null || v === undefined || (isObject(v) && Object.keys(v).length === 0);

function key(path: string, k: string): string {
  const plain = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(k);
  return path === '' ? (plain ? k : `[${JSON.stringify(k)}]`) : plain ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
}

function listKeyOf(rec: unknown[], live: unknown[]): string | undefined {
  if (rec.length === 0 || !rec.every(isObject) || !live.every(isObject)) return undefined;
  return LIST_KEYS.find((k) => {
    const ok = (items: Record<string, unknown>[]) => items.every((i) => typeof i[k] === 'string' || typeof i[k] === 'number');
    const keys = rec.map((i) => String((i as Record<string, unknown>)[k]));
    return ok(rec as Record<string, unknown>[]) && ok(live as Record<string, unknown>[]) && new Set(keys).size === keys.length;
  });
}

function scalarEqual(rec: unknown, live: unknown, path: string[]): boolean {
  if (rec === live) return true;
  const last = path[path.length - 1] ?? '';
  const parent = path[path.length - 2] ?? '';
  if (QUANTITY_PARENTS.has(parent) || QUANTITY_KEYS.has(last)) return sameQuantity(rec, live);
  return false;
}

function compareValue(rec: unknown, live: unknown, shown: string, path: string[], out: Difference[]): void {
  if (isEmpty(rec)) return; // sets nothing (a null, or an empty map the server drops)
  if (live === undefined || live === null) {
    if (Array.isArray(rec) && rec.length === 0) return;
    out.push({ path: shown, change: 'absent', recorded: rec });
    return;
  }
  if (isObject(rec)) {
    if (!isObject(live)) return void out.push({ path: shown, change: 'changed', recorded: rec, live });
    for (const [k, v] of Object.entries(rec)) compareValue(v, live[k], key(shown, k), [...path, k], out);
    return;
  }
  if (Array.isArray(rec)) {
    if (!Array.isArray(live)) return void out.push({ path: shown, change: 'changed', recorded: rec, live });
    const k = listKeyOf(rec, live);
    if (k) {
      for (const item of rec as Record<string, unknown>[]) {
        const id = item[k] as string | number;
        const match = (live as Record<string, unknown>[]).find((l) => l[k] === id);
        const at = `${shown}[${k}=${typeof id === 'string' && /^[A-Za-z0-9_./-]+$/.test(id) ? id : JSON.stringify(id)}]`;
        if (!match) out.push({ path: at, change: 'absent', recorded: item });
        else compareValue(item, match, at, [...path, '[]'], out);
      }
      return;
    }
    rec.forEach((item, i) => {
      if (i >= live.length) out.push({ path: `${shown}[${i}]`, change: 'absent', recorded: item });
      else compareValue(item, live[i], `${shown}[${i}]`, [...path, '[]'], out);
    });
    for (let i = rec.length; i < live.length; i++) out.push({ path: `${shown}[${i}]`, change: 'extra', live: live[i] });
    return;
  }
  if (!scalarEqual(rec, live, path)) out.push({ path: shown, change: 'changed', recorded: rec, live });
}

const decode = (v: unknown): Buffer | undefined => (typeof v === 'string' ? Buffer.from(v.replace(/\s+/g, ''), 'base64') : undefined);

/** A Secret's values: compared as bytes, reported without them. */
function compareSecretData(rec: KubeObject, live: KubeObject, out: Difference[]): void {
  const liveData = isObject(live.data) ? live.data : {};
  const wanted = new Map<string, { bytes: Buffer | undefined; path: string }>();
  if (isObject(rec.data)) for (const [k, v] of Object.entries(rec.data)) if (v !== null) wanted.set(k, { bytes: decode(v), path: key('data', k) });
  // The server folds stringData into data; stringData wins over data for the same key.
  if (isObject(rec.stringData)) for (const [k, v] of Object.entries(rec.stringData)) if (v !== null) wanted.set(k, { bytes: Buffer.from(String(v), 'utf8'), path: key('stringData', k) });
  for (const [k, { bytes, path }] of wanted) {
    const have = decode(liveData[k]);
    if (have === undefined) out.push({ path, change: 'absent', secret: true });
    else if (!bytes || !bytes.equals(have)) out.push({ path, change: 'changed', secret: true });
  }
}

export const isSecretObject = (o: KubeObject): boolean => o.kind === 'Secret' && groupOf(String(o.apiVersion ?? '')) === '';

/** The differences between a recorded object and its live copy (empty: in sync). */
export function compareObject(recorded: KubeObject, live: KubeObject): Difference[] {
  const out: Difference[] = [];
  const secret = isSecretObject(recorded);
  for (const [k, v] of Object.entries(recorded)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (secret && (k === 'data' || k === 'stringData')) continue;
    if (k === 'metadata' && isObject(v)) {
      const liveMeta = isObject(live.metadata) ? live.metadata : {};
      for (const [mk, mv] of Object.entries(v)) {
        if (SERVER_METADATA.has(mk)) continue;
        if (mk === 'annotations' && isObject(mv)) {
          const { [LAST_APPLIED]: _ignored, ...rest } = mv;
          compareValue(rest, liveMeta[mk], `metadata.${mk}`, ['metadata', mk], out);
          continue;
        }
        compareValue(mv, liveMeta[mk], key('metadata', mk), ['metadata', mk], out);
      }
      continue;
    }
    compareValue(v, live[k], key('', k), [k], out);
  }
  if (secret) compareSecretData(recorded, live, out);
  return out;
}
