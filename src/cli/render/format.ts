// Shared pieces of the engine's output: step markers, verbs, durations, property changes.
import type { PropertyChange, StepOp, StepRef } from '../../engine/index.ts';
import type { ChangeCounts } from '../../engine/index.ts';

export function marker(op: StepOp, step?: Pick<StepRef, 'replacedCopy'>): string {
  switch (op) {
    case 'create':
      return '+';
    case 'update':
      return '~';
    case 'replace':
      return '+-';
    case 'delete':
      return step?.replacedCopy ? '--' : '-';
    case 'read':
      return '>';
    case 'import':
      return '=';
    default:
      return ' ';
  }
}

const VERBS: Record<StepOp, [string, string]> = {
  create: ['creating', 'created'],
  update: ['updating', 'updated'],
  replace: ['replacing', 'replaced'],
  delete: ['deleting', 'deleted'],
  read: ['reading', 'read'],
  import: ['looking up', 'imported'],
  same: ['', 'unchanged'],
};

export function verb(step: StepRef, done: boolean): string {
  if (step.op === 'delete' && step.replacedCopy) return done ? 'deleted (replaced copy)' : 'deleting (replaced copy)';
  return VERBS[step.op][done ? 1 : 0];
}

/** 0.4s, 12.3s, 2m05s, 1h02m. */
export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function show(v: unknown): string {
  if (v === '[secret]' || v === '(known after apply)') return v;
  return JSON.stringify(v);
}

/** One line per changed property: `~ size: 1 => 2`, `+ token: [secret]`, `- old: "x"`. */
export function changeLines(changes: readonly PropertyChange[], indent: string): string[] {
  return changes.map((c) => {
    const tail = c.replace ? ' (forces replacement)' : '';
    if (c.kind === 'add') return `${indent}+ ${c.key}: ${show(c.new)}${tail}`;
    if (c.kind === 'delete') return `${indent}- ${c.key}: ${show(c.old)}${tail}`;
    return `${indent}~ ${c.key}: ${show(c.old)} => ${show(c.new)}${tail}`;
  });
}

/** `[diff: ~size +tags]` for a compact row. */
export function diffTag(changes: readonly PropertyChange[] | undefined): string {
  if (!changes || changes.length === 0) return '';
  const keys = changes.map((c) => `${c.kind === 'add' ? '+' : c.kind === 'delete' ? '-' : '~'}${c.key}`);
  return ` [diff: ${keys.join(' ')}]`;
}

/** The summary line a preview ends with. */
export function planSummary(c: ChangeCounts): string {
  return `Resources: ${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete, ${c.same} unchanged`;
}

/** The summary line an update, refresh or destroy ends with. */
export function resultSummary(changes: Record<string, number>, failed: number): string {
  const n = (k: string) => changes[k] ?? 0;
  const parts = [`${n('create')} created`, `${n('update')} updated`, `${n('replace')} replaced`, `${n('delete')} deleted`, `${n('same')} unchanged`];
  if (n('import') > 0) parts.unshift(`${n('import')} imported`);
  if (failed > 0) parts.push(`${failed} failed`);
  return `Resources: ${parts.join(', ')}`;
}
