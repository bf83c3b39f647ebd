// Mesh address allocation from `subnet-cidr`. An address, once given to a member, stays
// with it for as long as the member exists and the subnet still contains it: scaling a
// pool, adding a provider or removing another node never renumbers anyone. New members get
// the lowest free address, skipping those released in this same plan so that a node being
// removed and one being added never briefly share an address in peers' configs.
import { ClusterPlanError } from '../errors.ts';
import { cidrContains, formatIpv4, hostRange, parseIpv4, requireCidr } from '../../config/index.ts';

export interface AllocationResult {
  /** Member name → IPv4 address (no prefix). */
  addresses: Record<string, string>;
  /** Members whose previous address was kept. */
  kept: string[];
  /** Members that got a new address (new members, or ones whose address left the subnet). */
  assigned: string[];
}

/**
 * @param subnetCidr the mesh block, e.g. `10.8.0.0/24`
 * @param members member names in a stable order (allocation order for new members)
 * @param previous the allocation recorded in the stack by the last deployment
 * @param reserved addresses no member may take (those VPN clients hold or held)
 */
export function allocateAddresses(
  subnetCidr: string,
  members: readonly string[],
  previous: Readonly<Record<string, string>> = {},
  reserved: readonly string[] = [],
): AllocationResult {
  let subnet;
  try {
    subnet = requireCidr(subnetCidr);
  } catch (err) {
    throw new ClusterPlanError(`network.wireguard.subnet-cidr: ${(err as Error).message}`, {
      hint: 'Use a private IPv4 block such as "10.8.0.0/24".',
    });
  }
  const { first, last } = hostRange(subnet);
  const blocked = new Set<number>();
  for (const a of reserved) {
    try {
      const v = parseIpv4(a);
      if (v >= first && v <= last && cidrContains(subnet, v)) blocked.add(v);
    } catch {
      // an unreadable address reserves nothing
    }
  }
  const capacity = last - first + 1 - blocked.size;
  if (members.length > capacity) {
    throw new ClusterPlanError(
      `network.wireguard.subnet-cidr ${subnetCidr} has ${capacity} usable addresses${blocked.size > 0 ? ` (besides ${blocked.size} held by VPN clients)` : ''} but the mesh needs ${members.length}`,
      { hint: 'Choose a larger subnet-cidr (a /24 holds 254 members, a /22 holds 1022).' },
    );
  }
  if (new Set(members).size !== members.length) {
    const dup = members.find((m, i) => members.indexOf(m) !== i);
    throw new ClusterPlanError(`two mesh members are both named '${dup}'`);
  }

  const addresses: Record<string, string> = {};
  const taken = new Set<number>();
  const kept: string[] = [];
  for (const name of members) {
    const old = previous[name];
    if (old === undefined) continue;
    let value: number;
    try {
      value = parseIpv4(old);
    } catch {
      continue;
    }
    if (value < first || value > last || !cidrContains(subnet, value) || taken.has(value) || blocked.has(value)) continue;
    taken.add(value);
    addresses[name] = old;
    kept.push(name);
  }

  // Addresses of members that are leaving: avoided while there is room elsewhere.
  const memberSet = new Set(members);
  const released = new Set<number>();
  for (const [name, old] of Object.entries(previous)) {
    if (memberSet.has(name)) continue;
    try {
      released.add(parseIpv4(old));
    } catch {
      // an unreadable old address frees nothing
    }
  }
  const roomWithoutReleased = capacity - taken.size - [...released].filter((v) => v >= first && v <= last && !taken.has(v) && !blocked.has(v)).length;
  const newcomers = members.filter((m) => addresses[m] === undefined);
  const avoidReleased = newcomers.length <= roomWithoutReleased;

  const assigned: string[] = [];
  let cursor = first;
  for (const name of newcomers) {
    while (taken.has(cursor) || blocked.has(cursor) || (avoidReleased && released.has(cursor))) cursor++;
    taken.add(cursor);
    addresses[name] = formatIpv4(cursor);
    assigned.push(name);
  }
  return { addresses, kept, assigned };
}
