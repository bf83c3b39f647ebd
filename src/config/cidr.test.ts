import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { contains, formatIpv4, hostRange, meshCapacity, nthAddress, overlaps, parseCidr, parseIpv4, prefixForMembers, requireCidr } from './cidr.ts';

test('parsing: networks, and why a text is not one', () => {
  assert.deepEqual(parseCidr('10.8.0.0/24'), { ok: true, cidr: { base: parseIpv4('10.8.0.0'), prefix: 24, size: 256, text: '10.8.0.0/24' } });
  assert.deepEqual(parseCidr('10.8.0.1/24'), { ok: false, reason: 'host bits are set (the network is 10.8.0.0/24)', suggestion: '10.8.0.0/24' });
  assert.deepEqual(parseCidr('10.8.0.0/33'), { ok: false, reason: 'prefix length /33 is larger than 32' });
  assert.deepEqual(parseCidr('10.8.0.256/24'), { ok: false, reason: "'10.8.0.256' is not an IPv4 address" });
  assert.deepEqual(parseCidr('fd00::/64'), { ok: false, reason: 'IPv6 networks are not supported yet' });
  assert.deepEqual(parseCidr('10.8.0.0'), { ok: false, reason: 'expected an IPv4 network such as 10.0.0.0/16' });
  assert.throws(() => requireCidr('10.8.0.1/24'), /^Error: '10.8.0.1\/24' is not a valid network: host bits are set \(the network is 10.8.0.0\/24\)$/);
  assert.throws(() => parseIpv4('10.8.0'), /'10.8.0' is not an IPv4 address/);
});

test('the top of the address space: no sign or overflow errors', () => {
  const all = requireCidr('0.0.0.0/0');
  assert.equal(all.size, 2 ** 32);
  assert.equal(meshCapacity(all), 2 ** 32 - 2);
  assert.ok(contains(all, '255.255.255.255'));
  const top = requireCidr('255.255.255.254/31');
  assert.equal(formatIpv4(top.base), '255.255.255.254');
  assert.equal(formatIpv4(hostRange(top).last), '255.255.255.255');
  assert.equal(nthAddress(requireCidr('10.43.0.0/16'), 10), '10.43.0.10');
});

test('capacity at the edges: /30 keeps network and broadcast out, /31 and /32 use every address (RFC 3021)', () => {
  const at = (text: string) => {
    const c = requireCidr(text);
    const { first, last } = hostRange(c);
    return { capacity: meshCapacity(c), first: formatIpv4(first), last: formatIpv4(last) };
  };
  assert.deepEqual(at('10.8.0.0/24'), { capacity: 254, first: '10.8.0.1', last: '10.8.0.254' });
  assert.deepEqual(at('10.8.0.0/30'), { capacity: 2, first: '10.8.0.1', last: '10.8.0.2' });
  assert.deepEqual(at('10.8.0.0/31'), { capacity: 2, first: '10.8.0.0', last: '10.8.0.1' });
  assert.deepEqual(at('10.8.0.5/32'), { capacity: 1, first: '10.8.0.5', last: '10.8.0.5' });
  assert.equal(prefixForMembers(1), 32);
  assert.equal(prefixForMembers(2), 31);
  assert.equal(prefixForMembers(3), 29);
  assert.equal(prefixForMembers(254), 24);
  assert.equal(prefixForMembers(255), 23);
});

test('property: the host range is inside the network, capacity is its size, overlap is symmetric and matches containment', () => {
  const cidrArb = fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 })).map(([addr, prefix]) => {
    const size = 2 ** (32 - prefix);
    return requireCidr(`${formatIpv4(addr - (addr % size))}/${prefix}`);
  });
  fc.assert(
    fc.property(cidrArb, cidrArb, (a, b) => {
      const { first, last } = hostRange(a);
      assert.ok(contains(a, first) && contains(a, last) && first <= last);
      assert.equal(meshCapacity(a), last - first + 1);
      assert.equal(overlaps(a, b), overlaps(b, a));
      assert.equal(overlaps(a, b), contains(a, b.base) || contains(b, a.base));
      assert.ok(prefixForMembers(meshCapacity(a)) >= a.prefix);
    }),
    { numRuns: 500 },
  );
});
