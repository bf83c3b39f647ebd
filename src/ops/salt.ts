// Salt from the operator's machine: the stack's `salt_master` output gives the API address on
// the mesh (reached through `vpn join`), the certificate the master made (pinned) and the
// sharedsecret credentials; every call logs in with them, runs one lowstate chunk and returns
// what Salt answered. Commands that change machines (cmd, state apply, key changes) are audited.
import type { Lowstate, SaltApi, SaltLogin } from '../cluster/remote/salt-api.ts';
import { reveal, stackOutputs, type OpenedStack } from '../state/index.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';
import { auditSession, withAuditedStack, withStack } from './stack.ts';

export type TargetType = 'glob' | 'list' | 'grain';

export interface SaltTarget {
  target: string;
  targetType?: TargetType;
}

interface Access {
  api: SaltApi;
  master: string;
  username: string;
  password: string;
  eauth: string;
}

async function saltAccess(stack: OpenedStack): Promise<Access> {
  const { SaltApi } = await import('../cluster/remote/salt-api.ts');
  const raw = stackOutputs(stack.deployment, stack.name)['salt_master'];
  const v = (raw === undefined ? undefined : reveal(raw)) as Record<string, unknown> | undefined;
  if (!v || typeof v.apiUrl !== 'string') {
    throw new OpsError('invalid', `stack '${stack.name}' has no Salt: its cluster was deployed without (addons (salt …)), or with the Salt API disabled`, 'Add (addons (salt (enabled true))) to the config and deploy again.');
  }
  if (typeof v.tlsCertificate !== 'string' || !v.tlsCertificate.includes('BEGIN CERTIFICATE') || typeof v.password !== 'string') {
    throw new OpsError('invalid', `stack '${stack.name}' does not record the Salt API's certificate or credentials (the salt-master step has not run to its end)`, `Deploy again: sloth-kubernetes deploy ${stack.name} --config FILE`);
  }
  return { api: new SaltApi({ url: v.apiUrl, certificate: v.tlsCertificate }), master: String(v.master ?? ''), username: String(v.username ?? 'saltapi'), password: v.password, eauth: String(v.eauth ?? 'sharedsecret') };
}

/** A SaltApiError as the user should read it; other errors pass through. */
async function explain(err: unknown, stack: string, a: Access): Promise<never> {
  const { SaltApiError } = await import('../cluster/remote/salt-api.ts');
  if (!(err instanceof SaltApiError)) throw err;
  switch (err.kind) {
    case 'unreachable':
      throw new OpsError('unavailable', `${err.message} (the API listens on the Salt master ${a.master}'s mesh address only)`, `Join the mesh from this machine first: sloth-kubernetes vpn join ${stack}, then sudo wg-quick up <the file it writes>.`);
    case 'tls':
      throw new OpsError('refused', err.message, `The master's certificate changed (a reinstalled master?); a deploy records the new one: sloth-kubernetes deploy ${stack} --config FILE`);
    case 'auth':
      throw new OpsError('refused', `${err.message}: the API user '${a.username}' (eauth ${a.eauth}) was not accepted`, `The master's sharedsecret no longer matches the stack; a deploy writes it again: sloth-kubernetes deploy ${stack} --config FILE`);
    default:
      throw new OpsError('failed', err.message);
  }
}

async function session<T>(stack: OpenedStack, body: (a: Access, login: SaltLogin) => Promise<T>): Promise<T> {
  const a = await saltAccess(stack);
  try {
    return await body(a, await a.api.login(a.username, a.password, a.eauth));
  } catch (err) {
    return explain(err, stack.name, a);
  }
}

export interface SaltLoginResult {
  stack: string;
  apiUrl: string;
  master: string;
  user: string;
  eauth: string;
  expires: string;
  perms: unknown[];
}

/** Proves the API reachable and the stack's credentials accepted; what they allow. */
export async function saltLogin(ctx: OpsContext, input: { stack?: string }): Promise<SaltLoginResult> {
  return withStack(ctx, input.stack, ({ stack }) =>
    session(stack, async (a, login) => ({ stack: stack.name, apiUrl: a.api.url.origin, master: a.master, user: login.user, eauth: login.eauth, expires: new Date(login.expire * 1000).toISOString(), perms: login.perms })),
  );
}

export interface MinionResults {
  stack: string;
  /** Minion id → what the function returned there. */
  results: Record<string, unknown>;
  /** Accepted minions the target named that did not answer. */
  silent: string[];
  /** Minions that answered with a non-zero retcode (a failed state, a command that exited non-zero). */
  failed: string[];
  durationMs: number;
}

const KEY_KINDS = ['minions', 'minions_pre', 'minions_rejected', 'minions_denied'] as const;
export type KeyLists = Record<(typeof KEY_KINDS)[number], string[]>;

async function keyLists(a: Access, token: string): Promise<KeyLists> {
  const r = (await a.api.run(token, { client: 'wheel', fun: 'key.list_all' })) as { data?: { return?: Partial<KeyLists> } };
  const lists = r?.data?.return ?? {};
  return Object.fromEntries(KEY_KINDS.map((k) => [k, [...(lists[k] ?? [])].sort()])) as KeyLists;
}

/** Which accepted minions a target names, as far as it can be told without asking them (globs and lists). */
function expected(target: SaltTarget, accepted: readonly string[]): string[] | undefined {
  const type = target.targetType ?? 'glob';
  if (type === 'list') return target.target.split(',').map((s) => s.trim()).filter(Boolean);
  if (type !== 'glob') return undefined;
  const re = new RegExp(`^${target.target.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return accepted.filter((m) => re.test(m));
}

async function runLocal(stack: OpenedStack, target: SaltTarget, fun: string, args: readonly string[]): Promise<MinionResults> {
  return session(stack, async (a, login) => {
    const accepted = (await keyLists(a, login.token)).minions;
    const named = expected(target, accepted);
    const unknown = (target.targetType === 'list' ? named! : []).filter((m) => !accepted.includes(m));
    if (unknown.length > 0 || (named && named.length === 0 && !/[*?[]/.test(target.target))) {
      const missing = unknown.length > 0 ? unknown : [target.target];
      throw new OpsError('invalid', `unknown minion${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in stack '${stack.name}'`, `Accepted minions: ${accepted.join(', ') || 'none'} (sloth-kubernetes salt minions).`);
    }
    // full_return: each minion's retcode comes with what it returned.
    const chunk: Lowstate = { client: 'local', tgt: target.target, tgt_type: target.targetType ?? 'glob', fun, ...(args.length > 0 ? { arg: [...args] } : {}), full_return: true };
    const started = performance.now();
    const answers = ((await a.api.run(login.token, chunk)) ?? {}) as Record<string, { ret?: unknown; retcode?: unknown } | undefined>;
    const durationMs = Math.round(performance.now() - started);
    const results: Record<string, unknown> = {};
    const failed: string[] = [];
    for (const [minion, answer] of Object.entries(answers)) {
      results[minion] = answer?.ret;
      if (typeof answer?.retcode === 'number' && answer.retcode !== 0) failed.push(minion);
    }
    const silent = (named ?? []).filter((m) => !(m in results));
    return { stack: stack.name, results, silent, failed: failed.sort(), durationMs };
  });
}

/** A Salt execution function on the targeted minions. Audited when `audit` names the command. */
export async function saltRun(ctx: OpsContext, input: { stack?: string; target: SaltTarget; fun: string; args?: readonly string[]; audit?: string }): Promise<MinionResults> {
  const args = input.args ?? [];
  if (!input.audit) return withStack(ctx, input.stack, ({ stack }) => runLocal(stack, input.target, input.fun, args));
  const audit = auditSession(ctx, input.audit, {
    type: 'configuration',
    action: 'apply',
    severity: 'info',
    resourceId: input.target.target,
    resourceType: 'salt-minions',
    description: `${input.audit}: ${input.fun} on ${input.target.targetType ?? 'glob'} ${input.target.target}`,
  });
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const access = await saltAccess(stack);
    audit.secret(access.password);
    const r = await runLocal(stack, input.target, input.fun, args);
    audit.summary.description += `: ${Object.keys(r.results).length} minion(s) answered${r.failed.length > 0 ? `, ${r.failed.join(', ')} failed` : ''}${r.silent.length > 0 ? `, ${r.silent.join(', ')} silent` : ''}`;
    return r;
  });
}

export interface MinionRow {
  id: string;
  key: 'accepted' | 'pending' | 'rejected' | 'denied';
  responding: boolean;
}

/** Every minion key the master knows, and whether the accepted ones answer test.ping. */
export async function saltMinions(ctx: OpsContext, input: { stack?: string }): Promise<{ stack: string; minions: MinionRow[] }> {
  return withStack(ctx, input.stack, ({ stack }) =>
    session(stack, async (a, login) => {
      const keys = await keyLists(a, login.token);
      const pong = ((await a.api.run(login.token, { client: 'local', tgt: '*', fun: 'test.ping' })) ?? {}) as Record<string, unknown>;
      const rows: MinionRow[] = [
        ...keys.minions.map((id) => ({ id, key: 'accepted' as const, responding: pong[id] === true })),
        ...keys.minions_pre.map((id) => ({ id, key: 'pending' as const, responding: false })),
        ...keys.minions_rejected.map((id) => ({ id, key: 'rejected' as const, responding: false })),
        ...keys.minions_denied.map((id) => ({ id, key: 'denied' as const, responding: false })),
      ];
      return { stack: stack.name, minions: rows };
    }),
  );
}

export type KeyAction = 'list' | 'accept' | 'reject' | 'delete';

/** `key.list_all`, or accept/reject/delete one minion's key (audited). */
export async function saltKeys(ctx: OpsContext, input: { stack?: string; action: KeyAction; minion?: string }): Promise<{ stack: string; keys: KeyLists; changed?: string }> {
  if (input.action === 'list') return withStack(ctx, input.stack, ({ stack }) => session(stack, async (a, login) => ({ stack: stack.name, keys: await keyLists(a, login.token) })));
  const minion = input.minion;
  if (!minion) throw new OpsError('invalid', `salt keys ${input.action} needs the minion id`, `sloth-kubernetes salt keys ${input.action} <minion>`);
  const audit = auditSession(ctx, `salt keys ${input.action}`, { type: 'configuration', action: input.action === 'delete' ? 'delete' : 'update', severity: 'warning', resourceId: minion, resourceType: 'salt-key', description: `salt key of ${minion}: ${input.action}` });
  return withAuditedStack(ctx, audit, input.stack, ({ stack }) =>
    session(stack, async (a, login) => {
      audit.secret(a.password);
      const before = await keyLists(a, login.token);
      const known = KEY_KINDS.some((k) => before[k].includes(minion));
      if (!known) throw new OpsError('invalid', `unknown minion ${minion} in stack '${stack.name}': the master holds no key for it`, `Keys: ${KEY_KINDS.flatMap((k) => before[k]).join(', ') || 'none'} (sloth-kubernetes salt keys list).`);
      // Pending keys are accepted or rejected; accepted ones can be rejected too (include_accepted).
      await a.api.run(login.token, { client: 'wheel', fun: `key.${input.action}`, match: minion, ...(input.action === 'reject' ? { include_accepted: true } : {}), ...(input.action === 'accept' ? { include_rejected: true } : {}) } as Lowstate);
      const keys = await keyLists(a, login.token);
      audit.event({ type: 'configuration', action: input.action === 'delete' ? 'delete' : 'update', severity: 'warning', resourceId: minion, resourceType: 'salt-key', description: `Salt key of ${minion} ${input.action === 'accept' ? 'accepted' : input.action === 'reject' ? 'rejected' : 'deleted'} on the master of stack '${stack.name}'` });
      return { stack: stack.name, keys, changed: minion };
    }),
  );
}
