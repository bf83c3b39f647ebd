// Each resource type of the `digitalocean` package, called the way the engine calls it, against
// the stand-in behind `prism proxy` with DigitalOcean's OpenAPI contract: create, read (the
// inputs come back as they were given), update, delete (twice), adopt by URN tag; the rate
// limit and busy answers; and the planner's mapping declaring only types this package has.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import type { PropertyMap } from '../../state/types.ts';
import type { CallContext, ResourceType } from '../../engine/index.ts';
import { startDoApi, type DoApi } from '../../../test/standins/digitalocean/harness.ts';
import { digitalocean, digitaloceanDns } from '../../cluster/clouds/digitalocean.ts';
import { provider, type DoClient } from './index.ts';
import { md5Fingerprint } from './resources/ssh-key.ts';
import { missing } from '../../../test/helpers/parts.ts';

let api: DoApi;
let client: DoClient;
const logs: string[] = [];

before(async () => {
  api = await startDoApi({ domains: ['example.com'], actionMs: 40, loadBalancerMs: 80, dropletGoneMs: 30 });
  client = provider.configure({}, { env: api.env, signal: AbortSignal.timeout(1000) }) as DoClient;
  Object.assign(client, { pollMinMs: 20, pollMaxMs: 80 });
});
after(async () => {
  await api?.stop();
});

const T = {
  vpc: 'digitalocean:index/vpc:Vpc',
  key: 'digitalocean:index/sshKey:SshKey',
  tag: 'digitalocean:index/tag:Tag',
  droplet: 'digitalocean:index/droplet:Droplet',
  firewall: 'digitalocean:index/firewall:Firewall',
  lb: 'digitalocean:index/loadBalancer:LoadBalancer',
  dns: 'digitalocean:index/dnsRecord:DnsRecord',
} as const;

const type = (t: string): ResourceType<DoClient> => provider.resources[t]!;
const tagOf = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 32);

function ctx(t: string, name: string, knownIds: string[] = []): CallContext<DoClient> & { knownIds: string[] } {
  return { urn: `urn:pulumi:test::sloth-kubernetes::${t}::${name}`, name, type: t, urnTag: tagOf(`${t}/${name}`), client, signal: AbortSignal.timeout(20_000), log: (m) => logs.push(m), knownIds };
}

const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3qLAVs3Ml1IsRAm4T5g3ZS1cRzk1q3mW0Ndu0aD3x deploy';
const OTHER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@laptop';

test('the planner\'s DigitalOcean mapping declares only types this package implements, with the same replacement keys', () => {
  for (const [t, forceNew] of Object.entries({ ...digitalocean.resourceTypes, ...digitaloceanDns.resourceTypes })) {
    assert.ok(provider.resources[t], `${t} is implemented`);
    assert.deepEqual([...(provider.resources[t]!.forceNew ?? [])].sort(), [...forceNew].sort(), `${t} forceNew`);
  }
});

test('the MD5 fingerprint is DigitalOcean\'s key identity, as ssh-keygen -l -E md5 prints it', { skip: missing('ssh-keygen') }, () => {
  const printed = spawnSync('ssh-keygen', ['-l', '-E', 'md5', '-f', '-'], { input: `${PUBLIC_KEY}\n`, encoding: 'utf8' });
  assert.equal(printed.status, 0, printed.stderr);
  assert.equal(md5Fingerprint(PUBLIC_KEY), printed.stdout.match(/MD5:([0-9a-f:]+)/)![1]);
  assert.throws(() => md5Fingerprint('not a key'), /not an OpenSSH public key/);
});

test('a whole cluster\'s objects: create, read back, update, adopt, delete', async () => {
  // VPC
  const vpcIn = { name: 'c1-digitalocean', region: 'nyc3', ipRange: '10.10.0.0/16' };
  const vpc = await type(T.vpc).create(vpcIn, ctx(T.vpc, 'net'));
  assert.deepEqual((await type(T.vpc).read(vpc.id, { inputs: vpcIn, outputs: vpc.outputs }, ctx(T.vpc, 'net')))!.inputs, vpcIn);
  assert.equal((await type(T.vpc).adopt(vpcIn, ctx(T.vpc, 'net')))!.id, vpc.id);
  assert.equal(await type(T.vpc).adopt(vpcIn, ctx(T.vpc, 'net', [vpc.id])), undefined);
  assert.equal(await type(T.vpc).adopt(vpcIn, ctx(T.vpc, 'other')), undefined);

  // SSH key
  const keyIn = { name: 'c1-test-deploy', publicKey: PUBLIC_KEY };
  const key = await type(T.key).create(keyIn, ctx(T.key, 'key'));
  assert.equal(key.outputs.fingerprint, md5Fingerprint(PUBLIC_KEY));
  assert.equal(key.outputs.shared, false);
  assert.deepEqual((await type(T.key).read(key.id, { inputs: keyIn, outputs: key.outputs }, ctx(T.key, 'key')))!.inputs, keyIn);
  assert.equal((await type(T.key).adopt(keyIn, ctx(T.key, 'key')))!.id, key.id);
  assert.equal(await type(T.key).adopt(keyIn, ctx(T.key, 'someone-else')), undefined);
  // A rebuilt stack plans another key: ours is found by the tag in its name, with the key it holds.
  const regenerated = await type(T.key).adopt({ ...keyIn, publicKey: OTHER_KEY }, ctx(T.key, 'key'));
  assert.equal(regenerated!.id, key.id);
  assert.equal(regenerated!.outputs.publicKey, PUBLIC_KEY);
  assert.equal(await type(T.key).adopt({ ...keyIn, publicKey: OTHER_KEY }, ctx(T.key, 'key', [key.id])), undefined);

  // Tags
  for (const name of ['sloth:c1:test', 'sloth:c1:test:api', 'sloth:c1:test:workers']) await type(T.tag).create({ name }, ctx(T.tag, name));
  assert.equal((await type(T.tag).adopt({ name: 'sloth:c1:test' }, ctx(T.tag, 'sloth:c1:test')))!.id, 'sloth:c1:test');
  assert.equal(await type(T.tag).adopt({ name: 'sloth:c1:test' }, ctx(T.tag, 'sloth:c1:test', ['sloth:c1:test'])), undefined);

  // Droplet
  const dropletIn: PropertyMap = {
    name: 'masters-1',
    region: 'nyc3',
    size: 's-2vcpu-4gb',
    image: 'ubuntu-24-04-x64',
    vpcUuid: vpc.id,
    sshKeys: [key.outputs.fingerprint!],
    userData: '#cloud-config\npackages: [wireguard]\n',
    tags: ['sloth:c1:test', 'sloth:c1:test:api'],
    ipv6: false,
    monitoring: false,
  };
  const d = await type(T.droplet).create(dropletIn, ctx(T.droplet, 'masters-1'));
  assert.match(String(d.outputs.ipv4Address), /^203\.0\.113\.\d+$/);
  assert.match(String(d.outputs.ipv4AddressPrivate), /^10\.10\.0\.\d+$/);
  const held = api.standin.droplets.get(Number(d.id))!;
  assert.deepEqual(held.tags, ['sloth:c1:test', 'sloth:c1:test:api', `sloth-urn:${tagOf(`${T.droplet}/masters-1`)}`]);
  assert.equal(held.userData, dropletIn.userData);
  assert.equal(held.vpc, vpc.id);
  const read = await type(T.droplet).read(d.id, { inputs: dropletIn, outputs: d.outputs }, ctx(T.droplet, 'masters-1'));
  assert.deepEqual(read!.inputs, dropletIn);
  assert.equal((await type(T.droplet).adopt(dropletIn, ctx(T.droplet, 'masters-1')))!.id, d.id);
  assert.equal(await type(T.droplet).adopt(dropletIn, ctx(T.droplet, 'masters-1', [d.id])), undefined);

  // Update in place: rename, resize (off, resize, on), retag.
  const next = { ...dropletIn, name: 'masters-1b', size: 's-4vcpu-8gb', tags: ['sloth:c1:test', 'sloth:c1:test:workers'] };
  const updated = await type(T.droplet).update!(d.id, { inputs: dropletIn, outputs: d.outputs }, next, ctx(T.droplet, 'masters-1'));
  assert.equal(updated.outputs.size, 's-4vcpu-8gb');
  assert.equal(held.name, 'masters-1b');
  assert.equal(held.size, 's-4vcpu-8gb');
  assert.equal(held.status, 'active');
  assert.deepEqual([...held.tags].sort(), ['sloth:c1:test', 'sloth:c1:test:workers', `sloth-urn:${tagOf(`${T.droplet}/masters-1`)}`].sort());
  assert.ok(logs.some((l) => /resizing droplet masters-1b/.test(l)));
  assert.deepEqual(type(T.droplet).forceNew, ['region', 'image', 'vpcUuid', 'userData', 'sshKeys', 'ipv6', 'monitoring']);

  // Load balancer (by the api tag) and firewall (applied by tag, the balancer as a source).
  // A smaller size would need a smaller disk, which DigitalOcean refuses (resizes include the disk).
  const shrink = await type(T.droplet).update!(d.id, { inputs: next, outputs: updated.outputs }, { ...next, size: 's-2vcpu-4gb' }, ctx(T.droplet, 'masters-1')).catch((e: unknown) => e);
  assert.match(String(shrink), /disk of a Droplet cannot be made smaller/);
  assert.equal(held.status, 'active', 'powered on again after the refused resize');
  await type(T.droplet).update!(d.id, { inputs: next, outputs: updated.outputs }, { ...next, tags: dropletIn.tags! }, ctx(T.droplet, 'masters-1'));
  const lbIn: PropertyMap = { name: 'c1-api', region: 'nyc3', vpcUuid: vpc.id, dropletTag: 'sloth:c1:test:api', forwardingRules: [{ entryPort: 6443, entryProtocol: 'tcp', targetPort: 6443, targetProtocol: 'tcp' }], healthcheck: { port: 6443, protocol: 'tcp' } };
  const lb = await type(T.lb).create(lbIn, ctx(T.lb, 'c1-api'));
  assert.match(String(lb.outputs.ip), /^198\.51\.100\.\d+$/);
  assert.equal(api.standin.loadBalancers.get(lb.id)!.name, `c1-api-${tagOf(`${T.lb}/c1-api`).slice(0, 16)}`);
  assert.deepEqual((await type(T.lb).read(lb.id, { inputs: lbIn, outputs: lb.outputs }, ctx(T.lb, 'c1-api')))!.inputs, lbIn);
  assert.equal((await type(T.lb).adopt(lbIn, ctx(T.lb, 'c1-api')))!.id, lb.id);
  const lb2 = await type(T.lb).update!(lb.id, { inputs: lbIn, outputs: lb.outputs }, { ...lbIn, forwardingRules: [{ entryPort: 6443, entryProtocol: 'tcp', targetPort: 6443, targetProtocol: 'tcp' }, { entryPort: 9345, entryProtocol: 'tcp', targetPort: 9345, targetProtocol: 'tcp' }] }, ctx(T.lb, 'c1-api'));
  assert.equal((lb2.outputs.forwardingRules as unknown[]).length, 2);
  assert.equal(api.standin.loadBalancers.get(lb.id)!.forwardingRules.length, 2);

  const fwIn: PropertyMap = {
    name: 'c1-fw-digitalocean-etcd-master',
    tags: ['sloth:c1:test:api'],
    inboundRules: [
      { protocol: 'tcp', portRange: '22', sourceAddresses: ['198.51.100.7/32'], sourceTags: [], sourceLoadBalancerUids: [] },
      { protocol: 'tcp', portRange: '6443', sourceAddresses: [], sourceTags: ['sloth:c1:test'], sourceLoadBalancerUids: [lb.id] },
      { protocol: 'udp', portRange: '51820', sourceAddresses: [], sourceTags: ['sloth:c1:test'], sourceLoadBalancerUids: [] },
      { protocol: 'icmp', sourceAddresses: [], sourceTags: ['sloth:c1:test'], sourceLoadBalancerUids: [] },
      // No source at all (no bastion): the API refuses such a rule, and it lets nothing in.
      { protocol: 'tcp', portRange: '2222', sourceAddresses: [], sourceTags: [], sourceLoadBalancerUids: [] },
    ],
    outboundRules: [
      { protocol: 'tcp', portRange: '1-65535', destinationAddresses: ['0.0.0.0/0', '::/0'] },
      { protocol: 'icmp', destinationAddresses: ['0.0.0.0/0', '::/0'] },
    ],
  };
  const fw = await type(T.firewall).create(fwIn, ctx(T.firewall, 'fw'));
  const heldFw = api.standin.firewalls.get(fw.id)!;
  assert.equal(heldFw.inbound.length, 4);
  assert.equal(heldFw.inbound[3]!.ports, '0');
  assert.deepEqual((await type(T.firewall).read(fw.id, { inputs: fwIn, outputs: fw.outputs }, ctx(T.firewall, 'fw')))!.inputs, fwIn, 'a firewall read back as it was given is no drift');
  heldFw.inbound[0]!.sources = { addresses: ['0.0.0.0/0'] };
  const drifted = (await type(T.firewall).read(fw.id, { inputs: fwIn, outputs: fw.outputs }, ctx(T.firewall, 'fw')))!.inputs!;
  assert.deepEqual((drifted.inboundRules as PropertyMap[])[0], { protocol: 'tcp', portRange: '22', sourceAddresses: ['0.0.0.0/0'], sourceTags: [], sourceLoadBalancerUids: [] });
  await type(T.firewall).update!(fw.id, { inputs: drifted, outputs: fw.outputs }, fwIn, ctx(T.firewall, 'fw'));
  assert.deepEqual(heldFw.inbound[0]!.sources, { addresses: ['198.51.100.7/32'], tags: [], load_balancer_uids: [] });
  assert.equal((await type(T.firewall).adopt(fwIn, ctx(T.firewall, 'fw')))!.id, fw.id);
  assert.equal(await type(T.firewall).adopt(fwIn, ctx(T.firewall, 'fw', [fw.id])), undefined);

  // DNS
  const recIn = { domain: 'example.com', type: 'A', name: 'api', value: String(lb.outputs.ip), ttl: 300 };
  const rec = await type(T.dns).create(recIn, ctx(T.dns, 'dns-api'));
  assert.equal(rec.outputs.fqdn, 'api.example.com');
  assert.deepEqual((await type(T.dns).read(rec.id, { inputs: recIn, outputs: rec.outputs }, ctx(T.dns, 'dns-api')))!.inputs, recIn);
  assert.equal((await type(T.dns).adopt(recIn, ctx(T.dns, 'dns-api')))!.id, rec.id);
  assert.equal(await type(T.dns).adopt({ ...recIn, value: '192.0.2.1' }, ctx(T.dns, 'dns-api')), undefined);
  await type(T.dns).update!(rec.id, { inputs: recIn, outputs: rec.outputs }, { ...recIn, ttl: 60 }, ctx(T.dns, 'dns-api'));
  assert.equal(api.standin.domains.get('example.com')!.get(Number(rec.id))!.ttl, 60);

  // Delete in reverse order; a second delete of each is a success.
  const all: [string, string, { id: string; outputs: PropertyMap }, PropertyMap][] = [
    [T.dns, 'dns-api', rec, recIn],
    [T.firewall, 'fw', fw, fwIn],
    [T.lb, 'c1-api', lb, lbIn],
    [T.droplet, 'masters-1', d, dropletIn],
    [T.key, 'key', key, keyIn],
    [T.vpc, 'net', vpc, vpcIn],
  ];
  for (const [t, name, r, inputs] of all) {
    await type(t).delete(r.id, { inputs, outputs: r.outputs }, ctx(t, name));
    await type(t).delete(r.id, { inputs, outputs: r.outputs }, ctx(t, name));
    assert.equal(await type(t).read(r.id, { inputs, outputs: r.outputs }, ctx(t, name)), undefined, `${t} is gone`);
  }
  for (const name of ['sloth:c1:test', 'sloth:c1:test:api', 'sloth:c1:test:workers']) await type(T.tag).delete(name, { inputs: { name }, outputs: {} }, ctx(T.tag, name));
  assert.deepEqual(api.standin.inventory(), { droplets: 0, vpcs: 0, keys: 0, tags: 0, firewalls: 0, loadBalancers: 0, records: 0 }, 'the droplet\'s URN tag went with it');
  await api.prism.assertClean({ expectTraffic: true });
});

test('an SSH key the account already holds is used as it is, and left in place on delete', async () => {
  const own = { ssh_key: (await client.api.POST('/v2/account/keys', { body: { name: 'laptop', public_key: OTHER_KEY } })).data!.ssh_key! };
  logs.length = 0;
  const inputs = { name: 'c2-deploy', publicKey: OTHER_KEY };
  const key = await type(T.key).create(inputs, ctx(T.key, 'key2'));
  assert.equal(key.id, String(own.ssh_key.id));
  assert.equal(key.outputs.shared, true);
  assert.ok(logs.some((l) => /already holds this public key as 'laptop'/.test(l)));
  assert.equal(await type(T.key).adopt(inputs, ctx(T.key, 'key2')), undefined, 'not ours to adopt');
  await type(T.key).update!(key.id, { inputs, outputs: key.outputs }, { ...inputs, name: 'renamed' }, ctx(T.key, 'key2'));
  await type(T.key).delete(key.id, { inputs, outputs: key.outputs }, ctx(T.key, 'key2'));
  assert.equal(api.standin.keys.get(own.ssh_key.id!)!.name, 'laptop');
  await client.api.DELETE('/v2/account/keys/{ssh_key_identifier}', { params: { path: { ssh_key_identifier: own.ssh_key.id! } } });
  await api.prism.assertClean();
});

test('rate limiting and busy answers: a 429 is waited out; a droplet busy with an action is a transient error', async () => {
  api.standin.failNext(2, { status: 429, match: /^POST \/v2\/tags$/, resetSeconds: 1 });
  const t0 = Date.now();
  await type(T.tag).create({ name: 'sloth:rl' }, ctx(T.tag, 'rl'));
  assert.ok(Date.now() - t0 >= 900, 'waited for ratelimit-reset');
  assert.ok(api.standin.tags.has('sloth:rl'));
  await type(T.tag).delete('sloth:rl', { inputs: {}, outputs: {} }, ctx(T.tag, 'rl'));

  api.standin.failNext(1, { status: 503, match: /^GET \/v2\/account$/ });
  const err = await client.api.GET('/v2/account').catch((e: unknown) => e);
  assert.equal(provider.classifyError(err), 'transient');

  const vpc = await type(T.vpc).create({ name: 'busy', region: 'nyc3', ipRange: '10.30.0.0/16' }, ctx(T.vpc, 'busy'));
  const actionMs = api.standin.options.actionMs;
  Object.assign(api.standin.options, { actionMs: 3000 });
  const created = (await client.api.POST('/v2/droplets', { body: { name: 'busy-1', region: 'nyc3', size: 's-1vcpu-1gb', image: 'ubuntu-24-04-x64', vpc_uuid: vpc.id } })).data!;
  assert.ok('droplet' in created);
  const made = { droplet: { id: created.droplet.id } };
  const busy = await client.api.POST('/v2/droplets/{droplet_id}/actions', { params: { path: { droplet_id: made.droplet.id } }, body: { type: 'power_off' } }).catch((e: unknown) => e);
  assert.match(String(busy), /pending event/);
  assert.equal(provider.classifyError(busy), 'transient');
  Object.assign(api.standin.options, { actionMs });
  await type(T.droplet).delete(String(made.droplet.id), { inputs: {}, outputs: {} }, ctx(T.droplet, 'busy-1'));
  await type(T.vpc).delete(vpc.id, { inputs: {}, outputs: {} }, ctx(T.vpc, 'busy'));
  assert.equal(api.standin.inventory().vpcs, 0);
  await api.prism.assertClean();
});

test('a VPC kept busy by a droplet this stack does not track: the delete says what it waits for, then gives up naming it; once empty, it goes', async () => {
  const vpc = await type(T.vpc).create({ name: 'orphaned', region: 'nyc3', ipRange: '10.50.0.0/16' }, ctx(T.vpc, 'orphaned'));
  const made = (await client.api.POST('/v2/droplets', { body: { name: 'orphan-1', region: 'nyc3', size: 's-1vcpu-1gb', image: 'ubuntu-24-04-x64', vpc_uuid: vpc.id } })).data!;
  assert.ok('droplet' in made);
  const seen: string[] = [];
  const c = { ...ctx(T.vpc, 'orphaned'), log: (m: string, severity = 'info') => seen.push(`${severity}: ${m}`) };
  Object.assign(client, { waitNoticeMs: 200, maxWaitMs: 1200 });
  try {
    const err = await type(T.vpc).delete(vpc.id, { inputs: {}, outputs: vpc.outputs }, c).catch((e: unknown) => e);
    assert.ok(err instanceof Error);
    assert.match(err.message, new RegExp(`^VPC 'orphaned' \\(${vpc.id}\\) still holds 'orphan-1' \\(do:droplet:${made.droplet.id}\\) after 1s; .*this stack does not track that object\\. Delete or move it .*then run destroy again\\.$`));
    assert.equal(provider.classifyError(err), 'permanent', 'not retried: the engine reports it');
    const waits = seen.filter((l) => l.startsWith('warning: waiting for '));
    assert.ok(waits.length >= 2, seen.join('\n'));
    assert.match(waits[0]!, new RegExp(`^warning: waiting for VPC 'orphaned' \\(${vpc.id}\\) to be empty \\(\\d+s of at most 1s\\): it still holds 'orphan-1' \\(do:droplet:${made.droplet.id}\\)$`));
  } finally {
    Object.assign(client, { waitNoticeMs: 10_000, maxWaitMs: 180_000 });
  }
  const vpcs = api.standin.inventory().vpcs;
  await type(T.droplet).delete(String(made.droplet.id), { inputs: {}, outputs: {} }, ctx(T.droplet, 'orphan-1'));
  await type(T.vpc).delete(vpc.id, { inputs: {}, outputs: vpc.outputs }, c);
  assert.equal(api.standin.inventory().vpcs, vpcs - 1);
  await api.prism.assertClean();
});

test('bad input is refused before any call, naming the input', async () => {
  const before = api.standin.log.length;
  await assert.rejects(type(T.droplet).create({ name: 'x', region: 'nyc3', size: 7, image: 'ubuntu-24-04-x64' }, ctx(T.droplet, 'x')), /input 'size' must be a non-empty string/);
  await assert.rejects(type(T.firewall).create({ name: 'f', tags: [], inboundRules: [{ protocol: 'sctp', sourceAddresses: ['1.2.3.4/32'] }] }, ctx(T.firewall, 'f')), /protocol 'sctp' is not tcp, udp or icmp/);
  await assert.rejects(type(T.key).create({ name: 'k', publicKey: 'nonsense' }, ctx(T.key, 'k')), /not an OpenSSH public key/);
  assert.equal(api.standin.log.length, before);
  // A size the region does not offer: the API's refusal, permanent, with its message.
  const vpc = await type(T.vpc).create({ name: 'refuse', region: 'lon1', ipRange: '10.40.0.0/16' }, ctx(T.vpc, 'refuse'));
  const err = await type(T.droplet).create({ name: 'gd-1', region: 'lon1', size: 'gd-2vcpu-8gb', image: 'ubuntu-24-04-x64', vpcUuid: vpc.id, tags: [] }, ctx(T.droplet, 'gd-1')).catch((e: unknown) => e);
  assert.match(String(err), /422 unprocessable_entity: Size is not available in this region/);
  assert.equal(provider.classifyError(err), 'permanent');
  await type(T.vpc).delete(vpc.id, { inputs: {}, outputs: {} }, ctx(T.vpc, 'refuse'));
  await api.prism.assertClean();
});

test('a droplet whose create action errors, or a balancer that never comes up, is removed: nothing to adopt, nothing left', async () => {
  const vpc = await type(T.vpc).create({ name: 'failing', region: 'nyc3', ipRange: '10.50.0.0/16' }, ctx(T.vpc, 'failing'));
  await type(T.tag).create({ name: 'sloth:fail:api' }, ctx(T.tag, 'sloth:fail:api'));
  const dropletIn = { name: 'broken-1', region: 'nyc3', size: 's-1vcpu-1gb', image: 'ubuntu-24-04-x64', vpcUuid: vpc.id, sshKeys: [], tags: ['sloth:fail:api'], ipv6: false, monitoring: false };
  api.standin.failActions(1);
  const err = await type(T.droplet).create(dropletIn, ctx(T.droplet, 'broken-1')).catch((e: unknown) => e);
  assert.match(String(err), /action \d+ \(create\) for droplet broken-1 errored/);
  assert.equal(provider.classifyError(err), 'permanent');
  assert.equal(await type(T.droplet).adopt(dropletIn, ctx(T.droplet, 'broken-1')), undefined);

  const lbIn = { name: 'fail-api', region: 'nyc3', vpcUuid: vpc.id, dropletTag: 'sloth:fail:api', forwardingRules: [{ entryPort: 6443, entryProtocol: 'tcp', targetPort: 6443, targetProtocol: 'tcp' }], healthcheck: { port: 6443, protocol: 'tcp' } };
  api.standin.failLoadBalancers(1);
  await assert.rejects(type(T.lb).create(lbIn, ctx(T.lb, 'fail-api')), /failed to start \(status errored\)/);
  assert.equal(api.standin.loadBalancers.size, 0);
  // Left by an interrupted run and errored since: adopt clears it away instead of keeping it.
  api.standin.failLoadBalancers(1);
  await client.api.POST('/v2/load_balancers', { body: { name: `fail-api-${tagOf(`${T.lb}/fail-api`).slice(0, 16)}`, region: 'nyc3', vpc_uuid: vpc.id, tag: 'sloth:fail:api', forwarding_rules: [{ entry_protocol: 'tcp', entry_port: 6443, target_protocol: 'tcp', target_port: 6443 }] } });
  assert.equal(await type(T.lb).adopt(lbIn, ctx(T.lb, 'fail-api')), undefined);
  assert.equal(api.standin.loadBalancers.size, 0);

  await new Promise((r) => setTimeout(r, 60));
  await type(T.tag).delete('sloth:fail:api', { inputs: {}, outputs: {} }, ctx(T.tag, 'sloth:fail:api'));
  await type(T.vpc).delete(vpc.id, { inputs: {}, outputs: {} }, ctx(T.vpc, 'failing'));
  assert.deepEqual(api.standin.inventory().droplets, 0);
  assert.equal([...api.standin.tags].filter((t) => t.startsWith('sloth-urn:')).length, 0, 'the failed droplet\'s URN tag went too');
  await api.prism.assertClean();
});
