// aws:ec2/keyPair:KeyPair {keyName, publicKey, tags} → {id, keyName, publicKey}. The public key
// is read back from AWS, so a refresh notices a key swapped behind our back and a stack
// rebuilt by `refresh --config` learns the key its machines were made with.
import { DeleteKeyPairCommand, DescribeKeyPairsCommand, ImportKeyPairCommand } from '@aws-sdk/client-ec2';
import type { KeyPairInfo } from '@aws-sdk/client-ec2';
import type { CallContext, ResourceType } from '../../../engine/index.ts';
import type { AwsClient } from '../client.ts';
import { awsTags, call, str, tagMap } from '../call.ts';
import { isNotFound } from '../errors.ts';
import { pickUntracked, updateTags, urnFilter } from './tags.ts';

type Ctx = CallContext<AwsClient>;

/** The key as `stored` has it when AWS holds the same key (AWS may drop or change the comment) or does not say. */
function publicKeyOf(k: KeyPairInfo, stored: unknown): string {
  const material = (line: unknown) => (typeof line === 'string' ? line.trim().split(/\s+/).slice(0, 2).join(' ') : undefined);
  const cloud = (k.PublicKey ?? '').trim();
  if (typeof stored === 'string' && (cloud === '' || material(stored) === material(cloud))) return stored;
  return cloud;
}

async function describe(ctx: Ctx, id: string): Promise<KeyPairInfo | undefined> {
  try {
    // By filter rather than KeyPairIds: the same answer on AWS, and moto honours only the filter.
    const r = await call(ctx.signal, 'DescribeKeyPairs', (o) => ctx.client.ec2.send(new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-pair-id', Values: [id] }], IncludePublicKey: true }), o));
    return r.KeyPairs?.find((k) => k.KeyPairId === id);
  } catch (err) {
    if (isNotFound(err, 'InvalidKeyPair.NotFound')) return undefined;
    throw err;
  }
}

export const keyPair: ResourceType<AwsClient> = {
  forceNew: ['keyName', 'publicKey'],
  // The name is unique in the region: the old key goes before its replacement comes.
  timeouts: { create: 120, update: 120, delete: 120, read: 60 },
  async create(inputs, ctx) {
    const r = await call(ctx.signal, 'ImportKeyPair', (o) =>
      ctx.client.ec2.send(
        new ImportKeyPairCommand({
          KeyName: str(inputs['keyName']),
          PublicKeyMaterial: new TextEncoder().encode(str(inputs['publicKey'])),
          TagSpecifications: [{ ResourceType: 'key-pair', Tags: awsTags(inputs['tags'], ctx.urnTag) }],
        }),
        o,
      ),
    );
    const id = r.KeyPairId!;
    return { id, outputs: { ...inputs, id, keyName: r.KeyName ?? str(inputs['keyName']), fingerprint: r.KeyFingerprint ?? '' } };
  },
  async read(id, state, ctx) {
    const k = await describe(ctx, id);
    if (!k) return undefined;
    const inputs = { ...state.inputs, keyName: k.KeyName ?? '', publicKey: publicKeyOf(k, state.inputs['publicKey']), tags: tagMap(k.Tags) };
    return { inputs, outputs: { ...state.outputs, ...inputs, id, fingerprint: k.KeyFingerprint ?? '' } };
  },
  async update(id, olds, news, ctx) {
    await updateTags(ctx, id, olds.inputs['tags'], news['tags']);
    return { outputs: { ...olds.outputs, ...news, id } };
  },
  async delete(id, _state, ctx) {
    // Deleted by the name it has now (names are unique in a region; moto deletes by name only).
    const k = await describe(ctx, id);
    if (!k?.KeyName) return;
    try {
      await call(ctx.signal, 'DeleteKeyPair', (o) => ctx.client.ec2.send(new DeleteKeyPairCommand({ KeyName: k.KeyName }), o));
    } catch (err) {
      if (!isNotFound(err, 'InvalidKeyPair.NotFound')) throw err;
    }
  },
  async adopt(inputs, ctx) {
    const r = await call(ctx.signal, 'DescribeKeyPairs', (o) => ctx.client.ec2.send(new DescribeKeyPairsCommand({ Filters: [urnFilter(ctx.urnTag)], IncludePublicKey: true }), o));
    const found = pickUntracked(r.KeyPairs ?? [], (k) => k.KeyPairId, ctx.knownIds, 'key pair');
    if (!found) return undefined;
    const outputs = { ...inputs, id: found.KeyPairId!, keyName: found.KeyName ?? '', publicKey: publicKeyOf(found, inputs['publicKey']), fingerprint: found.KeyFingerprint ?? '' };
    return { id: found.KeyPairId!, outputs };
  },
};
