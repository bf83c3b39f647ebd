// audit <stack> [filters], audit summary|export|import|prune|verify: reading and keeping the
// stack's audit log. Flags become an AuditFilter here; the use cases are the ops layer's.
import { EVENT_ACTIONS, EVENT_TYPES, isEventAction, isEventType, summarize } from '../../audit/index.ts';
import type { AuditEvent, AuditFilter, EventAction, EventType } from '../../audit/index.ts';
import { exportAudit, importAudit, pruneAudit, readAudit, verifyAudit } from '../../ops/audit.ts';
import { CliError } from '../errors.ts';
import { withCli } from '../host.ts';
import type { CliIO } from '../io.ts';
import { json, localTime, table } from '../stacks/render.ts';

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

export async function listEvents(io: CliIO, name: string | undefined, flags: ListFlags): Promise<void> {
  const filter = filterOf(flags);
  const { stack, events: shown, total } = await withCli(io, flags, (ctx) => readAudit(ctx, { stack: name, filter }));
  if (flags.json) {
    io.stdout.write(json(shown));
    return;
  }
  if (shown.length === 0) {
    io.stdout.write(`No audit events${total > 0 ? ' match' : ` recorded for stack '${stack}' yet`}.\n`);
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
}

export async function auditSummary(io: CliIO, name: string | undefined, flags: ListFlags): Promise<void> {
  const filter = filterOf({ ...flags, limit: undefined });
  const { stack, events } = await withCli(io, flags, (ctx) => readAudit(ctx, { stack: name, filter }));
  const s = summarize(events);
  if (flags.json) {
    io.stdout.write(json(s));
    return;
  }
  const counts = (m: Record<string, number | undefined>) => Object.entries(m).map(([k, n]) => `${k} ${n}`).join(', ') || '-';
  io.stdout.write(
    [
      `Audit summary of stack '${stack}'`,
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
}

export async function exportEvents(io: CliIO, name: string | undefined, flags: ListFlags & { output?: string }): Promise<void> {
  const filter = filterOf(flags);
  const out = await withCli(io, flags, (ctx) => exportAudit(ctx, { stack: name, filter, output: flags.output }));
  if (out.path) io.stderr.write(`Exported ${out.count} audit event(s) of stack '${out.stack}' to ${out.path}\n`);
  else io.stdout.write(out.text);
}

export async function importEvents(io: CliIO, name: string, file: string, flags: Flags): Promise<void> {
  const r = await withCli(io, flags, (ctx) => importAudit(ctx, { stack: name, file }));
  const notes = [...(r.present ? [`${r.present} already in the log`] : []), ...(r.repeated ? [`${r.repeated} repeated in the file`] : [])];
  io.stdout.write(`✓ Imported ${r.imported} event(s)${notes.length ? ` (${notes.join('; ')})` : ''} into the audit log of stack '${r.stack}'\n`);
}

export async function pruneEvents(io: CliIO, name: string, flags: Flags & { before?: string; yes?: boolean }): Promise<void> {
  if (!flags.before) throw new CliError('say which events to prune with --before DATE', { hint: 'For example --before 2026-01-01 or --before 90d.' });
  const before = parseWhen(flags.before, '--before');
  const r = await withCli(io, flags, (ctx) => pruneAudit(ctx, { stack: name, before }));
  if (r.noLog) io.stdout.write(`Nothing to prune: stack '${r.stack}' has no audit log yet.\n`);
  else if (r.events === 0) io.stdout.write(`Nothing to prune: no batch of stack '${r.stack}' is entirely older than ${before.toISOString()}.\n`);
  else io.stdout.write(`✓ Pruned ${r.events} event(s) in ${r.batches} batch(es) of stack '${r.stack}'\n`);
}

export async function verifyLog(io: CliIO, name: string | undefined, flags: Flags): Promise<void> {
  const { stack, report, removed, noLog } = await withCli(io, flags, (ctx) => verifyAudit(ctx, { stack: name }));
  if (noLog) {
    io.stdout.write(`Stack '${stack}' has no audit log yet.\n`);
    return;
  }
  if (flags.json) io.stdout.write(json(report));
  else if (removed) io.stdout.write(`✗ The audit log of stack '${stack}' has been tampered with or damaged\n  problem: ${report.problems[0]}\n`);
  else {
    const lines = [
      report.ok ? `✓ The audit log of stack '${stack}' is intact` : `✗ The audit log of stack '${stack}' has been tampered with or damaged`,
      `Batches: ${report.batches}${report.first !== undefined ? ` (${report.first}–${report.last})` : ''}; events: ${report.events}`,
      ...report.problems.map((p) => `  problem: ${p}`),
      ...(report.unauthenticated.length ? [`  note: ${report.unauthenticated.length} batch(es) were appended without the stack's secrets (stacks cancel/delete): ${report.unauthenticated.join(', ')}`] : []),
      ...report.notes.map((n) => `  note: ${n}`),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  if (!report.ok) throw new CliError(`the audit log failed verification (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`, { display: '', exitCode: 1 });
}
