// Opening the stack a use case works on: which backend (PULUMI_BACKEND_URL, then
// ~/.sloth-kubernetes/config, then file://~), which stack (the one named, or the backend's only
// one), how it is unlocked (the caller's passphrase source), and, for audited use cases, the
// audit log attached before the passphrase is asked (so a failed unlock is on record too).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AuditSession } from '../audit/index.ts';
import type { CommandSummary } from '../audit/index.ts';
import { openStateStore, StackNotFoundError } from '../state/index.ts';
import type { OpenedStack, OpenOptions, PassphraseSource, StateStore } from '../state/index.ts';
import { OpsError } from './errors.ts';
import type { OpsContext } from './host.ts';

export type Integrity = Pick<OpenOptions, 'integrity' | 'readOnly'>;

/** The state store for the context's backend. Close it when done. */
export function openStore(ctx: Pick<OpsContext, 'env' | 'homedir' | 'cwd'>, backendUrl?: string): Promise<StateStore> {
  return openStateStore({ env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd, backendUrl });
}

/**
 * The passphrase the environment gives (the store's: the settings file filled in under the
 * caller's environment): PULUMI_CONFIG_PASSPHRASE (even if empty), else the file named by
 * PULUMI_CONFIG_PASSPHRASE_FILE. Undefined when neither is set.
 */
export async function environmentPassphrase(store: StateStore, cwd: string): Promise<string | undefined> {
  const env = store.env;
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return env.PULUMI_CONFIG_PASSPHRASE;
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (!file) return undefined;
  const path = resolve(cwd, file);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    throw new OpsError('invalid', `cannot read PULUMI_CONFIG_PASSPHRASE_FILE ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The context's passphrase source for a stack of `store`. */
export function passphraseOf(ctx: OpsContext, store: StateStore): PassphraseSource {
  return ctx.passphrase?.(store) ?? (() => environmentPassphrase(store, ctx.cwd));
}

/**
 * The stack a use case works on: the name given, or, when none was given, the only stack of
 * the backend. No stack at all is its own reason (`no-stack`); a stack that lost only its
 * checkpoint is named, with the history checkpoint that restores it.
 */
export async function resolveStackName(store: StateStore, name: string | undefined): Promise<string> {
  const none = async (): Promise<OpsError> => {
    const lost = await store.lostStacks(name);
    if (lost.length === 0) return new OpsError('no-stack', 'No stack found.', 'Create an encrypted stack first: sloth-kubernetes stacks create <name> --password-stdin');
    const which = lost.map((l) => `'${l.stack}'`).join(', ');
    return new OpsError(
      'no-stack',
      `No stack found. The checkpoint of stack ${which} is missing, but its history holds copies of it.`,
      lost.map((l) => l.hint).join('\n'),
    );
  };
  if (name) {
    if (!(await store.stackExists(name))) {
      if ((await store.listStacks()).length === 0 || (await store.lostStacks(name)).length > 0) throw await none();
      throw new StackNotFoundError(name, store.url);
    }
    return name;
  }
  const stacks = await store.listStacks();
  if (stacks.length === 0) throw await none();
  if (stacks.length === 1) return stacks[0]!.name;
  throw new OpsError('invalid', `this backend has ${stacks.length} stacks; name the one to use`, `Stacks: ${stacks.map((s) => s.name).join(', ')}`);
}

export interface Opened {
  store: StateStore;
  stack: OpenedStack;
}

/** Opens a stack: backend, name, passphrase and decryption. Close `store` when done. */
export async function openStack(ctx: OpsContext, name: string | undefined, options: Integrity = {}): Promise<Opened> {
  const store = await openStore(ctx);
  try {
    const resolved = await resolveStackName(store, name);
    const stack = await store.openStack(resolved, { passphrase: passphraseOf(ctx, store), integrity: options.integrity, readOnly: options.readOnly });
    return { store, stack };
  } catch (err) {
    store.close();
    throw err;
  }
}

/** Runs `body` on an opened stack and closes the store. */
export async function withStack<T>(ctx: OpsContext, name: string | undefined, body: (opened: Opened) => Promise<T>, options: Integrity = {}): Promise<T> {
  const opened = await openStack(ctx, name, options);
  try {
    return await body(opened);
  } finally {
    opened.store.close();
  }
}

/**
 * An audit session for a use case: the context's actor, the environment's credentials never
 * shown, and a warning event when the log cannot be written after a failure.
 */
export function auditSession(ctx: OpsContext, command: string, summary: CommandSummary): AuditSession {
  return new AuditSession(command, summary, {
    actor: ctx.actor,
    secrets: [ctx.env.PULUMI_CONFIG_PASSPHRASE, ctx.env.AWS_SECRET_ACCESS_KEY, ctx.env.AWS_SESSION_TOKEN],
    warn: (message) => ctx.host.notify({ type: 'warning', message }),
  });
}

/**
 * Runs `body` on a stack opened for an audited use case: the log is attached before the
 * passphrase is asked (a failed unlock is on record), and the session closes — with the
 * outcome — before the store does.
 */
export async function withAuditedStack<T>(ctx: OpsContext, session: AuditSession, name: string | undefined, body: (opened: Opened) => Promise<T>, options: Integrity = {}): Promise<T> {
  const store = await openStore(ctx);
  let stack: OpenedStack;
  try {
    const resolved = await resolveStackName(store, name);
    session.summary.resourceId = resolved;
    session.attach(store.attachments(resolved));
    stack = await store.openStack(resolved, { passphrase: passphraseOf(ctx, store), integrity: options.integrity });
    session.attach(stack.attachments);
  } catch (err) {
    await session.close(err);
    store.close();
    throw err;
  }
  try {
    const r = await body({ store, stack });
    await session.close();
    return r;
  } catch (err) {
    await session.close(err);
    throw err;
  } finally {
    store.close();
  }
}
