// operator run: the kubeconfig ($KUBECONFIG, else the in-cluster ServiceAccount), JSON log lines
// on stdout, SIGTERM/SIGINT as a graceful stop, and the exit status: 0 after a stop, 1 when
// leadership was lost (the Deployment starts the replica again, as a follower).
import { hostname, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Kube, KubeConfig, runOperator } from '../../operator/index.ts';
import type { Log } from '../../operator/index.ts';
import type { RunFlags } from '../commands/operator.ts';
import { CliError } from '../errors.ts';
import type { InterruptSource } from '../host.ts';
import type { CliIO } from '../io.ts';

type Signals = InterruptSource & { on(event: 'SIGTERM', l: () => void): unknown; off(event: 'SIGTERM', l: () => void): unknown };

function kubeConfig(io: CliIO): KubeConfig {
  const kc = new KubeConfig();
  const file = io.env.KUBECONFIG?.split(delimiter).find(Boolean);
  try {
    if (file) kc.loadFromFile(file);
    else if (io.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else throw new Error('neither KUBECONFIG nor an in-cluster ServiceAccount (KUBERNETES_SERVICE_HOST) is set');
  } catch (err) {
    throw new CliError(`cannot load the Kubernetes configuration: ${(err as Error).message}`, { hint: 'Set KUBECONFIG, or run the operator in a Pod (operator manifests).' });
  }
  if (!kc.getCurrentCluster()) throw new CliError(`the Kubernetes configuration ${file ?? ''} has no current cluster`);
  return kc;
}

export async function runCommand(io: CliIO, flags: RunFlags, signals: Signals = process): Promise<void> {
  if (flags.renewDeadline >= flags.leaseDuration) throw new CliError('--renew-deadline must be shorter than --lease-duration');
  const kc = kubeConfig(io);
  const identity = flags.identity ?? io.env.POD_NAME ?? hostname();
  const log: Log = (level, message, fields) => {
    io.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
  };
  const stop = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) {
      log('info', 'stop requested');
      stop.abort();
    }
  };
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
  try {
    const outcome = await runOperator(
      {
        kube: new Kube(kc, identity),
        identity,
        namespaces: flags.namespace,
        workDir: flags.workDir ?? join(io.env.TMPDIR ?? tmpdir(), 'sloth-kubernetes-operator'),
        path: io.env.PATH,
        concurrency: flags.concurrency,
        backoffBaseMs: flags.backoff * 1000,
        graceMs: flags.grace * 1000,
        log,
        lease: {
          namespace: flags.leaseNamespace ?? io.env.POD_NAMESPACE ?? 'sloth-kubernetes-system',
          name: flags.leaseName,
          durationSeconds: flags.leaseDuration,
          renewDeadlineSeconds: flags.renewDeadline,
          retrySeconds: flags.retryPeriod,
        },
      },
      stop.signal,
    );
    if (outcome === 'lost') throw new CliError('lost the leader-election lease; stopped every update', { hint: 'Another replica takes over; this one can be started again.' });
  } finally {
    signals.off('SIGTERM', onSignal);
    signals.off('SIGINT', onSignal);
  }
}
