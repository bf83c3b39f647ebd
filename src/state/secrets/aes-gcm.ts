// Pulumi's `v1:` ciphertext format (sdk/go/common/resource/config/crypt.go, see
// STATE-FORMAT.md §4.3): AES-256-GCM, 12-byte nonce, no associated data, tag appended,
// written as `v1:<base64 nonce>:<base64 ciphertext+tag>`. Used by both the passphrase and
// the KMS secrets providers.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function encryptV1(key: Buffer, plaintext: string, nonce: Buffer = randomBytes(NONCE_BYTES)): string {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1:${nonce.toString('base64')}:${body.toString('base64')}`;
}

/** Decrypts a `v1:` value; undefined when it is malformed or does not authenticate. */
export function decryptV1(key: Buffer, value: string): string | undefined {
  const parts = value.split(':');
  if (parts.length !== 3 || parts[0] !== 'v1') return undefined;
  const nonce = Buffer.from(parts[1]!, 'base64');
  const body = Buffer.from(parts[2]!, 'base64');
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
