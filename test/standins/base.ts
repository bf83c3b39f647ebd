// The HTTP mechanics every stand-in of this folder shares: bearer-token check, JSON bodies,
// routes with path parameters, the rate-limit headers the cloud sends, a request log, and
// faults a test injects (`failNext`: 429s with a reset time, 5xx, or a body that breaks the
// contract on purpose). A stand-in supplies its routes and how its cloud spells an error.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Fault {
  status: number;
  /** Only requests whose "METHOD /path" matches. */
  match?: RegExp;
  /** Seconds until the rate limit resets, on a 429. */
  resetSeconds?: number;
  /** Answer with this body instead (a test that makes the stand-in break the contract on purpose). */
  body?: unknown;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  /** The request body, parsed (for assertions on what the provider sent). */
  body?: unknown;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export type Body = Record<string, unknown>;
export type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
type Handler = (m: RegExpMatchArray, body: Body, url: URL, req: IncomingMessage) => Answer;

export interface StandinShape {
  tokens: string[];
  /** Requests per window, and the window (ms). */
  rateLimit: number;
  rateWindowMs: number;
  /** Rate-limit header names: limit, remaining, reset (epoch seconds). */
  rateHeaders: { limit: string; remaining: string; reset: string };
  /** The cloud's error body. */
  errorBody(err: HttpError): unknown;
}

export abstract class StandinBase {
  readonly log: RequestLogEntry[] = [];
  readonly #faults: (Fault & { left: number })[] = [];
  readonly #routes: [string, RegExp, Handler][] = [];
  readonly #shape: StandinShape;
  #server: Server | undefined;
  #recent: number[] = [];
  url = '';

  constructor(shape: StandinShape) {
    this.#shape = shape;
  }

  /** Time passes: objects finish provisioning, deleted ones go (called before each request). */
  protected abstract settle(): void;

  async listen(port = 0): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.#server) return;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }

  /** The next `count` requests (matching `fault.match`, if given) fail with `fault.status`. */
  failNext(count: number, fault: Fault): void {
    this.#faults.push({ ...fault, left: count });
  }

  /** Calls that changed something since `from` in the log, ids made generic. */
  changes(from = 0): string[] {
    return this.log.slice(from).filter((e) => e.method !== 'GET').map((e) => `${e.method} ${e.path.replace(/\d{3,}|[0-9a-f]{8}-[0-9a-f-]{27}/g, '#')}`);
  }

  protected on(method: string, pattern: string, handler: Handler): void {
    this.#routes.push([method, new RegExp(`^${pattern.replace(/\{[A-Za-z_]+\}/g, '([^/]+)')}$`), handler]);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let answer: Answer;
    let parsed: Body | undefined;
    let extra: Record<string, string> = {};
    try {
      this.settle();
      const fault = this.#takeFault(`${method} ${url.pathname}`);
      if (fault) {
        if (fault.status === 429) {
          const reset = Math.ceil(Date.now() / 1000) + (fault.resetSeconds ?? 1);
          extra = { [this.#shape.rateHeaders.remaining]: '0', [this.#shape.rateHeaders.reset]: String(reset), 'retry-after': String(fault.resetSeconds ?? 1) };
        }
        answer = { status: fault.status, body: fault.body ?? this.#shape.errorBody(fault.status === 429 ? new HttpError(429, 'rate_limit_exceeded', 'Too many requests') : new HttpError(fault.status, 'server_error', 'Please try again later')) };
      } else {
        const auth = req.headers.authorization ?? '';
        if (!this.#shape.tokens.some((t) => auth === `Bearer ${t}`)) throw new HttpError(401, 'unauthorized', 'Invalid Token');
        if (raw !== '') {
          try {
            parsed = JSON.parse(raw) as Body;
          } catch {
            throw new HttpError(400, 'json_error', 'The request body is not valid JSON.');
          }
        }
        answer = this.#route(method, url, parsed ?? {}, req);
      }
    } catch (err) {
      answer = err instanceof HttpError ? { status: err.status, body: this.#shape.errorBody(err) } : { status: 500, body: this.#shape.errorBody(new HttpError(500, 'server_error', `stand-in failure: ${(err as Error).message}`)) };
    }
    this.log.push({ method, path: url.pathname + url.search, status: answer.status, ...(parsed ? { body: parsed } : {}) });
    const now = Date.now();
    this.#recent = this.#recent.filter((t) => t > now - this.#shape.rateWindowMs);
    this.#recent.push(now);
    const h = this.#shape.rateHeaders;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [h.limit]: String(this.#shape.rateLimit),
      [h.remaining]: String(Math.max(0, this.#shape.rateLimit - this.#recent.length)),
      [h.reset]: String(Math.ceil((this.#recent[0]! + this.#shape.rateWindowMs) / 1000)),
      'x-request-id': randomUUID(),
      ...answer.headers,
      ...extra,
    };
    if (answer.body === undefined) {
      delete headers['content-type'];
      res.writeHead(answer.status, headers).end();
    } else res.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
  }

  #takeFault(what: string): Fault | undefined {
    const i = this.#faults.findIndex((f) => f.left > 0 && (!f.match || f.match.test(what)));
    if (i < 0) return undefined;
    const f = this.#faults[i]!;
    if (--f.left === 0) this.#faults.splice(i, 1);
    return f;
  }

  #route(method: string, url: URL, body: Body, req: IncomingMessage): Answer {
    for (const [m, re, handler] of this.#routes) {
      if (m !== method) continue;
      const match = url.pathname.match(re);
      if (match) return handler(match, body, url, req);
    }
    throw new HttpError(404, 'not_found', 'Not found');
  }
}

/** The `n`th host address of an IPv4 range. */
export function hostIn(cidr: string, n: number): string {
  const [base] = cidr.split('/') as [string];
  const parts = base.split('.').map(Number);
  const value = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) + n;
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Whether two IPv4 ranges overlap. */
export function overlaps(a: string, b: string): boolean {
  const range = (cidr: string) => {
    const [ip, bits] = cidr.split('/') as [string, string];
    const start = ip.split('.').reduce((v, p) => v * 256 + Number(p), 0);
    const size = 2 ** (32 - Number(bits));
    return [start - (start % size), start - (start % size) + size] as const;
  };
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 < b1 && b0 < a1;
}
