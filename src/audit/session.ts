// One command run's audit trail: every event it records shares one correlation id and the
// actor, and when the command ends a final event says what it was, how long it took, whether
// it succeeded and why not. Errors are also events of their own (type `error`, severity
// `error`): each failed engine step, or else the error the command failed with. The batch is
// appended to the stack's audit log (src/audit) once, at the end (or earlier with flush(),
// for commands that must be on record before they act).
import { randomUUID } from 'node:crypto';
// values.ts alone: the audit session is on every command's path and needs no config or YAML.
import { redactValue, scrubText, secretList } from '../redact/values.ts';
import type { StackAttachments } from '../state/index.ts';
import { AuditError, AuditLog } from './log.ts';
import type { BatchRef } from './log.ts';
import type { AuditEvent, EventAction, EventType, Severity } from './types.ts';

export interface EventInput {
  type: EventType;
  action: EventAction;
  severity?: Severity;
  resourceId: string;
  resourceType: string;
  description: string;
  oldValue?: unknown;
  newValue?: unknown;
  metadata?: Record<string, string>;
  success?: boolean;
  errorMessage?: string;
  durationMs?: number;
}

/** The command's own event, filled in as the command learns what it did. */
export type CommandSummary = Omit<EventInput, 'success' | 'errorMessage' | 'durationMs'>;

export interface SessionOptions {
  /** Who is acting (`--actor`, `SLOTH_ACTOR`, `user@host`; a server's authenticated user). */
  actor: string;
  /** Values that must never appear in an event (the passphrase, cloud credentials). */
  secrets?: Iterable<string | undefined>;
  /** Told when the log cannot be written after a command that failed anyway. */
  warn?: (message: string) => void;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class AuditSession {
  readonly correlationId = randomUUID();
  readonly actor: string;
  readonly command: string;
  summary: CommandSummary;
  readonly #started = performance.now();
  readonly #events: AuditEvent[] = [];
  readonly #secrets = new Set<string>();
  #log: AuditLog | undefined;
  #closed = false;
  #failure: Error | undefined;
  /** Error events recorded so far. */
  #errors = 0;
  readonly #warn: (message: string) => void;

  constructor(command: string, summary: CommandSummary, options: SessionOptions) {
    this.command = command;
    this.actor = options.actor;
    this.summary = summary;
    this.#warn = options.warn ?? (() => undefined);
    for (const v of options.secrets ?? []) if (v) this.#secrets.add(v);
  }

  /** Where the events go: the stack's attachments (opened with its secrets when available). */
  attach(attachments: StackAttachments): void {
    if (this.#log && this.#log.attachments.canSeal && !attachments.canSeal) return;
    this.#log = new AuditLog(attachments);
  }

  get log(): AuditLog | undefined {
    return this.#log;
  }

  /** Values that must never appear in an event (scrubbed from every string). */
  secret(...values: (string | undefined)[]): void {
    for (const v of values) if (v && v.length >= 4) this.#secrets.add(v);
  }

  event(e: EventInput): void {
    const secrets = secretList(this.#secrets);
    if (e.type === 'error') this.#errors++;
    this.#events.push(this.#build(e, secrets));
  }

  /** An error event: what failed (a resource, or the command's subject) and the message. */
  error(e: Omit<EventInput, 'type' | 'severity' | 'success'> & { errorMessage: string }): void {
    this.event({ ...e, type: 'error', severity: 'error', success: false });
  }

  #build(e: EventInput, secrets: string[]): AuditEvent {
    const ev: AuditEvent = {
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      type: e.type,
      action: e.action,
      severity: e.severity ?? (e.success === false ? 'error' : 'info'),
      resourceId: scrubText(e.resourceId, secrets),
      resourceType: e.resourceType,
      actor: this.actor,
      description: scrubText(e.description, secrets),
      metadata: Object.fromEntries(Object.entries({ command: this.command, ...(e.metadata ?? {}) }).map(([k, v]) => [k, scrubText(String(v), secrets)])),
      correlationId: this.correlationId,
      durationMs: Math.max(0, Math.round(e.durationMs ?? 0)),
      success: e.success ?? true,
    };
    if (e.oldValue !== undefined) ev.oldValue = redactValue(e.oldValue, secrets);
    if (e.newValue !== undefined) ev.newValue = redactValue(e.newValue, secrets);
    if (e.errorMessage !== undefined) ev.errorMessage = scrubText(e.errorMessage, secrets);
    return ev;
  }

  /** Appends what was recorded so far, now. */
  async flush(): Promise<BatchRef | undefined> {
    if (!this.#log || this.#events.length === 0) return undefined;
    const events = this.#events.splice(0);
    return this.#log.append(events);
  }

  /**
   * Marks the command failed without ending it with an error: it returns a result that says
   * so (a verification that found problems). `close()` records the failure.
   */
  fail(error: Error): void {
    this.#failure = error;
  }

  /**
   * Ends the session: adds the command's event (success or the error) and appends the batch.
   * Throws when the batch cannot be written after a command that succeeded.
   */
  async close(error: unknown = this.#failure): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const failed = error !== undefined && !isQuietExit(error);
    // The command's error, unless the errors that made it fail are on record already.
    if (failed && this.#errors === 0) {
      const message = errorText(error);
      this.error({
        action: this.summary.action,
        resourceId: this.summary.resourceId,
        resourceType: this.summary.resourceType,
        description: `${this.command} failed: ${message.split('\n')[0]}`,
        errorMessage: message,
        metadata: errorMetadata(error),
      });
    }
    this.event({
      ...this.summary,
      success: !failed,
      severity: failed ? this.summary.severity ?? 'error' : this.summary.severity,
      durationMs: performance.now() - this.#started,
      ...(failed ? { errorMessage: errorText(error) } : {}),
    });
    if (!this.#log) return;
    try {
      await this.flush();
    } catch (err) {
      const msg = `the audit log of stack '${this.#log.stack}' could not be written: ${errorText(err)}`;
      // A stack no command with its secrets has touched yet has no audit key: say so, once.
      if (error !== undefined || (err as { code?: string }).code === 'no-key') {
        this.#warn(msg);
        return;
      }
      throw new AuditError(`${this.command} finished, but ${msg}`, (err as { hint?: string }).hint);
    }
  }
}

/** An error with exit code 0 is a quiet, successful exit (never a failure). */
function isQuietExit(err: unknown): boolean {
  return (err as { exitCode?: unknown } | null)?.exitCode === 0;
}

/**
 * What the command's error event says about the error besides its message: the exit code a
 * user error carries, or the reason an operation gives (`reason`), else 70 (internal error).
 */
function errorMetadata(error: unknown): Record<string, string> {
  const e = error as { exitCode?: unknown; reason?: unknown } | null;
  if (typeof e?.reason === 'string') return { reason: e.reason };
  return { exitCode: String(e?.exitCode ?? 70) };
}
