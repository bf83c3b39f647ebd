// `destroy <stack>`: delete every resource of the stack from its cloud, in reverse dependency
// order. The stack itself stays, empty.
import type { Command } from 'commander';
import { collect, parseParallel } from '../flags.ts';
import type { CliIO } from '../io.ts';

export function register(program: Command, io: CliIO): void {
  program
    .command('destroy <stack>')
    .description('delete every resource of a stack from its cloud (the stack stays, empty)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--target <urn>', 'destroy only this resource (repeatable)', collect)
    .option('--target-dependents', 'with --target, also destroy the resources that depend on the targets')
    .option('--parallel <n>', 'provider calls in flight at once (default 16)', parseParallel)
    .option('--password-stdin', 'read the passphrase from standard input (needs --yes)')
    .option('--json', 'print the plan and the engine events as JSON lines')
    .addHelpText(
      'after',
      '\nProtected resources are refused (nothing is deleted); unprotect them first or leave them out with --target.\n' +
        'Without a terminal, --yes is required. Ctrl-C once stops starting deletes; twice aborts the running ones.',
    )
    .action(async (stack: string, opts: { yes?: boolean; target?: string[]; targetDependents?: boolean; parallel?: number; passwordStdin?: boolean; json?: boolean }) => {
      const { runDestroy } = await import('../engine-run.ts');
      await runDestroy(io, stack, opts);
    });
}
