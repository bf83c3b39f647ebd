// linode:index/firewall:Firewall {label, inboundPolicy, outboundPolicy, inbounds:[{label,
// action, protocol, ports?, ipv4s, ipv6s, addresses}], linodes, tags} → {id}. A Cloud Firewall
// applies to the instances attached to it (its devices); it carries its URN tag among its
// tags. `addresses` are single IPs of our own machines, written as /32 or /128. A rule with
// no address lets nothing through and Linode refuses it: it is left out.
import { isIPv6 } from 'node:net';
import type { PropertyMap, PropertyValue } from '../../../state/types.ts';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { LinodeClient } from '../client.ts';
import { allPages, PAGE_SIZE } from '../client.ts';
import type { paths } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { list, optStr, str, strList } from '../../rest/inputs.ts';
import { fitLabel, isUrnTagName, urnTagName } from '../marks.ts';

type Ctx = CallContext<LinodeClient>;
type Rules = NonNullable<paths['/v4/networking/firewalls/{firewallId}/rules']['put']['requestBody']>['content']['application/json'];
type Rule = NonNullable<Rules['inbound']>[number];
type Policy = NonNullable<Rules['inbound_policy']>;
type Protocol = NonNullable<Rule['protocol']>;

const where = (id: string) => ({ path: { firewallId: Number(id) } });
const firewallLabel = (label: string) => fitLabel(label.replace(/\./g, '-'), 32);

function policy(inputs: PropertyMap, key: string): Policy {
  const p = str(inputs, key);
  if (p !== 'ACCEPT' && p !== 'DROP') throw new Error(`input '${key}' must be ACCEPT or DROP`);
  return p;
}

function protocolOf(rule: PropertyMap): Protocol {
  const p = str(rule, 'protocol').toUpperCase();
  if (p !== 'TCP' && p !== 'UDP' && p !== 'ICMP') throw new Error(`firewall rule protocol '${p}' is not TCP, UDP or ICMP`);
  return p;
}

function ruleOf(r: PropertyMap): Rule {
  const single = strList(r, 'addresses');
  const ipv4 = [...strList(r, 'ipv4s'), ...single.filter((a) => !isIPv6(a)).map((a) => `${a}/32`)];
  const ipv6 = [...strList(r, 'ipv6s'), ...single.filter((a) => isIPv6(a)).map((a) => `${a}/128`)];
  const ports = optStr(r, 'ports');
  return {
    label: fitLabel(str(r, 'label').replace(/\./g, '-'), 32),
    action: policy(r, 'action'),
    protocol: protocolOf(r),
    ...(ports ? { ports } : {}),
    addresses: { ...(ipv4.length ? { ipv4 } : {}), ...(ipv6.length ? { ipv6 } : {}) },
  };
}

function rulesOf(inputs: PropertyMap): Rules {
  return {
    inbound_policy: policy(inputs, 'inboundPolicy'),
    outbound_policy: policy(inputs, 'outboundPolicy'),
    inbound: list(inputs, 'inbounds').map(ruleOf).filter((r) => (r.addresses?.ipv4 ?? []).length + (r.addresses?.ipv6 ?? []).length > 0),
    outbound: [],
  };
}

/** Rules in one spelling (the API may leave out empty lists or sort addresses). */
function canonical(rules: Rules): string {
  const rule = (r: Rule) => ({ l: r.label, a: r.action, p: r.protocol, ports: r.ports ?? '', v4: [...(r.addresses?.ipv4 ?? [])].sort(), v6: [...(r.addresses?.ipv6 ?? [])].sort() });
  return JSON.stringify({ i: rules.inbound_policy, o: rules.outbound_policy, in: (rules.inbound ?? []).map(rule), out: (rules.outbound ?? []).map(rule) });
}

async function devices(id: string, ctx: Ctx) {
  return allPages((page) => ctx.client.api.GET('/v4/networking/firewalls/{firewallId}/devices', { params: { ...where(id), query: { page, page_size: PAGE_SIZE } }, signal: ctx.signal }).then(body));
}

/** Attaches the instances the inputs name and detaches the others. */
async function syncDevices(id: string, linodes: number[], ctx: Ctx): Promise<void> {
  const now = (await devices(id, ctx)).filter((d) => d.entity?.type === 'linode');
  for (const l of linodes) {
    if (!now.some((d) => d.entity?.id === l)) await ctx.client.api.POST('/v4/networking/firewalls/{firewallId}/devices', { params: where(id), body: { id: l, type: 'linode' }, signal: ctx.signal });
  }
  for (const d of now) {
    if (!linodes.includes(d.entity!.id!)) await gone(ctx.client.api.DELETE('/v4/networking/firewalls/{firewallId}/devices/{deviceId}', { params: { path: { firewallId: Number(id), deviceId: d.id! } }, signal: ctx.signal }));
  }
}

const linodesOf = (inputs: PropertyMap) => strList(inputs, 'linodes').map(Number);
const tagsOf = (inputs: PropertyMap, urnTag: string) => [...strList(inputs, 'tags'), urnTagName(urnTag)];

export const firewall: ResourceType<LinodeClient> = {
  async create(inputs, ctx) {
    const made = body(
      await ctx.client.api.POST('/v4/networking/firewalls', {
        body: { label: firewallLabel(str(inputs, 'label')), rules: rulesOf(inputs), devices: { linodes: linodesOf(inputs) }, tags: tagsOf(inputs, ctx.urnTag) },
        signal: ctx.signal,
      }),
    );
    return { id: String(made.id), outputs: { ...inputs, id: String(made.id), status: made.status ?? null } };
  },

  async read(id, state, ctx) {
    const fw = await orGone(ctx.client.api.GET('/v4/networking/firewalls/{firewallId}', { params: where(id), signal: ctx.signal }).then(body));
    if (!fw) return undefined;
    const attached = (await devices(id, ctx)).filter((d) => d.entity?.type === 'linode').map((d) => String(d.entity!.id));
    const stored = state.inputs;
    const tags = (fw.tags ?? []).filter((t) => !isUrnTagName(t));
    let sameRules = false;
    try {
      sameRules = canonical(rulesOf(stored)) === canonical(fw.rules ?? {});
    } catch {
      /* stored inputs unusable: describe the firewall as the cloud has it */
    }
    const storedIn = (stored.inbounds as PropertyMap[] | undefined) ?? [];
    const inputs: PropertyMap = {
      ...stored,
      label: fw.label === firewallLabel(String(stored.label ?? '')) ? stored.label! : (fw.label ?? null),
      tags: tags.length === strList(stored, 'tags').length && tags.every((t) => strList(stored, 'tags').includes(t)) ? stored.tags! : tags,
      linodes: attached.length === strList(stored, 'linodes').length && attached.every((l) => strList(stored, 'linodes').includes(l)) ? stored.linodes! : attached,
      ...(sameRules
        ? {}
        : {
            inboundPolicy: fw.rules?.inbound_policy ?? null,
            outboundPolicy: fw.rules?.outbound_policy ?? null,
            inbounds: (fw.rules?.inbound ?? []).map((r, i): PropertyValue => ({
              label: storedIn[i]?.label ?? r.label ?? null,
              action: r.action ?? null,
              protocol: r.protocol ?? null,
              ...(r.ports ? { ports: r.ports } : {}),
              ipv4s: r.addresses?.ipv4 ?? [],
              ipv6s: r.addresses?.ipv6 ?? [],
              addresses: [],
            })),
          }),
    };
    return { outputs: { ...inputs, id, status: fw.status ?? null }, inputs };
  },

  async update(id, _olds, news, ctx) {
    await ctx.client.api.PUT('/v4/networking/firewalls/{firewallId}/rules', { params: where(id), body: rulesOf(news), signal: ctx.signal });
    const fw = body(await ctx.client.api.PUT('/v4/networking/firewalls/{firewallId}', { params: where(id), body: { label: firewallLabel(str(news, 'label')), tags: tagsOf(news, ctx.urnTag) }, signal: ctx.signal }));
    await syncDevices(id, linodesOf(news), ctx);
    return { outputs: { ...news, id, status: fw.status ?? null } };
  },

  async delete(id, _state, ctx) {
    await gone(ctx.client.api.DELETE('/v4/networking/firewalls/{firewallId}', { params: where(id), signal: ctx.signal }));
  },

  async adopt(inputs, ctx) {
    const tag = urnTagName(ctx.urnTag);
    const all = await allPages((page) => ctx.client.api.GET('/v4/networking/firewalls', { params: { query: { page, page_size: PAGE_SIZE } }, signal: ctx.signal }).then(body));
    const found = all.find((f) => (f.tags ?? []).includes(tag) && !ctx.knownIds.includes(String(f.id)));
    return found ? { id: String(found.id), outputs: { ...inputs, id: String(found.id), status: found.status ?? null } } : undefined;
  },
};
