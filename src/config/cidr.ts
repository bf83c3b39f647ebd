// IPv4 networks: parsing, overlap and size, for the CIDR rules of the configuration.
import { isIPv4 } from 'node:net';

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
  text: string;
}

export function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; reason: string; suggestion?: string };

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
  const addr = ipv4ToInt(address);
  const base = (addr & mask(prefix)) >>> 0;
  if (base !== addr) {
    const suggestion = `${intToIpv4(base)}/${prefix}`;
    return { ok: false, reason: `host bits are set (the network is ${suggestion})`, suggestion };
  }
  return { ok: true, cidr: { base, prefix, text } };
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + cidrSize(a) - 1;
  const bEnd = b.base + cidrSize(b) - 1;
  return a.base <= bEnd && b.base <= aEnd;
}

export function contains(c: Cidr, address: string): boolean {
  if (!isIPv4(address)) return false;
  const n = ipv4ToInt(address);
  return n >= c.base && n < c.base + cidrSize(c);
}

/** The n-th address of a network (`10.43.0.0/16`, 10 → `10.43.0.10`). */
export function nthAddress(c: Cidr, n: number): string {
  return intToIpv4(c.base + n);
}

/**
 * Addresses a WireGuard mesh can hand out: all but the network and broadcast addresses
 * (a /31 or /32 holds none usable for a mesh).
 */
export function meshCapacity(c: Cidr): number {
  return Math.max(0, cidrSize(c) - 2);
}
