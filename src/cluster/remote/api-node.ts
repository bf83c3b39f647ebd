// Where a stack's cluster can be reached after the deploy: the API node (or any machine), through the
// connection its steps recorded (the addresses they resolved, the pinned host keys, the
// bastion, the deploy key). A stack deployed without Kubernetes (`--no-bootstrap`) or never
// deployed has none.
import { reveal, type Deployment, type ResourceState } from '../../state/types.ts';
import { COMMAND_TYPE } from './package.ts';
import { stepSsh } from './step-access.ts';
import type { SshOptions } from './ssh.ts';

export interface NodeAccess {
  /** The step whose connection is used. */
  step: string;
  machine: string;
  ssh: SshOptions;
}

const nameOf = (r: ResourceState) => r.urn.slice(r.urn.lastIndexOf('::') + 2);

/**
 * How to reach `machine` as its steps do: the connection its mesh step recorded (every member
 * of the mesh has one), else any other step of that machine; undefined when the stack holds none.
 */
export function machineAccess(deployment: Deployment | undefined, machine: string): NodeAccess | undefined {
  if (!deployment) return undefined;
  const steps = deployment.resources.filter((r) => !r.delete && r.type === COMMAND_TYPE && r.inputs && reveal(r.inputs['machine']) === machine);
  const r = steps.find((x) => nameOf(x) === `mesh-${machine}`) ?? steps[0];
  return r ? { step: nameOf(r), machine, ssh: stepSsh(r.inputs!, nameOf(r)) } : undefined;
}

/**
 * The first of `steps` the stack holds, else the `kubeconfig` step (it runs on the API
 * node); undefined when the stack holds neither.
 */
export function apiNodeAccess(deployment: Deployment | undefined, steps: readonly string[] = []): NodeAccess | undefined {
  if (!deployment) return undefined;
  const commands = new Map(deployment.resources.filter((r) => !r.delete && r.type === COMMAND_TYPE && r.inputs).map((r) => [nameOf(r), r]));
  for (const name of [...steps, 'kubeconfig']) {
    const r = commands.get(name);
    if (r) return { step: name, machine: String(reveal(r.inputs!['machine'])), ssh: stepSsh(r.inputs!, name) };
  }
  return undefined;
}
