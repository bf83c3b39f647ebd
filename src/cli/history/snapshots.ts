// snapshots list|show|diff <stack> …: the rollback points of a stack.
import { diffSnapshots, historyOf, snapshotStatuses, storedConfig } from '../../history/index.ts';
import { pickSnapshot as pick } from '../../ops/index.ts';
import type { CliIO } from '../io.ts';
import { openStackForCommand } from '../stack-context.ts';
import { json, localTime, table } from '../stacks/render.ts';

async function load(io: CliIO, name: string | undefined, passwordStdin: boolean | undefined) {
  const { store, stack } = await openStackForCommand(io, name, { passwordStdin });
  try {
    const stored = storedConfig(stack);
    const { snapshots } = await historyOf(stack, stored.meta);
    return { stack: stack.name, snapshots, statuses: snapshotStatuses(snapshots, stored.meta?.meta.stateSnapshotId) };
  } finally {
    store.close();
  }
}

export async function listSnapshots(io: CliIO, name: string | undefined, opts: { json?: boolean; passwordStdin?: boolean }): Promise<void> {
  const { stack, snapshots, statuses } = await load(io, name, opts.passwordStdin);
  const newest = [...snapshots].reverse();
  if (opts.json) {
    io.stdout.write(json(newest.map((s) => ({ id: s.id, deploymentId: s.deploymentId, timestamp: s.timestamp, status: statuses.get(s.id), configHash: s.configHash, resourceCount: s.resourceCount, nodeCount: s.nodeCount, parentId: s.parentId, pools: s.pools, metadata: s.metadata }))));
    return;
  }
  if (newest.length === 0) {
    io.stdout.write(`Stack '${stack}' has no snapshots yet (each successful deploy records one).\n`);
    return;
  }
  io.stdout.write(
    table([
      ['SNAPSHOT', 'DEPLOYMENT', 'TIME', 'STATUS', 'NODES', 'RESOURCES', 'PARENT'],
      ...newest.map((s) => [s.id, s.deploymentId, localTime(new Date(s.timestamp)), statuses.get(s.id) ?? '', String(s.nodeCount), String(s.resourceCount), s.parentId || '-']),
    ]),
  );
}

export async function showSnapshot(io: CliIO, name: string | undefined, ref: string, opts: { json?: boolean; passwordStdin?: boolean }): Promise<void> {
  const { stack, snapshots, statuses } = await load(io, name, opts.passwordStdin);
  const s = pick(snapshots, ref, stack);
  // The inputs hold the configuration's secrets: only their fingerprints are shown.
  const view = { id: s.id, deploymentId: s.deploymentId, timestamp: s.timestamp, status: statuses.get(s.id), configHash: s.configHash, lispChecksum: s.lispChecksum, parentId: s.parentId, nodeCount: s.nodeCount, resourceCount: s.resourceCount, pools: s.pools, metadata: s.metadata, changeLog: s.changeLog, options: { operatorCidrs: s.inputs.options.operatorCidrs ?? [], bootstrap: s.inputs.options.bootstrap, manifests: s.inputs.options.manifests.map((m) => m.name) } };
  if (opts.json) {
    io.stdout.write(json(view));
    return;
  }
  const lines = [
    `Snapshot ${s.id} (${view.status})`,
    `Deployment: ${s.deploymentId} at ${localTime(new Date(s.timestamp))} by ${s.metadata.actor ?? 'unknown'}${s.metadata.rollbackOf ? ` (rollback to ${s.metadata.rollbackOf})` : ''}`,
    `Parent: ${s.parentId || '-'}`,
    `Config: ${s.configHash}`,
    `Nodes: ${s.nodeCount}; resources: ${s.resourceCount}`,
    'Pools:',
    ...Object.values(s.pools).map((p) => `  ${p.name}: ${p.count} × ${p.size ?? '?'} on ${p.provider ?? '?'}${p.region ? ` ${p.region}` : ''}${p.roles?.length ? ` (${p.roles.join(', ')})` : ''}`),
    'Changes:',
    ...(s.changeLog.length ? s.changeLog.map((e) => `  ${e.changeType}: ${e.description}`) : ['  (none)']),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
}

export async function diffSnapshotsCommand(io: CliIO, name: string, a: string, b: string, opts: { json?: boolean; passwordStdin?: boolean }): Promise<void> {
  const { stack, snapshots } = await load(io, name, opts.passwordStdin);
  const d = diffSnapshots(pick(snapshots, a, stack), pick(snapshots, b, stack));
  if (opts.json) {
    io.stdout.write(json(d));
    return;
  }
  const lines = [`Snapshots ${d.from} → ${d.to}`, `Configuration: ${d.configChanged ? 'changed' : 'unchanged'}`, 'Pool changes:'];
  if (d.poolChanges.length === 0) lines.push('  (none)');
  for (const p of d.poolChanges) lines.push(`  ${p.change === 'added' ? '+' : p.change === 'removed' ? '-' : '~'} ${p.pool} ${p.change}${p.from !== undefined || p.to !== undefined ? `: ${p.from ?? ''}${p.from !== undefined && p.to !== undefined ? ' → ' : ''}${p.to ?? ''}` : ''}`);
  lines.push('Resource changes:');
  if (d.resourceChanges.length === 0) lines.push('  (none)');
  for (const r of d.resourceChanges) lines.push(`  ${r.change === 'added' ? '+' : r.change === 'removed' ? '-' : '±'} ${r.type} ${r.urn.slice(r.urn.lastIndexOf('::') + 2)} (${r.change})`);
  io.stdout.write(`${lines.join('\n')}\n`);
}
