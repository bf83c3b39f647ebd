// Configuration → clients: region, endpoints and credentials come from the provider config
// and the CLI's environment, never from process.env; bad configurations are refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsConfigError, credentialsFor, endpointFor, homeRegion, makeClient } from './client.ts';

describe('AWS client configuration', () => {
  it('takes the region from the config, then AWS_REGION / AWS_DEFAULT_REGION', async () => {
    assert.equal(makeClient({ region: 'eu-west-3' }, { AWS_REGION: 'us-east-1' }).region, 'eu-west-3');
    assert.equal(makeClient({}, { AWS_REGION: 'ap-south-1' }).region, 'ap-south-1');
    assert.equal(makeClient({}, { AWS_DEFAULT_REGION: 'ca-central-1' }).region, 'ca-central-1');
    assert.throws(() => makeClient({}, {}), (e: Error) => e instanceof AwsConfigError && /no AWS region/.test(e.message));
    assert.throws(() => makeClient({ region: 'Mars 1' }, {}), /not an AWS region name/);
  });

  it('refuses configuration keys it does not support, and half a key pair', () => {
    assert.throws(() => makeClient({ region: 'us-east-1', assumeRole: 'x' }, {}), /does not support yet: assumeRole/);
    assert.throws(() => makeClient({ region: 'us-east-1', accessKeyId: 'AKIA' }, {}), /both access-key-id and secret-access-key/);
  });

  it('honours AWS_ENDPOINT_URL and the per-service variables (and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)', async () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: 'http://127.0.0.1:5001' };
    assert.equal(endpointFor('ec2', env), 'http://127.0.0.1:5000');
    assert.equal(endpointFor('elb', env), 'http://127.0.0.1:5001');
    assert.equal(endpointFor('route53', { AWS_ENDPOINT_URL_ROUTE_53: 'http://r53' }), 'http://r53');
    assert.equal(endpointFor('ec2', { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }), undefined);
    const client = makeClient({ region: 'us-east-1' }, { ...env, AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    const ep = await client.elb.config.endpoint!();
    assert.equal(`${ep.protocol}//${ep.hostname}:${ep.port}`, 'http://127.0.0.1:5001');
  });

  it('uses config keys first, then the environment keys, never process.env', async () => {
    const fromConfig = credentialsFor({ accessKeyId: 'AKIACONFIG', secretAccessKey: 's1', sessionToken: 't1' }, { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 's2' });
    assert.deepEqual(await fromConfig.credentials(), { accessKeyId: 'AKIACONFIG', secretAccessKey: 's1', sessionToken: 't1' });
    const fromEnv = credentialsFor({}, { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 's2', AWS_SESSION_TOKEN: 't2' });
    assert.deepEqual(await fromEnv.credentials(), { accessKeyId: 'AKIAENV', secretAccessKey: 's2', sessionToken: 't2' });
    assert.equal(fromEnv.source, 'AWS_ACCESS_KEY_ID');
  });

  it('reads a named profile from the shared files the environment points at', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sloth-aws-profile-'));
    try {
      writeFileSync(join(dir, 'credentials'), '[team]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = fromfile\n', { mode: 0o600 });
      writeFileSync(join(dir, 'config'), '[profile team]\nregion = eu-north-1\n', { mode: 0o600 });
      const { credentials, source } = credentialsFor({}, { AWS_PROFILE: 'team', AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config'), AWS_EC2_METADATA_DISABLED: 'true' });
      assert.equal(source, "AWS profile 'team'");
      const identity = await credentials();
      assert.equal(identity.accessKeyId, 'AKIAPROFILE');
      assert.equal(identity.secretAccessKey, 'fromfile');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with a clear error when nothing provides credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sloth-aws-none-'));
    try {
      const { credentials } = credentialsFor({}, { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'), AWS_CONFIG_FILE: join(dir, 'none'), AWS_EC2_METADATA_DISABLED: 'true' });
      await assert.rejects(() => credentials(), /credentials/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks region questions in the partition home region', () => {
    assert.equal(homeRegion('eu-central-2'), 'us-east-1');
    assert.equal(homeRegion('cn-northwest-1'), 'cn-north-1');
    assert.equal(homeRegion('us-gov-east-1'), 'us-gov-west-1');
  });
});
