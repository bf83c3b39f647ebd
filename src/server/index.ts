// `sloth-kubernetes server`: the jobs API, the web UI and N runners in one process. With
// PostgreSQL, more processes (on more machines) may serve the same queue; with --runners 0 a
// process only answers the API, and a process may run jobs only (--no-listen is --runners N
// without an address to listen on; see docs/jobs.md).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobService, openJobs, Runner } from '../jobs/index.ts';
import type { Jobs, JobsOptions, RunnerTimings } from '../jobs/index.ts';
import { createApp, listen } from './app.ts';
import type { TlsFiles } from './app.ts';

export { createApp, listen } from './app.ts';
export type { TlsFiles } from './app.ts';
export { openApiDocument } from './openapi.ts';
export { ApiClient, ApiError } from './client.ts';
export type { StreamedEntry } from './client.ts';

export interface ServerOptions extends JobsOptions {
  /** Address to listen on; undefined: run jobs only, answer nothing. */
  host?: string;
  port?: number;
  tls?: TlsFiles;
  /** Runners in this process (0: API only). */
  runners: number;
  timings?: Partial<RunnerTimings>;
  log: (message: string) => void;
}

export interface RunningServer {
  url?: string;
  jobs: Jobs;
  runners: Runner[];
  /** The file a first start wrote the admin token to. */
  adminTokenFile?: string;
  /** Stops listening and claiming; waits for the jobs in hand unless `now`. */
  close(now?: boolean): Promise<void>;
}

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const jobs = await openJobs(o);
  let adminTokenFile: string | undefined;
  const made = await jobs.tokens.createFirstAdmin();
  if (made) {
    adminTokenFile = join(o.dataDir, 'admin.token');
    writeFileSync(adminTokenFile, `${made.token}\n`, { mode: 0o600 });
    await jobs.settings.record('server', 'token.create', made.id, { name: made.name, role: made.role, writtenTo: adminTokenFile });
  }
  const runners = Array.from({ length: o.runners }, () => new Runner(jobs, o.timings));
  const service = new JobService(jobs, () => runners.forEach((r) => r.wake()));
  service.onWarning = o.log;
  const app = createApp({ jobs, service, log: o.log, pollMs: o.timings?.pollMs });
  for (const r of runners) {
    r.onLog = (jobId) => app.hub.notify(jobId);
    r.onError = (err) => o.log(`runner ${r.id}: ${(err as Error)?.message ?? String(err)}`);
    r.start();
  }
  const listening = o.host !== undefined ? await listen(app, o.host, o.port ?? 8080, o.tls) : undefined;
  return {
    url: listening?.url,
    jobs,
    runners,
    adminTokenFile,
    close: async (now = false) => {
      app.close();
      const closed = listening ? new Promise<void>((resolve) => listening.server.close(() => resolve())) : Promise.resolve();
      listening?.server.closeIdleConnections();
      if (!now) await Promise.all(runners.map((r) => r.stop()));
      await closed;
      await jobs.close();
    },
  };
}
