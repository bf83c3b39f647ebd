// What an admin sets for the jobs of a stack: flow-control policies at each scope, which
// organization and environment a stack belongs to and which credentials its jobs use, and the
// webhooks told when a job ends (their signing secrets sealed with the server's key). Changes
// to what is not a stack's (tokens, credentials, policies, webhooks) are recorded in the
// server's own audit log; a stack's settings go to the stack's log too (service.ts).
import { randomBytes } from 'node:crypto';
import { CREDENTIAL_NAME } from './credentials.ts';
import type { ServerKey } from './credentials.ts';
import type { Db } from './db.ts';
import { JobsError } from './errors.ts';
import { parsePolicy } from './policy.ts';
import type { ScopedPolicy } from './policy.ts';
import { POLICY_SCOPES } from './types.ts';
import type { FlowPolicy, PolicyScope } from './types.ts';

export interface StackSettings {
  stack: string;
  organization: string;
  environment: string;
  /** Credential names the stack's jobs use. */
  credentials: string[];
}

export interface Webhook {
  id: string;
  url: string;
  createdAt: number;
}

const SCOPE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export class Settings {
  readonly #db: Db;
  readonly #key: ServerKey;
  constructor(db: Db, key: ServerKey) {
    this.#db = db;
    this.#key = key;
  }

  async setPolicy(scope: string, name: string, value: unknown): Promise<ScopedPolicy> {
    if (!(POLICY_SCOPES as readonly string[]).includes(scope)) throw new JobsError('invalid', `unknown policy scope '${scope}' (scopes: ${POLICY_SCOPES.join(', ')})`);
    const scopeName = scope === 'platform' ? '' : name;
    if (scope !== 'platform' && !SCOPE_NAME.test(name)) throw new JobsError('invalid', `a ${scope} policy needs the ${scope}'s name`);
    const policy = parsePolicy(value, `${scope} policy`);
    await this.#db.tx(async (tx) => {
      await tx.run(`DELETE FROM policies WHERE scope = ? AND name = ?`, [scope, scopeName]);
      if (Object.keys(policy).length) await tx.run(`INSERT INTO policies (scope, name, policy) VALUES (?, ?, ?)`, [scope, scopeName, JSON.stringify(policy)]);
    });
    return { scope: scope as PolicyScope, name: scopeName, policy };
  }

  async policies(): Promise<ScopedPolicy[]> {
    const rows = await this.#db.all<{ scope: PolicyScope; name: string; policy: string }>(`SELECT * FROM policies ORDER BY scope, name`);
    return rows.map((r) => ({ scope: r.scope, name: r.name, policy: JSON.parse(r.policy) as Partial<FlowPolicy> }));
  }

  /** The policy levels that apply to a stack. */
  async policiesFor(s: StackSettings): Promise<ScopedPolicy[]> {
    const wanted: Record<PolicyScope, string> = { platform: '', organization: s.organization, environment: s.environment, stack: s.stack };
    return (await this.policies()).filter((p) => wanted[p.scope] === p.name);
  }

  async stack(stack: string): Promise<StackSettings> {
    const [r] = await this.#db.all<{ organization: string; environment: string; credentials: string }>(`SELECT * FROM stack_settings WHERE stack = ?`, [stack]);
    return r ? { stack, organization: r.organization, environment: r.environment, credentials: JSON.parse(r.credentials) as string[] } : { stack, organization: 'default', environment: 'default', credentials: [] };
  }

  /** Throws the first thing wrong with a stack's settings as sent. */
  checkStack(s: StackSettings): void {
    for (const [k, v] of [['organization', s.organization], ['environment', s.environment]] as const) {
      if (typeof v !== 'string' || !SCOPE_NAME.test(v)) throw new JobsError('invalid', `${k} must be a name (letters, digits, '.', '_', '-')`);
    }
    if (!Array.isArray(s.credentials) || s.credentials.some((c) => typeof c !== 'string' || !CREDENTIAL_NAME.test(c))) throw new JobsError('invalid', 'credentials must be a list of credential names');
  }

  async setStack(s: StackSettings): Promise<StackSettings> {
    this.checkStack(s);
    await this.#db.tx(async (tx) => {
      await tx.run(`DELETE FROM stack_settings WHERE stack = ?`, [s.stack]);
      await tx.run(`INSERT INTO stack_settings (stack, organization, environment, credentials) VALUES (?, ?, ?, ?)`, [s.stack, s.organization, s.environment, JSON.stringify(s.credentials)]);
    });
    return s;
  }

  async addWebhook(url: string): Promise<Webhook & { secret: string }> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new JobsError('invalid', `webhook URL '${url}' is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new JobsError('invalid', 'a webhook URL is http:// or https://');
    const id = `wh_${randomBytes(6).toString('hex')}`;
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const createdAt = Date.now();
    await this.#db.run(`INSERT INTO webhooks (id, url, sealed_secret, created_at) VALUES (?, ?, ?, ?)`, [id, url, this.#key.seal(secret), createdAt]);
    return { id, url, createdAt, secret };
  }

  async webhooks(): Promise<Webhook[]> {
    const rows = await this.#db.all<{ id: string; url: string; created_at: number }>(`SELECT id, url, created_at FROM webhooks ORDER BY created_at`);
    return rows.map((r) => ({ id: r.id, url: r.url, createdAt: Number(r.created_at) }));
  }

  /** Every webhook with its signing secret (for delivery only). */
  async webhookSecrets(): Promise<(Webhook & { secret: string })[]> {
    const rows = await this.#db.all<{ id: string; url: string; created_at: number; sealed_secret: string }>(`SELECT * FROM webhooks ORDER BY created_at`);
    return rows.map((r) => ({ id: r.id, url: r.url, createdAt: Number(r.created_at), secret: this.#key.open(r.sealed_secret) }));
  }

  async removeWebhook(id: string): Promise<boolean> {
    return (await this.#db.run(`DELETE FROM webhooks WHERE id = ?`, [id])) === 1;
  }

  /** Records an admin change that belongs to no stack (never a secret: names and ids only). */
  async record(actor: string, action: string, target: string, detail: Record<string, unknown> = {}): Promise<void> {
    await this.#db.run(`INSERT INTO server_audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)`, [Date.now(), actor, action, target, JSON.stringify(detail)]);
  }

  async serverAudit(limit = 200): Promise<{ at: number; actor: string; action: string; target: string; detail: Record<string, unknown> }[]> {
    const rows = await this.#db.all<{ at: number; actor: string; action: string; target: string; detail: string }>(`SELECT * FROM server_audit ORDER BY seq DESC LIMIT ?`, [limit]);
    return rows.map((r) => ({ at: Number(r.at), actor: r.actor, action: r.action, target: r.target, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
