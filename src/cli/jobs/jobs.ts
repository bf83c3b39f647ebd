// The `jobs` commands: a client of a running server (--server / SLOTH_SERVER, --token /
// SLOTH_SERVER_TOKEN / --token-file). Each reads flags, calls the API once (logs --follow:
// reads the live stream) and renders the answer as lines or JSON.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ApiClient } from '../../server/index.ts';
import type { StreamedEntry } from '../../server/index.ts';
import { CliError } from '../errors.ts';
import type { CliIO } from '../io.ts';

export interface ServerFlags {
  server?: string;
  token?: string;
  tokenFile?: string;
  json?: boolean;
}

/** A job as the API returns it (the fields the CLI shows). */
interface JobView {
  id: string;
  stack: string;
  operation: string;
  status: string;
  createdAt: number;
  finishedAt?: number;
  error?: string;
  queuePosition?: number;
  plan?: { summary?: Record<string, number>; steps?: { op: string; name: string; type: string }[] };
  outputs?: Record<string, unknown>;
  steps: { step: string; status: string }[];
  transitions: { status: string; at: number; by?: string; note?: string }[];
  spec: { message?: string; trigger: { actor: string }; policy: Record<string, { value: boolean; from: string; scopeName?: string }>; credentials: { name: string; provider: string }[]; source?: { kind: string; name?: string; url?: string; path?: string; commit?: string }; configHash?: string };
}

async function client(io: CliIO, f: ServerFlags): Promise<ApiClient> {
  const server = f.server ?? io.env.SLOTH_SERVER;
  if (!server) throw new CliError('no server given', { hint: 'Pass --server URL or set SLOTH_SERVER (e.g. http://127.0.0.1:8080).' });
  let token = f.token ?? io.env.SLOTH_SERVER_TOKEN;
  if (!token && f.tokenFile) {
    try {
      token = (await readFile(resolve(io.cwd, f.tokenFile), 'utf8')).trim();
    } catch (err) {
      throw new CliError(`cannot read the token file ${f.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (!token) throw new CliError('no API token given', { hint: 'Pass --token-file FILE (or --token), or set SLOTH_SERVER_TOKEN.' });
  return new ApiClient(server, token);
}

const time = (ms?: number) => (ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');
const out = (io: CliIO, text: string): void => void io.stdout.write(`${text}\n`);
const json = (io: CliIO, value: unknown) => out(io, JSON.stringify(value, null, 2));

function renderJob(io: CliIO, j: JobView): void {
  out(io, `Job ${j.id}: ${j.operation} of stack '${j.stack}' — ${j.status}${j.queuePosition ? ` (#${j.queuePosition} in the stack's queue)` : ''}`);
  out(io, `  created ${time(j.createdAt)} by ${j.spec.trigger.actor}${j.spec.message ? `: ${j.spec.message}` : ''}`);
  const src = j.spec.source;
  if (src) out(io, `  config: ${src.kind === 'git' ? `${src.url} ${src.path} at ${src.commit?.slice(0, 12)}` : src.name} (sha256 ${j.spec.configHash?.slice(0, 12)}…)`);
  out(io, `  policy: ${Object.entries(j.spec.policy).map(([k, v]) => `${k}=${v.value} (${v.from}${v.scopeName ? ` ${v.scopeName}` : ''})`).join(', ')}`);
  out(io, `  credentials: ${j.spec.credentials.map((c) => `${c.name} (${c.provider})`).join(', ') || 'none'}`);
  out(io, `  steps: ${j.steps.map((s) => `${s.step} ${s.status}`).join(', ')}`);
  for (const t of j.transitions) out(io, `  ${time(t.at)} ${t.status}${t.by ? ` by ${t.by}` : ''}${t.note ? ` — ${t.note}` : ''}`);
  if (j.plan?.summary) {
    const s = j.plan.summary;
    out(io, `Plan: ${s.create ?? 0} to create, ${s.update ?? 0} to update, ${s.replace ?? 0} to replace, ${s.delete ?? 0} to delete`);
    for (const st of j.plan.steps ?? []) out(io, `  ${st.op.padEnd(8)} ${st.name} (${st.type})`);
  }
  if (j.outputs) {
    out(io, 'Outputs:');
    for (const [k, v] of Object.entries(j.outputs)) out(io, `  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  if (j.error) out(io, `error: ${j.error}`);
}

export interface CreateFlags extends ServerFlags {
  config?: string;
  gitUrl?: string;
  gitRef?: string;
  gitPath?: string;
  message?: string;
  credential?: string[];
  bootstrap?: boolean;
  operatorCidr?: string[];
  to?: string;
  follow?: boolean;
}

export async function createJob(io: CliIO, operation: string, stack: string, f: CreateFlags): Promise<void> {
  const api = await client(io, f);
  let config: { text: string; name: string } | undefined;
  if (f.config) {
    const path = resolve(io.cwd, f.config);
    try {
      config = { text: await readFile(path, 'utf8'), name: path.split('/').pop()! };
    } catch (err) {
      throw new CliError(`cannot read the configuration file ${f.config}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const git = f.gitUrl || f.gitRef || f.gitPath ? { url: f.gitUrl ?? '', ref: f.gitRef ?? '', path: f.gitPath ?? '' } : undefined;
  const job = await api.request<JobView>('POST', '/api/v1/jobs', {
    stack,
    operation,
    ...(f.message ? { message: f.message } : {}),
    ...(config ? { config } : {}),
    ...(git ? { git } : {}),
    ...(f.credential ? { credentials: f.credential } : {}),
    ...(f.bootstrap === false ? { bootstrap: false } : {}),
    ...(f.operatorCidr ? { operatorCidrs: f.operatorCidr } : {}),
    ...(f.to ? { rollbackTo: f.to } : {}),
  });
  if (f.json && !f.follow) return json(io, job);
  out(io, `Created job ${job.id} (${job.operation} of stack '${job.stack}'): ${job.status}${job.queuePosition ? `, #${job.queuePosition} in the stack's queue` : ''}`);
  if (f.follow) await followLogs(io, api, job.id, 0, f.json);
}

export async function listJobs(io: CliIO, f: ServerFlags & { stack?: string; status?: string; operation?: string; limit?: number }): Promise<void> {
  const api = await client(io, f);
  const q = new URLSearchParams();
  for (const k of ['stack', 'status', 'operation', 'limit'] as const) if (f[k] !== undefined) q.set(k, String(f[k]));
  const { jobs } = await api.request<{ jobs: JobView[] }>('GET', `/api/v1/jobs${q.size ? `?${q}` : ''}`);
  if (f.json) return json(io, jobs);
  if (jobs.length === 0) return out(io, 'No jobs.');
  const rows = [['JOB', 'STACK', 'OPERATION', 'STATUS', 'CREATED', 'BY'], ...jobs.map((j) => [j.id, j.stack, j.operation, j.status, time(j.createdAt), j.spec.trigger.actor])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) out(io, r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

export async function showJob(io: CliIO, id: string, f: ServerFlags): Promise<void> {
  const job = await (await client(io, f)).request<JobView>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
  if (f.json) return json(io, job);
  renderJob(io, job);
}

function entryLine(e: StreamedEntry): string | undefined {
  const d = e.data as Record<string, unknown> & { step?: { op: string; name: string }; plan?: { summary: unknown } };
  const t = time(e.at);
  if (e.kind === 'event') {
    switch (d.type) {
      case 'progress':
        return undefined;
      case 'step-start':
        return `${t} ${d.step!.op} ${d.step!.name}…`;
      case 'step-done':
        return `${t} ${d.step!.op} ${d.step!.name} done`;
      case 'step-failed':
        return `${t} ${d.step!.op} ${d.step!.name} failed: ${String(d.error)}`;
      case 'plan':
        return `${t} plan: ${JSON.stringify(d.plan!.summary)}`;
      case 'diagnostic':
        return `${t} ${String(d.severity)}: ${String(d.message)}`;
      case 'summary':
        return `${t} ${String(d.kind)} ${String(d.result)}: ${JSON.stringify(d.changes)}`;
      default:
        return `${t} ${String(d.type)}${d.message ? `: ${String(d.message)}` : ''}`;
    }
  }
  if (e.kind === 'step') return `${t} step ${String(d.step)}: ${String(d.status)}`;
  return `${t} ${d.status ? `[${String(d.status)}] ` : ''}${d.message ? String(d.message) : JSON.stringify(d)}`;
}

async function followLogs(io: CliIO, api: ApiClient, id: string, after: number, asJson?: boolean): Promise<void> {
  const stream = api.follow(id, after);
  for (;;) {
    const next = await stream.next();
    if (next.done) {
      const end = next.value;
      if (!asJson) out(io, `Job ${id} ${end.status}${end.error ? `: ${end.error}` : ''}`);
      if (end.status !== 'succeeded') throw new CliError(`job ${id} ended ${end.status}`, { display: asJson ? `error: job ${id} ended ${end.status}` : '' });
      return;
    }
    const line = asJson ? JSON.stringify(next.value) : entryLine(next.value);
    if (line) out(io, line);
  }
}

export async function jobLogs(io: CliIO, id: string, f: ServerFlags & { follow?: boolean; after?: number }): Promise<void> {
  const api = await client(io, f);
  if (f.follow) return followLogs(io, api, id, f.after ?? 0, f.json);
  const { entries, status } = await api.request<{ entries: StreamedEntry[]; status: string }>('GET', `/api/v1/jobs/${encodeURIComponent(id)}/logs?after=${f.after ?? 0}&limit=5000`);
  if (f.json) return json(io, entries);
  for (const e of entries) {
    const line = entryLine(e);
    if (line) out(io, line);
  }
  out(io, `(job ${status})`);
}

/** approve, reject, cancel, retry. */
export async function actOnJob(io: CliIO, verb: 'approve' | 'reject' | 'cancel' | 'retry', id: string, f: ServerFlags & { comment?: string }): Promise<void> {
  const job = await (await client(io, f)).request<JobView>('POST', `/api/v1/jobs/${encodeURIComponent(id)}/${verb}`, f.comment ? { comment: f.comment } : {});
  if (f.json) return json(io, job);
  if (verb === 'retry') return out(io, `Created job ${job.id} (a new run of ${id}): ${job.status}`);
  const done = { approve: 'Approved', reject: 'Rejected', cancel: job.status === 'cancelled' ? 'Cancelled' : 'Cancel requested for' }[verb];
  out(io, `${done} job ${id} (now ${job.status}).`);
}
