// stacks delete|remove <name> [--force] [--yes]
import { CliError } from '../errors.ts';
import { interactive } from '../io.ts';
import type { CliIO } from '../io.ts';
import { confirm } from '../prompt.ts';
import { openStore } from '../stack-context.ts';
import { resolveStackName } from '../../ops/stack.ts';
import { attachStack, stacksCommand } from '../audit/stacks.ts';

export async function deleteStack(io: CliIO, name: string, opts: { force?: boolean; yes?: boolean }): Promise<void> {
  const store = await openStore(io);
  try {
    const stack = await resolveStackName(store, name);
    if (!opts.yes) {
      if (!interactive(io)) throw new CliError(`deleting stack '${stack}' needs confirmation; pass --yes`);
      const ok = await confirm(io, `Delete the state of stack '${stack}'? Cloud resources are not destroyed.`);
      if (!ok) throw new CliError('cancelled; nothing was deleted', { exitCode: 1 });
    }
    await stacksCommand(io, 'delete', { type: 'state', action: 'delete', resourceId: stack, resourceType: 'stack', description: `delete stack '${stack}'` }, async (audit) => {
      // The log outlives the stack: its records stay in the backend (archived if the name is reused).
      await attachStack(audit, store, stack);
      const { resources } = await store.deleteStack(stack, { force: opts.force });
      audit.summary.description = `Stack '${stack}' deleted${resources > 0 ? ` with --force: ${resources} cloud resource(s) no longer tracked` : ''}`;
      audit.summary.metadata = { force: String(Boolean(opts.force)), untrackedResources: String(resources) };
      if (resources > 0) audit.summary.severity = 'warning';
      io.stdout.write(`✓ Stack '${stack}' deleted from ${store.url}\n`);
      io.stdout.write(
        resources > 0
          ? `warning: its ${resources} cloud resource${resources === 1 ? ' was' : 's were'} NOT destroyed and ${resources === 1 ? 'is' : 'are'} no longer tracked.\n` +
              `To track ${resources === 1 ? 'it' : 'them'} again: ${io.programName} stacks create ${stack}, then ${io.programName} refresh ${stack} --config <file> (found by ${resources === 1 ? 'its tag' : 'their tags'}).\n`
          : 'Only the state was removed; no cloud resources are destroyed by this command.\n',
      );
    });
  } finally {
    store.close();
  }
}
