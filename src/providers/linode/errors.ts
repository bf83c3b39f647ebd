// Errors of the Linode API and how the engine should treat them.
import type { ErrorClass } from '../../engine/index.ts';
import { ApiError } from '../rest/errors.ts';

/** A non-2xx answer: Linode's body is `{errors: [{reason, field?}]}`. */
export function linodeError(method: string, path: string, res: Response, text: string): ApiError {
  let message = text.slice(0, 300) || res.statusText;
  try {
    const parsed = JSON.parse(text) as { errors?: { reason?: unknown; field?: unknown }[] };
    const reasons = (parsed.errors ?? []).filter((e) => typeof e.reason === 'string').map((e) => (typeof e.field === 'string' ? `${e.field}: ${String(e.reason)}` : String(e.reason)));
    if (reasons.length) message = reasons.join('; ');
  } catch {
    /* not JSON: keep the text */
  }
  const hint =
    res.status === 401
      ? 'Check the Linode token (LINODE_TOKEN or providers.linode token): it is missing, expired or mistyped.'
      : res.status === 403
        ? 'The Linode token lacks a scope this call needs: it needs read/write on Linodes, VPCs, Firewalls, NodeBalancers and Domains (and read on the account).'
        : undefined;
  return new ApiError({ cloud: 'Linode', method, path, status: res.status, code: `http_${res.status}`, message, requestId: res.headers.get('x-request-id') ?? undefined, hint });
}

/** Answers Linode gives while an object is busy with another change: they clear by themselves. */
const BUSY = /busy|in progress|currently being|try again|not ready|pending/i;

export function classifyLinodeError(err: unknown): ErrorClass {
  if (err instanceof ApiError) {
    if (err.status === 429) return 'throttled';
    if (err.status === 0 || err.status >= 500 || err.status === 408 || err.status === 409) return 'transient';
    if (err.status === 400 && BUSY.test(err.apiMessage)) return 'transient';
    return 'permanent';
  }
  return 'permanent';
}
