// The planner's WireGuard mesh brought up for real: every machine of a 2-provider cluster
// is a network namespace running wireguard-go, configured with exactly the wg-quick file
// the planner renders for it. Every member must ping every other over the mesh; then a
// node is added, the plan is made again from the recorded mesh, and nothing that existed
// may change address or key while the mesh converges again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetnsLab, netnsSkipReason } from './harness.ts';
import { meshRecord, planMesh, type MeshPlan } from '../../src/cluster/wireguard/mesh.ts';
import { meshMembersOf } from '../../src/cluster/wireguard/members.ts';
import { renderWgQuickConfig } from '../../src/cluster/wireguard/render.ts';
import { nodesOf, sampleModel, type PoolSpec } from '../../src/cluster/testing/arbitraries.ts';
import type { ClusterModel } from '../../src/cluster/model.ts';

const skip = netnsSkipReason();

// aws: two public masters and a worker with no public address (routed by the bastion);
// digitalocean: a public master and a public worker. Five nodes plus the bastion.
const pools: PoolSpec[] = [
  { name: 'masters', provider: 'aws', region: 'us-east-1', count: 2, roles: ['master', 'etcd'], publicAddress: true },
  { name: 'private-workers', provider: 'aws', region: 'us-east-1', count: 1, roles: ['worker'], publicAddress: false },
  { name: 'do-masters', provider: 'digitalocean', region: 'nyc3', count: 1, roles: ['master', 'etcd'], publicAddress: true },
  { name: 'do-workers', provider: 'digitalocean', region: 'nyc3', count: 1, roles: ['worker'], publicAddress: true },
];

function modelWith(poolList: PoolSpec[]): ClusterModel {
  return sampleModel({
    nodes: nodesOf(poolList),
    bastion: { name: 'bastion', provider: 'aws', region: 'us-east-1', size: 't3.micro', allowedCidrs: ['198.51.100.0/24'], sshPort: 22 },
    wireguard: { subnetCidr: '10.8.0.0/24', port: 51820, mtu: 1420, persistentKeepalive: 25, interfaceName: 'wg0' },
  });
}

const bridgeOf: Record<string, string> = { aws: 'baws', digitalocean: 'bdo' };
const privatePrefix: Record<string, string> = { aws: '10.100.0', digitalocean: '10.101.0' };

function assertFullMesh(lab: NetnsLab, plan: MeshPlan): void {
  const failures: string[] = [];
  for (const from of plan.members) {
    for (const to of plan.members) {
      if (from.name === to.name) continue;
      if (!lab.ping(lab.machines.get(from.name)!, to.address)) failures.push(`${from.name} → ${to.name} (${to.address})`);
    }
  }
  if (failures.length > 0) {
    const dumps = plan.members.map((m) => `--- ${m.name}\n${lab.showWireGuard(lab.machines.get(m.name)!)}`).join('\n');
    assert.fail(`no answer over the mesh for:\n  ${failures.join('\n  ')}\n${dumps}`);
  }
}

test('a 5-node, 2-provider mesh from the planner comes up under wireguard-go, and survives adding a node', { skip, timeout: 180_000 }, async () => {
  const lab = new NetnsLab();
  try {
    lab.addNetwork('bpub');
    lab.addNetwork('baws');
    lab.addNetwork('bdo');
    let hostCounter = 10;
    const addMachine = (name: string, provider: string, hasPublic: boolean) => {
      const n = hostCounter++;
      return lab.addMachine(name, {
        public: hasPublic ? { bridge: 'bpub', cidr: `203.0.113.${n}/24` } : undefined,
        private: { bridge: bridgeOf[provider]!, cidr: `${privatePrefix[provider]}.${n}/24` },
      });
    };
    const resolve = (ref: { member: string; via: 'public' | 'private' }) => lab.machines.get(ref.member)?.addresses[ref.via];

    // First deployment.
    const model = modelWith(pools);
    const plan = planMesh({ settings: model.wireguard, members: meshMembersOf(model) });
    assert.equal(plan.members.filter((m) => m.kind === 'node').length, 5);
    assert.equal(plan.hub, 'bastion');
    for (const m of plan.members) {
      const machine = addMachine(m.name, m.provider, m.publicAddress);
      await lab.startWireGuard(machine);
      if (m.kind === 'bastion') lab.enableForwarding(machine);
      lab.applyWgQuick(machine, renderWgQuickConfig(plan, m.name, resolve));
    }
    assertFullMesh(lab, plan);

    // Scale do-workers from 1 to 2: plan again from what the first deployment recorded.
    const grown = pools.map((p) => (p.name === 'do-workers' ? { ...p, count: 2 } : p));
    const model2 = modelWith(grown);
    const plan2 = planMesh({ settings: model2.wireguard, members: meshMembersOf(model2), previous: meshRecord(plan) });
    for (const before of plan.members) {
      const after = plan2.members.find((m) => m.name === before.name)!;
      assert.equal(after.address, before.address, `${before.name} was renumbered`);
      assert.deepEqual(after.keys, before.keys, `${before.name} was re-keyed`);
    }
    const added = plan2.members.find((m) => m.name === 'do-workers-2')!;
    assert.ok(added && !plan.members.some((m) => m.address === added.address));

    const machine = addMachine(added.name, added.provider, added.publicAddress);
    await lab.startWireGuard(machine);
    lab.applyWgQuick(machine, renderWgQuickConfig(plan2, added.name, resolve));
    // Existing members take the new peer list without their interface being torn down.
    for (const m of plan.members) lab.applyWgQuick(lab.machines.get(m.name)!, renderWgQuickConfig(plan2, m.name, resolve), 'sync');
    assertFullMesh(lab, plan2);
  } finally {
    lab.cleanupSync();
  }
});
