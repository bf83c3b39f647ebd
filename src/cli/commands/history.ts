// `history [stack]`: every recorded deployment with its time, actor, change summary and config hash.
import type { Command } from 'commander';
import { parseParallel } from '../flags.ts';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';

export function register(program: Command, io: CliIO): void {
  program
    .command('history [stack]')
    .description('list the deployments of a stack: id, time, actor, config hash, nodes and what changed (newest first)')
    .option('--limit <n>', 'only the newest N deployments', parseParallel)
    .addOption(jsonFlag('print as JSON (with each change log)'))
    .option('--password-stdin', 'read the passphrase from standard input')
    .addHelpText('after', '\nThe deployment marked * is the one the stack runs now (after a destroy none is; the last one is marked destroyed). Roll back to an earlier one with: rollback <stack> --to <deployment>')
    .action(async (stack: string | undefined, opts: { limit?: number; json?: boolean; passwordStdin?: boolean }) => {
      const { showHistory } = await import('../history/history.ts');
      await showHistory(io, stack, opts);
    });
}
