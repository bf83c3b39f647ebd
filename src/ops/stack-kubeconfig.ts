// The cluster's admin kubeconfig as the stack keeps it (root output `kubeConfig`, fetched by the
// deploy's `kubeconfig` step). Light on purpose (no YAML parser): kubectl and every command that
// talks to the Kubernetes API start here.
import { reveal, stackOutputs } from '../state/index.ts';
import type { OpenedStack } from '../state/index.ts';
import { OpsError } from './errors.ts';

export const noCluster = (stack: string) =>
  new OpsError('invalid', `stack '${stack}' holds no kubeconfig: it was never deployed with Kubernetes (a deploy with --no-bootstrap installs none), or its cluster was destroyed`, `Deploy the cluster first: sloth-kubernetes deploy ${stack} --config FILE`);

/** The kubeconfig document the stack holds, as it holds it. */
export function storedKubeconfig(stack: OpenedStack): string {
  const stored = stackOutputs(stack.deployment, stack.name)['kubeConfig'];
  const text = stored === undefined ? undefined : reveal(stored);
  if (typeof text !== 'string' || text === '') throw noCluster(stack.name);
  return text;
}
