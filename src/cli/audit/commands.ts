// audit <stack> [filters], audit summary|export|import|prune|verify: reading and keeping the
// stack's audit log.
import { open, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AuditLog, EVENT_ACTIONS, EVENT_TYPES, filterEvents, IMPORTED_META, isEventAction, isEventType, PRUNE_META, summarize } from '../../audit/index.ts';
import type { AuditEvent, AuditFilter, EventAction, EventType } from '../../audit/index.ts';
import { rootStackResource } from '../../state/index.ts';
import type { OpenedStack } from '../../state/index.ts';
import { CliError } from '../errors.ts';
import { interactive } from '../io.ts';
import type { CliIO } from '../io.ts';
import { confirm } from '../prompt.ts';
import { openStackForCommand } from '../stack-context.ts';
import { json, localTime, table } from '../stacks/render.ts';
import { AuditSession } from './session.ts';
import { withAuditedStack } from './engine.ts';
import { anchorRecord, storedAnchor } from './anchor.ts';

interface Flags {
  json?: boolean;
  passwordStdin?: boolean;
}

export interface ListFlags extends Flags {
  type?: string[];
  action?: string[];
  actor?: string;
  resource?: string;
  correlation?: string;
  since?: string;
  until?: string;
  failed?: boolean;
  limit?: number;
}

/** An ISO date or time, or a duration back from now (`30d`, `12h`, `45m`). */
export function parseWhen(value: string, flag: string, now = Date.now()): Date {
  const rel = /^(\d+)\s*([dhm])$/.exec(value.trim());
  if (rel) return new Date(now - Number(rel[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm']);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new CliError(`${flag} '${value}' is not a date`, { hint: 'Give an ISO date or time (2026-01-05, 2026-01-05T11:42:00Z) or a duration back from now (30d, 12h, 45m).' });
  return new Date(t);
}

function filterOf(f: ListFlags): AuditFilter {
  for (const t of f.type ?? []) if (!isEventType(t)) throw new CliError(`unknown event type '${t}'`, { hint: `Types: ${EVENT_TYPES.join(', ')}.` });
  for (const a of f.action ?? []) if (!isEventAction(a)) throw new CliError(`unknown action '${a}'`, { hint: `Actions: ${EVENT_ACTIONS.join(', ')}.` });
  if (f.limit !== undefined && (!Number.isInteger(f.limit) || f.limit < 1)) throw new CliError(`--limit must be a whole number of at least 1, not ${f.limit}`);
  return {
    types: f.type as EventType[] | undefined,
    actions: f.action as EventAction[] | undefined,
    actor: f.actor,
    resource: f.resource,
    correlationId: f.correlation,
    since: f.since ? parseWhen(f.since, '--since') : undefined,
    until: f.until ? parseWhen(f.until, '--until') : undefined,
    failed: f.failed,
    limit: f.limit,
  };
}

/**
 * An event as listed and exported: whether its batch was appended with the stack's secrets.
 * One that was not (`stacks cancel`/`delete` without a passphrase — or anyone with write access
 * to the backend) is sealed to the log's public key but could have been written by anyone.
 */
export type ListedEvent = AuditEvent & { authenticated: boolean };

async function readEvents(io: CliIO, stack: OpenedStack): Promise<ListedEvent[]> {
  const log = new AuditLog(stack.attachments);
  if (!(await log.hasKey())) return [];
  const { batches, unreadable } = await log.read();
  for (const u of unreadable) io.stderr.write(`warning: audit batch ${u.seq} ${u.why}; check the log with: ${io.programName} audit verify ${stack.name}\n`);
  return batches.flatMap((b) => b.events.map((e) => ({ ...e, authenticated: b.authenticated })));
}

/**
 * The error of a failed event, whole: its first line goes after the description (unless the
 * description holds it already), the others below the row.
 */
function reason(e: AuditEvent): { first?: string; more: string[] } {
  if (e.success || !e.errorMessage) return { more: [] };
  const [first, ...more] = e.errorMessage.trimEnd().split('\n');
  return { first: e.description.includes(first!) ? undefined : first, more };
}

const UNAUTHENTICATED_MARK = '[unauthenticated]';
const unauthenticatedNote = (n: number): string =>
  `${UNAUTHENTICATED_MARK}: ${n} event(s) appended without the stack's secrets (stacks cancel/delete without a passphrase, or anyone with write access to the backend)\n`;

async function withEvents<T>(io: CliIO, name: string | undefined, flags: Flags, body: (events: ListedEvent[], stack: OpenedStack) => Promise<T>): Promise<T> {
  const { store, stack } = await openStackForCommand(io, name, { passwordStdin: flags.passwordStdin });
  try {
    return await body(await readEvents(io, stack), stack);
  } finally {
    store.close();
  }
}

export async function listEvents(io: CliIO, name: string | undefined, flags: ListFlags): Promise<void> {
  const filter = filterOf(flags);
  await withEvents(io, name, flags, async (events, stack) => {
    const shown = filterEvents(events, filter);
    if (flags.json) {
      io.stdout.write(json(shown));
      return;
    }
    if (shown.length === 0) {
      io.stdout.write(`No audit events${events.length > 0 ? ' match' : ` recorded for stack '${stack.name}' yet`}.\n`);
      return;
    }
    const rows = table([
      ['TIME', 'TYPE', 'ACTION', 'ACTOR', 'RESOURCE', 'RESULT', 'DURATION', 'DESCRIPTION'],
      ...shown.map((e) => [
        localTime(new Date(e.timestamp)),
        e.type,
        e.action,
        e.actor,
        e.resourceId || '-',
        e.success ? 'ok' : 'FAILED',
        e.durationMs > 0 ? `${(e.durationMs / 1000).toFixed(1)}s` : '-',
        `${e.authenticated ? '' : `${UNAUTHENTICATED_MARK} `}${e.description}${reason(e).first ? ` — ${reason(e).first}` : ''}`,
      ]),
    ]).split('\n');
    // A reason of several lines (pre-flight problems, a script's last log lines) follows its row whole.
    io.stdout.write(rows.flatMap((row, i) => [row, ...(i > 0 && shown[i - 1] ? reason(shown[i - 1]!).more.map((l) => `    ${l}`) : [])]).join('\n'));
    const unauthenticated = shown.filter((e) => !e.authenticated).length;
    if (unauthenticated > 0) io.stdout.write(`\n${unauthenticatedNote(unauthenticated)}`);
  });
}

export async function auditSummary(io: CliIO, name: string | undefined, flags: ListFlags): Promise<void> {
  const filter = filterOf({ ...flags, limit: undefined });
  await withEvents(io, name, flags, async (events, stack) => {
    const s = summarize(filterEvents(events, filter));
    if (flags.json) {
      io.stdout.write(json(s));
      return;
    }
    const counts = (m: Record<string, number | undefined>) => Object.entries(m).map(([k, n]) => `${k} ${n}`).join(', ') || '-';
    io.stdout.write(
      [
        `Audit summary of stack '${stack.name}'`,
        `Events: ${s.totalEvents}; operations: ${s.successCount} succeeded, ${s.failureCount} failed`,
        `First: ${s.firstEvent ? localTime(new Date(s.firstEvent)) : '-'}; last: ${s.lastEvent ? localTime(new Date(s.lastEvent)) : '-'}`,
        `By type: ${counts(s.eventsByType)}`,
        `By action: ${counts(s.eventsByAction)}`,
        `By severity: ${counts(s.eventsBySeverity)}`,
        `Average duration: ${(s.averageDurationMs / 1000).toFixed(1)}s`,
        `Top actors: ${s.topActors.map((a) => `${a.name} (${a.count})`).join(', ') || '-'}`,
        `Top resources: ${s.topResources.map((r) => `${r.name} (${r.count})`).join(', ') || '-'}`,
        ...(s.unauthenticatedEvents > 0 ? [`Unauthenticated: ${s.unauthenticatedEvents} (appended without the stack's secrets: stacks cancel/delete without a passphrase, or anyone with write access to the backend)`] : []),
      ].join('\n') + '\n',
    );
  });
}

const EXPORT_FORMAT = 'sloth-kubernetes-audit';

export async function exportEvents(io: CliIO, name: string | undefined, flags: ListFlags & { output?: string }): Promise<void> {
  const filter = filterOf(flags);
  const audit = new AuditSession(io, 'audit export', { type: 'state', action: 'export', resourceId: name ?? '', resourceType: 'audit-log', description: 'audit log exported' });
  await withAuditedStack(io, audit, name, flags, async (_s, stack) => {
    const log = new AuditLog(stack.attachments);
    const events = filterEvents(await readEvents(io, stack), filter);
    const head = (await log.hasKey()) ? await log.head() : undefined;
    const text = `${JSON.stringify({ format: EXPORT_FORMAT, version: 1, stack: stack.name, exportedAt: new Date().toISOString(), head: head ?? null, events }, null, 2)}\n`;
    let where = 'standard output';
    if (flags.output) {
      where = resolve(io.cwd, flags.output);
      const fh = await open(where, 'w', 0o600);
      try {
        await fh.chmod(0o600);
        await fh.writeFile(text);
      } finally {
        await fh.close();
      }
      io.stderr.write(`Exported ${events.length} audit event(s) of stack '${stack.name}' to ${where}\n`);
    } else io.stdout.write(text);
    audit.summary.description = `${events.length} audit event(s) of stack '${stack.name}' exported to ${where}`;
  });
}

function checkEvent(e: unknown, i: number, file: string): AuditEvent & { authenticated?: unknown } {
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
  if (!ok) throw new CliError(`${file}: event ${i + 1} is not an audit event (needs id, timestamp, type, action, actor, description, correlationId, success)`);
  return { severity: 'info', resourceId: '', resourceType: '', metadata: {}, durationMs: 0, ...o } as AuditEvent;
}

/**
 * The events of an export as this log keeps them: each id once (a file holding one id twice
 * with different contents is refused, as it would break verification for good), marked as
 * imported, with the facts only a local, authenticated batch may state taken out: a prune
 * point (it would let verify skip batches) and the source's authentication (this batch's own
 * counts now; the source's is kept as `importedUnauthenticated`).
 */
function importable(events: (AuditEvent & { authenticated?: unknown })[], path: string, actor: string): { events: AuditEvent[]; repeated: number } {
  const byId = new Map<string, string>();
  const out: AuditEvent[] = [];
  let repeated = 0;
  for (const [i, raw] of events.entries()) {
    const { authenticated, ...e } = raw;
    const metadata: Record<string, string> = { ...e.metadata };
    delete metadata[PRUNE_META.through];
    delete metadata[PRUNE_META.hash];
    metadata[IMPORTED_META] = path;
    metadata.importedBy = actor;
    if (authenticated === false) metadata.importedUnauthenticated = 'true';
    const text = JSON.stringify(raw);
    const seen = byId.get(e.id);
    if (seen !== undefined) {
      if (seen !== text) throw new CliError(`${path}: event ${i + 1} has the id ${e.id} of an earlier event in the file, with other contents; nothing was imported`, { hint: 'An export never holds two events with one id: check where the file came from, and remove or fix the duplicate.' });
      repeated++;
      continue;
    }
    byId.set(e.id, text);
    out.push({ ...e, metadata });
  }
  return { events: out, repeated };
}

export async function importEvents(io: CliIO, name: string, file: string, flags: Flags): Promise<void> {
  const path = resolve(io.cwd, file);
  let doc: { format?: unknown; events?: unknown };
  try {
    doc = JSON.parse(await readFile(path, 'utf8')) as typeof doc;
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (doc.format !== EXPORT_FORMAT || !Array.isArray(doc.events)) throw new CliError(`${path} is not an audit export (format '${EXPORT_FORMAT}' with an events list)`, { hint: `Make one with: ${io.programName} audit export <stack> --output FILE` });
  const checked = doc.events.map((e, i) => checkEvent(e, i, path));
  const audit = new AuditSession(io, 'audit import', { type: 'state', action: 'import', resourceId: name, resourceType: 'audit-log', description: `audit events imported from ${path}` });
  const { events: incoming, repeated } = importable(checked, path, audit.actor);
  await withAuditedStack(io, audit, name, flags, async (_s, stack) => {
    const log = new AuditLog(stack.attachments);
    const have = new Set((await readEvents(io, stack)).map((e) => e.id));
    const fresh = incoming.filter((e) => !have.has(e.id));
    const present = incoming.length - fresh.length;
    if (fresh.length > 0) await log.append(fresh);
    audit.summary.description = `${fresh.length} audit event(s) imported into stack '${stack.name}' from ${path} (${present} already present${repeated ? `, ${repeated} repeated in the file` : ''})`;
    audit.summary.metadata = { file: path, imported: String(fresh.length), skipped: String(present), repeated: String(repeated) };
    const notes = [...(present ? [`${present} already in the log`] : []), ...(repeated ? [`${repeated} repeated in the file`] : [])];
    io.stdout.write(`✓ Imported ${fresh.length} event(s)${notes.length ? ` (${notes.join('; ')})` : ''} into the audit log of stack '${stack.name}'\n`);
  });
}

export async function pruneEvents(io: CliIO, name: string, flags: Flags & { before?: string; yes?: boolean }): Promise<void> {
  if (!flags.before) throw new CliError('say which events to prune with --before DATE', { hint: 'For example --before 2026-01-01 or --before 90d.' });
  const before = parseWhen(flags.before, '--before');
  const audit = new AuditSession(io, 'audit prune', { type: 'state', action: 'prune', severity: 'warning', resourceId: name, resourceType: 'audit-log', description: `audit events before ${before.toISOString()} pruned` });
  await withAuditedStack(io, audit, name, flags, async (_s, stack) => {
    const log = new AuditLog(stack.attachments);
    if (!flags.yes) {
      if (!interactive(io) || flags.passwordStdin) throw new CliError(`pruning the audit log of stack '${stack.name}' needs confirmation; pass --yes`);
      if (!(await confirm(io, `Delete the audit events of stack '${stack.name}' recorded before ${before.toISOString()}?`))) throw new CliError('prune cancelled; nothing was deleted', { exitCode: 1 });
    }
    if (!(await log.hasKey())) {
      io.stdout.write(`Nothing to prune: stack '${stack.name}' has no audit log yet.\n`);
      return;
    }
    // Pruning a log that fails verification would remove the evidence of what went wrong.
    const check = await log.verify(storedAnchor(stack.deployment, stack.name));
    if (!check.ok) {
      throw new CliError(`refusing to prune: the audit log of stack '${stack.name}' fails verification (${check.problems.join('; ')}); nothing was deleted`, {
        hint: `See the report: ${io.programName} audit verify ${stack.name}. Keep an export of the log before repairing anything.`,
      });
    }
    // The prune point goes into the checkpoint's anchor, under the stack's lock, before any
    // batch is deleted: only a command holding the stack's secrets can move it.
    const update = rootStackResource(stack.deployment, stack.name) ? await stack.beginUpdate('state-edit', `audit prune --before ${before.toISOString()}`) : undefined;
    let finished = false;
    try {
      const r = await log.prune(before, async (through, hash, batches, events) => {
        audit.event({
          type: 'state',
          action: 'prune',
          severity: 'warning',
          resourceId: stack.name,
          resourceType: 'audit-log',
          description: `Pruned ${events} audit event(s) in ${batches} batch(es) recorded before ${before.toISOString()}`,
          metadata: { [PRUNE_META.through]: String(through), [PRUNE_META.hash]: hash, before: before.toISOString(), batches: String(batches), events: String(events) },
        });
        await audit.flush();
        if (!update) return;
        const record = await anchorRecord(log, update.deployment, stack.name, { through, hash });
        if (record) await update.record([record]);
        await update.finish({ result: 'succeeded', resourceChanges: {} });
        finished = true;
      });
      audit.summary.description = r.events === 0 ? `No audit events of stack '${stack.name}' before ${before.toISOString()}; nothing pruned` : `Pruned ${r.events} audit event(s) of stack '${stack.name}' recorded before ${before.toISOString()}`;
      io.stdout.write(r.events === 0 ? `Nothing to prune: no batch of stack '${stack.name}' is entirely older than ${before.toISOString()}.\n` : `✓ Pruned ${r.events} event(s) in ${r.batches} batch(es) of stack '${stack.name}'\n`);
    } finally {
      if (update && !finished) await update.abandon();
    }
  });
}

export async function verifyLog(io: CliIO, name: string | undefined, flags: Flags): Promise<void> {
  const audit = new AuditSession(io, 'audit verify', { type: 'state', action: 'validate', resourceId: name ?? '', resourceType: 'audit-log', description: 'audit log verified' });
  await withAuditedStack(io, audit, name, flags, async (_s, stack) => {
    const log = new AuditLog(stack.attachments);
    const anchor = storedAnchor(stack.deployment, stack.name);
    if (!(await log.hasKey())) {
      if (anchor) {
        // The checkpoint says a log existed: its key (and with it every batch) was removed.
        audit.summary.severity = 'critical';
        const problem = `the stack's checkpoint anchors audit batch ${anchor.seq} under key ${anchor.key}, but the audit key (audit/key.json) is gone: the log was removed`;
        io.stdout.write(flags.json ? json({ ok: false, batches: 0, events: 0, unauthenticated: [], problems: [problem], notes: [] }) : `✗ The audit log of stack '${stack.name}' has been tampered with or damaged\n  problem: ${problem}\n`);
        throw new CliError('the audit log failed verification (1 problem)', { display: '', exitCode: 1 });
      }
      io.stdout.write(`Stack '${stack.name}' has no audit log yet.\n`);
      await log.publicKey(); // made now, with the stack's secrets: later commands can record without them
      return;
    }
    const report = await log.verify(anchor);
    audit.summary.description = report.ok ? `Audit log of stack '${stack.name}' verified: ${report.batches} batches, ${report.events} events` : `Audit log of stack '${stack.name}' FAILED verification: ${report.problems.join('; ')}`;
    audit.summary.newValue = { ok: report.ok, batches: report.batches, events: report.events, problems: report.problems };
    if (flags.json) io.stdout.write(json(report));
    else {
      const lines = [
        report.ok ? `✓ The audit log of stack '${stack.name}' is intact` : `✗ The audit log of stack '${stack.name}' has been tampered with or damaged`,
        `Batches: ${report.batches}${report.first !== undefined ? ` (${report.first}–${report.last})` : ''}; events: ${report.events}`,
        ...report.problems.map((p) => `  problem: ${p}`),
        ...(report.unauthenticated.length ? [`  note: ${report.unauthenticated.length} batch(es) were appended without the stack's secrets (stacks cancel/delete): ${report.unauthenticated.join(', ')}`] : []),
        ...report.notes.map((n) => `  note: ${n}`),
      ];
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    if (!report.ok) {
      audit.summary.severity = 'critical';
      throw new CliError(`the audit log failed verification (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`, { display: '', exitCode: 1 });
    }
  });
}
