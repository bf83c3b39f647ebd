// What every GCP resource type shares: waiting for Compute Engine operations, the marks
// that let `adopt` recognise our objects (a label where the object takes labels, the
// description elsewhere), and input accessors.
import type { PropertyMap } from '../../state/types.ts';
import type { CallContext } from '../../engine/index.ts';
export { sameSet, str, strList } from '../rest/inputs.ts';
import type { GcpClient } from './client.ts';
import { GcpOperationError } from './errors.ts';

export type Ctx = CallContext<GcpClient>;

interface Operation {
  name?: string | null;
  status?: string | number | null;
  zone?: string | null;
  region?: string | null;
  error?: { errors?: { code?: string | null; message?: string | null }[] | null } | null;
}

/** The last segment of a URL or path (`…/zones/us-central1-b` → `us-central1-b`). */
export const last = (s: string): string => s.slice(s.lastIndexOf('/') + 1);

/**
 * Waits until a Compute Engine operation is DONE (the API's `wait` answers when it is, or
 * after two minutes; asked again until then) and throws its errors.
 */
export async function waitFor(started: { latestResponse?: unknown }, what: string, ctx: Ctx): Promise<void> {
  let op = started.latestResponse as Operation;
  const project = ctx.client.project;
  while (op.status !== 'DONE') {
    ctx.signal.throwIfAborted();
    const operation = op.name!;
    // The clients take no abort signal: the run's is checked between waits.
    if (op.zone) [op] = (await ctx.client.zoneOperations.wait({ project, zone: last(op.zone), operation })) as unknown as [Operation];
    else if (op.region) [op] = (await ctx.client.regionOperations.wait({ project, region: last(op.region), operation })) as unknown as [Operation];
    else [op] = (await ctx.client.globalOperations.wait({ project, operation })) as unknown as [Operation];
  }
  if (op.error?.errors?.length) throw new GcpOperationError(what, op.error.errors);
}

/** Label key and description that mark an object as made for a URN. */
export const URN_LABEL = 'sloth-urn';
export const urnDescription = (urnTag: string, text = ''): string => `${text ? `${text} ` : ''}[sloth-kubernetes urn ${urnTag}]`.slice(-2048);
export const carriesUrn = (description: string | null | undefined, urnTag: string): boolean => (description ?? '').includes(`[sloth-kubernetes urn ${urnTag}]`);
/** The description as the config gave it. */
export const withoutUrn = (description: string | null | undefined): string => (description ?? '').replace(/ ?\[sloth-kubernetes urn [0-9a-f]+\]$/, '');

export const labelsOf = (inputs: PropertyMap, ctx: Ctx): Record<string, string> => ({ ...((inputs.labels as Record<string, string> | undefined) ?? {}), [URN_LABEL]: ctx.urnTag });

export function userLabels(labels: Record<string, string> | null | undefined): Record<string, string> {
  const { [URN_LABEL]: _urn, ...rest } = labels ?? {};
  return rest;
}

/** Single addresses as ranges (/32, /128). */
export const asRange = (address: string): string => (address.includes('/') ? address : address.includes(':') ? `${address}/128` : `${address}/32`);
