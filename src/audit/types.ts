// The audit event, as the product documentation describes it (seed "AuditEvent Structure"),
// in the JSON spelling we store and print.

/** Seed event types, plus nothing else: every event is one of these. */
export const EVENT_TYPES = ['deployment', 'configuration', 'manifest', 'rollback', 'state', 'error'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Seed actions (create … migrate), and the actions of commands the seed's list does not
 * cover: reading secrets, exporting and importing, pruning the log, unlocking, refreshing.
 */
export const EVENT_ACTIONS = ['create', 'update', 'delete', 'apply', 'rollback', 'validate', 'migrate', 'read', 'export', 'import', 'prune', 'unlock', 'refresh'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

import type { RedactedValue } from '../redact/values.ts';

/** A JSON value with every secret already replaced by "[secret]". */
export type { RedactedValue };

export interface AuditEvent {
  id: string;
  /** ISO 8601, UTC. */
  timestamp: string;
  type: EventType;
  action: EventAction;
  severity: Severity;
  resourceId: string;
  resourceType: string;
  actor: string;
  description: string;
  oldValue?: RedactedValue;
  newValue?: RedactedValue;
  metadata: Record<string, string>;
  /** Shared by every event of one command run. */
  correlationId: string;
  /** Milliseconds the operation took (0 for an instantaneous fact). */
  durationMs: number;
  success: boolean;
  errorMessage?: string;
}

export function isEventType(v: string): v is EventType {
  return (EVENT_TYPES as readonly string[]).includes(v);
}

export function isEventAction(v: string): v is EventAction {
  return (EVENT_ACTIONS as readonly string[]).includes(v);
}
