// One update of a Stack through the ops layer — the same preview, deploy, refresh and destroy
// the CLI runs — with the operator as the host: engine events become log lines, the approval
// gate answers `confirm`, and the operator's stop and abort signals are the update's. The
// update's environment holds only what the Stack's envRefs give (plus settings that keep the
// AWS SDK from looking for credentials anywhere else), and its home is a fresh directory.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Plan } from '../engine/index.ts';
import type { ConfirmRequest, OpsContext, OpsEvent, OpsHost } from '../ops/index.ts';
import { REDACTED, scrubText, secretList } from '../redact/index.ts';
import type { LockHolder } from '../state/index.ts';

export const DEFAULT_BACKEND = 'file:///var/lib/sloth-kubernetes';

export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

/** Steps, URNs and changes, without values: the same plan always has the same digest. */
export function planDigest(plan: Plan, commit: string | undefined): string {
  const h = createHash('sha256').update(`${commit ?? ''}\n`);
  for (const s of plan.steps) h.update(`${s.op} ${s.urn} ${(s.changes ?? []).map((c) => `${c.kind}:${c.key}`).join(',')}\n`);
  for (const c of plan.outputChanges) h.update(`output ${c.kind}:${c.key}\n`);
  return h.digest('hex').slice(0, 16);
}

export function planSummary(plan: Plan): { summary: string; changes: Record<string, number> } {
  const c = plan.counts;
  const changes = { create: c.create, update: c.update, replace: c.replace, delete: c.delete };
  const parts = Object.entries(changes).filter(([, n]) => n > 0).map(([k, n]) => `${n} to ${k}`);
  return { summary: parts.length ? parts.join(', ') : 'no changes', changes };
}

/** The ops port for one update: log lines, the plan, the summary and drift, kept for the status. */
export class UpdateHost implements OpsHost {
  readonly #log: Log;
  readonly #secrets: string[];
  readonly #approve: (request: ConfirmRequest) => boolean;
  plan: Plan | undefined;
  summary: Extract<OpsEvent, { type: 'summary' }> | undefined;
  readonly drifted: string[] = [];

  constructor(log: Log, secrets: Iterable<string>, approve: (request: ConfirmRequest) => boolean) {
    this.#log = log;
    this.#secrets = secretList(secrets);
    this.#approve = approve;
  }

  scrub(text: string): string {
    return scrubText(text, this.#secrets);
  }

  notify(e: OpsEvent): void {
    const log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => this.#log(level, this.scrub(message), fields);
    switch (e.type) {
      case 'plan':
        this.plan = e.plan;
        log('info', `plan: ${planSummary(e.plan).summary}`);
        return;
      case 'run':
        log('info', `${e.kind} of stack ${e.stack} started`);
        return;
      case 'step-done':
        log('info', `${e.step.op} ${e.step.urn} done`);
        return;
      case 'step-failed':
        log('warn', `${e.step.op} ${e.step.urn} failed: ${e.error}`);
        return;
      case 'retry':
        log('info', `retrying ${e.step.urn} (attempt ${e.attempt}): ${e.error}`);
        return;
      case 'diagnostic':
        if (e.severity !== 'info') log(e.severity === 'error' ? 'error' : 'warn', e.message, e.urn ? { urn: e.urn } : undefined);
        return;
      case 'drift':
        this.drifted.push(e.urn);
        log('warn', `drift: ${e.urn} ${e.kind === 'gone' ? 'is gone from its cloud' : 'changed'}`);
        return;
      case 'summary':
        this.summary = e;
        log(e.result === 'succeeded' ? 'info' : 'warn', `${e.kind} ${e.result}`, { changes: e.changes });
        return;
      case 'warning':
      case 'notice':
        log(e.type === 'warning' ? 'warn' : 'info', e.message);
        return;
      default:
    }
  }

  async confirm(request: ConfirmRequest): Promise<boolean> {
    return this.#approve(request);
  }

  /** Why the engine run failed, from its summary (first failures), without secrets. */
  failureStory(): string | undefined {
    const s = this.summary;
    if (!s || s.result === 'succeeded') return undefined;
    const lines = [...s.failures.map((f) => `${f.urn}: ${f.error}`), ...s.errors].slice(0, 3);
    return lines.length ? this.scrub(lines.join('; ')) : undefined;
  }
}

/** Root outputs that are the stack's memory, not a description of the cluster: left out of the status. */
const MEMORY = new Set(['configJson', 'lispManifest', 'deploymentMeta', 'auditIndex', 'manifestRegistry', 'operationsHistory']);

/** The stack's outputs in short, for the status: each value as JSON (at most 200 characters), secrets as [secret]. Nothing is decrypted. */
export async function outputsSummary(ctx: OpsContext, stack: string): Promise<Record<string, string>> {
  const { stackOutputsOf } = await import('../ops/index.ts');
  const { outputs } = await stackOutputsOf(ctx, { stack });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(outputs)) {
    if (MEMORY.has(k)) continue;
    const text = v === REDACTED ? REDACTED : JSON.stringify(v);
    out[k] = text.length > 200 ? `${text.slice(0, 197)}...` : text;
  }
  return out;
}

export interface Workspace {
  dir: string;
  /** The config file's path, relative to dir. */
  file: string;
  ctx: OpsContext;
  cleanup(): Promise<void>;
}

/** A fresh 0700 directory holding the config (0600) and serving as the update's home. */
export async function workspace(root: string, file: string, text: string, ctx: Omit<OpsContext, 'cwd' | 'homedir'>): Promise<Workspace> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(root, 'update-'));
  const path = join(dir, 'src', file);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, text, { mode: 0o600 });
  const none = join(dir, 'none');
  return {
    dir,
    file: join('src', file),
    ctx: {
      ...ctx,
      cwd: dir,
      homedir: dir,
      // Credentials come from envRefs only: not from AWS files or an instance role of the node.
      env: { AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: none, AWS_CONFIG_FILE: none, ...ctx.env, HOME: dir, CI: 'true' },
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Whether every lock of the stack was taken by `process` ("host pid N"): the interrupted update's own lock. */
export function locksOf(holders: readonly LockHolder[], process: string | undefined): boolean {
  return holders.length > 0 && process !== undefined && holders.every((h) => `${h.hostname} pid ${h.pid}` === process);
}
