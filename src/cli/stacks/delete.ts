// stacks delete|remove <name> [--force] [--yes]
import { deleteStack as remove } from '../../ops/stacks.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';

export async function deleteStack(io: CliIO, name: string, opts: { force?: boolean; yes?: boolean }): Promise<void> {
  const { stack, backend, untracked: n } = await withCli(io, opts, (ctx) => remove(ctx, { stack: name, force: opts.force }));
  io.stdout.write(`✓ Stack '${stack}' deleted from ${backend}\n`);
  io.stdout.write(
    n > 0
      ? `warning: its ${n} cloud resource${n === 1 ? ' was' : 's were'} NOT destroyed and ${n === 1 ? 'is' : 'are'} no longer tracked.\n` +
          `To track ${n === 1 ? 'it' : 'them'} again: ${io.programName} stacks create ${stack}, then ${io.programName} refresh ${stack} --config <file> (found by ${n === 1 ? 'its tag' : 'their tags'}).\n` +
          'The keys and tokens the stack generated (deploy key, host keys, WireGuard keys, join tokens) were deleted with it: a rebuilt stack manages\n' +
          'the cloud resources but will not connect to those machines. Restoring a copy of the stack (stacks import) brings everything back.\n'
      : 'Only the state was removed; no cloud resources are destroyed by this command.\n',
  );
}
