// Pulumi's passphrase secrets provider (pkg/secrets/passphrase, STATE-FORMAT.md §4):
// PBKDF2-HMAC-SHA256 of the passphrase with an 8-byte salt, 1,000,000 iterations, 32-byte
// key; the state string `v1:<b64 salt>:v1:<b64 nonce>:<b64 ct>` carries the salt and the
// word "pulumi" encrypted with the key, which is how a wrong passphrase is recognised.
import { createHash, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { decryptV1, encryptV1 } from './aes-gcm.ts';
import type { Crypter } from './crypter.ts';
import { IncorrectPassphraseError, SecretsError } from '../errors.ts';

const pbkdf2Async = promisify(pbkdf2);
export const PBKDF2_ITERATIONS = 1_000_000;
const CHECK_PLAINTEXT = 'pulumi';

/**
 * Derived keys, per process, keyed by a hash of salt and passphrase. A process that opens
 * the same stack several times (the in-process test suite, the server) derives once.
 */
const derivedKeys = new Map<string, Promise<Buffer>>();
/** The same keys once derived, for a derivation on use (PassphraseCrypter.unlockOnUse). */
const settledKeys = new Map<string, Buffer>();
const MAX_CACHED_KEYS = 32;

export function clearDerivedKeyCache(): void {
  derivedKeys.clear();
  settledKeys.clear();
}

const keyId = (passphrase: string, salt: Buffer) => createHash('sha256').update(salt).update('\0').update(passphrase, 'utf8').digest('hex');

function remember(id: string, key: Buffer): void {
  if (settledKeys.size >= MAX_CACHED_KEYS) settledKeys.delete(settledKeys.keys().next().value!);
  settledKeys.set(id, key);
}

/** PBKDF2 on the thread pool (async), so a spinner keeps turning while it runs. */
export function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  const id = keyId(passphrase, salt);
  let key = derivedKeys.get(id);
  if (!key) {
    key = pbkdf2Async(Buffer.from(passphrase, 'utf8'), salt, PBKDF2_ITERATIONS, 32, 'sha256');
    key.then((k) => remember(id, k), () => derivedKeys.delete(id));
    if (derivedKeys.size >= MAX_CACHED_KEYS) derivedKeys.delete(derivedKeys.keys().next().value!);
    derivedKeys.set(id, key);
  }
  return key;
}

/** The same derivation on this thread, for a key needed by synchronous code. */
function deriveKeyNow(passphrase: string, salt: Buffer): Buffer {
  const id = keyId(passphrase, salt);
  let key = settledKeys.get(id);
  if (!key) {
    key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, PBKDF2_ITERATIONS, 32, 'sha256');
    remember(id, key);
  }
  return key;
}

export interface PassphraseState {
  salt: Buffer;
  check: string;
}

export function parsePassphraseState(state: string): PassphraseState {
  const first = state.indexOf(':');
  const second = first < 0 ? -1 : state.indexOf(':', first + 1);
  if (first < 0 || second < 0 || state.slice(0, first) !== 'v1') {
    throw new SecretsError(`malformed passphrase secrets state '${state.slice(0, 40)}'`);
  }
  const salt = Buffer.from(state.slice(first + 1, second), 'base64');
  if (salt.length === 0) throw new SecretsError('malformed passphrase secrets state: empty salt');
  return { salt, check: state.slice(second + 1) };
}

export class PassphraseCrypter implements Crypter {
  readonly provider: { type: 'passphrase'; state: { salt: string } };
  readonly description = 'Passphrase (AES-256-GCM)';
  #key: Buffer | (() => Buffer);
  private readonly stack: string;

  private constructor(state: string, key: Buffer | (() => Buffer), stack: string) {
    this.provider = { type: 'passphrase', state: { salt: state } };
    this.#key = key;
    this.stack = stack;
  }

  private get key(): Buffer {
    if (typeof this.#key === 'function') this.#key = this.#key();
    return this.#key;
  }

  /** Unlocks an existing state string; throws IncorrectPassphraseError on a wrong passphrase. */
  static async unlock(state: string, passphrase: string, stack: string): Promise<PassphraseCrypter> {
    const parsed = parsePassphraseState(state);
    const key = await deriveKey(passphrase, parsed.salt);
    if (decryptV1(key, parsed.check) !== CHECK_PLAINTEXT) throw new IncorrectPassphraseError(stack);
    return new PassphraseCrypter(state, key, stack);
  }

  /**
   * Like `unlock`, but the key is derived (the same PBKDF2, on this thread) when a secret is
   * first encrypted or decrypted — for a read-only open, where a preview may read none — and a
   * wrong passphrase is reported then. A key this process already derived is used at once.
   */
  static unlockOnUse(state: string, passphrase: string, stack: string): PassphraseCrypter {
    const parsed = parsePassphraseState(state);
    return new PassphraseCrypter(
      state,
      () => {
        const key = deriveKeyNow(passphrase, parsed.salt);
        if (decryptV1(key, parsed.check) !== CHECK_PLAINTEXT) throw new IncorrectPassphraseError(stack);
        return key;
      },
      stack,
    );
  }

  /** A new state: random 8-byte salt (or the given one, for test vectors). */
  static async create(passphrase: string, stack: string, salt: Buffer = randomBytes(8), nonce?: Buffer): Promise<PassphraseCrypter> {
    const key = await deriveKey(passphrase, salt);
    const state = `v1:${salt.toString('base64')}:${encryptV1(key, CHECK_PLAINTEXT, nonce)}`;
    return new PassphraseCrypter(state, key, stack);
  }

  encrypt(plaintext: string): string {
    return encryptV1(this.key, plaintext);
  }

  decrypt(ciphertext: string, where?: string): string {
    const out = decryptV1(this.key, ciphertext);
    if (out === undefined) {
      throw new SecretsError(`a secret${where ? ` in ${where}` : ''} of stack '${this.stack}' does not decrypt with the stack's key`, {
        hint: 'The value is corrupt or was encrypted for another stack; restore it from the stack history.',
      });
    }
    return out;
  }
}
