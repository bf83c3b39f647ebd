// Firewall groups: machines of one cloud with the same public rules (the bastion, or the
// nodes with the same roles) share one firewall object.
import type { MachinePlan } from '../plan.ts';
import type { CloudContext } from './types.ts';

export function firewallGroupOf(m: MachinePlan): string {
  return m.kind === 'bastion' ? 'bastion' : [...m.node!.roles].sort().join('-');
}

export function firewallGroupNames(ctx: CloudContext): string[] {
  const names = new Set<string>();
  if (ctx.model.bastion?.provider === ctx.cloud) names.add('bastion');
  for (const n of ctx.model.nodes) if (n.provider === ctx.cloud) names.add([...n.roles].sort().join('-'));
  return [...names].sort();
}

/** Logical name of a group's firewall object. */
export function firewallName(ctx: CloudContext, group: string): string {
  return `${ctx.model.firewallName ?? `${ctx.model.name}-fw`}-${ctx.cloud}-${group}`;
}

/** A resource declared once per cloud (an image lookup, a tag), reused by every machine. */
export function once<T>(ctx: CloudContext, key: string, make: () => T): T {
  if (!ctx.cache.has(key)) ctx.cache.set(key, make());
  return ctx.cache.get(key) as T;
}

/** Where a machine is declared in the config (its resources' `sourcePosition`). */
export function machineSource(m: Pick<MachinePlan, 'node'>): string {
  return m.node ? (m.node.configPath ?? `node-pools.${m.node.pool}`) : 'security.bastion';
}
