// hcloud:index/firewall:Firewall {name, labels, applyTo:[{labelSelector}], rules:[{direction,
// protocol, port?, sourceIps, addresses, description}]} → {id}. A firewall applies to every
// server its label selectors match; it carries its URN tag as a label. `addresses` are single
// IPs of our own machines, written as /32 or /128. An inbound rule with no source lets nothing
// through and Hetzner refuses it: it is left out.
import { isIPv6 } from 'node:net';
import type { PropertyMap, PropertyValue } from '../../../state/types.ts';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { HetznerClient } from '../client.ts';
import { allPages, PER_PAGE } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { list, optStr, str, strList } from '../../rest/inputs.ts';
import { configLabels, labelsOf, sameLabels, urnSelector } from '../marks.ts';

type Ctx = CallContext<HetznerClient>;
type Firewall = components['schemas']['firewall'];
type Rule = components['schemas']['rule'];
type Target = components['schemas']['firewall_resource'];
const where = (id: string) => ({ path: { id: Number(id) } });

function protocolOf(r: PropertyMap): Rule['protocol'] {
  const p = str(r, 'protocol');
  if (p !== 'tcp' && p !== 'udp' && p !== 'icmp' && p !== 'esp' && p !== 'gre') throw new Error(`firewall rule protocol '${p}' is not tcp, udp, icmp, esp or gre`);
  return p;
}

function ruleOf(r: PropertyMap): Rule {
  const direction = str(r, 'direction');
  if (direction !== 'in') throw new Error(`firewall rule direction '${direction}' is not in`);
  const port = optStr(r, 'port');
  const description = optStr(r, 'description');
  return {
    direction,
    protocol: protocolOf(r),
    ...(port ? { port } : {}),
    source_ips: [...strList(r, 'sourceIps'), ...strList(r, 'addresses').map((a) => (isIPv6(a) ? `${a}/128` : `${a}/32`))],
    ...(description ? { description: description.slice(0, 255) } : {}),
  };
}

const rulesOf = (inputs: PropertyMap): Rule[] => list(inputs, 'rules').map(ruleOf).filter((r) => (r.source_ips ?? []).length > 0);
const targetsOf = (inputs: PropertyMap): Target[] => list(inputs, 'applyTo').map((t) => ({ type: 'label_selector', label_selector: { selector: str(t, 'labelSelector') } }));

function canonical(rules: readonly Rule[]): string {
  return JSON.stringify(rules.map((r) => ({ d: r.direction, p: r.protocol, port: r.port ?? null, s: [...(r.source_ips ?? [])].sort(), desc: r.description ?? null })));
}

const selectors = (fw: Firewall) => fw.applied_to.filter((t) => t.type === 'label_selector').map((t) => t.label_selector!.selector);

function inputsOf(fw: Firewall, stored: PropertyMap): PropertyMap {
  const labels = configLabels(fw.labels);
  let sameRules = false;
  try {
    sameRules = canonical(rulesOf(stored)) === canonical(fw.rules);
  } catch {
    /* stored inputs unusable: describe the firewall as the cloud has it */
  }
  const storedSelectors = list(stored, 'applyTo').map((t) => t.labelSelector);
  const now = selectors(fw);
  return {
    ...stored,
    name: fw.name,
    labels: sameLabels(labels, stored.labels) ? stored.labels! : labels,
    applyTo: now.length === storedSelectors.length && now.every((s) => storedSelectors.includes(s)) ? stored.applyTo! : now.map((s) => ({ labelSelector: s })),
    ...(sameRules ? {} : { rules: fw.rules.filter((r) => r.direction === 'in').map((r): PropertyValue => ({ direction: r.direction, protocol: r.protocol, ...(r.port ? { port: r.port } : {}), sourceIps: r.source_ips, addresses: [], description: r.description ?? null })) }),
  };
}

async function get(id: string, ctx: Ctx): Promise<Firewall | undefined> {
  return (await orGone(ctx.client.api.GET('/firewalls/{id}', { params: where(id), signal: ctx.signal }).then(body)))?.firewall;
}

export const firewall: ResourceType<HetznerClient> = {
  async create(inputs, ctx) {
    const name = str(inputs, 'name');
    const r = body(await ctx.client.api.POST('/firewalls', { body: { name, labels: labelsOf(inputs, ctx.urnTag), rules: rulesOf(inputs), apply_to: targetsOf(inputs) }, signal: ctx.signal }));
    await ctx.client.wait(r.actions ?? [], `firewall ${name}`, ctx.signal);
    return { id: String(r.firewall!.id), outputs: { ...inputs, id: String(r.firewall!.id) } };
  },
  async read(id, state, ctx) {
    const fw = await get(id, ctx);
    if (!fw) return undefined;
    const inputs = inputsOf(fw, state.inputs);
    return { outputs: { ...inputs, id }, inputs };
  },
  async update(id, _olds, news, ctx) {
    const name = str(news, 'name');
    await ctx.client.api.PUT('/firewalls/{id}', { params: where(id), body: { name, labels: labelsOf(news, ctx.urnTag) }, signal: ctx.signal });
    await ctx.client.wait(body(await ctx.client.api.POST('/firewalls/{id}/actions/set_rules', { params: where(id), body: { rules: rulesOf(news) }, signal: ctx.signal })).actions, `firewall ${name} (rules)`, ctx.signal);
    const fw = (await get(id, ctx))!;
    const want = targetsOf(news).map((t) => t.label_selector!.selector);
    const now = selectors(fw);
    const add = want.filter((s) => !now.includes(s)).map((selector): Target => ({ type: 'label_selector', label_selector: { selector } }));
    const remove = now.filter((s) => !want.includes(s)).map((selector): Target => ({ type: 'label_selector', label_selector: { selector } }));
    if (add.length) await ctx.client.wait(body(await ctx.client.api.POST('/firewalls/{id}/actions/apply_to_resources', { params: where(id), body: { apply_to: add }, signal: ctx.signal })).actions, `firewall ${name} (apply)`, ctx.signal);
    if (remove.length) await ctx.client.wait(body(await ctx.client.api.POST('/firewalls/{id}/actions/remove_from_resources', { params: where(id), body: { remove_from: remove }, signal: ctx.signal })).actions, `firewall ${name} (remove)`, ctx.signal);
    return { outputs: { ...news, id } };
  },
  async delete(id, _state, ctx) {
    const fw = await get(id, ctx);
    if (!fw) return;
    // A firewall still applied to something cannot be deleted: take it off first.
    if (fw.applied_to.length) {
      const r = await orGone(ctx.client.api.POST('/firewalls/{id}/actions/remove_from_resources', { params: where(id), body: { remove_from: fw.applied_to.map((t): Target => (t.type === 'server' ? { type: 'server', server: t.server } : { type: 'label_selector', label_selector: t.label_selector })) }, signal: ctx.signal }).then(body));
      if (r) await ctx.client.wait(r.actions, `firewall ${id} (remove)`, ctx.signal);
    }
    await gone(ctx.client.api.DELETE('/firewalls/{id}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const all = await allPages(async (page) => {
      const r = body(await ctx.client.api.GET('/firewalls', { params: { query: { label_selector: urnSelector(ctx.urnTag), page, per_page: PER_PAGE } }, signal: ctx.signal }));
      return { items: r.firewalls, next: r.meta.pagination.next_page };
    });
    const found = all.find((f) => !ctx.knownIds.includes(String(f.id)));
    return found ? { id: String(found.id), outputs: { ...inputs, id: String(found.id) } } : undefined;
  },
};
