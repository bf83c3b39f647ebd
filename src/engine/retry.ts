// Provider calls with retries and a time limit. Throttling and transient errors are retried
// with exponential backoff and full jitter (a random delay between 0 and the exponential
// cap, so many callers hitting one API limit spread out instead of retrying in lockstep).
// The time limit covers all attempts; the call's AbortSignal fires when it runs out or when
// the user aborts the run.
import { setTimeout as delay } from 'node:timers/promises';
import type { ErrorClass } from './provider.ts';
import { errorMessage, StepError } from './errors.ts';

export interface RetryPolicy {
  /** Attempts in all, including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface CallOptions {
  classify: (err: unknown) => ErrorClass;
  policy: RetryPolicy;
  timeoutMs: number;
  /** The run's abort signal (second Ctrl-C). */
  runSignal: AbortSignal;
  onRetry?: (attempt: number, delayMs: number, error: string, errorClass: ErrorClass) => void;
  /** Removes secrets from error text. */
  scrub: (text: string) => string;
  random?: () => number;
}

export async function callWithRetry<T>(fn: (signal: AbortSignal) => Promise<T>, o: CallOptions): Promise<T> {
  const controller = new AbortController();
  let why: 'timeout' | 'cancelled' | undefined;
  const timer = setTimeout(() => {
    why = 'timeout';
    controller.abort(new Error(`timed out after ${formatSeconds(o.timeoutMs)}`));
  }, o.timeoutMs);
  const onRunAbort = (): void => {
    why ??= 'cancelled';
    controller.abort(new Error('aborted by the user'));
  };
  if (o.runSignal.aborted) onRunAbort();
  else o.runSignal.addEventListener('abort', onRunAbort, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(abortError(why, o.timeoutMs)), { once: true });
  });
  aborted.catch(() => undefined);
  const random = o.random ?? Math.random;
  try {
    for (let attempt = 1; ; attempt++) {
      if (controller.signal.aborted) throw abortError(why, o.timeoutMs);
      try {
        // A provider that ignores the signal must not hold the run: race it against the abort.
        return await Promise.race([fn(controller.signal), aborted]);
      } catch (err) {
        if (err instanceof StepError) throw err;
        if (controller.signal.aborted) throw abortError(why, o.timeoutMs);
        const cls = safeClassify(o.classify, err);
        const message = o.scrub(errorMessage(err));
        if (cls === 'permanent') throw new StepError(message, 'permanent');
        if (attempt >= o.policy.maxAttempts) throw new StepError(`${message} (gave up after ${attempt} attempts)`, cls);
        const cap = Math.min(o.policy.maxDelayMs, o.policy.baseDelayMs * 2 ** (attempt - 1));
        const wait = Math.round(random() * cap);
        o.onRetry?.(attempt, wait, message, cls);
        await delay(wait, undefined, { signal: controller.signal }).catch(() => undefined);
      }
    }
  } finally {
    clearTimeout(timer);
    o.runSignal.removeEventListener('abort', onRunAbort);
  }
}

function safeClassify(classify: (err: unknown) => ErrorClass, err: unknown): ErrorClass {
  try {
    return classify(err);
  } catch {
    return 'permanent';
  }
}

function abortError(why: 'timeout' | 'cancelled' | undefined, timeoutMs: number): StepError {
  return why === 'timeout' ? new StepError(`timed out after ${formatSeconds(timeoutMs)}`, 'timeout') : new StepError('aborted by the user', 'cancelled');
}

export function formatSeconds(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000}m` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)}s`;
}
