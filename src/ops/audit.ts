// The audit log's use cases: read (with a filter), export, import, prune and verify a stack's
// log. Everything but reading is itself on record. The rules (what an import keeps, when a
// prune is allowed and how it is anchored) are the audit layer's.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AuditLog, exportDocument, filterEvents, importable, parseExport, pruneLog, storedAnchor } from '../audit/index.ts';
import type { AuditFilter, ListedEvent, VerifyReport } from '../audit/index.ts';
import type { OpenedStack } from '../state/index.ts';
import { OpsError } from './errors.ts';
import { writePrivate } from './files.ts';
import type { OpsContext } from './host.ts';
import { auditSession, withAuditedStack, withStack } from './stack.ts';

/** Every event of the log, each marked with whether its batch was authenticated; unreadable batches are warnings. */
async function readEvents(ctx: OpsContext, stack: OpenedStack): Promise<ListedEvent[]> {
  const log = new AuditLog(stack.attachments);
  if (!(await log.hasKey())) return [];
  const { batches, unreadable } = await log.read();
  for (const u of unreadable) ctx.host.notify({ type: 'warning', message: `audit batch ${u.seq} ${u.why}; check the log with: sloth-kubernetes audit verify ${stack.name}` });
  return batches.flatMap((b) => b.events.map((e) => ({ ...e, authenticated: b.authenticated })));
}

/** The events of the log (all of them: `total`) and those the filter keeps. */
export async function readAudit(ctx: OpsContext, input: { stack?: string; filter?: AuditFilter }): Promise<{ stack: string; events: ListedEvent[]; total: number }> {
  return withStack(ctx, input.stack, async ({ stack }) => {
    const all = await readEvents(ctx, stack);
    return { stack: stack.name, events: input.filter ? filterEvents(all, input.filter) : all, total: all.length };
  });
}

/** The export document of the filtered events; written to `output` (0600) when given. */
export async function exportAudit(ctx: OpsContext, input: { stack?: string; filter: AuditFilter; output?: string }): Promise<{ stack: string; text: string; count: number; path?: string }> {
  const audit = auditSession(ctx, 'audit export', { type: 'state', action: 'export', resourceId: input.stack ?? '', resourceType: 'audit-log', description: 'audit log exported' });
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const log = new AuditLog(stack.attachments);
    const events = filterEvents(await readEvents(ctx, stack), input.filter);
    const head = (await log.hasKey()) ? await log.head() : undefined;
    const text = exportDocument(stack.name, head, events);
    const path = input.output === undefined ? undefined : resolve(ctx.cwd, input.output);
    if (path) await writePrivate(path, text);
    audit.summary.description = `${events.length} audit event(s) of stack '${stack.name}' exported to ${path ?? 'standard output'}`;
    return { stack: stack.name, text, count: events.length, ...(path ? { path } : {}) };
  });
}

export interface ImportedAudit {
  stack: string;
  /** The file, as read. */
  path: string;
  imported: number;
  /** Already in the log. */
  present: number;
  /** Repeated in the file. */
  repeated: number;
}

/** Adds the events of an export to the log, each id once. The file is checked before the stack is opened. */
export async function importAudit(ctx: OpsContext, input: { stack: string; file: string }): Promise<ImportedAudit> {
  const path = resolve(ctx.cwd, input.file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new OpsError('invalid', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const checked = parseExport(text, path);
  const audit = auditSession(ctx, 'audit import', { type: 'state', action: 'import', resourceId: input.stack, resourceType: 'audit-log', description: `audit events imported from ${path}` });
  const { events: incoming, repeated } = importable(checked, path, audit.actor);
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const have = new Set((await readEvents(ctx, stack)).map((e) => e.id));
    const fresh = incoming.filter((e) => !have.has(e.id));
    const present = incoming.length - fresh.length;
    if (fresh.length > 0) await new AuditLog(stack.attachments).append(fresh);
    audit.summary.description = `${fresh.length} audit event(s) imported into stack '${stack.name}' from ${path} (${present} already present${repeated ? `, ${repeated} repeated in the file` : ''})`;
    audit.summary.metadata = { file: path, imported: String(fresh.length), skipped: String(present), repeated: String(repeated) };
    return { stack: stack.name, path, imported: fresh.length, present, repeated };
  });
}

/** What a prune removed; `noLog` when the stack has no audit log yet. */
export type PrunedAudit = { stack: string; noLog: true } | { stack: string; noLog?: false; batches: number; events: number };

/** Deletes the batches recorded entirely before `before`, after a yes. */
export async function pruneAudit(ctx: OpsContext, input: { stack: string; before: Date }): Promise<PrunedAudit> {
  const before = input.before.toISOString();
  const audit = auditSession(ctx, 'audit prune', { type: 'state', action: 'prune', severity: 'warning', resourceId: input.stack, resourceType: 'audit-log', description: `audit events before ${before} pruned` });
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    if (!(await ctx.host.confirm({ kind: 'audit-prune', stack: stack.name, before: input.before, question: `Delete the audit events of stack '${stack.name}' recorded before ${before}?` }))) {
      throw new OpsError('declined', 'prune cancelled; nothing was deleted');
    }
    const r = await pruneLog(stack, audit, input.before);
    if (!r) return { stack: stack.name, noLog: true };
    audit.summary.description = r.events === 0 ? `No audit events of stack '${stack.name}' before ${before}; nothing pruned` : `Pruned ${r.events} audit event(s) of stack '${stack.name}' recorded before ${before}`;
    return { stack: stack.name, ...r };
  });
}

/**
 * The verification of the log against the checkpoint's anchor. `removed`: the anchor says a
 * log existed and its key is gone; `noLog`: there is none yet (its key is made now, with the
 * stack's secrets, so later commands can record without them). A failed verification is on
 * record as a failure of the command.
 */
export type VerifiedAudit = { stack: string; report: VerifyReport; removed?: boolean; noLog?: boolean };

export async function verifyAudit(ctx: OpsContext, input: { stack?: string }): Promise<VerifiedAudit> {
  const audit = auditSession(ctx, 'audit verify', { type: 'state', action: 'validate', resourceId: input.stack ?? '', resourceType: 'audit-log', description: 'audit log verified' });
  return withAuditedStack(ctx, audit, input.stack, async ({ stack }) => {
    const log = new AuditLog(stack.attachments);
    const anchor = storedAnchor(stack.deployment, stack.name);
    const failed = (report: VerifyReport) => {
      audit.summary.severity = 'critical';
      audit.fail(new OpsError('unverified', `the audit log failed verification (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`));
    };
    if (!(await log.hasKey())) {
      if (anchor) {
        // The checkpoint says a log existed: its key (and with it every batch) was removed.
        const problem = `the stack's checkpoint anchors audit batch ${anchor.seq} under key ${anchor.key}, but the audit key (audit/key.json) is gone: the log was removed`;
        const report: VerifyReport = { ok: false, batches: 0, events: 0, unauthenticated: [], problems: [problem], notes: [] };
        failed(report);
        return { stack: stack.name, report, removed: true };
      }
      await log.publicKey();
      return { stack: stack.name, report: { ok: true, batches: 0, events: 0, unauthenticated: [], problems: [], notes: [] }, noLog: true };
    }
    const report = await log.verify(anchor);
    audit.summary.description = report.ok ? `Audit log of stack '${stack.name}' verified: ${report.batches} batches, ${report.events} events` : `Audit log of stack '${stack.name}' FAILED verification: ${report.problems.join('; ')}`;
    audit.summary.newValue = { ok: report.ok, batches: report.batches, events: report.events, problems: report.problems };
    if (!report.ok) failed(report);
    return { stack: stack.name, report };
  });
}
