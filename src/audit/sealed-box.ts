// Sealing to the audit key: X25519 (ephemeral-static ECDH) → HKDF-SHA256 → AES-256-GCM.
// Anyone who can read the stack's public audit key can append events, without the
// passphrase (`stacks cancel` and `stacks delete` need none); only the holder of the stack's
// secrets can open them, because the private key is stored encrypted with them.
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';

const INFO = Buffer.from('sloth-kubernetes audit batch v1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const SEAL_ALGORITHM = 'X25519-HKDF-SHA256-AES-256-GCM';

export interface AuditKeyPair {
  /** SPKI DER, base64. */
  publicKey: string;
  /** PKCS#8 DER, base64. Never stored unencrypted. */
  privateKey: string;
}

export interface Sealed {
  /** The sender's ephemeral public key (SPKI DER, base64). */
  epk: string;
  iv: string;
  /** Ciphertext with the GCM tag appended, base64. */
  ct: string;
}

export function generateAuditKeyPair(): AuditKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  };
}

/** A short, stable name for a public key (first 16 bytes of its SHA-256, hex). */
export function keyFingerprint(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 32);
}

function deriveKey(shared: Buffer, epk: string, recipient: string): Buffer {
  const salt = Buffer.concat([Buffer.from(epk, 'base64'), Buffer.from(recipient, 'base64')]);
  return Buffer.from(hkdfSync('sha256', shared, salt, INFO, 32));
}

export function seal(recipientPublicKey: string, plaintext: string): Sealed {
  const recipient = createPublicKey({ key: Buffer.from(recipientPublicKey, 'base64'), format: 'der', type: 'spki' });
  const eph = generateKeyPairSync('x25519');
  const epk = eph.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const key = deriveKey(diffieHellman({ privateKey: eph.privateKey, publicKey: recipient }), epk, recipientPublicKey);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { epk, iv: iv.toString('base64'), ct: ct.toString('base64') };
}

/** The plaintext, or undefined when the box does not open (edited, or sealed to another key). */
export function open(keys: AuditKeyPair, sealed: Sealed): string | undefined {
  try {
    const privateKey = createPrivateKey({ key: Buffer.from(keys.privateKey, 'base64'), format: 'der', type: 'pkcs8' });
    const ephemeral = createPublicKey({ key: Buffer.from(sealed.epk, 'base64'), format: 'der', type: 'spki' });
    const key = deriveKey(diffieHellman({ privateKey, publicKey: ephemeral }), sealed.epk, keys.publicKey);
    const iv = Buffer.from(sealed.iv, 'base64');
    const body = Buffer.from(sealed.ct, 'base64');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
