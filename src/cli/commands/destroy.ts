// `destroy <stack>`: delete every resource of the stack from its cloud, in reverse dependency
// order. The stack itself stays, remembering only its configuration and history.
import type { Command } from 'commander';
import { collect, parseParallel } from '../flags.ts';
import type { CliIO } from '../io.ts';
import { verboseOf } from './deploy.ts';
import { jsonFlag } from '../output.ts';

export function register(program: Command, io: CliIO): void {
  program
    .command('destroy <stack>')
    .description('delete every resource of a stack from its cloud (the stack stays, keeping its configuration and history)')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--diff', 'list the stored inputs of every resource that would be deleted')
    .option('--target <urn>', 'destroy only this resource (repeatable)', collect)
    .option('--target-dependents', 'with --target, also destroy the resources that depend on the targets')
    .option('--parallel <n>', 'provider calls in flight at once (default 16)', parseParallel)
    .option('--password-stdin', 'read the passphrase from standard input (needs --yes)')
    .addOption(jsonFlag('print the plan and the engine events as JSON lines'))
    .addHelpText(
      'after',
      '\nProtected resources are refused (nothing is deleted); unprotect them first or leave them out with --target.\n' +
        'Without a terminal, --yes is required. Ctrl-C (or SIGTERM) once stops starting deletes; twice aborts the running ones.\n' +
        'Afterwards the stack keeps its config, Lisp text, deployment history, audit anchor and manifest registry; the\n' +
        'outputs that described the resources (kubeconfig, nodes, Salt and ArgoCD credentials) are dropped.',
    )
    .action(async (stack: string, opts: { yes?: boolean; diff?: boolean; target?: string[]; targetDependents?: boolean; parallel?: number; passwordStdin?: boolean; json?: boolean }, cmd: Command) => {
      const [{ destroy }, { withCli }] = await Promise.all([import('../../ops/engine-run.ts'), import('../host.ts')]);
      await withCli(io, { ...opts, verbose: verboseOf(cmd) }, (ctx) => destroy(ctx, { stack, targets: opts.target, targetDependents: opts.targetDependents, parallel: opts.parallel }));
    });
}
