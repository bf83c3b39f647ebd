// The Stack's status in kstatus terms: Ready, Reconciling and Stalled, each with a one-word
// reason and a message for people (Drifted beside them, from drift detection). A condition's
// lastTransitionTime moves only when its status does.
import type { Condition, ConditionType, StackResource } from './types.ts';

export interface Phase {
  ready: boolean;
  reconciling: boolean;
  stalled: boolean;
  reason: string;
  message: string;
}

export const phases = {
  /** The stack matches the Stack resource's config. */
  ready: (message: string): Phase => ({ ready: true, reconciling: false, stalled: false, reason: 'UpdateSucceeded', message }),
  /** Work is under way, or will be without anyone's help (a retry, a prerequisite). */
  progressing: (reason: string, message: string): Phase => ({ ready: false, reconciling: true, stalled: false, reason, message }),
  /** Nothing will change until the Stack, its source or what it references changes. */
  stalled: (reason: string, message: string): Phase => ({ ready: false, reconciling: false, stalled: true, reason, message }),
  /** Waiting for a person (an approval). */
  waiting: (reason: string, message: string): Phase => ({ ready: false, reconciling: false, stalled: false, reason, message }),
};

function condition(previous: Condition[] | undefined, type: ConditionType, status: boolean, reason: string, message: string, generation: number | undefined, now: string): Condition {
  const s = status ? 'True' : 'False';
  const before = previous?.find((c) => c.type === type);
  return { type, status: s, reason, message, observedGeneration: generation, lastTransitionTime: before && before.status === s ? before.lastTransitionTime : now };
}

/** The conditions for `phase`; Drifted is kept as it was. */
export function conditionsFor(stack: StackResource, phase: Phase, now = new Date()): Condition[] {
  const prev = stack.status?.conditions;
  const gen = stack.metadata.generation;
  const at = now.toISOString();
  const out = [
    condition(prev, 'Ready', phase.ready, phase.reason, phase.message, gen, at),
    condition(prev, 'Reconciling', phase.reconciling, phase.reconciling ? phase.reason : 'Idle', phase.reconciling ? phase.message : '', gen, at),
    condition(prev, 'Stalled', phase.stalled, phase.stalled ? phase.reason : 'NotStalled', phase.stalled ? phase.message : '', gen, at),
  ];
  const drifted = prev?.find((c) => c.type === 'Drifted');
  return drifted ? [...out, drifted] : out;
}

export function driftCondition(stack: StackResource, drifted: boolean, reason: string, message: string, now = new Date()): Condition[] {
  const prev = stack.status?.conditions ?? [];
  const c = condition(prev, 'Drifted', drifted, reason, message, stack.metadata.generation, now.toISOString());
  return [...prev.filter((x) => x.type !== 'Drifted'), c];
}

/** The condition of `type`, if set. */
export const conditionOf = (stack: StackResource, type: ConditionType): Condition | undefined => stack.status?.conditions?.find((c) => c.type === type);

/** Whether the status already says `phase` (so nothing needs writing). */
export function showsPhase(stack: StackResource, phase: Phase): boolean {
  const ready = conditionOf(stack, 'Ready');
  const rec = conditionOf(stack, 'Reconciling');
  const st = conditionOf(stack, 'Stalled');
  return (
    ready?.status === (phase.ready ? 'True' : 'False') &&
    ready.reason === phase.reason &&
    ready.message === phase.message &&
    rec?.status === (phase.reconciling ? 'True' : 'False') &&
    st?.status === (phase.stalled ? 'True' : 'False') &&
    stack.status?.observedGeneration === stack.metadata.generation
  );
}

/**
 * `next` as a merge patch that replaces `previous` whole: a JSON merge patch merges nested
 * objects, so a key `next` lacks is sent as null (removed) rather than left as it was.
 */
export function replacing<T extends object>(previous: object | undefined, next: T): T {
  return { ...Object.fromEntries(Object.keys(previous ?? {}).map((k) => [k, null])), ...next };
}
