// Audit plumbing for the `stacks …` commands: a session per command, attached to the stack's
// log raw at first (cancel and delete need no passphrase: their events are sealed to the
// public audit key, unauthenticated), and with the stack's secrets when the command has them.
import type { AuditSession, CommandSummary } from '../../audit/index.ts';
import { auditSession } from '../../ops/stack.ts';
import type { PassphraseSource, StateStore } from '../../state/index.ts';
import { cliContext } from '../host.ts';
import type { CliIO } from '../io.ts';

/** Runs `fn` in the command's audit session and closes it with the outcome. */
export async function stacksCommand<T>(io: CliIO, command: string, summary: CommandSummary, fn: (s: AuditSession) => Promise<T>): Promise<T> {
  const session = auditSession(cliContext(io, {}), `stacks ${command}`, summary);
  let result: T;
  try {
    result = await fn(session);
  } catch (err) {
    await session.close(err);
    throw err;
  }
  await session.close();
  return result;
}

/**
 * Attaches the stack's log with its secrets when they are at hand (a passphrase the command
 * already read, the environment's, or KMS); otherwise raw. Never prompts.
 */
export async function attachStack(session: AuditSession, store: StateStore, stack: string, passphrase?: PassphraseSource): Promise<void> {
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
