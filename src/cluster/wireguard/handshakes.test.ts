import { test } from 'node:test';
import assert from 'node:assert/strict';
import { age, configPeers, judgeHandshakes, parsePeerLines, STALE_AFTER_S } from './handshakes.ts';

const NOW = 1_800_000_000;
const line = (key: string, endpoint: string, handshake: number, keepalive: string) => [key, '(none)', endpoint, '10.8.0.2/32', String(handshake), '100', '200', keepalive].join('\t');

test('wg show dump: peer lines parsed, an interface line skipped', () => {
  const text = ['PRIVATE=\tPUBLIC=\t51820\toff', line('A=', '203.0.113.2:51820', NOW - 5, '25'), line('B=', '(none)', 0, 'off'), ''].join('\n');
  assert.deepEqual(parsePeerLines(text), [
    { publicKey: 'A=', endpoint: '203.0.113.2:51820', latestHandshake: NOW - 5, rx: 100, tx: 200, keepalive: 25 },
    { publicKey: 'B=', latestHandshake: 0, rx: 100, tx: 200 },
  ]);
  assert.deepEqual(configPeers('[Interface]\nPrivateKey = X\n\n[Peer]\nPublicKey = A=\nEndpoint = x:1\n[Peer]\nPublicKey = B=\n'), ['A=', 'B=']);
});

test('handshakes: recent ones are fine; none yet, stale with keepalive, missing and unknown peers are not; idle without keepalive is', () => {
  const expected = new Map([
    ['A=', 'masters-1'],
    ['B=', 'workers-1'],
  ]);
  assert.deepEqual(judgeHandshakes(parsePeerLines([line('A=', 'x:1', NOW - 5, '25'), line('B=', 'y:1', NOW - 100, '25')].join('\n')), expected, NOW), { ok: true, detail: '2 peers, latest handshakes 5s–1m40s ago' });
  assert.deepEqual(judgeHandshakes(parsePeerLines([line('A=', 'x:1', NOW - 5, '25'), line('B=', 'y:1', 0, '25')].join('\n')), expected, NOW), { ok: false, detail: 'workers-1: no handshake yet (endpoint y:1)' });
  assert.deepEqual(judgeHandshakes(parsePeerLines([line('A=', 'x:1', NOW - STALE_AFTER_S - 60, '25'), line('B=', 'y:1', NOW - 1, '25')].join('\n')), expected, NOW), { ok: false, detail: 'masters-1: last handshake 6m ago' });
  assert.deepEqual(judgeHandshakes(parsePeerLines([line('A=', 'x:1', NOW - 3 * 3600, 'off'), line('B=', 'y:1', NOW - 1, 'off')].join('\n')), expected, NOW), { ok: true, detail: '2 peers, latest handshakes 1s–3h0m ago' });
  assert.deepEqual(judgeHandshakes(parsePeerLines([line('A=', 'x:1', NOW - 1, '25'), line('ZZZZZZZZZZ=', 'z:1', NOW - 1, '25')].join('\n')), expected, NOW), { ok: false, detail: 'workers-1: not configured on the interface; ZZZZZZZZ…: a peer the stack does not record' });
  // VPN clients are optional: on the interface or not, idle or never seen, they are not judged.
  const laptop = new Set(['L=']);
  assert.deepEqual(judgeHandshakes(parsePeerLines([line('A=', 'x:1', NOW - 5, '25'), line('B=', 'y:1', NOW - 1, '25'), line('L=', '(none)', 0, 'off')].join('\n')), expected, NOW, laptop), { ok: true, detail: '2 peers, latest handshakes 1s–5s ago' });
  assert.deepEqual(judgeHandshakes(parsePeerLines([line('A=', 'x:1', NOW - 5, '25'), line('B=', 'y:1', NOW - 1, '25')].join('\n')), new Map([...expected, ['L=', undefined]]), NOW, laptop), { ok: true, detail: '2 peers, latest handshakes 1s–5s ago' });
  assert.equal(age(59), '59s');
  assert.equal(age(90_000), '1d');
});
