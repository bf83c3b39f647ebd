// `nodes list [stack] [--config FILE] [--json]`: the machines of a deployed cluster, from the stack's `nodes` output.
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';

export function register(program: Command, io: CliIO): void {
  const nodes = program.command('nodes').description('the machines of a deployed cluster');
  nodes
    .command('list [stack]')
    .alias('ls')
    .description('list the nodes of a stack: name, roles, provider, region, public/private/mesh address, joined (the stack defaults to metadata.name with --config, else the only stack)')
    .option('-c, --config <file>', 'the cluster configuration whose metadata.name names the stack')
    .addOption(jsonFlag())
    .option('--password-stdin', 'read the passphrase from standard input')
    .action(async (stack: string | undefined, opts: { config?: string; json?: boolean; passwordStdin?: boolean }) => {
      const { listNodes } = await import('../nodes/list.ts');
      await listNodes(io, stack, opts);
    });
}
