// The Azure and GCP mappings, and a cluster over AWS, Azure and GCP planned as one mesh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OutputRef, type ResourceSpec } from '../../engine/index.ts';
import { loadConfigFile } from '../../config/index.ts';
import { buildClusterGraph } from '../graph.ts';
import { modelFromConfig } from '../from-config.ts';
import { rulePriorities } from './azure.ts';
import { gcpLabels, gcpName } from './gcp.ts';

const FIXTURE = join(import.meta.dirname, '../../../test/fixtures/cluster/aws-azure-gcp.lisp');

async function plan(stack = 'dev') {
  const loaded = await loadConfigFile(FIXTURE, { env: {} });
  return buildClusterGraph(modelFromConfig(loaded.config, { stack, operatorCidrs: ['203.0.113.7/32'] }));
}

const refsIn = (v: unknown): OutputRef[] => (v instanceof OutputRef ? [v] : Array.isArray(v) ? v.flatMap(refsIn) : v && typeof v === 'object' ? Object.values(v).flatMap(refsIn) : []);

test('a cluster on AWS, Azure and GCP is one WireGuard mesh with every cloud firewall open to the others', async () => {
  const { graph, plan: p } = await plan();
  const d = graph.build();
  const of = (type: string) => d.resources.filter((r) => r.type === type);
  assert.deepEqual(p.mesh.members.map((m) => m.name).sort(), ['az-1', 'az-2', 'gc-1', 'gc-2', 'masters-1', 'masters-2', 'masters-3']);
  assert.equal(new Set(p.mesh.members.map((m) => m.address)).size, 7, 'one address each in one mesh');
  assert.equal(of('aws:ec2/instance:Instance').length, 3);
  assert.equal(of('azure:compute/virtualMachine:VirtualMachine').length, 2);
  assert.equal(of('gcp:compute/instance:Instance').length, 2);
  // Cloud DNS records are made with the GCP provider configuration.
  const gcpProvider = d.resources.find((r) => r.type === 'pulumi:providers:gcp')!;
  const records = of('gcp:dns/recordSet:RecordSet');
  assert.deepEqual(records.map((r) => r.inputs.name).sort(), ['api.example.com.', 'az-1.example.com.', 'az-2.example.com.', 'gc-1.example.com.', 'gc-2.example.com.', 'masters-1.example.com.', 'masters-2.example.com.', 'masters-3.example.com.']);
  assert.ok(records.every((r) => r.inputs.zone === 'example.com.' && r.provider?.startsWith(gcpProvider.urn)));

  // The WireGuard rule on each cloud lets in the members of the other two clouds by address.
  const urnOf = (type: string, name: string) => d.resources.find((r) => r.type === type && r.name === name)!.urn;
  const wgSources = (r: ResourceSpec | undefined) => new Set(refsIn(r?.inputs.addresses).map((ref) => ref.urn));
  const gcpWg = of('gcp:compute/firewall:Firewall').find((r) => /wireguard/.test(r.name));
  assert.ok(gcpWg, of('gcp:compute/firewall:Firewall').map((r) => r.name).join(', '));
  assert.ok(wgSources(gcpWg).has(urnOf('aws:ec2/instance:Instance', 'masters-1')));
  assert.ok(wgSources(gcpWg).has(urnOf('azure:compute/virtualMachine:VirtualMachine', 'az-2')));
  assert.deepEqual(gcpWg!.inputs.sourceRanges, ['10.50.0.0/16'], 'the local members by the subnetwork range');
  const azWg = of('azure:network/networkSecurityRule:NetworkSecurityRule').find((r) => /wireguard/.test(r.name));
  assert.ok(wgSources(azWg).has(urnOf('gcp:compute/instance:Instance', 'gc-1')));
  assert.ok(wgSources(azWg).has(urnOf('aws:ec2/instance:Instance', 'masters-3')));
  assert.equal(azWg!.inputs.protocol, 'Udp');
});

test('Azure: everything in one resource group named for the cluster and stack; VMs with keys and custom data only', async () => {
  const { graph } = await plan('prod');
  const d = graph.build();
  const az = d.resources.filter((r) => r.type.startsWith('azure:'));
  const group = az.filter((r) => r.type === 'azure:core/resourceGroup:ResourceGroup');
  assert.deepEqual(group.map((r) => [r.inputs.name, r.inputs.location]), [['tri-prod', 'eastus']]);
  for (const r of az.filter((x) => x !== group[0])) assert.ok(refsIn(r.inputs.resourceGroupName).some((ref) => ref.urn === group[0]!.urn), `${r.type} ${r.name} is in the group`);
  const vm = az.find((r) => r.type === 'azure:compute/virtualMachine:VirtualMachine' && r.name === 'az-1')!;
  assert.equal(vm.inputs.adminUsername, 'sloth');
  assert.match(String(vm.inputs.sshPublicKey), /^ssh-ed25519 /);
  assert.equal(vm.inputs.image, 'Canonical:ubuntu-24_04-lts:server:latest');
  assert.match(String(vm.inputs.customData), /^#cloud-config/);
  assert.ok(vm.secretInputs?.includes('customData'));
  assert.equal((vm.inputs.tags as Record<string, string>)['sloth-kubernetes.cluster'], 'tri', 'tag names cannot hold "/"');
  // NSG rule priorities are unique in each group and stable when a rule is added.
  const rules = az.filter((r) => r.type === 'azure:network/networkSecurityRule:NetworkSecurityRule');
  const priorities = rules.map((r) => r.inputs.priority as number);
  assert.equal(new Set(priorities).size, priorities.length);
  const before = rulePriorities(['ssh', 'wireguard', 'api']);
  const after = rulePriorities(['ssh', 'wireguard', 'api', 'user-1', 'user-2']);
  for (const [id, p] of before) assert.equal(after.get(id), p, id);
  assert.ok([...after.values()].every((p) => p >= 100 && p <= 3999));
});

test('GCP: names carry the cluster and stack, fit RFC 1035, and instances take keys and user data as metadata', async () => {
  const one = (await plan('dev')).graph.build().resources.filter((r) => r.type.startsWith('gcp:compute/'));
  const two = (await plan('staging')).graph.build().resources.filter((r) => r.type.startsWith('gcp:compute/'));
  const names = (rs: ResourceSpec[]) => rs.map((r) => r.inputs.name as string);
  assert.ok(names(one).every((n) => /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n)), names(one).join(' '));
  assert.deepEqual(names(one).filter((n) => names(two).includes(n)), [], 'two stacks of one cluster share no name');
  const vm = one.find((r) => r.type === 'gcp:compute/instance:Instance' && r.name === 'gc-1')!;
  assert.equal(vm.inputs.name, 'tri-dev-gc-1');
  assert.equal(vm.inputs.zone, 'us-central1-b', 'the provider zone by default');
  assert.equal(vm.inputs.sshUser, 'sloth');
  assert.match(String(vm.inputs.sshPublicKey), /^ssh-ed25519 /);
  assert.ok(vm.secretInputs?.includes('userData'));
  assert.equal(gcpName('A'.repeat(40), 'b'.repeat(40)).length, 63);
  assert.deepEqual(gcpLabels({ 'sloth-kubernetes/cluster': 'My.Cluster' }), { 'sloth-kubernetes_cluster': 'my_cluster' });
});
