// A stack's deployment history and its snapshots (the rollback points), as read: every
// recorded deployment newest first, and snapshots without their sealed inputs (which hold the
// configuration's secrets: only fingerprints and option names are given out).
import { diffSnapshots, findSnapshot, historyOf, storedConfig } from '../history/index.ts';
import type { HistoryEntry, Snapshot, SnapshotDiff, SnapshotStatus } from '../history/index.ts';
import type { OpenedStack } from '../state/index.ts';
import type { OpsContext } from './host.ts';
import { OpsError } from './errors.ts';
import { withStack } from './stack.ts';

/** The snapshot `ref` names (a deployment id, a snapshot id, or a unique prefix of either). */
export function pickSnapshot(snapshots: readonly Snapshot[], ref: string, stack: string): Snapshot {
  const found = findSnapshot(snapshots, ref);
  if (!found) throw new OpsError('invalid', `stack '${stack}' has no snapshot or deployment '${ref}'`, `List them with: sloth-kubernetes snapshots list ${stack}`);
  if (Array.isArray(found)) throw new OpsError('invalid', `'${ref}' matches ${found.length} snapshots: ${found.map((s) => s.id).join(', ')}`, 'Give more of the id.');
  return found;
}

export interface DeploymentHistory {
  stack: string;
  /** Newest first. */
  entries: HistoryEntry[];
  /** The stored deployment metadata was written by an older schema and migrated when read. */
  migrated?: { from: string; applied: string[] };
  /** A destroy took the stack's resources: no deployment is current. */
  destroyed: boolean;
}

export async function deploymentHistory(ctx: OpsContext, input: { stack?: string }): Promise<DeploymentHistory> {
  return withStack(ctx, input.stack, async ({ stack }) => {
    const stored = storedConfig(stack);
    const { entries, destroyed } = await historyOf(stack, stored.meta);
    const m = stored.meta;
    return { stack: stack.name, entries, destroyed, ...(m && m.applied.length > 0 ? { migrated: { from: m.from, applied: m.applied } } : {}) };
  });
}

/** A snapshot as listed. */
export type SnapshotSummary = Pick<Snapshot, 'id' | 'deploymentId' | 'timestamp' | 'configHash' | 'resourceCount' | 'nodeCount' | 'parentId' | 'pools' | 'metadata'> & { status: SnapshotStatus | undefined };

/** A snapshot as shown: its inputs only as fingerprints and names. */
export type SnapshotView = SnapshotSummary & Pick<Snapshot, 'lispChecksum' | 'changeLog'> & { options: { operatorCidrs: string[]; bootstrap: boolean; manifests: string[] } };

async function snapshotsOf(stack: OpenedStack): Promise<{ snapshots: Snapshot[]; statuses: Map<string, SnapshotStatus> }> {
  const { snapshots, statuses } = await historyOf(stack, storedConfig(stack).meta);
  return { snapshots, statuses };
}

const summary = (s: Snapshot, status: SnapshotStatus | undefined): SnapshotSummary => ({
  id: s.id,
  deploymentId: s.deploymentId,
  timestamp: s.timestamp,
  status,
  configHash: s.configHash,
  resourceCount: s.resourceCount,
  nodeCount: s.nodeCount,
  parentId: s.parentId,
  pools: s.pools,
  metadata: s.metadata,
});

/** The snapshots, newest first, with their current status. */
export async function listSnapshots(ctx: OpsContext, input: { stack?: string }): Promise<{ stack: string; snapshots: SnapshotSummary[] }> {
  return withStack(ctx, input.stack, async ({ stack }) => {
    const { snapshots, statuses } = await snapshotsOf(stack);
    return { stack: stack.name, snapshots: [...snapshots].reverse().map((s) => summary(s, statuses.get(s.id))) };
  });
}

/** One snapshot (a deployment id, a snapshot id, or a unique prefix). */
export async function showSnapshot(ctx: OpsContext, input: { stack?: string; snapshot: string }): Promise<{ stack: string; snapshot: SnapshotView }> {
  return withStack(ctx, input.stack, async ({ stack }) => {
    const { snapshots, statuses } = await snapshotsOf(stack);
    const s = pickSnapshot(snapshots, input.snapshot, stack.name);
    const { options } = s.inputs;
    const view: SnapshotView = {
      id: s.id,
      deploymentId: s.deploymentId,
      timestamp: s.timestamp,
      status: statuses.get(s.id),
      configHash: s.configHash,
      lispChecksum: s.lispChecksum,
      parentId: s.parentId,
      nodeCount: s.nodeCount,
      resourceCount: s.resourceCount,
      pools: s.pools,
      metadata: s.metadata,
      changeLog: s.changeLog,
      options: { operatorCidrs: options.operatorCidrs ?? [], bootstrap: options.bootstrap, manifests: options.manifests.map((m) => m.name) },
    };
    return { stack: stack.name, snapshot: view };
  });
}

/** What changed between two snapshots: node pools and resources. */
export async function compareSnapshots(ctx: OpsContext, input: { stack: string; from: string; to: string }): Promise<{ stack: string; diff: SnapshotDiff }> {
  return withStack(ctx, input.stack, async ({ stack }) => {
    const { snapshots } = await snapshotsOf(stack);
    return { stack: stack.name, diff: diffSnapshots(pickSnapshot(snapshots, input.from, stack.name), pickSnapshot(snapshots, input.to, stack.name)) };
  });
}
