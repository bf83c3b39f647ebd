// SSH access to one machine of a stack, for every use case that reaches a node (nodes ssh,
// health's WireGuard check, kubeconfig --refresh, manifests diff --live, and later the VPN and
// Salt commands): the recorded connection — the stack's deploy key and login user, the
// machine's own pinned host key, the bastion hop with its pinned key — or one clear error,
// and SSH failures turned into errors that say what to do.
import { closest } from '../config/did-you-mean.ts';
import { machineAccess, recordedMachines, type NodeAccess } from '../cluster/remote/access.ts';
import type { SshError } from '../cluster/remote/ssh.ts';
import { TemplateError } from '../cluster/bootstrap/template.ts';
import type { OpenedStack } from '../state/index.ts';
import { OpsError, type OpsErrorReason } from './errors.ts';

export type { NodeAccess };

/** The machine names of the stack, bastion first; an OpsError when it records none. */
export function machineNames(stack: OpenedStack): string[] {
  const names = recordedMachines(stack.deployment).map((m) => m.name);
  if (names.length === 0) {
    throw new OpsError('invalid', `stack '${stack.name}' has no cluster: it was never deployed, or its resources were destroyed`, `Deploy it first: sloth-kubernetes deploy ${stack.name} --config FILE`);
  }
  return names;
}

/** How to reach `node` over SSH; an OpsError for an unknown node or one the stack holds no connection to. */
export function nodeAccess(stack: OpenedStack, node: string): NodeAccess {
  const names = machineNames(stack);
  if (!names.includes(node)) {
    const guess = closest(node, names);
    throw new OpsError('invalid', `stack '${stack.name}' has no node '${node}'${guess ? `; did you mean '${guess}'?` : ''}`, `Its machines: ${names.join(', ')}`);
  }
  let access: NodeAccess | undefined;
  try {
    access = machineAccess(stack.deployment, node);
  } catch (err) {
    if (err instanceof TemplateError) throw new OpsError('invalid', `stack '${stack.name}' records the connection to ${node} incompletely (${err.message})`, `Deploy again to record it: sloth-kubernetes deploy ${stack.name} --config FILE`);
    throw err;
  }
  if (!access) {
    throw new OpsError(
      'invalid',
      `stack '${stack.name}' records no SSH connection to ${node}: it was deployed with --no-bootstrap, or the deploy stopped before its first step on ${node}`,
      `A deploy without --no-bootstrap installs ${node}'s own host key and records how to reach it: sloth-kubernetes deploy ${stack.name} --config FILE`,
    );
  }
  return access;
}

/** An SSH failure as the user should see it; `doing` says what the connection was for. */
export function sshFailure(err: SshError, access: NodeAccess, stack: string, doing: string, reason: OpsErrorReason = 'unavailable'): OpsError {
  switch (err.kind) {
    case 'host-key-mismatch':
      return new OpsError(reason, err.message, `If ${err.machine} was replaced outside sloth-kubernetes, bring the stack up to date first: sloth-kubernetes refresh ${stack}`);
    case 'auth':
      return new OpsError(reason, `${err.message}: cannot ${doing}`, `The deploy key in stack '${stack}' is no longer authorized on ${err.machine}; a deploy re-installs it.`);
    case 'unreachable':
    case 'timeout':
      return new OpsError(
        reason,
        `cannot reach ${access.machine}${access.ssh.via && err.machine !== access.machine ? ` (through ${access.ssh.via.name})` : ''} over SSH to ${doing}: ${err.message}`,
        `Check that ${err.machine} is running and that this machine's address may connect (the cloud firewall lets in the operator address of the last deploy; deploying from here updates it).`,
      );
    default:
      return new OpsError(reason, `cannot ${doing} on ${access.machine}: ${err.message}`);
  }
}
