// `refresh <stack>`: read every resource from its cloud and bring the stack in line.
import type { Command } from 'commander';
import { collect, parseParallel } from '../flags.ts';
import type { CliIO } from '../io.ts';

export function register(program: Command, io: CliIO): void {
  program
    .command('refresh <stack>')
    .description('read every resource from its cloud and update the stack: drift is shown as a diff, vanished resources are dropped')
    .option('--expect-no-changes', 'fail (exit 1) if anything drifted, and store nothing that was read')
    .option('--target <urn>', 'refresh only this resource (repeatable)', collect)
    .option('--target-dependents', 'with --target, also refresh the resources that depend on the targets')
    .option('--parallel <n>', 'provider calls in flight at once (default 16)', parseParallel)
    .option('--password-stdin', 'read the passphrase from standard input')
    .option('--json', 'print the engine events as JSON lines')
    .addHelpText('after', '\nCtrl-C once stops starting reads; twice aborts the running ones. Nothing in the cloud is changed.')
    .action(async (stack: string, opts: { expectNoChanges?: boolean; target?: string[]; targetDependents?: boolean; parallel?: number; passwordStdin?: boolean; json?: boolean }) => {
      const { runRefresh } = await import('../engine-run.ts');
      await runRefresh(io, stack, opts);
    });
}
