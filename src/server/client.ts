// The API as a program uses it (the `jobs` commands): a base URL and a token; errors come back
// as ApiError with the server's code, message, hint and problems. Live logs are read as
// Server-Sent Events and resumed from the last entry seen when the connection drops.
import { setTimeout as sleep } from 'node:timers/promises';

export interface ApiErrorBody {
  code: string;
  message: string;
  hint?: string;
  problems?: string[];
}

/** What the server refused, and why; user-facing (exit code 1), with every pre-flight problem listed. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint?: string;
  readonly problems: string[];
  readonly exitCode = 1;
  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.hint = body.hint;
    this.problems = body.problems ?? [];
  }

  get display(): string {
    return [`error: ${this.message}`, ...this.problems.map((p) => `  - ${p}`)].join('\n');
  }
}

export interface StreamedEntry {
  seq: number;
  at: number;
  kind: string;
  data: Record<string, unknown>;
}

export class ApiClient {
  readonly base: string;
  readonly #token: string;
  constructor(base: string, token: string) {
    this.base = base.replace(/\/+$/, '');
    this.#token = token;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let r: Response;
    try {
      r = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      throw new ApiError(0, { code: 'unreachable', message: `cannot reach the server at ${this.base}: ${(err as Error).cause ? String((err as { cause: Error }).cause.message) : (err as Error).message}`, hint: 'Check --server (or SLOTH_SERVER) and that the server is running.' });
    }
    const text = await r.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new ApiError(r.status, { code: 'bad-answer', message: `the server answered ${r.status} with something that is not JSON` });
    }
    if (!r.ok) throw new ApiError(r.status, (parsed as { error?: ApiErrorBody }).error ?? { code: String(r.status), message: `HTTP ${r.status}` });
    return parsed as T;
  }

  /**
   * Every log entry after `after`, as it comes, until the job ends; a dropped connection is
   * resumed from the last entry received (Last-Event-ID), so none is lost or repeated.
   */
  async *follow(jobId: string, after = 0, options: { retries?: number; signal?: AbortSignal } = {}): AsyncGenerator<StreamedEntry, { status: string; error?: string }> {
    let last = after;
    let failures = 0;
    for (;;) {
      let r: Response;
      try {
        r = await fetch(`${this.base}/api/v1/jobs/${encodeURIComponent(jobId)}/logs`, {
          headers: { authorization: `Bearer ${this.#token}`, accept: 'text/event-stream', 'last-event-id': String(last) },
          signal: options.signal,
        });
      } catch (err) {
        if (options.signal?.aborted || ++failures > (options.retries ?? 30)) throw new ApiError(0, { code: 'unreachable', message: `lost the server at ${this.base}: ${(err as Error).message}` });
        await sleep(Math.min(200 * failures, 2000));
        continue;
      }
      if (!r.ok) {
        const body = (await r.json().catch(() => ({}))) as { error?: ApiErrorBody };
        throw new ApiError(r.status, body.error ?? { code: String(r.status), message: `HTTP ${r.status}` });
      }
      failures = 0;
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (!data) continue;
            if (event === 'end') return JSON.parse(data) as { status: string; error?: string };
            const entry = JSON.parse(data) as StreamedEntry;
            if (entry.seq <= last) continue;
            last = entry.seq;
            yield entry;
          }
        }
      } catch (err) {
        if (options.signal?.aborted) throw err;
      }
      // The stream ended without an end event: the server went away; resume.
      if (++failures > (options.retries ?? 30)) throw new ApiError(0, { code: 'unreachable', message: `the log stream of ${jobId} kept breaking off` });
      await sleep(Math.min(200 * failures, 2000));
    }
  }
}
