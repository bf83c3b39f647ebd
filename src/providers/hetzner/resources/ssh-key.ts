// hcloud:index/sshKey:SshKey {name, publicKey, labels} → {id, fingerprint}. A project holds one
// key per public key: a key with the same fingerprint already there (the user's own) is used as
// it is, recorded `shared`, and never renamed or deleted by us.
import { createHash } from 'node:crypto';
import type { PropertyMap } from '../../../state/types.ts';
import type { ResourceType } from '../../../engine/index.ts';
import type { HetznerClient } from '../client.ts';
import { allPages, PER_PAGE } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { str } from '../../rest/inputs.ts';
import { configLabels, labelsOf, sameLabels, URN_LABEL, urnSelector } from '../marks.ts';

type Key = components['schemas']['ssh_key'];
const where = (id: string) => ({ path: { id: Number(id) } });

/** The MD5 fingerprint Hetzner identifies keys by (`aa:bb:…`). */
export function md5Fingerprint(publicKey: string): string {
  const blob = publicKey.trim().split(/\s+/)[1];
  if (!blob || !/^[A-Za-z0-9+/]+=*$/.test(blob)) throw new Error("input 'publicKey' is not an OpenSSH public key (type, base64 key, comment)");
  return createHash('md5').update(Buffer.from(blob, 'base64')).digest('hex').match(/../g)!.join(':');
}

function outputsOf(k: Key, shared: boolean, inputs: PropertyMap): PropertyMap {
  return { ...inputs, id: String(k.id), fingerprint: k.fingerprint, shared };
}

export const sshKey: ResourceType<HetznerClient> = {
  forceNew: ['publicKey'],
  async create(inputs, ctx) {
    const publicKey = str(inputs, 'publicKey');
    const fingerprint = md5Fingerprint(publicKey);
    const existing = body(await ctx.client.api.GET('/ssh_keys', { params: { query: { fingerprint } }, signal: ctx.signal })).ssh_keys[0];
    if (existing) {
      if (existing.labels[URN_LABEL] === ctx.urnTag) return { id: String(existing.id), outputs: outputsOf(existing, false, inputs) };
      ctx.log(`the project already holds this public key as '${existing.name}'; using it (it will not be deleted with the stack)`);
      return { id: String(existing.id), outputs: outputsOf(existing, true, inputs) };
    }
    const made = body(await ctx.client.api.POST('/ssh_keys', { body: { name: str(inputs, 'name'), public_key: publicKey, labels: labelsOf(inputs, ctx.urnTag) }, signal: ctx.signal })).ssh_key;
    return { id: String(made.id), outputs: outputsOf(made, false, inputs) };
  },
  async read(id, state, ctx) {
    const k = (await orGone(ctx.client.api.GET('/ssh_keys/{id}', { params: where(id), signal: ctx.signal }).then(body)))?.ssh_key;
    if (!k) return undefined;
    const shared = state.outputs.shared === true;
    if (shared) return { outputs: outputsOf(k, true, state.inputs), inputs: state.inputs };
    const labels = configLabels(k.labels);
    const inputs = { ...state.inputs, name: k.name, labels: sameLabels(labels, state.inputs.labels) ? state.inputs.labels! : labels };
    return { outputs: outputsOf(k, false, inputs), inputs };
  },
  async update(id, olds, news, ctx) {
    if (olds.outputs.shared === true) return { outputs: { ...olds.outputs, ...news } };
    const k = body(await ctx.client.api.PUT('/ssh_keys/{id}', { params: where(id), body: { name: str(news, 'name'), labels: labelsOf(news, ctx.urnTag) }, signal: ctx.signal })).ssh_key;
    return { outputs: outputsOf(k, false, news) };
  },
  async delete(id, state, ctx) {
    if (state.outputs.shared === true) {
      ctx.log('the SSH key was the project\'s own before this stack used it: left in place');
      return;
    }
    await gone(ctx.client.api.DELETE('/ssh_keys/{id}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const all = await allPages(async (page) => {
      const r = body(await ctx.client.api.GET('/ssh_keys', { params: { query: { label_selector: urnSelector(ctx.urnTag), page, per_page: PER_PAGE } }, signal: ctx.signal }));
      return { items: r.ssh_keys, next: r.meta.pagination.next_page };
    });
    const found = all.find((k) => !ctx.knownIds.includes(String(k.id)));
    // The public key the project holds (a stack rebuilt by `refresh --config` learns it here).
    return found ? { id: String(found.id), outputs: outputsOf(found, false, { ...inputs, publicKey: found.public_key }) } : undefined;
  },
};
