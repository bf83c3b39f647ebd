// The Azure stand-in held to the SDK's mappers: the provider's whole life cycle through the
// official clients leaves no violation (the e2e tests do that); here, proof that the check
// means something — a request with a field the model does not have, or of the wrong type,
// is refused and recorded, an answer that breaks the model is recorded, and the checker
// itself knows the fields, types, read-only and required marks of the models.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { missing } from '../../helpers/parts.ts';
import { startAzureApi, type AzureApi } from './harness.ts';
import { STANDIN_TOKEN, SUBSCRIPTION } from './server.ts';
import { checkAzure } from './mappers.ts';

const skip = missing('openssl');
let api: AzureApi;

before(async () => {
  if (skip) return;
  api = await startAzureApi({ operationMs: 20 });
  api.trustInProcess();
});
after(async () => {
  await api?.stop();
});

const rg = `/subscriptions/${SUBSCRIPTION}/resourcegroups/contract`;
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.standin.url}${path}${path.includes('?') ? '&' : '?'}api-version=2024-05-01`, {
    method,
    headers: { authorization: `Bearer ${STANDIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

test('the checker knows the models: unknown and flattened fields, types, read-only in requests, required in answers', () => {
  assert.deepEqual(checkAzure('VirtualNetwork', { location: 'eastus', tags: { a: 'b' }, properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } } }, 'request'), []);
  assert.deepEqual(checkAzure('VirtualNetwork', { location: 'eastus', properties: { adressSpace: {} } }, 'request'), ['VirtualNetwork.properties.adressSpace: VirtualNetwork has no such field']);
  assert.match(checkAzure('SecurityRule', { properties: { priority: '100' } }, 'request')[0]!, /priority: a Number must be a number/);
  assert.match(checkAzure('PublicIPAddress', { location: 'eastus', properties: { provisioningState: 'Succeeded' } }, 'request')[0]!, /provisioningState: read-only, a request may not set it/);
  assert.match(checkAzure('ListUsagesResult', { value: [{ unit: 'Count', limit: 4, name: { value: 'cores' } }] }, 'response')[0]!, /currentValue: required by Usage, missing/);
  assert.match(checkAzure('DnsRecordSet', { properties: { TTL: 300, aRecords: [] } }, 'request')[0]!, /aRecords: RecordSet has no such field/, 'DNS spells it ARecords');
});

test('a request that breaks the mappers is refused and recorded; a good one is not', { skip }, async () => {
  assert.equal((await call('PUT', rg, { location: 'eastus', tags: {} })).status, 201);
  api.standin.assertClean();
  const bad = await call('PUT', `${rg}/providers/Microsoft.Network/virtualNetworks/v`, { location: 'eastus', properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnetz: [] } });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /InvalidRequestContent.*subnetz: VirtualNetwork has no such field/);
  assert.throws(() => api.standin.assertClean(), /subnetz/);
  api.standin.violations.length = 0;
});

test('an answer that breaks the mappers is recorded, even where the SDK would not notice', { skip }, async () => {
  api.standin.failNext(1, { status: 200, match: /^GET .*\/resourcegroups\/contract$/, body: { id: rg, name: 'contract', location: 'eastus', properties: { provisioningState: 'Succeeded' }, colour: 'blue' } });
  const got = await call('GET', rg);
  assert.equal(got.status, 200);
  assert.throws(() => api.standin.assertClean(), /answer to GET .*: ResourceGroup\.colour: ResourceGroup has no such field/);
  api.standin.violations.length = 0;
  api.standin.failNext(1, { status: 200, match: /^GET .*\/resourcegroups\/contract$/, body: { id: rg, name: 'contract', properties: {} } });
  await call('GET', rg);
  assert.throws(() => api.standin.assertClean(), /location: required by ResourceGroup, missing/);
  api.standin.violations.length = 0;
});
