// What every Azure resource type shares: the URN tag, input accessors, and the options of
// each call (the run's abort signal; the poll interval of long-running operations).
import type { PropertyMap } from '../../state/types.ts';
import type { CallContext } from '../../engine/index.ts';
export { sameSet, str, strList } from '../rest/inputs.ts';
import type { AzureClient } from './client.ts';

export type Ctx = CallContext<AzureClient>;

/** The tag every object we create carries; `adopt` looks for it. */
export const URN_TAG = 'sloth-kubernetes.urn';

export const tagsOf = (inputs: PropertyMap, ctx: Ctx): Record<string, string> => ({ ...((inputs.tags as Record<string, string> | undefined) ?? {}), [URN_TAG]: ctx.urnTag });

/** The tags as the config gave them (without ours). */
export function userTags(tags: Record<string, string> | undefined): Record<string, string> {
  const { [URN_TAG]: _urn, ...rest } = tags ?? {};
  return rest;
}

export const isOurs = (tags: Record<string, string> | undefined, ctx: { urnTag: string }): boolean => tags?.[URN_TAG] === ctx.urnTag;

export const call = (ctx: Ctx) => ({ abortSignal: ctx.signal });
export const lro = (ctx: Ctx) => ({ abortSignal: ctx.signal, updateIntervalInMs: ctx.client.pollMs });

/** Single addresses as prefixes (/32, /128), as Azure wants them. */
export const asPrefix = (address: string): string => (address.includes('/') ? address : address.includes(':') ? `${address}/128` : `${address}/32`);

/** `/subscriptions/…/resourceGroups/{rg}/…` → rg. */
export function resourceGroupOf(id: string): string {
  const m = /\/resourceGroups\/([^/]+)/i.exec(id);
  if (!m) throw new Error(`'${id}' is not an Azure resource id`);
  return decodeURIComponent(m[1]!);
}

/** The last segment of a resource id (its name). */
export const nameOf = (id: string): string => decodeURIComponent(id.slice(id.lastIndexOf('/') + 1));

