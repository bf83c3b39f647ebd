import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { missing, which } from '../../../test/helpers/parts.ts';
import { generateEd25519KeyPair, publicKeyBlob } from './ssh-keys.ts';

test('every generated ed25519 key holds a 32-byte public key (ssh2 drops leading zero bytes; about 1 draw in 256)', () => {
  // 2,000 draws meet a bad one with probability 1 - (255/256)^2000 > 99.9 %.
  for (let i = 0; i < 2000; i++) {
    const { publicKey } = generateEd25519KeyPair();
    const blob = publicKeyBlob(publicKey);
    assert.equal(blob.length, 51, `key ${i}: ${publicKey}`);
    assert.equal(blob.readUInt32BE(15), 32);
  }
});

test('OpenSSH reads the private key and derives the same public key', { skip: missing('ssh-keygen') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-keys-'));
  try {
    for (let i = 0; i < 5; i++) {
      const pair = generateEd25519KeyPair(`k${i}`);
      const file = join(dir, `k${i}`);
      writeFileSync(file, pair.privateKey, { mode: 0o600 });
      const derived = execFileSync(which('ssh-keygen')!, ['-y', '-f', file], { encoding: 'utf8' }).trim();
      assert.equal(derived.split(' ').slice(0, 2).join(' '), pair.publicKey.split(' ').slice(0, 2).join(' '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
