// The plan as JSON for programs (the CLI's --json, the jobs server's plan on a job): every
// step that changes something, the counts, the output changes and the warnings. Values are
// already redacted in the plan.
import type { Plan } from './plan.ts';

/** The plan for programs: every step that changes something, counts, outputs, warnings. */
export function planJson(plan: Plan): Record<string, unknown> {
  return {
    stack: plan.stack,
    kind: plan.kind,
    steps: plan.steps
      .filter((s) => s.op !== 'same')
      .map((s) => ({
        urn: s.urn,
        type: s.type,
        name: s.name,
        op: s.op,
        ...(s.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
        ...(s.replacedCopy ? { replacedCopy: true } : {}),
        ...(s.retain ? { retainOnDelete: true } : {}),
        ...(s.diff?.replace.length ? { replaceKeys: s.diff.replace } : {}),
        ...(s.reason ? { reason: s.reason } : {}),
        ...(s.changes?.length ? { changes: s.changes } : {}),
      })),
    summary: plan.counts,
    outputs: plan.outputChanges,
    warnings: plan.warnings,
  };
}
