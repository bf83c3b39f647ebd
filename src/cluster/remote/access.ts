// How a stack's machines can be reached after the deploy, from what the deploy recorded: the
// connection its remote steps used (the address they resolved, the user they log in as, the
// machine's own pinned host key, the bastion hop with its own pinned key) and the deploy key.
// Nothing is learned on first use, and a machine's user-data host key is never accepted: a
// step is recorded only once it ran, and every step after `hostkey-<m>` pins the own key. A
// stack never deployed, or whose deploy stopped before a machine's first step, records no
// connection to it.
import { reveal, type Deployment, type PropertyMap, type ResourceState } from '../../state/types.ts';
import { COMMAND_TYPE, HOST_KEY_TYPE, MACHINE_RECORD_TYPE } from './package.ts';
import { stepSsh } from './step-access.ts';
import type { SshOptions } from './ssh.ts';

export interface NodeAccess {
  /** The step whose connection is used. */
  step: string;
  machine: string;
  ssh: SshOptions;
}

/** A machine as the stack records it (sloth:cluster:Machine). */
export interface RecordedMachine {
  name: string;
  kind: 'node' | 'bastion';
  roles: string[];
  meshAddress?: string;
  wireguardPublicKey?: string;
}

const nameOf = (r: ResourceState) => r.urn.slice(r.urn.lastIndexOf('::') + 2);
const live = (d: Deployment) => d.resources.filter((r) => !r.delete);

function steps(deployment: Deployment): Map<string, ResourceState> {
  return new Map(live(deployment).filter((r) => (r.type === COMMAND_TYPE || r.type === HOST_KEY_TYPE) && r.inputs).map((r) => [nameOf(r), r]));
}

const accessOf = (r: ResourceState, name: string): NodeAccess => ({ step: name, machine: String(reveal(r.inputs!['machine'])), ssh: stepSsh(r.inputs!, name) });

/**
 * The first of `steps` the stack holds, else the `kubeconfig` step (it runs on the API
 * node); undefined when the stack holds neither.
 */
export function apiNodeAccess(deployment: Deployment | undefined, names: readonly string[] = []): NodeAccess | undefined {
  if (!deployment) return undefined;
  const commands = steps(deployment);
  for (const name of [...names, 'kubeconfig']) {
    const r = commands.get(name);
    if (r && r.type === COMMAND_TYPE) return accessOf(r, name);
  }
  return undefined;
}

/**
 * How to reach `machine`: the connection of its `host-<m>` step (it re-runs whenever SSH
 * access changes), else of any other step on it — each pins the machine's own host key —
 * and only the own key, even where the `hostkey-<m>` step also accepted its user-data key.
 * Undefined when no step on the machine is recorded.
 */
export function machineAccess(deployment: Deployment | undefined, machine: string): NodeAccess | undefined {
  if (!deployment) return undefined;
  const all = [...steps(deployment)].filter(([, r]) => reveal(r.inputs!['machine']) === machine);
  const hostKeyStep = all.find(([, r]) => r.type === HOST_KEY_TYPE);
  // Stacks deployed before machines had their own host key have no such step: their steps pin the user-data key the machine still serves.
  const preferred = all.find(([name]) => name === `host-${machine}`) ?? all.find(([, r]) => r.type === COMMAND_TYPE) ?? hostKeyStep;
  if (!preferred) return undefined;
  const access = accessOf(preferred[1], preferred[0]);
  const { formerHostKey: _former, ...target } = access.ssh.target;
  return { ...access, ssh: { ...access.ssh, target } };
}

/** The machines of the last deployment, bastion first, then in name order (workers-2 before workers-10). */
export function recordedMachines(deployment: Deployment | undefined): RecordedMachine[] {
  if (!deployment) return [];
  const text = (m: PropertyMap | undefined, k: string) => {
    const v = m?.[k] === undefined ? undefined : reveal(m[k]!);
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  return live(deployment)
    .filter((r) => r.type === MACHINE_RECORD_TYPE)
    .map((r) => {
      const roles = r.inputs?.['roles'] === undefined ? [] : reveal(r.inputs['roles']);
      return {
        name: nameOf(r),
        kind: text(r.inputs, 'kind') === 'bastion' ? ('bastion' as const) : ('node' as const),
        roles: Array.isArray(roles) ? roles.map((x) => String(reveal(x))) : [],
        ...(text(r.inputs, 'meshAddress') ? { meshAddress: text(r.inputs, 'meshAddress') } : {}),
        ...(text(r.inputs, 'wireguardPublicKey') ? { wireguardPublicKey: text(r.inputs, 'wireguardPublicKey') } : {}),
      };
    })
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, 'en', { numeric: true }) : a.kind === 'bastion' ? -1 : 1));
}
