import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { meshRecord, planMesh, type MeshMemberInput, type MeshPlan } from './mesh.ts';
import { renderWgQuickConfig } from './render.ts';
import { cidrContains, requireCidr as parseCidr, parseIpv4 } from '../../config/index.ts';
import { meshMembersArb } from '../testing/arbitraries.ts';
import type { WireGuardSettings } from '../model.ts';

const settings: WireGuardSettings = { subnetCidr: '10.8.0.0/22', port: 51820, mtu: 1420, persistentKeepalive: 25, interfaceName: 'wg0' };

function member(name: string, provider: string, extra: Partial<MeshMemberInput> = {}): MeshMemberInput {
  return { name, kind: 'node', provider, region: 'r1', publicAddress: true, ...extra };
}

/** For every member, which of its peers carries traffic to each other member. */
function routesOf(plan: MeshPlan, self: string): Map<string, string[]> {
  const byAddress = new Map(plan.members.map((m) => [`${m.address}/32`, m.name]));
  const routes = new Map<string, string[]>();
  for (const peer of plan.peers[self] ?? []) {
    for (const ip of peer.allowedIps) {
      const target = byAddress.get(ip);
      assert.ok(target, `${self}: AllowedIPs ${ip} of peer ${peer.name} is not one member's /32`);
      routes.set(target, [...(routes.get(target) ?? []), peer.name]);
    }
  }
  return routes;
}

test('property: addresses unique and inside the subnet, AllowedIPs disjoint, every member reachable exactly one way', () => {
  fc.assert(
    fc.property(meshMembersArb, (members) => {
      const plan = planMesh({ settings, members });
      const subnet = parseCidr(settings.subnetCidr);
      const addresses = plan.members.map((m) => parseIpv4(m.address));
      assert.equal(new Set(addresses).size, addresses.length);
      for (const a of addresses) assert.ok(cidrContains(subnet, a));
      for (const self of plan.members) {
        const routes = routesOf(plan, self.name);
        for (const other of plan.members) {
          if (other.name === self.name) {
            assert.ok(!routes.has(self.name), `${self.name} routes its own address to a peer`);
            continue;
          }
          // Exactly one peer entry carries each other member: AllowedIPs never overlap.
          assert.equal(routes.get(other.name)?.length, 1, `${self.name} → ${other.name}: ${JSON.stringify(routes.get(other.name))}`);
        }
        const peerNames = (plan.peers[self.name] ?? []).map((p) => p.name);
        assert.equal(new Set(peerNames).size, peerNames.length, `${self.name} lists a peer twice`);
      }
    }),
    { numRuns: 200 },
  );
});

test('property: members with public addresses are peered pairwise exactly once, each way, with keys that match', () => {
  fc.assert(
    fc.property(meshMembersArb, (members) => {
      const plan = planMesh({ settings, members });
      const byName = new Map(plan.members.map((m) => [m.name, m]));
      const direct = plan.members.filter((m) => m.publicAddress);
      for (const a of direct) {
        for (const b of direct) {
          if (a.name === b.name) continue;
          const entries = plan.peers[a.name]!.filter((p) => p.name === b.name);
          assert.equal(entries.length, 1, `${a.name} has ${entries.length} entries for ${b.name}`);
          assert.equal(entries[0]!.publicKey, b.keys.publicKey);
          assert.ok(entries[0]!.endpoint, `${a.name} has no endpoint for ${b.name}`);
        }
      }
      // A member without a public address has exactly one peer: the hub, which lists it back.
      for (const m of plan.members.filter((x) => !x.publicAddress)) {
        assert.deepEqual(plan.peers[m.name]!.map((p) => p.name), [plan.hub]);
        assert.equal(plan.peers[plan.hub!]!.filter((p) => p.name === m.name).length, 1);
        assert.equal(byName.get(plan.hub!)!.kind, 'bastion');
      }
    }),
    { numRuns: 200 },
  );
});

test('property: re-planning with the recorded mesh keeps every surviving address and key', () => {
  fc.assert(
    fc.property(meshMembersArb, meshMembersArb, (before, after) => {
      const first = planMesh({ settings, members: before });
      const second = planMesh({ settings, members: after, previous: meshRecord(first) });
      const old = new Map(first.members.map((m) => [m.name, m]));
      for (const m of second.members) {
        const o = old.get(m.name);
        if (!o) continue;
        assert.equal(m.address, o.address);
        assert.deepEqual(m.keys, o.keys);
        assert.equal(m.carriedOver, true);
      }
    }),
    { numRuns: 150 },
  );
});

test('endpoints: the private network inside one provider region, public addresses across providers', () => {
  const plan = planMesh({ settings, members: [member('a-1', 'aws'), member('a-2', 'aws'), member('d-1', 'digitalocean')] });
  const a1 = plan.peers['a-1']!;
  assert.deepEqual(a1.find((p) => p.name === 'a-2')!.endpoint, { member: 'a-2', via: 'private' });
  assert.deepEqual(a1.find((p) => p.name === 'd-1')!.endpoint, { member: 'd-1', via: 'public' });
});

test('a node without a public address is routed through the bastion, and only through it', () => {
  const plan = planMesh({
    settings,
    members: [member('bastion', 'aws', { kind: 'bastion' }), member('m-1', 'aws'), member('w-1', 'aws', { publicAddress: false }), member('d-1', 'digitalocean')],
  });
  const addr = (n: string) => `${plan.members.find((m) => m.name === n)!.address}/32`;
  assert.equal(plan.hub, 'bastion');
  assert.deepEqual(plan.peers['w-1'], [
    { name: 'bastion', publicKey: plan.members[0]!.keys.publicKey, allowedIps: [addr('bastion'), addr('m-1'), addr('d-1')], endpoint: { member: 'bastion', via: 'private' }, persistentKeepalive: 25 },
  ]);
  assert.deepEqual(plan.peers['d-1']!.find((p) => p.name === 'bastion')!.allowedIps, [addr('bastion'), addr('w-1')]);
  assert.equal(plan.peers['d-1']!.find((p) => p.name === 'w-1'), undefined);
});

test('a node without a public address and no bastion is refused with what to do', () => {
  assert.throws(
    () => planMesh({ settings, members: [member('m-1', 'aws'), member('w-1', 'aws', { publicAddress: false })] }),
    (err: Error & { hint?: string }) => /'w-1' has no public address/.test(err.message) && /security\.bastion/.test(err.hint ?? ''),
  );
});

test('keepalive 0 leaves PersistentKeepalive out; port and MTU come from the settings', () => {
  const plan = planMesh({ settings: { ...settings, persistentKeepalive: 0, port: 51999, mtu: 1380 }, members: [member('a', 'aws'), member('b', 'hetzner')] });
  const text = renderWgQuickConfig(plan, 'a', (ref) => (ref.member === 'b' ? '2001:db8::5' : undefined));
  assert.match(text, /^ListenPort = 51999$/m);
  assert.match(text, /^MTU = 1380$/m);
  assert.match(text, /^Endpoint = \[2001:db8::5\]:51999$/m);
  assert.doesNotMatch(text, /PersistentKeepalive/);
  assert.match(text, /^Address = 10\.8\.0\.1\/22$/m);
  assert.match(text, new RegExp(`^PrivateKey = ${plan.members[0]!.keys.privateKey.replace(/[+/]/g, '\\$&')}$`, 'm'));
  assert.doesNotMatch(text, new RegExp(plan.members[1]!.keys.privateKey.replace(/[+/]/g, '\\$&')), "b's private key must never be in a's config");
});
