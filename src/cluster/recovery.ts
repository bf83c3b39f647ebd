// A stack rebuilt from what the clouds hold (`refresh --config` after the stack was lost).
// Everything with a cloud object is found by its URN tag; what the planner generated and kept
// only in the stack is not in any cloud object, with one exception: the deploy key's public
// half, which the clouds' key objects hold. So the rebuilt plan takes that key from the cloud
// (its private half: the config's security.ssh key-path, else unknown), generates the rest
// anew, and marks the cluster `recovered`. Its machines keep what they are — nothing is
// replaced and nothing twinned, so the next deploy of the same config changes nothing — but
// the keys and tokens they were set up with (the host keys they serve, the deploy key they
// trust, the mesh keys, the join tokens) are not the ones in the stack: a plan that would
// connect to them, or join a machine to them, is refused before anything is done
// (`refuseLostAccess`). A stack restored from a copy (`stacks import`) has none of this.
import type { DesiredState, Plan } from '../engine/index.ts';
import { reveal, type Deployment, type PropertyMap } from '../state/types.ts';
import { ClusterPlanError } from './errors.ts';
import type { PreviousCluster } from './plan.ts';
import { API_READY_TYPE, CLUSTER_RECORD_TYPE, COMMAND_TYPE, HOST_KEY_TYPE } from './remote/package.ts';

/** What the cloud showed of a lost stack's generated material. */
export interface Recovery {
  /** The deploy key's public half as the clouds' key objects hold it. */
  deployPublicKey?: string;
  /** When the stack was rebuilt (ISO time), recorded in the cluster record. */
  at: string;
}

/** The cloud objects that hold the deploy key (an input of theirs is the key): URN → that input's name. */
export function deployKeyHolders(desired: DesiredState): Map<string, string> {
  const record = desired.resources.find((r) => r.type === CLUSTER_RECORD_TYPE);
  const key = record?.inputs['deployPublicKey'];
  const out = new Map<string, string>();
  if (typeof key !== 'string') return out;
  for (const r of desired.resources) {
    const input = r === record ? undefined : Object.keys(r.inputs).find((k) => r.inputs[k] === key);
    if (input) out.set(r.urn, input);
  }
  return out;
}

/** The recovery the looked-up key holders allow (URN → the outputs the cloud reported); undefined when none was found. */
export function recoveryFrom(holders: ReadonlyMap<string, string>, found: ReadonlyMap<string, PropertyMap>, at: Date): Recovery | undefined {
  if (found.size === 0) return undefined;
  const key = [...found].map(([urn, outputs]) => reveal(outputs[holders.get(urn) ?? ''] ?? null)).find((k): k is string => typeof k === 'string' && k !== '');
  return { deployPublicKey: key, at: at.toISOString() };
}

/** `previous` for a rebuilt stack: the deploy key the clouds hold (private half unknown), marked recovered. */
export function recoveredPrevious(previous: PreviousCluster, recovery: Recovery): PreviousCluster {
  return {
    ...previous,
    recovered: previous.recovered ?? recovery.at,
    deployKey: previous.deployKey ?? (recovery.deployPublicKey ? { publicKey: recovery.deployPublicKey, privateKey: '' } : undefined),
  };
}

/** The warning every plan of a recovered cluster carries. */
export function recoveredWarning(clusterName: string, at: string): string {
  return (
    `cluster '${clusterName}' was rebuilt from the cloud by refresh --config (${at}): its machines are tracked, but the keys and tokens ` +
    'they were set up with were kept only in the lost stack, so nothing will connect to them or join new machines to them'
  );
}

const STEP_TYPES = new Set([COMMAND_TYPE, HOST_KEY_TYPE, API_READY_TYPE]);

const clusterRecord = (deployment: Deployment | undefined, clusterName: string) =>
  deployment?.resources.find((r) => !r.delete && r.type === CLUSTER_RECORD_TYPE && r.urn.endsWith(`::${clusterName}`));

/** Whether `refresh --config` of the cluster rebuilds a stack (one that has no record of it). */
export const isRebuild = (deployment: Deployment | undefined, clusterName: string): boolean => clusterRecord(deployment, clusterName) === undefined;

/** When the cluster of `deployment` was rebuilt by refresh --config, if it was. */
export function recoveredAt(deployment: Deployment | undefined, clusterName: string): string | undefined {
  const at = reveal(clusterRecord(deployment, clusterName)?.inputs?.['recovered'] ?? null);
  return typeof at === 'string' && at !== '' ? at : undefined;
}

/**
 * Refuses a plan that would run a remote step (connect to a machine, install, join) on a
 * recovered cluster: the machines serve host keys and trust a deploy key this stack does not
 * hold, and run with tokens it does not know. Nothing has been done when this throws.
 */
export function refuseLostAccess(plan: Plan, deployment: Deployment | undefined, clusterName: string, stack: string): void {
  const at = recoveredAt(deployment, clusterName);
  if (!at) return;
  const steps = plan.steps.filter((s) => STEP_TYPES.has(s.type) && (s.op === 'create' || s.op === 'update' || s.op === 'replace'));
  if (steps.length === 0) return;
  const names = steps.slice(0, 5).map((s) => s.name);
  throw new ClusterPlanError(
    `stack '${stack}' was rebuilt by refresh --config (${at}), and this deploy would run ${steps.length} remote step${steps.length === 1 ? '' : 's'} on its machines (${names.join(', ')}${steps.length > names.length ? ', …' : ''}); nothing was changed`,
    {
      hint: [
        'The host keys the machines serve, the deploy key they trust (unless security.ssh key-path names it), the WireGuard keys and the join tokens',
        'were kept only in the lost stack; sloth-kubernetes will not connect to the machines with keys they do not have, nor join new machines with tokens the cluster does not know.',
        'To manage the whole cluster again, restore a copy of the stack: sloth-kubernetes stacks import <stack> <file> (a `stacks export`, or a checkpoint under .pulumi/history/).',
        'To manage only its cloud resources (firewalls, load balancer, DNS, machine sizes), deploy with --no-bootstrap.',
      ].join('\n'),
    },
  );
}
