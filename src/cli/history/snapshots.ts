// snapshots list|show|diff <stack> …: the rollback points of a stack.
import { compareSnapshots, listSnapshots as list, showSnapshot as show } from '../../ops/history.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';
import { json, localTime, table } from '../stacks/render.ts';

interface Flags {
  json?: boolean;
  passwordStdin?: boolean;
}

export async function listSnapshots(io: CliIO, name: string | undefined, opts: Flags): Promise<void> {
  const { stack, snapshots } = await withCli(io, opts, (ctx) => list(ctx, { stack: name }));
  if (opts.json) {
    io.stdout.write(json(snapshots));
    return;
  }
  if (snapshots.length === 0) {
    io.stdout.write(`Stack '${stack}' has no snapshots yet (each successful deploy records one).\n`);
    return;
  }
  io.stdout.write(
    table([
      ['SNAPSHOT', 'DEPLOYMENT', 'TIME', 'STATUS', 'NODES', 'RESOURCES', 'PARENT'],
      ...snapshots.map((s) => [s.id, s.deploymentId, localTime(new Date(s.timestamp)), s.status ?? '', String(s.nodeCount), String(s.resourceCount), s.parentId || '-']),
    ]),
  );
}

export async function showSnapshot(io: CliIO, name: string | undefined, ref: string, opts: Flags): Promise<void> {
  const { snapshot: s } = await withCli(io, opts, (ctx) => show(ctx, { stack: name, snapshot: ref }));
  if (opts.json) {
    io.stdout.write(json(s));
    return;
  }
  const lines = [
    `Snapshot ${s.id} (${s.status})`,
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

export async function diffSnapshotsCommand(io: CliIO, name: string, a: string, b: string, opts: Flags): Promise<void> {
  const { diff: d } = await withCli(io, opts, (ctx) => compareSnapshots(ctx, { stack: name, from: a, to: b }));
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
