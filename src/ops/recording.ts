// Recording around the engine operations (deploy, destroy, refresh, rollback): the engine runs
// on a handle whose updates finish through the recorders — so history records and the audit
// anchor land in the same checkpoint as the engine's own changes, under the same lock — and the
// use case's audit event says what the run changed.
import type { AuditSession, EventAction } from '../audit/index.ts';
import type { EngineEvent, OperationResult, StepOp } from '../engine/index.ts';
import { anchorRecord } from '../audit/index.ts';
import type { FinishContext, UpdateRecorder } from '../history/recorders.ts';
import { rootStackResource } from '../state/index.ts';
import type { OpenedStack, StackHandle, StackUpdate, UpdateResult } from '../state/index.ts';
import { OpsError } from './errors.ts';

/** The audit action of a failed engine step. */
const STEP_ACTIONS: Partial<Record<StepOp, EventAction>> = { create: 'create', update: 'update', replace: 'update', delete: 'delete', read: 'read', import: 'import' };

const describeChanges = (changes: Record<string, number>): string => {
  const parts = Object.entries(changes)
    .filter(([k, n]) => k !== 'same' && n > 0)
    .map(([k, n]) => `${n} ${k === 'create' ? 'created' : k === 'update' ? 'updated' : k === 'replace' ? 'replaced' : k === 'delete' ? 'deleted' : k === 'read' ? 'read' : k === 'import' ? 'imported' : k}`);
  return parts.length > 0 ? parts.join(', ') : 'no resource changed';
};

export class EngineRecording {
  readonly session: AuditSession;
  readonly stack: OpenedStack;
  readonly targeted: boolean;
  readonly failures = new Set<string>();
  readonly #recorder: UpdateRecorder | undefined;
  readonly #errors: unknown[] = [];

  constructor(session: AuditSession, stack: OpenedStack, targeted: boolean, recorder?: UpdateRecorder) {
    this.session = session;
    this.stack = stack;
    this.targeted = targeted;
    this.#recorder = recorder;
  }

  /** Passes events on, noting the steps that failed (each an error event of the command). */
  tap(next: (e: EngineEvent) => void): (e: EngineEvent) => void {
    return (e) => {
      if (e.type === 'step-failed') {
        this.failures.add(e.step.urn);
        this.session.error({
          action: STEP_ACTIONS[e.step.op] ?? 'apply',
          resourceId: e.step.urn,
          resourceType: e.step.type,
          description: `${e.step.op} of ${e.step.name} failed: ${e.error.split('\n')[0]}`,
          errorMessage: e.error,
          durationMs: e.elapsedMs,
          metadata: { step: e.step.name, op: e.step.op },
        });
      }
      next(e);
    };
  }

  /** The handle the engine runs on: its updates finish through the recorders. */
  handle(): StackHandle {
    const stack = this.stack;
    return {
      get name() {
        return stack.name;
      },
      get deployment() {
        return stack.deployment;
      },
      get lastUpdate() {
        return stack.lastUpdate;
      },
      history: (limit?: number) => stack.history(limit),
      beginUpdate: async (kind, message) => {
        const update = await stack.beginUpdate(kind, message);
        return {
          get deployment() {
            return update.deployment;
          },
          record: (records) => update.record(records),
          abandon: () => update.abandon(),
          finish: async (result) => {
            await this.#beforeFinish(update, result);
            await update.finish(result);
          },
        };
      },
    };
  }

  async #beforeFinish(update: StackUpdate, result: UpdateResult): Promise<void> {
    const ctx: FinishContext = { stack: this.stack, update, result, failures: this.failures, targeted: this.targeted };
    try {
      await this.#recorder?.beforeFinish(ctx);
    } catch (err) {
      this.#errors.push(err);
    }
    try {
      await this.#anchor(update);
    } catch (err) {
      this.#errors.push(err);
    }
  }

  /** Puts what this command recorded so far on the chain, and its head in the checkpoint. */
  async #anchor(update: StackUpdate): Promise<void> {
    const log = this.session.log;
    if (!log || !log.attachments.canSeal) return;
    // A destroy that emptied the stack removed its root resource: nothing to anchor in.
    if (!rootStackResource(update.deployment, this.stack.name)) return;
    await this.session.flush();
    const record = await anchorRecord(log, update.deployment, this.stack.name);
    if (record) await update.record([record]);
  }

  /** Fills in the command's event from the outcome; throws when recording failed. */
  finished(result: OperationResult, what: string): void {
    const s = this.session.summary;
    s.description = `${what} of stack '${this.stack.name}' ${result.result}: ${describeChanges(result.changes)}`;
    s.newValue = { result: result.result, changes: result.changes, failures: result.failures.map((f) => ({ urn: f.urn, op: f.op })) };
    s.metadata = { ...(s.metadata ?? {}), result: result.result, ...(this.targeted ? { targeted: 'true' } : {}) };
    if (result.result !== 'succeeded') s.severity = 'error';
    if (this.#errors.length > 0) {
      const msgs = this.#errors.map((e) => (e instanceof Error ? e.message : String(e)));
      // Only what is true whatever the cause: the records this run missed stay missing.
      const hints = [...new Set(this.#errors.map((e) => (e as { hint?: unknown } | null)?.hint).filter((h): h is string => typeof h === 'string' && h !== ''))];
      throw new OpsError(
        'unrecorded',
        `the ${what} was applied and saved, but recording its history failed: ${msgs.join('; ')}`,
        [`The stack itself is consistent, but this run is not in its history. Check what was recorded with: sloth-kubernetes history ${this.stack.name}`, ...hints].join('\n'),
      );
    }
  }
}
