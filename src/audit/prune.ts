// Pruning a stack's audit log, by the rules that keep it verifiable: a log that fails
// verification is never pruned (that would remove the evidence of what went wrong); the prune
// point goes into the checkpoint's anchor, under the stack's lock, before any batch is deleted,
// so only a command holding the stack's secrets can move it; the prune itself is an event.
import { rootStackResource } from '../state/index.ts';
import type { OpenedStack } from '../state/index.ts';
import { anchorRecord, storedAnchor } from './anchor.ts';
import { AuditError, AuditLog, PRUNE_META } from './log.ts';
import type { AuditSession } from './session.ts';

/** Prunes the batches recorded entirely before `before`; undefined when the stack has no log yet. */
export async function pruneLog(stack: OpenedStack, session: AuditSession, before: Date): Promise<{ batches: number; events: number } | undefined> {
  const log = new AuditLog(stack.attachments);
  if (!(await log.hasKey())) return undefined;
  const check = await log.verify(storedAnchor(stack.deployment, stack.name));
  if (!check.ok) {
    throw new AuditError(
      `refusing to prune: the audit log of stack '${stack.name}' fails verification (${check.problems.join('; ')}); nothing was deleted`,
      `See the report: sloth-kubernetes audit verify ${stack.name}. Keep an export of the log before repairing anything.`,
    );
  }
  const update = rootStackResource(stack.deployment, stack.name) ? await stack.beginUpdate('state-edit', `audit prune --before ${before.toISOString()}`) : undefined;
  let finished = false;
  try {
    return await log.prune(before, async (through, hash, batches, events) => {
      session.event({
        type: 'state',
        action: 'prune',
        severity: 'warning',
        resourceId: stack.name,
        resourceType: 'audit-log',
        description: `Pruned ${events} audit event(s) in ${batches} batch(es) recorded before ${before.toISOString()}`,
        metadata: { [PRUNE_META.through]: String(through), [PRUNE_META.hash]: hash, before: before.toISOString(), batches: String(batches), events: String(events) },
      });
      await session.flush();
      if (!update) return;
      const record = await anchorRecord(log, update.deployment, stack.name, { through, hash });
      if (record) await update.record([record]);
      await update.finish({ result: 'succeeded', resourceChanges: {} });
      finished = true;
    });
  } finally {
    if (update && !finished) await update.abandon();
  }
}
