// Errors of the DigitalOcean API and how the engine should treat them.
import type { ErrorClass } from '../../engine/index.ts';
import type { DoAction } from './client.ts';

export interface DoApiErrorFields {
  method: string;
  path: string;
  /** HTTP status; 0 when no answer came (network failure). */
  status: number;
  /** The API's short error id (`not_found`, `unprocessable_entity`, `too_many_requests` …). */
  id: string;
  message: string;
  requestId?: string;
}

export class DoApiError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly id: string;
  readonly apiMessage: string;
  readonly requestId?: string;
  readonly hint?: string;

  constructor(f: DoApiErrorFields) {
    const where = `${f.method} ${f.path.split('?')[0]}`;
    super(f.status === 0 ? `DigitalOcean API ${where}: no answer: ${f.message}` : `DigitalOcean API ${where} answered ${f.status} ${f.id}: ${f.message}${f.requestId ? ` (request id ${f.requestId})` : ''}`);
    this.name = 'DoApiError';
    this.method = f.method;
    this.path = f.path;
    this.status = f.status;
    this.id = f.id;
    this.apiMessage = f.message;
    this.requestId = f.requestId;
    if (f.status === 401) this.hint = 'Check the DigitalOcean token (DIGITALOCEAN_TOKEN, DIGITALOCEAN_ACCESS_TOKEN or providers.digitalocean token): it is missing, revoked or mistyped.';
    else if (f.status === 403) this.hint = 'The DigitalOcean token lacks a scope this call needs: use a token with read and write access.';
  }

  static fromResponse(method: string, path: string, res: Response, text: string): DoApiError {
    let id = `http_${res.status}`;
    let message = text.slice(0, 300) || res.statusText;
    let requestId = res.headers.get('x-request-id') ?? undefined;
    try {
      const body = JSON.parse(text) as { id?: unknown; message?: unknown; request_id?: unknown };
      if (typeof body.id === 'string') id = body.id;
      if (typeof body.message === 'string') message = body.message;
      if (typeof body.request_id === 'string') requestId = body.request_id;
    } catch {
      /* not JSON: keep the text */
    }
    return new DoApiError({ method, path, status: res.status, id, message, requestId });
  }
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
  if (err instanceof DoApiError) {
    if (err.status === 429) return 'throttled';
    if (err.status === 0 || err.status >= 500 || err.status === 408 || err.status === 409) return 'transient';
    if (err.status === 422 && BUSY.test(err.apiMessage)) return 'transient';
    return 'permanent';
  }
  return 'permanent';
}
