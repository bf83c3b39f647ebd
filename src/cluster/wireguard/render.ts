// Renders one member's WireGuard configuration in wg-quick's format. The file holds the
// member's private key, so it is rendered only for delivery to that member and is a secret
// everywhere else. The interface name is not in the file: wg-quick takes it from the file
// name, which the node's bootstrap chooses.
import { isIPv6 } from 'node:net';
import type { EndpointRef, MeshPlan } from './mesh.ts';

/** Resolves a planned endpoint to an address; `undefined` leaves the endpoint out. */
export type EndpointResolver = (ref: EndpointRef) => string | undefined;

export function renderWgQuickConfig(plan: MeshPlan, memberName: string, resolveEndpoint: EndpointResolver, options: { postUp?: string } = {}): string {
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
    ...(options.postUp ? [`PostUp = ${options.postUp}`] : []),
  ];
  for (const peer of plan.peers[self.name] ?? []) {
    lines.push('', `# ${peer.name}`, '[Peer]', `PublicKey = ${peer.publicKey}`, `AllowedIPs = ${peer.allowedIps.join(', ')}`);
    const address = peer.endpoint ? resolveEndpoint(peer.endpoint) : undefined;
    if (address) lines.push(`Endpoint = ${isIPv6(address) ? `[${address}]` : address}:${plan.settings.port}`);
    if (peer.persistentKeepalive) lines.push(`PersistentKeepalive = ${peer.persistentKeepalive}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The node that carries the pod and service networks for VPN clients that route them: the first node with a public address. */
export function vpnGateway(plan: MeshPlan): string | undefined {
  return plan.members.find((m) => m.kind === 'node' && m.publicAddress)?.name;
}

export const NAT_TABLE = 'sloth-vpn';

/**
 * The nftables file a member loads after its interface is up: on the gateway, traffic from
 * clients that route the cluster networks is masqueraded toward them (so replies from any
 * node come back through the gateway, the only peer the client routes them to); everywhere
 * else, and when no client routes them, the table is removed. Loading it twice is the same as once.
 */
export function renderClientNat(plan: MeshPlan, memberName: string, clusterCidrs: readonly string[]): string {
  const reset = [`# Managed by sloth-kubernetes: VPN clients' access to the cluster networks.`, `table ip ${NAT_TABLE}`, `delete table ip ${NAT_TABLE}`];
  const routed = plan.clients.filter((c) => c.routes);
  if (routed.length === 0 || vpnGateway(plan) !== memberName || clusterCidrs.length === 0) return `${reset.join('\n')}\n`;
  return `${[
    ...reset,
    `table ip ${NAT_TABLE} {`,
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    ip saddr { ${routed.map((c) => c.address).join(', ')} } ip daddr { ${clusterCidrs.join(', ')} } masquerade`,
    '  }',
    '}',
  ].join('\n')}\n`;
}

/** True when `renderClientNat` gives this member rules to keep (wg-quick loads them again at boot). */
export function natActive(plan: MeshPlan, memberName: string): boolean {
  return plan.clients.some((c) => c.routes) && vpnGateway(plan) === memberName;
}

/**
 * A VPN client's own wg-quick file: its address as a /32, one peer per member with a public
 * address (the hub's entry also carries the members it routes; the gateway's, when the client
 * routes them, the pod and service networks), each with the member's public endpoint and a
 * keepalive, since the client is the one behind NAT.
 */
export function renderClientConfig(plan: MeshPlan, clientName: string, privateKey: string, resolveEndpoint: EndpointResolver, clusterCidrs: readonly string[] = []): string {
  const client = plan.clients.find((c) => c.name === clientName);
  if (!client) throw new Error(`'${clientName}' is not a VPN client of the mesh`);
  const gateway = client.routes ? vpnGateway(plan) : undefined;
  const keepalive = plan.settings.persistentKeepalive > 0 ? plan.settings.persistentKeepalive : 25;
  const routed = plan.members.filter((m) => !m.publicAddress);
  const lines = [
    `# sloth-kubernetes VPN client ${client.name}: bring it up with wg-quick up <this file>.`,
    '[Interface]',
    `Address = ${client.address}/32`,
    `MTU = ${plan.settings.mtu}`,
    `PrivateKey = ${privateKey}`,
  ];
  for (const m of plan.members.filter((x) => x.publicAddress)) {
    const allowed = [`${m.address}/32`];
    if (m.name === plan.hub) allowed.push(...routed.map((r) => `${r.address}/32`));
    if (m.name === gateway) allowed.push(...clusterCidrs);
    lines.push('', `# ${m.name}`, '[Peer]', `PublicKey = ${m.keys.publicKey}`, `AllowedIPs = ${allowed.join(', ')}`);
    const address = resolveEndpoint({ member: m.name, via: 'public' });
    if (address) lines.push(`Endpoint = ${isIPv6(address) ? `[${address}]` : address}:${plan.settings.port}`);
    lines.push(`PersistentKeepalive = ${keepalive}`);
  }
  return `${lines.join('\n')}\n`;
}
