// Cordon, uncordon and drain a node of a stack's cluster over the Kubernetes API (src/kube),
// with the stack's admin kubeconfig: the node must be one of the stack's (a bastion is not a
// Kubernetes node). Progress goes to the caller as `node` events; each operation is on record.
import { recordedMachines } from '../cluster/remote/access.ts';
import { closest } from '../config/did-you-mean.ts';
import { cordonNode, drainNode, DrainError, uncordonNode, type DrainOptions, type DrainResult } from '../kube/drain.ts';
import type { OpenedStack } from '../state/index.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';
import { kubeFailure, stackClient } from './kube-access.ts';
import { auditSession, withAuditedStack } from './stack.ts';

export interface NodeRef {
  stack?: string;
  node: string;
}

/** Checks that `node` is a Kubernetes node of the stack. */
function clusterNode(stack: OpenedStack, node: string): void {
  const machines = recordedMachines(stack.deployment);
  if (machines.length === 0) throw new OpsError('invalid', `stack '${stack.name}' has no cluster: it was never deployed, or its resources were destroyed`, `Deploy it first: sloth-kubernetes deploy ${stack.name} --config FILE`);
  const m = machines.find((x) => x.name === node);
  if (m?.kind === 'bastion') throw new OpsError('invalid', `${node} is the bastion, not a Kubernetes node`, `Nodes: ${machines.filter((x) => x.kind === 'node').map((x) => x.name).join(', ')}`);
  if (!m) {
    const names = machines.filter((x) => x.kind === 'node').map((x) => x.name);
    const guess = closest(node, names);
    throw new OpsError('invalid', `stack '${stack.name}' has no node '${node}'${guess ? `; did you mean '${guess}'?` : ''}`, `Nodes: ${names.join(', ')}`);
  }
}

const notRegistered = (node: string, stack: string) =>
  new OpsError('invalid', `node ${node} is not registered with the cluster's API (its kubelet never joined, or the Node object was deleted)`, `See the nodes the cluster knows: sloth-kubernetes kubectl ${stack} get nodes`);

async function onNode<T>(ctx: OpsContext, input: NodeRef, command: string, what: string, body: (stack: OpenedStack) => Promise<T>): Promise<T> {
  const audit = auditSession(ctx, `nodes ${command}`, { type: 'deployment', action: 'update', resourceId: input.node, resourceType: 'node', description: `${what} node ${input.node}` });
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    clusterNode(stack, input.node);
    audit.summary.resourceId = input.node;
    audit.summary.description = `${what} node ${input.node} of stack '${stack.name}'`;
    try {
      return await body(stack);
    } catch (err) {
      const e = kubeFailure(err, stack.name);
      throw e instanceof OpsError && e.reason === 'invalid' && /nodes? "[^"]+" not found/.test(e.message) ? notRegistered(input.node, stack.name) : e;
    }
  });
}

/** Marks the node unschedulable (`uncordon`: schedulable again); `already` when it was. */
export async function cordon(ctx: OpsContext, input: NodeRef & { uncordon?: boolean }): Promise<{ stack: string; node: string; already: boolean }> {
  return onNode(ctx, input, input.uncordon ? 'uncordon' : 'cordon', input.uncordon ? 'uncordon' : 'cordon', async (stack) => {
    const { client } = stackClient(ctx, stack);
    const onEvent = (event: Parameters<NonNullable<DrainOptions['onEvent']>>[0]) => ctx.host.notify({ type: 'node', event });
    const { already } = input.uncordon ? await uncordonNode(client, input.node, onEvent) : await cordonNode(client, input.node, onEvent);
    return { stack: stack.name, node: input.node, already };
  });
}

export type DrainInput = NodeRef & Pick<DrainOptions, 'force' | 'deleteEmptyDirData' | 'gracePeriodSeconds' | 'timeoutMs' | 'retryIntervalMs'>;

/** Cordons the node and evicts its pods (honouring disruption budgets) until they are gone or the timeout. */
export async function drain(ctx: OpsContext, input: DrainInput): Promise<DrainResult & { stack: string }> {
  return onNode(ctx, input, 'drain', 'drain', async (stack) => {
    const { client } = stackClient(ctx, stack);
    try {
      const result = await drainNode(client, input.node, { ...input, signal: ctx.abortSignal, onEvent: (event) => ctx.host.notify({ type: 'node', event }) });
      return { ...result, stack: stack.name };
    } catch (err) {
      if (!(err instanceof DrainError)) throw err;
      if (err.kind === 'refused') throw new OpsError('refused', err.message, err.cordoned ? `${input.node} was cordoned meanwhile and stays so; undo it with: sloth-kubernetes nodes uncordon ${stack.name} ${input.node}` : 'Nothing was changed.');
      throw new OpsError('timed-out', err.message, `${input.node} stays cordoned. Run the drain again with a longer --timeout, or see what holds the pods: sloth-kubernetes kubectl ${stack.name} get pdb -A`);
    }
  });
}
