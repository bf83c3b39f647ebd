// `deploy [stack] --config FILE`: plan the cluster, show the preview, confirm, apply.
import type { Command } from 'commander';
import type { ClusterSource } from '../../ops/cluster.ts';
import { collect, parseParallel } from '../flags.ts';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';

export interface ClusterCommandFlags {
  config: string;
  diff?: boolean;
  json?: boolean;
  target?: string[];
  targetDependents?: boolean;
  passwordStdin?: boolean;
  operatorCidr?: string[];
  bootstrap?: boolean;
  manifest?: string[];
  /** The global --verbose: info-level diagnostics and every retry. */
  verbose?: boolean;
}

/** The cluster the flags describe. */
export function clusterSource(flags: { config: string; manifest?: string[]; bootstrap?: boolean; operatorCidr?: string[] }): ClusterSource {
  return { config: flags.config, manifests: flags.manifest, bootstrap: flags.bootstrap, operatorCidrs: flags.operatorCidr };
}

/** The global --verbose, wherever it was given on the command line. */
export function verboseOf(cmd: Command): boolean {
  return cmd.optsWithGlobals<{ verbose?: boolean }>().verbose === true;
}

/** Flags shared by preview and deploy. */
export function clusterCommandOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-c, --config <file>', 'the cluster configuration (Lisp)')
    .option('--diff', 'show property-level detail for every change')
    .addOption(jsonFlag('print the plan (and, for deploy, the engine events) as JSON'))
    .option('--target <urn>', 'only this resource (repeatable)', collect)
    .option('--target-dependents', 'with --target, also the resources that depend on the targets')
    .option('--operator-cidr <cidr>', 'address(es) allowed to reach SSH and the Kubernetes API (repeatable; default: this machine\'s public address)', collect)
    .option('--no-bootstrap', 'plan the machines, networks, firewalls, load balancer and DNS only, without installing Kubernetes (for cloud emulators, or to bootstrap later)')
    .option('--manifest <file>', 'a Kubernetes manifest to apply once the cluster is Ready, registered under its file name (repeatable)', collect)
    .option('--password-stdin', 'read the passphrase from standard input');
}

export function register(program: Command, io: CliIO): void {
  clusterCommandOptions(
    program
      .command('deploy [stack]')
      .description('create or update the cluster described by the config: preview, confirm, apply (the stack defaults to metadata.name)'),
  )
    .option('-y, --yes', 'apply without asking for confirmation')
    .option('--auto-approve', 'same as --yes')
    .option('--dry-run', 'only show the preview (same as the preview command)')
    .option('--parallel <n>', 'provider calls in flight at once (default 16)', parseParallel)
    .option('-m, --message <text>', 'a message recorded with this update')
    .addHelpText('after', '\nCtrl-C (or SIGTERM) once stops starting new steps and saves; twice aborts the running ones. Run deploy again to continue.')
    .addHelpText('after', 'With --verbose, provider and remote-step log lines and every retry are shown as they happen.')
    .action(async (stack: string | undefined, opts: ClusterCommandFlags & { yes?: boolean; autoApprove?: boolean; dryRun?: boolean; parallel?: number; message?: string }, cmd: Command) => {
      const [{ deploy, preview }, { withCli }] = await Promise.all([import('../../ops/cluster.ts'), import('../host.ts')]);
      const input = { stack, cluster: clusterSource(opts), targets: opts.target, targetDependents: opts.targetDependents, parallel: opts.parallel, message: opts.message };
      await withCli(io, { ...opts, yes: opts.yes || opts.autoApprove, verbose: verboseOf(cmd) }, async (ctx) => {
        if (opts.dryRun) await preview(ctx, input);
        else await deploy(ctx, input);
      });
    });
}
