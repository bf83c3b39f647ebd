// A cloud without a provider package yet gets a pending one: preview works, deploy stops in
// pre-flight. And a deploy where one cloud's pre-flight fails (Linode without a token here)
// stops before anything is created on the others (AWS, against moto).
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runInProcess } from '../../../test/helpers/cli.ts';
import { MOTO_MISSING, motoAvailable, startAwsEmulator, type AwsEmulator } from '../../../test/e2e/aws/moto-aws.ts';
import { AWS_TYPES, counts, inventory, stackIds } from '../../../test/e2e/aws/inventory.ts';
import { CloudNotImplementedError, pendingCloudPackages } from './pending.ts';

const FIXTURE = join(import.meta.dirname, '../../../test/fixtures/cluster/aws-linode.lisp');
const ctx = { env: {}, signal: new AbortController().signal };

test('a pending package accepts its configuration, reports "not supported yet" in pre-flight, and refuses every cloud call', async () => {
  const pkg = pendingCloudPackages().find((p) => p.name === 'hcloud')!;
  const client = await pkg.configure({ token: 'x' }, ctx);
  const problems = await pkg.preflight!(client, [], ctx);
  assert.deepEqual(
    problems.map((p) => p.message),
    ['deploying to hetzner is not supported yet: its provider is not implemented'],
  );
  for (const op of ['create', 'read', 'update', 'delete', 'adopt'] as const) {
    const type = pkg.resources['hcloud:index/server:Server']!;
    await assert.rejects((type[op] as (...args: unknown[]) => Promise<unknown>)({}, {}, {}, {}), CloudNotImplementedError, op);
  }
});

describe('deploy of a cluster on AWS and Linode, with no Linode token', { skip: motoAvailable() ? false : MOTO_MISSING, timeout: 180_000 }, () => {
  let emu: AwsEmulator;
  let dir: string;
  let env: Record<string, string | undefined>;
  const cli = (args: string[]) => runInProcess(args, { env, cwd: dir });

  before(async () => {
    emu = (await startAwsEmulator())!;
    dir = mkdtempSync(join(tmpdir(), 'sloth-pending-'));
    copyFileSync(FIXTURE, join(dir, 'cluster.lisp'));
    env = cleanEnv({ ...emu.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: 'pending passphrase', CI: 'true' });
    const created = await runInProcess(['stacks', 'create', 'mixed', '--password-stdin'], { env, cwd: dir, stdin: 'pending passphrase\n' });
    assert.equal(created.code, 0, created.stderr);
  });
  after(async () => {
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('preview shows the whole graph, Linode included', async () => {
    const r = await cli(['preview', 'mixed', '--config', 'cluster.lisp', '--operator-cidr', '203.0.113.7/32']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /linode:index\/instance:Instance/);
    assert.match(r.stdout, /aws:ec2\/instance:Instance/);
  });

  it('deploy --yes stops in pre-flight naming Linode and its place in the file; nothing is created on AWS or recorded', async () => {
    assert.equal(env.LINODE_TOKEN, undefined);
    const r = await cli(['deploy', 'mixed', '--config', 'cluster.lisp', '--operator-cidr', '203.0.113.7/32', '--yes']);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const err = r.stderr.replace(/\s+/g, ' ');
    assert.match(err, /pre-flight found 1 problem; nothing was created/);
    assert.match(err, /linode \(providers\.linode at \S*cluster\.lisp:\d+:\d+\): the provider configuration was rejected: no Linode API token: set LINODE_TOKEN/);
    assert.match(err, /Nothing was created or changed/);
    assert.deepEqual(counts(await inventory(emu.endpoint)), Object.fromEntries(AWS_TYPES.map((t) => [t, 0])), 'nothing was created in AWS');
    const exported = await cli(['stacks', 'export', 'mixed']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual(counts(stackIds(exported.stdout)), Object.fromEntries(AWS_TYPES.map((t) => [t, 0])), 'nothing was recorded in the stack');
    const deployment = (JSON.parse(exported.stdout) as { deployment?: { resources?: { type: string }[] } }).deployment;
    assert.deepEqual((deployment?.resources ?? []).filter((x) => !x.type.startsWith('pulumi:')), [], 'no resource of any cloud in the stack');
  });
});
