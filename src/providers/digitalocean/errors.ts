// Errors of the DigitalOcean API and how the engine should treat them.
import type { ErrorClass } from '../../engine/index.ts';
import { ApiError } from '../rest/errors.ts';
import type { DoAction } from './client.ts';

/** A non-2xx answer: DigitalOcean's body is `{id, message, request_id}`. */
export function doError(method: string, path: string, res: Response, text: string): ApiError {
  let code = `http_${res.status}`;
  let message = text.slice(0, 300) || res.statusText;
  let requestId = res.headers.get('x-request-id') ?? undefined;
  try {
    const parsed = JSON.parse(text) as { id?: unknown; message?: unknown; request_id?: unknown };
    if (typeof parsed.id === 'string') code = parsed.id;
    if (typeof parsed.message === 'string') message = parsed.message;
    if (typeof parsed.request_id === 'string') requestId = parsed.request_id;
  } catch {
    /* not JSON: keep the text */
  }
  const hint =
    res.status === 401
      ? 'Check the DigitalOcean token (DIGITALOCEAN_TOKEN, DIGITALOCEAN_ACCESS_TOKEN or providers.digitalocean token): it is missing, revoked or mistyped.'
      : res.status === 403
        ? 'The DigitalOcean token lacks a scope this call needs: use a token with read and write access.'
        : undefined;
  return new ApiError({ cloud: 'DigitalOcean', method, path, status: res.status, code, message, requestId, hint });
}

/** An action (create, resize, power off …) that the API reports as errored. */
export class DoActionError extends Error {
  readonly action: DoAction;
  constructor(action: DoAction, what: string) {
    super(`DigitalOcean action ${action.id} (${action.type}) for ${what} errored`);
    this.name = 'DoActionError';
    this.action = action;
  }
}

/** Answers the API gives while an object is busy with another change: they clear by themselves. */
const BUSY = /pending event|currently (being )?(processed|locked|updated)|in progress|still (has|being)|try again/i;

export function classifyDoError(err: unknown): ErrorClass {
  if (err instanceof ApiError) {
    if (err.status === 429) return 'throttled';
    if (err.status === 0 || err.status >= 500 || err.status === 408 || err.status === 409) return 'transient';
    if (err.status === 422 && BUSY.test(err.apiMessage)) return 'transient';
    return 'permanent';
  }
  return 'permanent';
}
