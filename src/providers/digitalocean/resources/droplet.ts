// digitalocean:index/droplet:Droplet {name, region, size, image, vpcUuid, sshKeys, userData,
// tags, ipv6, monitoring} → {id, ipv4Address, ipv4AddressPrivate, status}. The droplet also
// carries its URN tag (`sloth-urn:<tag>`), by which adopt finds it. Create waits for the
// create action, so the addresses are known; a name change is a rename action, a size change
// powers the droplet off, resizes it (disk included) and powers it on again, and tag changes
// tag and untag it. Everything else (region, image, VPC, keys, user data, IPv6, monitoring)
// can only be set when the droplet is made, so changing it replaces the droplet.
import type { PropertyMap } from '../../../state/types.ts';
import type { CallContext, CreateResult, ResourceType } from '../../../engine/index.ts';
import type { DoClient } from '../client.ts';
import { allPages, PER_PAGE } from '../client.ts';
import type { components, paths } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { DoActionError } from '../errors.ts';
import { isUrnTagName, urnTagName } from '../marks.ts';
import { bool, optStr, str, strList } from '../../rest/inputs.ts';

type Ctx = CallContext<DoClient>;
type DoDroplet = components['schemas']['droplet'];
type DropletAction = NonNullable<paths['/v2/droplets/{droplet_id}/actions']['post']['requestBody']>['content']['application/json'];
const where = (id: string | number) => ({ path: { droplet_id: Number(id) } });

function imageOf(value: string): string | number {
  return /^\d+$/.test(value) ? Number(value) : value;
}

/**
 * The image as an input: the form the config used when it names the same image. A droplet
 * reports its image's id and slug; a public image that has since been retired has no slug
 * any more, which is no reason to think the droplet changed.
 */
function imageInput(d: DoDroplet, stored: unknown): string {
  if (stored === String(d.image.id)) return stored;
  if (typeof stored === 'string' && (d.image.slug === stored || (!d.image.slug && !/^\d+$/.test(stored)))) return stored;
  return d.image.slug ?? String(d.image.id);
}

function address(d: DoDroplet, type: 'public' | 'private'): string | null {
  return d.networks.v4?.find((n) => n.type === type)?.ip_address ?? null;
}

/** Outputs: the inputs as given (the API does not echo user data or keys) and what the cloud assigned. */
function outputsOf(d: DoDroplet, inputs: PropertyMap): PropertyMap {
  return {
    ...inputs,
    id: String(d.id),
    name: d.name,
    size: d.size_slug,
    tags: d.tags.filter((t) => !isUrnTagName(t)),
    ipv6: d.features.includes('ipv6'),
    monitoring: d.features.includes('monitoring'),
    status: d.status,
    ipv4Address: address(d, 'public'),
    ipv4AddressPrivate: address(d, 'private'),
  };
}

function sameSet(a: string[], b: unknown): boolean {
  return Array.isArray(b) && a.length === b.length && a.every((x) => b.includes(x));
}

async function get(id: string | number, ctx: Ctx): Promise<DoDroplet | undefined> {
  return (await orGone(ctx.client.api.GET('/v2/droplets/{droplet_id}', { params: where(id), signal: ctx.signal }).then(body)))?.droplet;
}

/** Waits until the droplet is made: past `new` (it may be off already, if someone powered it off). */
async function untilCreated(id: number, ctx: Ctx): Promise<DoDroplet> {
  return ctx.client.poll(async () => {
    const d = await get(id, ctx);
    if (!d) throw new Error(`droplet ${id} disappeared while it was being created`);
    return d.status === 'new' ? undefined : d;
  }, ctx.signal);
}

/** Waits until the droplet is running again (after a resize). */
async function untilActive(id: number, ctx: Ctx): Promise<DoDroplet> {
  return ctx.client.poll(async () => {
    const d = await get(id, ctx);
    if (!d) throw new Error(`droplet ${id} disappeared while it was being created`);
    return d.status === 'active' ? d : undefined;
  }, ctx.signal);
}

async function act(id: string, request: DropletAction, ctx: Ctx): Promise<void> {
  const { action } = body(await ctx.client.api.POST('/v2/droplets/{droplet_id}/actions', { params: where(id), body: request, signal: ctx.signal }));
  await ctx.client.waitForAction(action!.id!, `droplet ${id} (${request.type})`, ctx.signal);
}

async function retag(id: string, tag: string, method: 'POST' | 'DELETE', ctx: Ctx): Promise<void> {
  const request = { params: { path: { tag_id: tag } }, body: { resources: [{ resource_id: id, resource_type: 'droplet' as const }] }, signal: ctx.signal };
  await (method === 'POST' ? ctx.client.api.POST('/v2/tags/{tag_id}/resources', request) : ctx.client.api.DELETE('/v2/tags/{tag_id}/resources', request));
}

/** Deletes a droplet and waits until it is gone; then its URN tag, unless another droplet carries it. */
async function destroy(id: string, ctx: Ctx): Promise<void> {
  await gone(ctx.client.api.DELETE('/v2/droplets/{droplet_id}', { params: where(id), signal: ctx.signal }));
  // The API removes the droplet shortly after answering; the VPC and tags it used can go
  // only once it has.
  await ctx.client.poll(async () => ((await get(id, ctx)) ? undefined : true), ctx.signal);
  // The URN tag was made with the droplet; drop it unless another droplet (the new half of
  // a replacement) carries it.
  const tag = { params: { path: { tag_id: urnTagName(ctx.urnTag) } }, signal: ctx.signal };
  const t = (await orGone(ctx.client.api.GET('/v2/tags/{tag_id}', tag).then(body)))?.tag;
  if (t && (t.resources?.count ?? 0) === 0) await gone(ctx.client.api.DELETE('/v2/tags/{tag_id}', tag));
}

export const droplet: ResourceType<DoClient> = {
  forceNew: ['region', 'image', 'vpcUuid', 'userData', 'sshKeys', 'ipv6', 'monitoring'],
  computedOnUpdate: ['status'],
  timeouts: { create: 600, update: 900, delete: 300 },

  async create(inputs, ctx): Promise<CreateResult> {
    const vpcUuid = optStr(inputs, 'vpcUuid');
    const userData = optStr(inputs, 'userData');
    const request = {
      name: str(inputs, 'name'),
      region: str(inputs, 'region'),
      size: str(inputs, 'size'),
      image: imageOf(str(inputs, 'image')),
      ssh_keys: strList(inputs, 'sshKeys'),
      tags: [...strList(inputs, 'tags'), urnTagName(ctx.urnTag)],
      ipv6: bool(inputs, 'ipv6', false),
      monitoring: bool(inputs, 'monitoring', false),
      ...(vpcUuid ? { vpc_uuid: vpcUuid } : {}),
      ...(userData ? { user_data: userData } : {}),
    };
    const made = body(await ctx.client.api.POST('/v2/droplets', { body: request, signal: ctx.signal }));
    if (!('droplet' in made)) throw new Error('the API answered a single droplet create with several droplets');
    const id = made.droplet.id;
    const createAction = made.links.actions?.[0]?.id;
    try {
      if (createAction !== undefined) await ctx.client.waitForAction(createAction, `droplet ${request.name}`, ctx.signal);
    } catch (err) {
      if (!(err instanceof DoActionError)) throw err;
      // A droplet whose create failed is no use to anyone: remove it, so that the engine's
      // adopt after the failure finds nothing and the next run makes a new one.
      ctx.log(`the create action of droplet ${request.name} failed; deleting the droplet it left`);
      await destroy(String(id), ctx);
      throw err;
    }
    const ready = await untilCreated(id, ctx);
    return { id: String(id), outputs: outputsOf(ready, inputs) };
  },

  async read(id, state, ctx) {
    const d = await get(id, ctx);
    if (!d) return undefined;
    const outputs = outputsOf(d, state.inputs);
    const inputs: PropertyMap = {
      ...state.inputs,
      name: d.name,
      region: d.region.slug,
      size: d.size_slug,
      image: imageInput(d, state.inputs.image),
      tags: sameSet(outputs.tags as string[], state.inputs.tags) ? state.inputs.tags! : outputs.tags!,
      ipv6: outputs.ipv6!,
      monitoring: outputs.monitoring!,
      ...(d.vpc_uuid ? { vpcUuid: d.vpc_uuid } : {}),
    };
    return { outputs, inputs };
  },

  async update(id, olds, news, ctx) {
    const before = olds.outputs;
    const name = str(news, 'name');
    if (name !== before.name) await act(id, { type: 'rename', name }, ctx);
    const size = str(news, 'size');
    if (size !== before.size) {
      ctx.log(`resizing droplet ${name} to ${size}: it is powered off meanwhile`);
      const d = await get(id, ctx);
      if (d?.status !== 'off') await act(id, { type: 'power_off' }, ctx);
      try {
        await act(id, { type: 'resize', size, disk: true }, ctx);
      } finally {
        // A refused resize (a smaller disk) must not leave the node powered off.
        await act(id, { type: 'power_on' }, ctx);
      }
    }
    const oldTags = new Set((before.tags as string[] | undefined) ?? []);
    const newTags = new Set(strList(news, 'tags'));
    for (const t of newTags) if (!oldTags.has(t)) await retag(id, t, 'POST', ctx);
    for (const t of oldTags) if (!newTags.has(t)) await retag(id, t, 'DELETE', ctx);
    const d = await untilActive(Number(id), ctx);
    return { outputs: outputsOf(d, news) };
  },

  async delete(id, _state, ctx) {
    await destroy(id, ctx);
  },

  async adopt(inputs, ctx) {
    const found = await allPages(async (page) => {
      const r = body(await ctx.client.api.GET('/v2/droplets', { params: { query: { tag_name: urnTagName(ctx.urnTag), page, per_page: PER_PAGE } }, signal: ctx.signal }));
      return { items: r.droplets, total: r.meta.total };
    });
    const left = found.find((d) => !ctx.knownIds.includes(String(d.id)));
    if (!left) return undefined;
    const ready = left.status === 'new' ? await untilCreated(left.id, ctx) : left;
    return { id: String(ready.id), outputs: outputsOf(ready, inputs) };
  },
};
