// history <stack> [--limit N] [--json]: every recorded deployment, newest first.
import { deploymentHistory } from '../../ops/history.ts';
import { CliError } from '../errors.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';
import { json, localTime, table } from '../stacks/render.ts';

export async function showHistory(io: CliIO, name: string | undefined, opts: { limit?: number; json?: boolean; passwordStdin?: boolean }): Promise<void> {
  if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1)) throw new CliError(`--limit must be a whole number of at least 1, not ${opts.limit}`);
  const { stack, entries, migrated, destroyed } = await withCli(io, opts, (ctx) => deploymentHistory(ctx, { stack: name }));
  const shown = opts.limit ? entries.slice(0, opts.limit) : entries;
  if (opts.json) {
    io.stdout.write(json(shown));
    return;
  }
  if (shown.length === 0) {
    io.stdout.write(`Stack '${stack}' has no recorded deployment yet.\n`);
    return;
  }
  const rows = shown.map((e) => [`${e.deploymentId}${e.current ? ' *' : e.status === 'destroyed' ? ' (destroyed)' : ''}`, localTime(new Date(e.timestamp)), e.actor, e.configHash.slice(0, 12), String(e.nodeCount), e.summary, e.message ?? '-']);
  io.stdout.write(table([['DEPLOYMENT', 'TIME', 'ACTOR', 'CONFIG', 'NODES', 'CHANGES', 'MESSAGE'], ...rows]));
  if (destroyed) io.stdout.write(`\nStack '${stack}' was destroyed: it holds no resources, only its configuration and history. Deploy it again with: ${io.programName} deploy ${stack} --config <file>\n`);
  if (migrated) io.stdout.write(`\n(deployment metadata read from schema ${migrated.from}; migrated with ${migrated.applied.join(', ')})\n`);
  if (opts.limit && entries.length > shown.length) io.stdout.write(`\n${entries.length - shown.length} older deployment(s) not shown (--limit ${opts.limit}).\n`);
}
