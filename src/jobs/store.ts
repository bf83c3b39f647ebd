// Jobs and their logs in the database: create, list, claim (one job at a time per stack, FIFO
// per stack, any stack in parallel), heartbeats, transitions, approval decisions, cancel
// requests, and the recovery of jobs whose runner stopped beating. Every transition is
// timestamped on the job. On PostgreSQL a claim locks the candidate row with FOR UPDATE SKIP
// LOCKED, so runners on several machines never wait for each other; on SQLite the claim is
// one BEGIN IMMEDIATE transaction. Either way the unique index of schema.ts is the last word.
import { randomBytes } from 'node:crypto';
import type { Db, Row } from './db.ts';
import { isUniqueViolation } from './db.ts';
import { JobsError } from './errors.ts';
import { isFinal } from './types.ts';
import type { Decision, Job, JobSpec, JobStatus, LogEntry, StepState, Transition } from './types.ts';

const json = <T>(v: unknown): T | undefined => (typeof v === 'string' ? (JSON.parse(v) as T) : undefined);
const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

function jobOf(r: Row): Job {
  return {
    id: r.id as string,
    seq: Number(r.seq),
    stack: r.stack as string,
    operation: r.operation as Job['operation'],
    status: r.status as JobStatus,
    spec: json<JobSpec>(r.spec)!,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    startedAt: num(r.started_at),
    finishedAt: num(r.finished_at),
    runner: (r.runner as string | null) ?? undefined,
    heartbeatAt: num(r.heartbeat_at),
    attempt: Number(r.attempt),
    cancelRequested: Number(r.cancel_requested) === 1,
    applied: Number(r.applied) === 1,
    decision: json<Decision>(r.decision),
    plan: json<Record<string, unknown>>(r.plan),
    outputs: json<Record<string, unknown>>(r.outputs),
    error: (r.error as string | null) ?? undefined,
    steps: json<StepState[]>(r.operations)!,
    transitions: json<Transition[]>(r.transitions)!,
  };
}

export function newJobId(): string {
  return `sj_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
}

export interface JobFilter {
  stack?: string;
  status?: JobStatus;
  operation?: string;
  limit?: number;
  /** Only jobs created before this sequence number (paging). */
  before?: number;
}

export interface Recovered {
  job: Job;
  /** requeued: nothing had been applied; failed: it may have changed the cloud. */
  action: 'requeued' | 'failed';
}

export class JobStore {
  readonly db: Db;
  readonly now: () => number;
  constructor(db: Db, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
  }

  async create(spec: JobSpec, by: string): Promise<Job> {
    const id = newJobId();
    const at = this.now();
    const steps: StepState[] = spec.steps.map((step) => ({ step, status: 'pending' }));
    const transitions: Transition[] = [{ status: 'queued', at, by }];
    await this.db.run(
      `INSERT INTO jobs (id, stack, operation, status, spec, created_at, updated_at, operations, transitions) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)`,
      [id, spec.stack, spec.operation, JSON.stringify(spec), at, at, JSON.stringify(steps), JSON.stringify(transitions)],
    );
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Job | undefined> {
    const [r] = await this.db.all(`SELECT * FROM jobs WHERE id = ?`, [id]);
    return r ? jobOf(r) : undefined;
  }

  async require(id: string): Promise<Job> {
    const job = await this.get(id);
    if (!job) throw new JobsError('not-found', `no job '${id}'`, 'List the jobs with: sloth-kubernetes jobs list');
    return job;
  }

  async list(filter: JobFilter = {}): Promise<Job[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const [col, v] of [['stack', filter.stack], ['status', filter.status], ['operation', filter.operation]] as const) {
      if (v !== undefined) {
        where.push(`${col} = ?`);
        params.push(v);
      }
    }
    if (filter.before !== undefined) {
      where.push('seq < ?');
      params.push(filter.before);
    }
    params.push(Math.min(Math.max(filter.limit ?? 50, 1), 500));
    const rows = await this.db.all(`SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`, params);
    return rows.map(jobOf);
  }

  /** Position of a queued job among its stack's queued jobs (1 = next). */
  async queuePosition(job: Job): Promise<number> {
    const [r] = await this.db.all<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs WHERE stack = ? AND status = 'queued' AND seq <= ?`, [job.stack, job.seq]);
    return Number(r?.n ?? 0);
  }

  /**
   * Takes the oldest queued job whose stack has no running or awaiting job and no older queued
   * job, and marks it running for `runner`. Undefined when there is none (or another runner
   * took the same stack at the same instant).
   */
  async claim(runner: string): Promise<Job | undefined> {
    const lock = this.db.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : '';
    try {
      return await this.db.tx(async (tx) => {
        const [row] = await tx.all<{ id: string; transitions: string }>(
          `SELECT id, transitions FROM jobs j WHERE status = 'queued'
             AND NOT EXISTS (SELECT 1 FROM jobs a WHERE a.stack = j.stack AND a.status IN ('running', 'awaiting_approval'))
             AND NOT EXISTS (SELECT 1 FROM jobs q WHERE q.stack = j.stack AND q.status = 'queued' AND q.seq < j.seq)
           ORDER BY seq LIMIT 1 ${lock}`,
        );
        if (!row) return undefined;
        const at = this.now();
        const transitions = [...JSON.parse(row.transitions), { status: 'running', at, note: `runner ${runner}` }];
        const n = await tx.run(
          `UPDATE jobs SET status = 'running', runner = ?, heartbeat_at = ?, started_at = COALESCE(started_at, ?), updated_at = ?, attempt = attempt + 1, transitions = ? WHERE id = ? AND status = 'queued'`,
          [runner, at, at, at, JSON.stringify(transitions), row.id],
        );
        if (n !== 1) return undefined;
        const [r] = await tx.all(`SELECT * FROM jobs WHERE id = ?`, [row.id]);
        return jobOf(r!);
      });
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  /** The runner is alive. Returns the job as stored (cancel requests, decisions); undefined if the job is no longer this runner's. */
  async heartbeat(id: string, runner: string): Promise<Job | undefined> {
    const n = await this.db.run(`UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND runner = ? AND status IN ('running', 'awaiting_approval')`, [this.now(), id, runner]);
    return n === 1 ? this.get(id) : undefined;
  }

  /** Changes what the runner owns of a running job (its steps, plan, outputs, applied flag). */
  async update(id: string, runner: string, patch: { steps?: StepState[]; plan?: unknown; outputs?: unknown; applied?: boolean }): Promise<void> {
    const sets: string[] = ['updated_at = ?'];
    const params: unknown[] = [this.now()];
    if (patch.steps) {
      sets.push('operations = ?');
      params.push(JSON.stringify(patch.steps));
    }
    if (patch.plan !== undefined) {
      sets.push('plan = ?');
      params.push(JSON.stringify(patch.plan));
    }
    if (patch.outputs !== undefined) {
      sets.push('outputs = ?');
      params.push(JSON.stringify(patch.outputs));
    }
    if (patch.applied) sets.push('applied = 1');
    await this.db.run(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ? AND runner = ?`, [...params, id, runner]);
  }

  /**
   * Moves a job from one of `from` to `to`, appending the transition. False when the job was
   * not in one of those states (someone else moved it first).
   */
  async transition(id: string, from: readonly JobStatus[], to: JobStatus, extra: { by?: string; note?: string; error?: string; runner?: string; decision?: Decision } = {}): Promise<boolean> {
    return this.db.tx(async (tx) => {
      const [r] = await tx.all<{ status: JobStatus; transitions: string; runner: string | null }>(`SELECT status, transitions, runner FROM jobs WHERE id = ?`, [id]);
      if (!r || !from.includes(r.status)) return false;
      if (extra.runner !== undefined && r.runner !== extra.runner) return false;
      const at = this.now();
      const t: Transition = { status: to, at, ...(extra.by ? { by: extra.by } : {}), ...(extra.note ? { note: extra.note } : {}) };
      const sets = ['status = ?', 'updated_at = ?', 'transitions = ?'];
      const params: unknown[] = [to, at, JSON.stringify([...JSON.parse(r.transitions), t])];
      if (isFinal(to)) {
        sets.push('finished_at = ?');
        params.push(at);
      }
      if (to === 'queued') sets.push('runner = NULL', 'heartbeat_at = NULL');
      if (extra.error !== undefined) {
        sets.push('error = ?');
        params.push(extra.error);
      }
      if (extra.decision) {
        sets.push('decision = ?');
        params.push(JSON.stringify(extra.decision));
      }
      await tx.run(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
      return true;
    });
  }

  /** Records an approval or a rejection of a job awaiting one; the runner acts on it. */
  async decide(id: string, decision: Decision): Promise<Job> {
    const n = await this.db.run(`UPDATE jobs SET decision = ?, updated_at = ? WHERE id = ? AND status = 'awaiting_approval' AND decision IS NULL`, [JSON.stringify(decision), this.now(), id]);
    const job = await this.require(id);
    if (n !== 1) throw new JobsError('conflict', `job ${id} is ${job.status}${job.decision ? ` (already ${job.decision.approved ? 'approved' : 'rejected'} by ${job.decision.by})` : ''}; only a job awaiting approval can be approved or rejected`);
    return job;
  }

  /** A queued job is cancelled at once; a running one is asked to stop (its runner ends it). */
  async cancel(id: string, by: string): Promise<Job> {
    const job = await this.require(id);
    if (job.status === 'queued' && (await this.transition(id, ['queued'], 'cancelled', { by, note: 'cancelled before it started' }))) return (await this.get(id))!;
    if (job.status === 'running' || job.status === 'awaiting_approval') {
      await this.db.run(`UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?`, [this.now(), id]);
      await this.appendLog(id, [{ kind: 'status', data: { message: `cancel requested by ${by}` } }]);
      return (await this.get(id))!;
    }
    throw new JobsError('conflict', `job ${id} is ${job.status}; it cannot be cancelled`);
  }

  /** Running or paused jobs whose runner has not beaten for `staleMs`. */
  async stale(staleMs: number): Promise<Job[]> {
    const rows = await this.db.all(`SELECT * FROM jobs WHERE status IN ('running', 'awaiting_approval') AND heartbeat_at < ?`, [this.now() - staleMs]);
    return rows.map(jobOf);
  }

  /**
   * Takes a stale job from its silent runner: queued again when nothing was applied (the next
   * attempt starts over), failed otherwise (cancelled when a cancel was asked). Undefined when
   * the runner beat meanwhile or another recovery came first. The caller has released the
   * stack lock the runner's process held.
   */
  async recover(job: Job, staleMs: number): Promise<Recovered | undefined> {
    const lost = `runner ${job.runner} stopped responding (no heartbeat for ${Math.round(staleMs / 1000)} s)`;
    const requeue = !job.applied && !job.cancelRequested;
    const n = await this.db.run(`UPDATE jobs SET updated_at = updated_at WHERE id = ? AND runner = ? AND heartbeat_at < ?`, [job.id, job.runner, this.now() - staleMs]);
    if (n !== 1) return undefined;
    const moved = await this.transition(job.id, ['running', 'awaiting_approval'], requeue ? 'queued' : job.cancelRequested ? 'cancelled' : 'failed', {
      runner: job.runner,
      note: lost,
      ...(requeue ? {} : { error: `${lost} after changes may have been applied; run a refresh, then the job again` }),
    });
    if (!moved) return undefined;
    if (requeue) await this.db.run(`UPDATE jobs SET decision = NULL, plan = NULL WHERE id = ?`, [job.id]);
    await this.appendLog(job.id, [{ kind: 'status', data: { message: requeue ? `${lost}; nothing had been applied: queued again` : `${lost}; the job failed` } }]);
    return { job, action: requeue ? 'requeued' : 'failed' };
  }

  /** stale() and recover() in one (tests; the runner releases locks in between). */
  async recoverStale(staleMs: number): Promise<Recovered[]> {
    const out: Recovered[] = [];
    for (const job of await this.stale(staleMs)) {
      const r = await this.recover(job, staleMs);
      if (r) out.push(r);
    }
    return out;
  }

  /** Appends to a job's log; returns the sequence number of the last entry. */
  async appendLog(jobId: string, entries: readonly Omit<LogEntry, 'seq' | 'at'>[]): Promise<number> {
    // Two writers (the runner, a cancel request) may take the same number: the loser retries.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#append(jobId, entries);
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= 5) throw err;
      }
    }
  }

  #append(jobId: string, entries: readonly Omit<LogEntry, 'seq' | 'at'>[]): Promise<number> {
    return this.db.tx(async (tx) => {
      const [r] = await tx.all<{ n: number | null }>(`SELECT MAX(seq) AS n FROM job_logs WHERE job_id = ?`, [jobId]);
      let seq = Number(r?.n ?? 0);
      const at = this.now();
      for (const e of entries) await tx.run(`INSERT INTO job_logs (job_id, seq, at, kind, data) VALUES (?, ?, ?, ?, ?)`, [jobId, ++seq, at, e.kind, JSON.stringify(e.data)]);
      return seq;
    });
  }

  /** Log entries after `after` (0: from the start), oldest first. */
  async logs(jobId: string, after = 0, limit = 1000): Promise<LogEntry[]> {
    const rows = await this.db.all<{ seq: number; at: number; kind: LogEntry['kind']; data: string }>(`SELECT seq, at, kind, data FROM job_logs WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?`, [jobId, after, limit]);
    return rows.map((r) => ({ seq: Number(r.seq), at: Number(r.at), kind: r.kind, data: JSON.parse(r.data) as Record<string, unknown> }));
  }
}
