// `rollback <stack> --to <deployment|snapshot>`: deploy the configuration an earlier deployment recorded.
import type { Command } from 'commander';
import { collect, parseParallel } from '../flags.ts';
import type { CliIO } from '../io.ts';
import { verboseOf } from './deploy.ts';
import { jsonFlag } from '../output.ts';

export function register(program: Command, io: CliIO): void {
  program
    .command('rollback <stack>')
    .description("preview, then deploy the configuration recorded by an earlier deployment (its stored config, Lisp text, --no-bootstrap and manifests; the operator's address is today's), as a new deployment")
    .requiredOption('--to <id>', 'the deployment id (deploy-3-2026-01-05) or snapshot id to roll back to (a unique prefix will do)')
    .option('--reason <text>', 'why, recorded in the change log and the audit log')
    .option('--operator-cidr <cidr>', "address(es) allowed to reach SSH and the Kubernetes API (repeatable; default: this machine's public address, as deploy)", collect)
    .option('--allow-destroy', 'go ahead when the rollback destroys or replaces machines or other data-bearing resources')
    .option('-y, --yes', 'apply without asking for confirmation')
    .option('--dry-run', 'only show the preview')
    .option('--diff', 'show property-level detail for every change')
    .option('--target <urn>', 'only this resource (repeatable; a targeted rollback records no deployment)', collect)
    .option('--parallel <n>', 'provider calls in flight at once (default 16)', parseParallel)
    .option('-m, --message <text>', 'a message recorded with this update')
    .option('--password-stdin', 'read the passphrase from standard input')
    .addOption(jsonFlag('print the plan and the engine events as JSON lines'))
    .addHelpText('after', '\nFind the deployment to go back to with: history <stack>, snapshots list <stack>.')
    .action(async (stack: string, opts: { to: string; reason?: string; operatorCidr?: string[]; allowDestroy?: boolean; yes?: boolean; dryRun?: boolean; diff?: boolean; target?: string[]; parallel?: number; message?: string; passwordStdin?: boolean; json?: boolean }, cmd: Command) => {
      const [{ rollback }, { withCli }] = await Promise.all([import('../../ops/rollback.ts'), import('../host.ts')]);
      const input = { stack, to: opts.to, reason: opts.reason, operatorCidrs: opts.operatorCidr, targets: opts.target, parallel: opts.parallel, message: opts.message, dryRun: opts.dryRun };
      await withCli(io, { ...opts, verbose: verboseOf(cmd) }, (ctx) => rollback(ctx, input));
    });
}
