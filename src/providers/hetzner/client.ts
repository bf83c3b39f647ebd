// The Hetzner Cloud API client: openapi-fetch typed by `openapi.d.ts` (generated from the
// Hetzner Cloud OpenAPI document, test/contracts/hetzner/, by scripts/gen-api-types.ts), over
// the shared fetch (bearer token, RateLimit-* headers and 429s, errors as ApiError), with
// pagination through `meta.pagination.next_page` and action polling.
import createClient from 'openapi-fetch';
import type { components, paths } from './openapi.d.ts';
import { apiFetch, body, poll, type ApiFetch } from '../rest/fetch.ts';
import { hetznerError, HetznerActionError } from './errors.ts';

export const DEFAULT_ENDPOINT = 'https://api.hetzner.cloud/v1';

export type Action = components['schemas']['action'];

export interface HetznerClientOptions {
  token: string;
  /** Scheme, host and path prefix of the API (`…/v1`). */
  endpoint?: string;
  fetch?: typeof fetch;
  /** Action and status polling: first interval, then doubling up to the maximum (ms). */
  pollMinMs?: number;
  pollMaxMs?: number;
  rateLimitRetries?: number;
  maxRateLimitWaitMs?: number;
}

export type HetznerApi = ReturnType<typeof createClient<paths>>;

export class HetznerClient {
  readonly endpoint: string;
  readonly api: HetznerApi;
  readonly #fetch: ApiFetch;
  readonly #interval: { minMs: number; maxMs: number };

  constructor(o: HetznerClientOptions) {
    if (!o.token) throw new Error('a Hetzner Cloud API token is required');
    this.endpoint = (o.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.#fetch = apiFetch({
      token: o.token,
      cloud: 'Hetzner Cloud',
      error: hetznerError,
      rateLimitHeaders: { remaining: 'ratelimit-remaining', reset: 'ratelimit-reset' },
      rateLimitRetries: o.rateLimitRetries,
      maxRateLimitWaitMs: o.maxRateLimitWaitMs,
      fetch: o.fetch,
    });
    this.api = createClient<paths>({ baseUrl: this.endpoint, fetch: this.#fetch });
    this.#interval = { minMs: o.pollMinMs ?? 500, maxMs: o.pollMaxMs ?? 5000 };
  }

  get requests(): number {
    return this.#fetch.requests();
  }

  poll<T>(probe: () => Promise<T | undefined>, signal?: AbortSignal): Promise<T> {
    return poll(probe, this.#interval, signal);
  }

  /** Polls the actions until each succeeds; throws HetznerActionError for one that fails. */
  async wait(actions: readonly (Action | null | undefined)[], what: string, signal?: AbortSignal): Promise<void> {
    for (const a of actions) {
      if (!a) continue;
      let action = a;
      action = await this.poll(async () => {
        if (action.status !== 'running') return action;
        action = body(await this.api.GET('/actions/{id}', { params: { path: { id: action.id } }, signal })).action;
        return action.status === 'running' ? undefined : action;
      }, signal);
      if (action.status === 'error') throw new HetznerActionError(action.id, action.command, what, action.error);
    }
  }
}

/** Every item of a paginated list (`meta.pagination.next_page`; Hetzner serves at most 50 a page). */
export async function allPages<T>(fetchPage: (page: number) => Promise<{ items: T[]; next: number | null | undefined }>): Promise<T[]> {
  const items: T[] = [];
  for (let page: number | null | undefined = 1; page; ) {
    const answer = await fetchPage(page);
    items.push(...answer.items);
    page = answer.next && answer.next > page ? answer.next : undefined;
  }
  return items;
}

export const PER_PAGE = 50;
