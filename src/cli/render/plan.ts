// A plan for people (a tree with + ~ +- - markers and a summary line, property detail on
// request) and for programs (JSON). Unchanged resources are not listed, except as the
// ancestors that give a changed resource its place in the tree; the summary counts them.
import type { Plan, PlannedStep } from '../../engine/index.ts';
import { rootStackUrn } from '../../state/index.ts';
import { changeLines, diffTag, marker, planSummary } from './format.ts';

interface Row {
  step: PlannedStep | undefined;
  urn: string;
  type: string;
  name: string;
  children: Row[];
}

export interface PlanTextOptions {
  /** Property-level detail under each changed resource. */
  diff?: boolean;
}

export function planText(plan: Plan, options: PlanTextOptions = {}): string {
  const lines: string[] = [];
  const title = plan.kind === 'destroy' ? `Previewing destroy (${plan.stack}):` : `Previewing update (${plan.stack}):`;
  lines.push(title, '');
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  if (plan.warnings.length) lines.push('');

  const changed = plan.steps.filter((s) => s.op !== 'same');
  if (changed.length === 0 && plan.outputChanges.length === 0) {
    lines.push('No changes.', '', planSummary(plan.counts));
    return `${lines.join('\n')}\n`;
  }
  const root = buildTree(plan, changed);
  const rows: [string, string, string, string][] = [['', 'Type', 'Name', 'Plan']];
  const details = new Map<number, string[]>();
  const walk = (row: Row, prefix: string, last: boolean, depth: number): void => {
    const branch = depth === 0 ? '' : `${prefix}${last ? '└─ ' : '├─ '}`;
    const s = row.step;
    const plan = s ? describe(s) : '';
    rows.push([s ? marker(s.op, s) : '', `${branch}${row.type}`, row.name, plan]);
    // Creates list every input and deletes every stored one, as updates list what changes.
    if (options.diff && s?.changes?.length) details.set(rows.length - 1, changeLines(s.changes, ''));
    const childPrefix = depth === 0 ? '' : `${prefix}${last ? '   ' : '│  '}`;
    row.children.forEach((c, i) => walk(c, childPrefix, i === row.children.length - 1, depth + 1));
  };
  walk(root, '', true, 0);
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const w2 = Math.max(...rows.map((r) => r[2].length));
  rows.forEach((r, i) => {
    lines.push(` ${r[0].padEnd(3)}${r[1].padEnd(w1 + 2)}${r[2].padEnd(w2 + 2)}${r[3]}`.trimEnd());
    const d = details.get(i);
    if (d) for (const line of d) lines.push(`${' '.repeat(8)}${line}`);
  });
  if (plan.outputChanges.length > 0) {
    lines.push('', 'Outputs:');
    lines.push(...changeLines(plan.outputChanges, '  '));
  }
  lines.push('', planSummary(plan.counts));
  return `${lines.join('\n')}\n`;
}

function describe(s: PlannedStep): string {
  if (s.op === 'delete') return s.replacedCopy ? 'delete (replaced copy)' : s.retain ? 'delete (kept in the cloud: retainOnDelete)' : 'delete';
  let text: string = s.op;
  if (s.op === 'replace') {
    const keys = s.diff?.replace ?? [];
    text += s.deleteBeforeReplace ? ' (delete first)' : '';
    if (keys.length) text += ` [forced by: ${keys.join(', ')}]`;
    else if (s.reason) text += ` [${s.reason}]`;
  } else if (s.op === 'update') text += diffTag(s.changes);
  return text;
}

function buildTree(plan: Plan, changed: PlannedStep[]): Row {
  const rootUrn = rootStackUrn(plan.stack);
  const root: Row = { step: undefined, urn: rootUrn, type: 'pulumi:pulumi:Stack', name: rootUrn.slice(rootUrn.lastIndexOf('::') + 2), children: [] };
  const all = new Map<string, PlannedStep>();
  for (const s of plan.steps) if (!all.has(s.urn) || s.op !== 'delete') all.set(s.urn, s);
  const rows = new Map<string, Row>([[rootUrn, root]]);
  const rowFor = (urn: string, step: PlannedStep | undefined): Row => {
    let row = rows.get(urn);
    if (row) {
      if (step && !row.step) row.step = step;
      return row;
    }
    const known = step ?? all.get(urn);
    row = { step, urn, type: known?.type ?? urn.split('::').at(-2)!.split('$').at(-1)!, name: known?.name ?? urn.slice(urn.lastIndexOf('::') + 2), children: [] };
    rows.set(urn, row);
    const parentUrn = known?.parent && known.parent !== urn ? known.parent : rootUrn;
    rowFor(parentUrn, undefined).children.push(row);
    return row;
  };
  for (const s of changed) {
    if (rows.has(s.urn) && rows.get(s.urn)!.step) {
      // A resource with two steps (replace, then delete of an old copy): a second row.
      const row: Row = { step: s, urn: s.urn, type: s.type, name: s.name, children: [] };
      rowFor(s.parent ?? rootUrn, undefined).children.push(row);
    } else rowFor(s.urn, s);
  }
  return root;
}

