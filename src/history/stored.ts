// Reading what the stack remembers about its configuration and deployments: the stored
// outputs (ours or the earlier Go writer's: JSON text inside secrets), migrated metadata,
// snapshots and the entries `history` lists.
import { isConfigJson } from '../config/index.ts';
import { holdsOnlyItsRoot, reveal, stackOutputs } from '../state/index.ts';
import type { OpenedStack } from '../state/index.ts';
import { changeSummary } from './meta.ts';
import { migrateMeta, parseStoredMeta } from './migrate.ts';
import type { Migrated } from './migrate.ts';
import { SnapshotStore, snapshotStatuses } from './snapshot.ts';
import type { Snapshot, SnapshotStatus } from './snapshot.ts';
import type { ChangeLogEntry } from './types.ts';

export interface StoredConfig {
  /** The Lisp text as deployed, when the stack kept it. */
  lisp?: string;
  /** The stored configuration JSON text. */
  configJson?: string;
  /** Whether configJson is our normalized form (else an older writer's). */
  ours: boolean;
  meta?: Migrated;
}

export function storedConfig(stack: OpenedStack): StoredConfig {
  const out = stackOutputs(stack.deployment, stack.name);
  const lisp = reveal(out.lispManifest);
  const cfg = reveal(out.configJson);
  const configJson = typeof cfg === 'string' ? cfg : cfg && typeof cfg === 'object' ? JSON.stringify(cfg, null, 2) : undefined;
  return { lisp: typeof lisp === 'string' ? lisp : undefined, configJson, ours: configJson !== undefined && isConfigJson(configJson), meta: metaOf(out.deploymentMeta) };
}

function metaOf(value: unknown): Migrated | undefined {
  const raw = parseStoredMeta(reveal(value as never));
  return raw ? migrateMeta(raw) : undefined;
}

export interface HistoryEntry {
  deploymentId: string;
  timestamp: string;
  actor: string;
  configHash: string;
  nodeCount: number;
  summary: string;
  changeLog: ChangeLogEntry[];
  snapshotId?: string;
  status?: SnapshotStatus;
  rollbackOf?: string;
  message?: string;
  current: boolean;
}

/**
 * Every recorded deployment, newest first: from the snapshots, and the metadata for older
 * ones. After a destroy (the stack holds only its memory) no deployment is current, and the
 * last one is `destroyed`.
 */
export async function historyOf(stack: OpenedStack, meta: Migrated | undefined): Promise<{ entries: HistoryEntry[]; snapshots: Snapshot[]; statuses: Map<string, SnapshotStatus>; destroyed: boolean }> {
  const snapshots = await new SnapshotStore(stack.attachments).all();
  const destroyed = meta !== undefined && holdsOnlyItsRoot(stack.deployment.resources);
  const statuses = snapshotStatuses(snapshots, meta?.meta.stateSnapshotId, destroyed);
  const entries: HistoryEntry[] = snapshots.map((s) => ({
    deploymentId: s.deploymentId,
    timestamp: s.timestamp,
    actor: s.metadata.actor ?? 'unknown',
    configHash: s.configHash,
    nodeCount: s.nodeCount,
    summary: changeSummary(s.changeLog),
    changeLog: s.changeLog,
    snapshotId: s.id,
    status: statuses.get(s.id),
    ...(s.metadata.rollbackOf ? { rollbackOf: s.metadata.rollbackOf } : {}),
    ...(s.metadata.message ? { message: s.metadata.message } : {}),
    current: !destroyed && s.id === meta?.meta.stateSnapshotId,
  }));
  const known = new Set(entries.map((e) => e.deploymentId));
  if (meta && !known.has(meta.meta.deploymentId)) {
    const m = meta.meta;
    entries.push({
      deploymentId: m.deploymentId,
      timestamp: m.lastDeployedAt,
      actor: m.changeLog.find((e) => e.actor)?.actor ?? 'unknown',
      configHash: m.configVersion?.config_hash || m.configChecksum,
      nodeCount: m.currentNodeCount,
      summary: changeSummary(m.changeLog),
      changeLog: m.changeLog,
      ...(destroyed ? { status: 'destroyed' as const } : {}),
      current: !destroyed,
    });
    known.add(m.deploymentId);
  }
  for (const p of meta?.meta.previousDeployments ?? []) {
    if (known.has(p.deploymentId)) continue;
    known.add(p.deploymentId);
    entries.push({ deploymentId: p.deploymentId, timestamp: p.timestamp, actor: 'unknown', configHash: p.configChecksum, nodeCount: p.nodeCount, summary: p.success ? '(recorded by an earlier version: no change log kept)' : `failed: ${p.errorMessage ?? ''}`, changeLog: [], current: false });
  }
  entries.sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : a.deploymentId < b.deploymentId ? 1 : -1));
  return { entries, snapshots, statuses, destroyed };
}
