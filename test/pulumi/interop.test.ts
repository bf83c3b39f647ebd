// Our stacks are Pulumi self-managed stacks: proven with the real Pulumi CLI (built from its Go
// module by scripts/test-peers), on a file:// backend with the passphrase provider and on
// s3:// (moto) with AWS KMS. Both ways: a stack we deployed is listed, exported (secrets
// decrypted with --show-secrets, ciphertext without), and its history read by `pulumi`; our
// lock is honoured by `pulumi` and `pulumi cancel` frees it for us; a stack made by
// `pulumi stack init`, `pulumi config set --secret` and `pulumi stack import` is read by our
// `stacks list|info|output|export`. Differences found are documented in docs/state.md.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { HistoryEnv, PASSPHRASE } from '../../src/cli/history/testing.ts';
import { openStateStore } from '../../src/state/index.ts';
import { PassphraseCrypter } from '../../src/state/secrets/passphrase.ts';
import { registerSimulatedClouds } from '../provider/simulated-cloud.ts';
import { startMoto, type MotoServer } from '../helpers/moto.ts';
import { missing, which } from '../helpers/parts.ts';
import { createBucket, s3Url } from '../helpers/s3.ts';

const skip = missing('pulumi', 'moto');
const TOKEN = 'dop_v1_interop_planted_token_77ab';
const STACK = 'organization/sloth-kubernetes/dev';
const config = `
(cluster
  (metadata (name "dev") (environment "test"))
  (providers (digitalocean (enabled true) (region "nyc3") (token (env "DIGITALOCEAN_TOKEN"))))
  (network (mode "wireguard") (wireguard (enabled true) (create true) (mesh-networking true)))
  (node-pools (masters (name "masters") (provider "digitalocean") (count 1) (roles master etcd) (size "s-2vcpu-4gb")))
  (kubernetes (distribution "k3s")))
`;

let moto: MotoServer | undefined;
let unregister: () => void;
before(async () => {
  if (skip) return;
  moto = await startMoto();
  unregister = registerSimulatedClouds();
});
after(async () => {
  unregister?.();
  await moto?.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `pulumi`, with its home in the test's directory and no update check. */
function pulumi(e: HistoryEnv, args: string[], cwd = e.dir): Run {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: e.dir,
    PULUMI_HOME: join(e.dir, '.pulumi-home'),
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
  };
  for (const [k, v] of Object.entries(e.env)) if (v !== undefined && (k.startsWith('PULUMI_') || k.startsWith('AWS_'))) env[k] = v;
  const r = spawnSync(which('pulumi')!, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

interface Exported {
  deployment: { resources?: { urn: string; type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[]; secrets_providers?: { type: string; state: unknown } };
}

const SIG = '4dabf18193072939515e22adb298388d';
/**
 * A deployment as a value, without the two ways Go re-encodes what it reads: a secret's
 * plaintext JSON is re-marshalled (object keys sorted, `<>&` escaped) and timestamps lose
 * trailing zeros (RFC 3339 nano). Both are documented in docs/state.md.
 */
function normalised(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => normalised(x));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o[SIG] !== undefined && typeof o.plaintext === 'string') return { secret: normalised(JSON.parse(o.plaintext)) };
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, normalised(o[k], k)]));
  }
  if ((key === 'created' || key === 'modified') && typeof v === 'string') return new Date(v).toISOString();
  return v;
}

async function kmsAlias(m: MotoServer): Promise<string> {
  const kms = new KMSClient({ endpoint: m.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const alias = `alias/sloth-interop-${KeyMetadata!.KeyId!.slice(0, 8)}`;
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata!.KeyId }));
  kms.destroy();
  return alias;
}

for (const backend of ['file', 'moto S3 + KMS'] as const) {
  describe(`the real Pulumi CLI on ${backend}`, { skip, timeout: 240_000 }, () => {
    let e: HistoryEnv;
    let kms: string | undefined;
    before(async () => {
      const onS3 = backend !== 'file';
      const url = onS3 ? s3Url(await createBucket(moto!.endpoint, moto!.env), moto!.endpoint) : undefined;
      e = new HistoryEnv(url, { ...(onS3 ? moto!.env : {}), DIGITALOCEAN_TOKEN: TOKEN });
      kms = onS3 ? await kmsAlias(moto!) : undefined;
    });
    after(() => e?.cleanup());

    test('a stack we deployed: pulumi lists it, exports it (secrets only with --show-secrets) and reads its history', async () => {
      const created = await e.run(['stacks', 'create', 'dev', ...(kms ? ['--kms-key', kms] : [])]);
      assert.equal(created.code, 0, created.stderr);
      writeFileSync(join(e.dir, 'cluster.lisp'), config);
      const deployed = await e.run(['deploy', 'dev', '--config', 'cluster.lisp', '--yes', '-m', 'first deploy']);
      assert.equal(deployed.code, 0, deployed.stderr + deployed.stdout.slice(-1500));
      const ours = JSON.parse((await e.run(['stacks', 'export', 'dev', '--show-secrets'])).stdout) as Exported;
      const ourResources = ours.deployment.resources!;

      const listed = JSON.parse(ok(pulumi(e, ['stack', 'ls', '--all', '--json']), 'pulumi stack ls')) as { name: string; resourceCount?: number }[];
      assert.deepEqual(listed.map((s) => [s.name, s.resourceCount]), [[STACK, ourResources.length]]);

      const revealed = JSON.parse(ok(pulumi(e, ['stack', 'export', '-s', STACK, '--show-secrets']), 'pulumi stack export --show-secrets')) as Exported;
      assert.deepEqual(revealed.deployment.resources!.map((r) => r.urn), ourResources.map((r) => r.urn));
      assert.equal(revealed.deployment.secrets_providers!.type, kms ? 'cloud' : 'passphrase');
      // Every resource and secret we hold (a private key, the config, the Lisp text) reads the same in Pulumi's export.
      assert.deepEqual(normalised(revealed.deployment.resources), normalised(ourResources));
      const deployKey = JSON.stringify(ourResources).match(/-----BEGIN OPENSSH PRIVATE KEY-----[^"]+/)![0];
      assert.ok(JSON.stringify(revealed).includes(deployKey), 'pulumi decrypted the deploy key');
      const sealed = ok(pulumi(e, ['stack', 'export', '-s', STACK]), 'pulumi stack export');
      assert.ok(!sealed.includes(deployKey) && !sealed.includes('BEGIN OPENSSH PRIVATE KEY') && sealed.includes('"ciphertext"'), 'without --show-secrets the secrets stay ciphertext');

      const history = JSON.parse(ok(pulumi(e, ['stack', 'history', '-s', STACK, '--json']), 'pulumi stack history')) as { kind: string; result: string; message?: string; resourceChanges?: Record<string, number> }[];
      assert.ok(history.length >= 1, 'pulumi sees our updates');
      assert.deepEqual([history[0]!.kind, history[0]!.result, history[0]!.message], ['update', 'succeeded', 'first deploy']);
      assert.equal(history[0]!.resourceChanges!.create, ourResources.length - 1, JSON.stringify(history[0])); // all but the root Stack resource
    });

    test('our lock is honoured by pulumi, and pulumi cancel frees it for us', async () => {
      const store = await openStateStore({ env: e.env, homedir: e.dir, cwd: e.dir });
      try {
        const opened = await store.openStack('dev', { passphrase: async () => PASSPHRASE });
        await opened.beginUpdate('update', 'holding the lock'); // never finished: as a killed deploy leaves it
      } finally {
        store.close();
      }
      const exported = ok(pulumi(e, ['stack', 'export', '-s', STACK]), 'pulumi stack export');
      writeFileSync(join(e.dir, 'export.json'), exported);
      const refused = pulumi(e, ['stack', 'import', '-s', STACK, '--file', join(e.dir, 'export.json')]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /the stack is currently locked by 1 lock\(s\)/);
      writeFileSync(join(e.dir, 'scaled.lisp'), config.replace('(count 1)', '(count 3)'));
      const blocked = await e.run(['deploy', 'dev', '--config', 'scaled.lisp', '--yes']);
      assert.notEqual(blocked.code, 0, blocked.stdout + blocked.stderr);
      assert.match(blocked.stderr, /lock/i);

      ok(pulumi(e, ['cancel', '-s', STACK, '--yes']), 'pulumi cancel');
      const after = await e.run(['deploy', 'dev', '--config', 'scaled.lisp', '--yes']);
      assert.equal(after.code, 0, after.stderr);
      assert.match(after.stdout, /to create/);
      ok(pulumi(e, ['stack', 'import', '-s', STACK, '--file', join(e.dir, 'export.json')]), 'pulumi stack import once the lock is gone');
    });

    test('a stack made by pulumi stack init, config set --secret and stack import is ours to read', async () => {
      const project = join(e.dir, 'project');
      mkdirSync(project, { recursive: true });
      writeFileSync(join(project, 'Pulumi.yaml'), 'name: sloth-kubernetes\nruntime: nodejs\n');
      ok(pulumi(e, ['stack', 'init', 'other', ...(kms ? ['--secrets-provider', `awskms://${kms}?region=us-east-1`] : [])], project), 'pulumi stack init');
      ok(pulumi(e, ['config', 'set', '--secret', 'apiToken', 'config-secret-3c9f'], project), 'pulumi config set --secret');

      // A deployment as `pulumi stack export` gives one, edited: a root Stack with a secret output and a resource.
      const current = JSON.parse(ok(pulumi(e, ['stack', 'export', '-s', 'organization/sloth-kubernetes/other']), 'pulumi stack export')) as Exported & { deployment: { manifest: { version: string } } };
      const version = current.deployment.manifest.version;
      const root = 'urn:pulumi:other::sloth-kubernetes::pulumi:pulumi:Stack::sloth-kubernetes-other';
      const secret = (v: string) => ({ '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', plaintext: JSON.stringify(v) });
      const imported = {
        version: 3,
        deployment: {
          manifest: { time: new Date().toISOString(), magic: createHash('sha256').update(version).digest('hex'), version },
          secrets_providers: current.deployment.secrets_providers,
          resources: [
            { urn: root, custom: false, type: 'pulumi:pulumi:Stack', outputs: { api_endpoint: 'https://api.example.com:6443', adminToken: secret('tok-plain-5e1d') } },
            { urn: 'urn:pulumi:other::sloth-kubernetes::pulumi:providers:aws::default', custom: true, id: 'p-1', type: 'pulumi:providers:aws', inputs: { region: 'us-east-1' }, outputs: { region: 'us-east-1' } },
            {
              urn: 'urn:pulumi:other::sloth-kubernetes::aws:ec2/vpc:Vpc::main',
              custom: true,
              id: 'vpc-123',
              type: 'aws:ec2/vpc:Vpc',
              parent: root,
              provider: 'urn:pulumi:other::sloth-kubernetes::pulumi:providers:aws::default::p-1',
              inputs: { cidrBlock: '10.0.0.0/16' },
              outputs: { cidrBlock: '10.0.0.0/16', id: 'vpc-123' },
            },
          ],
        },
      };
      writeFileSync(join(project, 'import.json'), JSON.stringify(imported));
      ok(pulumi(e, ['stack', 'import', '-s', 'organization/sloth-kubernetes/other', '--file', 'import.json'], project), 'pulumi stack import');
      assert.ok(!readFileSync(join(project, 'import.json'), 'utf8').includes('ciphertext'));

      const list = await e.run(['stacks', 'list', '--json']);
      assert.equal(list.code, 0, list.stderr);
      const other = (JSON.parse(list.stdout) as { name: string; resourceCount: number }[]).find((s) => s.name === 'other');
      assert.equal(other?.resourceCount, 3, list.stdout);
      const info = await e.run(['stacks', 'info', 'other']);
      assert.equal(info.code, 0, info.stderr);
      assert.match(info.stdout, kms ? /Encryption: AWS KMS/ : /Encryption: Passphrase/);
      assert.match(info.stdout, /aws:ec2\/vpc:Vpc: 1/);
      const hidden = await e.run(['stacks', 'output', 'other']);
      assert.ok(!hidden.stdout.includes('tok-plain-5e1d'), hidden.stdout);
      const shown = await e.run(['stacks', 'output', 'other', '--show-secrets']);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /adminToken: tok-plain-5e1d/);
      assert.match(shown.stdout, /api_endpoint: https:\/\/api\.example\.com:6443/);
      const ours = JSON.parse((await e.run(['stacks', 'export', 'other', '--show-secrets'])).stdout) as Exported;
      assert.deepEqual(normalised(ours.deployment.resources), normalised(imported.deployment.resources));

      // `config set --secret` encrypted with the stack's passphrase key: the same key we derive.
      if (!kms) {
        const file = parse(readFileSync(join(project, 'Pulumi.other.yaml'), 'utf8')) as { encryptionsalt: string; config: Record<string, { secure: string }> };
        const crypter = await PassphraseCrypter.unlock(file.encryptionsalt, PASSPHRASE, 'other');
        assert.equal(crypter.decrypt(file.config['sloth-kubernetes:apiToken']!.secure), 'config-secret-3c9f');
      }
      assert.ok(readdirSync(project).includes('Pulumi.other.yaml'));
    });
  });
}
