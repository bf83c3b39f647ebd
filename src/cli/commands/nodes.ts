// `nodes list|ssh|cordon|uncordon|drain|add|remove`: the machines of a deployed cluster.
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';
import { parseDuration, parseSeconds } from '../flags.ts';

export function register(program: Command, io: CliIO): void {
  const nodes = program.command('nodes').description('the machines of a deployed cluster: list, ssh, cordon, uncordon, drain, add, remove');
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

  nodes
    .command('ssh <stack> <node> [command...]')
    .description("open a shell on a node (or run one command), through the bastion, every host key pinned to the stack's")
    .option('-t, --tty', 'give the command a terminal too (a shell always gets one when this is a terminal)')
    .option('--password-stdin', 'read the passphrase from standard input (the session then gets no input)')
    .addHelpText(
      'after',
      [
        '',
        "Logs in as the stack's login user with its deploy key. A host key that differs from the one the",
        'stack records is refused (never trusted on first use). The exit status is the remote one.',
        '',
        'Examples:',
        '  sloth-kubernetes nodes ssh prod masters-1',
        '  sloth-kubernetes nodes ssh prod workers-3 -- sudo journalctl -u rke2-agent -n 50',
      ].join('\n'),
    )
    .action(async (stack: string, node: string, command: string[], opts: { tty?: boolean; passwordStdin?: boolean }) => {
      const { nodeSshCommand } = await import('../nodes/ssh.ts');
      await nodeSshCommand(io, stack, node, command, opts);
    });

  for (const [name, description] of [
    ['cordon', 'mark a node unschedulable (running pods stay)'],
    ['uncordon', 'mark a node schedulable again'],
  ] as const) {
    nodes
      .command(`${name} <stack> <node>`)
      .description(`${description}, over the Kubernetes API with the stack's kubeconfig`)
      .option('--json', 'print the result as JSON')
      .option('--password-stdin', 'read the passphrase from standard input')
      .action(async (stack: string, node: string, opts: { json?: boolean; passwordStdin?: boolean }) => {
        const { cordonCommand } = await import('../nodes/drain.ts');
        await cordonCommand(io, stack, node, name === 'uncordon', opts);
      });
  }

  nodes
    .command('drain <stack> <node>')
    .description('cordon a node and evict its pods through the Eviction API, honouring PodDisruptionBudgets')
    .option('--force', 'also evict pods no controller manages (nothing recreates them)')
    .option('--delete-emptydir-data', 'also evict pods with emptyDir volumes (their data is lost)')
    .option('--grace-period <seconds>', "seconds each pod gets to stop (default: the pod's own)", parseSeconds)
    .option('--timeout <duration>', 'give up after this long (an eviction a budget refuses is tried again until then)', parseDuration, 300_000)
    .option('--json', 'print the result as JSON')
    .option('--password-stdin', 'read the passphrase from standard input')
    .addHelpText('after', '\nDaemonSet pods and the kubelet\'s static pods stay. The node stays cordoned; uncordon it when done.')
    .action(async (stack: string, node: string, opts: { force?: boolean; deleteEmptydirData?: boolean; gracePeriod?: number; timeout: number; json?: boolean; passwordStdin?: boolean }) => {
      const { drainCommand } = await import('../nodes/drain.ts');
      await drainCommand(io, stack, node, opts);
    });
}
