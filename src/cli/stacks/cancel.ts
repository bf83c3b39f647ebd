// stacks cancel <name>
import type { CliIO } from '../io.ts';
import { openStore } from '../stack-context.ts';
import { resolveStackName } from '../../ops/stack.ts';
import { json } from './render.ts';
import { attachStack, stacksCommand } from '../audit/stacks.ts';

export async function cancelStack(io: CliIO, name: string, opts: { json?: boolean }): Promise<void> {
  const store = await openStore(io);
  try {
    const stack = await resolveStackName(store, name);
    await stacksCommand(io, 'cancel', { type: 'state', action: 'unlock', resourceId: stack, resourceType: 'stack', description: `unlock stack '${stack}'` }, async (audit) => {
      await attachStack(audit, store, stack);
      const removed = await store.cancel(stack);
      audit.summary.description = removed.length === 0 ? `Stack '${stack}' was not locked` : `Removed ${removed.length} lock(s) of stack '${stack}'`;
      audit.summary.oldValue = removed.map((h) => ({ holder: `${h.username || '?'}@${h.hostname || '?'}`, pid: h.pid, since: h.timestamp, stale: Boolean(h.stale) }));
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
    });
  } finally {
    store.close();
  }
}
