// The GCP stand-in held to @google-cloud/compute's descriptors: the provider's whole life
// cycle leaves no violation (the e2e tests do that); here, proof that the check means
// something — a request whose body has a field the message lacks, a value of the wrong type,
// a query parameter the request message lacks, or a path no RPC has, is refused and recorded;
// an answer that breaks the response message is recorded; and the RPC table comes from the
// descriptors' HTTP rules.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { missing } from '../../helpers/parts.ts';
import { startGcpApi, type GcpApi } from './harness.ts';
import { AUDIENCE, PROJECT, SUBJECT_TOKEN } from './server.ts';
import { checkMessage, rpcFor } from './protos.ts';

const skip = missing('openssl');
let api: GcpApi;
let token = '';

before(async () => {
  if (skip) return;
  api = await startGcpApi({ operationMs: 20 });
  api.trustInProcess();
  const res = await fetch(`${api.standin.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: SUBJECT_TOKEN, audience: AUDIENCE }) });
  token = ((await res.json()) as { access_token: string }).access_token;
});
after(async () => {
  await api?.stop();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.standin.url}/compute/v1/projects/${PROJECT}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('RPCs come from the descriptors\' HTTP rules, and messages are checked field by field', () => {
  assert.deepEqual(rpcFor('POST', '/compute/v1/projects/p/regions/r/targetPools/t/addInstance'), { name: 'TargetPools.AddInstance', requestType: 'AddInstanceTargetPoolRequest', responseType: 'Operation', bodyField: 'targetPoolsAddInstanceRequestResource', params: { project: 'p', region: 'r', targetPool: 't' } });
  assert.equal(rpcFor('GET', '/compute/v1/projects/p/global/images/family/f')?.name, 'Images.GetFromFamily');
  assert.equal(rpcFor('POST', '/compute/v1/projects/p/global/networks/n/explode'), undefined);
  assert.deepEqual(checkMessage('Firewall', { name: 'f', allowed: [{ IPProtocol: 'tcp', ports: ['22'] }], sourceRanges: ['0.0.0.0/0'] }), []);
  assert.deepEqual(checkMessage('Firewall', { allowed: [{ protocol: 'tcp' }] }), ['Firewall.allowed[0].protocol: Allowed has no such field']);
  assert.match(checkMessage('Instance', { tags: { items: 'web' } })[0]!, /tags\.items: a repeated field must be a list/);
  assert.match(checkMessage('Operation', { status: 'FINISHED' })[0]!, /not a value of enum Status/);
});

test('a request that breaks the descriptors is refused and recorded; a good one is not', { skip }, async () => {
  const good = await call('POST', '/global/networks', { name: 'contract', autoCreateSubnetworks: false });
  assert.equal(good.status, 200);
  assert.equal(good.body.operationType, 'insert');
  api.standin.assertClean();
  const bad = await call('POST', '/global/firewalls', { name: 'f', network: 'global/networks/contract', allowed: [{ protocol: 'tcp' }], sourceRanges: ['0.0.0.0/0'] });
  assert.equal(bad.status, 400);
  assert.throws(() => api.standin.assertClean(), /Allowed has no such field/);
  api.standin.violations.length = 0;
  assert.equal((await call('GET', '/global/networks/contract?fields=name')).status, 400, 'a query parameter the request message lacks');
  assert.throws(() => api.standin.assertClean(), /query parameter 'fields' is not a field of GetNetworkRequest/);
  api.standin.violations.length = 0;
  assert.equal((await call('POST', '/global/networks/contract/explode', {})).status, 404);
  assert.throws(() => api.standin.assertClean(), /no RPC of the Compute Engine API has this HTTP rule/);
  api.standin.violations.length = 0;
});

test('an answer that breaks the descriptors is recorded', { skip }, async () => {
  api.standin.failNext(1, { status: 200, match: /^GET .*\/global\/networks\/contract$/, body: { name: 'contract', mtu: 'large', subnetworks: [] } });
  await call('GET', '/global/networks/contract');
  assert.throws(() => api.standin.assertClean(), /answer to GET .*: Network\.mtu: an int32 must be an integer/);
  api.standin.violations.length = 0;
});
