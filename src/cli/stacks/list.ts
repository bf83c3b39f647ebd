// stacks list
import { listStacks as list } from '../../ops/stacks.ts';
import { relativeTime } from '../../state/index.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';
import { json, table } from './render.ts';

export async function listStacks(io: CliIO, opts: { json?: boolean }): Promise<void> {
  const { backend, stacks } = await withCli(io, opts, (ctx) => list(ctx));
  if (opts.json) {
    io.stdout.write(json(stacks.map((s) => ({ name: s.name, lastUpdate: s.lastUpdate?.toISOString() ?? null, resourceCount: s.resourceCount, ...(s.destroyed ? { destroyed: true } : {}), ...(s.problem ? { problem: s.problem } : {}) }))));
    return;
  }
  if (stacks.length === 0) {
    io.stdout.write(`No stacks in ${backend}.\nCreate one with: ${io.programName} stacks create <name> --password-stdin\n`);
    return;
  }
  const rows = [['NAME', 'LAST UPDATE', 'RESOURCE COUNT']];
  for (const s of stacks) {
    const count = s.problem ? s.problem : s.destroyed ? 'none (destroyed)' : `${s.resourceCount} resource${s.resourceCount === 1 ? '' : 's'}`;
    rows.push([s.name, s.problem ? 'unreadable' : s.lastUpdate ? relativeTime(s.lastUpdate) : 'never', count]);
  }
  io.stdout.write(table(rows));
}
