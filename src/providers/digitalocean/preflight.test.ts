// DigitalOcean's pre-flight against the stand-in behind prism: a plan that fits gives no
// problem; every kind of misfit is found, all together, each on the resource (and config
// origin) concerned; a refused token or an unreachable API is one clear problem.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_VALUE } from '../../state/types.ts';
import type { PreflightItem } from '../../engine/index.ts';
import { freePort } from '../../../test/helpers/moto.ts';
import { startDoApi, type DoApi } from '../../../test/standins/digitalocean/harness.ts';
import { clientFor, provider } from './index.ts';

let api: DoApi;

before(async () => {
  api = await startDoApi({ domains: ['example.com'], dropletLimit: 5 });
});
after(async () => {
  await api?.stop();
});

const ctx = () => ({ env: {}, signal: AbortSignal.timeout(20_000) });
const urn = (type: string, name: string) => `urn:pulumi:dev::sloth-kubernetes::${type}::${name}`;
const DROPLET = 'digitalocean:index/droplet:Droplet';

function droplet(name: string, inputs: Record<string, string>, sourcePosition = 'node-pools.workers', op: PreflightItem['op'] = 'create'): PreflightItem {
  return { urn: urn(DROPLET, name), type: DROPLET, op, inputs: { name, region: 'nyc3', size: 's-2vcpu-4gb', image: 'ubuntu-24-04-x64', vpcUuid: UNKNOWN_VALUE, ...inputs }, sourcePosition };
}

test('a plan the account can take has no problem', async () => {
  const items: PreflightItem[] = [
    { urn: urn('digitalocean:index/vpc:Vpc', 'net'), type: 'digitalocean:index/vpc:Vpc', op: 'create', inputs: { name: 'net', region: 'nyc3', ipRange: '10.10.0.0/16' } },
    droplet('masters-1', { size: 's-4vcpu-8gb' }, 'node-pools.masters'),
    droplet('workers-1', {}),
    droplet('workers-2', { image: '181239405' }),
    { urn: urn('digitalocean:index/dnsRecord:DnsRecord', 'dns-api'), type: 'digitalocean:index/dnsRecord:DnsRecord', op: 'create', inputs: { domain: 'example.com', type: 'A', name: 'api', value: UNKNOWN_VALUE, ttl: 300 } },
  ];
  assert.deepEqual(await provider.preflight!(clientFor({}, api.env), items, ctx()), []);
  await api.prism.assertClean({ expectTraffic: true });
});

test('every misfit is reported at once, on the resource it concerns', async () => {
  const items: PreflightItem[] = [
    droplet('masters-1', { region: 'nyc2' }, 'node-pools.masters'),
    droplet('edge-1', { region: 'mars1' }, 'nodes.edge'),
    droplet('workers-1', { size: 's-3vcpu-5gb' }),
    droplet('workers-2', { size: 's-3vcpu-5gb' }),
    droplet('workers-3', { size: 's-3vcpu-5gb' }),
    droplet('old-1', { size: 's-1vcpu-512mb-10gb' }, 'node-pools.old'),
    droplet('gpu-1', { region: 'lon1', size: 'gd-2vcpu-8gb' }, 'node-pools.gpu'),
    droplet('img-1', { image: 'ubuntu-99-04-x64' }, 'node-pools.img'),
    droplet('focal-1', { region: 'lon1', image: 'ubuntu-20-04-x64' }, 'node-pools.focal'),
    // Already deployed and only updated: neither counted against the limit nor re-checked.
    droplet('kept-1', { size: 's-3vcpu-5gb' }, 'node-pools.kept', 'update'),
    { urn: urn('digitalocean:index/dnsRecord:DnsRecord', 'dns-api'), type: 'digitalocean:index/dnsRecord:DnsRecord', op: 'create', inputs: { domain: 'not-ours.example', type: 'A', name: 'api', value: UNKNOWN_VALUE, ttl: 300 } },
  ];
  const problems = await provider.preflight!(clientFor({}, api.env), items, ctx());
  const text = problems.map((p) => `${p.urn ? p.urn.split('::').pop() : '-'}: ${p.message}`);
  assert.deepEqual(text, [
    "masters-1: region 'nyc2' is not available for new resources",
    "edge-1: region 'mars1' does not exist",
    "workers-1: size 's-3vcpu-5gb' does not exist (also workers-2, workers-3)",
    "old-1: size 's-1vcpu-512mb-10gb' is no longer available",
    "gpu-1: size 'gd-2vcpu-8gb' is not offered in region 'lon1'",
    "img-1: image 'ubuntu-99-04-x64' does not exist",
    "focal-1: image 'ubuntu-20-04-x64' is not available in region 'lon1'",
    '-: the DigitalOcean droplet limit is 5; the account has 0 droplet(s) and this deploy adds 9',
    "dns-api: the DNS zone 'not-ours.example' is not in this DigitalOcean account",
  ]);
  for (const p of problems) assert.ok(p.hint, `a hint for: ${p.message}`);
  assert.match(problems.find((p) => /mars1/.test(p.message))!.hint!, /nyc3/);
  assert.match(problems.find((p) => /gd-2vcpu/.test(p.message))!.hint!, /s-1vcpu-1gb/);
  await api.prism.assertClean();
});

test('a refused token or an API out of reach is one problem that says what to do', async () => {
  const items = [droplet('workers-1', {})];
  const refused = await provider.preflight!(clientFor({ token: 'dop_v1_revoked' }, { DIGITALOCEAN_API_URL: api.apiUrl }), items, ctx());
  assert.equal(refused.length, 1);
  assert.match(refused[0]!.message, /DigitalOcean refused the API token \(401 unauthorized/);
  assert.match(refused[0]!.hint!, /DIGITALOCEAN_TOKEN/);
  assert.doesNotMatch(JSON.stringify(refused), /dop_v1_revoked/);
  const away = `http://127.0.0.1:${await freePort()}`;
  const unreachable = await provider.preflight!(clientFor({}, { DIGITALOCEAN_TOKEN: 't', DIGITALOCEAN_API_URL: away }), items, ctx());
  assert.equal(unreachable.length, 1);
  assert.match(unreachable[0]!.message, /could not be reached: ECONNREFUSED/);
  await api.prism.assertClean();
});
