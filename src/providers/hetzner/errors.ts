// Errors of the Hetzner Cloud API and how the engine should treat them.
import type { ErrorClass } from '../../engine/index.ts';
import { ApiError } from '../rest/errors.ts';

/** A non-2xx answer: Hetzner's body is `{error: {code, message, details}}`. */
export function hetznerError(method: string, path: string, res: Response, text: string): ApiError {
  let code = `http_${res.status}`;
  let message = text.slice(0, 300) || res.statusText;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.code === 'string') code = parsed.error.code;
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    /* not JSON: keep the text */
  }
  const hint =
    res.status === 401
      ? 'Check the Hetzner Cloud token (HCLOUD_TOKEN or providers.hetzner token): it is missing, revoked or mistyped.'
      : code === 'forbidden'
        ? 'The Hetzner Cloud token is read-only: create a Read & Write API token in the project.'
        : code === 'resource_limit_exceeded'
          ? 'The project\'s limit for this kind of resource is reached: ask Hetzner to raise it, or remove unused resources.'
          : undefined;
  return new ApiError({ cloud: 'Hetzner Cloud', method, path, status: res.status, code, message, requestId: res.headers.get('x-correlation-id') ?? undefined, hint });
}

/** An action (create, power off, attach …) that Hetzner reports as failed. */
export class HetznerActionError extends Error {
  readonly code: string;
  constructor(id: number, command: string, what: string, error: { code: string; message: string } | null) {
    super(`Hetzner Cloud action ${id} (${command}) for ${what} failed${error ? `: ${error.code}: ${error.message}` : ''}`);
    this.name = 'HetznerActionError';
    this.code = error?.code ?? 'action_failed';
  }
}

/** Codes of answers that clear by themselves: the object is busy with another action, or the API is. */
const TRANSIENT = new Set(['locked', 'conflict', 'resource_unavailable', 'server_error', 'service_error', 'timeout', 'maintenance', 'unavailable', 'robot_unavailable']);

export function classifyHetznerError(err: unknown): ErrorClass {
  if (err instanceof ApiError) {
    if (err.status === 429 || err.code === 'rate_limit_exceeded') return 'throttled';
    if (err.status === 0 || err.status >= 500 || err.status === 408 || err.status === 409 || err.status === 423 || TRANSIENT.has(err.code)) return 'transient';
    return 'permanent';
  }
  if (err instanceof HetznerActionError && TRANSIENT.has(err.code)) return 'transient';
  return 'permanent';
}
