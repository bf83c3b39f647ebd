// Pre-flight against moto, through the real CLI: every problem of a config is reported
// together (with the config place), the deploy exits 1, and nothing is created — neither in
// moto nor in the stack.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSubnetCommand, CreateVpcCommand, DeleteSubnetCommand, DeleteVpcCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { cleanEnv, runProcess } from '../../helpers/cli.ts';
import type { CliResult } from '../../helpers/cli.ts';
import { MOTO_MISSING, motoAvailable, startAwsEmulator } from './moto-aws.ts';
import type { AwsEmulator } from './moto-aws.ts';
import { AWS_TYPES, awsClients, counts, inventory, stackIds } from './inventory.ts';

const SEED = readFileSync(new URL('../../fixtures/config/seeds/aws-production.lisp', import.meta.url), 'utf8');
const NOTHING = Object.fromEntries(AWS_TYPES.map((t) => [t, 0]));

describe('AWS pre-flight against moto', { skip: motoAvailable() ? false : MOTO_MISSING, timeout: 300_000 }, () => {
  let emu: AwsEmulator;
  let dir: string;
  let env: Record<string, string | undefined>;
  let n = 0;
  const cli = (args: string[], e = env): Promise<CliResult> => runProcess(args, { env: e, cwd: dir });

  /** Deploys `text` to a fresh stack; returns the result after checking that nothing was created. */
  async function deployFails(text: string, e = env): Promise<string> {
    const stack = `pf${++n}`;
    const created = await runProcess(['stacks', 'create', stack, '--password-stdin'], { env, cwd: dir, stdin: 'pre-flight passphrase\n' });
    assert.equal(created.code, 0, created.stderr);
    const file = join(dir, `${stack}.lisp`);
    writeFileSync(file, text);
    const r = await cli(['deploy', stack, '--config', file, '--no-bootstrap', '--operator-cidr', '203.0.113.7/32', '--yes'], e);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.deepEqual(counts(await inventory(emu.endpoint)), NOTHING, 'nothing was created in moto');
    const exported = await cli(['stacks', 'export', stack]);
    assert.deepEqual(counts(stackIds(exported.stdout)), NOTHING, 'nothing was recorded in the stack');
    assert.match(r.stderr, /Nothing was created or changed/);
    return r.stderr.replace(/\s+/g, ' ');
  }

  before(async () => {
    emu = (await startAwsEmulator())!;
    dir = mkdtempSync(join(tmpdir(), 'sloth-aws-preflight-'));
    env = cleanEnv({ ...emu.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: 'pre-flight passphrase', CI: 'true' });
  });
  after(async () => {
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports every problem of a config together: instance type, image, zone, hosted zone', async () => {
    const text = SEED.replace('(size "t3.large")', '(size "t3.gigantic")')
      .replace('(spot-instance true)', '(spot-instance true)\n      (image "ami-0123456789abcdef0")\n      (zones "us-east-1a" "us-east-1k")')
      .replace('(mode "wireguard")', '(mode "wireguard")\n    (dns (domain "no-such-zone.example.com") (provider "route53"))');
    const err = await deployFails(text);
    assert.match(err, /pre-flight found 4 problems/);
    assert.match(err, /aws masters-1 \(node-pools\.masters at \S+pf1\.lisp:\d+:\d+\): instance type 't3\.gigantic' is not offered in us-east-1/);
    assert.match(err, /image ami-0123456789abcdef0 does not exist in us-east-1/);
    assert.match(err, /availability zone 'us-east-1k' does not exist in us-east-1/);
    assert.match(err, /there is no Route 53 hosted zone for 'no-such-zone\.example\.com'.*Create the hosted zone/);
    // moto's Service Quotas reports the VPC quota but not EC2's: the pre-flight says so.
    assert.match(err, /and could not check: - aws \(providers\.aws at \S+\): could not check the quota 'Running On-Demand Standard \(A, C, D, H, I, M, R, T, Z\) instances' \(L-1216C47A\): Service Quotas does not report it in us-east-1 \(NoSuchResourceException\)/);
    assert.match(err, /could not check the quota 'All Standard \(A, C, D, H, I, M, R, T, Z\) Spot Instance Requests' \(L-34B43A08\)/);
    assert.doesNotMatch(err, /could not check the quota 'VPCs per Region'/);
  });

  it('says which quotas went unchecked when the identity may not read Service Quotas (AccessDenied), and why', async () => {
    // A second moto that enforces IAM once the first three calls have made a user allowed
    // everything but Service Quotas.
    const strict = (await startAwsEmulator({ INITIAL_NO_AUTH_ACTION_COUNT: '3' }))!;
    try {
      const iam = async (params: Record<string, string>) => {
        const r = await fetch(`${strict.endpoint}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
          body: new URLSearchParams({ Version: '2010-05-08', ...params }),
        });
        return r.text();
      };
      await iam({ Action: 'CreateUser', UserName: 'deployer' });
      const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'servicequotas:*', Resource: '*' }] };
      await iam({ Action: 'PutUserPolicy', UserName: 'deployer', PolicyName: 'no-quotas', PolicyDocument: JSON.stringify(policy) });
      const key = await iam({ Action: 'CreateAccessKey', UserName: 'deployer' });
      const [id, secret] = [/<AccessKeyId>(.*?)</.exec(key)?.[1], /<SecretAccessKey>(.*?)</.exec(key)?.[1]];
      assert.ok(id && secret, key);
      const stack = 'pf-quota-denied';
      assert.equal((await cli(['stacks', 'create', stack])).code, 0);
      const file = join(dir, `${stack}.lisp`);
      writeFileSync(file, SEED.replace('(size "t3.large")', '(size "t3.gigantic")'));
      const e = { ...env, ...strict.env, AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret };
      const r = await cli(['deploy', stack, '--config', file, '--no-bootstrap', '--operator-cidr', '203.0.113.7/32', '--yes'], e);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const err = r.stderr.replace(/\s+/g, ' ');
      assert.match(err, /pre-flight found 1 problem; nothing was created: - aws masters-1 .*instance type 't3\.gigantic' is not offered/);
      for (const q of ["VPCs per Region' \\(L-F678F1CE\\)", "Running On-Demand Standard \\(A, C, D, H, I, M, R, T, Z\\) instances' \\(L-1216C47A\\)"]) {
        assert.match(err, new RegExp(`could not check the quota '${q}: access denied \\(HTTP 403\\): this AWS identity may not call servicequotas:GetServiceQuota Allow servicequotas:GetServiceQuota`));
      }
    } finally {
      await strict.stop();
    }
  });

  /** The seed in an existing VPC (by id) instead of one it creates. */
  const inVpc = (id: string) => SEED.replace(/\(vpc\s+\(create true\)\s+\(cidr "10\.0\.0\.0\/16"\)\)/, `(vpc (id "${id}") (cidr "10.0.0.0/16"))`);

  it('reports an existing VPC that does not exist, with the other problems, before anything is made', async () => {
    const text = inVpc('vpc-0123456789abcdef0');
    assert.notEqual(text, SEED);
    const err = await deployFails(text.replace('(size "t3.large")', '(size "t3.gigantic")'));
    assert.match(err, /pre-flight found 2 problems/);
    assert.match(err, /aws \(providers\.aws at \S+:\d+:\d+\): VPC 'vpc-0123456789abcdef0' does not exist in us-east-1 \(for this account\) Set providers\.aws vpc id to a VPC of this account/);
    assert.match(err, /instance type 't3\.gigantic' is not offered in us-east-1/);
    assert.doesNotMatch(err, /has no subnet/, 'a VPC that is not there is one problem, not one per zone');
  });

  it('reports every zone where an existing VPC has no subnet, on the node pool that uses it', async () => {
    const { ec2 } = awsClients(emu.endpoint);
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, AvailabilityZone: 'us-east-1a', CidrBlock: '10.0.1.0/24' }))).Subnet!.SubnetId!;
    try {
      // Masters spread over a, b and c; workers in b; the bastion in a (where there is a subnet).
      const text = inVpc(vpc)
        .replace('(size "t3.large")', '(size "t3.large")\n      (zones "us-east-1a" "us-east-1b" "us-east-1c")')
        .replace('(spot-instance true)', '(spot-instance true)\n      (zones "us-east-1b")');
      const err = await deployFails(text);
      assert.match(err, /pre-flight found 2 problems/);
      assert.match(err, new RegExp(`aws masters-2 \\(node-pools\\.masters at \\S+:\\d+:\\d+\\): VPC ${vpc} has no subnet in us-east-1b Add a subnet in us-east-1b to the VPC, or move the node pool to a zone where it has one: us-east-1a`));
      assert.match(err, new RegExp(`aws masters-3 \\(node-pools\\.masters at \\S+:\\d+:\\d+\\): VPC ${vpc} has no subnet in us-east-1c`));
    } finally {
      await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet }));
      await ec2.send(new DeleteVpcCommand({ VpcId: vpc }));
    }
  });

  it('reports a region that does not exist', async () => {
    const err = await deployFails(SEED.replaceAll('"us-east-1"', '"us-nowhere-9"'));
    assert.match(err, /aws \(providers\.aws at \S+:\d+:\d+\): AWS region 'us-nowhere-9' does not exist Set providers\.aws region to one of: .*us-east-1/);
  });

  it('reports missing credentials without calling anything else', async () => {
    const bare = { ...env, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, HOME: dir, AWS_EC2_METADATA_DISABLED: 'true' };
    const err = await deployFails(SEED, bare);
    assert.match(err, /pre-flight found 1 problem/);
    assert.match(err, /the AWS credentials do not work .*no credentials were found.*AWS_PROFILE/);
  });

  it('reports the VPC quota when Service Quotas says the region is full (moto reports the VPC quota)', async () => {
    const { ec2 } = awsClients(emu.endpoint);
    const have = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs?.length ?? 0;
    const made: string[] = [];
    for (let i = have; i < 5; i++) made.push((await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${100 + i}.0.0/16` }))).Vpc!.VpcId!);
    try {
      const err = await deployFails(SEED);
      assert.match(err, /the region holds 5 VPC\(s\) and the quota 'VPCs per Region' is 5: no room for 1 more/);
    } finally {
      for (const id of made) await ec2.send(new DeleteVpcCommand({ VpcId: id }));
    }
  });
});
