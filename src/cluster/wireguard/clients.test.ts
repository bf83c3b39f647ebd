import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateClientAddress, emptyVpnRecord, readVpnRecord, vpnRecordValue, type VpnRecord } from './clients.ts';
import { generateWireGuardKeyPair } from './keys.ts';
import { planMesh, clientPeerName, type MeshMemberInput } from './mesh.ts';
import { renderClientConfig, renderClientNat, renderWgQuickConfig, vpnGateway } from './render.ts';
import type { WireGuardSettings } from '../model.ts';

const settings: WireGuardSettings = { subnetCidr: '10.8.0.0/24', port: 51820, mtu: 1420, persistentKeepalive: 25, interfaceName: 'wg0' };
const member = (name: string, extra: Partial<MeshMemberInput> = {}): MeshMemberInput => ({ name, kind: 'node', provider: 'aws', region: 'r1', publicAddress: true, ...extra });
const members = [member('bastion', { kind: 'bastion' }), member('masters-1'), member('workers-1', { publicAddress: false })];

function client(name: string, address: string, routes = false) {
  const keys = generateWireGuardKeyPair();
  return { name, address, ...keys, routes, joinedAt: '2026-01-01T00:00:00.000Z', joinedBy: 'test' };
}

test('client addresses come from the top of the subnet, skip machines, and are never handed out again', () => {
  const record: VpnRecord = emptyVpnRecord();
  const a = allocateClientAddress('10.8.0.0/24', ['10.8.0.1', '10.8.0.254'], record);
  assert.equal(a, '10.8.0.253');
  record.clients.push(client('alice', a));
  record.retired.push({ name: 'bob', address: '10.8.0.252', leftAt: '', leftBy: '' });
  assert.equal(allocateClientAddress('10.8.0.0/24', ['10.8.0.1'], record), '10.8.0.254');
  record.clients.push(client('carol', '10.8.0.254'));
  assert.equal(allocateClientAddress('10.8.0.0/24', ['10.8.0.1'], record), '10.8.0.251');
  assert.throws(() => allocateClientAddress('10.8.0.0/30', ['10.8.0.1', '10.8.0.2'], emptyVpnRecord()), /no address left for another VPN client/);
});

test('the record reads back what was stored; unusable entries are left out', () => {
  const c = client('alice', '10.8.0.254', true);
  const record: VpnRecord = { clients: [c], retired: [{ name: 'bob', address: '10.8.0.253', leftAt: 'x', leftBy: 'y' }] };
  assert.deepEqual(readVpnRecord(JSON.parse(JSON.stringify(vpnRecordValue(record)))), record);
  assert.deepEqual(readVpnRecord({ clients: [{ name: 'x', address: '10.8.0.9', privateKey: 'not-a-key' }, null] }), emptyVpnRecord());
  assert.deepEqual(readVpnRecord('nonsense'), emptyVpnRecord());
});

test('every member carries every client; a member without a public address through the hub; machines never take a client address', () => {
  const alice = client('alice', '10.8.0.1');
  const plan = planMesh({ settings, members, clients: [alice], reserved: ['10.8.0.2'] });
  assert.deepEqual(plan.members.map((m) => m.address), ['10.8.0.3', '10.8.0.4', '10.8.0.5']);
  for (const name of ['bastion', 'masters-1']) {
    const peer = plan.peers[name]!.find((p) => p.name === clientPeerName('alice'))!;
    assert.deepEqual([peer.publicKey, peer.allowedIps, peer.endpoint], [alice.publicKey, ['10.8.0.1/32'], undefined]);
  }
  const privatePeers = plan.peers['workers-1']!;
  assert.equal(privatePeers.length, 1);
  assert.ok(privatePeers[0]!.allowedIps.includes('10.8.0.1/32'));
  // The member's own file names the client as a peer.
  assert.match(renderWgQuickConfig(plan, 'masters-1', () => '203.0.113.1'), /# vpn-client alice\n\[Peer\]\nPublicKey = .+\nAllowedIPs = 10\.8\.0\.1\/32\n/);
});

test("a client's file: its /32, a peer per public member with endpoint and keepalive, the hub's routed members, the cluster networks on the gateway", () => {
  const alice = client('alice', '10.8.0.254', true);
  const plan = planMesh({ settings, members, clients: [alice] });
  assert.equal(vpnGateway(plan), 'masters-1');
  const text = renderClientConfig(plan, 'alice', alice.privateKey, (ref) => `203.0.113.${plan.members.findIndex((m) => m.name === ref.member) + 10}`, ['10.42.0.0/16', '10.43.0.0/16']);
  assert.match(text, /\[Interface\]\nAddress = 10\.8\.0\.254\/32\nMTU = 1420\nPrivateKey = /);
  assert.match(text, /# bastion\n\[Peer\]\nPublicKey = .+\nAllowedIPs = 10\.8\.0\.1\/32, 10\.8\.0\.3\/32\nEndpoint = 203\.0\.113\.10:51820\nPersistentKeepalive = 25\n/);
  assert.match(text, /# masters-1\n\[Peer\]\nPublicKey = .+\nAllowedIPs = 10\.8\.0\.2\/32, 10\.42\.0\.0\/16, 10\.43\.0\.0\/16\nEndpoint = 203\.0\.113\.11:51820/);
  assert.doesNotMatch(text, /# workers-1/);
  // Masquerading on the gateway only, for the clients that route.
  assert.match(renderClientNat(plan, 'masters-1', ['10.42.0.0/16', '10.43.0.0/16']), /ip saddr \{ 10\.8\.0\.254 \} ip daddr \{ 10\.42\.0\.0\/16, 10\.43\.0\.0\/16 \} masquerade/);
  assert.doesNotMatch(renderClientNat(plan, 'bastion', ['10.42.0.0/16']), /masquerade/);
  const noRoutes = planMesh({ settings, members, clients: [{ ...alice, routes: false }] });
  assert.doesNotMatch(renderClientNat(noRoutes, 'masters-1', ['10.42.0.0/16']), /masquerade/);
  assert.doesNotMatch(renderClientConfig(noRoutes, 'alice', alice.privateKey, () => '203.0.113.9', ['10.42.0.0/16']), /10\.42/);
});

test('the planner gives every mesh step, a node added later included, every recorded client; WireGuard is then let in from anywhere', async () => {
  const { planCluster, emptyPrevious } = await import('../plan.ts');
  const { nodesOf, sampleModel } = await import('../testing/arbitraries.ts');
  const alice = client('alice', '10.8.0.254');
  const previous = { ...emptyPrevious(), vpn: { clients: [alice], retired: [{ name: 'bob', address: '10.8.0.253', leftAt: '', leftBy: '' }] } };
  const model = sampleModel({ nodes: nodesOf([{ name: 'workers', provider: 'aws', region: 'us-east-1', count: 3, roles: ['master', 'etcd', 'worker'], publicAddress: true }]) });
  const plan = planCluster(model, previous);
  for (const m of plan.mesh.members) {
    const step = plan.steps.find((s) => s.name === `mesh-${m.name}`)!;
    assert.match(step.files[0]!.content, new RegExp(`# vpn-client alice\\n\\[Peer\\]\\nPublicKey = ${alice.publicKey.replace(/[+/]/g, '\\$&')}\\n`), m.name);
    assert.ok(!['10.8.0.254', '10.8.0.253'].includes(m.address));
  }
  const wg = plan.firewall.rules.find((r) => r.id === 'wireguard')!;
  assert.ok(wg.sources.some((s) => s.kind === 'cidr' && s.cidr === '0.0.0.0/0'));
  const without = planCluster(model, emptyPrevious());
  assert.deepEqual(without.firewall.rules.find((r) => r.id === 'wireguard')!.sources, [{ kind: 'mesh' }]);
});
