// IPv4 addresses and CIDR blocks as 32-bit integers: enough arithmetic for mesh address
// allocation and for checking that ranges do not overlap. IPv6 is not needed here: the
// mesh, pod and service ranges are IPv4.
import { isIPv4 } from 'node:net';

export interface Cidr {
  /** Network address (host bits cleared). */
  base: number;
  prefix: number;
  /** Number of addresses in the block. */
  size: number;
}

export function parseIpv4(text: string): number {
  if (!isIPv4(text)) throw new Error(`'${text}' is not an IPv4 address`);
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parses `a.b.c.d/n`; host bits must be zero (`10.8.0.1/24` is a typo for `10.8.0.0/24`). */
export function parseCidr(text: string): Cidr {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!match) throw new Error(`'${text}' is not an IPv4 CIDR block (expected a.b.c.d/n)`);
  const address = parseIpv4(match[1]!);
  const prefix = Number(match[2]);
  if (prefix > 32) throw new Error(`'${text}': prefix length must be 0-32`);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    const base = address - (address % size);
    throw new Error(`'${text}' has host bits set; the block is ${formatIpv4(base)}/${prefix}`);
  }
  return { base: address, prefix, size };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

export function cidrContains(cidr: Cidr, address: number): boolean {
  return address >= cidr.base && address < cidr.base + cidr.size;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** First and last assignable host address (network and broadcast excluded for /30 and larger). */
export function hostRange(cidr: Cidr): { first: number; last: number } {
  if (cidr.prefix >= 31) return { first: cidr.base, last: cidr.base + cidr.size - 1 };
  return { first: cidr.base + 1, last: cidr.base + cidr.size - 2 };
}
