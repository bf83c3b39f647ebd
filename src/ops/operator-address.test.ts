import { test } from 'node:test';
import assert from 'node:assert/strict';
import { operatorCidrs, parseOperatorCidrs } from './operator-address.ts';

test('operator addresses: given CIDRs win, bare addresses get a full prefix, junk is refused', async () => {
  assert.deepEqual(parseOperatorCidrs(['203.0.113.7', '10.0.0.0/8,2001:db8::1']), ['203.0.113.7/32', '10.0.0.0/8', '2001:db8::1/128']);
  assert.throws(() => parseOperatorCidrs(['203.0.113.7/33']), /not an IP address or CIDR/);
  assert.throws(() => parseOperatorCidrs(['example.com']), /not an IP address or CIDR/);
  const refuse = (() => Promise.reject(new Error('offline'))) as unknown as typeof fetch;
  assert.deepEqual(await operatorCidrs(['198.51.100.7'], {}, { fetchImpl: refuse }), ['198.51.100.7/32']);
  await assert.rejects(operatorCidrs([], {}, { fetchImpl: refuse }), (err: { message: string; hint?: string }) => /public address/.test(err.message) && /--operator-cidr/.test(err.hint ?? ''));
  const answer = (async () => new Response('203.0.113.9\n')) as unknown as typeof fetch;
  assert.deepEqual(await operatorCidrs([], {}, { fetchImpl: answer }), ['203.0.113.9/32']);
});
