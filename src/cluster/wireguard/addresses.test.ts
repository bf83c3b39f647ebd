import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allocateAddresses } from './addresses.ts';
import { cidrContains, hostRange, meshCapacity, requireCidr as parseCidr, parseIpv4 } from '../../config/index.ts';

test('new members get the lowest free host addresses, in member order', () => {
  const r = allocateAddresses('10.8.0.0/24', ['bastion', 'masters-1', 'workers-1']);
  assert.deepEqual(r.addresses, { bastion: '10.8.0.1', 'masters-1': '10.8.0.2', 'workers-1': '10.8.0.3' });
  assert.deepEqual(r.assigned, ['bastion', 'masters-1', 'workers-1']);
});

test('previous addresses are kept; a removed member frees its address without renumbering anyone', () => {
  const first = allocateAddresses('10.8.0.0/24', ['a-1', 'a-2', 'a-3']).addresses;
  const second = allocateAddresses('10.8.0.0/24', ['a-1', 'a-3', 'b-1'], first);
  assert.equal(second.addresses['a-1'], first['a-1']);
  assert.equal(second.addresses['a-3'], first['a-3']);
  // a-2 left in this same plan: its address is not handed to the newcomer.
  assert.equal(second.addresses['b-1'], '10.8.0.4');
  assert.deepEqual(second.kept, ['a-1', 'a-3']);
});

test('released addresses are reused only when the subnet has no other room', () => {
  const prev = allocateAddresses('10.8.0.0/30', ['a', 'b']).addresses; // 2 usable hosts
  const next = allocateAddresses('10.8.0.0/30', ['a', 'c'], prev);
  assert.equal(next.addresses['c'], prev['b']);
});

test('an address outside a changed subnet is reassigned inside the new one', () => {
  const r = allocateAddresses('10.9.0.0/24', ['a', 'b'], { a: '10.8.0.7', b: '10.9.0.9' });
  assert.equal(r.addresses['b'], '10.9.0.9');
  assert.equal(r.addresses['a'], '10.9.0.1');
  assert.deepEqual(r.assigned, ['a']);
});

test('duplicated or unreadable previous addresses are repaired, not trusted', () => {
  const r = allocateAddresses('10.8.0.0/24', ['a', 'b', 'c'], { a: '10.8.0.5', b: '10.8.0.5', c: 'nonsense' });
  assert.equal(r.addresses['a'], '10.8.0.5');
  assert.notEqual(r.addresses['b'], '10.8.0.5');
  assert.equal(new Set(Object.values(r.addresses)).size, 3);
});

test('a subnet too small for the mesh is refused with the numbers and what to do', () => {
  assert.throws(
    () => allocateAddresses('10.8.0.0/29', Array.from({ length: 7 }, (_, i) => `n-${i}`)),
    (err: Error & { hint?: string; exitCode?: number }) =>
      /has 6 usable addresses but the mesh needs 7/.test(err.message) && /larger subnet-cidr/.test(err.hint ?? '') && err.exitCode === 1,
  );
});

test('a malformed subnet is refused naming the config key', () => {
  assert.throws(() => allocateAddresses('10.8.0.1/24', ['a']), /subnet-cidr: '10.8.0.1\/24' is not a valid network: host bits are set \(the network is 10.8.0.0\/24\)/);
  assert.throws(() => allocateAddresses('10.8.0.0', ['a']), /subnet-cidr: .* expected an IPv4 network/);
  assert.throws(() => allocateAddresses('10.8.0.0/33', ['a']), /prefix length/);
});

test('the smallest subnets: the planner allocates exactly as many members as the config check allows', () => {
  for (const [subnet, capacity] of [['10.8.0.0/29', 6], ['10.8.0.0/30', 2], ['10.8.0.0/31', 2], ['10.8.0.0/32', 1]] as const) {
    assert.equal(meshCapacity(parseCidr(subnet)), capacity, subnet);
    const names = Array.from({ length: capacity }, (_, i) => `n-${i}`);
    const fits = allocateAddresses(subnet, names);
    assert.equal(new Set(Object.values(fits.addresses)).size, capacity, subnet);
    assert.throws(() => allocateAddresses(subnet, [...names, 'one-more']), new RegExp(`has ${capacity} usable addresses but the mesh needs ${capacity + 1}`), subnet);
  }
  assert.deepEqual(allocateAddresses('10.8.0.0/31', ['a', 'b']).addresses, { a: '10.8.0.0', b: '10.8.0.1' });
  assert.deepEqual(allocateAddresses('10.8.0.7/32', ['a']).addresses, { a: '10.8.0.7' });
});

test('property: addresses are unique, inside the subnet, and survive any membership change', () => {
  const subnets = ['10.8.0.0/24', '10.8.0.0/26', '172.16.4.0/22', '10.8.0.0/28'];
  fc.assert(
    fc.property(
      fc.constantFrom(...subnets),
      fc.uniqueArray(fc.integer({ min: 0, max: 80 }), { maxLength: 14 }),
      fc.uniqueArray(fc.integer({ min: 0, max: 80 }), { maxLength: 14 }),
      (subnet, before, after) => {
        const cidr = parseCidr(subnet);
        const { first, last } = hostRange(cidr);
        const names1 = before.map((i) => `n-${i}`);
        const names2 = after.map((i) => `n-${i}`);
        const r1 = allocateAddresses(subnet, names1);
        const r2 = allocateAddresses(subnet, names2, r1.addresses);
        for (const r of [r1, r2]) {
          const values = Object.values(r.addresses).map(parseIpv4);
          assert.equal(new Set(values).size, values.length);
          for (const v of values) assert.ok(cidrContains(cidr, v) && v >= first && v <= last);
        }
        for (const name of names2) if (name in r1.addresses) assert.equal(r2.addresses[name], r1.addresses[name]);
      },
    ),
    { numRuns: 300 },
  );
});
