// Refresh: reads every resource from its cloud and brings the checkpoint in line. A resource
// that is gone is reported and dropped; anything else that changed out of band is reported as
// drift (a property diff) and stored. Nothing in the cloud is changed.
import type { JournalRecord, PropertyMap, ResourceState } from '../state/types.ts';
import type { Run } from './run.ts';
import { isCustomResource, timeoutSeconds } from './run.ts';
import type { PropertyChange, StepRef } from './events.ts';
import { mapChanges } from './diff.ts';
import { keepSecretness, preserveUnchangedMap, revealMap } from './values.ts';
import { parseUrn } from './urn.ts';
import { detachRecords } from './view.ts';

export interface RefreshOutcome {
  drifted: number;
  gone: number;
  /** Already applied to the run's view; write them with `{ applied: true }`. */
  records: JournalRecord[];
}

/** The copies a refresh reads: every cloud resource (live and old halves), or the targeted ones. */
export function readableCopies(run: Run, targeted: Set<string> | undefined): { r: ResourceState; old: boolean }[] {
  const copies: { r: ResourceState; old: boolean }[] = [];
  for (const r of run.view.live.values()) if (isCustomResource(r) && (!targeted || targeted.has(r.urn))) copies.push({ r, old: false });
  for (const list of run.view.oldCopies.values()) for (const r of list) if (isCustomResource(r) && (!targeted || targeted.has(r.urn))) copies.push({ r, old: true });
  return copies;
}

/** Reads every readable copy; `before` is the number of steps the run made before (adoption). */
export async function readAll(run: Run, targeted: Set<string> | undefined, before = 0): Promise<RefreshOutcome> {
  const copies = readableCopies(run, targeted);
  run.total = before + copies.length;
  const outcome: RefreshOutcome = { drifted: 0, gone: 0, records: [] };
  // Results are written in checkpoint order whatever order the reads finish in.
  const results: (JournalRecord | undefined)[] = new Array(copies.length);
  await Promise.all(
    copies.map(async ({ r, old }, i) => {
      if (!r.id) return;
      let release: (() => void) | undefined;
      const step: StepRef = { urn: r.urn, type: r.type, name: parseUrn(r.urn).name, op: 'read', ...(old ? { replacedCopy: true } : {}) };
      try {
        release = await run.acquire(0);
      } catch {
        return;
      }
      const t0 = run.stepStarted(step);
      try {
        const { pkg, client, type } = await run.providerFor(r);
        const snapshot = { inputs: revealMap(r.inputs ?? {}), outputs: revealMap(r.outputs ?? {}) };
        const read = await run.call(step, pkg, timeoutSeconds('read', r, type), [r.inputs, r.outputs], (signal) => type.read(r.id!, snapshot, run.context(r, client, signal, [r.inputs, r.outputs])));
        release();
        release = undefined;
        if (!read) {
          outcome.gone++;
          results[i] = old ? { op: 'remove', urn: r.urn, deleted: true } : { op: 'remove', urn: r.urn };
          run.emit({ type: 'drift', urn: r.urn, resourceType: r.type, name: step.name, kind: 'gone', changes: [] });
          run.count('delete');
        } else {
          const outputs = preserveUnchangedMap(r.outputs, keepSecretness(r.outputs, read.outputs ?? {}, r.additionalSecretOutputs));
          const inputs: PropertyMap = read.inputs ? preserveUnchangedMap(r.inputs, keepSecretness(r.inputs, read.inputs)) : (r.inputs ?? {});
          const outputChanges = mapChanges(r.outputs ?? {}, outputs);
          const seen = new Set(outputChanges.map((c) => c.key));
          // Inputs usually mirror outputs; show an input change only when no output shows it.
          const inputChanges = mapChanges(r.inputs ?? {}, inputs).filter((c) => !seen.has(c.key)).map((c) => ({ ...c, key: `inputs.${c.key}` }));
          const changes: PropertyChange[] = [...outputChanges, ...inputChanges];
          if (changes.length > 0) {
            outcome.drifted++;
            if (!old) results[i] = { op: 'put', resource: { ...r, inputs, outputs, modified: new Date().toISOString() } };
            run.emit({ type: 'drift', urn: r.urn, resourceType: r.type, name: step.name, kind: 'changed', changes });
            run.count('update');
          } else run.count('same');
        }
        run.stepDone(step, t0);
      } catch (err) {
        release?.();
        run.stepFailed(step, t0, err);
      }
    }),
  );
  // Build the batch against the view: updates first, then removals, each of which first
  // detaches whatever still refers to the removed resource (see detachRecords).
  const ordered = [...results.filter((r) => r?.op === 'put'), ...results.filter((r) => r?.op === 'remove')];
  for (const rec of ordered) {
    if (!rec) continue;
    const batch = rec.op === 'remove' && !rec.deleted ? [...detachRecords(run.view, rec.urn), rec] : [rec];
    run.view.apply(batch);
    outcome.records.push(...batch);
  }
  return outcome;
}
