// The deployment metadata of a new deployment, computed from the previous record and what
// this deployment really did: pools compared with the previous configuration, node counts
// from the machines the stack holds before and after, the config hash chain, the change log.
import { CURRENT_SCHEMA } from './types.ts';
import type { ChangeLogEntry, DeploymentHistoryEntry, DeploymentMetadata, ManifestRegistryState, PoolInfo, ScaleOperation } from './types.ts';
import { diffPools } from './pools.ts';

/** How many earlier deployments the record itself lists (the snapshots keep all of them). */
export const PREVIOUS_DEPLOYMENTS_KEPT = 10;

/** What the record says about the Pulumi side: we write Pulumi's checkpoint format, version 3. */
export const PULUMI_FORMAT = 'checkpoint-v3';

export interface DeploymentFacts {
  now: Date;
  actor: string;
  clusterName: string;
  /** configHash() of the deployed configuration (redacted canonical JSON). */
  configHash: string;
  /** SHA-256 of the deployed Lisp text. */
  lispChecksum: string;
  pools: Record<string, PoolInfo>;
  /** Nodes the stack holds after this deployment. */
  nodeCount: number;
  /** Nodes the stack held before it (0 for a new or destroyed cluster). */
  previousNodeCount: number;
  /** Pools of the previous deployment's configuration; undefined when unknown. */
  previousPools?: Record<string, PoolInfo>;
  /** Config paths that differ from the previous deployment's (redacted values). */
  changedPaths?: string[];
  toolVersion: string;
  /** Migrations applied to the previous record when it was read. */
  migrations: string[];
  manifests?: { count: number; hashes: Record<string, string>; registry: ManifestRegistryState };
  rollback?: { targetDeployment: string; targetSnapshot: string; reason: string };
  /**
   * The highest deployment number the stack's snapshots already use: a record rewound by an
   * import of an older export must not hand out a deployment id a snapshot already names.
   */
  highestRecorded?: number;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function summaryOf(m: DeploymentMetadata): DeploymentHistoryEntry {
  return { deploymentId: m.deploymentId, timestamp: m.lastDeployedAt, nodeCount: m.currentNodeCount, configChecksum: m.configChecksum, schemaVersion: m.schemaVersion, success: true };
}

const SEED_FIELDS = new Set([
  'createdAt', 'updatedAt', 'lastDeployedAt', 'deploymentId', 'deploymentCount', 'configVersion', 'schemaVersion', 'configChecksum',
  'currentNodeCount', 'previousNodeCount', 'lastScaleOperation', 'nodePoolsAdded', 'nodePoolsRemoved', 'nodePoolsScaled', 'changeLog',
  'previousDeployments', 'stateSnapshotId', 'parentStateId', 'slothVersion', 'pulumiVersion', 'manifestCount', 'manifestRegistry',
  'manifestHashes', 'rollbackTarget', 'rollbackReason',
]);

export function nextDeploymentMeta(prev: DeploymentMetadata | undefined, f: DeploymentFacts): DeploymentMetadata {
  const now = iso(f.now);
  const count = Math.max(prev?.deploymentCount ?? 0, f.highestRecorded ?? 0) + 1;
  const deploymentId = `deploy-${count}-${day(f.now)}`;
  const log: ChangeLogEntry[] = [];
  const add = (changeType: ChangeLogEntry['changeType'], resourceId: string, description: string, oldValue?: string, newValue?: string) =>
    log.push({ timestamp: now, changeType, resourceId, description, ...(oldValue !== undefined ? { oldValue } : {}), ...(newValue !== undefined ? { newValue } : {}), actor: f.actor });

  const fresh = !prev || f.previousNodeCount === 0;
  const pools = Object.keys(f.pools).sort();
  let added: string[] = [];
  let removed: string[] = [];
  let scaled: string[] = [];
  let op: ScaleOperation;

  if (f.rollback) add('rollback', f.clusterName, `Rollback to ${f.rollback.targetDeployment} (snapshot ${f.rollback.targetSnapshot}): ${f.rollback.reason}`, prev?.deploymentId, f.rollback.targetDeployment);
  if (fresh) {
    op = 'initial';
    added = pools;
    add('cluster_created', f.clusterName, prev ? `Cluster recreated with ${f.nodeCount} nodes (the previous deployment's machines were gone)` : `Initial cluster deployment with ${f.nodeCount} nodes`, prev ? '0' : undefined, prev ? String(f.nodeCount) : undefined);
    for (const p of pools) add('pool_added', p, `${prev ? 'Node pool' : 'Initial node pool'} '${p}' created`, undefined, String(f.pools[p]!.count));
  } else {
    op = f.nodeCount > f.previousNodeCount ? 'scale-up' : f.nodeCount < f.previousNodeCount ? 'scale-down' : 'update';
    if (op === 'scale-up' || op === 'scale-down') {
      add(op === 'scale-up' ? 'scale_up' : 'scale_down', f.clusterName, `Scaled cluster from ${f.previousNodeCount} to ${f.nodeCount} nodes`, String(f.previousNodeCount), String(f.nodeCount));
    }
    if (f.previousPools) {
      const d = diffPools(f.previousPools, f.pools);
      added = d.added;
      removed = d.removed;
      scaled = d.scaled.map((s) => s.name);
      for (const p of d.added) add('pool_added', p, `Node pool '${p}' added with ${f.pools[p]!.count} node${f.pools[p]!.count === 1 ? '' : 's'}`, undefined, String(f.pools[p]!.count));
      for (const p of d.removed) add('pool_removed', p, `Node pool '${p}' removed (${f.previousPools[p]!.count} node${f.previousPools[p]!.count === 1 ? '' : 's'})`, String(f.previousPools[p]!.count), undefined);
      for (const s of d.scaled) add('pool_scaled', s.name, `Node pool '${s.name}' scaled from ${s.from} to ${s.to}`, String(s.from), String(s.to));
    }
    const prevHash = prev.configVersion?.config_hash;
    if (prevHash !== f.configHash) {
      const paths = f.changedPaths ?? [];
      const what = paths.length === 0 ? '' : `: ${paths.slice(0, 8).join(', ')}${paths.length > 8 ? ` and ${paths.length - 8} more` : ''}`;
      add('config_updated', f.clusterName, `Configuration updated${what}`, prevHash || undefined, f.configHash);
    } else if (prev.configChecksum !== f.lispChecksum) {
      add('config_updated', f.clusterName, 'Lisp text changed; the configuration it produces is unchanged', prev.configChecksum || undefined, f.lispChecksum);
    }
  }

  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(prev ?? {})) if (!SEED_FIELDS.has(k)) extra[k] = v;
  const meta: DeploymentMetadata = {
    createdAt: prev?.createdAt || now,
    updatedAt: now,
    lastDeployedAt: now,
    deploymentId,
    deploymentCount: count,
    configVersion: {
      schema_version: CURRENT_SCHEMA,
      config_hash: f.configHash,
      ...(prev?.configVersion?.config_hash ? { parent_hash: prev.configVersion.config_hash } : {}),
      created_at: f.now.toISOString(),
      updated_at: f.now.toISOString(),
      ...(f.migrations.length > 0 ? { migrations: f.migrations } : {}),
      metadata: { lisp_checksum: f.lispChecksum, cluster: f.clusterName },
    },
    schemaVersion: CURRENT_SCHEMA,
    configChecksum: f.lispChecksum,
    currentNodeCount: f.nodeCount,
    previousNodeCount: fresh ? 0 : f.previousNodeCount,
    lastScaleOperation: op,
    nodePoolsAdded: added,
    nodePoolsRemoved: removed,
    nodePoolsScaled: scaled,
    changeLog: log,
    previousDeployments: prev ? [summaryOf(prev), ...prev.previousDeployments].slice(0, PREVIOUS_DEPLOYMENTS_KEPT) : [],
    stateSnapshotId: `state-${deploymentId}-${f.lispChecksum.slice(0, 8)}`,
    parentStateId: prev?.stateSnapshotId ?? '',
    slothVersion: f.toolVersion,
    pulumiVersion: PULUMI_FORMAT,
    ...extra,
  };
  if (f.manifests) {
    meta.manifestCount = f.manifests.count;
    meta.manifestRegistry = f.manifests.registry;
    meta.manifestHashes = f.manifests.hashes;
  }
  if (f.rollback) {
    meta.rollbackTarget = f.rollback.targetDeployment;
    meta.rollbackReason = f.rollback.reason;
  }
  return meta;
}

/** One line per change, for listings. */
export function changeSummary(log: readonly ChangeLogEntry[]): string {
  if (log.length === 0) return 'no change recorded';
  const types = new Map<string, number>();
  for (const e of log) types.set(e.changeType, (types.get(e.changeType) ?? 0) + 1);
  const first = log.find((e) => e.changeType === 'rollback' || e.changeType === 'cluster_created' || e.changeType === 'scale_up' || e.changeType === 'scale_down') ?? log[0]!;
  const rest = log.length - 1;
  return `${first.description}${rest > 0 ? ` (+${rest} more: ${[...types.entries()].filter(([t]) => t !== first.changeType || (types.get(t) ?? 0) > 1).map(([t, n]) => (n > 1 ? `${t}×${n}` : t)).join(', ')})` : ''}`;
}
