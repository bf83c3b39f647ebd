// Each resource type of the `hcloud` package, called the way the engine calls it, against the
// stand-in behind `prism proxy` with the Hetzner Cloud OpenAPI contract: create, read (the
// inputs come back as they were given), update, delete (twice), adopt by URN label; the
// pre-flight; a failed create action; the rate limit and locked answers; and the planner's
// mapping declaring only types this package has.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { UNKNOWN_VALUE, type PropertyMap } from '../../state/types.ts';
import type { CallContext, PreflightItem, ResourceType } from '../../engine/index.ts';
import { freePort } from '../../../test/helpers/moto.ts';
import { startHetznerApi, type HetznerApi } from '../../../test/standins/hetzner/harness.ts';
import { hetzner } from '../../cluster/clouds/hetzner.ts';
import { ApiError } from '../rest/errors.ts';
import { classifyHetznerError, clientFor, HetznerActionError, HetznerClient, provider } from './index.ts';

let api: HetznerApi;
let client: HetznerClient;
const logs: string[] = [];

before(async () => {
  api = await startHetznerApi({ actionMs: 40 });
  client = new HetznerClient({ token: api.env.HCLOUD_TOKEN!, endpoint: api.apiUrl, pollMinMs: 20, pollMaxMs: 80 });
});
after(async () => {
  await api?.stop();
});

const T = {
  network: 'hcloud:index/network:Network',
  subnet: 'hcloud:index/networkSubnet:NetworkSubnet',
  key: 'hcloud:index/sshKey:SshKey',
  group: 'hcloud:index/placementGroup:PlacementGroup',
  server: 'hcloud:index/server:Server',
  firewall: 'hcloud:index/firewall:Firewall',
  lb: 'hcloud:index/loadBalancer:LoadBalancer',
  lbNetwork: 'hcloud:index/loadBalancerNetwork:LoadBalancerNetwork',
  lbService: 'hcloud:index/loadBalancerService:LoadBalancerService',
  lbTarget: 'hcloud:index/loadBalancerTarget:LoadBalancerTarget',
} as const;

const type = (t: string): ResourceType<HetznerClient> => provider.resources[t]!;
const tagOf = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 32);

function ctx(t: string, name: string, knownIds: string[] = []): CallContext<HetznerClient> & { knownIds: string[] } {
  return { urn: `urn:pulumi:test::sloth-kubernetes::${t}::${name}`, name, type: t, urnTag: tagOf(`${t}/${name}`), client, signal: AbortSignal.timeout(20_000), log: (m) => logs.push(m), knownIds };
}

const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3qLAVs3Ml1IsRAm4T5g3ZS1cRzk1q3mW0Ndu0aD3x deploy';
const LABELS = { 'sloth-kubernetes/cluster': 'c1', 'sloth-kubernetes/stack': 'test' };

test('the planner\'s Hetzner mapping declares only types this package implements, with the same replacement keys', () => {
  for (const [t, forceNew] of Object.entries(hetzner.resourceTypes)) {
    assert.ok(provider.resources[t], `${t} is implemented`);
    assert.deepEqual([...(provider.resources[t]!.forceNew ?? [])].sort(), [...forceNew].sort(), `${t} forceNew`);
  }
});

test('a whole cluster\'s objects: create, read back, update, adopt, delete', async () => {
  const netIn = { name: 'c1-hetzner', ipRange: '10.30.0.0/16', labels: LABELS };
  const net = await type(T.network).create(netIn, ctx(T.network, 'net'));
  assert.deepEqual((await type(T.network).read(net.id, { inputs: netIn, outputs: net.outputs }, ctx(T.network, 'net')))!.inputs, netIn);
  assert.equal((await type(T.network).adopt(netIn, ctx(T.network, 'net')))!.id, net.id);
  assert.equal(await type(T.network).adopt(netIn, ctx(T.network, 'net', [net.id])), undefined);
  assert.equal(await type(T.network).adopt(netIn, ctx(T.network, 'other')), undefined);

  const subIn = { networkId: net.id, type: 'cloud', networkZone: 'eu-central', ipRange: '10.30.0.0/16' };
  const sub = await type(T.subnet).create(subIn, ctx(T.subnet, 'sub'));
  assert.equal(sub.id, `${net.id}-10.30.0.0/16`);
  assert.deepEqual((await type(T.subnet).read(sub.id, { inputs: subIn, outputs: sub.outputs }, ctx(T.subnet, 'sub')))!.inputs, subIn);
  assert.equal((await type(T.subnet).adopt(subIn, ctx(T.subnet, 'sub')))!.id, sub.id);

  const keyIn = { name: 'c1-test-deploy', publicKey: PUBLIC_KEY, labels: LABELS };
  const key = await type(T.key).create(keyIn, ctx(T.key, 'key'));
  assert.equal(key.outputs.shared, false);
  assert.deepEqual((await type(T.key).read(key.id, { inputs: keyIn, outputs: key.outputs }, ctx(T.key, 'key')))!.inputs, keyIn);
  assert.equal((await type(T.key).adopt(keyIn, ctx(T.key, 'key')))!.id, key.id);
  const shared = await type(T.key).create({ ...keyIn, name: 'someone-else' }, ctx(T.key, 'other-stack'));
  assert.equal(shared.id, key.id);
  assert.equal(shared.outputs.shared, true, 'the same public key under another stack is used as it is');

  const groupIn = { name: 'c1-test-masters', type: 'spread', labels: LABELS };
  const group = await type(T.group).create(groupIn, ctx(T.group, 'masters'));
  assert.deepEqual((await type(T.group).read(group.id, { inputs: groupIn, outputs: group.outputs }, ctx(T.group, 'masters')))!.inputs, groupIn);
  assert.equal((await type(T.group).adopt(groupIn, ctx(T.group, 'masters')))!.id, group.id);

  const serverIn: PropertyMap = {
    name: 'masters-1',
    serverType: 'cx22',
    image: 'ubuntu-24.04',
    location: 'fsn1',
    sshKeys: [key.id],
    userData: '#cloud-config\npackages: [wireguard]\n',
    labels: { ...LABELS, 'sloth-kubernetes/group': 'etcd-master', 'sloth-kubernetes/api': 'true' },
    publicNets: { ipv4Enabled: true, ipv6Enabled: true },
    networks: [{ networkId: net.id, subnetId: sub.id }],
    placementGroupId: group.id,
  };
  const s = await type(T.server).create(serverIn, ctx(T.server, 'masters-1'));
  assert.match(String(s.outputs.ipv4Address), /^198\.51\.100\.\d+$/);
  assert.match(String(s.outputs.privateIp), /^10\.30\.0\.\d+$/);
  const held = api.standin.servers.get(Number(s.id))!;
  assert.equal(held.userData, serverIn.userData);
  assert.equal(held.placementGroup, Number(group.id));
  assert.equal(held.labels['sloth-kubernetes/urn'], tagOf(`${T.server}/masters-1`));
  assert.deepEqual((await type(T.server).read(s.id, { inputs: serverIn, outputs: s.outputs }, ctx(T.server, 'masters-1')))!.inputs, serverIn);
  assert.equal((await type(T.server).adopt(serverIn, ctx(T.server, 'masters-1')))!.id, s.id);
  assert.equal(await type(T.server).adopt(serverIn, ctx(T.server, 'masters-1', [s.id])), undefined);
  const bigger = { ...serverIn, name: 'masters-1b', serverType: 'cx32' };
  const changed = await type(T.server).update!(s.id, { inputs: serverIn, outputs: s.outputs }, bigger, ctx(T.server, 'masters-1'));
  assert.equal(changed.outputs.serverType, 'cx32');
  assert.equal(held.type, 'cx32');
  assert.equal(held.status, 'running', 'powered on again');
  assert.equal(held.name, 'masters-1b');

  const selector = 'sloth-kubernetes/cluster=c1,sloth-kubernetes/stack=test,sloth-kubernetes/group=etcd-master';
  const fwIn: PropertyMap = {
    name: 'c1-fw-hetzner-etcd-master',
    labels: LABELS,
    applyTo: [{ labelSelector: selector }],
    rules: [
      { direction: 'in', protocol: 'tcp', port: '22', sourceIps: ['198.51.100.7/32'], addresses: [], description: 'ssh' },
      { direction: 'in', protocol: 'udp', port: '51820', sourceIps: ['10.30.0.0/16'], addresses: ['203.0.113.9', '2001:db8::9'], description: 'wireguard' },
      { direction: 'in', protocol: 'icmp', sourceIps: ['10.30.0.0/16'], addresses: [], description: 'icmp' },
      { direction: 'in', protocol: 'tcp', port: '2222', sourceIps: [], addresses: [], description: 'no bastion: no source' },
    ],
  };
  const fw = await type(T.firewall).create(fwIn, ctx(T.firewall, 'fw'));
  const heldFw = api.standin.firewalls.get(Number(fw.id))!;
  assert.equal(heldFw.rules.length, 3);
  assert.deepEqual(heldFw.rules[1]!.source_ips, ['10.30.0.0/16', '203.0.113.9/32', '2001:db8::9/128']);
  assert.deepEqual((await type(T.firewall).read(fw.id, { inputs: fwIn, outputs: fw.outputs }, ctx(T.firewall, 'fw')))!.inputs, fwIn, 'a firewall read back as it was given is no drift');
  heldFw.rules[0]!.source_ips = ['0.0.0.0/0'];
  const drifted = (await type(T.firewall).read(fw.id, { inputs: fwIn, outputs: fw.outputs }, ctx(T.firewall, 'fw')))!.inputs!;
  assert.deepEqual((drifted.rules as PropertyMap[])[0], { direction: 'in', protocol: 'tcp', port: '22', sourceIps: ['0.0.0.0/0'], addresses: [], description: 'ssh' });
  await type(T.firewall).update!(fw.id, { inputs: drifted, outputs: fw.outputs }, { ...fwIn, applyTo: [{ labelSelector: 'sloth-kubernetes/group=workers' }] }, ctx(T.firewall, 'fw'));
  assert.deepEqual(heldFw.rules[0]!.source_ips, ['198.51.100.7/32']);
  assert.deepEqual(heldFw.selectors, ['sloth-kubernetes/group=workers']);
  assert.equal((await type(T.firewall).adopt(fwIn, ctx(T.firewall, 'fw')))!.id, fw.id);

  const lbIn = { name: 'c1-api', loadBalancerType: 'lb11', location: 'fsn1', labels: LABELS };
  const lb = await type(T.lb).create(lbIn, ctx(T.lb, 'c1-api'));
  assert.match(String(lb.outputs.ipv4), /^203\.0\.113\.\d+$/);
  assert.deepEqual((await type(T.lb).read(lb.id, { inputs: lbIn, outputs: lb.outputs }, ctx(T.lb, 'c1-api')))!.inputs, lbIn);
  assert.equal((await type(T.lb).adopt(lbIn, ctx(T.lb, 'c1-api')))!.id, lb.id);
  const lbTargetIn = { loadBalancerId: lb.id, type: 'label_selector', labelSelector: 'sloth-kubernetes/api=true', usePrivateIp: true };
  const early = await type(T.lbTarget).create(lbTargetIn, ctx(T.lbTarget, 'masters')).catch((e: unknown) => e);
  assert.match(String(early), /not attached to a network/, 'private targets need the network first (the mapping orders them)');
  const lbNetIn = { loadBalancerId: lb.id, networkId: net.id };
  const lbNet = await type(T.lbNetwork).create(lbNetIn, ctx(T.lbNetwork, 'net'));
  assert.match(String(lbNet.outputs.ip), /^10\.30\.\d+\.\d+$/);
  assert.deepEqual((await type(T.lbNetwork).read(lbNet.id, { inputs: lbNetIn, outputs: lbNet.outputs }, ctx(T.lbNetwork, 'net')))!.inputs, lbNetIn);
  assert.equal((await type(T.lbNetwork).adopt(lbNetIn, ctx(T.lbNetwork, 'net')))!.id, lbNet.id);
  const svcIn = { loadBalancerId: lb.id, protocol: 'tcp', listenPort: 6443, destinationPort: 6443 };
  const svc = await type(T.lbService).create(svcIn, ctx(T.lbService, '6443'));
  assert.deepEqual((await type(T.lbService).read(svc.id, { inputs: svcIn, outputs: svc.outputs }, ctx(T.lbService, '6443')))!.inputs, svcIn);
  assert.equal((await type(T.lbService).adopt(svcIn, ctx(T.lbService, '6443')))!.id, svc.id);
  await type(T.lbService).update!(svc.id, { inputs: svcIn, outputs: svc.outputs }, { ...svcIn, destinationPort: 6444 }, ctx(T.lbService, '6443'));
  assert.equal(api.standin.loadBalancers.get(Number(lb.id))!.services[0]!.destination_port, 6444);
  const target = await type(T.lbTarget).create(lbTargetIn, ctx(T.lbTarget, 'masters'));
  assert.deepEqual((await type(T.lbTarget).read(target.id, { inputs: lbTargetIn, outputs: target.outputs }, ctx(T.lbTarget, 'masters')))!.inputs, lbTargetIn);
  assert.equal((await type(T.lbTarget).adopt(lbTargetIn, ctx(T.lbTarget, 'masters')))!.id, target.id);

  const all: [string, string, { id: string; outputs: PropertyMap }, PropertyMap][] = [
    [T.lbTarget, 'masters', target, lbTargetIn],
    [T.lbService, '6443', svc, svcIn],
    [T.lbNetwork, 'net', lbNet, lbNetIn],
    [T.lb, 'c1-api', lb, lbIn],
    [T.firewall, 'fw', fw, fwIn],
    [T.server, 'masters-1', s, bigger],
    [T.group, 'masters', group, groupIn],
    [T.key, 'key', key, keyIn],
    [T.subnet, 'sub', sub, subIn],
    [T.network, 'net', net, netIn],
  ];
  for (const [t, name, r, inputs] of all) {
    await type(t).delete(r.id, { inputs, outputs: r.outputs }, ctx(t, name));
    await type(t).delete(r.id, { inputs, outputs: r.outputs }, ctx(t, name));
    assert.equal(await type(t).read(r.id, { inputs, outputs: r.outputs }, ctx(t, name)), undefined, `${t} is gone`);
  }
  assert.deepEqual(api.standin.inventory(), { servers: 0, networks: 0, subnets: 0, keys: 0, placementGroups: 0, firewalls: 0, loadBalancers: 0 });
  await api.prism.assertClean({ expectTraffic: true });
});

test('a server whose create action fails is deleted before the error is reported', async () => {
  api.standin.failActions(1);
  const inputs: PropertyMap = { name: 'broken-1', serverType: 'cx22', image: 'ubuntu-24.04', location: 'fsn1', sshKeys: [], userData: '#cloud-config\n', labels: {}, publicNets: { ipv4Enabled: true, ipv6Enabled: true }, networks: [] };
  const err = await type(T.server).create(inputs, ctx(T.server, 'broken-1')).catch((e: unknown) => e);
  assert.ok(err instanceof HetznerActionError, String(err));
  assert.equal(classifyHetznerError(err), 'permanent');
  assert.equal(api.standin.servers.size, 0);
  await api.prism.assertClean();
});

test('a 429 is waited out by the client; locked and 5xx answers are transient, the rest permanent', async () => {
  const before = api.standin.log.length;
  api.standin.failNext(2, { status: 429, match: /^GET \/locations$/, resetSeconds: 1 });
  const r = await client.api.GET('/locations', { signal: AbortSignal.timeout(10_000) });
  assert.ok((r.data?.locations ?? []).length > 0);
  assert.deepEqual(api.standin.log.slice(before).map((e) => e.status), [429, 429, 200]);
  const err = (status: number, code: string) => new ApiError({ cloud: 'Hetzner Cloud', method: 'POST', path: '/x', status, code, message: code });
  assert.equal(classifyHetznerError(err(429, 'rate_limit_exceeded')), 'throttled');
  assert.equal(classifyHetznerError(err(423, 'locked')), 'transient');
  assert.equal(classifyHetznerError(err(409, 'conflict')), 'transient');
  assert.equal(classifyHetznerError(err(503, 'unavailable')), 'transient');
  assert.equal(classifyHetznerError(err(400, 'invalid_input')), 'permanent');
  assert.equal(classifyHetznerError(err(403, 'resource_limit_exceeded')), 'permanent');
  await api.prism.assertClean();
});

test('configure: token from the config, else HCLOUD_TOKEN; HCLOUD_ENDPOINT; unknown keys refused', () => {
  assert.equal(clientFor({ token: 't' }, {}).endpoint, 'https://api.hetzner.cloud/v1');
  assert.equal(clientFor({}, { HCLOUD_TOKEN: 't', HCLOUD_ENDPOINT: 'http://127.0.0.1:1/' }).endpoint, 'http://127.0.0.1:1');
  assert.throws(() => clientFor({}, {}), /no Hetzner Cloud API token: set HCLOUD_TOKEN, or \(token …\) in providers\.hetzner/);
  assert.throws(() => clientFor({ token: 't', datacenter: 'x' }, {}), /does not support yet: datacenter/);
});

const urn = (t: string, name: string) => `urn:pulumi:dev::sloth-kubernetes::${t}::${name}`;
function serverItem(name: string, inputs: PropertyMap, sourcePosition = 'node-pools.workers'): PreflightItem {
  return { urn: urn(T.server, name), type: T.server, op: 'create', inputs: { name, serverType: 'cx22', image: 'ubuntu-24.04', location: 'fsn1', sshKeys: UNKNOWN_VALUE, networks: UNKNOWN_VALUE, ...inputs }, sourcePosition };
}
const pctx = () => ({ env: {}, signal: AbortSignal.timeout(20_000) });

test('pre-flight: a plan the project can take has no problem; every misfit is reported at once', async () => {
  const fine: PreflightItem[] = [
    { urn: urn(T.subnet, 'sub'), type: T.subnet, op: 'create', inputs: { networkId: UNKNOWN_VALUE, type: 'cloud', networkZone: 'eu-central', ipRange: '10.30.0.0/16' } },
    serverItem('masters-1', { placementGroupId: UNKNOWN_VALUE }, 'node-pools.masters'),
    serverItem('arm-1', { serverType: 'cax11' }, 'node-pools.arm'),
    serverItem('us-1', { serverType: 'cpx21', location: 'ash' }, 'node-pools.us'),
    { urn: urn(T.lb, 'api'), type: T.lb, op: 'create', inputs: { name: 'api', loadBalancerType: 'lb11', location: 'fsn1' } },
  ];
  assert.deepEqual(await provider.preflight!(client, fine, pctx()), []);
  const bad: PreflightItem[] = [
    serverItem('edge-1', { location: 'mars1' }, 'nodes.edge'),
    serverItem('workers-1', { serverType: 'cx99' }),
    serverItem('workers-2', { serverType: 'cx99' }),
    serverItem('old-1', { serverType: 'cx11' }, 'node-pools.old'),
    serverItem('us-1', { serverType: 'cx22', location: 'ash' }, 'node-pools.us'),
    serverItem('img-1', { image: 'ubuntu-99.04' }, 'node-pools.img'),
    { urn: urn(T.subnet, 'sub'), type: T.subnet, op: 'create', inputs: { networkId: UNKNOWN_VALUE, type: 'cloud', networkZone: 'moon-south', ipRange: '10.30.0.0/16' } },
    { urn: urn(T.lb, 'api'), type: T.lb, op: 'create', inputs: { name: 'api', loadBalancerType: 'lb99', location: 'fsn1' } },
    ...Array.from({ length: 11 }, (_, i) => serverItem(`masters-${i + 1}`, { placementGroupId: UNKNOWN_VALUE }, 'node-pools.masters')),
  ];
  const problems = await provider.preflight!(client, bad, pctx());
  assert.deepEqual(problems.map((p) => `${p.urn ? p.urn.split('::').pop() : '-'}: ${p.message}`), [
    "edge-1: location 'mars1' does not exist",
    "sub: network zone 'moon-south' does not exist",
    "workers-1: server type 'cx99' does not exist (also workers-2)",
    "old-1: server type 'cx11' is deprecated and can no longer be ordered",
    "us-1: server type 'cx22' is not offered in location 'ash'",
    "img-1: image 'ubuntu-99.04' does not exist for x86 servers",
    "api: load balancer type 'lb99' does not exist",
    'masters-11: 11 servers would share one spread placement group; Hetzner allows 10',
  ]);
  for (const p of problems) assert.ok(p.hint, `a hint for: ${p.message}`);
  const refused = await provider.preflight!(new HetznerClient({ token: 'revoked-token', endpoint: api.apiUrl }), [serverItem('a-1', {})], pctx());
  assert.equal(refused.length, 1);
  assert.match(refused[0]!.message, /Hetzner Cloud refused the API token \(401 unauthorized/);
  assert.doesNotMatch(JSON.stringify(refused), /revoked-token/);
  const away = await provider.preflight!(new HetznerClient({ token: 't', endpoint: `http://127.0.0.1:${await freePort()}` }), [serverItem('a-1', {})], pctx());
  assert.match(away[0]!.message, /could not be reached: ECONNREFUSED/);
  await api.prism.assertClean();
});
