// Runs the CLI in-process with captured output (fast), or as a real child process through
// the launcher (for behaviour that needs a process: signals, exit codes, locks held by pids).
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/run.ts';
import type { CliIO } from '../../src/cli/io.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  cwd?: string;
  /** Pretend a terminal is attached (prompts, live views). */
  tty?: boolean;
}

/** The environment tests start from: no ambient credentials, passphrases or backends. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'USER', 'LOGNAME']) env[key] = process.env[key];
  return { ...env, ...extra };
}

export async function runInProcess(argv: string[], opts: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = opts.tty;
  stdin.end(opts.stdin ?? '');
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s), isTTY: opts.tty, columns: 100 },
    stderr: { write: (s: string) => (stderr += s), isTTY: opts.tty },
    stdin,
    env: opts.env ?? cleanEnv(),
    cwd: opts.cwd ?? process.cwd(),
    programName: 'sloth-kubernetes',
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

export const launcher = fileURLToPath(new URL('../../bin/sloth-kubernetes.js', import.meta.url));

export function runProcess(argv: string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, ...argv], {
      env: opts.env ?? cleanEnv(),
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}
