// `nodes list <stack> [--json]`: the machines of a deployed cluster, from the stack's `nodes` output.
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';

export function register(program: Command, io: CliIO): void {
  const nodes = program.command('nodes').description('the machines of a deployed cluster');
  nodes
    .command('list <stack>')
    .alias('ls')
    .description('list the nodes of a stack: name, roles, provider, region, public/private/mesh address, joined')
    .addOption(jsonFlag())
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string, opts: { json?: boolean; passwordStdin?: boolean }) => {
      const { listNodes } = await import('../nodes/list.ts');
      await listNodes(io, stack, opts);
    });
}
