// `nodes list|ssh|cordon|uncordon|drain|add|remove`: the machines of a deployed cluster.
import type { Command } from 'commander';
import type { CliIO } from '../io.ts';
import { jsonFlag } from '../output.ts';
import { collect, parseDuration, parseParallel, parseSeconds } from '../flags.ts';
import { verboseOf } from './deploy.ts';

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
      .addOption(jsonFlag('print the result as JSON'))
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
    .addOption(jsonFlag('print the result as JSON'))
    .option('--password-stdin', 'read the passphrase from standard input')
    .addHelpText('after', '\nDaemonSet pods and the kubelet\'s static pods stay. The node stays cordoned; uncordon it when done.')
    .action(async (stack: string, node: string, opts: { force?: boolean; deleteEmptydirData?: boolean; gracePeriod?: number; timeout: number; json?: boolean; passwordStdin?: boolean }) => {
      const { drainCommand } = await import('../nodes/drain.ts');
      await drainCommand(io, stack, node, opts);
    });

  const poolChange = (cmd: Command) =>
    cmd
      .requiredOption('--pool <name>', 'the node pool')
      .option('--count <n>', 'how many nodes (default 1)', parseParallel, 1)
      .option('--operator-cidr <cidr>', "address(es) allowed to reach SSH and the Kubernetes API (repeatable; default: this machine's public address, as deploy)", collect)
      .option('-y, --yes', 'apply without asking for confirmation')
      .option('--dry-run', 'only show the preview')
      .option('--diff', 'show property-level detail for every change')
      .option('--parallel <n>', 'provider calls in flight at once (default 16)', parseParallel)
      .option('-m, --message <text>', 'a message recorded with this update')
      .addOption(jsonFlag('print the plan and the engine events as JSON lines'))
      .option('--password-stdin', 'read the passphrase from standard input');

  poolChange(nodes.command('add <stack>').description("add nodes at the end of a pool: the stack's configuration with the pool grown, deployed (preview, confirm, apply, history, audit)"))
    .addHelpText('after', "\nThe stack's stored configuration changes; the file you deployed from does not (export-config gives the new one).")
    .action(async (stack: string, opts: PoolFlags, cmd: Command) => {
      const { poolCommand } = await import('../nodes/pool.ts');
      await poolCommand(io, stack, opts.count, undefined, { ...opts, verbose: verboseOf(cmd) });
    });

  poolChange(nodes.command('remove <stack> [node]').description("remove a pool's last nodes: each is drained and deleted from the cluster, then its machine destroyed and its WireGuard peer removed from every other node"))
    .option('--force', 'drain: also evict pods no controller manages')
    .option('--delete-emptydir-data', 'drain: also evict pods with emptyDir volumes')
    .option('--grace-period <seconds>', "drain: seconds each pod gets to stop (default: the pod's own)", parseSeconds)
    .option('--timeout <duration>', 'drain: give up after this long', parseDuration, 300_000)
    .option('--no-drain', "don't drain (a node that is gone); its Node object is still deleted")
    .addHelpText('after', '\nNode names are stable, so a pool shrinks from its end: name the node to make sure it is the one removed.')
    .action(async (stack: string, node: string | undefined, opts: PoolFlags & { force?: boolean; deleteEmptydirData?: boolean; gracePeriod?: number; timeout: number; drain: boolean }, cmd: Command) => {
      const { poolCommand } = await import('../nodes/pool.ts');
      await poolCommand(io, stack, -opts.count, node, {
        ...opts,
        verbose: verboseOf(cmd),
        drainWith: opts.drain ? { force: opts.force, deleteEmptyDirData: opts.deleteEmptydirData, gracePeriodSeconds: opts.gracePeriod, timeoutMs: opts.timeout } : false,
      });
    });
}

interface PoolFlags {
  pool: string;
  count: number;
  operatorCidr?: string[];
  yes?: boolean;
  dryRun?: boolean;
  diff?: boolean;
  parallel?: number;
  message?: string;
  json?: boolean;
  passwordStdin?: boolean;
}
