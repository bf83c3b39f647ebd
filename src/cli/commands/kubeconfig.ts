// `kubeconfig [stack]`: the cluster's admin kubeconfig — printed, written to a file (-o), or
// merged into the user's kubeconfig (--merge) as context <stack> (--context NAME).
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag, outputFileFlag } from '../output.ts';

export function register(program: Command, io: CliIO): void {
  program
    .command('kubeconfig [stack]')
    .description("print the cluster's admin kubeconfig, write it to a file, or merge it into yours")
    .addOption(outputFileFlag('write it to this file (mode 0600) instead of standard output; with --merge, the kubeconfig to merge into'))
    .option('--merge', "merge it into $KUBECONFIG's first path, else ~/.kube/config, keeping every other entry and the current context")
    .option('--use', 'with --merge: make it the current context')
    .option('--context <name>', "name of the context, cluster and user (default: the stack's name)")
    .option('--refresh', 'fetch it again from the API node over SSH (the certificates may have been rotated) and keep it in the stack')
    .addOption(jsonFlag('print the result (context, server, file) as JSON; with neither -o nor --merge, the kubeconfig in it'))
    .option('--password-stdin', 'read the passphrase from standard input')
    .addHelpText(
      'after',
      [
        '',
        'The server is the API load balancer or api.<domain> when the cluster has one, else the first master.',
        'Examples:',
        '  sloth-kubernetes kubeconfig prod > prod.yaml',
        '  sloth-kubernetes kubeconfig prod --merge --use && kubectl get nodes',
        'Every use is recorded in the stack\'s audit log.',
      ].join('\n'),
    )
    .action(async (stack: string | undefined, opts: { output?: string; merge?: boolean; use?: boolean; context?: string; refresh?: boolean; json?: boolean; passwordStdin?: boolean }) => {
      const { kubeconfigCommand } = await import('../cluster/kubeconfig.ts');
      await kubeconfigCommand(io, stack, opts);
    });
}
