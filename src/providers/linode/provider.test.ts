// Each resource type of the `linode` package, called the way the engine calls it, against the
// stand-in behind `prism proxy` with Linode's OpenAPI contract: create, read (the inputs come
// back as they were given), update, delete (twice), adopt by URN tag; the pre-flight; the rate
// limit and busy answers; and the planner's mapping declaring only types this package has.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { UNKNOWN_VALUE, type PropertyMap } from '../../state/types.ts';
import type { CallContext, PreflightItem, ResourceType } from '../../engine/index.ts';
import { freePort } from '../../../test/helpers/moto.ts';
import { startLinodeApi, type LinodeApi } from '../../../test/standins/linode/harness.ts';
import { linode, linodeDns } from '../../cluster/clouds/linode.ts';
import { ApiError } from '../rest/errors.ts';
import { clientFor, classifyLinodeError, LinodeClient, provider } from './index.ts';
import { fitLabel } from './marks.ts';

let api: LinodeApi;
let client: LinodeClient;
const logs: string[] = [];

before(async () => {
  api = await startLinodeApi({ domains: ['example.com'], bootMs: 60 });
  client = new LinodeClient({ token: api.env.LINODE_TOKEN!, endpoint: api.apiUrl, pollMinMs: 20, pollMaxMs: 80 });
});
after(async () => {
  await api?.stop();
});

const T = {
  vpc: 'linode:index/vpc:Vpc',
  subnet: 'linode:index/vpcSubnet:VpcSubnet',
  key: 'linode:index/sshKey:SshKey',
  instance: 'linode:index/instance:Instance',
  firewall: 'linode:index/firewall:Firewall',
  nb: 'linode:index/nodeBalancer:NodeBalancer',
  config: 'linode:index/nodeBalancerConfig:NodeBalancerConfig',
  node: 'linode:index/nodeBalancerNode:NodeBalancerNode',
  record: 'linode:index/domainRecord:DomainRecord',
} as const;

const type = (t: string): ResourceType<LinodeClient> => provider.resources[t]!;
const tagOf = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 32);

function ctx(t: string, name: string, knownIds: string[] = []): CallContext<LinodeClient> & { knownIds: string[] } {
  return { urn: `urn:pulumi:test::sloth-kubernetes::${t}::${name}`, name, type: t, urnTag: tagOf(`${t}/${name}`), client, signal: AbortSignal.timeout(20_000), log: (m) => logs.push(m), knownIds };
}

const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3qLAVs3Ml1IsRAm4T5g3ZS1cRzk1q3mW0Ndu0aD3x deploy';

test('the planner\'s Linode mapping declares only types this package implements, with the same replacement keys', () => {
  for (const [t, forceNew] of Object.entries({ ...linode.resourceTypes, ...linodeDns.resourceTypes })) {
    assert.ok(provider.resources[t], `${t} is implemented`);
    assert.deepEqual([...(provider.resources[t]!.forceNew ?? [])].sort(), [...forceNew].sort(), `${t} forceNew`);
  }
});

test('labels fit Linode\'s rules: a letter first, no doubled separators, long ones cut with a hash', () => {
  assert.equal(fitLabel('multi-cloud-ha-api', 32), 'multi-cloud-ha-api');
  assert.equal(fitLabel('1st--node', 32), 's-1st-node');
  const long = fitLabel('multi-cloud-ha-fw-linode-etcd-master', 32);
  assert.equal(long.length, 32);
  assert.notEqual(long, fitLabel('multi-cloud-ha-fw-linode-etcd-masters', 32));
  assert.match(long, /^multi-cloud-ha-fw-linod-[0-9a-f]{8}$/);
});

test('a whole cluster\'s objects: create, read back, update, adopt, delete', async () => {
  const vpcIn = { label: 'c1-linode', region: 'us-east' };
  const vpc = await type(T.vpc).create(vpcIn, ctx(T.vpc, 'net'));
  assert.deepEqual((await type(T.vpc).read(vpc.id, { inputs: vpcIn, outputs: vpc.outputs }, ctx(T.vpc, 'net')))!.inputs, vpcIn);
  assert.equal((await type(T.vpc).adopt(vpcIn, ctx(T.vpc, 'net')))!.id, vpc.id);
  assert.equal(await type(T.vpc).adopt(vpcIn, ctx(T.vpc, 'net', [vpc.id])), undefined);

  const subnetIn = { vpcId: vpc.id, label: 'nodes', ipv4: '10.20.0.0/16' };
  const subnet = await type(T.subnet).create(subnetIn, ctx(T.subnet, 'nodes'));
  assert.deepEqual((await type(T.subnet).read(subnet.id, { inputs: subnetIn, outputs: subnet.outputs }, ctx(T.subnet, 'nodes')))!.inputs, subnetIn);
  assert.equal((await type(T.subnet).adopt(subnetIn, ctx(T.subnet, 'nodes')))!.id, subnet.id);

  const keyIn = { label: 'c1-test-deploy', sshKey: PUBLIC_KEY };
  const key = await type(T.key).create(keyIn, ctx(T.key, 'key'));
  assert.equal(api.standin.keys.get(Number(key.id))!.label, `c1-test-deploy-${tagOf(`${T.key}/key`).slice(0, 16)}`);
  assert.deepEqual((await type(T.key).read(key.id, { inputs: keyIn, outputs: key.outputs }, ctx(T.key, 'key')))!.inputs, keyIn);
  assert.equal((await type(T.key).adopt(keyIn, ctx(T.key, 'key')))!.id, key.id);
  assert.equal(await type(T.key).adopt(keyIn, ctx(T.key, 'other')), undefined);

  const instanceIn: PropertyMap = {
    label: 'masters-1',
    region: 'us-east',
    type: 'g6-standard-2',
    image: 'linode/ubuntu24.04',
    authorizedKeys: [],
    userData: '#cloud-config\npackages: [wireguard]\n',
    interfaces: [{ purpose: 'public' }, { purpose: 'vpc', subnetId: subnet.id }],
    privateIp: true,
    tags: ['sloth:c1:test'],
  };
  const i = await type(T.instance).create(instanceIn, ctx(T.instance, 'masters-1'));
  assert.match(String(i.outputs.ipAddress), /^198\.51\.100\.\d+$/);
  assert.match(String(i.outputs.privateIpAddress), /^10\.20\.0\.\d+$/);
  assert.match(String(i.outputs.privateIpv4), /^192\.168\.\d+\.\d+$/);
  const held = api.standin.instances.get(Number(i.id))!;
  assert.equal(held.userData, instanceIn.userData, 'user data reaches cloud-init through the metadata service');
  assert.deepEqual(held.tags, ['sloth:c1:test', `sloth-urn:${tagOf(`${T.instance}/masters-1`)}`]);
  assert.deepEqual((await type(T.instance).read(i.id, { inputs: instanceIn, outputs: i.outputs }, ctx(T.instance, 'masters-1')))!.inputs, instanceIn);
  assert.equal((await type(T.instance).adopt(instanceIn, ctx(T.instance, 'masters-1')))!.id, i.id);
  assert.equal(await type(T.instance).adopt(instanceIn, ctx(T.instance, 'masters-1', [i.id])), undefined);
  const bigger = { ...instanceIn, label: 'masters-1b', type: 'g6-standard-4', tags: ['sloth:c1:test', 'extra'] };
  const resized = await type(T.instance).update!(i.id, { inputs: instanceIn, outputs: i.outputs }, bigger, ctx(T.instance, 'masters-1'));
  assert.equal(resized.outputs.type, 'g6-standard-4');
  assert.equal(held.type, 'g6-standard-4');
  assert.equal(held.label, 'masters-1b');
  assert.ok(logs.some((l) => /resizing Linode masters-1b/.test(l)));

  const fwIn: PropertyMap = {
    label: 'c1-fw-linode-etcd-master-and-more',
    inboundPolicy: 'DROP',
    outboundPolicy: 'ACCEPT',
    inbounds: [
      { label: 'ssh', action: 'ACCEPT', protocol: 'TCP', ports: '22', ipv4s: ['198.51.100.7/32'], ipv6s: [], addresses: [] },
      { label: 'wireguard', action: 'ACCEPT', protocol: 'UDP', ports: '51820', ipv4s: ['10.20.0.0/16'], ipv6s: [], addresses: ['203.0.113.9', '2001:db8::9'] },
      { label: 'icmp', action: 'ACCEPT', protocol: 'ICMP', ipv4s: ['10.20.0.0/16'], ipv6s: [], addresses: [] },
      // No source (no bastion): Linode refuses such a rule, and it lets nothing in.
      { label: 'bastion-ssh', action: 'ACCEPT', protocol: 'TCP', ports: '2222', ipv4s: [], ipv6s: [], addresses: [] },
    ],
    linodes: [i.id],
    tags: ['sloth:c1:test'],
  };
  const fw = await type(T.firewall).create(fwIn, ctx(T.firewall, 'fw'));
  const heldFw = api.standin.firewalls.get(Number(fw.id))!;
  assert.equal(heldFw.label.length, 32);
  assert.equal((heldFw.rules.inbound as unknown[]).length, 3);
  assert.deepEqual((heldFw.rules.inbound as PropertyMap[])[1]!.addresses, { ipv4: ['10.20.0.0/16', '203.0.113.9/32'], ipv6: ['2001:db8::9/128'] });
  assert.deepEqual([...heldFw.devices.values()].map((d) => d.linode), [Number(i.id)]);
  assert.deepEqual((await type(T.firewall).read(fw.id, { inputs: fwIn, outputs: fw.outputs }, ctx(T.firewall, 'fw')))!.inputs, fwIn, 'a firewall read back as it was given is no drift');
  ((heldFw.rules.inbound as PropertyMap[])[0]!.addresses as PropertyMap).ipv4 = ['0.0.0.0/0'];
  const drifted = (await type(T.firewall).read(fw.id, { inputs: fwIn, outputs: fw.outputs }, ctx(T.firewall, 'fw')))!.inputs!;
  assert.deepEqual((drifted.inbounds as PropertyMap[])[0], { label: 'ssh', action: 'ACCEPT', protocol: 'TCP', ports: '22', ipv4s: ['0.0.0.0/0'], ipv6s: [], addresses: [] });
  await type(T.firewall).update!(fw.id, { inputs: drifted, outputs: fw.outputs }, fwIn, ctx(T.firewall, 'fw'));
  assert.deepEqual((heldFw.rules.inbound as PropertyMap[])[0]!.addresses, { ipv4: ['198.51.100.7/32'] });
  assert.equal((await type(T.firewall).adopt(fwIn, ctx(T.firewall, 'fw')))!.id, fw.id);

  const nbIn = { label: 'c1-api', region: 'us-east', tags: ['sloth:c1:test'] };
  const nb = await type(T.nb).create(nbIn, ctx(T.nb, 'c1-api'));
  assert.match(String(nb.outputs.ipv4), /^203\.0\.113\.\d+$/);
  assert.deepEqual((await type(T.nb).read(nb.id, { inputs: nbIn, outputs: nb.outputs }, ctx(T.nb, 'c1-api')))!.inputs, nbIn);
  assert.equal((await type(T.nb).adopt(nbIn, ctx(T.nb, 'c1-api')))!.id, nb.id);
  const configIn = { nodebalancerId: nb.id, port: 6443, protocol: 'tcp', check: 'connection' };
  const config = await type(T.config).create(configIn, ctx(T.config, 'c1-api-6443'));
  assert.deepEqual((await type(T.config).read(config.id, { inputs: configIn, outputs: config.outputs }, ctx(T.config, 'c1-api-6443')))!.inputs, configIn);
  assert.equal((await type(T.config).adopt(configIn, ctx(T.config, 'c1-api-6443')))!.id, config.id);
  const nodeIn = { nodebalancerId: nb.id, configId: config.id, label: 'masters-1', address: String(i.outputs.privateIpv4), port: 6443 };
  const node = await type(T.node).create(nodeIn, ctx(T.node, 'c1-api-6443-masters-1'));
  assert.deepEqual((await type(T.node).read(node.id, { inputs: nodeIn, outputs: node.outputs }, ctx(T.node, 'c1-api-6443-masters-1')))!.inputs, nodeIn);
  assert.equal((await type(T.node).adopt(nodeIn, ctx(T.node, 'c1-api-6443-masters-1')))!.id, node.id);
  const vpcAddress = await type(T.node).create({ ...nodeIn, address: String(i.outputs.privateIpAddress) }, ctx(T.node, 'wrong')).catch((e: unknown) => e);
  assert.match(String(vpcAddress), /answered 400.*private IPv4/);

  const recIn = { domain: 'example.com', type: 'A', name: 'api', target: String(nb.outputs.ipv4), ttl: 300 };
  const rec = await type(T.record).create(recIn, ctx(T.record, 'dns-api'));
  assert.equal(rec.outputs.fqdn, 'api.example.com');
  assert.deepEqual((await type(T.record).read(rec.id, { inputs: recIn, outputs: rec.outputs }, ctx(T.record, 'dns-api')))!.inputs, recIn);
  assert.equal((await type(T.record).adopt(recIn, ctx(T.record, 'dns-api')))!.id, rec.id);
  assert.equal(await type(T.record).adopt({ ...recIn, target: '192.0.2.1' }, ctx(T.record, 'dns-api')), undefined);
  await type(T.record).update!(rec.id, { inputs: recIn, outputs: rec.outputs }, { ...recIn, ttl: 60 }, ctx(T.record, 'dns-api'));

  const all: [string, string, { id: string; outputs: PropertyMap }, PropertyMap][] = [
    [T.record, 'dns-api', rec, recIn],
    [T.node, 'c1-api-6443-masters-1', node, nodeIn],
    [T.config, 'c1-api-6443', config, configIn],
    [T.nb, 'c1-api', nb, nbIn],
    [T.firewall, 'fw', fw, fwIn],
    [T.instance, 'masters-1', i, bigger],
    [T.key, 'key', key, keyIn],
    [T.subnet, 'nodes', subnet, subnetIn],
    [T.vpc, 'net', vpc, vpcIn],
  ];
  for (const [t, name, r, inputs] of all) {
    await type(t).delete(r.id, { inputs, outputs: r.outputs }, ctx(t, name));
    await type(t).delete(r.id, { inputs, outputs: r.outputs }, ctx(t, name));
    assert.equal(await type(t).read(r.id, { inputs, outputs: r.outputs }, ctx(t, name)), undefined, `${t} is gone`);
  }
  assert.deepEqual(api.standin.inventory(), { instances: 0, vpcs: 0, subnets: 0, keys: 0, firewalls: 0, nodeBalancers: 0, configs: 0, nodes: 0, records: 0 });
  await api.prism.assertClean({ expectTraffic: true });
});

test('a 429 is waited out by the client; busy and 5xx answers are transient, the rest permanent', async () => {
  const before = api.standin.log.length;
  api.standin.failNext(2, { status: 429, match: /^GET \/v4\/regions$/, resetSeconds: 1 });
  const regions = await client.api.GET('/v4/regions', { signal: AbortSignal.timeout(10_000) });
  assert.ok((regions.data?.data ?? []).length > 0);
  assert.deepEqual(api.standin.log.slice(before).map((e) => e.status), [429, 429, 200]);
  const err = (status: number, message: string) => new ApiError({ cloud: 'Linode', method: 'POST', path: '/v4/x', status, code: `http_${status}`, message });
  assert.equal(classifyLinodeError(err(429, 'Too many requests')), 'throttled');
  assert.equal(classifyLinodeError(err(400, 'Linode busy.')), 'transient');
  assert.equal(classifyLinodeError(err(503, 'Please try again')), 'transient');
  assert.equal(classifyLinodeError(err(0, 'ECONNRESET')), 'transient');
  assert.equal(classifyLinodeError(err(400, 'region is not valid')), 'permanent');
  api.standin.failNext(1, { status: 500, match: /^GET \/v4\/profile$/ });
  const failed = await client.api.GET('/v4/profile').catch((e: unknown) => e);
  assert.ok(failed instanceof ApiError && failed.status === 500 && classifyLinodeError(failed) === 'transient');
  await api.prism.assertClean();
});

test('configure: token from the config, else LINODE_TOKEN; LINODE_API_URL; unknown keys refused', () => {
  assert.equal(clientFor({ token: 't' }, {}).endpoint, 'https://api.linode.com');
  assert.equal(clientFor({}, { LINODE_TOKEN: 't', LINODE_API_URL: 'http://127.0.0.1:1/' }).endpoint, 'http://127.0.0.1:1');
  assert.throws(() => clientFor({}, {}), /no Linode API token: set LINODE_TOKEN, or \(token …\) in providers\.linode/);
  assert.throws(() => clientFor({ token: 't', rootPassword: 'x' }, {}), /does not support yet: rootPassword/);
  assert.throws(() => clientFor({}, { LINODE_TOKEN: 't', LINODE_API_URL: 'ftp://x' }), /not an http\(s\) URL/);
});

const urn = (t: string, name: string) => `urn:pulumi:dev::sloth-kubernetes::${t}::${name}`;
function instanceItem(name: string, inputs: PropertyMap, sourcePosition = 'node-pools.workers'): PreflightItem {
  return { urn: urn(T.instance, name), type: T.instance, op: 'create', inputs: { label: name, region: 'us-east', type: 'g6-standard-2', image: 'linode/ubuntu24.04', userData: '#cloud-config\n', interfaces: UNKNOWN_VALUE, tags: [], ...inputs }, sourcePosition };
}
const pctx = () => ({ env: {}, signal: AbortSignal.timeout(20_000) });

test('pre-flight: a plan the account can take has no problem; every misfit is reported at once', async () => {
  const fine: PreflightItem[] = [
    { urn: urn(T.vpc, 'net'), type: T.vpc, op: 'create', inputs: { label: 'net', region: 'us-east' } },
    instanceItem('masters-1', {}, 'node-pools.masters'),
    { urn: urn(T.nb, 'api'), type: T.nb, op: 'create', inputs: { label: 'api', region: 'us-east', tags: [] } },
    { urn: urn(T.record, 'dns-api'), type: T.record, op: 'create', inputs: { domain: 'example.com', type: 'A', name: 'api', target: UNKNOWN_VALUE, ttl: 300 } },
  ];
  assert.deepEqual(await provider.preflight!(client, fine, pctx()), []);
  const bad: PreflightItem[] = [
    instanceItem('edge-1', { region: 'mars-1' }, 'nodes.edge'),
    instanceItem('sg-1', { region: 'ap-south' }, 'node-pools.sg'),
    instanceItem('ca-1', { region: 'ca-central' }, 'node-pools.ca'),
    instanceItem('workers-1', { type: 'g6-huge-99' }),
    instanceItem('workers-2', { type: 'g6-huge-99' }),
    instanceItem('deb-1', { image: 'linode/debian11' }, 'node-pools.deb'),
    instanceItem('img-1', { image: 'linode/plan9' }, 'node-pools.img'),
    { urn: urn(T.record, 'dns-api'), type: T.record, op: 'create', inputs: { domain: 'not-ours.example', type: 'A', name: 'api', target: UNKNOWN_VALUE, ttl: 300 } },
  ];
  const problems = await provider.preflight!(client, bad, pctx());
  assert.deepEqual(problems.map((p) => `${p.urn ? p.urn.split('::').pop() : '-'}: ${p.message}`), [
    "edge-1: region 'mars-1' does not exist",
    "sg-1: region 'ap-south' does not offer Metadata",
    "ca-1: region 'ca-central' reports an outage",
    "workers-1: type 'g6-huge-99' does not exist (also workers-2)",
    "deb-1: image 'linode/debian11' does not support cloud-init, which the nodes are set up with",
    "img-1: image 'linode/plan9' does not exist",
    "dns-api: the DNS zone 'not-ours.example' is not in this Linode account",
  ]);
  for (const p of problems) assert.ok(p.hint, `a hint for: ${p.message}`);
  await api.prism.assertClean();
});

test('pre-flight: missing scopes and a restricted user are reported; a refused token or an API out of reach is one problem', async () => {
  const scoped = await startLinodeApi({ scopes: 'linodes:read_write vpc:read_only', restricted: true });
  try {
    const c = new LinodeClient({ token: scoped.env.LINODE_TOKEN!, endpoint: scoped.apiUrl });
    const problems = await provider.preflight!(c, [instanceItem('a-1', {}), { urn: urn(T.vpc, 'net'), type: T.vpc, op: 'create', inputs: { label: 'net', region: 'us-east' } }], pctx());
    assert.deepEqual(problems.map((p) => p.message), [
      'the Linode token lacks the scope(s) vpc:read_write (it has: linodes:read_write vpc:read_only)',
      'the Linode user standin is restricted: restricted users may not tag objects, and every object this tool makes carries a tag that finds it again after an interrupted run',
    ]);
    await scoped.prism.assertClean();
  } finally {
    await scoped.stop();
  }
  const refused = await provider.preflight!(new LinodeClient({ token: 'revoked-token', endpoint: api.apiUrl }), [instanceItem('a-1', {})], pctx());
  assert.equal(refused.length, 1);
  assert.match(refused[0]!.message, /Linode refused the API token \(401/);
  assert.match(refused[0]!.hint!, /LINODE_TOKEN/);
  assert.doesNotMatch(JSON.stringify(refused), /revoked-token/);
  const away = await provider.preflight!(new LinodeClient({ token: 't', endpoint: `http://127.0.0.1:${await freePort()}` }), [instanceItem('a-1', {})], pctx());
  assert.match(away[0]!.message, /could not be reached: ECONNREFUSED/);
  api.prism.reset();
});
