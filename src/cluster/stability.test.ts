// Settings that change during a cluster's life never replace a machine: a deploy from
// another address (every CI runner has its own), a new allowed CIDR, a firewall rule, SSH
// access settings, growing the masters from 1 to 3 (which adds the API load balancer).
// Machines keep identical user-data; what changes reaches them through updatable steps.
//
// Checked twice: as a property over generated clusters (the inputs that force a machine's
// replacement are identical before and after), and through the engine: each change is
// planned against a stack the first graph was really deployed to (simulated cloud), shows
// no replacement, and is then deployed with only creates, updates and deletes of rules.
import { after, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { collectEvents, deploy, preview, ProviderRegistry, type DesiredState, type ResourceSpec } from '../engine/index.ts';
import type { Deployment, ResourceState } from '../state/types.ts';
import { MemoryStack } from '../../test/provider/memory-stack.ts';
import { SIMULATED_PACKAGES, simulatedCloudPackage, simulatedSlothPackage } from '../../test/provider/simulated-cloud.ts';
import { buildClusterGraph, CLOUDS } from './graph.ts';
import { previousFromDeployment } from './previous.ts';
import { CLUSTER_RECORD_TYPE, MACHINE_RECORD_TYPE } from './remote/package.ts';
import { nodesOf, sampleModel, type PoolSpec } from './testing/arbitraries.ts';
import type { ClusterModel } from './model.ts';

const clouds = {
  aws: { region: 'us-east-1', network: { create: true, name: 'demo-aws', cidr: '10.0.0.0/16' } },
  digitalocean: { region: 'nyc3', network: { create: true, name: 'demo-do', cidr: '10.10.0.0/16' } },
  linode: { region: 'us-east', network: { create: true, name: 'demo-linode', cidr: '10.20.0.0/16' } },
  hetzner: { region: 'nbg1', network: { create: true, name: 'demo-hetzner', cidr: '10.30.0.0/16' } },
};

/** Machine resource types and the inputs that replace them, from the cloud mappings. */
const MACHINE_TYPES: Record<string, readonly string[]> = Object.fromEntries(
  Object.values(CLOUDS).flatMap((m) => Object.entries(m.resourceTypes).filter(([type]) => /:(Instance|Droplet|Server)$/.test(type))),
);

type Change = { name: string; apply: (m: ClusterModel) => ClusterModel };

const CHANGES: Change[] = [
  { name: 'the operator address', apply: (m) => ({ ...m, network: { ...m.network, operatorCidrs: ['203.0.113.200/32'] } }) },
  { name: 'allowed-cidrs', apply: (m) => ({ ...m, network: { ...m.network, allowedCidrs: [...m.network.allowedCidrs, '192.0.2.0/24'] } }) },
  {
    name: 'a network.firewall rule',
    apply: (m) => ({ ...m, network: { ...m.network, extraFirewallRules: [...m.network.extraFirewallRules, { protocol: 'tcp', ports: '30000-32767', sources: ['192.0.2.0/24'], target: 'workers' }] } }),
  },
  {
    name: 'security.ssh authorized-keys and allowed-users',
    apply: (m) => ({ ...m, ssh: { ...m.ssh, authorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops'], allowedUsers: ['ops'] } }),
  },
  {
    name: 'the bastion idle timeout, sessions and allowed CIDRs',
    apply: (m) => (m.bastion ? { ...m, bastion: { ...m.bastion, idleTimeoutMinutes: 15, maxSessions: 4, allowedCidrs: [...m.bastion.allowedCidrs, '192.0.2.0/24'] } } : m),
  },
];

/** Adds two machines to the first master pool: 1 → 3 makes the API load balancer appear. */
function growMasters(m: ClusterModel): ClusterModel {
  const first = m.nodes.find((n) => n.roles.includes('master'))!;
  const pool = m.nodes.filter((n) => n.pool === first.pool);
  const last = pool[pool.length - 1]!;
  const extra = [1, 2].map((i) => ({ ...first, name: `${first.pool}-${last.index + i}`, index: last.index + i }));
  const at = m.nodes.indexOf(last) + 1;
  return { ...m, nodes: [...m.nodes.slice(0, at), ...extra, ...m.nodes.slice(at)] };
}

/** What the planner reads back from a stack holding the records of `d`. */
function recordsOf(d: DesiredState): Deployment {
  const resources: ResourceState[] = d.resources
    .filter((r) => r.type === CLUSTER_RECORD_TYPE || r.type === MACHINE_RECORD_TYPE)
    .map((r) => ({ urn: r.urn, custom: true, type: r.type, inputs: r.inputs as ResourceState['inputs'], outputs: r.inputs as ResourceState['outputs'] }));
  return { manifest: { time: '', magic: '', version: '' }, resources, pendingOperations: [] };
}

const forcing = (r: ResourceSpec) => JSON.stringify(Object.fromEntries(MACHINE_TYPES[r.type]!.map((k) => [k, r.inputs[k] ?? null])));

/** Machines present in both graphs whose replacing inputs differ. */
function replacedMachines(before: DesiredState, after: DesiredState): string[] {
  const next = new Map(after.resources.map((r) => [r.urn, r]));
  return before.resources.filter((r) => r.type in MACHINE_TYPES && next.has(r.urn) && forcing(r) !== forcing(next.get(r.urn)!)).map((r) => r.name);
}

// Generated clusters: masters (1 or 3), workers on any cloud, with or without a bastion.
const clusterArb = fc
  .record({
    masterCloud: fc.constantFrom('aws', 'digitalocean', 'linode', 'hetzner'),
    masters: fc.constantFrom(1, 3),
    workerCloud: fc.constantFrom('aws', 'digitalocean', 'linode', 'hetzner'),
    workers: fc.integer({ min: 0, max: 3 }),
    bastion: fc.boolean(),
    operator: fc.boolean(),
  })
  .map(({ masterCloud, masters, workerCloud, workers, bastion, operator }) => {
    const region = (c: string) => clouds[c as keyof typeof clouds].region;
    const pools: PoolSpec[] = [
      { name: 'masters', provider: masterCloud, region: region(masterCloud), count: masters, roles: ['master', 'etcd'], publicAddress: true },
      { name: 'workers', provider: workerCloud, region: region(workerCloud), count: workers, roles: ['worker'], publicAddress: true },
    ];
    const m = sampleModel({ clouds, nodes: nodesOf(pools) });
    if (operator) m.network = { ...m.network, operatorCidrs: ['198.51.100.7/32'] };
    if (bastion) m.bastion = { name: 'bastion', provider: masterCloud, region: region(masterCloud), size: 'small', allowedCidrs: ['198.51.100.0/24'], sshPort: 22 };
    return m;
  });

test('property: operator address, allowed CIDRs, firewall rules, SSH settings and growing the masters change no machine\'s user-data or replacing inputs', () => {
  const changes = [...CHANGES, { name: 'masters 1 → 3', apply: growMasters }];
  fc.assert(
    fc.property(clusterArb, fc.constantFrom(...changes), (model, change) => {
      const first = buildClusterGraph(model);
      const previous = previousFromDeployment(recordsOf(first.graph.build()), model.name);
      const again = buildClusterGraph(change.apply(model), previous);
      assert.deepEqual(replacedMachines(first.graph.build(), again.graph.build()), [], change.name);
      const userData = new Map(again.plan.machines.map((m) => [m.name, m.userData]));
      for (const m of first.plan.machines) assert.equal(userData.get(m.name), m.userData, `${change.name}: user-data of ${m.name}`);
    }),
    { numRuns: 120 },
  );
});

describe('through the engine, against a deployed stack (simulated cloud)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-stability-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const registry = new ProviderRegistry().register(simulatedSlothPackage(dir));
  for (const pkg of SIMULATED_PACKAGES) registry.register(simulatedCloudPackage(pkg, dir));
  const retry = { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 };

  const scenarios: { name: string; model: () => ClusterModel }[] = [
    {
      name: 'one master on AWS, workers on DigitalOcean, no bastion',
      model: () =>
        sampleModel({
          clouds,
          nodes: nodesOf([
            { name: 'masters', provider: 'aws', region: 'us-east-1', count: 1, roles: ['master', 'etcd'], publicAddress: true },
            { name: 'workers', provider: 'digitalocean', region: 'nyc3', count: 2, roles: ['worker'], publicAddress: true },
          ]),
          network: { ...sampleModel().network, operatorCidrs: ['198.51.100.7/32'] },
        }),
    },
    {
      name: 'one master and workers on AWS behind a bastion',
      model: () =>
        sampleModel({
          clouds,
          bastion: { name: 'bastion', provider: 'aws', region: 'us-east-1', size: 'small', allowedCidrs: ['198.51.100.0/24'], sshPort: 22 },
          nodes: nodesOf([
            { name: 'masters', provider: 'aws', region: 'us-east-1', count: 1, roles: ['master', 'etcd'], publicAddress: true },
            { name: 'workers', provider: 'aws', region: 'us-east-1', count: 2, roles: ['worker'], publicAddress: false },
          ]),
          network: { ...sampleModel().network, operatorCidrs: ['198.51.100.7/32'] },
        }),
    },
  ];

  for (const scenario of scenarios) {
    it(`${scenario.name}: every change plans no replacement and deploys with the same machines`, async () => {
      const stack = new MemoryStack('dev');
      const run = async (model: ClusterModel) => {
        const { graph } = buildClusterGraph(model, previousFromDeployment(stack.deployment, model.name));
        const desired = graph.build();
        const plan = preview(stack, desired, { registry });
        const { sink } = collectEvents();
        const result = await deploy(stack, desired, { registry, onEvent: sink, retry });
        assert.equal(result.failures?.length ?? 0, 0, JSON.stringify(result.failures));
        return plan;
      };
      const machineIds = () => new Map(stack.deployment.resources.filter((r) => r.type in MACHINE_TYPES && !r.delete).map((r) => [r.urn, r.id]));

      let model = scenario.model();
      await run(model);
      for (const change of [...CHANGES, { name: 'masters 1 → 3', apply: growMasters }]) {
        const ids = machineIds();
        const next = change.apply(model);
        if (next === model) continue;
        const plan = await run(next);
        const bad = plan.steps.filter((s) => s.op === 'replace' || (s.op === 'delete' && (s.type in MACHINE_TYPES || s.type === MACHINE_RECORD_TYPE)));
        assert.deepEqual(bad.map((s) => `${s.op} ${s.name}`), [], `${change.name}: nothing is replaced, no machine deleted`);
        for (const s of plan.steps.filter((x) => x.type in MACHINE_TYPES && ids.has(x.urn))) assert.equal(s.op, 'same', `${change.name}: ${s.name}`);
        // The change reaches the machines through their host steps (or, for the masters, the new ones and Kubernetes).
        const updated = plan.steps.filter((s) => s.op === 'update').map((s) => s.name);
        if (change.name !== 'masters 1 → 3') assert.ok(updated.some((n) => n.startsWith('host-')), `${change.name}: host steps updated (${updated.join(', ')})`);
        for (const [urn, id] of ids) assert.equal(machineIds().get(urn), id, `${change.name}: ${urn} is the same machine`);
        model = next;
      }
      assert.ok(model.nodes.filter((n) => n.roles.includes('master')).length === 3);
    });
  }
});
