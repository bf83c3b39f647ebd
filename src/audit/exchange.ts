// Audit events leaving and entering a stack's log: the export document, and the rules an
// import follows so that an export brought back can never weaken the log it joins.
import { PRUNE_META, IMPORTED_META, AuditError } from './log.ts';
import type { BatchRef } from './log.ts';
import { isEventAction, isEventType } from './types.ts';
import type { AuditEvent } from './types.ts';

export const EXPORT_FORMAT = 'sloth-kubernetes-audit';

/**
 * An event as listed and exported: whether its batch was appended with the stack's secrets.
 * One that was not (`stacks cancel`/`delete` without a passphrase — or anyone with write access
 * to the backend) is sealed to the log's public key but could have been written by anyone.
 */
export type ListedEvent = AuditEvent & { authenticated: boolean };

/** The export document of `events` (the log's head at export time, for the record). */
export function exportDocument(stack: string, head: BatchRef | undefined, events: readonly ListedEvent[], now = new Date()): string {
  return `${JSON.stringify({ format: EXPORT_FORMAT, version: 1, stack, exportedAt: now.toISOString(), head: head ?? null, events }, null, 2)}\n`;
}

type Incoming = AuditEvent & { authenticated?: unknown };

function checkEvent(e: unknown, i: number, file: string): Incoming {
  const o = e as Partial<AuditEvent> | null;
  const ok =
    o &&
    typeof o === 'object' &&
    typeof o.id === 'string' &&
    typeof o.timestamp === 'string' &&
    !Number.isNaN(Date.parse(o.timestamp)) &&
    typeof o.type === 'string' &&
    isEventType(o.type) &&
    typeof o.action === 'string' &&
    isEventAction(o.action) &&
    typeof o.actor === 'string' &&
    typeof o.description === 'string' &&
    typeof o.correlationId === 'string' &&
    typeof o.success === 'boolean';
  if (!ok) throw new AuditError(`${file}: event ${i + 1} is not an audit event (needs id, timestamp, type, action, actor, description, correlationId, success)`);
  return { severity: 'info', resourceId: '', resourceType: '', metadata: {}, durationMs: 0, ...o } as AuditEvent;
}

/** The events of an export document (`file` names it in errors); every event checked. */
export function parseExport(text: string, file: string): Incoming[] {
  let doc: { format?: unknown; events?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (err) {
    throw new AuditError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (doc.format !== EXPORT_FORMAT || !Array.isArray(doc.events)) {
    throw new AuditError(`${file} is not an audit export (format '${EXPORT_FORMAT}' with an events list)`, 'Make one with: sloth-kubernetes audit export <stack> --output FILE');
  }
  return doc.events.map((e, i) => checkEvent(e, i, file));
}

/**
 * The events of an export as this log keeps them: each id once (a file holding one id twice
 * with different contents is refused, as it would break verification for good), marked as
 * imported, with the facts only a local, authenticated batch may state taken out: a prune
 * point (it would let verify skip batches) and the source's authentication (this batch's own
 * counts now; the source's is kept as `importedUnauthenticated`).
 */
export function importable(events: readonly Incoming[], file: string, actor: string): { events: AuditEvent[]; repeated: number } {
  const byId = new Map<string, string>();
  const out: AuditEvent[] = [];
  let repeated = 0;
  for (const [i, raw] of events.entries()) {
    const { authenticated, ...e } = raw;
    const metadata: Record<string, string> = { ...e.metadata };
    delete metadata[PRUNE_META.through];
    delete metadata[PRUNE_META.hash];
    metadata[IMPORTED_META] = file;
    metadata.importedBy = actor;
    if (authenticated === false) metadata.importedUnauthenticated = 'true';
    const text = JSON.stringify(raw);
    const seen = byId.get(e.id);
    if (seen !== undefined) {
      if (seen !== text) {
        throw new AuditError(
          `${file}: event ${i + 1} has the id ${e.id} of an earlier event in the file, with other contents; nothing was imported`,
          'An export never holds two events with one id: check where the file came from, and remove or fix the duplicate.',
        );
      }
      repeated++;
      continue;
    }
    byId.set(e.id, text);
    out.push({ ...e, metadata });
  }
  return { events: out, repeated };
}
