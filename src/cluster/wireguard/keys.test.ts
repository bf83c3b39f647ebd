import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateWireGuardKeyPair, isWireGuardKey, wireGuardPublicKey } from './keys.ts';
import { missing } from '../../../test/helpers/parts.ts';


test('generated keys are WireGuard keys and the public key is the one `wg pubkey` derives', { skip: missing('wg') }, () => {
  for (let i = 0; i < 20; i++) {
    const pair = generateWireGuardKeyPair();
    assert.ok(isWireGuardKey(pair.privateKey) && isWireGuardKey(pair.publicKey));
    const derived = spawnSync('wg', ['pubkey'], { input: `${pair.privateKey}\n`, encoding: 'utf8' });
    assert.equal(derived.status, 0, derived.stderr);
    assert.equal(derived.stdout.trim(), pair.publicKey);
  }
});

test('a key made by `wg genkey` gives the same public key here and in wg', { skip: missing('wg') }, () => {
  const priv = spawnSync('wg', ['genkey'], { encoding: 'utf8' }).stdout.trim();
  const pub = spawnSync('wg', ['pubkey'], { input: priv, encoding: 'utf8' }).stdout.trim();
  assert.equal(wireGuardPublicKey(priv), pub);
});

test('private keys are clamped like wg genkey and never repeat', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const raw = Buffer.from(generateWireGuardKeyPair().privateKey, 'base64');
    assert.equal(raw[0]! & 7, 0);
    assert.equal(raw[31]! & 0xc0, 0x40);
    seen.add(raw.toString('hex'));
  }
  assert.equal(seen.size, 200);
});

test('anything but base64 of 32 bytes is refused', () => {
  for (const bad of ['', 'abc', Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64'), `${'A'.repeat(43)}B`]) {
    assert.equal(isWireGuardKey(bad), false, bad);
    assert.throws(() => wireGuardPublicKey(bad), /not a WireGuard key/);
  }
});
