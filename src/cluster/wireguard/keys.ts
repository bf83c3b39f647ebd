// WireGuard keys: X25519, written as WireGuard writes them (standard base64 of the raw 32
// bytes). We generate them ourselves so that the private key never has to be read back
// from a node, and each one is stored only as a stack secret.
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

export interface WireGuardKeyPair {
  privateKey: string;
  publicKey: string;
}

// PKCS#8 header of an X25519 private key (RFC 8410); the raw 32-byte key follows it.
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

const KEY_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export function isWireGuardKey(text: string): boolean {
  return KEY_PATTERN.test(text);
}

export function generateWireGuardKeyPair(): WireGuardKeyPair {
  const raw = randomBytes(32);
  // Clamp as `wg genkey` does, so our keys are byte-for-byte the kind WireGuard makes.
  raw[0]! &= 248;
  raw[31]! &= 127;
  raw[31]! |= 64;
  const privateKey = raw.toString('base64');
  return { privateKey, publicKey: wireGuardPublicKey(privateKey) };
}

export function wireGuardPublicKey(privateKey: string): string {
  if (!isWireGuardKey(privateKey)) throw new Error('not a WireGuard key (expected base64 of 32 bytes)');
  const der = Buffer.concat([PKCS8_X25519_PREFIX, Buffer.from(privateKey, 'base64')]);
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32).toString('base64');
}
