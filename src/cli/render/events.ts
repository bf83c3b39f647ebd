// Turns the engine's event stream into output: plain lines (CI, pipes, files: no escape codes,
// a summary per phase unless --verbose), a live terminal view (running steps with elapsed time
// and a progress bar), or JSON lines (--json). All three read the same typed events; none of
// them ever sees a secret (events are redacted).
// Detail (info-level diagnostics: provider and remote-step log lines; each retry) is shown
// with --verbose; without it, the live view marks a retrying step on its row and the summary
// says how many calls were retried.
import type { EngineEvent, OperationKind, StepRef } from '../../engine/index.ts';
import type { OutStream } from '../io.ts';
import { changeLines, diffTag, duration, marker, resultSummary, verb } from './format.ts';

export interface RendererOptions {
  /** Show info-level diagnostics and every retry. */
  verbose?: boolean;
}

export interface Renderer {
  onEvent(event: EngineEvent): void;
  /** Stops timers and leaves the cursor on a fresh line. */
  close(): void;
}

const TITLES: Record<OperationKind, string> = { preview: 'Previewing', update: 'Updating', refresh: 'Refreshing', destroy: 'Destroying' };

function label(step: StepRef): string {
  return `${marker(step.op, step).padEnd(2)} ${step.type} ${step.name}`;
}

/** Lines that stay on screen, shared by the plain and live renderers. */
function permanentLines(e: EngineEvent, live: boolean, verbose: boolean, retried: number): string[] {
  switch (e.type) {
    case 'start':
      return [`${TITLES[e.kind]} stack ${e.stack}: ${e.total} step${e.total === 1 ? '' : 's'}, up to ${e.parallel} at a time`, ''];
    case 'step-start':
      return live ? [] : [`${label(e.step)}: ${verb(e.step, false)}`];
    case 'step-done':
      return [`${label(e.step)}: ${e.note ?? verb(e.step, true)} (${duration(e.elapsedMs)})${diffTag(e.changes)}`];
    case 'step-failed':
      return [`${label(e.step)}: ${e.step.op} failed (${duration(e.elapsedMs)}): ${e.error}`];
    case 'step-skipped':
      return [`${label(e.step)}: skipped, ${e.reason}`];
    case 'retry':
      return verbose ? [`${label(e.step)}: retrying in ${duration(e.delayMs)} (attempt ${e.attempt}: ${e.error})`] : [];
    case 'diagnostic':
      if (e.severity === 'info' && !verbose) return [];
      return [`${e.severity}: ${e.message}${e.urn ? ` (${e.urn})` : ''}`];
    case 'drift':
      if (e.kind === 'gone') return [`-  ${e.resourceType} ${e.name}: gone from the cloud; dropped from the stack`];
      return [`~  ${e.resourceType} ${e.name}: changed outside sloth-kubernetes`, ...changeLines(e.changes, '       ')];
    case 'outputs':
      return ['', 'Outputs:', ...Object.entries(e.outputs).map(([k, v]) => `  ${k}: ${typeof v === 'string' && v === '[secret]' ? v : JSON.stringify(v)}`)];
    case 'cancel':
      return [e.mode === 'graceful' ? 'Stopping: no new steps start; running ones finish and are saved (Ctrl-C again to abort them).' : 'Aborting running steps; what is known is saved and the next run resolves the rest.'];
    case 'summary': {
      const out = ['', resultSummary(e.changes, e.failures.length)];
      if (retried > 0 && !verbose) out.push(`${retried} provider call${retried === 1 ? ' was' : 's were'} retried (--verbose shows each retry)`);
      if (e.failures.length > 0) {
        out.push('', 'Failed:');
        for (const f of e.failures) out.push(`  ${f.urn} (${f.op}): ${f.error}`);
      }
      for (const err of e.errors) out.push(`error: ${err}`);
      if (e.result === 'cancelled') out.push('Stopped before the end; run the command again to continue.');
      out.push(`Duration: ${duration(e.elapsedMs)}`);
      return out;
    }
    case 'progress':
      return [];
  }
}

/** Steps that ended the same way, for the plain view's summary per phase. */
interface Group {
  first: StepRef;
  outcome: string;
  count: number;
  longestMs: number;
}

/**
 * Plain lines, for CI logs, pipes and files: no escape codes. Without --verbose a step's start
 * and end are not a line each: before the outputs and the summary comes one line per phase —
 * the steps of one resource type that ended the same way (`+  aws:ec2/instance:Instance: 8
 * created (longest 41.0s)`). Failures, skips, warnings and drift are always shown as they
 * happen. After `heartbeatMs` without a line, a progress line says how far the run is and, once
 * a step has run that long, which step it waits on longest and why (its last retry's error).
 */
export class PlainRenderer implements Renderer {
  readonly #out: OutStream;
  readonly #verbose: boolean;
  readonly #heartbeatMs: number;
  readonly #now: () => number;
  readonly #groups = new Map<string, Group>();
  readonly #running = new Map<string, { step: StepRef; since: number; retry?: string }>();
  #progress = { done: 0, total: 0, failed: 0 };
  #retried = 0;
  #started = 0;
  #lastLine = 0;
  #timer: NodeJS.Timeout | undefined;
  constructor(out: OutStream, options: RendererOptions & { heartbeatMs?: number; now?: () => number } = {}) {
    this.#out = out;
    this.#verbose = options.verbose === true;
    this.#heartbeatMs = options.heartbeatMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }
  onEvent(e: EngineEvent): void {
    const key = 'step' in e ? `${e.step.urn} ${e.step.op}` : '';
    if (e.type === 'start') {
      this.#started = this.#lastLine = this.#now();
      this.#progress.total = e.total;
      this.#timer = setInterval(() => this.#heartbeat(), Math.min(1000, this.#heartbeatMs));
      this.#timer.unref();
    }
    if (e.type === 'step-start') this.#running.set(key, { step: e.step, since: this.#now() });
    if (e.type === 'step-done' || e.type === 'step-failed' || e.type === 'step-skipped') this.#running.delete(key);
    if (e.type === 'retry') {
      this.#retried++;
      const row = this.#running.get(key);
      if (row) row.retry = `attempt ${e.attempt}: ${e.error}`;
    }
    if (e.type === 'progress') {
      this.#progress = { done: e.done, total: Math.max(e.total, this.#progress.total), failed: e.failed };
      this.#heartbeat();
    }
    if (e.type === 'summary') this.close();
    if (!this.#verbose) {
      if (e.type === 'step-start') return;
      if (e.type === 'step-done') return this.#count(e.step, e.note ?? verb(e.step, true), e.elapsedMs);
      if (e.type === 'outputs' || e.type === 'summary') this.#flushGroups();
    }
    this.#write(permanentLines(e, false, this.#verbose, this.#retried));
  }
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#flushGroups();
  }

  #write(lines: string[]): void {
    if (lines.length === 0) return;
    this.#out.write(`${lines.join('\n')}\n`);
    this.#lastLine = this.#now();
  }

  #count(step: StepRef, outcome: string, elapsedMs: number): void {
    const key = `${marker(step.op, step)} ${step.type} ${outcome}`;
    const group = this.#groups.get(key);
    if (group) {
      group.count++;
      group.longestMs = Math.max(group.longestMs, elapsedMs);
    } else this.#groups.set(key, { first: step, outcome, count: 1, longestMs: elapsedMs });
  }

  #heartbeat(): void {
    const now = this.#now();
    if (!this.#timer || now - this.#lastLine < this.#heartbeatMs || this.#running.size === 0) return;
    const { done, total, failed } = this.#progress;
    let line = `   ${done}/${total} done, ${this.#running.size} running${failed ? `, ${failed} failed` : ''} (${duration(now - this.#started)})`;
    const longest = [...this.#running.values()].reduce((a, b) => (b.since < a.since ? b : a));
    if (now - longest.since >= this.#heartbeatMs) {
      line += `; longest: ${label(longest.step)}: ${verb(longest.step, false)} for ${duration(now - longest.since)}${longest.retry ? `, retrying (${longest.retry})` : ''}`;
    }
    this.#write([line]);
  }

  #flushGroups(): void {
    const lines = [...this.#groups.values()].map((g) =>
      g.count === 1 ? `${label(g.first)}: ${g.outcome} (${duration(g.longestMs)})` : `${marker(g.first.op, g.first).padEnd(2)} ${g.first.type}: ${g.count} ${g.outcome} (longest ${duration(g.longestMs)})`,
    );
    this.#groups.clear();
    this.#write(lines);
  }
}

export class JsonRenderer implements Renderer {
  readonly #out: OutStream;
  constructor(out: OutStream) {
    this.#out = out;
  }
  onEvent(e: EngineEvent): void {
    this.#out.write(`${JSON.stringify(e)}\n`);
  }
  close(): void {}
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The live view: finished steps scroll by above; running steps and a progress bar stay at the bottom. */
export class LiveRenderer implements Renderer {
  readonly #out: OutStream;
  readonly #running = new Map<string, { step: StepRef; since: number; attempt?: number }>();
  readonly #started = Date.now();
  #drawn = 0;
  #done = 0;
  #total = 0;
  #failed = 0;
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;
  #active = false;
  readonly #maxRows: number;
  readonly #verbose: boolean;
  #retried = 0;

  constructor(out: OutStream, options: RendererOptions & { maxRows?: number } = {}) {
    this.#out = out;
    this.#maxRows = options.maxRows ?? 10;
    this.#verbose = options.verbose === true;
  }

  onEvent(e: EngineEvent): void {
    if (e.type === 'start') {
      this.#total = e.total;
      this.#active = true;
      this.#timer = setInterval(() => this.#redraw([]), 100);
      this.#timer.unref();
    }
    if (e.type === 'step-start') this.#running.set(`${e.step.urn} ${e.step.op}`, { step: e.step, since: Date.now() });
    if (e.type === 'step-done' || e.type === 'step-failed') this.#running.delete(`${e.step.urn} ${e.step.op}`);
    if (e.type === 'retry') {
      this.#retried++;
      const row = this.#running.get(`${e.step.urn} ${e.step.op}`);
      if (row) row.attempt = e.attempt + 1;
    }
    if (e.type === 'progress') {
      this.#done = e.done;
      this.#total = Math.max(this.#total, e.total);
      this.#failed = e.failed;
    }
    if (e.type === 'summary') this.#stop();
    this.#redraw(permanentLines(e, true, this.#verbose, this.#retried));
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#active = false;
  }

  #redraw(lines: string[]): void {
    let text = this.#drawn > 0 ? `\x1b[${this.#drawn}A\x1b[0J` : '';
    if (lines.length) text += `${lines.join('\n')}\n`;
    const region = this.#active ? this.#region() : [];
    if (region.length) text += `${region.join('\n')}\n`;
    this.#drawn = region.length;
    if (text) this.#out.write(text);
  }

  #region(): string[] {
    const now = Date.now();
    const width = Math.max(40, (this.#out.columns ?? 80) - 1);
    const spin = SPINNER[this.#frame++ % SPINNER.length]!;
    const rows = [...this.#running.values()]
      .sort((a, b) => a.since - b.since)
      .slice(0, this.#maxRows)
      .map(({ step, since, attempt }) => clip(`${spin} ${label(step)}: ${verb(step, false)} ${duration(now - since)}${attempt ? ` (retrying, attempt ${attempt})` : ''}`, width));
    const hidden = this.#running.size - rows.length;
    if (hidden > 0) rows.push(`  … and ${hidden} more running`);
    const total = Math.max(this.#total, 1);
    const barWidth = 24;
    const filled = Math.min(barWidth, Math.round((this.#done / total) * barWidth));
    const bar = `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]`;
    const failed = this.#failed ? `, ${this.#failed} failed` : '';
    rows.push(clip(`${bar} ${this.#done}/${this.#total} done, ${this.#running.size} running${failed}  ${duration(now - this.#started)}`, width));
    return rows;
  }

  close(): void {
    this.#stop();
    this.#redraw([]);
  }
}

function clip(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}
