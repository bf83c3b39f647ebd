// SSH keys we generate: each machine's host key (injected by cloud-init, so every later
// connection pins it: no trust on first use) and the deploy key we log in with.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type ssh2Module from 'ssh2';

let loaded: typeof ssh2Module | undefined;
/** ssh2, loaded on first use: most commands never make a key or open a connection. */
export function ssh2(): typeof ssh2Module {
  return (loaded ??= createRequire(import.meta.url)('ssh2') as typeof ssh2Module);
}

export interface SshKeyPair {
  /** OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`). */
  privateKey: string;
  /** `ssh-ed25519 AAAA…` */
  publicKey: string;
}

/** The wire-format blob of an ed25519 public key: "ssh-ed25519" and the 32-byte key, each length-prefixed. */
const ED25519_BLOB_BYTES = 4 + 'ssh-ed25519'.length + 4 + 32;

export function generateEd25519KeyPair(comment?: string): SshKeyPair {
  // ssh2 (1.17, lib/keygen.js) strips every leading zero byte from the public key it reads
  // back from Node's DER, so about one key in 256 comes out 31 bytes long (or shorter): a key
  // OpenSSH and the clouds refuse. Such a draw is thrown away and another made.
  for (;;) {
    const pair = ssh2().utils.generateKeyPairSync('ed25519', comment ? { comment } : undefined);
    const publicKey = pair.public.trim();
    if (Buffer.from(publicKey.split(' ')[1]!, 'base64').length === ED25519_BLOB_BYTES) return { privateKey: pair.private, publicKey };
  }
}

/** `SHA256:…` as `ssh-keygen -l` prints it, for messages and for comparing with what a server offers. */
export function sshFingerprint(publicKey: string): string {
  const blob = publicKeyBlob(publicKey);
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The wire-format key blob of an OpenSSH public key line. */
export function publicKeyBlob(publicKey: string): Buffer {
  const parsed = ssh2().utils.parseKey(publicKey);
  if (parsed instanceof Error) throw new Error(`not an SSH public key: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return key.getPublicSSH();
}
