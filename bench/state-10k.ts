// Open (key derivation included) and save of a stack holding 10,000 resources, on a file://
// backend and on S3 (moto on loopback), plus the journal cost of an apply's steps.
//   node bench/state-10k.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearDerivedKeyCache, openStateStore, Secret } from '../src/state/index.ts';
import type { ResourceState } from '../src/state/index.ts';
import { startMoto } from '../test/helpers/moto.ts';
import { createBucket, s3Url } from '../test/helpers/s3.ts';

const N = 10_000;
const STEPS = 1_000;
const passphrase = async () => 'bench passphrase';
const provider = 'urn:pulumi:bench::sloth-kubernetes::pulumi:providers:aws::default';

function resources(): ResourceState[] {
  const out: ResourceState[] = [
    { urn: provider, custom: true, type: 'pulumi:providers:aws', id: '11111111-2222-4333-8444-555555555555', inputs: { version: '6.0.0' } },
  ];
  for (let i = 0; i < N; i++) {
    out.push({
      urn: `urn:pulumi:bench::sloth-kubernetes::aws:ec2/instance:Instance::node-${i}`,
      custom: true,
      type: 'aws:ec2/instance:Instance',
      id: `i-${i.toString(16).padStart(17, '0')}`,
      inputs: { ami: 'ami-0abcdef1234567890', instanceType: 't3.large', tags: { Name: `node-${i}`, cluster: 'bench' } },
      outputs: { privateIp: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, publicIp: `203.0.113.${i & 255}`, userData: new Secret(`#cloud-config token-${i}`) },
      provider: `${provider}::11111111-2222-4333-8444-555555555555`,
      dependencies: i > 0 ? [`urn:pulumi:bench::sloth-kubernetes::aws:ec2/instance:Instance::node-${i - 1}`] : [provider],
    });
  }
  return out;
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

async function run(label: string, env: Record<string, string>, url: string, home: string): Promise<void> {
  const store = await openStateStore({ env: { ...env, PULUMI_BACKEND_URL: url }, homedir: home, cwd: home });
  await store.createStack('bench', { passphrase: 'bench passphrase' });
  const rs = resources();
  const [, firstSave] = await time(async () => {
    const u = await (await store.openStack('bench', { passphrase })).beginUpdate('update');
    await u.record(rs.map((resource) => ({ op: 'put' as const, resource })));
    await u.finish({ result: 'succeeded', resourceChanges: { create: rs.length } });
  });
  clearDerivedKeyCache();
  const [stack, open] = await time(() => store.openStack('bench', { passphrase }));
  const [, save] = await time(async () => {
    const u = await stack.beginUpdate('update');
    await u.finish({ result: 'succeeded', resourceChanges: { same: rs.length } });
  });
  const [, listed] = await time(() => store.listStacks());
  const s2 = await store.openStack('bench', { passphrase });
  const u = await s2.beginUpdate('update');
  const before = store.blob.stats.bytesWritten;
  const [, steps] = await time(async () => {
    for (let i = 0; i < STEPS; i++) {
      const r = s2.deployment.resources[i + 1]!;
      await u.record([{ op: 'put', resource: { ...r, outputs: { ...r.outputs, publicIp: `198.51.100.${i & 255}` } } }]);
    }
  });
  const journalBytes = store.blob.stats.bytesWritten - before;
  await u.finish({ result: 'succeeded', resourceChanges: { update: STEPS } });
  const ckpt = (await store.blob.get('.pulumi/stacks/sloth-kubernetes/bench.json'))!.length;
  store.close();
  console.log(
    `${label}: checkpoint ${(ckpt / 1e6).toFixed(1)} MB, ${N + 1} resources\n` +
      `  open (PBKDF2 + read + decrypt + integrity): ${open.toFixed(0)} ms\n` +
      `  save (lock + checkpoint + .bak + history + backup): ${save.toFixed(0)} ms   first save incl. encrypting ${N} secrets: ${firstSave.toFixed(0)} ms\n` +
      `  stacks list: ${listed.toFixed(0)} ms\n` +
      `  journal: ${STEPS} steps recorded one by one in ${steps.toFixed(0)} ms (${(steps / STEPS).toFixed(2)} ms/step), ${(journalBytes / STEPS).toFixed(0)} bytes/step`,
  );
}

const home = mkdtempSync(join(tmpdir(), 'bench-state-'));
try {
  await run('file://', {}, `file://${home}/state`, home);
  const moto = await startMoto();
  if (!moto) console.log('moto S3: skipped (moto not installed)');
  else {
    try {
      await run('s3:// (moto)', moto.env, s3Url(await createBucket(moto.endpoint, moto.env), moto.endpoint), home);
    } finally {
      await moto.stop();
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
