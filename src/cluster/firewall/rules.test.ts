import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { deriveFirewallRules, isInternetSource, type FirewallRule } from './rules.ts';
import { neverPublicPorts, overlaps } from './ports.ts';
import { nodesOf, poolsArb, sampleModel } from '../testing/arbitraries.ts';
import type { ClusterModel, ExtraFirewallRule } from '../model.ts';

const byId = (rules: FirewallRule[], id: string) => rules.find((r) => r.id === id)!;

test('with a bastion, SSH to the nodes comes only from the bastion; the bastion only from its allowed CIDRs', () => {
  const model = sampleModel({ bastion: { name: 'bastion', provider: 'aws', region: 'us-east-1', size: 't3.micro', allowedCidrs: ['192.0.2.0/24'], sshPort: 2222 } });
  const { rules } = deriveFirewallRules(model);
  assert.deepEqual(byId(rules, 'ssh').sources, [{ kind: 'bastion' }]);
  // network allowed-cidrs are for the API (and SSH without a bastion), not for the bastion.
  assert.deepEqual(byId(rules, 'bastion-ssh').sources, [{ kind: 'cidr', cidr: '192.0.2.0/24' }]);
  assert.deepEqual(byId(rules, 'bastion-ssh').ports, { from: 2222, to: 2222 });
});

test('without a bastion, SSH comes from the allowed CIDRs; the API from the load balancer and the allowed CIDRs', () => {
  const { rules, warnings } = deriveFirewallRules(sampleModel());
  assert.deepEqual(byId(rules, 'ssh').sources, [{ kind: 'cidr', cidr: '198.51.100.0/24' }]);
  assert.deepEqual(byId(rules, 'kube-api').sources, [{ kind: 'load-balancer' }, { kind: 'cidr', cidr: '198.51.100.0/24' }]);
  assert.equal(byId(rules, 'kube-api').target, 'masters');
  assert.deepEqual(warnings, []);
});

test('a single master gets no load balancer source; WireGuard uses the configured port between mesh members', () => {
  const model = sampleModel({ nodes: nodesOf([{ name: 'm', provider: 'aws', region: 'r', count: 1, roles: ['master', 'etcd', 'worker'], publicAddress: true }]) });
  model.wireguard.port = 51999;
  const { rules } = deriveFirewallRules(model);
  assert.deepEqual(byId(rules, 'kube-api').sources, [{ kind: 'cidr', cidr: '198.51.100.0/24' }]);
  assert.deepEqual(byId(rules, 'wireguard'), { id: 'wireguard', protocol: 'udp', ports: { from: 51999, to: 51999 }, sources: [{ kind: 'mesh' }], target: 'nodes', via: 'public', description: 'WireGuard between mesh members', origin: 'derived' });
});

test('with no allowed CIDRs nothing is opened to the internet: SSH and the API stay closed, and the plan says so', () => {
  const model = sampleModel();
  model.network = { ...model.network, allowedCidrs: [] };
  const { rules, warnings } = deriveFirewallRules(model);
  assert.equal(rules.find((r) => r.id === 'ssh'), undefined);
  assert.deepEqual(byId(rules, 'kube-api').sources, [{ kind: 'load-balancer' }]);
  assert.ok(!rules.some((r) => r.sources.some(isInternetSource)));
  assert.match(warnings.join('\n'), /nobody can SSH to the nodes/);
  assert.match(warnings.join('\n'), /no allowed-cidrs are set/);
});

test("the operator's address is always let in to SSH and the API, once", () => {
  const model = sampleModel({ bastion: { name: 'bastion', provider: 'aws', region: 'us-east-1', size: 't3.micro', allowedCidrs: [], sshPort: 22 } });
  model.network = { ...model.network, allowedCidrs: ['203.0.113.9/32'], operatorCidrs: ['203.0.113.9/32'] };
  const { rules, warnings } = deriveFirewallRules(model);
  assert.deepEqual(byId(rules, 'bastion-ssh').sources, [{ kind: 'cidr', cidr: '203.0.113.9/32' }]);
  assert.deepEqual(byId(rules, 'kube-api').sources, [{ kind: 'load-balancer' }, { kind: 'cidr', cidr: '203.0.113.9/32' }]);
  assert.deepEqual(warnings, []);
});

test('etcd, kubelet, 9345, CNI and Salt are WireGuard-only rules', () => {
  const model = sampleModel({ salt: { master: 'masters-1', apiPort: 8000, apiUsername: 'saltapi', version: '3006.9', apiEnabled: true, minions: true, jobCache: true } });
  const { rules } = deriveFirewallRules(model);
  const internal = rules.filter((r) => r.via === 'wireguard');
  const has = (proto: string, port: number) => internal.some((r) => r.protocol === proto && r.ports!.from <= port && port <= r.ports!.to);
  for (const port of [2379, 2380, 2381, 10250, 9345, 9099, 4505, 4506, 8000]) assert.ok(has('tcp', port), `tcp ${port}`);
  assert.ok(has('udp', 8472));
  for (const r of internal) assert.deepEqual(r.sources, [{ kind: 'mesh' }]);
});

test('user rules are added on top; one that opens an internal port is refused, naming the rule and the port', () => {
  const web: ExtraFirewallRule = { protocol: 'tcp', ports: '443', sources: ['0.0.0.0/0'], target: 'workers', description: 'ingress' };
  const model = sampleModel();
  model.network = { ...model.network, extraFirewallRules: [web] };
  const { rules } = deriveFirewallRules(model);
  assert.deepEqual(byId(rules, 'user-1'), { id: 'user-1', protocol: 'tcp', ports: { from: 443, to: 443 }, sources: [{ kind: 'cidr', cidr: '0.0.0.0/0' }], target: 'workers', via: 'public', description: 'ingress', origin: 'config' });

  model.network = { ...model.network, extraFirewallRules: [web, { protocol: 'tcp', ports: '2000-3000', sources: ['10.0.0.0/8'], target: 'nodes' }] };
  assert.throws(() => deriveFirewallRules(model), /network\.firewall rule 2: tcp 2379-2381 \(etcd client, peer and metrics\) is cluster-internal and is reachable only over WireGuard/);
  model.network = { ...model.network, extraFirewallRules: [{ protocol: 'udp', ports: '8472', sources: ['0.0.0.0/0'], target: 'workers' }] };
  assert.throws(() => deriveFirewallRules(model), /udp 8472 \(Canal VXLAN\)/);
});

test('malformed user rules are refused with where and what to do', () => {
  const model = sampleModel();
  const bad = (r: ExtraFirewallRule) => {
    model.network = { ...model.network, extraFirewallRules: [r] };
    return () => deriveFirewallRules(model);
  };
  assert.throws(bad({ protocol: 'tcp', sources: ['0.0.0.0/0'], target: 'nodes' }), /rule 1: a tcp rule needs a port/);
  assert.throws(bad({ protocol: 'tcp', ports: '70000', sources: ['0.0.0.0/0'], target: 'nodes' }), /rule 1: '70000' is not a valid port range/);
  assert.throws(bad({ protocol: 'tcp', ports: '80', sources: ['10.0.0.1/8'], target: 'nodes' }), /rule 1: '10.0.0.1\/8' is not a valid network: host bits are set/);
  assert.throws(bad({ protocol: 'tcp', ports: '80', sources: [], target: 'nodes' }), /rule 1: the rule names no source/);
  assert.doesNotThrow(bad({ protocol: 'icmp', sources: ['2001:db8::/32'], target: 'nodes' }));
});

test('property: no derived or accepted rule ever opens an internal port outside WireGuard', () => {
  const userRuleArb = fc.record({
    protocol: fc.constantFrom('tcp' as const, 'udp' as const),
    ports: fc.integer({ min: 1, max: 65535 }).chain((a) => fc.integer({ min: a, max: Math.min(65535, a + 5000) }).map((b) => (a === b ? `${a}` : `${a}-${b}`))),
    sources: fc.constantFrom(['0.0.0.0/0'], ['203.0.113.0/24'], ['::/0']),
    target: fc.constantFrom('nodes' as const, 'masters' as const, 'workers' as const, 'bastion' as const),
  });
  fc.assert(
    fc.property(
      poolsArb,
      fc.constantFrom('rke2' as const, 'k3s' as const),
      fc.constantFrom('canal', 'calico', 'cilium', 'flannel'),
      fc.boolean(),
      fc.array(userRuleArb, { maxLength: 4 }),
      (pools, distribution, cni, salt, userRules) => {
        const nodes = nodesOf(pools);
        if (!nodes.some((n) => n.roles.includes('master'))) return;
        const base = sampleModel();
        const model: ClusterModel = {
          ...base,
          nodes,
          kubernetes: { ...base.kubernetes, distribution, cni },
          salt: salt ? { master: 'bastion', apiPort: 8000, apiUsername: 'saltapi', version: '3006.9', apiEnabled: true, minions: true, jobCache: true } : undefined,
          network: { ...base.network, allowedCidrs: [], extraFirewallRules: userRules },
        };
        let plan;
        try {
          plan = deriveFirewallRules(model);
        } catch (err) {
          assert.match((err as Error).message, /is cluster-internal and is reachable only over WireGuard/);
          return;
        }
        const internal = neverPublicPorts(distribution, cni, model.salt);
        for (const rule of plan.rules.filter((r) => r.via === 'public')) {
          for (const p of internal) {
            const clash = rule.protocol === p.protocol && rule.ports && overlaps(rule.ports, p.ports) && !(rule.target === 'bastion' && p.on !== 'salt-master');
            assert.ok(!clash, `${rule.id} opens ${p.protocol} ${p.ports.from}-${p.ports.to} (${p.purpose}) publicly`);
          }
        }
      },
    ),
    { numRuns: 400 },
  );
});
