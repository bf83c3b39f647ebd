// The fetch every REST client of this folder hands openapi-fetch: the bearer token, the rate
// limit the API announces (remaining / reset headers, and 429 with retry-after), which holds
// every request until the reset and waits out a few 429s itself, and errors as ApiError
// (a non-2xx answer, or no answer at all). Retrying 5xx and network failures is the engine's
// job (each package's classifyError); the client only waits out the rate limit, which the
// API tells it exactly how long to do.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, describeNetworkError } from './errors.ts';

export interface ApiFetchOptions {
  token: string;
  /** Makes the error for a non-2xx answer (the body is the answer's text). */
  error(method: string, path: string, res: Response, text: string): ApiError;
  /** Network failures: `<cloud> API … no answer`. */
  cloud: string;
  /** Header names of the rate limit (lower case): remaining budget and reset time (epoch seconds). */
  rateLimitHeaders: { remaining: string; reset: string };
  /** How many 429 answers in a row are waited out before the error goes to the engine. */
  rateLimitRetries?: number;
  /** The longest wait for the rate limit that the client does itself (ms). */
  maxRateLimitWaitMs?: number;
  userAgent?: string;
  fetch?: typeof fetch;
}

export interface ApiFetch {
  (request: Request): Promise<Response>;
  /** Requests sent (tests and benchmarks). */
  readonly requests: () => number;
}

export function apiFetch(o: ApiFetchOptions): ApiFetch {
  const send = o.fetch ?? fetch;
  const retries = o.rateLimitRetries ?? 5;
  const maxWait = o.maxRateLimitWaitMs ?? 60_000;
  let pausedUntil = 0;
  let requests = 0;

  const note = (res: Response) => {
    const remaining = Number(res.headers.get(o.rateLimitHeaders.remaining));
    const reset = Number(res.headers.get(o.rateLimitHeaders.reset));
    const retryAfter = Number(res.headers.get('retry-after'));
    const exhausted = res.status === 429 || (res.headers.has(o.rateLimitHeaders.remaining) && remaining <= 0);
    if (!exhausted) return;
    let until = Number.isFinite(reset) && reset > 0 ? reset * 1000 : 0;
    if (Number.isFinite(retryAfter) && retryAfter > 0) until = Math.max(until, Date.now() + retryAfter * 1000);
    // A 429 with no usable reset time: back off a second before the next try.
    if (until <= Date.now()) until = res.status === 429 ? Date.now() + 1000 : 0;
    pausedUntil = Math.max(pausedUntil, until);
  };

  const call = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname + url.search;
    const body = request.body === null ? undefined : await request.arrayBuffer();
    for (let attempt = 0; ; attempt++) {
      const wait = pausedUntil - Date.now();
      if (wait > 0) await sleep(Math.min(wait, maxWait), undefined, { signal: request.signal });
      let res: Response;
      try {
        requests++;
        const headers = new Headers(request.headers);
        headers.set('authorization', `Bearer ${o.token}`);
        headers.set('accept', 'application/json');
        headers.set('user-agent', o.userAgent ?? 'sloth-kubernetes');
        res = await send(request.url, { method: request.method, headers, body, signal: request.signal });
      } catch (err) {
        if ((err as Error).name === 'AbortError' || request.signal.aborted) throw err;
        throw new ApiError({ cloud: o.cloud, method: request.method, path, status: 0, code: 'network_error', message: describeNetworkError(err) });
      }
      note(res);
      if (res.status === 429 && attempt < retries && pausedUntil - Date.now() <= maxWait) {
        await res.body?.cancel();
        continue;
      }
      if (res.ok) return res;
      throw o.error(request.method, path, res, await res.text());
    }
  };
  return Object.assign(call, { requests: () => requests });
}

/** Polls `probe` until it answers something other than undefined: first interval, then doubling up to the maximum. */
export async function poll<T>(probe: () => Promise<T | undefined>, interval: { minMs: number; maxMs: number }, signal?: AbortSignal): Promise<T> {
  let delay = interval.minMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(delay, undefined, { signal });
    delay = Math.min(delay * 2, interval.maxMs);
  }
}

/** The body of a successful answer (the fetch above throws for any other). */
export function body<T>(result: { data?: T; response: Response }): T {
  if (result.data === undefined) throw new Error(`${result.response.url}: the API answered ${result.response.status} with no body`);
  return result.data;
}

/** Undefined for 404 (the object is gone); any other error is thrown. */
export async function orGone<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** A delete where an object already gone counts as deleted. */
export async function gone(call: Promise<unknown>): Promise<void> {
  await orGone(call);
}
