// How `manifests diff --live` shows its result: per object, in sync / differs / missing, and
// for each difference the recorded value (-) and the live one (+). The report comes redacted
// from the ops layer (the stack's secrets, credential-named keys) unless --show-secrets; a
// Secret's data never has values to show.
import { describeRef, unifiedDiff } from '../../manifests/index.ts';
import type { Difference, ObjectDiff } from '../../manifests/index.ts';
import type { LiveDiffReport } from '../../ops/manifests-live.ts';
import { REDACTED } from '../../redact/index.ts';

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

/** The report as `--json` prints it. */
export function liveDiffJson(r: LiveDiffReport): unknown {
  const { diff, ...rest } = r;
  return { ...rest, inSync: diff.inSync, counts: diff.counts, objects: diff.objects };
}
