import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkedConfig } from './preflight.ts';
import { provider as azure } from '../providers/azure/index.ts';
import { openJobs } from './context.ts';
import { JobsEnv } from './testing.ts';

test('the credential check takes the region and the subscription or project from a provider block, never its credentials', () => {
  assert.deepEqual(checkedConfig({ region: 'us-east-1', accessKeyId: 'AKIA…', secretAccessKey: 's' }), { region: 'us-east-1' });
  assert.deepEqual(checkedConfig({ location: 'eastus', subscriptionId: 'sub-1', clientSecret: 's', resourceGroup: 'rg' }), { region: 'eastus', subscriptionId: 'sub-1' });
  assert.deepEqual(checkedConfig({ region: 'us-central1', projectId: 'p-1', credentials: '{}', zone: 'us-central1-b' }), { region: 'us-central1', projectId: 'p-1' });
  assert.deepEqual(checkedConfig(undefined), {});
});

test('Azure configures from what the check takes: a subscription named only in the config is used', async () => {
  const ctx = { env: {}, signal: AbortSignal.timeout(10_000) };
  await azure.configure(checkedConfig({ location: 'eastus', subscriptionId: 'sub-1' }), ctx);
  await assert.rejects(async () => azure.configure(checkedConfig({ location: 'eastus' }), ctx), /no Azure subscription/);
});

test('Azure and GCP credentials: their variables are stored sealed and given to a run; another cloud\'s are refused', async () => {
  const env = new JobsEnv({}, { simulated: false });
  const jobs = await openJobs({ dataDir: env.dataDir, baseEnv: env.baseEnv });
  try {
    const azureVars = { AZURE_SUBSCRIPTION_ID: 'sub-1', AZURE_TENANT_ID: 'tenant-1', AZURE_CLIENT_ID: 'client-1', AZURE_CLIENT_SECRET: 'planted-secret-9f2' };
    await jobs.credentials.put('az', 'azure', azureVars);
    await jobs.credentials.put('gc', 'gcp', { GOOGLE_APPLICATION_CREDENTIALS: '/etc/sloth/gcp-key.json', GOOGLE_CLOUD_PROJECT: 'p-1' });
    assert.deepEqual(await jobs.credentials.environment(await jobs.credentials.refs(['az', 'gc'])), { ...azureVars, GOOGLE_APPLICATION_CREDENTIALS: '/etc/sloth/gcp-key.json', GOOGLE_CLOUD_PROJECT: 'p-1' });
    assert.doesNotMatch(JSON.stringify(await jobs.credentials.list()), /planted-secret/);
    await assert.rejects(jobs.credentials.put('bad', 'gcp', { AWS_ACCESS_KEY_ID: 'x' }), /a gcp credential cannot set AWS_ACCESS_KEY_ID/);
  } finally {
    await jobs.close();
    env.cleanup();
  }
});
