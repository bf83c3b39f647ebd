// `refresh [stack]`: read every resource from its cloud and bring the stack in line. With
// `--config`, first look up in the clouds what the config describes and the stack does not
// track (by URN tag) and record what is found: a stack rebuilt from what exists.
import type { Command } from 'commander';
import { collect, parseParallel } from '../flags.ts';
import type { CliIO } from '../io.ts';
import { CliError } from '../errors.ts';
import { clusterSource, verboseOf } from './deploy.ts';
import { jsonFlag } from '../output.ts';

interface RefreshCommandFlags {
  config?: string;
  operatorCidr?: string[];
  bootstrap?: boolean;
  expectNoChanges?: boolean;
  target?: string[];
  targetDependents?: boolean;
  parallel?: number;
  passwordStdin?: boolean;
  json?: boolean;
}

export function register(program: Command, io: CliIO): void {
  program
    .command('refresh [stack]')
    .description('read every resource from its cloud and update the stack: drift is shown as a diff, vanished resources are dropped (the stack defaults to metadata.name with --config, else the only stack)')
    .option('-c, --config <file>', 'also import: look up what this cluster config describes and the stack does not track (by URN tag), and record what is found')
    .option('--operator-cidr <cidr>', 'with --config: the address(es) the deploy allowed to reach SSH and the API (repeatable; default: this machine\'s public address)', collect)
    .option('--no-bootstrap', 'with --config: the cluster was deployed with --no-bootstrap (machines and networks only)')
    .option('--expect-no-changes', 'fail (exit 1) if anything drifted, and store nothing that was read')
    .option('--target <urn>', 'refresh only this resource (repeatable)', collect)
    .option('--target-dependents', 'with --target, also refresh the resources that depend on the targets')
    .option('--parallel <n>', 'provider calls in flight at once (default 16)', parseParallel)
    .option('--password-stdin', 'read the passphrase from standard input')
    .addOption(jsonFlag('print the engine events as JSON lines'))
    .addHelpText(
      'after',
      '\nCtrl-C (or SIGTERM) once stops starting reads; twice aborts the running ones. Nothing in the cloud is changed.\n' +
        'Resources exist but the stack was lost: create the stack (stacks create <name>), then\n' +
        '  refresh --config cluster.lisp\n' +
        'records what the config describes and the clouds still hold, and the stored config; the next\n' +
        'deploy creates only what was not found.',
    )
    .action(async (stack: string | undefined, opts: RefreshCommandFlags, cmd: Command) => {
      if (!opts.config && (opts.operatorCidr?.length || opts.bootstrap === false)) throw new CliError('--operator-cidr and --no-bootstrap only apply with --config', { hint: 'Add --config <file>, or leave them out.' });
      if (opts.config && (opts.target?.length || opts.expectNoChanges)) {
        throw new CliError(`--config cannot be combined with ${opts.target?.length ? '--target' : '--expect-no-changes'}`, {
          hint: 'refresh --config records what it finds; run it on its own, then refresh with the other options.',
        });
      }
      const [{ refresh }, { withCli }] = await Promise.all([import('../../ops/cluster.ts'), import('../host.ts')]);
      const cluster = opts.config ? clusterSource({ ...opts, config: opts.config }) : undefined;
      const input = { stack, cluster, targets: opts.target, targetDependents: opts.targetDependents, parallel: opts.parallel, expectNoChanges: opts.expectNoChanges };
      await withCli(io, { ...opts, verbose: verboseOf(cmd) }, (ctx) => refresh(ctx, input));
    });
}
