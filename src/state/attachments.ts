// Per-stack attachment objects: records the layers above keep next to a stack's checkpoint
// (snapshots, the manifest registry, the audit log) under `.pulumi/sloth/<project>/<stack>/`,
// where the Pulumi CLI never looks. Sealed objects are encrypted with the stack's own secrets
// provider (the Crypter the stack was opened with); raw objects are stored as given, for
// callers that encrypt themselves (the audit log appends without a passphrase).
import type { BlobInfo, BlobStore } from './blob/blob-store.ts';
import { SecretsError, StateError } from './errors.ts';
import { keys, unixNanos } from './layout.ts';
import type { Crypter } from './secrets/crypter.ts';

const SEALED_VERSION = 1;

/** What the crypter of an opened stack lets attachments do, without exposing its key. */
export interface AttachmentSealer {
  /** A `v1:` ciphertext of `plaintext` (AES-256-GCM under the stack's key). */
  encrypt(plaintext: string): string;
  /** The plaintext; throws a SecretsError when it does not authenticate. */
  decrypt(ciphertext: string, where?: string): string;
}

/** A sealed record that does not open with the stack's secrets: written under another key. */
export class ForeignRecordError extends SecretsError {
  constructor(stack: string, where: string, cause: unknown) {
    super(`${where} does not open with the secrets of stack '${stack}': it was written under another key (by an earlier stack of this name, or altered)`, {
      hint:
        `If the stack has no deployments yet and \`stacks create ${stack}\` was interrupted after an earlier stack of that name was deleted, ` +
        'run it again with the same passphrase: it moves the earlier stack\'s records aside. Otherwise restore the object from a backup of the backend.',
      cause,
    });
  }
}

export class StackAttachments {
  readonly stack: string;
  readonly #blob: BlobStore;
  readonly #crypter: Crypter | undefined;

  constructor(blob: BlobStore, stack: string, crypter?: Crypter) {
    this.#blob = blob;
    this.stack = stack;
    this.#crypter = crypter;
  }

  /** Whether this handle can seal and open (the stack was opened with its secrets). */
  get canSeal(): boolean {
    return this.#crypter !== undefined;
  }

  /** The backend URL, for messages. */
  get backend(): string {
    return this.#blob.url;
  }

  /** The stack's secrets, for callers that authenticate their own formats (audit batches). */
  get sealer(): AttachmentSealer {
    const c = this.#requireCrypter('use the stack key');
    return { encrypt: (p) => c.encrypt(p), decrypt: (t, w) => c.decrypt(t, w) };
  }

  key(name: string): string {
    if (!/^[A-Za-z0-9_.=-]+(\/[A-Za-z0-9_.=-]+)*$/.test(name) || name.split('/').some((p) => p === '.' || p === '..')) {
      throw new StateError(`invalid attachment name '${name}'`);
    }
    return `${keys.attachmentsDir(this.stack)}${name}`;
  }

  #requireCrypter(what: string): Crypter {
    if (!this.#crypter) throw new SecretsError(`cannot ${what} of stack '${this.stack}' without its secrets (open the stack first)`);
    return this.#crypter;
  }

  #seal(name: string, value: unknown): string {
    const c = this.#requireCrypter(`write '${name}'`);
    return JSON.stringify({ version: SEALED_VERSION, ciphertext: c.encrypt(JSON.stringify(value)) });
  }

  #open<T>(name: string, bytes: Buffer): T {
    const c = this.#requireCrypter(`read '${name}'`);
    const where = `${this.#blob.url} ${this.key(name)}`;
    let envelope: { version?: unknown; ciphertext?: unknown };
    try {
      envelope = JSON.parse(bytes.toString('utf8')) as typeof envelope;
    } catch {
      throw new StateError(`${where} is not a sealed attachment (not JSON)`);
    }
    if (envelope.version !== SEALED_VERSION || typeof envelope.ciphertext !== 'string') throw new StateError(`${where} is not a sealed attachment (version ${JSON.stringify(envelope.version)})`);
    let text: string;
    try {
      text = c.decrypt(envelope.ciphertext, where);
    } catch (err) {
      if (!(err instanceof SecretsError)) throw err;
      throw new ForeignRecordError(this.stack, where, err);
    }
    return JSON.parse(text) as T;
  }

  /**
   * The first sealed object that does not open with this stack's secrets (written under
   * another key: an earlier stack of the same name, or altered), or undefined.
   */
  async firstForeignSealed(): Promise<string | undefined> {
    const c = this.#requireCrypter('check the records');
    const dir = keys.attachmentsDir(this.stack);
    for (const o of await this.#blob.list(dir)) {
      const bytes = await this.#blob.get(o.key);
      if (!bytes) continue;
      let envelope: { version?: unknown; ciphertext?: unknown };
      try {
        envelope = JSON.parse(bytes.toString('utf8')) as typeof envelope;
      } catch {
        continue; // not a sealed object (the audit log's raw batches are checked by the audit layer)
      }
      if (envelope.version !== SEALED_VERSION || typeof envelope.ciphertext !== 'string') continue;
      try {
        c.decrypt(envelope.ciphertext);
      } catch {
        return o.key.slice(dir.length);
      }
    }
    return undefined;
  }

  /** Writes `value` encrypted, replacing the object atomically. */
  async putSealed(name: string, value: unknown): Promise<void> {
    await this.#blob.put(this.key(name), this.#seal(name, value));
  }

  /** Writes `value` encrypted only if no object has the name; false when one exists. */
  async createSealed(name: string, value: unknown): Promise<boolean> {
    return this.#blob.create(this.key(name), this.#seal(name, value));
  }

  /** The decrypted value, or undefined when the object does not exist. */
  async getSealed<T>(name: string): Promise<T | undefined> {
    const bytes = await this.#blob.get(this.key(name));
    return bytes ? this.#open<T>(name, bytes) : undefined;
  }

  async getRaw(name: string): Promise<Buffer | undefined> {
    return this.#blob.get(this.key(name));
  }

  async putRaw(name: string, data: Buffer | string): Promise<void> {
    await this.#blob.put(this.key(name), data);
  }

  /** Exclusive create (conditional PUT on S3); false when the object exists. */
  async createRaw(name: string, data: Buffer | string): Promise<boolean> {
    return this.#blob.create(this.key(name), data);
  }

  /** Whether `createRaw` is atomic on this backend (S3 servers that ignore If-None-Match are not). */
  exclusiveCreateIsAtomic(): Promise<boolean> {
    return this.#blob.exclusiveCreateIsAtomic();
  }

  async delete(name: string): Promise<void> {
    await this.#blob.delete(this.key(name));
  }

  /** Objects under `prefix` (a name prefix), in key order, with names relative to the stack's folder. */
  async list(prefix = ''): Promise<(BlobInfo & { name: string })[]> {
    const dir = keys.attachmentsDir(this.stack);
    const objects = await this.#blob.list(`${dir}${prefix}`);
    return objects.map((o) => ({ ...o, name: o.key.slice(dir.length) }));
  }

  /**
   * Moves every attachment of the stack aside (`.pulumi/sloth-archive/<project>/<stack>-<ns>/`),
   * e.g. when a deleted stack's name is used again: the old records stay, under the old key.
   * Returns where they went, or undefined when there were none.
   */
  async archive(): Promise<string | undefined> {
    const dir = keys.attachmentsDir(this.stack);
    const objects = await this.#blob.list(dir);
    if (objects.length === 0) return undefined;
    const target = keys.archivedAttachmentsDir(this.stack, unixNanos());
    for (const o of objects) await this.#blob.copy(o.key, `${target}${o.key.slice(dir.length)}`);
    await this.#blob.deleteMany(objects.map((o) => o.key));
    return target;
  }
}
