// digitalocean:index/firewall:Firewall {name, tags, inboundRules, outboundRules} → {id}. A cloud
// firewall applies to every droplet carrying one of its tags. It has no tags or description
// of its own to hold the URN tag, so its name ends with a short form of it (marks.ts).
import type { PropertyMap, PropertyValue } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { DoClient } from '../client.ts';
import { allPages, PER_PAGE } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { nameSuffix, withSuffix, withoutSuffix } from '../marks.ts';
import { list, optStr, str, strList } from '../../rest/inputs.ts';

type DoFirewall = components['schemas']['firewall'];
type DoFirewallRuleTargets = components['schemas']['firewall_rule_target'];
type Inbound = NonNullable<components['schemas']['firewall_rules']['inbound_rules']>[number];
type Outbound = NonNullable<components['schemas']['firewall_rules']['outbound_rules']>[number];
type DoFirewallRule = components['schemas']['firewall_rule_base'] & { sources?: DoFirewallRuleTargets; destinations?: DoFirewallRuleTargets };
type Protocol = DoFirewallRule['protocol'];

const where = (id: string) => ({ path: { firewall_id: id } });
const ALL_PORTS = new Set(['0', 'all', '1-65535']);

function protocolOf(rule: PropertyMap): Protocol {
  const p = str(rule, 'protocol');
  if (p !== 'tcp' && p !== 'udp' && p !== 'icmp') throw new Error(`firewall rule protocol '${p}' is not tcp, udp or icmp`);
  return p;
}

/** DigitalOcean wants `ports` on every rule: "0" means all ports (and is what ICMP rules carry). */
function portsOf(rule: PropertyMap): string {
  return optStr(rule, 'portRange') ?? '0';
}

function inbound(rule: PropertyMap): Inbound {
  return {
    protocol: protocolOf(rule),
    ports: portsOf(rule),
    sources: { addresses: strList(rule, 'sourceAddresses'), tags: strList(rule, 'sourceTags'), load_balancer_uids: strList(rule, 'sourceLoadBalancerUids') },
  };
}

function outbound(rule: PropertyMap): Outbound {
  return { protocol: protocolOf(rule), ports: portsOf(rule), destinations: { addresses: strList(rule, 'destinationAddresses') } };
}

const empty = (t: DoFirewallRuleTargets | undefined) =>
  !t || ((t.addresses ?? []).length === 0 && (t.tags ?? []).length === 0 && (t.load_balancer_uids ?? []).length === 0 && (t.droplet_ids ?? []).length === 0);

function bodyOf(inputs: PropertyMap, urnTag: string) {
  // A rule with no source or destination lets nothing through; the API refuses such rules,
  // so they are left out (the firewall behaves the same).
  return {
    name: withSuffix(str(inputs, 'name'), urnTag),
    tags: strList(inputs, 'tags'),
    inbound_rules: list(inputs, 'inboundRules').map(inbound).filter((r) => !empty(r.sources)),
    outbound_rules: list(inputs, 'outboundRules').map(outbound).filter((r) => !empty(r.destinations)),
  };
}

/** A rule set in one spelling: all-ports forms alike, no empty target lists. */
function canonical(name: string, tags: readonly string[] | null, rules: { inbound: DoFirewallRule[]; outbound: DoFirewallRule[] }): string {
  const targets = (t: DoFirewallRuleTargets | undefined) => ({ a: t?.addresses ?? [], t: t?.tags ?? [], l: t?.load_balancer_uids ?? [], d: t?.droplet_ids ?? [] });
  const rule = (r: DoFirewallRule) => ({ p: r.protocol, ports: r.protocol === 'icmp' || ALL_PORTS.has(r.ports) ? '0' : r.ports, s: targets(r.sources), d: targets(r.destinations) });
  return JSON.stringify({ name, tags: tags ?? [], i: rules.inbound.map(rule), o: rules.outbound.map(rule) });
}

/** The API's form back to the planner's; the stored inputs when they mean the same. */
function inputsOf(fw: DoFirewall, stored: PropertyMap, urnTag: string): PropertyMap {
  try {
    const want = bodyOf(stored, urnTag);
    if (canonical(want.name, want.tags, { inbound: want.inbound_rules, outbound: want.outbound_rules }) === canonical(fw.name ?? '', fw.tags ?? null, { inbound: fw.inbound_rules ?? [], outbound: fw.outbound_rules ?? [] })) return stored;
  } catch {
    /* stored inputs unusable: describe the firewall as the cloud has it */
  }
  const storedIn = (stored.inboundRules as PropertyMap[] | undefined) ?? [];
  const storedOut = (stored.outboundRules as PropertyMap[] | undefined) ?? [];
  const ports = (r: DoFirewallRule, before: PropertyMap | undefined): Record<string, PropertyValue> => {
    const was = before?.portRange as string | undefined;
    if (r.protocol === 'icmp' || (ALL_PORTS.has(r.ports) && was === undefined)) return {};
    return { portRange: was !== undefined && ALL_PORTS.has(was) && ALL_PORTS.has(r.ports) ? was : r.ports };
  };
  return {
    name: withoutSuffix(fw.name ?? ''),
    tags: fw.tags ?? [],
    inboundRules: (fw.inbound_rules ?? []).map((r, i) => ({
      protocol: r.protocol,
      ...ports(r, storedIn[i]),
      sourceAddresses: r.sources?.addresses ?? [],
      sourceTags: r.sources?.tags ?? [],
      sourceLoadBalancerUids: r.sources?.load_balancer_uids ?? [],
    })),
    outboundRules: (fw.outbound_rules ?? []).map((r, i) => ({ protocol: r.protocol, ...ports(r, storedOut[i]), destinationAddresses: r.destinations?.addresses ?? [] })),
  };
}

function outputsOf(fw: DoFirewall, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: fw.id ?? null, status: fw.status ?? null };
}

export const firewall: ResourceType<DoClient> = {
  computedOnUpdate: ['status'],
  async create(inputs, ctx) {
    const made = body(await ctx.client.api.POST('/v2/firewalls', { body: bodyOf(inputs, ctx.urnTag), signal: ctx.signal })).firewall!;
    return { id: made.id!, outputs: outputsOf(made, inputs) };
  },
  async read(id, state, ctx) {
    const found = (await orGone(ctx.client.api.GET('/v2/firewalls/{firewall_id}', { params: where(id), signal: ctx.signal }).then(body)))?.firewall;
    if (!found) return undefined;
    const inputs = inputsOf(found, state.inputs, ctx.urnTag);
    return { outputs: outputsOf(found, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    const updated = body(await ctx.client.api.PUT('/v2/firewalls/{firewall_id}', { params: where(id), body: bodyOf(news, ctx.urnTag), signal: ctx.signal })).firewall!;
    return { outputs: outputsOf(updated, news) };
  },
  async delete(id, _state, ctx) {
    await gone(ctx.client.api.DELETE('/v2/firewalls/{firewall_id}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const suffix = nameSuffix(ctx.urnTag);
    const all = await allPages(async (page) => {
      const r = body(await ctx.client.api.GET('/v2/firewalls', { params: { query: { page, per_page: PER_PAGE } }, signal: ctx.signal }));
      return { items: r.firewalls, total: r.meta.total };
    });
    const found = all.find((f) => f.name?.endsWith(suffix) && !ctx.knownIds.includes(f.id!));
    return found ? { id: found.id!, outputs: outputsOf(found, inputs) } : undefined;
  },
};
