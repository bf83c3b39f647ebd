// How an object we create carries its URN tag, so that `adopt` finds what an interrupted
// create left behind (Linode has no idempotency key): instances, firewalls and NodeBalancers
// take tags; VPCs a description; SSH keys a label suffix. NodeBalancer configs, nodes, VPC
// subnets and DNS records are unique by what they are (a port in a balancer, an address in a
// config, a range in a VPC, type + name + target in a zone), so adopt finds them by that.
import { createHash } from 'node:crypto';

/** Linode tags are 3 to 50 characters: `sloth-urn:` and the 32 hex characters of the tag. */
export const urnTagName = (urnTag: string): string => `sloth-urn:${urnTag}`;
export const isUrnTagName = (tag: string): boolean => tag.startsWith('sloth-urn:');

/** The VPC description (at most 255 characters). */
export const urnDescription = (urnTag: string): string => `managed by sloth-kubernetes (urn ${urnTag})`;

/**
 * A label as Linode allows them (a letter first, then letters, digits, `-`, `_`, `.`, never
 * two of those in a row; at least 3 characters): labels that fit are kept, longer ones are cut
 * and end with 8 hex characters of the whole label, so two long labels stay distinct.
 */
export function fitLabel(label: string, max: number): string {
  let clean = label.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/([-_.])[-_.]+/g, '$1');
  if (!/^[A-Za-z]/.test(clean)) clean = `s-${clean}`;
  if (clean.length < 3) clean = `${clean}-${'x'.repeat(3 - clean.length)}`.slice(0, 3);
  if (clean.length <= max) return clean;
  const hash = createHash('sha256').update(clean).digest('hex').slice(0, 8);
  return `${clean.slice(0, max - 9).replace(/[-_.]+$/, '')}-${hash}`;
}

/** SSH key labels (64 characters at most) end with 16 hex characters of the URN tag. */
export const keyLabel = (label: string, urnTag: string): string => `${fitLabel(label, 64 - 17)}-${urnTag.slice(0, 16)}`;
export const isOurKey = (label: string | undefined, urnTag: string): boolean => (label ?? '').endsWith(`-${urnTag.slice(0, 16)}`);
