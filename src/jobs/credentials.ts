// The server's credential store. A credential is a named set of environment variables for one
// provider (AWS keys, a DigitalOcean token, an Azure service principal, a stack's passphrase), sealed at rest with the
// server's key (AES-256-GCM; the key is a 0600 file in the data directory, or --key-file). A
// job holds credentials by reference (name + version); the runner opens them when it runs the
// job and hands them to the ops layer as environment. Values never leave this module except
// into that environment: listings show names, providers and variable names only.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Db } from './db.ts';
import { JobsError } from './errors.ts';
import type { CredentialRef } from './types.ts';

/** The variables a credential of each provider may set. */
export const CREDENTIAL_VARIABLES: Record<string, readonly string[]> = {
  aws: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_ENDPOINT_URL', 'AWS_EC2_METADATA_DISABLED'],
  digitalocean: ['DIGITALOCEAN_TOKEN'],
  linode: ['LINODE_TOKEN'],
  hcloud: ['HCLOUD_TOKEN'],
  /** A service principal (@azure/identity's environment credential) and the subscription. */
  azure: ['AZURE_SUBSCRIPTION_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_TOKEN_CREDENTIALS', 'AZURE_RESOURCE_MANAGER_ENDPOINT', 'AZURE_AUTHORITY_HOST'],
  /** Application Default Credentials: a key file on the server's machine, and the project. */
  gcp: ['GOOGLE_APPLICATION_CREDENTIALS', 'GOOGLE_CLOUD_PROJECT', 'CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE', 'CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS'],
  /** The stack's passphrase: opens its secrets. */
  stack: ['PULUMI_CONFIG_PASSPHRASE'],
};

export class ServerKey {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the server key must be 32 bytes');
    this.#key = key;
  }

  /** Reads the key file, or creates it (0600) when it does not exist. */
  static load(file: string): ServerKey {
    if (!existsSync(file)) {
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
    }
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new JobsError('invalid', `the server key ${file} is not 64 hex digits`, 'Restore the file from a backup; without it the stored credentials cannot be opened.');
    return new ServerKey(Buffer.from(hex, 'hex'));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed.replace(/^v1:/, ''), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new JobsError('invalid', 'a sealed value cannot be opened with this server key', 'The data directory was written with another key; start the server with its --key-file.');
    }
  }
}

export interface CredentialInfo {
  name: string;
  provider: string;
  /** Names of the variables it sets (never their values). */
  variables: string[];
  version: number;
}

export const CREDENTIAL_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export class CredentialStore {
  readonly #db: Db;
  readonly #key: ServerKey;
  constructor(db: Db, key: ServerKey) {
    this.#db = db;
    this.#key = key;
  }

  async put(name: string, provider: string, values: Record<string, unknown>): Promise<CredentialInfo> {
    if (!CREDENTIAL_NAME.test(name)) throw new JobsError('invalid', `credential name '${name}': use lower-case letters, digits, '.', '_' and '-' (at most 63)`);
    const allowed = CREDENTIAL_VARIABLES[provider];
    if (!allowed) throw new JobsError('invalid', `unknown credential provider '${provider}' (known: ${Object.keys(CREDENTIAL_VARIABLES).join(', ')})`);
    const entries = Object.entries(values ?? {});
    if (entries.length === 0) throw new JobsError('invalid', `credential '${name}' sets no variable`, `A ${provider} credential sets some of: ${allowed.join(', ')}`);
    for (const [k, v] of entries) {
      if (!allowed.includes(k)) throw new JobsError('invalid', `a ${provider} credential cannot set ${k}`, `It sets some of: ${allowed.join(', ')}`);
      if (typeof v !== 'string') throw new JobsError('invalid', `credential '${name}': ${k} must be a string`);
    }
    const version = Date.now();
    const sealed = this.#key.seal(JSON.stringify(values));
    await this.#db.tx(async (tx) => {
      await tx.run(`DELETE FROM credentials WHERE name = ?`, [name]);
      await tx.run(`INSERT INTO credentials (name, provider, sealed, updated_at) VALUES (?, ?, ?, ?)`, [name, provider, sealed, version]);
    });
    return { name, provider, variables: entries.map(([k]) => k).sort(), version };
  }

  async list(): Promise<CredentialInfo[]> {
    const rows = await this.#db.all<{ name: string; provider: string; sealed: string; updated_at: number }>(`SELECT * FROM credentials ORDER BY name`);
    return rows.map((r) => ({ name: r.name, provider: r.provider, variables: Object.keys(JSON.parse(this.#key.open(r.sealed))).sort(), version: Number(r.updated_at) }));
  }

  async remove(name: string): Promise<boolean> {
    return (await this.#db.run(`DELETE FROM credentials WHERE name = ?`, [name])) === 1;
  }

  /** References to the named credentials (they must exist). */
  async refs(names: readonly string[]): Promise<CredentialRef[]> {
    const all = new Map((await this.list()).map((c) => [c.name, c]));
    const missing = names.filter((n) => !all.has(n));
    if (missing.length) throw new JobsError('preflight', `no credential named ${missing.map((n) => `'${n}'`).join(', ')}`, 'Add it with POST /api/v1/credentials.', missing.map((n) => `credential '${n}' does not exist`));
    return names.map((n) => ({ name: n, provider: all.get(n)!.provider, version: all.get(n)!.version }));
  }

  /** The environment the referenced credentials set, as stored when the job was created. */
  async environment(refs: readonly CredentialRef[]): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const ref of refs) {
      const [r] = await this.#db.all<{ sealed: string; updated_at: number }>(`SELECT sealed, updated_at FROM credentials WHERE name = ?`, [ref.name]);
      if (!r) throw new JobsError('not-found', `credential '${ref.name}' was removed after the job was created`);
      if (Number(r.updated_at) !== ref.version) throw new JobsError('conflict', `credential '${ref.name}' was changed after the job was created`, 'Create the job again to run it with the new value.');
      Object.assign(env, JSON.parse(this.#key.open(r.sealed)) as Record<string, string>);
    }
    return env;
  }
}
