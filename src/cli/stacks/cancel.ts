// stacks cancel <name>
import { cancelStack as cancel } from '../../ops/stacks.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';
import { json } from './render.ts';

export async function cancelStack(io: CliIO, name: string, opts: { json?: boolean }): Promise<void> {
  const { stack, removed } = await withCli(io, opts, (ctx) => cancel(ctx, { stack: name }));
  if (opts.json) {
    io.stdout.write(json({ name: stack, removedLocks: removed }));
    return;
  }
  if (removed.length === 0) {
    io.stdout.write(`Stack '${stack}' was not locked.\n`);
    return;
  }
  for (const h of removed) {
    io.stdout.write(`Removed lock held by ${h.username || '?'}@${h.hostname || '?'} (pid ${h.pid}) since ${h.timestamp}${h.stale ? ' (process no longer running)' : ''}\n`);
  }
  io.stdout.write(`✓ Stack '${stack}' unlocked\n`);
  if (removed.some((h) => !h.stale)) io.stderr.write('warning: the holder was not stopped; if it is still running, its final write will fail.\n');
}
