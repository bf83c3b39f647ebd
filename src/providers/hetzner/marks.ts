// Labels: every object we create carries the cluster's labels and its URN tag as the label
// `sloth-kubernetes/urn`, by which adopt finds what an interrupted create left behind (Hetzner
// has no idempotency key). Subnets, load balancer services, targets and network attachments
// have no labels: they are unique by what they are (a range in a network, a port on a
// balancer, a selector, a network), so adopt finds them by that.
import type { PropertyMap } from '../../state/types.ts';

export const URN_LABEL = 'sloth-kubernetes/urn';

/** The labels to send: the inputs' labels and the URN tag. */
export function labelsOf(inputs: PropertyMap, urnTag: string): Record<string, string> {
  const given = inputs.labels;
  const out: Record<string, string> = {};
  if (given !== undefined && given !== null) {
    if (typeof given !== 'object' || Array.isArray(given)) throw new Error("input 'labels' must be a map of strings");
    for (const [k, v] of Object.entries(given)) {
      if (typeof v !== 'string') throw new Error(`label '${k}' must be a string`);
      out[k] = v;
    }
  }
  return { ...out, [URN_LABEL]: urnTag };
}

/** The labels as the config gave them (without the URN label). */
export function configLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const { [URN_LABEL]: _tag, ...rest } = labels ?? {};
  return rest;
}

export const urnSelector = (urnTag: string): string => `${URN_LABEL}=${urnTag}`;

export function sameLabels(a: Record<string, string>, b: unknown): boolean {
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return false;
  const kb = Object.keys(b);
  return Object.keys(a).length === kb.length && kb.every((k) => a[k] === (b as Record<string, unknown>)[k]);
}
