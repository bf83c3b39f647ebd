// The audit log's anchor in the stack's checkpoint (root output `auditIndex`): the chain's head
// and key fingerprint, and the point the last `audit prune` removed batches through. Written
// only by commands that hold the stack's secrets, under its lock, so a tamperer with backend
// access alone can neither rewind the head nor move the prune point.
import { anchorOf } from './log.ts';
import type { AuditAnchor, AuditLog, PrunePoint } from './log.ts';
import { reveal, setStackOutputs, stackOutputs } from '../state/index.ts';
import type { Deployment, JournalRecord } from '../state/index.ts';

/** The anchor the checkpoint holds, if any. */
export function storedAnchor(deployment: Deployment, stack: string): AuditAnchor | undefined {
  return anchorOf(reveal(stackOutputs(deployment, stack).auditIndex));
}

/**
 * The record that anchors the log's current head in `deployment`, keeping the prune point
 * already anchored unless `pruned` moves it. Undefined for an empty log.
 */
export async function anchorRecord(log: AuditLog, deployment: Deployment, stack: string, pruned?: PrunePoint): Promise<JournalRecord | undefined> {
  const head = await log.anchor();
  if (!head) return undefined;
  const keep = pruned ?? storedAnchor(deployment, stack)?.pruned;
  return setStackOutputs(deployment, stack, { auditIndex: { seq: head.seq, hash: head.hash, key: head.key, ...(keep ? { pruned: { through: keep.through, hash: keep.hash } } : {}) } });
}
