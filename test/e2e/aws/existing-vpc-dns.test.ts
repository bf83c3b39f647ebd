// A second shape against moto: an existing VPC (its subnets chosen by zone), pools spread
// over two zones, and Route 53 records (the API name on the load balancer, one A record per
// machine). Deploy, refresh with no drift, destroy: our objects go, the user's VPC stays.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSubnetCommand, CreateVpcCommand, DescribeInstancesCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { cleanEnv, runProcess } from '../../helpers/cli.ts';
import type { CliResult } from '../../helpers/cli.ts';
import { MOTO_MISSING, motoAvailable, startAwsEmulator } from './moto-aws.ts';
import type { AwsEmulator } from './moto-aws.ts';
import { AWS_TYPES, awsClients, counts, inventory, stackIds } from './inventory.ts';

const config = (vpcId: string, keyPath?: string) => `
(cluster
  (metadata (name "edge") (environment "staging"))${keyPath ? `\n  (security (ssh (key-path "${keyPath}")))` : ''}
  (providers (aws (enabled true) (region "us-east-1") (vpc (id "${vpcId}") (cidr "10.20.0.0/16"))))
  (network
    (mode "wireguard")
    (dns (domain "example.test") (provider "route53"))
    (wireguard (enabled true) (create true) (mesh-networking true)))
  (node-pools
    (masters (name "masters") (provider "aws") (region "us-east-1") (count 3) (roles master etcd) (size "t3.medium") (zones "us-east-1a" "us-east-1b"))
    (workers (name "workers") (provider "aws") (region "us-east-1") (count 2) (roles worker) (size "t3.large") (zones "us-east-1b")))
  (kubernetes (distribution "k3s")))
`;

describe('AWS: existing VPC, two zones, Route 53 records (moto)', { skip: motoAvailable() ? false : MOTO_MISSING, timeout: 300_000 }, () => {
  let emu: AwsEmulator;
  let dir: string;
  let env: Record<string, string | undefined>;
  let vpcId: string;
  let zoneId: string;
  const subnets: Record<string, string> = {};
  const cli = (args: string[]): Promise<CliResult> => runProcess(args, { env, cwd: dir });
  const ok = (r: CliResult) => assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);

  before(async () => {
    emu = (await startAwsEmulator())!;
    dir = mkdtempSync(join(tmpdir(), 'sloth-aws-vpc-'));
    env = cleanEnv({ ...emu.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: 'edge passphrase', CI: 'true' });
    const { ec2, route53 } = awsClients(emu.endpoint);
    vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    for (const [zone, cidr] of [
      ['us-east-1a', '10.20.1.0/24'],
      ['us-east-1b', '10.20.2.0/24'],
    ] as const) {
      subnets[zone] = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, AvailabilityZone: zone, CidrBlock: cidr }))).Subnet!.SubnetId!;
    }
    zoneId = (await route53.send(new CreateHostedZoneCommand({ Name: 'example.test', CallerReference: `edge-${Date.now()}` }))).HostedZone!.Id!.replace('/hostedzone/', '');
    writeFileSync(join(dir, 'edge.lisp'), config(vpcId));
    ok(await runProcess(['stacks', 'create', 'edge', '--password-stdin'], { env, cwd: dir, stdin: 'edge passphrase\n' }));
  });
  after(async () => {
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('places machines in the VPC subnet of their zone and writes the DNS records', async () => {
    ok(await cli(['deploy', 'edge', '--config', 'edge.lisp', '--no-bootstrap', '--operator-cidr', '198.51.100.4/32', '--yes']));
    const { ec2, elb, route53 } = awsClients(emu.endpoint);
    const inv = await inventory(emu.endpoint);
    assert.equal(inv['aws:ec2/vpc:Vpc']!.length, 0, 'no VPC of ours: the existing one is used');
    assert.equal(inv['aws:ec2/subnet:Subnet']!.length, 0);
    assert.equal(inv['aws:ec2/instance:Instance']!.length, 5);
    const instances = ((await ec2.send(new DescribeInstancesCommand({ InstanceIds: inv['aws:ec2/instance:Instance'] }))).Reservations ?? []).flatMap((r) => r.Instances ?? []);
    const byName = new Map(instances.map((i) => [i.Tags!.find((t) => t.Key === 'Name')!.Value!, i]));
    assert.equal(byName.get('masters-1')!.SubnetId, subnets['us-east-1a']);
    assert.equal(byName.get('masters-2')!.SubnetId, subnets['us-east-1b']);
    assert.equal(byName.get('masters-3')!.SubnetId, subnets['us-east-1a']);
    assert.equal(byName.get('workers-1')!.SubnetId, subnets['us-east-1b']);
    for (const i of instances) assert.equal(i.VpcId, vpcId);

    const lb = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: inv['aws:lb/loadBalancer:LoadBalancer'] }))).LoadBalancers![0]!;
    assert.deepEqual(lb.AvailabilityZones!.map((z) => z.SubnetId).sort(), Object.values(subnets).sort(), 'the load balancer spans both zones');
    const sets = (await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets ?? [];
    const record = (name: string, type: string) => sets.find((s) => s.Name === `${name}.` && s.Type === type)?.ResourceRecords?.map((r) => r.Value);
    assert.deepEqual(record('api.example.test', 'CNAME'), [lb.DNSName]);
    for (const [name, i] of byName) assert.deepEqual(record(`${name}.example.test`, 'A'), [i.PublicIpAddress], name);
    assert.equal(inv['aws:route53/record:Record']!.length, 6);
    assert.deepEqual(stackIds((await cli(['stacks', 'export', 'edge'])).stdout), inv);
  });

  it('a new deploy key replaces the key pair delete-first (its name is unique), and the machines whose user data carries it', { skip: spawnSync('ssh-keygen', ['-?']).error ? 'ssh-keygen is missing' : false }, async () => {
    const before = await inventory(emu.endpoint);
    const key = join(dir, 'id_ed25519');
    assert.equal(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'edge', '-f', key]).status, 0);
    writeFileSync(join(dir, 'edge-key.lisp'), config(vpcId, key));
    const r = await cli(['deploy', 'edge', '--config', 'edge-key.lisp', '--no-bootstrap', '--operator-cidr', '198.51.100.4/32', '--yes', '--json']);
    ok(r);
    const plan = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{"type":"plan"'))!) as { steps: { type: string; op: string; deleteBeforeReplace?: boolean }[] };
    const aws = plan.steps.filter((s) => s.type.startsWith('aws:'));
    assert.deepEqual(aws.find((s) => s.type === 'aws:ec2/keyPair:KeyPair'), { ...aws.find((s) => s.type === 'aws:ec2/keyPair:KeyPair'), op: 'replace', deleteBeforeReplace: true });
    assert.equal(aws.filter((s) => s.type === 'aws:ec2/instance:Instance' && s.op === 'replace').length, 5);
    assert.ok(aws.every((s) => ['aws:ec2/keyPair:KeyPair', 'aws:ec2/instance:Instance', 'aws:lb/targetGroupAttachment:TargetGroupAttachment', 'aws:route53/record:Record'].includes(s.type)), 'networks, groups and the load balancer stay');
    const now = await inventory(emu.endpoint);
    assert.equal(now['aws:ec2/keyPair:KeyPair']!.length, 1);
    assert.notDeepEqual(now['aws:ec2/keyPair:KeyPair'], before['aws:ec2/keyPair:KeyPair']);
    assert.equal(now['aws:ec2/instance:Instance']!.length, 5);
    assert.deepEqual(now['aws:lb/loadBalancer:LoadBalancer'], before['aws:lb/loadBalancer:LoadBalancer']);
    assert.deepEqual(stackIds((await cli(['stacks', 'export', 'edge'])).stdout), now);
  });

  it('refresh finds no drift; destroy removes our objects and keeps the VPC', async () => {
    ok(await cli(['refresh', 'edge', '--expect-no-changes']));
    ok(await cli(['destroy', 'edge', '--yes']));
    assert.deepEqual(counts(await inventory(emu.endpoint)), Object.fromEntries(AWS_TYPES.map((t) => [t, 0])));
    const { ec2 } = awsClients(emu.endpoint);
    assert.equal((await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs!.length, 1);
    assert.equal((await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Subnets!.length, 2);
  });
});
