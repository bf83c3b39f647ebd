// The Linode API v4 client: openapi-fetch typed by `openapi.d.ts` (generated from Linode's
// OpenAPI document, test/contracts/linode/, by scripts/gen-api-types.ts), over the shared
// fetch (bearer token, X-RateLimit-* headers and 429s, errors as ApiError).
import createClient from 'openapi-fetch';
import type { paths } from './openapi.d.ts';
import { apiFetch, poll, type ApiFetch } from '../rest/fetch.ts';
import { linodeError } from './errors.ts';

export const DEFAULT_ENDPOINT = 'https://api.linode.com';

export interface LinodeClientOptions {
  token: string;
  /** Scheme, host and optional path prefix; paths start with `/v4/`. */
  endpoint?: string;
  fetch?: typeof fetch;
  /** Status polling: first interval, then doubling up to the maximum (ms). */
  pollMinMs?: number;
  pollMaxMs?: number;
  rateLimitRetries?: number;
  maxRateLimitWaitMs?: number;
}

export type LinodeApi = ReturnType<typeof createClient<paths>>;

export class LinodeClient {
  readonly endpoint: string;
  readonly api: LinodeApi;
  readonly #fetch: ApiFetch;
  readonly #interval: { minMs: number; maxMs: number };

  constructor(o: LinodeClientOptions) {
    if (!o.token) throw new Error('a Linode API token is required');
    this.endpoint = (o.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.#fetch = apiFetch({
      token: o.token,
      cloud: 'Linode',
      error: linodeError,
      rateLimitHeaders: { remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
      rateLimitRetries: o.rateLimitRetries,
      maxRateLimitWaitMs: o.maxRateLimitWaitMs,
      fetch: o.fetch,
    });
    this.api = createClient<paths>({ baseUrl: this.endpoint, fetch: this.#fetch });
    this.#interval = { minMs: o.pollMinMs ?? 1000, maxMs: o.pollMaxMs ?? 5000 };
  }

  /** Requests sent (tests and benchmarks). */
  get requests(): number {
    return this.#fetch.requests();
  }

  poll<T>(probe: () => Promise<T | undefined>, signal?: AbortSignal): Promise<T> {
    return poll(probe, this.#interval, signal);
  }
}

/** Every item of a paginated list: `page` pages of `data` (Linode answers `page` and `pages`). */
export async function allPages<T>(fetchPage: (page: number) => Promise<{ data?: T[]; page?: number; pages?: number }>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const answer = await fetchPage(page);
    items.push(...(answer.data ?? []));
    if (page >= (answer.pages ?? 1) || (answer.data ?? []).length === 0) return items;
  }
}

/** The largest page Linode serves. */
export const PAGE_SIZE = 500;
