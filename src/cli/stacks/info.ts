// stacks info <name>
import { inspectStack } from '../../ops/stacks.ts';
import { holdsOnlyItsRoot } from '../../state/index.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';
import { json, localTime } from './render.ts';

export async function stackInfo(io: CliIO, name: string, opts: { json?: boolean }): Promise<void> {
  const info = await withCli(io, opts, (ctx) => inspectStack(ctx, { stack: name }));
  const byType = new Map<string, number>();
  for (const r of info.resources) byType.set(String(r.type), (byType.get(String(r.type)) ?? 0) + 1);
  const holder = info.locks[0];
  let status: string;
  if (holder) {
    const who = `${holder.username || '?'}@${holder.hostname || '?'}, pid ${holder.pid}, since ${holder.timestamp}`;
    status = holder.stale ? `locked by a process that is no longer running (${who}); unlock with: ${io.programName} stacks cancel ${info.name}` : `update in progress (locked by ${who})`;
  } else if (info.journalRecords > 0) {
    status = `interrupted (${info.journalRecords} recorded change${info.journalRecords === 1 ? '' : 's'} kept in the journal)`;
  } else if (holdsOnlyItsRoot(info.resources)) status = 'destroyed (no resources; the stack keeps its configuration and history)';
  else status = info.lastResult?.result || 'no updates yet';
  if (opts.json) {
    io.stdout.write(
      json({
        name: info.name,
        backend: info.backend,
        lastUpdate: info.lastUpdate?.toISOString() ?? null,
        status,
        encryption: info.secretsProvider ?? null,
        resourceCount: info.resources.length,
        resourcesByType: Object.fromEntries([...byType].sort()),
        pendingOperations: info.pendingOperations,
        journalRecords: info.journalRecords,
        locks: info.locks,
        lastHistoryEntry: info.lastResult ? { kind: info.lastResult.kind, result: info.lastResult.result, endTime: info.lastResult.endTime } : null,
      }),
    );
    return;
  }
  const lines = [
    `Stack: ${info.name}`,
    `Backend: ${info.backend}`,
    `Last Update: ${info.lastUpdate && info.lastUpdate.getTime() > 0 ? localTime(info.lastUpdate) : 'never'}`,
    `Status: ${status}`,
    `Encryption: ${info.secretsProvider === 'cloud' ? 'AWS KMS' : info.secretsProvider === 'passphrase' ? 'Passphrase (AES-256-GCM)' : (info.secretsProvider ?? 'none')}`,
    '',
    `Resources: ${info.resources.length}`,
    ...[...byType].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, n]) => `- ${t}: ${n}`),
  ];
  if (info.pendingOperations > 0) lines.push('', `Pending operations: ${info.pendingOperations} (an update was interrupted mid-step)`);
  io.stdout.write(`${lines.join('\n')}\n`);
}
