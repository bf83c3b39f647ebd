// API tokens: random, shown once when made, stored as their SHA-256 only. Each has a role:
// viewer reads; operator also creates and cancels jobs; approver also approves and rejects;
// admin also manages tokens, credentials, policies, stack settings and webhooks.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.ts';
import { JobsError } from './errors.ts';
import { ROLES } from './types.ts';
import type { Role } from './types.ts';

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
  expiresAt?: number;
  revoked: boolean;
}

export interface Actor {
  /** Who, as the audit log records it: `token:<name>`. */
  name: string;
  role: Role;
  tokenId: string;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export const allows = (role: Role, needed: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(needed);

export class TokenStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Makes a token; the only time its value is known. */
  async create(name: string, role: string, expiresAt?: number): Promise<TokenInfo & { token: string }> {
    if (!(ROLES as readonly string[]).includes(role)) throw new JobsError('invalid', `unknown role '${role}' (roles: ${ROLES.join(', ')})`);
    if (!/^[A-Za-z0-9@._-]{1,64}$/.test(name)) throw new JobsError('invalid', `token name '${name}': letters, digits, '@', '.', '_' and '-' (at most 64)`);
    if (expiresAt !== undefined && !(expiresAt > Date.now())) throw new JobsError('invalid', 'expiresAt must be in the future');
    const token = `slk_${randomBytes(32).toString('base64url')}`;
    const id = `tok_${randomBytes(6).toString('hex')}`;
    const createdAt = Date.now();
    await this.#db.run(`INSERT INTO tokens (id, name, hash, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`, [id, name, hash(token), role, createdAt, expiresAt ?? null]);
    return { id, name, role: role as Role, createdAt, expiresAt, revoked: false, token };
  }

  /**
   * The admin token of a database's first start, made by exactly one server however many
   * start on it at once (one claim in `meta`, in the token's own transaction); undefined
   * when the database has tokens already or another server made it.
   */
  async createFirstAdmin(): Promise<(TokenInfo & { token: string }) | undefined> {
    if ((await this.count()) > 0) return undefined;
    return this.#db.tx(async (tx) => {
      const claimed = await tx.run(`INSERT INTO meta (key, value) VALUES ('first-admin', ?) ON CONFLICT (key) DO NOTHING`, [String(Date.now())]);
      const store = new TokenStore(tx);
      if (claimed !== 1 || (await store.count()) > 0) return undefined;
      return store.create('admin', 'admin');
    });
  }

  async list(): Promise<TokenInfo[]> {
    const rows = await this.#db.all<{ id: string; name: string; role: Role; created_at: number; expires_at: number | null; revoked: number }>(`SELECT * FROM tokens ORDER BY created_at`);
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, createdAt: Number(r.created_at), ...(r.expires_at ? { expiresAt: Number(r.expires_at) } : {}), revoked: Number(r.revoked) === 1 }));
  }

  async count(): Promise<number> {
    const [r] = await this.#db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM tokens`);
    return Number(r?.n ?? 0);
  }

  async revoke(id: string): Promise<boolean> {
    return (await this.#db.run(`UPDATE tokens SET revoked = 1 WHERE id = ?`, [id])) === 1;
  }

  /** The actor a presented token stands for; unknown, revoked and expired tokens are refused alike, saying which. */
  async verify(token: string | undefined): Promise<Actor> {
    if (!token) throw new JobsError('unauthenticated', 'no API token given', 'Send it as "Authorization: Bearer <token>" (the CLI: --token or SLOTH_SERVER_TOKEN).');
    const [r] = await this.#db.all<{ id: string; name: string; role: Role; expires_at: number | null; revoked: number }>(`SELECT * FROM tokens WHERE hash = ?`, [hash(token)]);
    if (!r) throw new JobsError('unauthenticated', 'the API token is not known to this server');
    if (Number(r.revoked) === 1) throw new JobsError('unauthenticated', `the API token '${r.name}' was revoked`);
    if (r.expires_at !== null && Number(r.expires_at) <= Date.now()) throw new JobsError('unauthenticated', `the API token '${r.name}' expired on ${new Date(Number(r.expires_at)).toISOString()}`, 'Ask an admin for a new token.');
    return { name: `token:${r.name}`, role: r.role, tokenId: r.id };
  }
}
