// Filtering and summarising audit events (the seed's AuditFilter and AuditSummary).
import type { AuditEvent, EventAction, EventType, Severity } from './types.ts';

export interface AuditFilter {
  types?: EventType[];
  actions?: EventAction[];
  actor?: string;
  resource?: string;
  correlationId?: string;
  since?: Date;
  until?: Date;
  /** Only failures. */
  failed?: boolean;
  /** The newest N that match (after the other filters). */
  limit?: number;
}

export function filterEvents<T extends AuditEvent>(events: readonly T[], f: AuditFilter): T[] {
  const out = events.filter((e) => {
    const t = Date.parse(e.timestamp);
    if (f.types?.length && !f.types.includes(e.type)) return false;
    if (f.actions?.length && !f.actions.includes(e.action)) return false;
    if (f.actor !== undefined && e.actor !== f.actor) return false;
    if (f.resource !== undefined && e.resourceId !== f.resource) return false;
    if (f.correlationId !== undefined && e.correlationId !== f.correlationId) return false;
    if (f.since && t < f.since.getTime()) return false;
    if (f.until && t > f.until.getTime()) return false;
    if (f.failed && e.success) return false;
    return true;
  });
  return f.limit !== undefined && out.length > f.limit ? out.slice(out.length - f.limit) : out;
}

export interface CountStat {
  name: string;
  count: number;
}

export interface AuditSummary {
  totalEvents: number;
  eventsByType: Partial<Record<EventType, number>>;
  eventsByAction: Partial<Record<EventAction, number>>;
  eventsBySeverity: Partial<Record<Severity, number>>;
  /**
   * Operations (command runs: the events sharing a correlation id) that succeeded and that
   * failed. A failed deploy records an error event per failed step and its own failed event;
   * it is one failure.
   */
  successCount: number;
  failureCount: number;
  firstEvent: string | null;
  lastEvent: string | null;
  /** Over the events that measured a duration (command events), in milliseconds. */
  averageDurationMs: number;
  topActors: CountStat[];
  topResources: CountStat[];
  /** Events of batches appended without the stack's secrets (listed events say `authenticated: false`). */
  unauthenticatedEvents: number;
}

function bump<K extends string>(map: Partial<Record<K, number>>, key: K): void {
  map[key] = (map[key] ?? 0) + 1;
}

function top(counts: Map<string, number>, n: number): CountStat[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([name, count]) => ({ name, count }));
}

export function summarize(events: readonly (AuditEvent & { authenticated?: boolean })[], topN = 5): AuditSummary {
  const s: AuditSummary = {
    totalEvents: events.length,
    eventsByType: {},
    eventsByAction: {},
    eventsBySeverity: {},
    successCount: 0,
    failureCount: 0,
    firstEvent: null,
    lastEvent: null,
    averageDurationMs: 0,
    topActors: [],
    topResources: [],
    unauthenticatedEvents: 0,
  };
  const actors = new Map<string, number>();
  const resources = new Map<string, number>();
  /** Operation → whether any of its events failed. */
  const failed = new Map<string, boolean>();
  let durations = 0;
  let timed = 0;
  for (const e of events) {
    bump(s.eventsByType, e.type);
    bump(s.eventsByAction, e.action);
    bump(s.eventsBySeverity, e.severity);
    if (e.authenticated === false) s.unauthenticatedEvents++;
    const operation = e.correlationId || `event ${e.id}`;
    failed.set(operation, failed.get(operation) === true || !e.success);
    if (s.firstEvent === null || e.timestamp < s.firstEvent) s.firstEvent = e.timestamp;
    if (s.lastEvent === null || e.timestamp > s.lastEvent) s.lastEvent = e.timestamp;
    if (e.durationMs > 0) {
      durations += e.durationMs;
      timed++;
    }
    actors.set(e.actor, (actors.get(e.actor) ?? 0) + 1);
    if (e.resourceId) resources.set(e.resourceId, (resources.get(e.resourceId) ?? 0) + 1);
  }
  for (const f of failed.values()) {
    if (f) s.failureCount++;
    else s.successCount++;
  }
  s.averageDurationMs = timed > 0 ? Math.round(durations / timed) : 0;
  s.topActors = top(actors, topN);
  s.topResources = top(resources, topN);
  return s;
}
