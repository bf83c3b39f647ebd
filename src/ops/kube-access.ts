// The Kubernetes API of a stack's cluster, reached the way a user's kubectl reaches it: with
// the stack's admin kubeconfig, at the address it names. Failures become OpsErrors that say
// what to do.
import { kubeClient, KubeApiError, type KubeClient } from '../kube/client.ts';
import type { OpenedStack } from '../state/index.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';
import { storedKubeconfig } from './stack-kubeconfig.ts';

/** Per request. */
const REQUEST_TIMEOUT_MS = 15_000;

export function stackClient(ctx: OpsContext, stack: OpenedStack, timeoutMs = REQUEST_TIMEOUT_MS): { client: KubeClient; kubeconfig: string } {
  const text = storedKubeconfig(stack);
  return { client: kubeClient(text, { timeoutMs, signal: ctx.abortSignal }), kubeconfig: text };
}

/** A KubeApiError as the user should see it; other errors pass through. */
export function kubeFailure(err: unknown, stack: string): unknown {
  if (!(err instanceof KubeApiError)) return err;
  switch (err.kind) {
    case 'unreachable':
    case 'timeout':
      return new OpsError('unavailable', err.message, `Check that the cluster's API is up (sloth-kubernetes health ${stack}) and that this machine's address may reach it (the firewall lets in the operator address of the last deploy; deploying from here updates it).`);
    case 'tls':
      return new OpsError('unavailable', err.message, `The API's certificate does not match the kubeconfig the stack holds; fetch it again: sloth-kubernetes kubeconfig ${stack} --refresh`);
    case 'unauthorized':
      return new OpsError('unavailable', `the Kubernetes API refused the stack's admin credential (${err.message})`, `Its certificates may have been rotated; fetch the kubeconfig again: sloth-kubernetes kubeconfig ${stack} --refresh`);
    case 'forbidden':
      return new OpsError('refused', err.message);
    case 'not-found':
      return new OpsError('invalid', err.message);
    default:
      return new OpsError('unavailable', err.message);
  }
}
