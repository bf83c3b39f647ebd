// hcloud:index/server:Server {name, serverType, image, location, sshKeys, userData, labels,
// publicNets:{ipv4Enabled, ipv6Enabled}, networks:[{networkId, subnetId}], placementGroupId?}
// → {id, ipv4Address, privateIp (its address on the first network), status}. It carries its
// URN tag as a label, by which adopt finds it. Create waits for the create action and the
// ones after it (network attachment, start), so the addresses are known; a server whose
// create action fails is deleted before the error is reported. Name and labels change in
// place; a type change powers it off, changes the type (the disk kept, so it can go back) and
// powers it on. Everything else is set only at create, so changing it replaces the server.
import type { PropertyMap } from '../../../state/types.ts';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { HetznerClient } from '../client.ts';
import { allPages, PER_PAGE } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { body, orGone } from '../../rest/fetch.ts';
import { bool, list, optStr, str, strList } from '../../rest/inputs.ts';
import { HetznerActionError } from '../errors.ts';
import { configLabels, labelsOf, sameLabels, urnSelector } from '../marks.ts';

type Ctx = CallContext<HetznerClient>;
type Server = components['schemas']['server'];
const where = (id: string | number) => ({ path: { id: Number(id) } });

async function get(id: string | number, ctx: Ctx): Promise<Server | undefined> {
  return (await orGone(ctx.client.api.GET('/servers/{id}', { params: where(id), signal: ctx.signal }).then(body)))?.server;
}

function outputsOf(s: Server, inputs: PropertyMap): PropertyMap {
  const networks = list(inputs, 'networks');
  const first = networks[0] ? Number(networks[0].networkId) : undefined;
  return {
    ...inputs,
    id: String(s.id),
    serverType: s.server_type.name,
    status: s.status,
    ipv4Address: s.public_net.ipv4?.ip ?? null,
    ipv6Network: s.public_net.ipv6?.ip ?? null,
    privateIp: s.private_net.find((n) => first === undefined || n.network === first)?.ip ?? null,
  };
}

/** Waits until the server has left `initializing` (and, with `status`, reached it). */
async function until(id: string | number, ctx: Ctx, status?: Server['status']): Promise<Server> {
  return ctx.client.poll(async () => {
    const s = await get(id, ctx);
    if (!s) throw new Error(`server ${id} disappeared while it was being made ready`);
    if (status !== undefined) return s.status === status ? s : undefined;
    return s.status === 'initializing' || s.status === 'starting' ? undefined : s;
  }, ctx.signal);
}

async function destroy(id: string, ctx: Ctx): Promise<void> {
  const r = await orGone(ctx.client.api.DELETE('/servers/{id}', { params: where(id), signal: ctx.signal }).then(body));
  if (r) await ctx.client.wait([r.action], `server ${id} (delete)`, ctx.signal);
  // The network and the placement group let go of it only once it is gone.
  await ctx.client.poll(async () => ((await get(id, ctx)) ? undefined : true), ctx.signal);
}

export const server: ResourceType<HetznerClient> = {
  forceNew: ['image', 'location', 'sshKeys', 'userData', 'networks', 'publicNets', 'placementGroupId'],
  computedOnUpdate: ['status'],
  timeouts: { create: 600, update: 900, delete: 300 },

  async create(inputs, ctx) {
    const nets = (inputs.publicNets ?? {}) as PropertyMap;
    const userData = optStr(inputs, 'userData');
    const placement = optStr(inputs, 'placementGroupId');
    const name = str(inputs, 'name');
    const made = body(
      await ctx.client.api.POST('/servers', {
        body: {
          name,
          server_type: str(inputs, 'serverType'),
          image: str(inputs, 'image'),
          location: str(inputs, 'location'),
          ssh_keys: strList(inputs, 'sshKeys'),
          labels: labelsOf(inputs, ctx.urnTag),
          public_net: { enable_ipv4: bool(nets, 'ipv4Enabled', true), enable_ipv6: bool(nets, 'ipv6Enabled', true) },
          networks: list(inputs, 'networks').map((n) => Number(str(n, 'networkId'))),
          ...(placement ? { placement_group: Number(placement) } : {}),
          ...(userData ? { user_data: userData } : {}),
          start_after_create: true,
        },
        signal: ctx.signal,
      }),
    );
    try {
      await ctx.client.wait([made.action, ...made.next_actions], `server ${name}`, ctx.signal);
    } catch (err) {
      if (!(err instanceof HetznerActionError)) throw err;
      // A server whose create failed is no use: remove it, so adopt finds nothing to keep.
      ctx.log(`the create action of server ${name} failed; deleting the server it left`);
      await destroy(String(made.server.id), ctx);
      throw err;
    }
    const ready = await until(made.server.id, ctx);
    return { id: String(ready.id), outputs: outputsOf(ready, inputs) };
  },

  async read(id, state, ctx) {
    const s = await get(id, ctx);
    if (!s) return undefined;
    const labels = configLabels(s.labels);
    const inputs: PropertyMap = {
      ...state.inputs,
      name: s.name,
      serverType: s.server_type.name,
      location: s.location.name,
      image: s.image?.name && s.image.name !== state.inputs.image && String(s.image.id) !== state.inputs.image ? s.image.name : (state.inputs.image ?? null),
      labels: sameLabels(labels, state.inputs.labels) ? state.inputs.labels! : labels,
    };
    return { outputs: outputsOf(s, inputs), inputs };
  },

  async update(id, olds, news, ctx) {
    const serverType = str(news, 'serverType');
    if (serverType !== olds.outputs.serverType) {
      ctx.log(`changing server ${str(news, 'name')} to ${serverType}: it is powered off meanwhile`);
      const s = await get(id, ctx);
      if (s?.status !== 'off') {
        await ctx.client.wait([body(await ctx.client.api.POST('/servers/{id}/actions/poweroff', { params: where(id), signal: ctx.signal })).action], `server ${id} (power off)`, ctx.signal);
      }
      try {
        await ctx.client.wait([body(await ctx.client.api.POST('/servers/{id}/actions/change_type', { params: where(id), body: { server_type: serverType, upgrade_disk: false }, signal: ctx.signal })).action], `server ${id} (change type)`, ctx.signal);
      } finally {
        // A refused change must not leave the node powered off.
        await ctx.client.wait([body(await ctx.client.api.POST('/servers/{id}/actions/poweron', { params: where(id), signal: ctx.signal })).action], `server ${id} (power on)`, ctx.signal);
      }
    }
    await ctx.client.api.PUT('/servers/{id}', { params: where(id), body: { name: str(news, 'name'), labels: labelsOf(news, ctx.urnTag) }, signal: ctx.signal });
    return { outputs: outputsOf(await until(id, ctx, 'running'), news) };
  },

  async delete(id, _state, ctx) {
    await destroy(id, ctx);
  },

  async adopt(inputs, ctx) {
    const all = await allPages(async (page) => {
      const r = body(await ctx.client.api.GET('/servers', { params: { query: { label_selector: urnSelector(ctx.urnTag), page, per_page: PER_PAGE } }, signal: ctx.signal }));
      return { items: r.servers, next: r.meta.pagination.next_page };
    });
    const left = all.find((s) => !ctx.knownIds.includes(String(s.id)));
    if (!left) return undefined;
    const ready = await until(left.id, ctx);
    return { id: String(ready.id), outputs: outputsOf(ready, inputs) };
  },
};
