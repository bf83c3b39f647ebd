// A small typed client for DigitalOcean's public v2 API (the contract is
// test/contracts/digitalocean/DigitalOcean-public.v2.bundled.json): JSON over fetch with
// the bearer token, pagination through `links.pages.next`, action polling, and the rate limit
// the API announces (`ratelimit-remaining` / `ratelimit-reset`, and 429). Retrying 5xx and
// network failures is the engine's job (see classifyError in errors.ts); the client only
// waits out the rate limit, which the API tells it exactly how long to do.
import { setTimeout as sleep } from 'node:timers/promises';
import { DoApiError, DoActionError } from './errors.ts';

export const DEFAULT_ENDPOINT = 'https://api.digitalocean.com';

export interface DoClientOptions {
  token: string;
  /** Scheme, host and optional path prefix; paths start with `/v2/`. */
  endpoint?: string;
  fetch?: typeof fetch;
  /** Action and status polling: first interval, then doubling up to the maximum (ms). */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** How many 429 answers in a row the client waits out before handing the error to the engine. */
  rateLimitRetries?: number;
  /** The longest wait for the rate limit to reset that the client does itself (ms). */
  maxRateLimitWaitMs?: number;
  userAgent?: string;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

/** An action as the API reports it (`/v2/actions/{id}`). */
export interface DoAction {
  id: number;
  status: 'in-progress' | 'completed' | 'errored';
  type: string;
  resource_id?: number | null;
  resource_type?: string;
}

interface PageLinks {
  links?: { pages?: { next?: string } };
}

export class DoClient {
  readonly endpoint: string;
  readonly #token: string;
  readonly #fetch: typeof fetch;
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  readonly #rateLimitRetries: number;
  readonly #maxRateLimitWaitMs: number;
  readonly #userAgent: string;
  /** Epoch ms before which no request is sent: the API said the budget is spent. */
  #pausedUntil = 0;
  /** Requests sent (for tests and benchmarks). */
  requests = 0;

  constructor(options: DoClientOptions) {
    if (!options.token) throw new Error('a DigitalOcean API token is required');
    this.#token = options.token;
    this.endpoint = (options.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.#fetch = options.fetch ?? fetch;
    this.pollMinMs = options.pollMinMs ?? 500;
    this.pollMaxMs = options.pollMaxMs ?? 5000;
    this.#rateLimitRetries = options.rateLimitRetries ?? 5;
    this.#maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 60_000;
    this.#userAgent = options.userAgent ?? 'sloth-kubernetes';
  }

  /** Sends one request; answers the parsed JSON body (undefined for 204). Throws DoApiError for any non-2xx. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.#url(path, options.query);
    for (let attempt = 0; ; attempt++) {
      await this.#waitForBudget(options.signal);
      let res: Response;
      try {
        this.requests++;
        res = await this.#fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${this.#token}`,
            accept: 'application/json',
            'user-agent': this.#userAgent,
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: options.signal,
        });
      } catch (err) {
        if ((err as Error).name === 'AbortError' || options.signal?.aborted) throw err;
        throw new DoApiError({ method, path, status: 0, id: 'network_error', message: describeNetworkError(err) });
      }
      this.#noteRateLimit(res);
      if (res.status === 429 && attempt < this.#rateLimitRetries && this.#pausedUntil - Date.now() <= this.#maxRateLimitWaitMs) {
        await res.body?.cancel();
        continue;
      }
      const text = await res.text();
      if (!res.ok) throw DoApiError.fromResponse(method, path, res, text);
      if (res.status === 204 || text === '') return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new DoApiError({ method, path, status: res.status, id: 'bad_response', message: `the API answered with a body that is not JSON (${text.slice(0, 80)})` });
      }
    }
  }

  get<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  /** GET that answers undefined on 404 (the object is gone). */
  async find<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path, options);
    } catch (err) {
      if (err instanceof DoApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** DELETE where an object already gone counts as deleted. */
  async remove(path: string, options: RequestOptions = {}): Promise<void> {
    try {
      await this.request('DELETE', path, options);
    } catch (err) {
      if (err instanceof DoApiError && err.status === 404) return;
      throw err;
    }
  }

  /** Every item of a paginated collection (`key` is the array's name in the body). */
  async list<T>(path: string, key: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    let query: RequestOptions['query'] | undefined = { per_page: 200, ...options.query };
    const seen = new Set<string>();
    while (next) {
      const page: Record<string, unknown> & PageLinks = await this.get(next, { query, signal: options.signal });
      const batch = page[key];
      if (!Array.isArray(batch)) throw new DoApiError({ method: 'GET', path, status: 200, id: 'bad_response', message: `the answer has no '${key}' list` });
      items.push(...(batch as T[]));
      const link = page.links?.pages?.next;
      next = link ? this.#relative(link) : undefined;
      query = undefined;
      if (next && seen.has(next)) throw new DoApiError({ method: 'GET', path, status: 200, id: 'bad_response', message: `pagination loops at ${next}` });
      if (next) seen.add(next);
    }
    return items;
  }

  /** Polls an action until it completes; throws DoActionError when it errors. */
  async waitForAction(id: number, what: string, signal?: AbortSignal): Promise<DoAction> {
    let delay = this.pollMinMs;
    for (;;) {
      const { action } = await this.get<{ action: DoAction }>(`/v2/actions/${id}`, { signal });
      if (action.status === 'completed') return action;
      if (action.status === 'errored') throw new DoActionError(action, what);
      await sleep(delay, undefined, { signal });
      delay = Math.min(delay * 2, this.pollMaxMs);
    }
  }

  /** Polls `probe` until it answers something other than undefined. */
  async poll<T>(probe: () => Promise<T | undefined>, signal?: AbortSignal): Promise<T> {
    let delay = this.pollMinMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      await sleep(delay, undefined, { signal });
      delay = Math.min(delay * 2, this.pollMaxMs);
    }
  }

  #url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.endpoint + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  /** A `next` link names the API's public host; keep our endpoint (a proxy, a test server) and take its path and query. */
  #relative(link: string): string {
    const url = new URL(link, this.endpoint);
    const at = url.pathname.indexOf('/v2/');
    return (at >= 0 ? url.pathname.slice(at) : url.pathname) + url.search;
  }

  #noteRateLimit(res: Response): void {
    const remaining = Number(res.headers.get('ratelimit-remaining'));
    const reset = Number(res.headers.get('ratelimit-reset'));
    const retryAfter = Number(res.headers.get('retry-after'));
    const exhausted = res.status === 429 || (res.headers.has('ratelimit-remaining') && remaining <= 0);
    if (!exhausted) return;
    let until = Number.isFinite(reset) && reset > 0 ? reset * 1000 : 0;
    if (Number.isFinite(retryAfter) && retryAfter > 0) until = Math.max(until, Date.now() + retryAfter * 1000);
    // A 429 with no usable reset time: back off a second before the next try.
    if (until <= Date.now()) until = res.status === 429 ? Date.now() + 1000 : 0;
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  async #waitForBudget(signal?: AbortSignal): Promise<void> {
    const wait = this.#pausedUntil - Date.now();
    if (wait > 0) await sleep(Math.min(wait, this.#maxRateLimitWaitMs), undefined, { signal });
  }
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ? `${(err as Error).message} (${cause.message})` : (err as Error).message;
}

/** A path segment: escaped, except `:` (tag names and key fingerprints hold it, and paths allow it). */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value)).replace(/%3A/gi, ':');
}
