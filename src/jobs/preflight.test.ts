import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkedConfig, preflight } from './preflight.ts';
import { provider as azure } from '../providers/azure/index.ts';
import { openJobs } from './context.ts';
import { JobsError } from './errors.ts';
import { JobsEnv, PASSPHRASE } from './testing.ts';

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

test('a stack locked by the process running its active job is not a pre-flight problem (the new job queues behind it); a lock of anyone else is', async () => {
  const { hostname } = await import('node:os');
  const { openStore } = await import('../ops/index.ts');
  const env = new JobsEnv();
  await env.createStack('busy');
  const jobs = await env.open('busy');
  const store = await openStore({ env: { ...env.baseEnv, HOME: env.dir }, cwd: env.dir, homedir: env.dir });
  try {
    const request = { stack: 'busy', operation: 'refresh' as const };
    await jobs.jobs.create((await preflight(jobs, request, 'token:a')).spec, 'token:a');
    const update = await (await store.openStack('busy', { passphrase: async () => PASSPHRASE })).beginUpdate('refresh');
    try {
      // The job is only queued: the lock this process holds is not a job's.
      const refused = await preflight(jobs, request, 'token:a').then(() => undefined, (e: unknown) => e as JobsError);
      assert.ok(refused instanceof JobsError);
      assert.ok(refused.problems?.some((p) => /stack 'busy' is locked by .*stacks cancel busy/.test(p)), refused.problems?.join('\n'));
      // Now this process runs the stack's job: its lock is the queue's own.
      assert.ok(await jobs.jobs.claim(`${hostname()}/${process.pid}/test`));
      await preflight(jobs, request, 'token:a');
    } finally {
      await update.abandon();
    }
  } finally {
    store.close();
    await jobs.close();
    env.cleanup();
  }
});
