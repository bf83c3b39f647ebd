// How `manifests diff --live` shows its result: per object, in sync / differs / missing, and
// for each difference the recorded value (-) and the live one (+). Values are redacted like
// `manifests show` does (the stack's secrets, credential-named keys) unless --show-secrets;
// a Secret's data never has values to show.
import { redactValue, REDACTED } from '../../audit/index.ts';
import { describeRef, unifiedDiff } from '../../manifests/index.ts';
import type { Difference, LiveDiff, ObjectDiff } from '../../manifests/index.ts';

export interface LiveDiffReport {
  id: string;
  version: string;
  hash: string;
  /** Where the objects were read: the API node, and the bastion it was reached through. */
  node: string;
  via?: string;
  diff: LiveDiff;
  status: { before: string; after: string; recorded: boolean; note?: string };
}

const LAST_KEY = /(?:^|\.)([A-Za-z_$][A-Za-z0-9_$-]*)$|\["((?:[^"\\]|\\.)*)"\]$/;

/** A difference's values as they may be shown. */
function shownDifference(d: Difference, secrets: readonly string[] | undefined): Difference {
  if (d.secret || !secrets) return d;
  const m = LAST_KEY.exec(d.path);
  const key = m ? (m[1] ?? (JSON.parse(`"${m[2]}"`) as string)) : undefined;
  const redact = (v: unknown) => (key === undefined ? redactValue(v, secrets) : (redactValue({ [key]: v }, secrets) as Record<string, unknown>)[key]);
  const out: Difference = { path: d.path, change: d.change };
  if ('recorded' in d) out.recorded = redact(d.recorded);
  if ('live' in d) out.live = redact(d.live);
  return out;
}

/** The report with values redacted (`secrets` undefined: --show-secrets). */
export function redactReport(r: LiveDiffReport, secrets: readonly string[] | undefined): LiveDiffReport {
  return { ...r, diff: { ...r.diff, objects: r.diff.objects.map((o) => ({ ...o, differences: o.differences.map((d) => shownDifference(d, secrets)) })) } };
}

const value = (v: unknown): string => (v === REDACTED ? REDACTED : JSON.stringify(v));
const indent = (text: string, by: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `${by}${l}`)
    .join('\n');

function differenceLines(d: Difference): string[] {
  if (d.secret) return [`  ~ ${d.path}: ${d.change === 'absent' ? 'not set in the cluster' : 'the value differs'} (Secret data, not shown)`];
  if (d.change === 'extra') return [`  + ${d.path}: ${value(d.live)}   (only in the cluster)`];
  if (d.change === 'absent') return [`  - ${d.path}: ${value(d.recorded)}`, `  + ${d.path}: (not set)`];
  if (typeof d.recorded === 'string' && typeof d.live === 'string' && (d.recorded.includes('\n') || d.live.includes('\n'))) {
    return [`  ~ ${d.path}:`, indent(unifiedDiff(d.recorded, d.live, { from: 'recorded', to: 'live' }), '      ')];
  }
  return [`  - ${d.path}: ${value(d.recorded)}`, `  + ${d.path}: ${value(d.live)}`];
}

function objectLines(o: ObjectDiff): string[] {
  const name = describeRef(o, o.liveNamespace);
  if (o.state === 'in-sync') return [`${name}: in sync`];
  if (o.state === 'missing') return [`${name}: missing from the cluster${o.reason ? ` (${o.reason})` : ''}`];
  return [`${name}: differs`, ...o.differences.flatMap(differenceLines)];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderLiveDiff(r: LiveDiffReport): string {
  const where = `read on ${r.node}${r.via ? ` through ${r.via}` : ''}`;
  const { counts } = r.diff;
  const lines = [`${r.id} ${r.version} (sha256:${r.hash.slice(0, 12)}) against the live cluster, ${where}:`, '', ...r.diff.objects.flatMap(objectLines), ''];
  const status = r.status.before === r.status.after ? `Status: ${r.status.after}.` : `Status: ${r.status.before} → ${r.status.after}.`;
  if (r.diff.inSync) lines.push(`${r.id}: ${counts.objects === 1 ? 'its object matches' : `all ${counts.objects} objects match`} the cluster. ${status}`);
  else {
    const parts = [counts.differs > 0 ? `${counts.differs} of ${plural(counts.objects, 'object')} ${counts.differs === 1 ? 'differs' : 'differ'}` : '', counts.missing > 0 ? `${counts.missing} missing from the cluster` : ''].filter(Boolean);
    lines.push(`${r.id} is out of sync with the cluster: ${parts.join(', ')}. ${status}`);
  }
  if (r.status.note) lines.push(r.status.note);
  return `${lines.join('\n')}\n`;
}
