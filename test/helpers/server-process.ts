// `sloth-kubernetes server` as a process in a test, however it is started (the launcher, a
// bundle, the single executable): resolves once it says where it listens.
import { spawn } from 'node:child_process';

export interface ServerProcess {
  url: string;
  /** What it wrote to stderr so far. */
  stderr(): string;
  kill(): void;
}

/** Starts `command <before…> server --listen 127.0.0.1:0 <options…>` and waits for its address. */
export async function startServerProcess(command: string, before: string[], options: string[], env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child = spawn(command, [...before, 'server', '--listen', '127.0.0.1:0', ...options], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${out}${err}`)));
    });
    return { url, stderr: () => err, kill: () => child.kill('SIGKILL') };
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
}
