// Every request the AWS provider sends during a whole life cycle — pre-flight, deploy of the
// seed's production example with Route 53 records, scale, refresh, destroy — conforms to
// AWS's own service models (botocore service-2.json): operation, members, required members,
// enum values. Runs the CLI in-process against moto, with the package's clients recorded.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import { cleanEnv, runInProcess } from '../../../test/helpers/cli.ts';
import { startAwsEmulator } from '../../../test/e2e/aws/moto-aws.ts';
import { missing } from '../../../test/helpers/parts.ts';
import type { AwsEmulator } from '../../../test/e2e/aws/moto-aws.ts';
import { awsClients } from '../../../test/e2e/aws/inventory.ts';
import { registerProviderPackage } from '../../ops/index.ts';
import { provider } from './index.ts';
import { makeClient } from './client.ts';
import { checkRequests, recordRequests } from './testing/service-models.ts';
import type { RecordedRequest } from './testing/service-models.ts';

const SEED = readFileSync(new URL('../../../test/fixtures/config/seeds/aws-production.lisp', import.meta.url), 'utf8');
const skip = missing('moto');

describe('AWS requests against the AWS service models', { skip, timeout: 300_000 }, () => {
  let emu: AwsEmulator;
  let dir: string;
  let env: Record<string, string | undefined>;
  const requests: RecordedRequest[] = [];
  let unregister: () => void;

  before(async () => {
    emu = (await startAwsEmulator())!;
    dir = mkdtempSync(join(tmpdir(), 'sloth-aws-contract-'));
    env = cleanEnv({ ...emu.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: 'contract passphrase', CI: 'true' });
    unregister = registerProviderPackage('aws', () => ({
      ...provider,
      configure: (config, ctx) => {
        const client = makeClient(config, ctx.env);
        recordRequests(client, requests);
        return client;
      },
    }));
    await awsClients(emu.endpoint).route53.send(new CreateHostedZoneCommand({ Name: 'prod.example.test', CallerReference: 'contract' }));
  });
  after(async () => {
    unregister?.();
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a whole life cycle sends only what the models allow', async () => {
    const run = async (args: string[], stdin?: string) => {
      const r = await runInProcess(args, { env, cwd: dir, stdin });
      assert.equal(r.code, 0, `${args.join(' ')}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    };
    const write = (workers: number) => {
      const text = SEED.replace('(count 10)', `(count ${workers})`).replace('(mode "wireguard")', '(mode "wireguard")\n    (dns (domain "prod.example.test") (provider "route53"))');
      writeFileSync(join(dir, 'cluster.lisp'), text);
    };
    await run(['stacks', 'create', 'prod', '--password-stdin'], 'contract passphrase\n');
    write(10);
    await run(['deploy', 'prod', '--config', 'cluster.lisp', '--no-bootstrap', '--operator-cidr', '203.0.113.7/32', '--yes']);
    write(11);
    await run(['deploy', 'prod', '--config', 'cluster.lisp', '--no-bootstrap', '--operator-cidr', '198.51.100.0/24', '--yes']);
    await run(['refresh', 'prod']);
    await run(['destroy', 'prod', '--yes']);

    const operations = new Set(requests.map((r) => `${r.service}.${r.operation}`));
    for (const op of ['STS.GetCallerIdentity', 'EC2.DescribeInstanceTypeOfferings', 'EC2.RunInstances', 'EC2.AuthorizeSecurityGroupIngress', 'ElasticLoadBalancingV2.CreateLoadBalancer', 'Route53.ChangeResourceRecordSets', 'EC2.TerminateInstances', 'EC2.DeleteVpc']) {
      assert.ok(operations.has(op), `${op} was exercised`);
    }
    assert.deepEqual(checkRequests(requests), []);
  });

  it('the checker does catch a request the model refuses', () => {
    assert.deepEqual(checkRequests([{ service: 'EC2', operation: 'RunInstances', input: { ImageId: 'ami-1', MinCount: 1, MaxCount: 1, Flavour: 'x' } }]), ['EC2.RunInstances: RunInstancesRequest has no member Flavour']);
    assert.deepEqual(checkRequests([{ service: 'EC2', operation: 'RunInstances', input: { ImageId: 'ami-1', MaxCount: 1 } }]), ['EC2.RunInstances: required member MinCount is missing']);
    assert.match(checkRequests([{ service: 'EC2', operation: 'CreateVpc', input: { CidrBlock: '10.0.0.0/16', TagSpecifications: [{ ResourceType: 'virtual-private-cloud' }] } }])[0]!, /is not one of ResourceType's values/);
    assert.deepEqual(checkRequests([{ service: 'EC2', operation: 'LaunchRockets', input: {} }]), ['EC2 has no operation LaunchRockets']);
  });
});
