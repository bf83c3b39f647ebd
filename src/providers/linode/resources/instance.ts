// linode:index/instance:Instance {label, region, type, image, authorizedKeys, userData,
// interfaces:[{purpose:'public'}, {purpose:'vpc', subnetId}], privateIp, tags}
// → {id, ipAddress, privateIpAddress (the VPC address), privateIpv4 (the 192.168 address NodeBalancers reach), status}.
// User data goes to cloud-init through the metadata service (base64). The instance also
// carries its URN tag, by which adopt finds it. Create waits until it is running, so its
// addresses are known. Label and tags change in place; a type change resizes it (Linode
// shuts it down, migrates it and boots it again); everything else replaces it. Linode wants
// a root password with an image: a random one is sent and kept nowhere (logins use keys).
import { randomBytes } from 'node:crypto';
import type { PropertyMap } from '../../../state/types.ts';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { LinodeClient } from '../client.ts';
import { allPages, PAGE_SIZE } from '../client.ts';
import type { paths } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { bool, list, optStr, str, strList } from '../../rest/inputs.ts';
import { fitLabel, isUrnTagName, urnTagName } from '../marks.ts';

type Ctx = CallContext<LinodeClient>;
type Instance = paths['/v4/linode/instances/{linodeId}']['get']['responses'][200]['content']['application/json'];
type Interface = NonNullable<paths['/v4/linode/instances']['post']['requestBody']>['content']['application/json']['interfaces'];

const where = (id: string | number) => ({ path: { linodeId: Number(id) } });
const instanceLabel = (label: string) => fitLabel(label, 64);

async function get(id: string | number, ctx: Ctx): Promise<Instance | undefined> {
  return orGone(ctx.client.api.GET('/v4/linode/instances/{linodeId}', { params: where(id), signal: ctx.signal }).then(body));
}

/** The instance's addresses: public IPv4, the VPC address, the private 192.168 address. */
async function addresses(id: string | number, ctx: Ctx): Promise<{ public: string | null; vpc: string | null; private: string | null }> {
  const ips = body(await ctx.client.api.GET('/v4/linode/instances/{linodeId}/ips', { params: where(id), signal: ctx.signal }));
  return {
    public: ips.ipv4?.public?.[0]?.address ?? null,
    vpc: ips.ipv4?.vpc?.find((v) => v.address)?.address ?? null,
    private: ips.ipv4?.private?.[0]?.address ?? null,
  };
}

async function outputsOf(i: Instance, inputs: PropertyMap, ctx: Ctx): Promise<PropertyMap> {
  const ips = await addresses(i.id!, ctx);
  return {
    ...inputs,
    id: String(i.id),
    type: i.type ?? null,
    tags: (i.tags ?? []).filter((t) => !isUrnTagName(t)),
    status: i.status ?? null,
    ipAddress: ips.public ?? i.ipv4?.[0] ?? null,
    privateIpAddress: ips.vpc,
    privateIpv4: ips.private,
  };
}

const SETTLING = new Set(['provisioning', 'booting', 'busy', 'rebooting', 'migrating', 'resizing']);

/**
 * Waits until the instance is made (past provisioning and booting) or, with `type`, until a
 * resize to it has finished and the instance runs again.
 */
async function untilSettled(id: string | number, ctx: Ctx, type?: string): Promise<Instance> {
  return ctx.client.poll(async () => {
    const i = await get(id, ctx);
    if (!i) throw new Error(`Linode instance ${id} disappeared while it was being made ready`);
    if (type !== undefined) return i.status === 'running' && i.type === type ? i : undefined;
    return i.status && SETTLING.has(i.status) ? undefined : i;
  }, ctx.signal);
}

function interfacesOf(inputs: PropertyMap): Interface {
  return list(inputs, 'interfaces').map((i) => {
    const purpose = str(i, 'purpose');
    if (purpose === 'public') return { purpose };
    if (purpose === 'vpc') return { purpose, subnet_id: Number(str(i, 'subnetId')), primary: false };
    throw new Error(`interface purpose '${purpose}' is not public or vpc`);
  });
}

const sameSet = (a: string[], b: unknown) => Array.isArray(b) && a.length === b.length && a.every((x) => b.includes(x));

export const instance: ResourceType<LinodeClient> = {
  forceNew: ['region', 'image', 'authorizedKeys', 'userData', 'interfaces', 'privateIp'],
  computedOnUpdate: ['status'],
  timeouts: { create: 900, update: 1800, delete: 600 },

  async create(inputs, ctx) {
    const userData = optStr(inputs, 'userData');
    const keys = strList(inputs, 'authorizedKeys');
    const made = body(
      await ctx.client.api.POST('/v4/linode/instances', {
        body: {
          label: instanceLabel(str(inputs, 'label')),
          region: str(inputs, 'region'),
          type: str(inputs, 'type'),
          image: str(inputs, 'image'),
          root_pass: randomBytes(24).toString('base64url'),
          ...(keys.length ? { authorized_keys: keys } : {}),
          ...(userData ? { metadata: { user_data: Buffer.from(userData).toString('base64') } } : {}),
          interfaces: interfacesOf(inputs),
          private_ip: bool(inputs, 'privateIp', false),
          tags: [...strList(inputs, 'tags'), urnTagName(ctx.urnTag)],
          booted: true,
        },
        signal: ctx.signal,
      }),
    );
    const ready = await untilSettled(made.id!, ctx);
    return { id: String(made.id), outputs: await outputsOf(ready, inputs, ctx) };
  },

  async read(id, state, ctx) {
    const i = await get(id, ctx);
    if (!i) return undefined;
    const outputs = await outputsOf(i, state.inputs, ctx);
    const inputs: PropertyMap = {
      ...state.inputs,
      label: i.label === instanceLabel(String(state.inputs.label ?? '')) ? state.inputs.label! : (i.label ?? null),
      region: i.region ?? null,
      type: i.type ?? null,
      image: i.image ?? state.inputs.image ?? null,
      tags: sameSet(outputs.tags as string[], state.inputs.tags) ? state.inputs.tags! : outputs.tags!,
    };
    return { outputs, inputs };
  },

  async update(id, olds, news, ctx) {
    const type = str(news, 'type');
    if (type !== olds.outputs.type) {
      ctx.log(`resizing Linode ${str(news, 'label')} to ${type}: it is shut down and migrated meanwhile`);
      await ctx.client.api.POST('/v4/linode/instances/{linodeId}/resize', { params: where(id), body: { type, allow_auto_disk_resize: true }, signal: ctx.signal });
      await untilSettled(id, ctx, type);
    }
    const updated = body(await ctx.client.api.PUT('/v4/linode/instances/{linodeId}', { params: where(id), body: { label: instanceLabel(str(news, 'label')), tags: [...strList(news, 'tags'), urnTagName(ctx.urnTag)] }, signal: ctx.signal }));
    return { outputs: await outputsOf(updated, news, ctx) };
  },

  async delete(id, _state, ctx) {
    await gone(ctx.client.api.DELETE('/v4/linode/instances/{linodeId}', { params: where(id), signal: ctx.signal }));
    // The subnet and the firewall let go of it only once it is gone.
    await ctx.client.poll(async () => ((await get(id, ctx)) ? undefined : true), ctx.signal);
  },

  async adopt(inputs, ctx) {
    const tag = urnTagName(ctx.urnTag);
    const all = await allPages((page) => ctx.client.api.GET('/v4/linode/instances', { params: { query: { page, page_size: PAGE_SIZE } }, signal: ctx.signal }).then(body));
    const left = all.find((i) => (i.tags ?? []).includes(tag) && !ctx.knownIds.includes(String(i.id)));
    if (!left) return undefined;
    const ready = await untilSettled(left.id!, ctx);
    return { id: String(ready.id), outputs: await outputsOf(ready, inputs, ctx) };
  },
};
