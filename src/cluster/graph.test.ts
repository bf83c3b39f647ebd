import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { preview, ProviderRegistry, OutputRef, type DesiredState, type ResourceSpec } from '../engine/index.ts';
import type { Deployment, ResourceState } from '../state/types.ts';
import { loadConfigFile } from '../config/index.ts';
import { buildClusterGraph } from './graph.ts';
import { modelFromConfig } from './from-config.ts';
import { previousFromDeployment } from './previous.ts';
import { pendingCloudPackages, CloudNotImplementedError } from './clouds/pending.ts';
import { slothPackage, COMMAND_TYPE, HOST_KEY_TYPE, MACHINE_RECORD_TYPE, CLUSTER_RECORD_TYPE } from './remote/package.ts';
import { nodesOf, sampleModel, type PoolSpec } from './testing/arbitraries.ts';
import type { ClusterModel } from './model.ts';

const seeds = join(import.meta.dirname, '../../test/fixtures/config/seeds');

function registry(): ProviderRegistry {
  const r = new ProviderRegistry().register(slothPackage);
  for (const p of pendingCloudPackages()) r.register(p);
  return r;
}

const empty = (): Deployment => ({ manifest: { time: '', magic: '', version: '' }, resources: [], pendingOperations: [] });

const ofType = (d: DesiredState, type: string) => d.resources.filter((r) => r.type === type);

const clouds = {
  aws: { region: 'us-east-1', network: { create: true, name: 'demo-aws', cidr: '10.0.0.0/16' } },
  digitalocean: { region: 'nyc3', network: { create: true, name: 'demo-do', cidr: '10.10.0.0/16' } },
  linode: { region: 'us-east', network: { create: true, name: 'demo-linode', cidr: '10.20.0.0/16' } },
  hetzner: { region: 'nbg1', network: { create: true, name: 'demo-hetzner', cidr: '10.30.0.0/16' } },
};

function model(pools: PoolSpec[], extra: Partial<ClusterModel> = {}): ClusterModel {
  return sampleModel({ clouds, nodes: nodesOf(pools), ...extra });
}

test('preview of every seed example works with no cloud credentials and shows the whole graph', async () => {
  const files = readdirSync(seeds).filter((f) => f.endsWith('.lisp'));
  assert.ok(files.length >= 4);
  let planned = 0;
  for (const file of files) {
    let config;
    try {
      config = (await loadConfigFile(join(seeds, file), { env: {} })).config;
    } catch {
      continue; // a seed that needs environment variables to be valid (checked by the config tests)
    }
    const { graph, plan } = buildClusterGraph(modelFromConfig(config, { stack: 'dev', operatorCidrs: ['198.51.100.7/32'] }));
    const desired = graph.build();
    const result = preview({ deployment: empty() }, desired, { registry: registry() });
    assert.equal(result.counts.create, result.steps.length, file);
    const machines = plan.machines.length;
    const instances = desired.resources.filter((r) => /:(Instance|Droplet|Server)$/.test(r.type));
    assert.equal(instances.length, machines, `${file}: one instance per machine`);
    assert.equal(ofType(desired, COMMAND_TYPE).length + ofType(desired, HOST_KEY_TYPE).length, plan.steps.length, file);
    assert.equal(ofType(desired, HOST_KEY_TYPE).length, machines, `${file}: every machine gets its own host key`);
    assert.equal(ofType(desired, MACHINE_RECORD_TYPE).length, machines, file);
    if (plan.apiLoadBalancer) assert.ok(desired.resources.some((r) => /LoadBalancer$|NodeBalancer$/.test(r.type)), `${file}: load balancer`);
    // Nothing secret shows in the preview.
    const shown = JSON.stringify(result.steps);
    for (const secret of [plan.deployKey.privateKey.split('\n')[2]!, plan.tokens.server, plan.tokens.agent, plan.mesh.members[0]!.keys.privateKey, plan.machines[0]!.ownHostKey.privateKey.split('\n')[2]!]) {
      assert.ok(!shown.includes(secret), `${file}: a secret shows in the preview`);
    }
    planned++;
  }
  assert.ok(planned >= 4, `only ${planned} seeds planned`);
});

test('deploying to a cloud without a provider yet fails with "not supported yet" in pre-flight, and any cloud call refuses', async () => {
  const pkg = pendingCloudPackages().find((p) => p.name === 'aws')!;
  const ctx = { env: {}, signal: new AbortController().signal };
  assert.match((await pkg.preflight!(await pkg.configure({}, ctx), [], ctx))[0]!.message, /deploying to aws is not supported yet/);
  await assert.rejects(pkg.resources['aws:ec2/instance:Instance']!.create({}, {} as never), CloudNotImplementedError);
});

test('HA graph: the load balancer fronts the API on 6443 of every master, DNS names the API and the machines', () => {
  const m = model(
    [
      { name: 'masters', provider: 'aws', region: 'us-east-1', count: 3, roles: ['master', 'etcd'], publicAddress: true },
      { name: 'workers', provider: 'aws', region: 'us-east-1', count: 2, roles: ['worker'], publicAddress: true },
    ],
    { loadBalancer: { name: 'demo-api', provider: 'aws' } },
  );
  m.network = { ...m.network, dns: { domain: 'example.com', provider: 'route53' } };
  const d = buildClusterGraph(m).graph.build();
  assert.equal(ofType(d, 'aws:lb/loadBalancer:LoadBalancer').length, 1);
  const listeners = ofType(d, 'aws:lb/listener:Listener').map((r) => r.inputs['port']);
  assert.deepEqual(listeners, [6443]);
  const attachments = ofType(d, 'aws:lb/targetGroupAttachment:TargetGroupAttachment').map((r) => r.name);
  assert.deepEqual(attachments, ['demo-api-6443-masters-1', 'demo-api-6443-masters-2', 'demo-api-6443-masters-3']);
  const records = ofType(d, 'aws:route53/record:Record').map((r) => `${r.inputs['name']} ${r.inputs['type']}`);
  assert.ok(records.includes('api.example.com CNAME'));
  assert.ok(records.includes('workers-2.example.com A'));
  // The kubeconfig points at the API name, which the certificate covers.
  const kubeconfig = d.resources.find((r) => r.type === COMMAND_TYPE && r.name === 'kubeconfig')!;
  assert.deepEqual(kubeconfig.inputs['vars'], { 'api-host': 'api.example.com' });
});

test('a single master gets no load balancer; without one, a DNS record set names the masters', () => {
  const m = model([{ name: 'masters', provider: 'digitalocean', region: 'nyc3', count: 1, roles: ['master', 'etcd', 'worker'], publicAddress: true }]);
  m.network = { ...m.network, dns: { domain: 'example.com', provider: 'digitalocean' } };
  const d = buildClusterGraph(m).graph.build();
  assert.equal(d.resources.filter((r) => /LoadBalancer/.test(r.type)).length, 0);
  const api = ofType(d, 'digitalocean:index/dnsRecord:DnsRecord').find((r) => r.inputs['name'] === 'api')!;
  assert.equal(api.inputs['type'], 'A');
  assert.ok(api.inputs['value'] instanceof OutputRef);
});

test('labels and tags carry the cluster and the stack on every cloud object', () => {
  const m = model([
    { name: 'masters', provider: 'aws', region: 'us-east-1', count: 1, roles: ['master', 'etcd'], publicAddress: true },
    { name: 'workers', provider: 'hetzner', region: 'nbg1', count: 1, roles: ['worker'], publicAddress: true },
  ]);
  const d = buildClusterGraph(m).graph.build();
  const instance = d.resources.find((r) => r.type === 'aws:ec2/instance:Instance')!;
  assert.equal((instance.inputs['tags'] as Record<string, string>)['sloth-kubernetes/stack'], 'dev');
  const server = d.resources.find((r) => r.type === 'hcloud:index/server:Server')!;
  assert.equal((server.inputs['labels'] as Record<string, string>)['sloth-kubernetes/cluster'], 'demo');
});

/** A deployment holding the records of a desired state (what the planner reads back). */
function deployedRecords(d: DesiredState): Deployment {
  const resources: ResourceState[] = d.resources
    .filter((r) => r.type === CLUSTER_RECORD_TYPE || r.type === MACHINE_RECORD_TYPE)
    .map((r) => ({ urn: r.urn, custom: true, type: r.type, inputs: r.inputs as ResourceState['inputs'], outputs: r.inputs as ResourceState['outputs'] }));
  return { manifest: { time: '', magic: '', version: '' }, resources, pendingOperations: [] };
}

const sameSpec = (a: ResourceSpec, b: ResourceSpec) => JSON.stringify(a.inputs) === JSON.stringify(b.inputs);

test('scaling down removes only the last node; scaling up adds only new ones; nothing else is renamed or re-keyed', () => {
  const pools = (workers: number): PoolSpec[] => [
    { name: 'masters', provider: 'aws', region: 'us-east-1', count: 3, roles: ['master', 'etcd'], publicAddress: true },
    { name: 'workers', provider: 'digitalocean', region: 'nyc3', count: workers, roles: ['worker'], publicAddress: true },
  ];
  const first = buildClusterGraph(model(pools(3))).graph.build();
  const previous = previousFromDeployment(deployedRecords(first), 'demo');
  const down = buildClusterGraph(model(pools(2)), previous).graph.build();
  const up = buildClusterGraph(model(pools(4)), previous).graph.build();
  const urns = (d: DesiredState) => new Set(d.resources.map((r) => r.urn));

  const removed = [...urns(first)].filter((u) => !urns(down).has(u));
  assert.ok(removed.length > 0);
  for (const urn of removed) assert.match(urn, /workers-3/, `scaling down removed ${urn}`);
  const added = [...urns(up)].filter((u) => !urns(first).has(u));
  for (const urn of added) assert.match(urn, /workers-4/, `scaling up added ${urn}`);

  // Existing machines keep identical inputs: same user-data (host key), same size, same name.
  for (const d of [down, up]) {
    for (const r of first.resources.filter((x) => /:(Instance|Droplet)$/.test(x.type) || x.type === MACHINE_RECORD_TYPE || x.type === CLUSTER_RECORD_TYPE)) {
      const again = d.resources.find((x) => x.urn === r.urn);
      if (!again) continue;
      assert.ok(sameSpec(r, again), `${r.name} changed`);
    }
  }
});

test('roles are honoured exactly: servers and agents follow the pools that declare them', () => {
  const m = model([
    { name: 'etcd', provider: 'aws', region: 'us-east-1', count: 3, roles: ['etcd'], publicAddress: true },
    { name: 'cp', provider: 'aws', region: 'us-east-1', count: 2, roles: ['master'], publicAddress: true },
    { name: 'work', provider: 'aws', region: 'us-east-1', count: 2, roles: ['worker'], publicAddress: true },
  ]);
  const { plan } = buildClusterGraph(m);
  const config = (name: string) => plan.steps.find((s) => s.name === `kubernetes-${name}`)!.files[0]!.content;
  assert.match(config('etcd-1'), /disable-apiserver: true/);
  assert.doesNotMatch(config('etcd-1'), /^server:/m, 'the first etcd node initialises');
  assert.match(config('cp-1'), /disable-etcd: true/);
  assert.match(config('cp-1'), /server: https:\/\/10\.8\.0\.1:9345/);
  assert.match(config('work-1'), /^token: /m);
  assert.doesNotMatch(config('work-1'), /agent-token|disable-/);
  // Agents register with an API server, not with the etcd-only node.
  assert.match(config('work-1'), /server: https:\/\/10\.8\.0\.4:9345/);
  assert.equal(plan.apiNode, 'cp-1');
});

test('with bootstrap off the graph is the infrastructure alone: the same machines, no remote steps', () => {
  const m = model([
    { name: 'masters', provider: 'aws', region: 'us-east-1', count: 3, roles: ['master', 'etcd'], publicAddress: true },
    { name: 'workers', provider: 'aws', region: 'us-east-1', count: 2, roles: ['worker'], publicAddress: true },
  ]);
  const full = buildClusterGraph(m).graph.build();
  const infra = buildClusterGraph(m, undefined, { bootstrap: false }).graph.build();
  assert.equal(ofType(infra, COMMAND_TYPE).length, 0);
  assert.equal(infra.resources.filter((r) => r.type === 'sloth:cluster:ApiReady').length, 0);
  const keep = (d: DesiredState) => d.resources.filter((r) => !r.type.startsWith('sloth:remote:') && r.type !== 'sloth:cluster:ApiReady').map((r) => r.urn).sort();
  assert.deepEqual(keep(infra), keep(full));
});

test('every cloud resource points at its place in the config, the same way on every cloud', async () => {
  const loaded = await loadConfigFile(join(import.meta.dirname, '../../test/fixtures/cluster/four-clouds.lisp'), { env: {} });
  const { graph, plan } = buildClusterGraph(modelFromConfig(loaded.config, { stack: 'dev', operatorCidrs: ['203.0.113.7/32'] }));
  const d = graph.build();
  const cloud = d.resources.filter((r) => r.custom && !/^(pulumi:providers:)?sloth(:|$)/.test(r.type));
  assert.ok(cloud.length > 40);
  for (const r of cloud) {
    assert.ok(r.sourcePosition, `${r.type} ${r.name} has no source position`);
    assert.ok(loaded.positions.locate(r.sourcePosition, 'form'), `${r.type} ${r.name}: '${r.sourcePosition}' is not in the file`);
  }
  // Machines point at the pool (or the node, or the bastion) that declares them, on every cloud.
  const lineOf = (path: string) => loaded.positions.locate(path, 'form')!.line;
  const expected: Record<string, string> = {
    'aws-masters-2': 'node-pools.aws-masters',
    'do-workers-1': 'node-pools.do-workers',
    'linode-workers-1': 'node-pools.linode-workers',
    'hetzner-workers-1': 'node-pools.hetzner-workers',
    edge: 'nodes.edge',
    bastion: 'security.bastion',
  };
  for (const [machine, path] of Object.entries(expected)) {
    const r = d.resources.find((x) => x.name === machine && /:(Instance|Droplet|Server)$/.test(x.type))!;
    assert.equal(r.sourcePosition, path, machine);
    assert.equal(lineOf(r.sourcePosition!), lineOf(path));
  }
  assert.equal(plan.machines.length, 8);
  // Firewalls, load balancer and DNS records by what configures them.
  const position = (type: RegExp) => new Set(cloud.filter((r) => type.test(r.type)).map((r) => r.sourcePosition));
  assert.deepEqual(position(/:(Firewall|SecurityGroupIngressRule)$/), new Set(['network.firewall']));
  assert.deepEqual(position(/lb\/|loadBalancer/), new Set(['load-balancer']));
  assert.deepEqual(position(/route53/), new Set(['network.dns']));
  assert.deepEqual(position(/:(Vpc|VpcSubnet|Network|NetworkSubnet)$/), new Set(['providers.aws.vpc', 'providers.digitalocean.vpc', 'providers.linode.vpc', 'providers.hetzner.vpc']));
});

test('remote steps wait for the cloud firewall rule that lets the deploy in, on every SSH hop', () => {
  const m = model([
    { name: 'masters', provider: 'aws', region: 'us-east-1', count: 1, roles: ['master', 'etcd'], publicAddress: true },
    { name: 'workers', provider: 'digitalocean', region: 'nyc3', count: 1, roles: ['worker'], publicAddress: true },
  ]);
  m.network = { ...m.network, operatorCidrs: ['203.0.113.7/32'] };
  const d = buildClusterGraph(m).graph.build();
  const deps = (step: string) => d.resources.find((r) => r.type === COMMAND_TYPE && r.name === step)!.dependsOn.map((u) => u.slice(u.lastIndexOf('::') + 2));
  // AWS: one ingress rule object per source of the SSH rule (allowed CIDRs and the operator).
  assert.deepEqual(deps('host-masters-1').filter((n) => n.includes('-ssh-')).sort(), ['demo-fw-aws-etcd-master-ssh-cidr-198-51-100-0-24', 'demo-fw-aws-etcd-master-ssh-cidr-203-0-113-7-32']);
  // DigitalOcean: the group's firewall carries every rule.
  assert.ok(deps('mesh-workers-1').includes('demo-fw-digitalocean-worker'));

  // Behind a bastion: the node's rule (from the bastion) and the bastion's own entrance.
  const b = model([
    { name: 'masters', provider: 'aws', region: 'us-east-1', count: 1, roles: ['master', 'etcd'], publicAddress: false },
  ]);
  b.bastion = { name: 'bastion', provider: 'aws', region: 'us-east-1', size: 'small', allowedCidrs: ['198.51.100.0/24'], sshPort: 22 };
  const db = buildClusterGraph(b).graph.build();
  const hop = db.resources.find((r) => r.type === COMMAND_TYPE && r.name === 'host-masters-1')!.dependsOn.map((u) => u.slice(u.lastIndexOf('::') + 2));
  assert.ok(hop.includes('demo-fw-aws-etcd-master-ssh-bastion'), hop.join(' '));
  assert.ok(hop.includes('demo-fw-aws-bastion-bastion-ssh-cidr-198-51-100-0-24'), hop.join(' '));
});

test('a DigitalOcean firewall refers to every tag it names by the tag resource, so it is created after them', () => {
  const d = buildClusterGraph(model([{ name: 'masters', provider: 'digitalocean', region: 'nyc3', count: 1, roles: ['master', 'etcd', 'worker'], publicAddress: true }])).graph.build();
  const firewalls = ofType(d, 'digitalocean:index/firewall:Firewall');
  assert.ok(firewalls.length > 0);
  for (const fw of firewalls) {
    const named = [...(fw.inputs.tags as unknown[]), ...(fw.inputs.inboundRules as { sourceTags?: unknown[] }[]).flatMap((r) => r.sourceTags ?? [])];
    assert.ok(named.length > 1, 'the group tag and the cluster tag as a source');
    for (const t of named) assert.ok(t instanceof OutputRef, `${fw.name}: tag ${JSON.stringify(t)} is named by value, with no dependency on its resource`);
  }
});

test("the user-data host key pins only the first connection: it installs the machine's own key, which every other connection pins", () => {
  const m = model([
    { name: 'masters', provider: 'aws', region: 'us-east-1', count: 1, roles: ['master', 'etcd'], publicAddress: false },
    { name: 'workers', provider: 'aws', region: 'us-east-1', count: 1, roles: ['worker'], publicAddress: false },
  ]);
  m.bastion = { name: 'bastion', provider: 'aws', region: 'us-east-1', size: 'small', allowedCidrs: ['198.51.100.0/24'], sshPort: 22 };
  const { graph, plan } = buildClusterGraph(m);
  const d = graph.build();
  const machine = new Map(plan.machines.map((x) => [x.name, x]));
  for (const x of plan.machines) {
    assert.notEqual(x.ownHostKey.publicKey, x.hostKey.publicKey, x.name);
    assert.ok(x.userData.includes(x.hostKey.publicKey) && !x.userData.includes(x.ownHostKey.publicKey), `${x.name}: user-data holds the first key only`);
  }
  const conn = (r: ResourceSpec) => r.inputs['connection'] as { hostKey: string; formerHostKey?: string; via?: { machine: string; hostKey: string } };
  // One sloth:remote:HostKey per machine: pinned to its own key, accepting the user-data key,
  // delivering the own key pair (secret), replaced with the machine.
  const installs = ofType(d, HOST_KEY_TYPE);
  assert.deepEqual(installs.map((r) => r.name).sort(), ['hostkey-bastion', 'hostkey-masters-1', 'hostkey-workers-1']);
  for (const r of installs) {
    const x = machine.get(r.inputs['machine'] as string)!;
    assert.deepEqual([conn(r).hostKey, conn(r).formerHostKey], [x.ownHostKey.publicKey, x.hostKey.publicKey]);
    assert.ok(r.inputs['machineId'] instanceof OutputRef);
    assert.ok((r.secretInputs ?? []).includes('files') && JSON.stringify(r.inputs['files']).includes(x.ownHostKey.privateKey.split('\n')[1]!));
  }
  // Every other step pins the own keys only, of the machine and of the bastion it jumps through.
  const commands = ofType(d, COMMAND_TYPE);
  assert.ok(commands.length > 10);
  for (const r of commands) {
    const x = machine.get(r.inputs['machine'] as string)!;
    assert.equal(conn(r).hostKey, x.ownHostKey.publicKey, r.name);
    assert.equal(conn(r).formerHostKey, undefined, r.name);
    if (conn(r).via) assert.equal(conn(r).via!.hostKey, machine.get('bastion')!.ownHostKey.publicKey, r.name);
  }
  // Order: the bastion's key first, then the node's (through the bastion), then its other steps.
  const deps = (name: string) => d.resources.find((r) => r.name === name && r.type.startsWith('sloth:remote:'))!.dependsOn.map((u) => u.slice(u.lastIndexOf('::') + 2));
  assert.ok(deps('hostkey-masters-1').includes('hostkey-bastion'));
  assert.ok(deps('cloud-init-masters-1').includes('hostkey-masters-1'));
  assert.ok(deps('cloud-init-bastion').includes('hostkey-bastion'));
  // The machine record keeps both pairs (private halves secret), so the next plan pins the same keys.
  const record = d.resources.find((r) => r.type === MACHINE_RECORD_TYPE && r.name === 'masters-1')!;
  assert.ok((record.secretInputs ?? []).includes('ownHostPrivateKey') && (record.secretInputs ?? []).includes('hostPrivateKey'));
  const again = buildClusterGraph(m, previousFromDeployment(deployedRecords(d), 'demo')).plan;
  for (const x of again.machines) assert.deepEqual([x.hostKey, x.ownHostKey], [machine.get(x.name)!.hostKey, machine.get(x.name)!.ownHostKey]);
});
