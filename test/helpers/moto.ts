// Starts moto (the AWS emulator) as a child process on a free loopback port, for tests of
// anything that talks to AWS (S3 backends, KMS, later EC2/ELB/Route53). Tests call
// `startMoto()` once per file and `stop()` in `after`; when moto is not installed they get
// `undefined` and should skip with `MOTO_MISSING` (under CI=true, a missing moto is an error:
// see parts.ts).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { missing } from './parts.ts';

export const MOTO_MISSING = 'moto is not installed (scripts/test-peers installs it)';

export interface MotoServer {
  endpoint: string;
  port: number;
  /** AWS variables that point the SDK at this server with dummy credentials. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export function motoAvailable(): boolean {
  return missing('moto') === undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** `env` adds variables for moto itself (e.g. MOTO_AMIS_PATH for its image catalogue). */
export async function startMoto(env: Record<string, string> = {}): Promise<MotoServer | undefined> {
  if (!motoAvailable()) return undefined;
  const port = await freePort();
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited early: ${stderr.slice(-500)}`);
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.ok || r.status < 500) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto did not start on ${endpoint}: ${stderr.slice(-500)}`);
    }
    await sleep(100);
  }
  return {
    endpoint,
    port,
    env: {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint,
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
