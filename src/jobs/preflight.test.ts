import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkedConfig } from './preflight.ts';
import { provider as azure } from '../providers/azure/index.ts';

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
