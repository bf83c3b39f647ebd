// The AWS resource types one by one against moto, through their create / read / update /
// delete / adopt contract: updates in place, adopt by URN tag (and never a tracked id), a
// retried instance create that finds its own instance instead of making a twin, reads that
// answer "gone", deletes of what is already gone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  DeleteSubnetCommand,
  DescribeInstancesCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { MOTO_MISSING, motoAvailable, startAwsEmulator } from '../../../test/e2e/aws/moto-aws.ts';
import type { AwsEmulator } from '../../../test/e2e/aws/moto-aws.ts';
import { urnTag } from '../../engine/index.ts';
import type { CallContext, ResourceType } from '../../engine/index.ts';
import type { PropertyMap } from '../../state/types.ts';
import { makeClient } from './client.ts';
import type { AwsClient } from './client.ts';
import { provider } from './index.ts';
import { groupDependents, publicAddressDependents, subnetDependents } from './ec2/dependents.ts';
import { checkRequests, recordRequests } from './testing/service-models.ts';
import type { RecordedRequest } from './testing/service-models.ts';

describe('AWS resource types against moto', { skip: motoAvailable() ? false : MOTO_MISSING, timeout: 120_000 }, () => {
  let emu: AwsEmulator;
  let client: AwsClient;
  const requests: RecordedRequest[] = [];

  before(async () => {
    emu = (await startAwsEmulator())!;
    client = makeClient({ region: 'us-east-1' }, emu.env);
    recordRequests(client, requests);
  });
  after(async () => {
    await emu?.stop();
    assert.deepEqual(checkRequests(requests), [], 'every request conforms to the service models');
  });

  const ctx = (name: string, type: string): CallContext<AwsClient> & { knownIds: string[] } => {
    const urn = `urn:pulumi:unit::sloth-kubernetes::${type}::${name}`;
    return { urn, name, type, urnTag: urnTag(urn), client, signal: AbortSignal.timeout(60_000), log: () => undefined, knownIds: [] };
  };
  const type = (t: string) => provider.resources[t] as ResourceType<AwsClient>;
  const VPC = 'aws:ec2/vpc:Vpc';

  it('VPC: tags and DNS attributes update in place; adopt finds it by URN tag, skipping tracked ids; gone is gone', async () => {
    const c = ctx('main', VPC);
    const inputs: PropertyMap = { cidrBlock: '10.9.0.0/16', enableDnsSupport: true, enableDnsHostnames: true, tags: { team: 'a' } };
    const made = await type(VPC).create(inputs, c);
    const news = { ...inputs, enableDnsHostnames: false, tags: { team: 'b', env: 'x' } };
    await type(VPC).update!(made.id, { inputs, outputs: made.outputs }, news, c);
    const read = await type(VPC).read(made.id, { inputs, outputs: made.outputs }, c);
    assert.deepEqual(read?.inputs, { ...news });
    assert.equal((await type(VPC).adopt(inputs, c))?.id, made.id);
    assert.equal(await type(VPC).adopt(inputs, { ...c, knownIds: [made.id] }), undefined);
    assert.equal(await type(VPC).adopt(inputs, ctx('other', VPC)), undefined, 'another URN does not adopt it');
    await type(VPC).delete(made.id, { inputs, outputs: made.outputs }, c);
    assert.equal(await type(VPC).read(made.id, { inputs, outputs: made.outputs }, c), undefined);
    await type(VPC).delete(made.id, { inputs, outputs: made.outputs }, c);
  });

  it('instance: a retried create finds the instance its first attempt made; update changes tags and metadata options; delete waits for termination', async () => {
    const vpc = await type(VPC).create({ cidrBlock: '10.10.0.0/16', tags: {} }, ctx('net', VPC));
    const subnet = await type('aws:ec2/subnet:Subnet').create({ vpcId: vpc.id, cidrBlock: '10.10.0.0/20', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: true, tags: {} }, ctx('net-a', 'aws:ec2/subnet:Subnet'));
    const sg = await type('aws:ec2/securityGroup:SecurityGroup').create(
      { name: 'unit', description: 'unit', vpcId: vpc.id, egress: [{ ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }, { ipProtocol: '-1', cidrIpv6: '::/0' }], tags: {} },
      ctx('sg', 'aws:ec2/securityGroup:SecurityGroup'),
    );
    const sgRead = await type('aws:ec2/securityGroup:SecurityGroup').read(sg.id, { inputs: {}, outputs: sg.outputs }, ctx('sg', 'aws:ec2/securityGroup:SecurityGroup'));
    assert.deepEqual(sgRead?.inputs?.['egress'], [{ ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }, { ipProtocol: '-1', cidrIpv6: '::/0' }]);

    const INSTANCE = 'aws:ec2/instance:Instance';
    const c = ctx('node-1', INSTANCE);
    const inputs: PropertyMap = {
      ami: 'ami-04b70fa74e45c3917',
      instanceType: 't3.small',
      subnetId: subnet.id,
      availabilityZone: 'us-east-1a',
      vpcSecurityGroupIds: [sg.id],
      userData: '#cloud-config\n',
      associatePublicIpAddress: true,
      spot: false,
      metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      tags: { Name: 'node-1' },
    };
    const first = await type(INSTANCE).create(inputs, c);
    assert.match(String(first.outputs['publicIp']), /^\d+\.\d+\.\d+\.\d+$/);
    const volumes = (await client.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [first.id] }] }))).Volumes ?? [];
    assert.deepEqual(
      volumes.map((v) => [v.Encrypted, v.VolumeType, v.Size]),
      [[true, 'gp3', 15]],
      'an encrypted gp3 root volume of the image size',
    );
    // As if the call had failed after AWS made the instance: the retry reuses the token.
    const token = requests.filter((r) => r.operation === 'RunInstances').at(-1)!.input as { ClientToken: string };
    client.pendingTokens.set(c.urn, token.ClientToken);
    const retried = await type(INSTANCE).create(inputs, c);
    assert.equal(retried.id, first.id, 'no twin');
    assert.equal(client.pendingTokens.has(c.urn), false);

    const news = { ...inputs, metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 }, tags: { Name: 'node-1', pool: 'p' } };
    await type(INSTANCE).update!(first.id, { inputs, outputs: first.outputs }, news, c);
    const read = await type(INSTANCE).read(first.id, { inputs, outputs: first.outputs }, c);
    assert.deepEqual(read?.inputs?.['metadataOptions'], { httpTokens: 'required', httpPutResponseHopLimit: 2 });
    assert.deepEqual(read?.inputs?.['tags'], { Name: 'node-1', pool: 'p' });
    assert.deepEqual(read?.inputs?.['vpcSecurityGroupIds'], [sg.id]);

    await type(INSTANCE).delete(first.id, { inputs, outputs: first.outputs }, c);
    const state = (await client.ec2.send(new DescribeInstancesCommand({ InstanceIds: [first.id] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name;
    assert.equal(state, 'terminated');
    assert.equal(await type(INSTANCE).read(first.id, { inputs, outputs: first.outputs }, c), undefined);
    assert.equal(await type(INSTANCE).adopt(inputs, c), undefined, 'a terminated instance is not adopted');
  });

  it('key pair: the public key is read back (kept as written when AWS holds the same key); adopt reports the key AWS holds; the image look-up is made again by recover', async () => {
    const KEY = 'aws:ec2/keyPair:KeyPair';
    const c = ctx('deploy', KEY);
    const original = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGvWdyRZ2Xlc3iKfd6fH0M3hnZ0iJqK8W9T7iQeQ2y5H sloth-kubernetes unit';
    const inputs: PropertyMap = { keyName: 'unit-deploy', publicKey: original, tags: {} };
    const made = await type(KEY).create(inputs, c);
    assert.equal((await type(KEY).read(made.id, { inputs, outputs: made.outputs }, c))?.inputs?.['publicKey'], original);
    // A lost stack's planner generated another key: the cloud's own is what it learns.
    const regenerated = { ...inputs, publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBMk24y7ZuLHgPN3yIaqYliQK4YQn1dcG8YU6h0rGcWU other' };
    const found = await type(KEY).adopt(regenerated, c);
    assert.equal(found?.id, made.id);
    assert.match(String(found?.outputs['publicKey']), /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGvWdyRZ2Xlc3iKfd6fH0M3hnZ0iJqK8W9T7iQeQ2y5H\b/);
    assert.match(String((await type(KEY).read(made.id, { inputs: regenerated, outputs: made.outputs }, c))?.inputs?.['publicKey']), /AAAAIGvWdyRZ2Xlc3iKfd6fH0M3hnZ0iJqK8W9T7iQeQ2y5H/);
    await type(KEY).delete(made.id, { inputs, outputs: made.outputs }, c);

    const LOOKUP = 'aws:ec2/imageLookup:ImageLookup';
    const image = { owners: ['099720109477'], namePattern: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*', architecture: 'x86_64' };
    assert.equal(await type(LOOKUP).adopt(image, ctx('img', LOOKUP)), undefined, 'an interrupted look-up left nothing behind');
    assert.equal((await type(LOOKUP).recover!(image, ctx('img', LOOKUP)))?.outputs['imageId'], 'ami-04b70fa74e45c3917');
  });

  it('security group rule: the description updates in place; an address is written as /32', async () => {
    const vpc = await type(VPC).create({ cidrBlock: '10.11.0.0/16', tags: {} }, ctx('net2', VPC));
    const sg = await type('aws:ec2/securityGroup:SecurityGroup').create({ name: 'rules', description: 'rules', vpcId: vpc.id, egress: [], tags: {} }, ctx('sg2', 'aws:ec2/securityGroup:SecurityGroup'));
    const RULE = 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule';
    const c = ctx('ssh', RULE);
    const inputs: PropertyMap = { securityGroupId: sg.id, ipProtocol: 'tcp', fromPort: 22, toPort: 22, description: 'ssh', address: '198.51.100.9' };
    const made = await type(RULE).create(inputs, c);
    const read = await type(RULE).read(made.id, { inputs, outputs: made.outputs }, c);
    assert.deepEqual(read?.inputs, inputs, 'the address form is kept while it matches');
    assert.equal((await type(RULE).adopt(inputs, c))?.id, made.id);
    const news = { ...inputs, description: 'ssh from the office' };
    await type(RULE).update!(made.id, { inputs, outputs: made.outputs }, news, c);
    assert.equal((await type(RULE).read(made.id, { inputs: news, outputs: made.outputs }, c))?.inputs?.['description'], 'ssh from the office');
    await type(RULE).delete(made.id, { inputs, outputs: made.outputs }, c);
    assert.equal(await type(RULE).read(made.id, { inputs, outputs: made.outputs }, c), undefined);
  });
  it('a VPC held by a subnet this stack does not track: the delete says what holds it every few seconds, then gives up naming it; once it is gone, the VPC goes', async () => {
    const c = ctx('held', VPC);
    const inputs: PropertyMap = { cidrBlock: '10.12.0.0/16', tags: {} };
    const made = await type(VPC).create(inputs, c);
    const outside = (
      await client.ec2.send(new CreateSubnetCommand({ VpcId: made.id, CidrBlock: '10.12.1.0/24', TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Name', Value: 'made-by-hand' }] }] }))
    ).Subnet!.SubnetId!;
    const seen: string[] = [];
    const logging = { ...c, log: (m: string, severity = 'info') => seen.push(`${severity}: ${m}`) };
    Object.assign(client, { waitNoticeMs: 200, maxWaitMs: 1200 });
    try {
      const err = await type(VPC).delete(made.id, { inputs, outputs: made.outputs }, logging).catch((e: unknown) => e);
      assert.ok(err instanceof Error, 'the delete fails instead of waiting out its time limit');
      assert.match(
        err.message,
        new RegExp(`^VPC 'held' \\(${made.id}\\) still holds subnet ${outside} \\('made-by-hand'\\) after \\d+s; AWS deletes it only when nothing depends on it, and this stack does not track that object\\. Delete it or move it elsewhere \\(AWS console or aws ec2\\), then run destroy again\\.$`),
      );
      assert.equal(provider.classifyError(err), 'permanent', 'not retried: the engine reports it');
      const waits = seen.filter((l) => l.startsWith('warning: waiting for '));
      assert.ok(waits.length >= 2, seen.join('\n'));
      assert.match(waits[0]!, new RegExp(`^warning: waiting for VPC 'held' \\(${made.id}\\) to be free to delete \\(\\d+s, of at most 1s\\): it still holds subnet ${outside} \\('made-by-hand'\\)$`));
    } finally {
      Object.assign(client, { waitNoticeMs: 10_000, maxWaitMs: 180_000 });
    }
    await client.ec2.send(new DeleteSubnetCommand({ SubnetId: outside }));
    await type(VPC).delete(made.id, { inputs, outputs: made.outputs }, logging);
    assert.equal(await type(VPC).read(made.id, { inputs, outputs: made.outputs }, c), undefined);
  });

  it('what holds a subnet, a security group or an internet gateway is looked up by type, id and Name tag', async () => {
    const vpc = await type(VPC).create({ cidrBlock: '10.13.0.0/16', tags: {} }, ctx('net3', VPC));
    const subnet = await type('aws:ec2/subnet:Subnet').create({ vpcId: vpc.id, cidrBlock: '10.13.0.0/20', availabilityZone: 'us-east-1a', mapPublicIpOnLaunch: false, tags: {} }, ctx('net3-a', 'aws:ec2/subnet:Subnet'));
    const sg = await type('aws:ec2/securityGroup:SecurityGroup').create({ name: 'held', description: 'held', vpcId: vpc.id, egress: [], tags: {} }, ctx('sg3', 'aws:ec2/securityGroup:SecurityGroup'));
    const c = ctx('net3', VPC);
    assert.deepEqual(await subnetDependents(c, subnet.id), []);
    assert.deepEqual(await groupDependents(c, sg.id), []);
    const nic = (
      await client.ec2.send(
        new CreateNetworkInterfaceCommand({ SubnetId: subnet.id, Groups: [sg.id], Description: 'by hand', TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'Name', Value: 'stray' }] }] }),
      )
    ).NetworkInterface!.NetworkInterfaceId!;
    const other = (await client.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'friend', Description: 'friend', VpcId: vpc.id }))).GroupId!;
    await client.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: other, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: sg.id }] }] }));
    assert.deepEqual(await subnetDependents(c, subnet.id), [{ kind: 'network interface', id: nic, name: 'stray', clearing: false }]);
    assert.deepEqual(await groupDependents(c, sg.id), [
      { kind: 'network interface', id: nic, name: 'stray', clearing: false },
      { kind: 'security group (a rule names it)', id: other, name: 'friend' },
    ]);
    assert.deepEqual(await publicAddressDependents(c, vpc.id), []);
    const eip = await client.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await client.ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, NetworkInterfaceId: nic }));
    assert.deepEqual(await publicAddressDependents(c, vpc.id), [{ kind: 'network interface', id: nic, name: `${eip.PublicIp}, by hand`, clearing: false }]);
  });
});
