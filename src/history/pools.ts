// Node pools as history sees them, read from a stored configuration (ours: `nodePools` and
// `nodes` keyed by entry; the Go writer's: `nodePools`/`node_pools` maps or lists), and the
// differences between two deployments' pools.
import type { PoolInfo } from './types.ts';

type Raw = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function entry(key: string, v: Raw, count: number | undefined): PoolInfo {
  const roles = Array.isArray(v.roles) ? (v.roles as unknown[]).map(String) : undefined;
  const info: PoolInfo = { name: text(v.name) ?? key, count: count ?? 0 };
  const provider = text(v.provider);
  const region = text(v.region);
  const size = text(v.size);
  if (provider) info.provider = provider;
  if (region) info.region = region;
  if (size) info.size = size;
  if (roles) info.roles = roles;
  return info;
}

function entries(section: unknown, single: boolean): PoolInfo[] {
  if (Array.isArray(section)) {
    return section.filter((v): v is Raw => !!v && typeof v === 'object').map((v, i) => entry(`pool-${i + 1}`, v, single ? 1 : num(v.count)));
  }
  if (section && typeof section === 'object') {
    return Object.entries(section as Record<string, unknown>)
      .filter((e): e is [string, Raw] => !!e[1] && typeof e[1] === 'object')
      .map(([k, v]) => entry(k, v, single ? 1 : num(v.count)));
  }
  return [];
}

/** The pools of a stored configuration (JSON text or object), by name. */
export function poolsOfConfig(config: unknown): Record<string, PoolInfo> {
  let c: Raw;
  try {
    c = (typeof config === 'string' ? JSON.parse(config) : config) as Raw;
  } catch {
    return {};
  }
  if (!c || typeof c !== 'object') return {};
  const out: Record<string, PoolInfo> = {};
  for (const p of entries(c.nodePools ?? c.node_pools, false)) out[p.name] = p;
  for (const p of entries(c.nodes, true)) out[p.name] ??= p;
  return out;
}

export function nodeCountOf(pools: Record<string, PoolInfo>): number {
  return Object.values(pools).reduce((n, p) => n + p.count, 0);
}

export interface PoolDiff {
  added: string[];
  removed: string[];
  scaled: { name: string; from: number; to: number }[];
  /** Pools whose size, provider, region or roles changed (not their count). */
  changed: { name: string; fields: string[] }[];
}

export function diffPools(before: Record<string, PoolInfo>, after: Record<string, PoolInfo>): PoolDiff {
  const d: PoolDiff = { added: [], removed: [], scaled: [], changed: [] };
  for (const name of Object.keys(after).sort()) {
    const a = before[name];
    const b = after[name]!;
    if (!a) {
      d.added.push(name);
      continue;
    }
    if (a.count !== b.count) d.scaled.push({ name, from: a.count, to: b.count });
    const fields = (['provider', 'region', 'size'] as const).filter((f) => a[f] !== undefined && b[f] !== undefined && a[f] !== b[f]) as string[];
    if (a.roles && b.roles && a.roles.join() !== b.roles.join()) fields.push('roles');
    if (fields.length > 0) d.changed.push({ name, fields });
  }
  for (const name of Object.keys(before).sort()) if (!after[name]) d.removed.push(name);
  return d;
}
