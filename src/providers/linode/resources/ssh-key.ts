// linode:index/sshKey:SshKey {label, sshKey} → {id}. Keys belong to the token's user profile;
// ours carry 16 hex characters of the URN tag at the end of their label, by which adopt
// finds one an interrupted create left behind. Linode injects the profile's keys only when a
// create names them (the cluster's login user gets the deploy key from user data).
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { LinodeClient } from '../client.ts';
import { allPages, PAGE_SIZE } from '../client.ts';
import type { paths } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { str } from '../../rest/inputs.ts';
import { isOurKey, keyLabel } from '../marks.ts';

type Key = paths['/v4/profile/sshkeys/{sshKeyId}']['get']['responses'][200]['content']['application/json'];

const outputsOf = (k: Key, inputs: PropertyMap): PropertyMap => ({ ...inputs, id: String(k.id) });
const where = (id: string) => ({ path: { sshKeyId: Number(id) } });
const sameKey = (a: string | undefined, b: string) => (a ?? '').trim().split(/\s+/).slice(0, 2).join(' ') === b.trim().split(/\s+/).slice(0, 2).join(' ');

export const sshKey: ResourceType<LinodeClient> = {
  forceNew: ['sshKey'],
  async create(inputs, ctx) {
    const made = body(await ctx.client.api.POST('/v4/profile/sshkeys', { body: { label: keyLabel(str(inputs, 'label'), ctx.urnTag), ssh_key: str(inputs, 'sshKey') }, signal: ctx.signal }));
    return { id: String(made.id), outputs: outputsOf(made, inputs) };
  },
  async read(id, state, ctx) {
    const found = await orGone(ctx.client.api.GET('/v4/profile/sshkeys/{sshKeyId}', { params: where(id), signal: ctx.signal }).then(body));
    if (!found) return undefined;
    const inputs = {
      ...state.inputs,
      label: found.label === keyLabel(String(state.inputs.label ?? ''), ctx.urnTag) ? state.inputs.label! : (found.label ?? null),
      sshKey: sameKey(found.ssh_key, String(state.inputs.sshKey ?? '')) ? state.inputs.sshKey! : (found.ssh_key ?? null),
    };
    return { outputs: outputsOf(found, inputs), inputs };
  },
  async update(id, _olds, news, ctx) {
    const updated = body(await ctx.client.api.PUT('/v4/profile/sshkeys/{sshKeyId}', { params: where(id), body: { label: keyLabel(str(news, 'label'), ctx.urnTag) }, signal: ctx.signal }));
    return { outputs: outputsOf(updated, news) };
  },
  async delete(id, _state, ctx) {
    await gone(ctx.client.api.DELETE('/v4/profile/sshkeys/{sshKeyId}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const all = await allPages((page) => ctx.client.api.GET('/v4/profile/sshkeys', { params: { query: { page, page_size: PAGE_SIZE } }, signal: ctx.signal }).then(body));
    // By label alone: a stack rebuilt by `refresh --config` plans a new key and learns from this
    // one the key its instances were made with.
    const found = all.find((k) => isOurKey(k.label, ctx.urnTag) && !ctx.knownIds.includes(String(k.id)));
    return found ? { id: String(found.id), outputs: outputsOf(found, { ...inputs, sshKey: sameKey(found.ssh_key, str(inputs, 'sshKey')) ? inputs.sshKey! : (found.ssh_key ?? null) }) } : undefined;
  },
};
