// `sloth-kubernetes server`: reads the flags, starts the server (src/server) and runs until
// Ctrl-C or SIGTERM (once: stop claiming and wait for the jobs in hand; twice: exit now, and
// the next start — or another runner — recovers them).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { redactUrl } from '../../jobs/index.ts';
import { startServer } from '../../server/index.ts';
import { CliError } from '../errors.ts';
import type { CliIO } from '../io.ts';

export interface ServerFlags {
  listen: string | false;
  dataDir?: string;
  database?: string;
  keyFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  runners: string;
  heartbeatTimeout: string;
  backend?: string;
  passEnv?: string[];
  allow?: string[];
  allowFileGit?: boolean;
}

function parseListen(v: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new CliError(`--listen '${v}': give host:port, e.g. 127.0.0.1:8080`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export async function runServer(io: CliIO, f: ServerFlags, signals: Pick<NodeJS.Process, 'once' | 'off'> = process): Promise<void> {
  const runners = Number(f.runners);
  if (!/^\d+$/.test(f.runners) || runners > 64) throw new CliError(`--runners '${f.runners}': a whole number from 0 to 64`);
  const timeout = Number(f.heartbeatTimeout);
  if (!/^\d+(\.\d+)?$/.test(f.heartbeatTimeout) || timeout < 1 || timeout > 3600) throw new CliError(`--heartbeat-timeout '${f.heartbeatTimeout}': seconds, from 1 to 3600`);
  if (f.listen === false && runners === 0) throw new CliError('--no-listen with --runners 0 would do nothing');
  if (Boolean(f.tlsCert) !== Boolean(f.tlsKey)) throw new CliError('give --tls-cert and --tls-key together');
  const listen = f.listen === false ? undefined : parseListen(f.listen);
  const dataDir = resolve(io.cwd, f.dataDir ?? join(io.env.HOME ?? homedir(), '.sloth-kubernetes', 'server'));
  const backend = f.backend ?? io.env.PULUMI_BACKEND_URL;
  const baseEnv: Record<string, string | undefined> = { ...(backend ? { PULUMI_BACKEND_URL: backend } : {}), SLOTH_OPERATOR_CIDRS: io.env.SLOTH_OPERATOR_CIDRS, HOME: io.env.HOME };
  for (const name of f.passEnv ?? []) {
    if (io.env[name] === undefined) throw new CliError(`--pass-env ${name}: the server's environment has no ${name}`);
    baseEnv[name] = io.env[name];
  }
  const log = (m: string) => io.stderr.write(`${new Date().toISOString()} ${m}\n`);
  const server = await startServer({
    dataDir,
    databaseUrl: f.database,
    keyFile: f.keyFile ? resolve(io.cwd, f.keyFile) : undefined,
    baseEnv,
    allow: f.allow,
    git: { allowFileUrls: f.allowFileGit },
    ...(listen ?? {}),
    tls: f.tlsCert && f.tlsKey ? { cert: resolve(io.cwd, f.tlsCert), key: resolve(io.cwd, f.tlsKey) } : undefined,
    runners,
    // Beats ten times per timeout; an idle runner looks for work (and a paused job for a decision) at least every second.
    timings: { staleMs: timeout * 1000, heartbeatMs: (timeout * 1000) / 10, pollMs: Math.min(1000, (timeout * 1000) / 10) },
    log,
  });
  io.stdout.write(`sloth-kubernetes server: ${server.url ? `listening on ${server.url} (UI at ${server.url}/, API at ${server.url}/api/v1, OpenAPI at ${server.url}/openapi.json)` : 'running jobs only'}; ${runners} runner${runners === 1 ? '' : 's'}; database ${f.database ? redactUrl(f.database) : `SQLite in ${dataDir}`}\n`);
  if (server.adminTokenFile) io.stdout.write(`First start: an admin API token was written to ${server.adminTokenFile} (mode 0600).\n`);
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = () => {
      if (stopping) {
        log('second interrupt: exiting now; the jobs in hand will be recovered');
        void server.close(true).then(done);
        return;
      }
      stopping = true;
      log('stopping: no new jobs are taken; waiting for the running ones (interrupt again to exit now)');
      void server.close().then(done);
    };
    signals.once('SIGINT', stop);
    signals.once('SIGTERM', stop);
    // A second signal while closing.
    signals.once('SIGINT', stop);
  });
}
