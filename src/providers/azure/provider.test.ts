// The Azure package without a cloud: its resource types are the planner's (same replacement
// keys), its configuration refuses what it does not honour and says where credentials come
// from, and errors are classified as the engine needs. The stand-in tests are end to end
// (test/e2e/azure/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { azure, azureDns } from '../../cluster/clouds/azure.ts';
import { AzureConfigError, classifyAzureError, clientFor, credentialFor, provider } from './index.ts';
import { imageReference } from './compute.ts';

test('the package implements exactly the types the mapping declares, with the same replacement keys', () => {
  const declared = { ...azure.resourceTypes, ...azureDns.resourceTypes };
  assert.deepEqual(Object.keys(provider.resources).sort(), Object.keys(declared).sort());
  for (const [type, forceNew] of Object.entries(declared)) assert.deepEqual([...(provider.resources[type]!.forceNew ?? [])].sort(), [...forceNew].sort(), type);
});

test('configuration: the subscription is required, unknown keys are refused, the endpoint must be https', () => {
  const env = { AZURE_SUBSCRIPTION_ID: 'sub', AZURE_TOKEN_CREDENTIALS: 'dev' };
  assert.throws(() => clientFor({ region: 'eastus' }, {}), /no Azure subscription: set AZURE_SUBSCRIPTION_ID/);
  assert.throws(() => clientFor({ region: 'eastus', resourceGroup: 'x' }, env), /does not support yet: resourceGroup/);
  assert.throws(() => clientFor({}, { ...env, AZURE_RESOURCE_MANAGER_ENDPOINT: 'http://127.0.0.1:1' }), /is not an https URL/);
  const c = clientFor({ subscriptionId: 'from-config' }, env);
  assert.equal(c.subscriptionId, 'from-config');
  assert.equal(c.endpoint, 'https://management.azure.com');
});

test("credentials follow DefaultAzureCredential's order from the CLI's environment", () => {
  assert.equal(credentialFor({ tenantId: 't', clientId: 'c', clientSecret: 's' }, {}).source, 'the service principal in providers.azure');
  assert.throws(() => credentialFor({ clientSecret: 's' }, {}), AzureConfigError);
  assert.equal(credentialFor({}, { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' }).source, 'environmentcredential, managedidentitycredential, azureclicredential, azuredeveloperclicredential');
  assert.equal(credentialFor({}, { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_FEDERATED_TOKEN_FILE: '/var/run/token' }).source, 'workloadidentitycredential, managedidentitycredential, azureclicredential, azuredeveloperclicredential');
  assert.equal(credentialFor({}, { AZURE_TOKEN_CREDENTIALS: 'dev' }).source, 'azureclicredential, azuredeveloperclicredential');
  assert.equal(credentialFor({}, { AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential' }).source, 'managedidentitycredential');
  assert.throws(() => credentialFor({}, { AZURE_TOKEN_CREDENTIALS: 'Kerberos' }), /Use dev, prod, or one of/);
});

test('errors: throttling, server errors and in-use conflicts are retried; bad input is not', () => {
  const rest = (statusCode: number | undefined, code?: string) => Object.assign(new Error('x'), { name: 'RestError', statusCode, code });
  assert.equal(classifyAzureError(rest(429, 'TooManyRequests')), 'throttled');
  assert.equal(classifyAzureError(rest(503)), 'transient');
  assert.equal(classifyAzureError(rest(undefined, 'REQUEST_SEND_ERROR')), 'transient');
  assert.equal(classifyAzureError(rest(400, 'InUseSubnetCannotBeDeleted')), 'transient');
  assert.equal(classifyAzureError(rest(409, 'AnotherOperationInProgress')), 'transient');
  assert.equal(classifyAzureError(rest(400, 'InvalidParameter')), 'permanent');
  assert.equal(classifyAzureError(rest(409, 'SkuNotAvailable')), 'permanent');
  assert.equal(classifyAzureError(Object.assign(new Error('no login'), { name: 'CredentialUnavailableError' })), 'permanent');
});

test('images: publisher:offer:sku:version or a resource id', () => {
  assert.deepEqual(imageReference('Canonical:ubuntu-24_04-lts:server:latest'), { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' });
  assert.deepEqual(imageReference('/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/mine'), { id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/mine' });
  assert.throws(() => imageReference('ubuntu-24.04'), /neither publisher:offer:sku:version nor an image resource id/);
});
