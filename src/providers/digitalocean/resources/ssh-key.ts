// digitalocean:index/sshKey:SshKey {name, publicKey} → {id, fingerprint, shared}. DigitalOcean
// keeps one key per public key in an account, identified by its MD5 fingerprint. Ours are
// named with the URN tag. When the account already holds the same public key under another
// name (the user's own key, named by security.ssh key-path), that key is used as it is,
// recorded as `shared`, and never renamed or deleted by us. Adopt finds ours by fingerprint,
// else by the tag in its name: a stack rebuilt by `refresh --config` plans a newly generated
// key, and learns from the one found the key its droplets were made with.
import { createHash } from 'node:crypto';
import type { PropertyMap } from '../../../state/types.ts';
import type { CallContext, CreateResult, ResourceType } from '../../../engine/index.ts';
import { allPages, PER_PAGE } from '../client.ts';
import type { DoClient } from '../client.ts';
import type { components } from '../openapi.d.ts';
import { ApiError } from '../../rest/errors.ts';
import { body, gone, orGone } from '../../rest/fetch.ts';
import { keyName, keyNameBase, urnTagName } from '../marks.ts';
import { str } from '../../rest/inputs.ts';

type DoSshKey = components['schemas']['sshKeys'];
const where = (id: string | number) => ({ path: { ssh_key_identifier: id } });
const find = async (id: string | number, ctx: CallContext<DoClient>) => (await orGone(ctx.client.api.GET('/v2/account/keys/{ssh_key_identifier}', { params: where(id), signal: ctx.signal }).then(body)))?.ssh_key;

/** The MD5 fingerprint DigitalOcean identifies keys by (`aa:bb:…`), from an OpenSSH public key line. */
export function md5Fingerprint(publicKey: string): string {
  const [kind, blob64] = publicKey.trim().split(/\s+/);
  const blob = blob64 && /^[A-Za-z0-9+/]+=*$/.test(blob64) ? Buffer.from(blob64, 'base64') : undefined;
  // The key blob starts with its own type name, length-prefixed: it must match the line's.
  const inner = blob && blob.length > 4 ? blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1') : undefined;
  if (!kind || !blob || inner !== kind) throw new Error('input \'publicKey\' is not an OpenSSH public key (type, base64 key, comment)');
  return createHash('md5').update(blob).digest('hex').match(/../g)!.join(':');
}

function outputsOf(key: DoSshKey, shared: boolean, inputs: PropertyMap): PropertyMap {
  return { name: shared ? (inputs.name ?? key.name) : keyNameBase(key.name), publicKey: inputs.publicKey ?? key.public_key, id: String(key.id), fingerprint: key.fingerprint ?? null, shared };
}

/** A key of ours, not tracked yet: the one with this public key, else the one named with the URN tag. */
async function findOurs(inputs: PropertyMap, ctx: CallContext<DoClient> & { knownIds: readonly string[] }): Promise<DoSshKey | undefined> {
  const free = (key: DoSshKey | undefined) => (key && ours(key, ctx) && !ctx.knownIds.includes(String(key.id)) ? key : undefined);
  const same = free(await find(md5Fingerprint(str(inputs, 'publicKey')), ctx));
  if (same) return same;
  const all = await allPages(async (page) => {
    const r = body(await ctx.client.api.GET('/v2/account/keys', { params: { query: { page, per_page: PER_PAGE } }, signal: ctx.signal }));
    return { items: r.ssh_keys, total: r.meta.total };
  });
  return all.find((k) => free(k) !== undefined);
}

const ours = (key: DoSshKey, ctx: CallContext<DoClient>) => key.name.includes(`[${urnTagName(ctx.urnTag)}]`);

export const sshKey: ResourceType<DoClient> = {
  forceNew: ['publicKey'],
  async create(inputs, ctx): Promise<CreateResult> {
    const publicKey = str(inputs, 'publicKey');
    const fingerprint = md5Fingerprint(publicKey);
    try {
      const made = body(await ctx.client.api.POST('/v2/account/keys', { body: { name: keyName(str(inputs, 'name'), ctx.urnTag), public_key: publicKey }, signal: ctx.signal })).ssh_key!;
      return { id: String(made.id), outputs: outputsOf(made, false, inputs) };
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 422) throw err;
      // "SSH Key is already in use on your account": find it by its fingerprint.
      const found = await find(fingerprint, ctx);
      if (!found) throw err;
      const shared = !ours(found, ctx);
      if (shared) ctx.log(`the account already holds this public key as '${found.name}'; using it (it will not be deleted with the stack)`);
      return { id: String(found.id), outputs: outputsOf(found, shared, inputs) };
    }
  },
  async read(id, state, ctx) {
    const found = await find(id, ctx);
    if (!found) return undefined;
    const shared = state.outputs.shared === true;
    const outputs = outputsOf(found, shared, shared ? state.inputs : {});
    return { outputs, inputs: { name: outputs.name!, publicKey: outputs.publicKey! } };
  },
  async update(id, olds, news, ctx) {
    if (olds.outputs.shared === true) {
      ctx.log('the SSH key is the account\'s own (shared): its name is left as it is');
      return { outputs: { ...olds.outputs, name: news.name ?? null } };
    }
    const updated = body(await ctx.client.api.PUT('/v2/account/keys/{ssh_key_identifier}', { params: where(id), body: { name: keyName(str(news, 'name'), ctx.urnTag) }, signal: ctx.signal })).ssh_key!;
    return { outputs: outputsOf(updated, false, news) };
  },
  async delete(id, state, ctx) {
    if (state.outputs.shared === true) {
      ctx.log('the SSH key was the account\'s own before this stack used it: left in place');
      return;
    }
    await gone(ctx.client.api.DELETE('/v2/account/keys/{ssh_key_identifier}', { params: where(id), signal: ctx.signal }));
  },
  async adopt(inputs, ctx) {
    const found = await findOurs(inputs, ctx);
    // The public key the account holds, whatever the inputs say.
    return found ? { id: String(found.id), outputs: outputsOf(found, false, { name: inputs.name ?? null }) } : undefined;
  },
};
