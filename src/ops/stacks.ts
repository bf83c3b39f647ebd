// Managing stacks on the state layer: create, list, inspect, read outputs, unlock, delete,
// export, import and state surgery, each on record in the stack's audit log where it changes
// something or lets secrets out. Commands that need no passphrase (cancel, delete) record in
// the log sealed to its public key (unauthenticated), and with the stack's secrets when the
// environment has them.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AuditLog } from '../audit/index.ts';
import type { AuditSession, CommandSummary, EventAction } from '../audit/index.ts';
import { maskedOutputs, REDACTED, shownValue } from '../redact/values.ts';
import { planDelete, planRepair, planUnprotect, rootStackUrn, stackOutputs } from '../state/index.ts';
import type { Deployment, EditPlan, LockHolder, NewStackSecrets, PassphraseSource, StackInspection, StackSummary, StateStore } from '../state/index.ts';
import { OpsError } from './errors.ts';
import { writePrivate } from './files.ts';
import type { OpsContext } from './host.ts';
import { auditSession, openStore, passphraseOf, resolveStackName, withAuditedStack } from './stack.ts';

/** Runs `body` in the command's audit session (`stacks <command>`) and closes it with the outcome. */
async function stacksCommand<T>(ctx: OpsContext, command: string, summary: CommandSummary, body: (s: AuditSession) => Promise<T>): Promise<T> {
  const session = auditSession(ctx, `stacks ${command}`, summary);
  let result: T;
  try {
    result = await body(session);
  } catch (err) {
    await session.close(err);
    throw err;
  }
  await session.close();
  return result;
}

/**
 * Attaches the stack's log with its secrets when they are at hand (a passphrase the use case
 * already has, the environment's, or KMS); otherwise raw. Never asks.
 */
async function attachStack(session: AuditSession, store: StateStore, stack: string, passphrase?: PassphraseSource): Promise<void> {
  session.attach(store.attachments(stack));
  // Without a passphrase of its own, a command opens the stack only to make its first audit key.
  if (!passphrase && (await session.log!.hasKey())) return;
  const source: PassphraseSource = passphrase ?? (async () => store.env.PULUMI_CONFIG_PASSPHRASE);
  try {
    const opened = await store.openStack(stack, { passphrase: source, integrity: 'report' });
    session.attach(opened.attachments);
  } catch {
    // No secrets at hand (or the stack cannot be opened): the raw log still records.
  }
}

async function withStore<T>(ctx: OpsContext, body: (store: StateStore) => Promise<T>): Promise<T> {
  const store = await openStore(ctx);
  try {
    return await body(store);
  } finally {
    store.close();
  }
}

export interface CreatedStack {
  stack: string;
  backend: string;
  encryption: string;
  /** Where the records of an earlier stack of the same name were moved. */
  archived?: string;
  /** The stack existed, left by an interrupted create; that create is finished now. */
  resumed?: true;
}

/** Creates an encrypted stack; the records an earlier stack of that name left are archived first. */
export async function createStack(ctx: OpsContext, input: { stack: string; secrets: NewStackSecrets }): Promise<CreatedStack> {
  const { stack: name, secrets } = input;
  if ('passphrase' in secrets && secrets.passphrase === '') throw new OpsError('invalid', 'the passphrase is empty; choose a real one (nothing was created)');
  return withStore(ctx, (store) =>
    stacksCommand(ctx, 'create', { type: 'state', action: 'create', resourceId: name, resourceType: 'stack', description: `create stack '${name}'` }, async (audit) => {
      const unlock = async () => ('passphrase' in secrets ? secrets.passphrase : undefined);
      let done: { secretsDescription: string; archived?: string; resumed?: true };
      if (await store.stackExists(name)) {
        // Only an interrupted create of this very stack is finished here; anything else exists.
        const repaired = await finishInterruptedCreate(store, name, unlock);
        if (!repaired) {
          const created = await store.createStack(name, secrets); // refused: the stack exists
          return { stack: name, backend: store.url, encryption: created.secretsDescription };
        }
        done = { ...repaired, resumed: true };
      } else {
        // Records a deleted stack of the same name left behind are moved aside first, so no
        // moment exists where the new stack sits on records its key cannot read.
        const archived = await store.attachments(name).archive();
        done = { ...(await store.createStack(name, secrets)), ...(archived ? { archived } : {}) };
      }
      const opened = await store.openStack(name, { passphrase: unlock });
      audit.attach(opened.attachments);
      audit.summary.description = `Stack '${name}' ${done.resumed ? 'existed, left by an interrupted create' : 'created'} (${done.secretsDescription})${done.archived ? `; the records of an earlier stack '${name}' were archived to ${done.archived}` : ''}`;
      audit.summary.metadata = { encryption: done.secretsDescription, backend: store.url, ...(done.resumed ? { resumed: 'true' } : {}) };
      return { stack: name, backend: store.url, encryption: done.secretsDescription, ...(done.archived ? { archived: done.archived } : {}), ...(done.resumed ? { resumed: true as const } : {}) };
    }),
  );
}

/**
 * A stack left by a `stacks create` that stopped between creating it and moving an earlier
 * stack's records aside (as versions before the create-after-archive order did): it has no
 * deployment, and records its key cannot open. Those records are archived now. Anything else
 * (a stack in use, records that open, a passphrase that does not fit) is left alone.
 */
async function finishInterruptedCreate(store: StateStore, name: string, passphrase: () => Promise<string | undefined>): Promise<{ secretsDescription: string; archived: string } | undefined> {
  let stack;
  try {
    stack = await store.openStack(name, { passphrase });
  } catch {
    return undefined;
  }
  if (stack.deployment.resources.length > 0 || (await stack.history(1)).length > 0) return undefined;
  const foreign = (await new AuditLog(stack.attachments).keyOpens()) === false || (await stack.attachments.firstForeignSealed()) !== undefined;
  if (!foreign) return undefined;
  const archived = await stack.attachments.archive();
  return archived ? { secretsDescription: stack.secretsDescription, archived } : undefined;
}

/** The stacks of the backend (a stack that cannot be read is listed with its problem). */
export async function listStacks(ctx: OpsContext): Promise<{ backend: string; stacks: (StackSummary & { problem?: string })[] }> {
  return withStore(ctx, async (store) => ({ backend: store.url, stacks: await store.listStacks() }));
}

/** The names of the backend's stacks (for completion: one listing, nothing read or decrypted). */
export async function stackNames(ctx: OpsContext): Promise<string[]> {
  return withStore(ctx, (store) => store.stackNames());
}

/** Backend, last update, locks and resources of a stack, without decrypting anything. */
export async function inspectStack(ctx: OpsContext, input: { stack: string }): Promise<StackInspection> {
  return withStore(ctx, async (store) => store.inspectStack(await resolveStackName(store, input.stack)));
}

/**
 * The root outputs of a stack. Without showSecrets nothing is decrypted (no passphrase needed)
 * and secrets are the marker; with it, the read is on record.
 */
export async function stackOutputsOf(ctx: OpsContext, input: { stack: string; showSecrets?: boolean }): Promise<{ stack: string; outputs: Record<string, unknown> }> {
  const name = input.stack;
  if (input.showSecrets) {
    // Reading secrets is on record; a stack that breaks the integrity rules is still readable.
    const audit = auditSession(ctx, 'stacks output', { type: 'state', action: 'read', resourceId: name, resourceType: 'stack', description: `outputs of stack '${name}' read with secrets shown` });
    return withAuditedStack(
      ctx,
      audit,
      name,
      async ({ stack }) => {
        audit.summary.description = `Outputs of stack '${stack.name}' read with secrets shown`;
        return { stack: stack.name, outputs: shownValue(stackOutputs(stack.deployment, stack.name), true) as Record<string, unknown> };
      },
      { integrity: 'report' },
    );
  }
  return withStore(ctx, async (store) => {
    const info = await store.inspectStack(await resolveStackName(store, name));
    const root = info.resources.find((r) => r.urn === rootStackUrn(info.name) && r.delete !== true);
    // A credential an older writer left in plaintext is still not given out without showSecrets.
    return { stack: info.name, outputs: maskedOutputs((root?.outputs ?? {}) as Record<string, unknown>) };
  });
}

/**
 * One root output of a stack (`stacks output <stack> <key>`). A secret is given only with
 * showSecrets (and then the read is on record); a value that merely holds a secret shows the
 * marker in its place.
 */
export async function stackOutputOf(ctx: OpsContext, input: { stack: string; key: string; showSecrets?: boolean }): Promise<{ stack: string; key: string; value: unknown }> {
  const { stack, outputs } = await stackOutputsOf(ctx, input);
  if (!Object.hasOwn(outputs, input.key)) {
    const keys = Object.keys(outputs).sort();
    throw new OpsError('invalid', `stack '${stack}' has no output '${input.key}'`, keys.length > 0 ? `Its outputs: ${keys.join(', ')}` : `It has no outputs yet: deploy it first (sloth-kubernetes deploy ${stack} --config FILE).`);
  }
  const value = outputs[input.key];
  if (value === REDACTED && !input.showSecrets) {
    throw new OpsError('refused', `output '${input.key}' of stack '${stack}' is a secret`, `Add --show-secrets to print it (the read is recorded in the stack's audit log).`);
  }
  return { stack, key: input.key, value };
}

/** Removes the locks of a stack left locked by an interrupted operation. */
export async function cancelStack(ctx: OpsContext, input: { stack: string }): Promise<{ stack: string; removed: LockHolder[] }> {
  return withStore(ctx, async (store) => {
    const stack = await resolveStackName(store, input.stack);
    return stacksCommand(ctx, 'cancel', { type: 'state', action: 'unlock', resourceId: stack, resourceType: 'stack', description: `unlock stack '${stack}'` }, async (audit) => {
      await attachStack(audit, store, stack);
      const removed = await store.cancel(stack);
      audit.summary.description = removed.length === 0 ? `Stack '${stack}' was not locked` : `Removed ${removed.length} lock(s) of stack '${stack}'`;
      audit.summary.oldValue = removed.map((h) => ({ holder: `${h.username || '?'}@${h.hostname || '?'}`, pid: h.pid, since: h.timestamp, stale: Boolean(h.stale) }));
      return { stack, removed };
    });
  });
}

/** Deletes a stack and its state, after a yes; its cloud resources are not destroyed. */
export async function deleteStack(ctx: OpsContext, input: { stack: string; force?: boolean }): Promise<{ stack: string; backend: string; untracked: number }> {
  return withStore(ctx, async (store) => {
    const stack = await resolveStackName(store, input.stack);
    if (!(await ctx.host.confirm({ kind: 'stack-delete', stack, question: `Delete the state of stack '${stack}'? Cloud resources are not destroyed.` }))) {
      throw new OpsError('declined', 'cancelled; nothing was deleted');
    }
    return stacksCommand(ctx, 'delete', { type: 'state', action: 'delete', resourceId: stack, resourceType: 'stack', description: `delete stack '${stack}'` }, async (audit) => {
      // The log outlives the stack: its records stay in the backend (archived if the name is reused).
      await attachStack(audit, store, stack);
      const { resources } = await store.deleteStack(stack, { force: input.force });
      audit.summary.description = `Stack '${stack}' deleted${resources > 0 ? ` with --force: ${resources} cloud resource(s) no longer tracked` : ''}`;
      audit.summary.metadata = { force: String(Boolean(input.force)), untrackedResources: String(resources) };
      if (resources > 0) audit.summary.severity = 'warning';
      return { stack, backend: store.url, untracked: resources };
    });
  });
}

/** The stack's deployment in Pulumi's export format; written to `output` (0600) when given. With secrets, on record. */
export async function exportStack(ctx: OpsContext, input: { stack: string; showSecrets?: boolean; output?: string }): Promise<{ stack: string; text: string; path?: string }> {
  return withStore(ctx, async (store) => {
    const stack = await resolveStackName(store, input.stack);
    const passphrase = passphraseOf(ctx, store);
    const path = input.output === undefined ? undefined : resolve(ctx.cwd, input.output);
    const write = async () => {
      const text = await store.exportStack(stack, { showSecrets: input.showSecrets, passphrase });
      if (path) await writePrivate(path, text);
      return { stack, text, ...(path ? { path } : {}) };
    };
    if (!input.showSecrets) return write();
    // Secrets leave the stack in plaintext: that is on record.
    return stacksCommand(ctx, 'export', { type: 'state', action: 'export', severity: 'warning', resourceId: stack, resourceType: 'stack', description: `export of stack '${stack}' with secrets in plaintext` }, async (audit) => {
      audit.attach(store.attachments(stack));
      const out = await write();
      await attachStack(audit, store, stack, passphrase);
      audit.summary.description = `Stack '${stack}' exported with secrets in plaintext to ${path ?? 'standard output'}`;
      return out;
    });
  });
}

/** Replaces the deployment of a stack with an exported one (or a checkpoint copy); warnings are events. */
export async function importStack(ctx: OpsContext, input: { stack: string; file: string; force?: boolean }): Promise<{ stack: string; resources: number }> {
  const name = input.stack;
  const path = resolve(ctx.cwd, input.file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new OpsError('invalid', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return withStore(ctx, async (store) => {
    const passphrase = passphraseOf(ctx, store);
    const exists = await store.stackExists(name).catch(() => false);
    return stacksCommand(ctx, 'import', { type: 'state', action: 'import', resourceId: name, resourceType: 'stack', description: `import into stack '${name}' from ${path}` }, async (audit) => {
      if (exists) audit.attach(store.attachments(name));
      const r = await store.importStack(name, text, { force: input.force, passphrase, source: path });
      await attachStack(audit, store, name, passphrase);
      audit.summary.description = `Imported ${r.resources} resource(s) into stack '${name}' from ${path}${input.force ? ' (--force)' : ''}`;
      audit.summary.metadata = { file: path, force: String(Boolean(input.force)), warnings: String(r.warnings.length) };
      for (const w of r.warnings) ctx.host.notify({ type: 'warning', message: w });
      return { stack: name, resources: r.resources };
    });
  });
}

/** A resource as the state lists it. */
export interface StateRow {
  urn: string;
  type: string;
  id: string;
  flags: string[];
  parent: string | null;
}

/** The resources in the state of a stack (no decryption). */
export async function stateResources(ctx: OpsContext, input: { stack: string }): Promise<{ stack: string; resources: StateRow[] }> {
  const info = await inspectStack(ctx, input);
  const resources = info.resources.map((r) => {
    const flags = ['protect', 'delete', 'pendingReplacement', 'external', 'retainOnDelete'].filter((f) => r[f] === true);
    return { urn: String(r.urn), type: String(r.type), id: typeof r.id === 'string' ? r.id : '', flags, parent: typeof r.parent === 'string' ? r.parent : null };
  });
  return { stack: info.name, resources };
}

/** A state repair: one resource removed, protection cleared, or the integrity rules restored. */
export type StateEdit = { kind: 'delete'; urn: string; force?: boolean } | { kind: 'unprotect'; urn?: string } | { kind: 'repair' };

function stateEdit(e: StateEdit): { message: string; plan: (d: Deployment) => EditPlan; action: EventAction } {
  switch (e.kind) {
    case 'delete':
      return { message: `state delete ${e.urn}`, plan: (d) => planDelete(d, e.urn, Boolean(e.force)), action: 'delete' };
    case 'unprotect':
      return { message: e.urn ? `state unprotect ${e.urn}` : 'state unprotect --all', plan: (d) => planUnprotect(d, e.urn), action: 'update' };
    case 'repair':
      return { message: 'state repair', plan: (d) => planRepair(d), action: 'update' };
  }
}

/** State surgery under the stack's lock, kept in its history and audit log; `dryRun` changes nothing and is not on record. */
export async function editState(ctx: OpsContext, input: { stack: string; edit: StateEdit; dryRun?: boolean }): Promise<EditPlan> {
  const { message, plan, action } = stateEdit(input.edit);
  return withStore(ctx, async (store) => {
    const stack = await resolveStackName(store, input.stack);
    const passphrase = passphraseOf(ctx, store);
    // A dry run changes nothing and reads no secret it shows: not on record.
    if (input.dryRun) return store.editStack(stack, { passphrase, dryRun: true, message }, plan);
    return stacksCommand(ctx, `state ${message.split(' ')[1] ?? 'edit'}`, { type: 'state', action, resourceId: stack, resourceType: 'stack', description: `${message} on stack '${stack}'` }, async (audit) => {
      audit.attach(store.attachments(stack));
      const result = await store.editStack(stack, { passphrase, message }, plan);
      await attachStack(audit, store, stack, passphrase);
      audit.summary.description = `${message} on stack '${stack}': ${result.changes.length === 0 ? 'nothing changed' : result.changes.join('; ')}`;
      audit.summary.newValue = { changes: result.changes, unfixable: result.unfixable };
      return result;
    });
  });
}
