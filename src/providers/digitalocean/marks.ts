// How an object we create carries its URN tag, so that `adopt` finds what an interrupted
// create left behind (DigitalOcean has no idempotency key). Droplets take tags; VPCs a
// description; firewalls and load balancers have neither, so their name ends with a short
// form of the tag; SSH keys are unique by fingerprint and named with the tag.

/** The DigitalOcean tag a droplet carries (tag names allow letters, digits, `:`, `-`, `_`). */
export const urnTagName = (urnTag: string): string => `sloth-urn:${urnTag}`;

export const isUrnTagName = (tag: string): boolean => tag.startsWith('sloth-urn:');

/** The VPC description (at most 255 characters). */
export const urnDescription = (urnTag: string): string => `managed by sloth-kubernetes (urn ${urnTag})`;

/** Suffix of firewall and load balancer names: 16 hex characters of the URN tag. */
export const nameSuffix = (urnTag: string): string => `-${urnTag.slice(0, 16)}`;

export const withSuffix = (name: string, urnTag: string): string => `${name}${nameSuffix(urnTag)}`;

/** The name as the config gave it, without our suffix (names not carrying it are returned as they are). */
export function withoutSuffix(name: string): string {
  return name.replace(/-[0-9a-f]{16}$/, '');
}

/** SSH key names carry the tag in brackets. */
export const keyName = (name: string, urnTag: string): string => `${name} [${urnTagName(urnTag)}]`;

export function keyNameBase(name: string): string {
  return name.replace(/ \[sloth-urn:[0-9a-f]+\]$/, '');
}

