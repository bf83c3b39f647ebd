// The DigitalOcean public v2 API client: openapi-fetch typed by `openapi.d.ts` (generated from
// DigitalOcean's OpenAPI document, test/contracts/digitalocean/, by scripts/gen-api-types.ts),
// over the shared fetch (bearer token, the rate limit the API announces — `ratelimit-remaining`
// / `ratelimit-reset`, and 429 — and errors as ApiError), with pagination and action polling.
// Retrying 5xx and network failures is the engine's job (classifyDoError); the client only
// waits out the rate limit, which the API tells it exactly how long to do.
import createClient from 'openapi-fetch';
import type { components, paths } from './openapi.d.ts';
import { apiFetch, body, poll, type ApiFetch } from '../rest/fetch.ts';
import { doError, DoActionError } from './errors.ts';

export const DEFAULT_ENDPOINT = 'https://api.digitalocean.com';

export type DoAction = components['schemas']['action'];

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
}

export type DoApi = ReturnType<typeof createClient<paths>>;

export class DoClient {
  readonly endpoint: string;
  readonly api: DoApi;
  readonly #fetch: ApiFetch;
  pollMinMs: number;
  pollMaxMs: number;
  /** A wait on something outside the call (a VPC's members) says what it waits for this often (ms)… */
  waitNoticeMs = 10_000;
  /** …and gives up after this long (ms), naming what it waited for. */
  maxWaitMs = 180_000;

  constructor(o: DoClientOptions) {
    if (!o.token) throw new Error('a DigitalOcean API token is required');
    this.endpoint = (o.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.#fetch = apiFetch({
      token: o.token,
      cloud: 'DigitalOcean',
      error: doError,
      rateLimitHeaders: { remaining: 'ratelimit-remaining', reset: 'ratelimit-reset' },
      rateLimitRetries: o.rateLimitRetries,
      maxRateLimitWaitMs: o.maxRateLimitWaitMs,
      fetch: o.fetch,
    });
    this.api = createClient<paths>({ baseUrl: this.endpoint, fetch: this.#fetch });
    this.pollMinMs = o.pollMinMs ?? 500;
    this.pollMaxMs = o.pollMaxMs ?? 5000;
  }

  /** Requests sent (tests and benchmarks). */
  get requests(): number {
    return this.#fetch.requests();
  }

  /** Polls `probe` until it answers something other than undefined. */
  poll<T>(probe: () => Promise<T | undefined>, signal?: AbortSignal): Promise<T> {
    return poll(probe, { minMs: this.pollMinMs, maxMs: this.pollMaxMs }, signal);
  }

  /** Polls an action until it completes; throws DoActionError when it errors. */
  async waitForAction(id: number, what: string, signal?: AbortSignal): Promise<DoAction> {
    const action = await this.poll(async () => {
      const a = body(await this.api.GET('/v2/actions/{action_id}', { params: { path: { action_id: id } }, signal })).action;
      return a?.status === 'in-progress' ? undefined : a;
    }, signal);
    if (action?.status === 'errored') throw new DoActionError(action, what);
    return action!;
  }
}

/** DigitalOcean's largest page. */
export const PER_PAGE = 200;

/**
 * Every item of a paginated list: pages of `per_page` until `meta.total` items came (the
 * `links.pages.next` URLs name the public host, so the client asks for the next page number
 * on its own endpoint instead).
 */
export async function allPages<T>(fetchPage: (page: number) => Promise<{ items: T[] | undefined; total: number | undefined }>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const answer = await fetchPage(page);
    const batch = answer.items ?? [];
    items.push(...batch);
    if (batch.length === 0 || items.length >= (answer.total ?? items.length)) return items;
  }
}
