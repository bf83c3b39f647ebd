// `preview [stack] --config FILE`: what a deploy would change. Takes no lock, writes nothing.
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { clusterCommandOptions, clusterSource, verboseOf, type ClusterCommandFlags } from './deploy.ts';

export function register(program: Command, io: CliIO): void {
  clusterCommandOptions(
    program
      .command('preview [stack]')
      .description('show what deploy would create, update, replace and delete (no lock, nothing written; the stack defaults to metadata.name)'),
  ).action(async (stack: string | undefined, opts: ClusterCommandFlags, cmd: Command) => {
    const [{ preview }, { withCli }] = await Promise.all([import('../../ops/cluster.ts'), import('../host.ts')]);
    await withCli(io, { ...opts, verbose: verboseOf(cmd) }, (ctx) => preview(ctx, { stack, cluster: clusterSource(opts), targets: opts.target, targetDependents: opts.targetDependents }));
  });
}
