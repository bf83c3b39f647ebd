// IPv4 addresses and networks as unsigned 32-bit integers: parsing (with the reason a text
// is not a network), size, overlap, containment and the usable host range. The one
// implementation for the config rules and for the planner (mesh addresses, AWS subnets,
// firewall sources); IPv6 is not needed here: the mesh, pod and service ranges are IPv4.
import { isIPv4 } from 'node:net';

export interface Cidr {
  /** Network address (host bits clear) as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
  /** Number of addresses in the block. */
  size: number;
  /** The text it was parsed from. */
  text: string;
}

/** `a.b.c.d` → integer; throws for anything that is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number {
  if (!isIPv4(text)) throw new Error(`'${text}' is not an IPv4 address`);
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; reason: string; suggestion?: string };

/** Parses `a.b.c.d/n`; host bits must be zero (`10.8.0.1/24` is a typo for `10.8.0.0/24`). */
export function parseCidr(text: string): CidrResult {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m) {
    if (text.includes(':')) return { ok: false, reason: 'IPv6 networks are not supported yet' };
    return { ok: false, reason: 'expected an IPv4 network such as 10.0.0.0/16' };
  }
  const [, address, prefixText] = m as unknown as [string, string, string];
  if (!isIPv4(address)) return { ok: false, reason: `'${address}' is not an IPv4 address` };
  const prefix = Number(prefixText);
  if (prefix > 32) return { ok: false, reason: `prefix length /${prefix} is larger than 32` };
  const addr = parseIpv4(address);
  const size = 2 ** (32 - prefix);
  const base = addr - (addr % size);
  if (base !== addr) {
    const suggestion = `${formatIpv4(base)}/${prefix}`;
    return { ok: false, reason: `host bits are set (the network is ${suggestion})`, suggestion };
  }
  return { ok: true, cidr: { base, prefix, size, text } };
}

/** Like `parseCidr`, for callers that treat a bad network as an error: throws naming the text and the reason. */
export function requireCidr(text: string): Cidr {
  const r = parseCidr(text.trim());
  if (!r.ok) throw new Error(`'${text}' is not a valid network: ${r.reason}`);
  return r.cidr;
}

export function formatCidr(c: Pick<Cidr, 'base' | 'prefix'>): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}

export function cidrSize(c: Pick<Cidr, 'prefix'>): number {
  return 2 ** (32 - c.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** Whether the network holds the address (dotted text or integer); text that is not IPv4 is never contained. */
export function contains(c: Cidr, address: string | number): boolean {
  let n: number;
  if (typeof address === 'number') n = address;
  else if (isIPv4(address)) n = parseIpv4(address);
  else return false;
  return n >= c.base && n < c.base + c.size;
}

/** The n-th address of a network (`10.43.0.0/16`, 10 → `10.43.0.10`). */
export function nthAddress(c: Cidr, n: number): string {
  return formatIpv4(c.base + n);
}

/**
 * First and last address a machine may take. From /30 up, the network and broadcast
 * addresses are left out; a /31 has both addresses usable and a /32 its single one (RFC
 * 3021; a WireGuard interface is point-to-point, with no broadcast to reserve).
 */
export function hostRange(c: Cidr): { first: number; last: number } {
  if (c.prefix >= 31) return { first: c.base, last: c.base + c.size - 1 };
  return { first: c.base + 1, last: c.base + c.size - 2 };
}

/** How many mesh members the network can address: the size of `hostRange` (/30: 2, /31: 2, /32: 1). */
export function meshCapacity(c: Cidr): number {
  const { first, last } = hostRange(c);
  return last - first + 1;
}

/** The longest prefix whose network holds `members` mesh addresses (the size to suggest when one is too small). */
export function prefixForMembers(members: number): number {
  for (let prefix = 32; prefix > 0; prefix--) {
    if (meshCapacity({ base: 0, prefix, size: 2 ** (32 - prefix), text: '' }) >= members) return prefix;
  }
  return 0;
}
