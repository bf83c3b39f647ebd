// The seed's "AWS Production Cluster" end to end against moto, through the real CLI process:
// deploy (infrastructure only: moto's instances are not machines), the outputs and nodes
// list against what moto holds, a deploy with no changes, a scale from 10 to 12 workers, a
// refresh after an instance was terminated behind our back, and a destroy that leaves moto
// with none of our resources. One moto server for the file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { cleanEnv, runProcess } from '../../helpers/cli.ts';
import type { CliResult } from '../../helpers/cli.ts';
import { MOTO_MISSING, motoAvailable, startAwsEmulator, NEWEST_UBUNTU } from './moto-aws.ts';
import type { AwsEmulator } from './moto-aws.ts';
import { AWS_TYPES, awsClients, counts, inventory, stackIds } from './inventory.ts';

const SEED = new URL('../../fixtures/config/seeds/aws-production.lisp', import.meta.url);
const OPERATOR = '203.0.113.7/32';

describe('AWS production example against moto', { skip: motoAvailable() ? false : MOTO_MISSING, timeout: 300_000 }, () => {
  let emu: AwsEmulator;
  let dir: string;
  let env: Record<string, string | undefined>;
  const cli = (args: string[], extra: Record<string, string | undefined> = {}): Promise<CliResult> => runProcess(args, { env: { ...env, ...extra }, cwd: dir });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  const config = (workers: number) => {
    const file = join(dir, `cluster-${workers}.lisp`);
    writeFileSync(file, readFileSync(SEED, 'utf8').replace('(count 10)', `(count ${workers})`));
    return file;
  };
  const deploy = (file: string, extra: string[] = []) => cli(['deploy', 'prod', '--config', file, '--no-bootstrap', '--operator-cidr', OPERATOR, '--yes', ...extra]);
  const planOf = (r: CliResult) => JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{"type":"plan"'))!) as { summary: Record<string, number>; steps: { type: string; name: string; op: string }[] };
  const exported = async () => {
    const r = await cli(['stacks', 'export', 'prod']);
    ok(r);
    return stackIds(r.stdout);
  };

  before(async () => {
    emu = (await startAwsEmulator())!;
    dir = mkdtempSync(join(tmpdir(), 'sloth-aws-e2e-'));
    env = cleanEnv({ ...emu.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: 'correct horse battery staple', CI: 'true' });
    ok(await runProcess(['stacks', 'create', 'prod', '--password-stdin'], { env, cwd: dir, stdin: 'correct horse battery staple\n' }));
  });
  after(async () => {
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('deploys the seed example: moto holds every planned resource, and the stack tracks exactly those', async () => {
    const r = await deploy(config(10), ['--json']);
    ok(r);
    assert.equal(planOf(r).summary.create, 55);
    const inv = await inventory(emu.endpoint);
    assert.deepEqual(counts(inv), {
      'aws:ec2/vpc:Vpc': 1,
      'aws:ec2/internetGateway:InternetGateway': 1,
      'aws:ec2/routeTable:RouteTable': 1,
      'aws:ec2/subnet:Subnet': 1,
      'aws:ec2/routeTableAssociation:RouteTableAssociation': 1,
      'aws:ec2/securityGroup:SecurityGroup': 3,
      'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule': 8,
      'aws:ec2/keyPair:KeyPair': 1,
      'aws:ec2/instance:Instance': 14,
      'aws:lb/loadBalancer:LoadBalancer': 1,
      'aws:lb/targetGroup:TargetGroup': 1,
      'aws:lb/listener:Listener': 1,
      'aws:lb/targetGroupAttachment:TargetGroupAttachment': 3,
      'aws:route53/record:Record': 0,
    });
    assert.deepEqual(await exported(), inv);

    // What the instances are made of: the newest Ubuntu 24.04, IMDSv2 with a hop limit of 1, spot workers, our tags.
    const { ec2 } = awsClients(emu.endpoint);
    const instances = ((await ec2.send(new DescribeInstancesCommand({ InstanceIds: inv['aws:ec2/instance:Instance'] }))).Reservations ?? []).flatMap((x) => x.Instances ?? []);
    for (const i of instances) {
      const name = i.Tags?.find((t) => t.Key === 'Name')?.Value ?? '';
      assert.equal(i.ImageId, NEWEST_UBUNTU, name);
      assert.equal(i.MetadataOptions?.HttpTokens, 'required', name);
      // One hop: a pod behind the node's network namespace gets no answer from the metadata service.
      assert.equal(i.MetadataOptions?.HttpPutResponseHopLimit, 1, name);
      assert.equal(i.InstanceType, name === 'bastion' ? 't3.micro' : name.startsWith('masters') ? 't3.large' : 't3.xlarge');
      assert.equal(i.InstanceLifecycle === 'spot', name.startsWith('workers'), `${name} spot`);
      assert.ok(i.Tags?.some((t) => t.Key === 'sloth-kubernetes/stack' && t.Value === 'prod'), name);
    }
  });

  it('stacks output and nodes list show the addresses moto gave the instances, and no secret', async () => {
    const { ec2 } = awsClients(emu.endpoint);
    const instances = ((await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }))).Reservations ?? []).flatMap((x) => x.Instances ?? []);
    const byName = new Map(instances.map((i) => [i.Tags!.find((t) => t.Key === 'Name')!.Value!, i]));

    const hidden = JSON.parse((await cli(['stacks', 'output', 'prod', '--json'])).stdout) as Record<string, unknown>;
    assert.equal(hidden['nodes'], '[secret]', 'the state layer keeps the node map encrypted');
    const out = await cli(['stacks', 'output', 'prod', '--json', '--show-secrets']);
    ok(out);
    const outputs = JSON.parse(out.stdout) as { nodes: Record<string, { publicAddress: string; privateAddress: string }> };
    assert.equal(Object.keys(outputs.nodes).length, 14);
    for (const [name, n] of Object.entries(outputs.nodes)) {
      assert.equal(n.publicAddress, byName.get(name)?.PublicIpAddress, name);
      assert.equal(n.privateAddress, byName.get(name)?.PrivateIpAddress, name);
    }

    const list = await cli(['nodes', 'list', 'prod', '--json']);
    ok(list);
    const rows = JSON.parse(list.stdout) as { name: string; roles: string[]; provider: string; region: string; publicAddress: string; privateAddress: string; meshAddress: string; joined: boolean }[];
    assert.deepEqual(
      rows.map((r) => r.name),
      ['bastion', 'masters-1', 'masters-2', 'masters-3', ...Array.from({ length: 10 }, (_, i) => `workers-${i + 1}`)],
    );
    for (const r of rows) {
      assert.equal(r.publicAddress, byName.get(r.name)!.PublicIpAddress);
      assert.equal(r.privateAddress, byName.get(r.name)!.PrivateIpAddress);
      assert.equal(r.provider, 'aws');
      assert.equal(r.region, 'us-east-1');
      assert.match(r.meshAddress, /^10\.8\.0\.\d+$/);
      assert.equal(r.joined, false, 'nothing is joined without bootstrap');
    }
    assert.deepEqual(rows.find((r) => r.name === 'masters-2')!.roles, ['master', 'etcd']);

    const table = await cli(['nodes', 'list', 'prod']);
    ok(table);
    assert.match(table.stdout, /^NAME\s+ROLES\s+PROVIDER\s+REGION\s+PUBLIC\s+PRIVATE\s+MESH\s+JOINED$/m);
    assert.match(table.stdout, new RegExp(`^workers-10\\s+worker\\s+aws\\s+us-east-1\\s+${byName.get('workers-10')!.PublicIpAddress!.replaceAll('.', '\\.')}\\s`, 'm'));
    assert.doesNotMatch(list.stdout + table.stdout, /BEGIN|PRIVATE KEY|password|token/i);
  });

  it('a second deploy changes nothing', async () => {
    const before = await inventory(emu.endpoint);
    const r = await deploy(config(10), ['--json']);
    ok(r);
    const plan = planOf(r);
    assert.deepEqual({ ...plan.summary, same: 0 }, { create: 0, update: 0, replace: 0, delete: 0, same: 0 });
    assert.deepEqual(plan.steps, []);
    assert.doesNotMatch(r.stdout, /"type":"step-start"/);
    assert.deepEqual(await inventory(emu.endpoint), before);
    // And the cloud agrees with the stack: a refresh finds no drift.
    ok(await cli(['refresh', 'prod', '--expect-no-changes']));
  });

  it('scaling workers from 10 to 12 creates those two instances (and their node records) and changes nothing else', async () => {
    const before = await inventory(emu.endpoint);
    const file = config(12);
    const preview = await cli(['preview', 'prod', '--config', file, '--no-bootstrap', '--operator-cidr', OPERATOR, '--json']);
    ok(preview);
    const plan = JSON.parse(preview.stdout) as { summary: Record<string, number>; steps: { type: string; name: string; op: string }[] };
    assert.deepEqual(
      plan.steps.map((s) => `${s.op} ${s.type} ${s.name}`).sort(),
      [
        'create aws:ec2/instance:Instance workers-11',
        'create aws:ec2/instance:Instance workers-12',
        'create sloth:cluster:Machine workers-11',
        'create sloth:cluster:Machine workers-12',
      ],
    );
    ok(await deploy(file));
    const now = await inventory(emu.endpoint);
    for (const type of AWS_TYPES) {
      if (type === 'aws:ec2/instance:Instance') {
        assert.equal(now[type]!.length, before[type]!.length + 2);
        assert.ok(before[type]!.every((id) => now[type]!.includes(id)), 'the ten workers stay');
      } else assert.deepEqual(now[type], before[type], type);
    }
    const rows = JSON.parse((await cli(['nodes', 'list', 'prod', '--json'])).stdout) as { name: string }[];
    assert.equal(rows.length, 16);
    assert.deepEqual(await exported(), now);
  });

  it('refresh reports an instance terminated behind our back as gone, and the next deploy brings it back', async () => {
    const { ec2 } = awsClients(emu.endpoint);
    const all = ((await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['workers-5'] }, { Name: 'instance-state-name', Values: ['running'] }] }))).Reservations ?? []).flatMap((x) => x.Instances ?? []);
    assert.equal(all.length, 1);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [all[0]!.InstanceId!] }));

    const r = await cli(['refresh', 'prod']);
    ok(r);
    assert.match(r.stdout + r.stderr, /aws:ec2\/instance:Instance workers-5: gone/);
    assert.match(r.stdout + r.stderr, /1 deleted/);
    assert.ok(!(await exported())['aws:ec2/instance:Instance']!.includes(all[0]!.InstanceId!));

    const again = await deploy(config(12), ['--json']);
    ok(again);
    assert.deepEqual(
      planOf(again).steps.map((s) => `${s.op} ${s.name}`),
      ['create workers-5'],
    );
    assert.deepEqual(await exported(), await inventory(emu.endpoint));
  });

  it('destroy leaves moto with none of our resources, of any type', async () => {
    ok(await cli(['destroy', 'prod', '--yes']));
    const inv = await inventory(emu.endpoint);
    assert.deepEqual(counts(inv), Object.fromEntries(AWS_TYPES.map((t) => [t, 0])));
    assert.deepEqual(await exported(), inv);
  });
});
