// Test helpers for the jobs layer: a data directory and a file backend holding one stack, the
// simulated clouds registered (or moto, for AWS), credentials stored, and the jobs opened on
// SQLite or a given database URL. Shared by the jobs, server and CLI tests and the benchmark.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanEnv, runInProcess } from '../../test/helpers/cli.ts';
import { registerSimulatedClouds } from '../../test/provider/simulated-cloud.ts';
import { openJobs } from './context.ts';
import type { Jobs, JobsOptions } from './context.ts';
import { resolvePolicy, stepsFor } from './policy.ts';
import type { Job, JobSpec, JobStatus } from './types.ts';

export const PASSPHRASE = 'jobs-test-passphrase-51c2';
export const DO_TOKEN = 'dop_v1_jobs_planted_token_0c7e11';
export const SMALL_CONFIG = readFileSync(new URL('../../test/fixtures/jobs/small.lisp', import.meta.url), 'utf8');
export const FAST = { pollMs: 50, heartbeatMs: 100, staleMs: 2_000, graceMs: 1_000 };

export class JobsEnv {
  readonly dir = mkdtempSync(join(tmpdir(), 'sloth-jobs-'));
  readonly dataDir = join(this.dir, 'data');
  /** What the server runs jobs with: the backend and the simulated cloud, no credentials. */
  readonly baseEnv: Record<string, string | undefined>;
  readonly #undo: () => void;

  constructor(extra: Record<string, string> = {}, options: { simulated?: boolean } = {}) {
    this.baseEnv = {
      PULUMI_BACKEND_URL: `file://${join(this.dir, 'state')}`,
      SLOTH_SIM_CLOUD: join(this.dir, 'cloud'),
      SLOTH_OPERATOR_CIDRS: '198.51.100.7/32',
      ...extra,
    };
    this.#undo = options.simulated === false ? () => undefined : registerSimulatedClouds();
  }

  /** Creates a passphrase stack with the CLI. */
  async createStack(name: string): Promise<void> {
    const r = await runInProcess(['stacks', 'create', name], { env: cleanEnv({ ...this.baseEnv, HOME: this.dir, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE }), cwd: this.dir });
    if (r.code !== 0) throw new Error(`stacks create ${name}: ${r.stderr}`);
  }

  /** The CLI run in-process against this backend with the passphrase (to inspect what a job did). */
  cli(argv: string[]) {
    return runInProcess(argv, { env: cleanEnv({ ...this.baseEnv, HOME: this.dir, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, DIGITALOCEAN_TOKEN: DO_TOKEN, CI: 'true' }), cwd: this.dir });
  }

  /** Jobs opened on this data directory, with the DigitalOcean token and the passphrase stored and mapped to `stack`. */
  async open(stack: string, options: Partial<JobsOptions> = {}): Promise<Jobs> {
    const jobs = await openJobs({ dataDir: this.dataDir, baseEnv: this.baseEnv, git: { allowFileUrls: true }, ...options });
    await jobs.credentials.put('do', 'digitalocean', { DIGITALOCEAN_TOKEN: DO_TOKEN });
    await jobs.credentials.put('pass', 'stack', { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE });
    await jobs.settings.setStack({ stack, organization: 'acme', environment: 'staging', credentials: ['do', 'pass'] });
    return jobs;
  }

  cleanup(): void {
    this.#undo();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Waits until the job is in one of `statuses` (polling the database), or fails after `ms`. */
export async function waitFor(jobs: Jobs, id: string, statuses: readonly JobStatus[], ms = 60_000): Promise<Job> {
  const deadline = Date.now() + ms;
  for (;;) {
    const job = await jobs.jobs.require(id);
    if (statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} is ${job.status}, not ${statuses.join('/')}, after ${ms} ms: ${job.error ?? ''}\n${JSON.stringify(await jobs.jobs.logs(id), null, 1).slice(-3000)}`);
    await sleep(50);
  }
}

/** A job spec for the queue tests (no config, default policy). */
export function specFor(stack: string, operation: JobSpec['operation'] = 'deploy'): JobSpec {
  const policy = resolvePolicy([]);
  return { stack, operation, organization: 'default', environment: 'default', trigger: { actor: 'token:test', event: 'api' }, policy, credentials: [], steps: stepsFor(operation, policy) };
}
