// Snapshots: the inputs that produced a deployment (the Lisp text, the normalized config with
// its secrets, the deploy options), a summary of the resources it left, and its change log,
// linked to the snapshot before it. They are the rollback points. Stored sealed with the
// stack's secrets as `snapshots/<id>.json` next to the checkpoint.
import type { StackAttachments } from '../state/index.ts';
import type { ChangeLogEntry, PoolInfo } from './types.ts';
import { diffPools } from './pools.ts';

export type SnapshotStatus = 'active' | 'archived' | 'rolled_back' | 'destroyed';

export interface ResourceSummary {
  type: string;
  id?: string;
  protect?: boolean;
}

export interface DeployOptionsRecord {
  /** The operator addresses the deploy opened SSH and the API to. */
  operatorCidrs?: string[];
  /** False: infrastructure only (`--no-bootstrap`). */
  bootstrap: boolean;
  /** User manifests (`--manifest`), by name, with their content. */
  manifests: { name: string; content: string }[];
}

export interface Snapshot {
  id: string;
  deploymentId: string;
  timestamp: string;
  /** As written; `snapshotStatuses` derives the current one. */
  status: SnapshotStatus;
  configHash: string;
  lispChecksum: string;
  resourceCount: number;
  nodeCount: number;
  resources: Record<string, ResourceSummary>;
  pools: Record<string, PoolInfo>;
  /** actor, command, message, toolVersion, rollbackOf (deployment id). */
  metadata: Record<string, string>;
  parentId: string;
  changeLog: ChangeLogEntry[];
  inputs: {
    lispManifest: string;
    /** The normalized configuration, secrets included (the snapshot is sealed). */
    configJson: string;
    options: DeployOptionsRecord;
  };
}

const SNAPSHOT_DIR = 'snapshots/';
export const snapshotName = (id: string): string => `${SNAPSHOT_DIR}${id}.json`;
/** How many snapshots may share a base id before something is badly wrong. */
const MAX_SUFFIX = 1000;

/**
 * The deployment number a snapshot id names (`state-deploy-<n>-<day>-<sum>`), or 0. Lets a
 * deployment count that went backwards (an older export imported) skip the numbers taken.
 */
export function deploymentNumberOf(id: string): number {
  const m = /^state-deploy-(\d+)-/.exec(id);
  return m ? Number(m[1]) : 0;
}

export class SnapshotStore {
  readonly #attachments: StackAttachments;
  constructor(attachments: StackAttachments) {
    this.#attachments = attachments;
  }

  /**
   * Writes a new snapshot and returns the id it got: never over an existing one. An id that is
   * taken (a deployment whose record never reached the checkpoint, or a deployment count
   * rewound by importing an older export) gets the next free suffix (`-2`, `-3`, …).
   */
  async create(s: Snapshot): Promise<string> {
    for (let n = 1; n <= MAX_SUFFIX; n++) {
      const id = n === 1 ? s.id : `${s.id}-${n}`;
      if (await this.#attachments.createSealed(snapshotName(id), { ...s, id })) return id;
    }
    throw new Error(`snapshot ids ${s.id} to ${s.id}-${MAX_SUFFIX} are all taken`);
  }

  async get(id: string): Promise<Snapshot | undefined> {
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) return undefined;
    return this.#attachments.getSealed<Snapshot>(snapshotName(id));
  }

  async ids(): Promise<string[]> {
    return (await this.#attachments.list(SNAPSHOT_DIR)).map((o) => o.name.slice(SNAPSHOT_DIR.length).replace(/\.json$/, ''));
  }

  /** Every snapshot, oldest first. */
  async all(): Promise<Snapshot[]> {
    const out: Snapshot[] = [];
    for (const id of await this.ids()) {
      const s = await this.get(id);
      if (s) out.push(s);
    }
    return out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.id < b.id ? -1 : 1));
  }
}

/**
 * The status of each snapshot now: the one the stack's metadata names is `active` — or
 * `destroyed` once a destroy took its resources; one a later deployment rolled back from is
 * `rolled_back`; the rest are `archived`.
 */
export function snapshotStatuses(snapshots: readonly Snapshot[], activeId: string | undefined, destroyed = false): Map<string, SnapshotStatus> {
  const out = new Map<string, SnapshotStatus>();
  const rolledBack = new Set(snapshots.filter((s) => s.metadata.rollbackOf).map((s) => s.parentId));
  for (const s of snapshots) out.set(s.id, s.id === activeId ? (destroyed ? 'destroyed' : 'active') : rolledBack.has(s.id) ? 'rolled_back' : 'archived');
  return out;
}

/** A snapshot by its id, its deployment id, or a unique prefix of either. */
export function findSnapshot(snapshots: readonly Snapshot[], ref: string): Snapshot | Snapshot[] | undefined {
  const exact = snapshots.find((s) => s.id === ref || s.deploymentId === ref);
  if (exact) return exact;
  const matches = snapshots.filter((s) => s.id.startsWith(ref) || s.deploymentId.startsWith(ref));
  return matches.length === 1 ? matches[0] : matches.length > 1 ? matches : undefined;
}

export interface SnapshotDiff {
  from: string;
  to: string;
  poolChanges: { pool: string; change: 'added' | 'removed' | 'scaled' | 'changed'; from?: string; to?: string }[];
  resourceChanges: { urn: string; type: string; change: 'added' | 'removed' | 'replaced' }[];
  configChanged: boolean;
}

export function diffSnapshots(a: Snapshot, b: Snapshot): SnapshotDiff {
  const pd = diffPools(a.pools, b.pools);
  const poolChanges: SnapshotDiff['poolChanges'] = [
    ...pd.added.map((p) => ({ pool: p, change: 'added' as const, to: String(b.pools[p]!.count) })),
    ...pd.removed.map((p) => ({ pool: p, change: 'removed' as const, from: String(a.pools[p]!.count) })),
    ...pd.scaled.map((s) => ({ pool: s.name, change: 'scaled' as const, from: String(s.from), to: String(s.to) })),
    ...pd.changed.map((c) => ({ pool: c.name, change: 'changed' as const, from: c.fields.map((f) => `${f}=${String(a.pools[c.name]![f as keyof PoolInfo])}`).join(' '), to: c.fields.map((f) => `${f}=${String(b.pools[c.name]![f as keyof PoolInfo])}`).join(' ') })),
  ];
  const resourceChanges: SnapshotDiff['resourceChanges'] = [];
  for (const [urn, r] of Object.entries(b.resources)) {
    const old = a.resources[urn];
    if (!old) resourceChanges.push({ urn, type: r.type, change: 'added' });
    else if (old.id !== undefined && r.id !== undefined && old.id !== r.id) resourceChanges.push({ urn, type: r.type, change: 'replaced' });
  }
  for (const [urn, r] of Object.entries(a.resources)) if (!b.resources[urn]) resourceChanges.push({ urn, type: r.type, change: 'removed' });
  resourceChanges.sort((x, y) => (x.urn < y.urn ? -1 : 1));
  return { from: a.id, to: b.id, poolChanges, resourceChanges, configChanged: a.configHash !== b.configHash };
}
