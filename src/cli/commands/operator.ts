// `operator run` and `operator manifests`: the Kubernetes operator that reconciles Stack
// resources through the same deploy as the CLI (docs/operator.md).
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { collect, parseParallel } from '../flags.ts';
import type { CliIO } from '../io.ts';

const seconds = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number of seconds above 0');
  return n;
};

export function register(program: Command, io: CliIO): void {
  const operator = program
    .command('operator')
    .description('the Kubernetes operator: Stack resources in a cluster, reconciled by sloth-kubernetes (docs/operator.md)');

  operator
    .command('manifests')
    .description('print what installs the operator: the Stack CRD, Namespace, ServiceAccount, RBAC and Deployment (YAML for kubectl apply -f -)')
    .requiredOption('--image <ref>', 'the container image that runs sloth-kubernetes')
    .option('-n, --namespace <name>', 'where the operator runs', 'sloth-kubernetes-system')
    .option('--watch-namespace <name>', 'reconcile only Stacks in this namespace (repeatable): Roles there instead of a ClusterRole', collect)
    .option('--replicas <n>', 'replicas of the Deployment (one leads at a time)', parseParallel, 2)
    .option('--state-claim <pvc>', 'a PersistentVolumeClaim mounted at /var/lib/sloth-kubernetes for file:// backends')
    .option('--crd-only', 'print only the CustomResourceDefinition')
    .action(async (opts: { image: string; namespace: string; watchNamespace?: string[]; replicas: number; stateClaim?: string; crdOnly?: boolean }) => {
      const { printManifests } = await import('../operator/manifests.ts');
      printManifests(io, opts);
    });

  operator
    .command('run')
    .description('run the controller: lead (Lease), watch Stacks, reconcile them through deploy/destroy; logs are JSON lines')
    .option('--namespace <name>', 'reconcile only Stacks in this namespace (repeatable; default every namespace)', collect)
    .option('--lease-namespace <name>', 'where the leader-election Lease lives (default $POD_NAMESPACE, else sloth-kubernetes-system)')
    .option('--lease-name <name>', 'the Lease', 'sloth-kubernetes-operator')
    .option('--identity <name>', 'this replica\'s name in the Lease (default $POD_NAME, else the host name)')
    .option('--lease-duration <s>', 'seconds a Lease lasts unrenewed', seconds, 15)
    .option('--renew-deadline <s>', 'seconds a leader keeps trying to renew before it stops', seconds, 10)
    .option('--retry-period <s>', 'seconds between Lease tries', seconds, 2)
    .option('--concurrency <n>', 'Stacks reconciled at once', parseParallel, 4)
    .option('--work-dir <dir>', 'where updates and the git cache are kept (default $TMPDIR/sloth-kubernetes-operator)')
    .option('--grace <s>', 'seconds running updates get to stop gracefully on SIGTERM before they are aborted', seconds, 60)
    .option('--backoff <s>', 'first pause after a failed update; each further failure triples it', seconds, 10)
    .addHelpText('after', '\nThe cluster is the one of $KUBECONFIG, else the in-cluster ServiceAccount. SIGTERM or SIGINT stop gracefully.')
    .action(async (opts: RunFlags) => {
      const { runCommand } = await import('../operator/run.ts');
      await runCommand(io, opts);
    });
}

export interface RunFlags {
  namespace?: string[];
  leaseNamespace?: string;
  leaseName: string;
  identity?: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
  concurrency: number;
  workDir?: string;
  grace: number;
  backoff: number;
}
