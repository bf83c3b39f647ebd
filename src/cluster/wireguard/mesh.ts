// The WireGuard mesh: who is a member, which address and keys each has, and the peer list
// of every member. Members with a public address peer directly with every other such
// member (one peer entry each way, across providers over public endpoints, inside one
// provider's region over the private network). A member without a public address peers
// only with the hub (the bastion), which forwards for it: the hub's peer entry on every
// other member carries the hub's own /32 plus the /32 of each member it routes, and no
// range is ever shared between two peers of one interface.
import { ClusterPlanError } from '../errors.ts';
import type { WireGuardSettings } from '../model.ts';
import { allocateAddresses } from './addresses.ts';
import { generateWireGuardKeyPair, isWireGuardKey, wireGuardPublicKey, type WireGuardKeyPair } from './keys.ts';
import type { VpnClient } from './clients.ts';

export interface MeshMemberInput {
  name: string;
  kind: 'bastion' | 'node';
  provider: string;
  region: string;
  /** Reachable from the internet. Members without are routed through the hub. */
  publicAddress: boolean;
}

/** What the last deployment recorded for a member: kept so that nothing is renumbered or re-keyed. */
export interface PreviousMeshMember {
  address: string;
  privateKey: string;
}

export interface MeshMember extends MeshMemberInput {
  address: string;
  keys: WireGuardKeyPair;
  /** True when the address and keys come from the previous deployment. */
  carriedOver: boolean;
}

/**
 * Where to send a peer's packets: one of the peer's own addresses, known only once its
 * machine exists, so the plan names it and the apply step resolves it.
 */
export interface EndpointRef {
  member: string;
  via: 'public' | 'private';
}

export interface MeshPeer {
  name: string;
  publicKey: string;
  allowedIps: string[];
  endpoint?: EndpointRef;
  persistentKeepalive?: number;
}

export interface MeshPlan {
  settings: WireGuardSettings;
  /** Prefix length of the mesh subnet, used for the interface address. */
  prefix: number;
  members: MeshMember[];
  /** Name of the member that forwards for members without a public address, if any. */
  hub?: string;
  peers: Record<string, MeshPeer[]>;
  /** VPN clients (laptops), carried as peers by every member. */
  clients: MeshClient[];
}

/** A VPN client as the mesh sees it: no private key, no endpoint (it roams; it starts the handshakes). */
export type MeshClient = Pick<VpnClient, 'name' | 'address' | 'publicKey' | 'routes'>;

/** The peer name of a client in members' configs. */
export const clientPeerName = (name: string): string => `vpn-client ${name}`;

export interface MeshPlanInput {
  settings: WireGuardSettings;
  members: readonly MeshMemberInput[];
  previous?: Readonly<Record<string, PreviousMeshMember>>;
  /** VPN clients recorded in the stack. */
  clients?: readonly MeshClient[];
  /** Addresses no member may take (held, or once held, by VPN clients). */
  reserved?: readonly string[];
  /** Injected in tests; defaults to fresh X25519 keys. */
  generateKeys?: () => WireGuardKeyPair;
}

const sameNetwork = (a: MeshMemberInput, b: MeshMemberInput): boolean => a.provider === b.provider && a.region === b.region;

export function planMesh(input: MeshPlanInput): MeshPlan {
  const { settings, previous = {} } = input;
  const generate = input.generateKeys ?? generateWireGuardKeyPair;
  const names = input.members.map((m) => m.name);
  const clients = [...(input.clients ?? [])];
  const reserved = [...new Set([...(input.reserved ?? []), ...clients.map((c) => c.address)])];
  const allocation = allocateAddresses(settings.subnetCidr, names, Object.fromEntries(Object.entries(previous).map(([n, p]) => [n, p.address])), reserved);
  const prefix = Number(settings.subnetCidr.split('/')[1]);

  const members: MeshMember[] = input.members.map((m) => {
    const old = previous[m.name];
    const address = allocation.addresses[m.name]!;
    if (old && isWireGuardKey(old.privateKey)) {
      return { ...m, address, keys: { privateKey: old.privateKey, publicKey: wireGuardPublicKey(old.privateKey) }, carriedOver: old.address === address };
    }
    return { ...m, address, keys: generate(), carriedOver: false };
  });

  const hubs = members.filter((m) => m.kind === 'bastion');
  const hub = hubs[0];
  const routed = members.filter((m) => !m.publicAddress);
  if (routed.length > 0) {
    if (!hub) {
      throw new ClusterPlanError(`node '${routed[0]!.name}' has no public address, so it can only reach the mesh through the bastion`, {
        hint: 'Enable security.bastion, or give the node pool a public address.',
      });
    }
    if (!hub.publicAddress) throw new ClusterPlanError(`the bastion '${hub.name}' must have a public address to route the mesh`);
  }
  const routedSet = new Set(routed.map((m) => m.name));
  const keepalive = settings.persistentKeepalive > 0 ? settings.persistentKeepalive : undefined;
  const host = (m: MeshMember): string => `${m.address}/32`;

  const peers: Record<string, MeshPeer[]> = {};
  for (const self of members) {
    const list: MeshPeer[] = [];
    if (routedSet.has(self.name)) {
      // Everything goes through the hub: its entry carries every other member's /32.
      const others = members.filter((m) => m.name !== self.name && m.name !== hub!.name);
      list.push({
        name: hub!.name,
        publicKey: hub!.keys.publicKey,
        allowedIps: [host(hub!), ...others.map(host), ...clients.map((c) => `${c.address}/32`)],
        endpoint: { member: hub!.name, via: sameNetwork(self, hub!) ? 'private' : 'public' },
        persistentKeepalive: keepalive,
      });
    } else {
      for (const other of members) {
        if (other.name === self.name) continue;
        if (routedSet.has(other.name)) {
          if (self.name !== hub!.name) continue; // reached through the hub's entry
          list.push({
            name: other.name,
            publicKey: other.keys.publicKey,
            allowedIps: [host(other)],
            // A member without a public address is reached where it can be: over the shared
            // private network, or else on the address its own handshakes come from.
            endpoint: sameNetwork(self, other) ? { member: other.name, via: 'private' } : undefined,
            persistentKeepalive: keepalive,
          });
          continue;
        }
        const allowedIps = [host(other)];
        if (hub && other.name === hub.name) allowedIps.push(...routed.map(host));
        list.push({
          name: other.name,
          publicKey: other.keys.publicKey,
          allowedIps,
          endpoint: { member: other.name, via: sameNetwork(self, other) ? 'private' : 'public' },
          persistentKeepalive: keepalive,
        });
      }
      // VPN clients roam behind NAT: no endpoint here, they start the handshakes (and keep them alive).
      for (const c of clients) list.push({ name: clientPeerName(c.name), publicKey: c.publicKey, allowedIps: [`${c.address}/32`] });
    }
    peers[self.name] = list;
  }
  return { settings, prefix, members, hub: routed.length > 0 ? hub!.name : undefined, peers, clients };
}

/** The part of a mesh plan worth recording in the stack to keep the next plan stable. */
export function meshRecord(plan: MeshPlan): Record<string, PreviousMeshMember> {
  return Object.fromEntries(plan.members.map((m) => [m.name, { address: m.address, privateKey: m.keys.privateKey }]));
}
