// What a failed call to a cloud's REST API says: which call, the HTTP status, the API's own
// error code and message, the request id when the API gives one. The token never appears.
export interface ApiErrorFields {
  /** The cloud as users name it (`Linode`, `Hetzner Cloud`, `DigitalOcean`). */
  cloud: string;
  method: string;
  path: string;
  /** HTTP status; 0 when no answer came (network failure). */
  status: number;
  /** The API's short error code (`not_found`, `rate_limit_exceeded` …), or `http_<status>`. */
  code: string;
  message: string;
  requestId?: string;
  hint?: string;
}

export class ApiError extends Error {
  readonly cloud: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code: string;
  readonly apiMessage: string;
  readonly requestId?: string;
  readonly hint?: string;

  constructor(f: ApiErrorFields) {
    const where = `${f.method} ${f.path.split('?')[0]}`;
    super(f.status === 0 ? `${f.cloud} API ${where}: no answer: ${f.message}` : `${f.cloud} API ${where} answered ${f.status} ${f.code}: ${f.message}${f.requestId ? ` (request id ${f.requestId})` : ''}`);
    this.name = 'ApiError';
    this.cloud = f.cloud;
    this.method = f.method;
    this.path = f.path;
    this.status = f.status;
    this.code = f.code;
    this.apiMessage = f.message;
    this.requestId = f.requestId;
    this.hint = f.hint;
  }
}

export function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ? `${(err as Error).message} (${cause.message})` : (err as Error).message;
}
