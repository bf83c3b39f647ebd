// The GCP package without a cloud: its resource types are the planner's (same replacement
// keys), its configuration refuses what it does not honour and says where credentials come
// from, and errors are classified as the engine needs. The stand-in tests are end to end
// (test/e2e/gcp/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gcp, cloudDns } from '../../cluster/clouds/gcp.ts';
import { classifyGcpError, clientFor, credentialsFor, GcpOperationError, provider } from './index.ts';

test('the package implements exactly the types the mapping declares, with the same replacement keys', () => {
  const declared = { ...gcp.resourceTypes, ...cloudDns.resourceTypes };
  assert.deepEqual(Object.keys(provider.resources).sort(), Object.keys(declared).sort());
  for (const [type, forceNew] of Object.entries(declared)) assert.deepEqual([...(provider.resources[type]!.forceNew ?? [])].sort(), [...forceNew].sort(), type);
});

test('configuration: unknown keys, a key that is not JSON, an endpoint that is not https are refused', async () => {
  await assert.rejects(clientFor({ region: 'us-central1', zone: 'x' }, {}), /does not support yet: zone/);
  assert.throws(() => credentialsFor({ credentials: 'not json' }, {}), /providers.gcp credentials is not JSON/);
  assert.throws(() => credentialsFor({ credentials: '{"a":1}' }, {}), /is not a service account key/);
  assert.equal(credentialsFor({ credentials: '{"type":"service_account","project_id":"p"}' }, {}).project, 'p');
  assert.match(credentialsFor({}, { GOOGLE_APPLICATION_CREDENTIALS: '/k.json' }).source, /GOOGLE_APPLICATION_CREDENTIALS \(\/k\.json\)/);
  await assert.rejects(clientFor({ projectId: 'p' }, { CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: 'http://127.0.0.1:1/compute/v1/' }), /is not an https URL/);
});

test('errors: rate limits, server errors and resources in use are retried; bad input and quotas are not', () => {
  const google = (code: number, message = 'x') => Object.assign(new Error(message), { name: 'GoogleError', code });
  assert.equal(classifyGcpError(google(8, 'Rate Limit Exceeded')), 'throttled');
  assert.equal(classifyGcpError(google(8, "Quota 'CPUS' exceeded. Limit: 8.0 in region us-central1.")), 'permanent');
  assert.equal(classifyGcpError(google(14)), 'transient');
  assert.equal(classifyGcpError(new Error('{"error":{"code":503,"message":"backend"}}')), 'transient');
  assert.equal(classifyGcpError(google(9, "The network resource 'n' is already being used by 'f'")), 'transient');
  assert.equal(classifyGcpError(google(3, 'Invalid value for field')), 'permanent');
  assert.equal(classifyGcpError(new GcpOperationError('creating instance x', [{ code: 'RESOURCE_IN_USE_BY_ANOTHER_RESOURCE' }])), 'transient');
  assert.equal(classifyGcpError(new GcpOperationError('creating instance x', [{ code: 'QUOTA_EXCEEDED', message: 'CPUS' }])), 'permanent');
  assert.equal(classifyGcpError(Object.assign(new Error('x'), { name: 'ApiError', code: 429 })), 'throttled');
});
