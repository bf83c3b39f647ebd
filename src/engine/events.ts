// The typed events every engine operation emits. Renderers (src/cli/render/) turn the same
// stream into a live terminal view, plain CI lines or JSON lines; tests assert on events.
// Values in events are already redacted: secrets appear as "[secret]", never in the clear.

/** `import`: a resource the stack did not track, looked up in its cloud by its URN tag (refresh with a desired graph). */
export type StepOp = 'create' | 'update' | 'replace' | 'delete' | 'same' | 'read' | 'import';
export type OperationKind = 'preview' | 'update' | 'refresh' | 'destroy';

export interface PropertyChange {
  key: string;
  kind: 'add' | 'delete' | 'update';
  /** Redacted, JSON-safe. */
  old?: unknown;
  new?: unknown;
  /** This change forces replacement. */
  replace?: boolean;
}

export interface StepRef {
  urn: string;
  type: string;
  name: string;
  op: StepOp;
  /** Replacement by deleting first (deleteBeforeReplace). */
  deleteBeforeReplace?: boolean;
  /** Deletes the old half of an earlier replacement. */
  replacedCopy?: boolean;
}

export type EngineEvent =
  | { type: 'start'; kind: OperationKind; stack: string; total: number; parallel: number }
  | { type: 'step-start'; step: StepRef; at: number }
  | { type: 'step-done'; step: StepRef; elapsedMs: number; changes?: PropertyChange[]; /** What came of it, when the op's verb does not say (e.g. "not found in the cloud"). */ note?: string }
  | { type: 'step-failed'; step: StepRef; elapsedMs: number; error: string }
  | { type: 'step-skipped'; step: StepRef; reason: string }
  | { type: 'retry'; step: StepRef; attempt: number; delayMs: number; error: string }
  /** `info`: detail (provider and remote-step log lines) shown with --verbose; warnings and errors always. */
  | { type: 'diagnostic'; severity: 'info' | 'warning' | 'error'; message: string; urn?: string }
  | { type: 'progress'; done: number; total: number; running: number; failed: number }
  | { type: 'drift'; urn: string; resourceType: string; name: string; kind: 'changed' | 'gone'; changes: PropertyChange[] }
  | { type: 'outputs'; outputs: Record<string, unknown> }
  | { type: 'cancel'; mode: 'graceful' | 'abort' }
  | { type: 'summary'; kind: OperationKind; result: 'succeeded' | 'failed' | 'cancelled'; changes: Record<string, number>; failures: { urn: string; op: StepOp; error: string }[]; errors: string[]; elapsedMs: number };

export type EventSink = (event: EngineEvent) => void;

/** Collects events (tests, JSON plan output). */
export function collectEvents(): { sink: EventSink; events: EngineEvent[] } {
  const events: EngineEvent[] = [];
  return { sink: (e) => events.push(e), events };
}
