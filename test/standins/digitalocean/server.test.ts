// The stand-in held to DigitalOcean's contract: every endpoint it serves, called through
// `prism proxy` with the OpenAPI document, answers without a violation; and the harness does
// catch a violation when there is one (a request that breaks the contract, an answer that
// does), so a clean run means something.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDoApi, type DoApi } from './harness.ts';
import { STANDIN_TOKEN } from './server.ts';

// Answers are read loosely here: the contract itself is checked by Prism.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

let api: DoApi;

before(async () => {
  api = await startDoApi({ domains: ['example.com'], actionMs: 250, loadBalancerMs: 250, dropletGoneMs: 50 });
});
after(async () => {
  await api?.stop();
});

async function call(method: string, path: string, body?: unknown, token = STANDIN_TOKEN): Promise<{ status: number; body: Any; headers: Headers }> {
  const res = await fetch(`${api.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const settle = (ms = 350) => new Promise((r) => setTimeout(r, ms));

test('every endpoint the provider uses answers within the contract, through prism', async () => {
  const pub = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl standin';
  assert.equal((await call('GET', '/v2/account')).body.account.droplet_limit, 25);
  assert.ok((await call('GET', '/v2/regions?per_page=3')).body.links.pages.next.startsWith('https://api.digitalocean.com/v2/regions?'));
  assert.ok((await call('GET', '/v2/sizes')).body.sizes.length > 3);
  assert.equal((await call('GET', '/v2/images/ubuntu-24-04-x64')).body.image.slug, 'ubuntu-24-04-x64');
  assert.equal((await call('GET', '/v2/images/no-such-image')).status, 404);

  const vpc = (await call('POST', '/v2/vpcs', { name: 'contract-vpc', region: 'nyc3', ip_range: '10.20.0.0/16', description: 'x' })).body.vpc;
  assert.equal((await call('PATCH', `/v2/vpcs/${vpc.id}`, { name: 'contract-vpc-2' })).body.vpc.name, 'contract-vpc-2');
  const key = (await call('POST', '/v2/account/keys', { name: 'k', public_key: pub })).body.ssh_key;
  assert.equal((await call('POST', '/v2/account/keys', { name: 'k2', public_key: pub })).status, 422);
  assert.equal((await call('GET', `/v2/account/keys/${key.fingerprint}`)).body.ssh_key.id, key.id);
  assert.equal((await call('PUT', `/v2/account/keys/${key.id}`, { name: 'k3' })).body.ssh_key.name, 'k3');
  await call('POST', '/v2/tags', { name: 'contract:api' });

  const made = await call('POST', '/v2/droplets', { name: 'contract-1', region: 'nyc3', size: 's-1vcpu-1gb', image: 'ubuntu-24-04-x64', ssh_keys: [key.fingerprint], tags: ['contract:api', 'contract:new'], vpc_uuid: vpc.id, user_data: '#cloud-config\n{}\n', ipv6: false, monitoring: false });
  assert.equal(made.status, 202);
  assert.equal(made.body.droplet.status, 'new');
  assert.deepEqual(made.body.droplet.networks.v4, [], 'no address before the create action completes');
  const id = made.body.droplet.id;
  assert.equal((await call('GET', `/v2/actions/${made.body.links.actions[0].id}`)).body.action.type, 'create');
  await settle();
  const active = (await call('GET', `/v2/droplets/${id}`)).body.droplet;
  assert.equal(active.status, 'active');
  assert.equal(active.networks.v4.length, 2);
  assert.equal((await call('GET', '/v2/droplets?tag_name=contract:new')).body.droplets.length, 1);
  assert.equal((await call('POST', `/v2/droplets/${id}/actions`, { type: 'resize', size: 's-2vcpu-4gb', disk: true })).status, 422, 'resize needs the droplet off');
  const off = (await call('POST', `/v2/droplets/${id}/actions`, { type: 'power_off' })).body.action;
  assert.equal((await call('GET', `/v2/droplets/${id}/actions/${off.id}`)).body.action.type, 'power_off');
  await settle();
  await call('POST', `/v2/droplets/${id}/actions`, { type: 'resize', size: 's-2vcpu-4gb', disk: true });
  await settle();
  assert.equal((await call('GET', `/v2/droplets/${id}`)).body.droplet.size_slug, 's-2vcpu-4gb');
  assert.equal((await call('POST', '/v2/tags/contract:api/resources', { resources: [{ resource_id: String(id), resource_type: 'droplet' }] })).status, 204);
  assert.equal((await call('DELETE', '/v2/tags/contract:new/resources', { resources: [{ resource_id: String(id), resource_type: 'droplet' }] })).status, 204);
  assert.equal((await call('GET', '/v2/tags/contract:api')).body.tag.resources.count, 1);

  const lb = (await call('POST', '/v2/load_balancers', { name: 'contract-lb', region: 'nyc3', vpc_uuid: vpc.id, tag: 'contract:api', forwarding_rules: [{ entry_protocol: 'tcp', entry_port: 6443, target_protocol: 'tcp', target_port: 6443 }], health_check: { protocol: 'tcp', port: 6443 } })).body.load_balancer;
  assert.equal(lb.status, 'new');
  await settle();
  assert.equal((await call('GET', `/v2/load_balancers/${lb.id}`)).body.load_balancer.status, 'active');
  assert.equal((await call('GET', '/v2/load_balancers')).body.load_balancers.length, 1);
  const rules = { inbound_rules: [{ protocol: 'tcp', ports: '6443', sources: { load_balancer_uids: [lb.id], addresses: [], tags: [] } }], outbound_rules: [{ protocol: 'icmp', ports: '0', destinations: { addresses: ['0.0.0.0/0'] } }] };
  const fw = (await call('POST', '/v2/firewalls', { name: 'contract-fw', tags: ['contract:api'], ...rules })).body.firewall;
  assert.equal((await call('POST', '/v2/firewalls', { name: 'bad-fw', tags: ['no-such-tag'], ...rules })).status, 422);
  assert.equal((await call('PUT', `/v2/firewalls/${fw.id}`, { name: 'contract-fw-2', tags: ['contract:api'], ...rules })).body.firewall.name, 'contract-fw-2');
  assert.equal((await call('GET', '/v2/firewalls')).body.firewalls[0].droplet_ids[0], id);

  const rec = (await call('POST', '/v2/domains/example.com/records', { type: 'A', name: 'api', data: '198.51.100.9', ttl: 300 })).body.domain_record;
  assert.equal((await call('GET', '/v2/domains/example.com')).body.domain.name, 'example.com');
  assert.equal((await call('GET', '/v2/domains/example.com/records?type=A&name=api.example.com')).body.domain_records[0].id, rec.id);
  assert.equal((await call('PUT', `/v2/domains/example.com/records/${rec.id}`, { type: 'A', name: 'api', data: '198.51.100.10', ttl: 60 })).body.domain_record.data, '198.51.100.10');
  assert.equal((await call('GET', '/v2/domains/nowhere.example/records')).status, 404);

  assert.equal((await call('DELETE', `/v2/vpcs/${vpc.id}`)).status, 409, 'a VPC with members cannot go');
  assert.equal((await call('GET', `/v2/vpcs/${vpc.id}/members`)).body.members.length, 2);
  for (const p of [`/v2/domains/example.com/records/${rec.id}`, `/v2/firewalls/${fw.id}`, `/v2/load_balancers/${lb.id}`, `/v2/droplets/${id}`]) assert.equal((await call('DELETE', p)).status, 204);
  await settle();
  assert.equal((await call('GET', `/v2/droplets/${id}`)).status, 404);
  for (const p of [`/v2/vpcs/${vpc.id}`, `/v2/account/keys/${key.id}`, '/v2/tags/contract:api', '/v2/tags/contract:new']) assert.equal((await call('DELETE', p)).status, 204);
  assert.deepEqual(api.standin.inventory(), { droplets: 0, vpcs: 0, keys: 0, tags: 0, firewalls: 0, loadBalancers: 0, records: 0 });

  const denied = await call('GET', '/v2/account', undefined, 'dop_v1_wrong');
  assert.equal(denied.status, 401);
  assert.equal(denied.body.id, 'unauthorized');
  api.standin.failNext(1, { status: 429, resetSeconds: 2 });
  const limited = await call('GET', '/v2/account');
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('ratelimit-remaining'), '0');
  assert.ok(Number(limited.headers.get('ratelimit-reset')) > Date.now() / 1000);
  assert.ok(Number((await call('GET', '/v2/account')).headers.get('ratelimit-remaining')) > 4900);

  await api.prism.assertClean({ expectTraffic: true });
});

test('the harness catches a request and an answer that break the contract', async () => {
  api.prism.reset();
  // A droplet without size and image, with a name of the wrong type: Prism refuses it (422).
  const bad = await call('POST', '/v2/droplets', { name: 7 });
  assert.equal(bad.status, 422);
  await assert.rejects(api.prism.assertClean(), /contract violation/);
  api.prism.reset();
  // The stand-in answering a region list without the required `meta`: --errors turns it into a 500.
  api.standin.failNext(1, { status: 200, match: /^GET \/v2\/regions/, body: { regions: [] } });
  const broken = await call('GET', '/v2/regions');
  assert.equal(broken.status, 500);
  assert.match(broken.headers.get('sl-violations') ?? '', /meta/);
  await api.prism.drain();
  assert.ok(api.prism.problems().some((p) => /VIOLATIONS/.test(p.line)), JSON.stringify(api.prism.problems()));
  api.prism.reset();
});
