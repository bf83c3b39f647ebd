// Flow-control policy (seed 003): previewBeforeUpdate, pauseBetweenPreviewAndUpdate and
// skipRefresh, each set at platform, organization, environment or stack level; the most
// specific setting wins, and the job shows where each came from. Unset everywhere: the
// platform defaults below.
import { JobsError } from './errors.ts';
import { POLICY_KEYS, POLICY_SCOPES } from './types.ts';
import type { FlowPolicy, Operation, PolicyScope, ResolvedPolicy, Step } from './types.ts';

export const DEFAULT_POLICY: FlowPolicy = { previewBeforeUpdate: true, pauseBetweenPreviewAndUpdate: false, skipRefresh: false };

/** A policy as stored or sent: any subset of the keys, booleans only. */
export function parsePolicy(value: unknown, where: string): Partial<FlowPolicy> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JobsError('invalid', `${where}: a policy is an object with ${POLICY_KEYS.join(', ')}`);
  const out: Partial<FlowPolicy> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!(POLICY_KEYS as readonly string[]).includes(k)) throw new JobsError('invalid', `${where}: unknown policy key '${k}' (known: ${POLICY_KEYS.join(', ')})`);
    if (typeof v !== 'boolean') throw new JobsError('invalid', `${where}: ${k} must be true or false`);
    out[k as keyof FlowPolicy] = v;
  }
  return out;
}

export interface ScopedPolicy {
  scope: PolicyScope;
  name: string;
  policy: Partial<FlowPolicy>;
}

/** Resolves the levels that apply (any order); the most specific setting of each key wins. */
export function resolvePolicy(levels: readonly ScopedPolicy[]): ResolvedPolicy {
  const sorted = [...levels].sort((a, b) => POLICY_SCOPES.indexOf(a.scope) - POLICY_SCOPES.indexOf(b.scope));
  const out = Object.fromEntries(POLICY_KEYS.map((k) => [k, { value: DEFAULT_POLICY[k], from: 'default' as const }])) as ResolvedPolicy;
  for (const level of sorted) {
    for (const k of POLICY_KEYS) {
      const v = level.policy[k];
      if (v !== undefined) out[k] = { value: v, from: level.scope, ...(level.scope === 'platform' ? {} : { scopeName: level.name }) };
    }
  }
  if (out.pauseBetweenPreviewAndUpdate.value && !out.previewBeforeUpdate.value) {
    throw new JobsError('invalid', `flow-control policy: pauseBetweenPreviewAndUpdate (set at ${describe(out.pauseBetweenPreviewAndUpdate)}) needs previewBeforeUpdate, which is off (${describe(out.previewBeforeUpdate)})`, 'Turn previewBeforeUpdate on at the same level or a more specific one.');
  }
  return out;
}

const describe = (s: ResolvedPolicy[keyof ResolvedPolicy]): string => (s.scopeName ? `${s.from} ${s.scopeName}` : s.from);

/** The steps an operation runs under a policy. */
export function stepsFor(operation: Operation, policy: ResolvedPolicy): Step[] {
  const refresh: Step[] = policy.skipRefresh.value ? [] : ['refresh'];
  const preview: Step[] = policy.previewBeforeUpdate.value ? ['preview'] : [];
  switch (operation) {
    case 'preview':
      return ['init', ...refresh, 'preview'];
    case 'refresh':
      return ['init', 'refresh'];
    case 'deploy':
    case 'rollback':
      return ['init', ...refresh, ...preview, 'apply'];
    case 'destroy':
      return ['init', ...refresh, ...preview, 'destroy'];
  }
}
