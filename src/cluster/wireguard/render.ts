// Renders one member's WireGuard configuration in wg-quick's format. The file holds the
// member's private key, so it is rendered only for delivery to that member and is a secret
// everywhere else. The interface name is not in the file: wg-quick takes it from the file
// name, which the node's bootstrap chooses.
import { isIPv6 } from 'node:net';
import type { EndpointRef, MeshPlan } from './mesh.ts';

/** Resolves a planned endpoint to an address; `undefined` leaves the endpoint out. */
export type EndpointResolver = (ref: EndpointRef) => string | undefined;

export function renderWgQuickConfig(plan: MeshPlan, memberName: string, resolveEndpoint: EndpointResolver): string {
  const self = plan.members.find((m) => m.name === memberName);
  if (!self) throw new Error(`'${memberName}' is not a member of the mesh`);
  const lines = [
    '# Managed by sloth-kubernetes: changes here are overwritten on the next deploy.',
    `# Mesh member ${self.name}`,
    '[Interface]',
    `Address = ${self.address}/${plan.prefix}`,
    `ListenPort = ${plan.settings.port}`,
    `MTU = ${plan.settings.mtu}`,
    `PrivateKey = ${self.keys.privateKey}`,
  ];
  for (const peer of plan.peers[self.name] ?? []) {
    lines.push('', `# ${peer.name}`, '[Peer]', `PublicKey = ${peer.publicKey}`, `AllowedIPs = ${peer.allowedIps.join(', ')}`);
    const address = peer.endpoint ? resolveEndpoint(peer.endpoint) : undefined;
    if (address) lines.push(`Endpoint = ${isIPv6(address) ? `[${address}]` : address}:${plan.settings.port}`);
    if (peer.persistentKeepalive) lines.push(`PersistentKeepalive = ${peer.persistentKeepalive}`);
  }
  return `${lines.join('\n')}\n`;
}
