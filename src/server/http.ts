// The small HTTP toolkit the API is built on: JSON bodies (size-limited, content type checked),
// errors as `{"error": {code, message, hint?, problems?}}` with the status their reason maps to,
// and path patterns with `{name}` parameters.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JobsError } from '../jobs/index.ts';
import type { JobsErrorReason } from '../jobs/index.ts';

export const STATUS: Record<JobsErrorReason | 'unsupported-media' | 'too-large' | 'method' | 'internal', number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  method: 405,
  conflict: 409,
  'too-large': 413,
  'unsupported-media': 415,
  preflight: 422,
  internal: 500,
};

export class HttpError extends Error {
  readonly code: keyof typeof STATUS;
  readonly hint?: string;
  constructor(code: keyof typeof STATUS, message: string, hint?: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

const MAX_BODY = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The error as the API answers it; anything unexpected is a 500 whose text stays in the server's log. */
export function sendError(res: ServerResponse, err: unknown, log: (message: string) => void): void {
  if (err instanceof JobsError) {
    return sendJson(res, STATUS[err.reason], { error: { code: err.reason, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.problems.length ? { problems: err.problems } : {}) } });
  }
  if (err instanceof HttpError) return sendJson(res, STATUS[err.code], { error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
  // Errors of the layers below that carry a user-facing message (a stack that cannot be opened).
  const e = err as { exitCode?: number; reason?: string; message?: string; hint?: string };
  if (e && typeof e.message === 'string' && (e.exitCode !== undefined || e.reason !== undefined)) {
    return sendJson(res, 409, { error: { code: 'conflict', message: e.message, ...(e.hint ? { hint: e.hint } : {}) } });
  }
  log(`internal error: ${(err as Error)?.stack ?? String(err)}`);
  sendJson(res, 500, { error: { code: 'internal', message: 'internal server error; the server log has the details' } });
}

/** The JSON object the request carries; undefined when it has no body. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError('too-large', `the request body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError('unsupported-media', `send the body as application/json (got ${type || 'no content type'})`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new HttpError('invalid', `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError('invalid', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** `/api/v1/jobs/{id}` → a matcher returning the parameters, decoded. */
export function pattern(path: string): (actual: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const re = new RegExp(`^${path.replace(/\{(\w+)\}/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`);
  return (actual) => {
    const m = re.exec(actual);
    if (!m) return undefined;
    try {
      return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    } catch {
      return undefined;
    }
  };
}
