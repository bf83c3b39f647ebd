// The S3 backend against two real S3 implementations (moto, s3rver), and the AWS KMS
// secrets provider against moto's KMS.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { BackendError, openStateStore, Secret, SecretsError } from './index.ts';
import type { StateStore } from './index.ts';
import { freePort, MOTO_MISSING, startMoto } from '../../test/helpers/moto.ts';
import type { MotoServer } from '../../test/helpers/moto.ts';
import { createBucket, s3Url, startS3rver } from '../../test/helpers/s3.ts';
import type { S3Server } from '../../test/helpers/s3.ts';

let home: string;
let moto: MotoServer | undefined;
let s3rver: S3Server;
before(async () => {
  home = mkdtempSync(join(tmpdir(), 's3kms-'));
  [moto, s3rver] = await Promise.all([startMoto(), startS3rver()]);
});
after(async () => {
  await Promise.all([moto?.stop(), s3rver?.stop()]);
  rmSync(home, { recursive: true, force: true });
});

async function snapshot(store: StateStore): Promise<string> {
  const parts: string[] = [];
  for (const o of await store.blob.list('')) parts.push(`${o.key}=${(await store.blob.get(o.key))!.toString('base64')}`);
  return parts.join('\n');
}

for (const impl of ['moto', 's3rver'] as const) {
  describe(`S3 backend on ${impl}`, () => {
    const server = () => (impl === 'moto' ? moto : s3rver);
    test('stacks live under the URL prefix in Pulumi layout; updates, history, export', async (t) => {
      const srv = server();
      if (!srv) return t.skip(MOTO_MISSING);
      const bucket = await createBucket(srv.endpoint, srv.env);
      const store = await openStateStore({ env: { ...srv.env, PULUMI_BACKEND_URL: s3Url(bucket, srv.endpoint, 'team/state') }, homedir: home, cwd: home });
      assert.equal(await store.blob.exclusiveCreateIsAtomic(), impl === 'moto', 'moto honours If-None-Match on PUT; s3rver does not');
      await store.createStack('dev', { passphrase: 'pw' });
      const u = await (await store.openStack('dev', { passphrase: async () => 'pw' })).beginUpdate('update');
      await u.record([{ op: 'put', resource: { urn: 'urn:pulumi:dev::sloth-kubernetes::t:i:T::a', custom: true, type: 't:i:T', id: '1', outputs: { k: new Secret('v') } } }]);
      await u.finish({ result: 'succeeded', resourceChanges: { create: 1 } });
      const keys = (await store.blob.list('')).map((o) => o.key);
      assert.ok(keys.includes('.pulumi/stacks/sloth-kubernetes/dev.json'));
      assert.ok(keys.includes('.pulumi/stacks/sloth-kubernetes/dev.json.bak'));
      assert.ok(keys.some((k) => /^\.pulumi\/history\/sloth-kubernetes\/dev\/dev-\d{19}\.history\.json$/.test(k)));
      assert.deepEqual((await store.listStacks()).map((s) => [s.name, s.resourceCount]), [['dev', 1]]);
      const shown = JSON.parse(await store.exportStack('dev', { showSecrets: true, passphrase: async () => 'pw' })) as { deployment: { resources: { outputs: { k: { plaintext: string } } }[] } };
      assert.equal(shown.deployment.resources[0]!.outputs.k.plaintext, '"v"');
      // A wrong passphrase and a corrupt checkpoint change nothing in the bucket.
      const before = await snapshot(store);
      await assert.rejects(store.openStack('dev', { passphrase: async () => 'nope' }), /incorrect passphrase/);
      assert.equal(await snapshot(store), before);
      await store.blob.put('.pulumi/stacks/sloth-kubernetes/dev.json', '{"version":3,"checkpoint":');
      const corrupt = await snapshot(store);
      await assert.rejects(store.openStack('dev', { passphrase: async () => 'pw' }), (e: unknown) => {
        assert.match((e as Error).message, new RegExp(`^s3://${bucket}/team/state/\\.pulumi/stacks/sloth-kubernetes/dev\\.json: is not valid JSON`));
        assert.match((e as { hint: string }).hint, /latest good checkpoint in the history is s3:\/\//);
        return true;
      });
      assert.equal(await snapshot(store), corrupt);
      store.close();
    });
  });
}

test('an unreachable endpoint and a missing bucket are clear errors', async () => {
  const port = await freePort();
  const env = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
  const down = await openStateStore({ env: { ...env, PULUMI_BACKEND_URL: `s3://b?endpoint=127.0.0.1:${port}&disableSSL=true&s3ForcePathStyle=true` }, homedir: home, cwd: home });
  await assert.rejects(down.listStacks(), (e: unknown) => e instanceof BackendError && /cannot reach the backend s3:\/\/b/.test(e.message));
  await assert.rejects(down.createStack('dev', { passphrase: 'pw' }), BackendError);
  down.close();
  const missing = await openStateStore({ env: { ...s3rver.env, PULUMI_BACKEND_URL: s3Url('no-such-bucket', s3rver.endpoint) }, homedir: home, cwd: home });
  await assert.rejects(missing.listStacks(), /bucket 'no-such-bucket' does not exist/);
  missing.close();
});

describe('AWS KMS secrets provider (moto)', () => {
  test('create with an alias, an ARN and an encryption context; reopen; wrong context refused', async (t) => {
    if (!moto) return t.skip(MOTO_MISSING);
    const kms = new KMSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const key = await kms.send(new CreateKeyCommand({}));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/sloth-secrets', TargetKeyId: key.KeyMetadata!.KeyId! }));
    kms.destroy();
    const env = { ...moto.env, PULUMI_BACKEND_URL: `file://${home}/kms` };
    const store = await openStateStore({ env, homedir: home, cwd: home });
    for (const [name, kmsKey] of [
      ['by-alias', 'alias/sloth-secrets'],
      ['by-arn', key.KeyMetadata!.Arn!],
      ['with-context', `awskms://alias/sloth-secrets?region=us-east-1&context_cluster=prod`],
    ] as const) {
      const { secretsDescription } = await store.createStack(name, { kmsKey });
      assert.match(secretsDescription, /AWS KMS/);
      const u = await (await store.openStack(name)).beginUpdate('update');
      await u.record([{ op: 'put', resource: { urn: `urn:pulumi:${name}::sloth-kubernetes::t:i:T::a`, custom: true, type: 't:i:T', id: '1', outputs: { k: new Secret('kms-protected') } } }]);
      await u.finish({ result: 'succeeded', resourceChanges: {} });
      const again = await store.openStack(name);
      assert.equal((again.deployment.resources[0]!.outputs!.k as Secret).value, 'kms-protected');
      const text = await store.exportStack(name);
      assert.ok(!text.includes('kms-protected'));
      const provider = (JSON.parse(text) as { deployment: { secrets_providers: { type: string; state: { url: string; encryptedkey: string } } } }).deployment.secrets_providers;
      assert.equal(provider.type, 'cloud');
      assert.match(provider.state.url, /^awskms:\/\//);
      assert.ok(Buffer.from(provider.state.encryptedkey, 'base64').length > 32);
    }
    // The context is part of the stored URL; a different context cannot decrypt the data key.
    const path = join(home, 'kms/.pulumi/stacks/sloth-kubernetes/with-context.json');
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(path, readFileSync(path, 'utf8').replace('context_cluster=prod', 'context_cluster=dev'));
    await assert.rejects(store.openStack('with-context'), SecretsError);
    await assert.rejects(store.createStack('bad', { kmsKey: 'alias/does-not-exist' }), /KMS key 'alias\/does-not-exist' not found|KMS failed/);
    store.close();
  });
});
