// The HTTP API under /api/v1 (its OpenAPI document at /openapi.json) and the web UI, served by
// one node:http server. Every /api/v1 route but /health needs a bearer token; each route names
// the least role it needs. Live logs are Server-Sent Events, resumable from an offset
// (`Last-Event-ID` or `?after=`): every entry's id is its sequence number in the durable log.
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { extname } from 'node:path';
import { allows, CREDENTIAL_VARIABLES, isFinal, JOB_STATUSES, JobsError, OPERATIONS, resolvePolicy } from '../jobs/index.ts';
import type { Actor, Job, JobRequest, Jobs, JobService, Role } from '../jobs/index.ts';
import { HttpError, pattern, readJson, sendError, sendJson } from './http.ts';
import { openApiDocument } from './openapi.ts';
import { uiFile } from './ui-files.ts';

export interface AppOptions {
  jobs: Jobs;
  service: JobService;
  /** Where server-side problems are written (stderr). */
  log: (message: string) => void;
  /** How often a live stream looks for new entries written by another process. */
  pollMs?: number;
  /** Seconds between keep-alive comments on a live stream. */
  keepAliveSeconds?: number;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  actor: Actor;
  /** The JSON body; `required`: an empty body is refused. */
  body: (required?: boolean) => Promise<Record<string, unknown>>;
}

type Handler = (c: Ctx) => Promise<void> | void;
interface Route {
  method: string;
  match: ReturnType<typeof pattern>;
  role: Role | 'public';
  handler: Handler;
}

const UI_TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** Wakes the live streams of a job when its runner (in this process) appends to its log. */
export class LogHub {
  readonly #waiting = new Map<string, Set<() => void>>();
  notify(jobId: string): void {
    for (const wake of this.#waiting.get(jobId) ?? []) wake();
  }
  wait(jobId: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.#waiting.get(jobId) ?? new Set();
      this.#waiting.set(jobId, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.#waiting.delete(jobId);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      signal.addEventListener('abort', done);
    });
  }
}

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || v === '') throw new HttpError('invalid', `${what} must be a non-empty string`);
  return v;
};
/** An optional text: absent or empty is none. */
const optStr = (v: unknown, what: string): string | undefined => {
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new HttpError('invalid', `${what} must be a string`);
  return v;
};

function intParam(url: URL, name: string, min: number, max: number): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  if (!/^\d{1,15}$/.test(v) || Number(v) < min || Number(v) > max) throw new HttpError('invalid', `${name} must be a whole number from ${min} to ${max}`);
  return Number(v);
}

/** A job as the API shows it: no sealed config, the queue position while queued. */
async function jobView(jobs: Jobs, job: Job): Promise<Record<string, unknown>> {
  const { sealedConfig: _sealed, ...spec } = job.spec;
  return { ...job, spec, ...(job.status === 'queued' ? { queuePosition: await jobs.jobs.queuePosition(job) } : {}) };
}

export function createApp(options: AppOptions): { handle: (req: IncomingMessage, res: ServerResponse) => void; hub: LogHub; close: () => void } {
  const { jobs, service, log } = options;
  const hub = new LogHub();
  const closing = new AbortController();
  const routes: Route[] = [];
  const route = (method: string, path: string, role: Route['role'], handler: Handler) => routes.push({ method, match: pattern(path), role, handler });

  route('GET', '/api/v1/health', 'public', ({ res }) => sendJson(res, 200, { status: 'ok', database: jobs.db.kind }));

  // Jobs.
  route('GET', '/api/v1/jobs', 'viewer', async ({ res, url }) => {
    const status = url.searchParams.get('status') ?? undefined;
    if (status !== undefined && !(JOB_STATUSES as readonly string[]).includes(status)) throw new HttpError('invalid', `status must be one of ${JOB_STATUSES.join(', ')}`);
    const operation = url.searchParams.get('operation') ?? undefined;
    if (operation !== undefined && !(OPERATIONS as readonly string[]).includes(operation)) throw new HttpError('invalid', `operation must be one of ${OPERATIONS.join(', ')}`);
    const list = await jobs.jobs.list({ stack: url.searchParams.get('stack') ?? undefined, status: status as Job['status'] | undefined, operation, limit: intParam(url, 'limit', 1, 500), before: intParam(url, 'before', 1, Number.MAX_SAFE_INTEGER) });
    sendJson(res, 200, { jobs: await Promise.all(list.map((j) => jobView(jobs, j))) });
  });
  route('POST', '/api/v1/jobs', 'operator', async ({ res, actor, body }) => {
    const job = await service.create((await body(true)) as unknown as JobRequest, actor.name);
    sendJson(res, 201, await jobView(jobs, job), { location: `/api/v1/jobs/${job.id}` });
  });
  route('GET', '/api/v1/jobs/{id}', 'viewer', async ({ res, params }) => sendJson(res, 200, await jobView(jobs, await jobs.jobs.require(params.id!))));
  const decision = (approve: boolean): Handler => async ({ res, params, actor, body }) => {
    const comment = optStr((await body()).comment, 'comment');
    const job = approve ? await service.approve(params.id!, actor.name, comment) : await service.reject(params.id!, actor.name, comment);
    sendJson(res, 200, await jobView(jobs, job));
  };
  route('POST', '/api/v1/jobs/{id}/approve', 'approver', decision(true));
  route('POST', '/api/v1/jobs/{id}/reject', 'approver', decision(false));
  route('POST', '/api/v1/jobs/{id}/cancel', 'operator', async ({ res, params, actor }) => sendJson(res, 200, await jobView(jobs, await service.cancel(params.id!, actor.name))));
  route('POST', '/api/v1/jobs/{id}/retry', 'operator', async ({ res, params, actor }) => {
    const job = await service.retry(params.id!, actor.name);
    sendJson(res, 201, await jobView(jobs, job), { location: `/api/v1/jobs/${job.id}` });
  });
  route('GET', '/api/v1/jobs/{id}/logs', 'viewer', async (c) => {
    const job = await jobs.jobs.require(c.params.id!);
    const after = intParam(c.url, 'after', 0, Number.MAX_SAFE_INTEGER) ?? lastEventId(c.req) ?? 0;
    if ((c.req.headers.accept ?? '').includes('text/event-stream')) return stream(c, job.id, after);
    const entries = await jobs.jobs.logs(job.id, after, intParam(c.url, 'limit', 1, 5000) ?? 1000);
    sendJson(c.res, 200, { entries, status: job.status, done: isFinal(job.status) });
  });

  // Stacks.
  route('GET', '/api/v1/stacks', 'viewer', async ({ res }) => sendJson(res, 200, { stacks: await service.stacks() }));
  route('GET', '/api/v1/stacks/{stack}', 'viewer', async ({ res, params }) => {
    const settings = await jobs.settings.stack(params.stack!);
    let policy: unknown;
    try {
      policy = resolvePolicy(await jobs.settings.policiesFor(settings));
    } catch (err) {
      policy = { error: (err as Error).message };
    }
    sendJson(res, 200, { settings, policy, jobs: await Promise.all((await jobs.jobs.list({ stack: params.stack!, limit: 20 })).map((j) => jobView(jobs, j))) });
  });
  route('PUT', '/api/v1/stacks/{stack}/settings', 'admin', async ({ res, params, actor, body }) => {
    const b = await body(true);
    const { saved, inStackLog } = await service.setStackSettings({ stack: params.stack!, organization: b.organization as string, environment: b.environment as string, credentials: b.credentials as string[] }, actor.name);
    await jobs.settings.record(actor.name, 'stack-settings.set', params.stack!, { ...saved, inStackLog });
    sendJson(res, 200, saved);
  });
  route('GET', '/api/v1/stacks/{stack}/history', 'viewer', async ({ res, params, url }) => sendJson(res, 200, { entries: await service.history(params.stack!, intParam(url, 'limit', 1, 500)) }));
  route('GET', '/api/v1/stacks/{stack}/audit', 'viewer', async ({ res, params }) => sendJson(res, 200, { events: await service.audit(params.stack!) }));

  // Administration.
  route('GET', '/api/v1/policies', 'viewer', async ({ res }) => sendJson(res, 200, { policies: await jobs.settings.policies() }));
  route('PUT', '/api/v1/policies/{scope}/{name}', 'admin', async ({ res, params, actor, body }) => {
    const saved = await jobs.settings.setPolicy(params.scope!, params.name!, await body(true));
    await jobs.settings.record(actor.name, 'policy.set', `${saved.scope}/${saved.name || '-'}`, saved.policy);
    sendJson(res, 200, saved);
  });
  route('GET', '/api/v1/credentials', 'admin', async ({ res }) => sendJson(res, 200, { credentials: await jobs.credentials.list(), providers: CREDENTIAL_VARIABLES }));
  route('PUT', '/api/v1/credentials/{name}', 'admin', async ({ res, params, actor, body }) => {
    const b = await body(true);
    const saved = await jobs.credentials.put(params.name!, str(b.provider, 'provider'), (b.values ?? {}) as Record<string, unknown>);
    await jobs.settings.record(actor.name, 'credential.set', saved.name, { provider: saved.provider, variables: saved.variables });
    sendJson(res, 200, saved);
  });
  route('DELETE', '/api/v1/credentials/{name}', 'admin', async ({ res, params, actor }) => {
    if (!(await jobs.credentials.remove(params.name!))) throw new JobsError('not-found', `no credential '${params.name}'`);
    await jobs.settings.record(actor.name, 'credential.delete', params.name!);
    sendJson(res, 200, { deleted: params.name });
  });
  route('GET', '/api/v1/tokens', 'admin', async ({ res }) => sendJson(res, 200, { tokens: await jobs.tokens.list() }));
  route('POST', '/api/v1/tokens', 'admin', async ({ res, actor, body }) => {
    const b = await body(true);
    const expiresAt = b.expiresAt === undefined ? undefined : typeof b.expiresAt === 'number' ? b.expiresAt : NaN;
    if (Number.isNaN(expiresAt)) throw new HttpError('invalid', 'expiresAt must be epoch milliseconds');
    const made = await jobs.tokens.create(str(b.name, 'name'), str(b.role, 'role'), expiresAt);
    await jobs.settings.record(actor.name, 'token.create', made.id, { name: made.name, role: made.role });
    sendJson(res, 201, made);
  });
  route('DELETE', '/api/v1/tokens/{id}', 'admin', async ({ res, params, actor }) => {
    if (!(await jobs.tokens.revoke(params.id!))) throw new JobsError('not-found', `no token '${params.id}'`);
    await jobs.settings.record(actor.name, 'token.revoke', params.id!);
    sendJson(res, 200, { revoked: params.id });
  });
  route('GET', '/api/v1/webhooks', 'admin', async ({ res }) => sendJson(res, 200, { webhooks: await jobs.settings.webhooks() }));
  route('POST', '/api/v1/webhooks', 'admin', async ({ res, actor, body }) => {
    const made = await jobs.settings.addWebhook(str((await body(true)).url, 'url'));
    await jobs.settings.record(actor.name, 'webhook.create', made.id, { url: made.url });
    sendJson(res, 201, made);
  });
  route('DELETE', '/api/v1/webhooks/{id}', 'admin', async ({ res, params, actor }) => {
    if (!(await jobs.settings.removeWebhook(params.id!))) throw new JobsError('not-found', `no webhook '${params.id}'`);
    await jobs.settings.record(actor.name, 'webhook.delete', params.id!);
    sendJson(res, 200, { deleted: params.id });
  });
  route('GET', '/api/v1/audit', 'admin', async ({ res, url }) => sendJson(res, 200, { events: await jobs.settings.serverAudit(intParam(url, 'limit', 1, 1000)) }));
  route('GET', '/api/v1/me', 'viewer', ({ res, actor }) => sendJson(res, 200, { name: actor.name, role: actor.role }));

  const lastEventId = (req: IncomingMessage): number | undefined => {
    const v = req.headers['last-event-id'];
    return typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
  };

  /** Server-Sent Events: every entry after `after`, then new ones as they come, until the job has ended. */
  async function stream(c: Ctx, jobId: string, after: number): Promise<void> {
    const { req, res } = c;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    const gone = new AbortController();
    req.on('close', () => gone.abort());
    closing.signal.addEventListener('abort', () => gone.abort());
    let last = after;
    let lastWrite = Date.now();
    const keepAlive = (options.keepAliveSeconds ?? 15) * 1000;
    while (!gone.signal.aborted) {
      const job = await jobs.jobs.require(jobId);
      const entries = await jobs.jobs.logs(jobId, last, 500);
      for (const e of entries) {
        res.write(`id: ${e.seq}\nevent: log\ndata: ${JSON.stringify(e)}\n\n`);
        last = e.seq;
        lastWrite = Date.now();
      }
      if (entries.length === 500) continue;
      if (isFinal(job.status) && (await jobs.jobs.logs(jobId, last, 1)).length === 0) {
        res.write(`event: end\ndata: ${JSON.stringify({ status: job.status, error: job.error })}\n\n`);
        break;
      }
      if (Date.now() - lastWrite >= keepAlive) {
        res.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      await hub.wait(jobId, options.pollMs ?? 500, gone.signal);
    }
    res.end();
  }

  async function serveUi(res: ServerResponse, path: string): Promise<void> {
    const file = path === '/' || path === '/ui' || path === '/ui/' ? 'index.html' : path.slice('/ui/'.length);
    if (!/^[\w-]+\.(html|js|css)$/.test(file)) throw new JobsError('not-found', `no page ${path}`);
    const body = await uiFile(file);
    if (!body) throw new JobsError('not-found', `no page ${path}`);
    res.writeHead(200, {
      'content-type': UI_TYPES[extname(file)]!,
      'cache-control': 'no-cache',
      'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://server');
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/openapi.json') return sendJson(res, 200, openApiDocument());
    if (method === 'GET' && (url.pathname === '/' || url.pathname.startsWith('/ui'))) return serveUi(res, url.pathname);
    let allowed: string[] = [];
    for (const r of routes) {
      const params = r.match(url.pathname);
      if (!params) continue;
      if (r.method !== method) {
        allowed.push(r.method);
        continue;
      }
      let actor: Actor = { name: 'anonymous', role: 'viewer', tokenId: '' };
      if (r.role !== 'public') {
        const auth = req.headers.authorization ?? '';
        actor = await jobs.tokens.verify(/^Bearer \S+$/i.test(auth) ? auth.slice(7).trim() : undefined);
        if (!allows(actor.role, r.role)) throw new JobsError('forbidden', `${method} ${url.pathname} needs the ${r.role} role; the token '${actor.name.replace(/^token:/, '')}' is ${actor.role}`, 'Ask an admin for a token with that role.');
      }
      let parsed: Promise<Record<string, unknown> | undefined> | undefined;
      const body = async (required = false) => {
        const value = await (parsed ??= readJson(req));
        if (value === undefined && required) throw new HttpError('invalid', `${method} ${url.pathname} needs a JSON body`);
        return value ?? {};
      };
      return r.handler({ req, res, url, params, actor, body });
    }
    allowed = [...new Set(allowed)];
    if (allowed.length) {
      res.setHeader('allow', allowed.join(', '));
      throw new HttpError('method', `${method} is not allowed on ${url.pathname} (allowed: ${allowed.join(', ')})`);
    }
    throw new JobsError('not-found', `no such endpoint: ${method} ${url.pathname}`, 'The API is described at /openapi.json.');
  }

  return {
    hub,
    handle: (req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (res.headersSent) {
          log(`error after the answer began: ${(err as Error)?.message ?? String(err)}`);
          res.end();
          return;
        }
        sendError(res, err, log);
      });
    },
    close: () => closing.abort(),
  };
}

export interface TlsFiles {
  cert: string;
  key: string;
}

/** An HTTP server (HTTPS with `tls`) around the app. */
export async function listen(app: ReturnType<typeof createApp>, host: string, port: number, tls?: TlsFiles): Promise<{ server: Server; url: string }> {
  const server = tls ? createHttpsServer({ cert: await readFile(tls.cert), key: await readFile(tls.key) }, app.handle) : createHttpServer(app.handle);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as { port: number };
  return { server, url: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${addr.port}` };
}
