// Helpers every AWS resource type shares: one SDK call with the step's abort signal, polling
// until a condition holds (waiters), and the tags that mark what we created.
import { setTimeout as sleep } from 'node:timers/promises';
import { awsCall, classifyError } from './errors.ts';
import type { PropertyMap, PropertyValue } from '../../state/types.ts';

export interface CallOptions {
  abortSignal: AbortSignal;
}

/** Runs `fn` with the abort signal; a failure becomes an AwsCallError named after `operation`. */
export function call<T>(signal: AbortSignal, operation: string, fn: (options: CallOptions) => Promise<T>): Promise<T> {
  return awsCall(operation, () => fn({ abortSignal: signal }));
}

/**
 * Polls `check` until it returns a value: 250 ms, doubling to 5 s between tries. Throttling
 * and passing errors while polling are waited out; the step's time limit (its signal) ends
 * the wait. Returns what `check` returned.
 */
export async function waitFor<T>(signal: AbortSignal, what: string, check: () => Promise<T | undefined>): Promise<T> {
  let delay = 250;
  for (;;) {
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(`stopped waiting for ${what}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      if (classifyError(err) === 'permanent') throw err;
    }
    await sleep(delay, undefined, { signal }).catch(() => undefined);
    delay = Math.min(delay * 2, 5000);
  }
}

/** The tag every object we create carries: the SHA-256 prefix of its URN (ctx.urnTag). */
export const URN_TAG = 'sloth-kubernetes/urn';

export interface Tag {
  Key: string;
  Value: string;
}

/** The configured tags plus the URN tag, in AWS's shape. */
export function awsTags(tags: PropertyValue | undefined, urnTag: string): Tag[] {
  return [...Object.entries(stringMap(tags)).map(([Key, Value]) => ({ Key, Value })), { Key: URN_TAG, Value: urnTag }];
}

/** Tags as the config has them: without ours and AWS's own. */
export function tagMap(tags: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key && t.Key !== URN_TAG && !t.Key.startsWith('aws:')) out[t.Key] = t.Value ?? '';
  return out;
}

export function stringMap(v: PropertyValue | undefined): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as PropertyMap)) if (x !== undefined && x !== null) out[k] = String(x);
  return out;
}

/** What changed between two tag maps: tags to set and keys to remove. */
export function tagChanges(olds: PropertyValue | undefined, news: PropertyValue | undefined): { set: Tag[]; remove: string[] } {
  const a = stringMap(olds);
  const b = stringMap(news);
  return {
    set: Object.entries(b)
      .filter(([k, v]) => a[k] !== v)
      .map(([Key, Value]) => ({ Key, Value })),
    remove: Object.keys(a).filter((k) => !(k in b)),
  };
}

export const str = (v: PropertyValue | undefined): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
export const num = (v: PropertyValue | undefined): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : undefined);
