// digitalocean:index/tag:Tag {name} → {id (= name), name}. A tag's name is its identity in
// the account, so adopting one is finding it by name. Deleting a tag removes it from every
// object that carries it; the planner deletes tags only after the droplets and firewalls
// that use them.
import type { ResourceType } from '../../../engine/index.ts';
import type { DoClient } from '../client.ts';
import { seg } from '../client.ts';
import type { DoTag } from '../api.ts';
import { str } from '../marks.ts';

const path = (name: string) => `/v2/tags/${seg(name)}`;

export const tag: ResourceType<DoClient> = {
  forceNew: ['name'],
  async create(inputs, ctx) {
    const name = str(inputs, 'name');
    const { tag: made } = await ctx.client.request<{ tag: DoTag }>('POST', '/v2/tags', { body: { name }, signal: ctx.signal });
    return { id: made.name, outputs: { id: made.name, name: made.name } };
  },
  async read(id, _state, ctx) {
    const found = await ctx.client.find<{ tag: DoTag }>(path(id), { signal: ctx.signal });
    return found ? { outputs: { id: found.tag.name, name: found.tag.name }, inputs: { name: found.tag.name } } : undefined;
  },
  async delete(id, _state, ctx) {
    await ctx.client.remove(path(id), { signal: ctx.signal });
  },
  async adopt(inputs, ctx) {
    const name = str(inputs, 'name');
    if (ctx.knownIds.includes(name)) return undefined;
    const found = await ctx.client.find<{ tag: DoTag }>(path(name), { signal: ctx.signal });
    return found ? { id: found.tag.name, outputs: { id: found.tag.name, name: found.tag.name } } : undefined;
  },
};
