// VPN clients: operators' machines (laptops) that join the mesh with `vpn join`. They are not
// machines of the cluster: each has a name, a mesh address, a key pair made on the operator's
// machine and kept in the stack (root output `vpnPeers`, a secret), and whether it routes the
// pod and service networks. Every mesh member carries every client as a peer (a member
// without a public address reaches them through the hub's entry). A client's address is
// taken from the top of the mesh subnet, downwards, away from the machines (which are numbered
// from the bottom), and is never handed out again once used — not to another client, not to a
// machine — so a stale config can never speak for someone else.
import { ClusterPlanError } from '../errors.ts';
import { cidrContains, formatIpv4, hostRange, parseIpv4, requireCidr } from '../../config/index.ts';
import { isWireGuardKey, wireGuardPublicKey } from './keys.ts';

/** The root stack output that records the clients. */
export const VPN_OUTPUT = 'vpnPeers';

export interface VpnClient {
  name: string;
  address: string;
  publicKey: string;
  /** Secret: only in the stack (encrypted) and in the client's own 0600 config file. */
  privateKey: string;
  /** Pod and service networks are routed to this client through the gateway node. */
  routes: boolean;
  joinedAt: string;
  joinedBy: string;
}

export interface RetiredVpnClient {
  name: string;
  address: string;
  leftAt: string;
  leftBy: string;
}

export interface VpnRecord {
  clients: VpnClient[];
  /** Clients that left: their addresses stay reserved for ever. */
  retired: RetiredVpnClient[];
}

/** A client name is also its WireGuard interface name on the laptop (wg-quick: at most 15 characters). */
export const CLIENT_NAME = /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

export const emptyVpnRecord = (): VpnRecord => ({ clients: [], retired: [] });

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Reads the recorded value (as revealed from the stack); entries that cannot be used are left out. */
export function readVpnRecord(value: unknown): VpnRecord {
  const record = emptyVpnRecord();
  if (!value || typeof value !== 'object' || Array.isArray(value)) return record;
  const v = value as Record<string, unknown>;
  for (const c of Array.isArray(v['clients']) ? v['clients'] : []) {
    const o = (c ?? {}) as Record<string, unknown>;
    const [name, address, privateKey] = [str(o['name']), str(o['address']), str(o['privateKey'])];
    if (!name || !address || !privateKey || !isWireGuardKey(privateKey)) continue;
    record.clients.push({ name, address, privateKey, publicKey: wireGuardPublicKey(privateKey), routes: o['routes'] === true, joinedAt: str(o['joinedAt']) ?? '', joinedBy: str(o['joinedBy']) ?? '' });
  }
  for (const r of Array.isArray(v['retired']) ? v['retired'] : []) {
    const o = (r ?? {}) as Record<string, unknown>;
    const address = str(o['address']);
    if (address) record.retired.push({ name: str(o['name']) ?? '', address, leftAt: str(o['leftAt']) ?? '', leftBy: str(o['leftBy']) ?? '' });
  }
  return record;
}

/** The plain value stored (the caller stores it as a secret). */
export function vpnRecordValue(record: VpnRecord): Record<string, unknown> {
  return {
    clients: record.clients.map((c) => ({ name: c.name, address: c.address, publicKey: c.publicKey, privateKey: c.privateKey, routes: c.routes, joinedAt: c.joinedAt, joinedBy: c.joinedBy })),
    retired: record.retired.map((r) => ({ ...r })),
  };
}

/** Every address a client ever held: never given to anyone else. */
export function reservedClientAddresses(record: VpnRecord): string[] {
  return [...record.clients.map((c) => c.address), ...record.retired.map((r) => r.address)];
}

/**
 * The address for a new client: the highest host address of the subnet that no machine holds
 * and no client ever held.
 */
export function allocateClientAddress(subnetCidr: string, machines: readonly string[], record: VpnRecord): string {
  const subnet = requireCidr(subnetCidr);
  const { first, last } = hostRange(subnet);
  const taken = new Set<number>();
  for (const a of [...machines, ...reservedClientAddresses(record)]) {
    try {
      const v = parseIpv4(a);
      if (cidrContains(subnet, v)) taken.add(v);
    } catch {
      // an unreadable address reserves nothing
    }
  }
  for (let v = last; v >= first; v--) if (!taken.has(v)) return formatIpv4(v);
  throw new ClusterPlanError(`the mesh subnet ${subnetCidr} has no address left for another VPN client (${taken.size} are held by machines or were held by clients)`, {
    hint: 'Addresses of clients that left stay reserved; choose a larger network.wireguard subnet-cidr.',
  });
}
