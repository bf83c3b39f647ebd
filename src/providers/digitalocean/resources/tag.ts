// digitalocean:index/tag:Tag {name} → {id (= name), name}. A tag's name is its identity in
// the account, so adopting one is finding it by name. Deleting a tag removes it from every
// object that carries it; the planner deletes tags only after the droplets and firewalls
// that use them.
import type { ResourceType } from '../../../engine/index.ts';
import type { DoClient } from '../client.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { str } from '../../rest/inputs.ts';

const where = (name: string) => ({ path: { tag_id: name } });

export const tag: ResourceType<DoClient> = {
  forceNew: ['name'],
  async create(inputs, ctx) {
    const name = str(inputs, 'name');
    const made = body(await ctx.client.api.POST('/v2/tags', { body: { name }, signal: ctx.signal })).tag!;
    return { id: made.name!, outputs: { id: made.name!, name: made.name! } };
  },
  async read(id, _state, ctx) {
    const found = (await orGone(ctx.client.api.GET('/v2/tags/{tag_id}', { params: where(id), signal: ctx.signal }).then(body)))?.tag;
    return found?.name ? { outputs: { id: found.name, name: found.name }, inputs: { name: found.name } } : undefined;
  },
  async delete(id, _state, ctx) {
    await gone(ctx.client.api.DELETE('/v2/tags/{tag_id}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const name = str(inputs, 'name');
    if (ctx.knownIds.includes(name)) return undefined;
    const found = (await orGone(ctx.client.api.GET('/v2/tags/{tag_id}', { params: where(name), signal: ctx.signal }).then(body)))?.tag;
    return found?.name ? { id: found.name, outputs: { id: found.name, name: found.name } } : undefined;
  },
};
