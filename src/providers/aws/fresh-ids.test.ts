// A NotFound is retried only for an id this client has just created (EC2's eventual
// consistency); for an id the config names, or one created long ago, it fails at once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSubnetCommand, CreateVpcCommand, DeleteVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { MOTO_MISSING, motoAvailable, startAwsEmulator } from '../../../test/e2e/aws/moto-aws.ts';
import type { AwsEmulator } from '../../../test/e2e/aws/moto-aws.ts';
import { makeClient } from './client.ts';
import { call } from './call.ts';
import { classifyError } from './errors.ts';
import { createdIds, FRESH_MS, FreshIds } from './fresh-ids.ts';

describe('fresh ids', () => {
  it('finds the ids and key pair names in a create answer', () => {
    assert.deepEqual(createdIds({ Vpc: { VpcId: 'vpc-0a1b2c3d4e5f60718', OwnerId: '123456789012', CidrBlock: '10.0.0.0/16' } }), ['vpc-0a1b2c3d4e5f60718']);
    assert.deepEqual(createdIds({ Instances: [{ InstanceId: 'i-0123456789abcdef0', ImageId: 'ami-0a0e5d9c7acc336f1', SubnetId: 'subnet-12345678' }] }).sort(), ['ami-0a0e5d9c7acc336f1', 'i-0123456789abcdef0', 'subnet-12345678']);
    assert.deepEqual(createdIds({ KeyName: 'edge-staging-deploy', KeyPairId: 'key-0abc12345678def90' }), ['edge-staging-deploy', 'key-0abc12345678def90']);
    assert.deepEqual(createdIds({ Return: true, $metadata: { requestId: 'abc' } }), []);
  });

  it('forgets an id after FRESH_MS', () => {
    let now = 1_000;
    const fresh = new FreshIds(() => now);
    fresh.note(['vpc-0a1b2c3d']);
    assert.ok(fresh.mentionedIn("The vpc ID 'vpc-0a1b2c3d' does not exist"));
    assert.ok(!fresh.mentionedIn("The vpc ID 'vpc-99999999' does not exist"));
    now += FRESH_MS + 1;
    assert.ok(!fresh.mentionedIn("The vpc ID 'vpc-0a1b2c3d' does not exist"));
  });
});

describe('NotFound classification against moto', { skip: motoAvailable() ? false : MOTO_MISSING, timeout: 60_000 }, () => {
  let emu: AwsEmulator;
  before(async () => {
    emu = (await startAwsEmulator())!;
  });
  after(async () => {
    await emu?.stop();
  });

  const subnetIn = (client: ReturnType<typeof makeClient>, VpcId: string) =>
    call(AbortSignal.timeout(10_000), 'CreateSubnet', (o) => client.ec2.send(new CreateSubnetCommand({ VpcId, CidrBlock: '10.77.1.0/24', AvailabilityZone: 'us-east-1a' }), o)).then(
      () => assert.fail('CreateSubnet should fail'),
      (err: unknown) => err as Error,
    );

  it('an id the client just created: transient (retried); an id it never made: permanent, with what to do', async () => {
    const client = makeClient({ region: 'us-east-1' }, emu.env);
    const made = (await client.ec2.send(new CreateVpcCommand({ CidrBlock: '10.77.0.0/16' }))).Vpc!.VpcId!;
    // Gone behind the client's back: to the client it looks like a VPC EC2 does not show yet.
    const other = new EC2Client({ region: 'us-east-1', endpoint: emu.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await other.send(new DeleteVpcCommand({ VpcId: made }));
    assert.equal((await other.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [made] }] }))).Vpcs?.length, 0);

    const fresh = await subnetIn(client, made);
    assert.match(fresh.message, /InvalidVpcID\.NotFound/);
    assert.equal(classifyError(fresh), 'transient');

    const typed = await subnetIn(client, 'vpc-0123456789abcdef0');
    assert.match(typed.message, /InvalidVpcID\.NotFound.*does not exist in this account and region; check the id in the config/);
    assert.equal(classifyError(typed), 'permanent');

    const elsewhere = await subnetIn(makeClient({ region: 'us-east-1' }, emu.env), made);
    assert.equal(classifyError(elsewhere), 'permanent', 'another client (another run) did not just create it');
  });
});
